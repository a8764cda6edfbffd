-- Vigil's entity model. Every tenant row carries project_id and every unique key starts with it,
-- so one project can never see or collide with another's data. Times are timestamptz (UTC in,
-- operator's zone out). Counters (event_count, first_seen, last_seen) are kept at ingest by the
-- group-commit writer, so pages and rules never aggregate the events table to show them.

CREATE TABLE projects (
  id               uuid PRIMARY KEY,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at       timestamptz NOT NULL DEFAULT now(),
  timezone         text NOT NULL DEFAULT 'UTC',
  -- Sensor rate limit, as tirreno: requests per second over a sliding window; 0 disables it.
  rate_limit_rps    integer NOT NULL DEFAULT 10 CHECK (rate_limit_rps >= 0),
  rate_limit_window integer NOT NULL DEFAULT 20 CHECK (rate_limit_window >= 0),
  review_threshold    smallint NOT NULL DEFAULT 33 CHECK (review_threshold BETWEEN 0 AND 99),
  -- NULL = automatic blacklisting off (tirreno stores -1 for that).
  blacklist_threshold smallint CHECK (blacklist_threshold BETWEEN 0 AND 98),
  retention_weeks  integer NOT NULL DEFAULT 0 CHECK (retention_weeks >= 0)
);

-- API keys are stored as SHA-256 of the secret: a stolen database does not yield working keys.
-- The secret itself is shown once, at creation. A prefix is kept to tell keys apart in the UI.
CREATE TABLE api_keys (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id   uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  key_hash     bytea NOT NULL UNIQUE,
  key_prefix   text NOT NULL,
  name         text NOT NULL DEFAULT 'default',
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_keys_project ON api_keys (project_id);

CREATE TABLE operators (
  id            uuid PRIMARY KEY,
  email         text NOT NULL,
  password_hash text NOT NULL,
  role          text NOT NULL DEFAULT 'analyst' CHECK (role IN ('admin', 'analyst', 'viewer')),
  timezone      text NOT NULL DEFAULT 'UTC',
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz
);
CREATE UNIQUE INDEX operators_email ON operators (lower(email));

-- Country names for display; entity rows hold the ISO code (NULL = unknown).
CREATE TABLE countries (
  iso  char(2) PRIMARY KEY,
  name text NOT NULL
);

-- Monitored users: the end users of the integrating application.
CREATE TABLE users (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id     uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_name      text NOT NULL,
  first_name     text,
  last_name      text,
  full_name      text,
  created        timestamptz NOT NULL,
  first_seen     timestamptz NOT NULL,
  last_seen      timestamptz NOT NULL,
  last_ip        inet,
  last_email_id  bigint,
  last_phone_id  bigint,
  session_id     bigint,
  event_count    bigint NOT NULL DEFAULT 0,
  score          smallint,
  score_updated_at timestamptz,
  -- normal | review | approved | blacklisted; operators' decisions are never overridden by scoring.
  status         text NOT NULL DEFAULT 'normal' CHECK (status IN ('normal', 'review', 'approved', 'blacklisted')),
  added_to_review timestamptz,
  watched        boolean NOT NULL DEFAULT false,
  UNIQUE (project_id, user_name)
);

-- A session: a run of one user's events with no idle gap over 30 min, at most 4 h long.
CREATE TABLE sessions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  started     timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  event_count integer NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (user_id, started DESC);
ALTER TABLE users ADD FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE SET NULL;

CREATE TABLE isps (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  -- 0 = local network, 64496 = unknown (a documentation ASN, as tirreno does).
  asn         bigint NOT NULL,
  name        text NOT NULL,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  event_count bigint NOT NULL DEFAULT 0,
  UNIQUE (project_id, asn)
);

CREATE TABLE ips (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id    uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  ip            inet NOT NULL,
  hash          text NOT NULL,
  country       char(2),
  isp_id        bigint REFERENCES isps(id),
  network       cidr,
  is_local      boolean NOT NULL DEFAULT false,
  is_datacenter boolean,
  is_tor        boolean,
  is_relay      boolean,
  is_starlink   boolean,
  is_vpn        boolean,
  -- Source and date of each flag, and operator-list matches: {"sources": {...}, "lists": [...]}.
  enrichment    jsonb NOT NULL DEFAULT '{}',
  enriched_at   timestamptz,
  blacklisted   boolean NOT NULL DEFAULT false,
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  event_count   bigint NOT NULL DEFAULT 0,
  UNIQUE (project_id, ip)
);

-- Per-project country counters (the country list page reads these).
CREATE TABLE project_countries (
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  country     char(2) NOT NULL,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  event_count bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, country)
);

CREATE TABLE user_agents (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id      uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  -- NULL when the event carried no user agent: one such row per project.
  ua              text,
  device_type     text,
  brand           text,
  model           text,
  os_name         text,
  os_version      text,
  browser_name    text,
  browser_version text,
  is_bot          boolean,
  bot_name        text,
  is_ai_bot       boolean,
  enrichment      jsonb NOT NULL DEFAULT '{}',
  enriched_at     timestamptz,
  first_seen      timestamptz NOT NULL,
  last_seen       timestamptz NOT NULL,
  event_count     bigint NOT NULL DEFAULT 0,
  UNIQUE NULLS NOT DISTINCT (project_id, ua)
);

-- A device is (user, user agent, browser language), as in tirreno.
CREATE TABLE devices (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id    uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_agent_id bigint NOT NULL REFERENCES user_agents(id),
  lang          text,
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  event_count   bigint NOT NULL DEFAULT 0,
  UNIQUE NULLS NOT DISTINCT (project_id, user_id, user_agent_id, lang)
);

