-- The single user view and the field audit trail (console).

-- Connected identities: for each IP of a user, the other users on it with the most events, read
-- from the index in order instead of sorting every user of a busy IP.
CREATE INDEX user_ips_ip_events ON user_ips (ip_id, event_count DESC);

-- Connected identities: users with the same device (user agent and browser language).
CREATE INDEX devices_user_agent ON devices (project_id, user_agent_id, lang);

-- The project's field audit trail, newest first, and the same for one field.
CREATE INDEX field_changes_project_time ON field_changes (project_id, time DESC, id DESC);
