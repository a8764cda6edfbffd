-- The console's entity pages (IPs, ISPs, countries, domains, e-mails, phones, user agents,
-- resources). Lists read the entity rows and their counters; these indexes serve what cannot:
-- one entity's events in a period, newest first (detail pages' chart and table, and the
-- "in period / before" totals of a list page), and the entity rows grouped under a parent
-- (an ISP's or a country's IPs, a domain's e-mails; a user agent's devices use 0012's
-- devices_user_agent).

-- (ip_id, time) answers everything the single-column index did, so that one goes: one index
-- fewer for the writer to maintain on every event.
CREATE INDEX events_ip_time ON events (ip_id, time DESC);
DROP INDEX events_ip;
CREATE INDEX events_resource_time ON events (resource_id, time DESC);
CREATE INDEX events_device_time ON events (device_id, time DESC);
CREATE INDEX events_email_time ON events (email_id, time DESC) WHERE email_id IS NOT NULL;
CREATE INDEX events_phone_time ON events (phone_id, time DESC) WHERE phone_id IS NOT NULL;

CREATE INDEX ips_isp ON ips (project_id, isp_id);
CREATE INDEX ips_country ON ips (project_id, country, isp_id);
CREATE INDEX emails_domain ON emails (domain_id);
