-- Scoring: per-project rule weights and thresholds, the score of each user with its evidence,
-- its history, operator decisions, and the links that make features cheap to load.

-- Which IPs each user has used, kept at ingest, so a user's IPs (and how many users share each
-- IP) are read without scanning their events.
CREATE TABLE user_ips (
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  ip_id       bigint NOT NULL REFERENCES ips(id) ON DELETE CASCADE,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  event_count bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, ip_id)
);
CREATE INDEX user_ips_ip ON user_ips (ip_id);
ALTER TABLE ips ADD COLUMN user_count integer NOT NULL DEFAULT 0;

-- The preset last applied and the version of the rule set; any change of weights, thresholds or
-- custom rules bumps the version, and every score records the version that produced it.
ALTER TABLE projects
  ADD COLUMN preset text NOT NULL DEFAULT 'default',
  ADD COLUMN rule_set_version integer NOT NULL DEFAULT 1,
  -- Overrides of the rules' named thresholds (RuleThresholds), e.g. {"maxDevices": 6}.
  ADD COLUMN rule_thresholds jsonb NOT NULL DEFAULT '{}';

CREATE TABLE project_rule_weights (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  code       text NOT NULL,
  weight     integer NOT NULL,
  PRIMARY KEY (project_id, code)
);

ALTER TABLE users
  ADD COLUMN score_details jsonb,
  ADD COLUMN rule_set_version integer,
  ADD COLUMN decided_at timestamptz,
  ADD COLUMN decided_by text;
CREATE INDEX users_review ON users (project_id, added_to_review) WHERE status = 'review';
CREATE INDEX users_score ON users (project_id, score);

-- Score history: a row whenever a user's score or matched rules change. `results` holds every
-- rule outcome other than a plain no_match (match, not_applicable, error) with its evidence.
CREATE TABLE user_scores (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id       uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id          bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  score            smallint NOT NULL,
  computed_at      timestamptz NOT NULL DEFAULT now(),
  rule_set_version integer NOT NULL,
  results          jsonb NOT NULL
);
CREATE INDEX user_scores_user ON user_scores (user_id, id DESC);

-- Operator (or automatic) decisions about a user, newest last: who, when, what and why.
CREATE TABLE user_decisions (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  decision   text NOT NULL CHECK (decision IN ('review', 'approve', 'blacklist', 'unblacklist', 'watch', 'unwatch')),
  actor      text NOT NULL,
  note       text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_decisions_user ON user_decisions (user_id, id);

-- Scoring work: a worker takes rows by setting taken_until (short transaction, SKIP LOCKED) and
-- deletes them when done unless a newer event re-queued the user meanwhile; a crashed worker's
-- rows become available again when taken_until passes.
ALTER TABLE scoring_queue ADD COLUMN taken_until timestamptz;

-- Background rescoring of a whole project after a rule or weight change, with visible progress.
CREATE TABLE rescore_jobs (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  total      integer NOT NULL,
  done       integer NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
