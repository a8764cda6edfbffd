-- The operator console: who may see which project with which role, browser sessions, API tokens
-- for automation, password resets, invitations and the one-time first-run setup token.
-- Secrets (session ids, tokens) are stored as SHA-256: a copy of the database opens no session.

-- operators.role is the installation role: an installation admin manages projects and operators
-- and is admin on every project. Others see only the projects they are members of.
CREATE TABLE project_members (
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  operator_id uuid NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, operator_id)
);
CREATE INDEX project_members_operator ON project_members (operator_id);

ALTER TABLE operators
  ADD COLUMN name text,
  ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE operator_sessions (
  id_hash      bytea PRIMARY KEY,
  -- A short public id to list and revoke a session without exposing its secret.
  public_id    uuid NOT NULL UNIQUE,
  operator_id  uuid NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ip           text,
  user_agent   text
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id);

CREATE TABLE operator_tokens (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  operator_id  uuid NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
  token_hash   bytea NOT NULL UNIQUE,
  token_prefix text NOT NULL,
  name         text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX operator_tokens_operator ON operator_tokens (operator_id);

CREATE TABLE password_resets (
  token_hash  bytea PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);

CREATE TABLE invitations (
  token_hash  bytea PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  email       text NOT NULL,
  role        text NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
  invited_by  uuid REFERENCES operators(id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  accepted_at timestamptz
);
CREATE INDEX invitations_project ON invitations (project_id);

-- Installation-wide facts: at most one row per key. 'setup_token' holds the hash of the token
-- printed at start while no operator exists, so only who sees the server's output can claim it.
CREATE TABLE installation (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
