-- Automated actions: signed webhooks, e-mail alerts and SIEM export.
--
-- A state change (operator decision, scoring flagging or blacklisting a user) writes an outbox row
-- in the same transaction, or the same statement, as the change itself: an alert exists exactly
-- when its change committed. Dispatchers in any number of processes drain the outbox and the
-- deliveries with FOR UPDATE SKIP LOCKED and a short lease, so no network call holds a lock.

CREATE TABLE outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id      uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind            text NOT NULL CHECK (kind IN ('user.review', 'user.blacklisted', 'user.unblacklisted',
                                                'user.decision', 'user.score_crossed', 'rule.matched')),
  -- No foreign key: the delivery log outlives the user row; erasure scrubs user_name here.
  user_id         bigint NOT NULL,
  user_name       text,
  data            jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- Fan-out to webhook subscriptions, SIEM export and e-mail; retried until done.
  taken_until     timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  siem_done_at    timestamptz,
  mail_done_at    timestamptz,
  done_at         timestamptz
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE done_at IS NULL;
CREATE INDEX outbox_project ON outbox (project_id, id);

CREATE TABLE webhook_subscriptions (
  id              uuid PRIMARY KEY,
  project_id      uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  url             text NOT NULL CHECK (url ~ '^https?://'),
  description     text NOT NULL DEFAULT '',
  -- The HMAC key: kept in clear because signing needs it; shown to the operator only at creation.
  secret          text NOT NULL,
  events          text[] NOT NULL CHECK (cardinality(events) > 0),
  -- user.score_crossed: the value whose crossing (either way) is reported.
  score_threshold smallint CHECK (score_threshold BETWEEN 0 AND 99),
  -- rule.matched: only these rule codes (NULL = any rule).
  rule_codes      text[],
  enabled         boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_project ON webhook_subscriptions (project_id);

-- One delivery per outbox row and subscription: its id is the idempotency key receivers see on
-- every attempt, automatic or manual.
CREATE TABLE webhook_deliveries (
  id              uuid PRIMARY KEY,
  project_id      uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  outbox_id       bigint NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer NOT NULL DEFAULT 0,
  -- NULL once delivered or given up.
  next_attempt_at timestamptz,
  taken_until     timestamptz,
  last_attempt_at timestamptz,
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  gave_up_at      timestamptz,
  UNIQUE (outbox_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_project ON webhook_deliveries (project_id, created_at DESC);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at DESC);

CREATE TABLE webhook_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id  uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt      integer NOT NULL,
  manual       boolean NOT NULL DEFAULT false,
  started_at   timestamptz NOT NULL,
  duration_ms  integer NOT NULL,
  -- HTTP status, NULL when no response came (refused, timeout).
  status       integer,
  error        text,
  -- The start of the receiver's answer, to debug a failing endpoint.
  response     text
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- Where a project's alerts go for its SIEM: JSON lines appended to a file (a name inside the
-- installation's SIEM folder, never a free path) and/or syslog (RFC 5424).
CREATE TABLE siem_sinks (
  project_id      uuid PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  file_name       text CHECK (file_name ~ '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$'),
  syslog_host     text,
  syslog_port     integer CHECK (syslog_port BETWEEN 1 AND 65535),
  syslog_protocol text CHECK (syslog_protocol IN ('udp', 'tcp')),
  enabled         boolean NOT NULL DEFAULT true,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((syslog_host IS NULL) = (syslog_port IS NULL) AND (syslog_host IS NULL) = (syslog_protocol IS NULL))
);

-- Who is told at once when a user of the project is blacklisted.
ALTER TABLE projects ADD COLUMN alert_recipients text[] NOT NULL DEFAULT '{}';

-- Review-queue reminders, sent on working days inside the operator's working hours, in their
-- timezone. last_reminded_at is taken before sending, so a restart never sends twice.
ALTER TABLE operators
  ADD COLUMN reminder_frequency text NOT NULL DEFAULT 'off' CHECK (reminder_frequency IN ('off', 'daily', 'weekly')),
  ADD COLUMN working_hours_start smallint NOT NULL DEFAULT 9 CHECK (working_hours_start BETWEEN 0 AND 23),
  ADD COLUMN working_hours_end smallint NOT NULL DEFAULT 17 CHECK (working_hours_end BETWEEN 1 AND 24),
  ADD COLUMN last_reminded_at timestamptz,
  ADD CONSTRAINT operators_working_hours CHECK (working_hours_start < working_hours_end);
