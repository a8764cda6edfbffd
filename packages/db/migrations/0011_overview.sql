-- Indexes behind the console's dashboard, users list, global search, events and logbook pages.
-- Each serves a query that is scoped by project and bounded (by a period or a LIMIT), so a page
-- answers from an index range rather than a scan of the project's events.

-- Totals, charts and top-10 lists of a period: one range of this index, read without touching
-- the events themselves (index-only), grouped by type, user, IP or resource.
CREATE INDEX IF NOT EXISTS events_project_time_cover ON events (project_id, time) INCLUDE (type, user_id, ip_id, resource_id);
-- The events page filtered by event type, and the login / failed-login totals.
CREATE INDEX IF NOT EXISTS events_project_type_time ON events (project_id, type, time DESC);

-- Users list: sorts and the dashboard's "new users in the period".
CREATE INDEX IF NOT EXISTS users_project_first_seen ON users (project_id, first_seen);
CREATE INDEX IF NOT EXISTS users_project_last_seen ON users (project_id, last_seen);
CREATE INDEX IF NOT EXISTS users_project_event_count ON users (project_id, event_count);
-- "Matched rule" filters: users.score_details is [{code, weight}, …].
CREATE INDEX IF NOT EXISTS users_score_details ON users USING gin (score_details jsonb_path_ops);

-- Global search by prefix (LIKE 'abc%' uses these whatever the database collation).
CREATE INDEX IF NOT EXISTS users_name_prefix ON users (project_id, user_name text_pattern_ops);
CREATE INDEX IF NOT EXISTS emails_prefix ON emails (project_id, lower(email) text_pattern_ops);
CREATE INDEX IF NOT EXISTS domains_prefix ON domains (project_id, domain text_pattern_ops);
CREATE INDEX IF NOT EXISTS phones_prefix ON phones (project_id, phone text_pattern_ops);
CREATE INDEX IF NOT EXISTS phones_e164 ON phones (project_id, e164);

-- Dashboard "blacklisted in the period".
CREATE INDEX IF NOT EXISTS user_decisions_project ON user_decisions (project_id, decision, created_at);

-- Logbook: filtered by outcome, newest first; an event's request (the event panel's warnings).
CREATE INDEX IF NOT EXISTS logbook_outcome ON logbook (project_id, error_type, id DESC);
CREATE INDEX IF NOT EXISTS logbook_event ON logbook (event_id) WHERE event_id IS NOT NULL;
-- (The logbook of a period uses logbook_project_started from 0010.)
