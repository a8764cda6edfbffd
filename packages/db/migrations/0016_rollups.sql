-- Rollups of events, kept by the group-commit writer in the same transaction as the events
-- (one upsert per table per batch) and lowered by retention and erasure, so the console's totals,
-- charts and top lists of long periods read a few thousand rows instead of a million events.
--
-- Hours are UTC hours (date_trunc in UTC, whatever the session's TimeZone). A period is answered
-- with its whole hours from here and its partial first and last hours from the raw events, so
-- figures stay exact to the event. The country and ISP of an event are those of its IP.

-- Events per hour, type, country and ISP: totals, charts by type, the countries' and ISPs' strips
-- and charts, top countries and ISPs.
CREATE TABLE event_counts_hourly (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  hour       timestamptz NOT NULL,
  type       smallint NOT NULL,
  country    char(2),
  isp_id     bigint,
  events     bigint NOT NULL,
  UNIQUE NULLS NOT DISTINCT (project_id, hour, type, country, isp_id)
);
-- One country's or ISP's chart over a period.
CREATE INDEX event_counts_hourly_country ON event_counts_hourly (project_id, country, hour);
CREATE INDEX event_counts_hourly_isp ON event_counts_hourly (project_id, isp_id, hour);

-- Events per hour and user: active users of a period (distinct users) and top users.
CREATE TABLE user_events_hourly (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  hour       timestamptz NOT NULL,
  user_id    bigint NOT NULL,
  events     integer NOT NULL,
  PRIMARY KEY (project_id, hour, user_id)
);

-- Events per UTC day of one IP (kind 1) or resource (kind 2): an entity's events in a period,
-- read by key for the few candidates of a top-10 list (see overview-routes.ts).
CREATE TABLE entity_events_daily (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind       smallint NOT NULL,
  entity_id  bigint NOT NULL,
  day        date NOT NULL,
  events     integer NOT NULL,
  PRIMARY KEY (project_id, kind, entity_id, day)
);

-- An existing installation is right at once.
INSERT INTO event_counts_hourly (project_id, hour, type, country, isp_id, events)
SELECT e.project_id, date_trunc('hour', e.time, 'UTC'), e.type, i.country, i.isp_id, count(*)
  FROM events e JOIN ips i ON i.id = e.ip_id
 GROUP BY 1, 2, 3, 4, 5;

INSERT INTO user_events_hourly (project_id, hour, user_id, events)
SELECT project_id, date_trunc('hour', time, 'UTC'), user_id, count(*)
  FROM events GROUP BY 1, 2, 3;

INSERT INTO entity_events_daily (project_id, kind, entity_id, day, events)
SELECT project_id, 1, ip_id, (time AT TIME ZONE 'UTC')::date, count(*) FROM events GROUP BY 1, 3, 4
UNION ALL
SELECT project_id, 2, resource_id, (time AT TIME ZONE 'UTC')::date, count(*) FROM events GROUP BY 1, 3, 4;

-- Top-10 IPs and resources of a period start from the busiest ones of all time (their counters).
CREATE INDEX ips_project_event_count ON ips (project_id, event_count DESC);
CREATE INDEX resources_project_event_count ON resources (project_id, event_count DESC);
