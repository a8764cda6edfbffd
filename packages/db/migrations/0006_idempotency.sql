-- Idempotency keys sent with events (SDK retries): the first event with a key is stored, later ones
-- are answered with its id and never stored again. The key reserves its event id in the same
-- transaction as the event, so a rolled-back batch leaves no key behind. Keys older than two days
-- are pruned by the scoring worker; clients retry for far less than that.
CREATE TABLE idempotency_keys (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  key        text NOT NULL,
  event_id   bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
