-- Project administration: API key names and usage, retention runs with visible progress.

-- The Project page's usage chart counts API requests per bucket over a period.
CREATE INDEX logbook_project_started ON logbook (project_id, started);

-- Retention deletes a referer once no event points to it; without this, that check scans events.
CREATE INDEX events_referer ON events (referer_id) WHERE referer_id IS NOT NULL;

-- One row per retention run of a project: progress while it runs (heartbeat_at moves with every
-- batch), totals when it ends. At most one unfinished run per project, across processes.
CREATE TABLE retention_runs (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id      uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  retention_weeks integer NOT NULL,
  cutoff          timestamptz NOT NULL,
  trigger         text NOT NULL CHECK (trigger IN ('schedule', 'operator')),
  started_at      timestamptz NOT NULL DEFAULT now(),
  heartbeat_at    timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  -- Events older than the cutoff when the run started (the denominator of its progress).
  events_total    bigint NOT NULL DEFAULT 0,
  events_deleted  bigint NOT NULL DEFAULT 0,
  -- Rows of other tables removed: {"users": 3, "ips": 10, ...}.
  deleted         jsonb NOT NULL DEFAULT '{}',
  error           text
);
CREATE UNIQUE INDEX retention_runs_one_open ON retention_runs (project_id) WHERE finished_at IS NULL;
CREATE INDEX retention_runs_project ON retention_runs (project_id, id DESC);
