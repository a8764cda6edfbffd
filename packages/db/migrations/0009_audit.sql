-- Tamper-evident audit trail (apps/server/src/audit/). One hash chain per project, plus one for
-- installation-wide actions ('installation'). Each entry's hash covers the previous entry's hash
-- and the entry's canonical content; `vigil audit verify` recomputes it.
--
-- Content that may name a monitored user (target, details, a field change's values) enters the
-- hash through a salted commitment, so erasing a user can remove the content and its salt while
-- the chain still verifies; the erasure's own entry lists the entries it redacted.
--
-- No foreign key to projects: the trail outlives a deleted project.
CREATE TABLE audit_entries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chain           text NOT NULL,
  seq             bigint NOT NULL,
  -- UTC month (YYYY-MM) the entry belongs to: the unit of retention.
  period          text NOT NULL,
  at              timestamptz NOT NULL,
  project_id      uuid,
  actor           text NOT NULL,
  action          text NOT NULL,
  -- Set for entries that seal a row of field_changes (the content lives in that row).
  field_change_id bigint,
  target          text,
  details         jsonb,
  -- Random, hex; NULL once the content has been erased. Not covered by the hash.
  salt            text,
  commitment      text NOT NULL,
  prev_hash       text NOT NULL,
  hash            text NOT NULL,
  UNIQUE (chain, seq)
);
CREATE INDEX audit_entries_period ON audit_entries (chain, period);
CREATE INDEX audit_entries_field_change ON audit_entries (field_change_id) WHERE field_change_id IS NOT NULL;

-- The latest entry of each chain. Appends lock this row FOR UPDATE, so they are serialised per
-- chain across every process.
CREATE TABLE audit_heads (
  chain   text PRIMARY KEY,
  seq     bigint NOT NULL DEFAULT 0,
  hash    text NOT NULL,
  at      timestamptz
);

-- One row per chain and period, kept when retention drops the period's entries: the first entry
-- of the next period links to end_hash, so the rest of the chain still verifies.
CREATE TABLE audit_checkpoints (
  chain      text NOT NULL,
  period     text NOT NULL,
  first_seq  bigint NOT NULL,
  last_seq   bigint NOT NULL,
  start_hash text NOT NULL,
  end_hash   text NOT NULL,
  pruned_at  timestamptz,
  PRIMARY KEY (chain, period)
);

-- Field-audit records waiting to be sealed into their project's chain by the background sealer.
-- Filled by a statement-level trigger, so rows are never missed whatever order concurrent write
-- transactions commit in (a cursor over field_changes.id could skip a row whose transaction
-- committed late). Erasing the row before it is sealed removes it from here too.
CREATE TABLE audit_seal_queue (
  field_change_id bigint PRIMARY KEY REFERENCES field_changes(id) ON DELETE CASCADE,
  project_id      uuid NOT NULL
);
CREATE INDEX audit_seal_queue_project ON audit_seal_queue (project_id, field_change_id);

CREATE FUNCTION audit_queue_field_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_seal_queue (field_change_id, project_id) SELECT id, project_id FROM new_rows;
  RETURN NULL;
END $$;

CREATE TRIGGER field_changes_audit_queue AFTER INSERT ON field_changes
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_queue_field_changes();

-- Field changes recorded before this migration are sealed too.
INSERT INTO audit_seal_queue (field_change_id, project_id) SELECT id, project_id FROM field_changes;

-- Key of the keyed hash that names an erased user in the trail (apps/server/src/privacy/).
CREATE TABLE audit_subject_key (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  key      text NOT NULL
);
