-- The review queue, blacklist and watchlist pages: each reads a small subset of a project's rows,
-- so partial indexes keep those reads proportional to the subset, not to the project's size.

-- Blacklisted users, newest decision first.
CREATE INDEX users_blacklisted ON users (project_id, decided_at DESC) WHERE status = 'blacklisted';
-- Starred users (the watchlist and its activity feed).
CREATE INDEX users_watched ON users (project_id, last_seen DESC) WHERE watched;
-- Blacklisted identities (propagateBlacklist marks them).
CREATE INDEX ips_blacklisted ON ips (project_id, last_seen DESC) WHERE blacklisted;
CREATE INDEX emails_blacklisted ON emails (project_id, email) WHERE blacklisted;
CREATE INDEX phones_blacklisted ON phones (project_id, phone) WHERE blacklisted;
