-- Operator lists ("bring your own"): IPs, CIDRs, ASNs, domains, e-mails, phones or User-Agent
-- fragments an operator imports with a label, an optional score and an optional expiry. Like
-- every tenant row they belong to one project: a list of project A never marks project B's
-- entities. A list is written whole in one transaction (the file is parsed and rejected at its
-- first bad line before anything is stored), so there is never a half-imported list.
CREATE TABLE lists (
  id          uuid PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
  -- The kind given at import; NULL when each line's kind was detected (a mixed list).
  kind        text CHECK (kind IN ('ip', 'cidr', 'asn', 'domain', 'email', 'phone', 'ua')),
  -- Score of a match, for rules; an entry's own score (CSV column) wins over it.
  score       double precision,
  -- After this instant no entry of the list matches (entries may expire earlier on their own).
  expires_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- Kept at import so listing lists never counts list_entries.
  entry_count integer NOT NULL CHECK (entry_count >= 0),
  -- Entries per kind as reported at import, e.g. {"ip": 10, "cidr": 2}.
  counts      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX lists_project ON lists (project_id, created_at DESC);

-- One row per line of the imported file, value in canonical form (normaliseListValue). kind is
-- per entry because a list imported without a kind may mix them. label is NULL unless the line
-- carried its own label (CSV label column); score and expires_at likewise override the list's.
-- Every running server loads the unexpired entries of all projects into one in-memory index and
-- keeps only the event's project's matches (apps/server/src/lists/project-enricher.ts).
CREATE TABLE list_entries (
  list_id     uuid NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('ip', 'cidr', 'asn', 'domain', 'email', 'phone', 'ua')),
  value       text NOT NULL,
  label       text,
  score       double precision,
  expires_at  timestamptz
);
CREATE INDEX list_entries_list ON list_entries (list_id);

-- A counter bumped in the same transaction as every list import and delete. Running servers poll
-- this one row every few seconds (a primary-key read) and reload their list index only when it
-- moved, so a list imported through any process (CLI, another server on the same PostgreSQL)
-- takes effect everywhere without a restart and without rereading the lists when nothing changed.
CREATE TABLE lists_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version   bigint NOT NULL
);
INSERT INTO lists_version (singleton, version) VALUES (true, 0);