CREATE TABLE domains (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id     uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  domain         text NOT NULL,
  registrable    text,
  public_suffix  text,
  is_free        boolean,
  is_disposable  boolean,
  has_mx         boolean,
  enrichment     jsonb NOT NULL DEFAULT '{}',
  enriched_at    timestamptz,
  first_seen     timestamptz NOT NULL,
  last_seen      timestamptz NOT NULL,
  event_count    bigint NOT NULL DEFAULT 0,
  UNIQUE (project_id, domain)
);

-- One row per (user, e-mail), as tirreno: the same address on two users is two rows, which is
-- what lets rules count how many users share it.
CREATE TABLE emails (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id    uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  email         text NOT NULL,
  hash          text NOT NULL,
  domain_id     bigint REFERENCES domains(id),
  is_valid      boolean,
  enrichment    jsonb NOT NULL DEFAULT '{}',
  enriched_at   timestamptz,
  blacklisted   boolean NOT NULL DEFAULT false,
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  event_count   bigint NOT NULL DEFAULT 0,
  UNIQUE (project_id, user_id, email)
);
CREATE INDEX emails_value ON emails (project_id, email);
ALTER TABLE users ADD FOREIGN KEY (last_email_id) REFERENCES emails(id) ON DELETE SET NULL;

CREATE TABLE phones (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id    uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  phone         text NOT NULL,
  hash          text NOT NULL,
  e164          text,
  country       char(2),
  line_type     text,
  is_valid      boolean,
  enrichment    jsonb NOT NULL DEFAULT '{}',
  enriched_at   timestamptz,
  blacklisted   boolean NOT NULL DEFAULT false,
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  event_count   bigint NOT NULL DEFAULT 0,
  UNIQUE (project_id, user_id, phone)
);
CREATE INDEX phones_value ON phones (project_id, phone);
ALTER TABLE users ADD FOREIGN KEY (last_phone_id) REFERENCES phones(id) ON DELETE SET NULL;

-- Resources: URL paths without their query string.
CREATE TABLE resources (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  url         text NOT NULL,
  title       text,
  http_code   smallint,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  event_count bigint NOT NULL DEFAULT 0,
  UNIQUE (project_id, url)
);

CREATE TABLE resource_queries (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  query       text NOT NULL,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  event_count bigint NOT NULL DEFAULT 0,
  UNIQUE (project_id, resource_id, query)
);

CREATE TABLE referers (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  referer     text NOT NULL,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  event_count bigint NOT NULL DEFAULT 0,
  UNIQUE (project_id, referer)
);

-- Events, partitioned by month of event time so that retention is a partition drop.
-- Partitions are created on demand by the writer (ensureEventPartitions); events whose time is
-- before the oldest month Vigil creates partitions for land in events_default.
CREATE TABLE events (
  id           bigint GENERATED ALWAYS AS IDENTITY,
  project_id   uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  time         timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  session_id   bigint NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  ip_id        bigint NOT NULL REFERENCES ips(id),
  device_id    bigint NOT NULL REFERENCES devices(id),
  resource_id  bigint NOT NULL REFERENCES resources(id),
  query_id     bigint REFERENCES resource_queries(id),
  referer_id   bigint REFERENCES referers(id),
  email_id     bigint REFERENCES emails(id),
  phone_id     bigint REFERENCES phones(id),
  type         smallint NOT NULL,
  http_code    smallint,
  http_method  smallint,
  payload      jsonb,
  request_id   text,
  PRIMARY KEY (id, time)
) PARTITION BY RANGE (time);
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_user_time ON events (user_id, time DESC);
CREATE INDEX events_project_time ON events (project_id, time DESC);
CREATE INDEX events_ip ON events (ip_id);

-- Field audit: the fields an application reports edits of, and each change.
CREATE TABLE fields (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  field_id    text NOT NULL,
  field_name  text,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  edit_count  bigint NOT NULL DEFAULT 0,
  UNIQUE (project_id, field_id)
);

-- No foreign key to events: events is partitioned and retention drops whole partitions; the
-- trail is pruned by the same retention job.
CREATE TABLE field_changes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  field_ref   bigint NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  event_id    bigint NOT NULL,
  time        timestamptz NOT NULL,
  field_name  text,
  old_value   text,
  new_value   text NOT NULL,
  parent_id   text,
  parent_name text
);
CREATE INDEX field_changes_field ON field_changes (field_ref, time DESC);
CREATE INDEX field_changes_user ON field_changes (user_id, time DESC);

-- One row per API request with a known key: its outcome, warnings, and the raw recognised fields.
-- error_type as tirreno: 0 success, 1 success with warnings, 2 rejected (validation),
-- 3 failed (internal), 4 rate limited.
CREATE TABLE logbook (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  started     timestamptz NOT NULL,
  ended       timestamptz NOT NULL DEFAULT now(),
  endpoint    text NOT NULL,
  caller_ip   inet,
  event_id    bigint,
  error_type  smallint NOT NULL CHECK (error_type BETWEEN 0 AND 4),
  error_text  jsonb,
  raw         jsonb,
  request_id  text
);
CREATE INDEX logbook_project ON logbook (project_id, id DESC);


-- Users whose score must be recomputed: written in the same transaction as their events, drained
-- by scoring workers with FOR UPDATE SKIP LOCKED.
CREATE TABLE scoring_queue (
  user_id     bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  queued_at   timestamptz NOT NULL DEFAULT now(),
  first_event_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scoring_queue_order ON scoring_queue (queued_at);
