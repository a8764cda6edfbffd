-- More rollups of events (see 0016), for the pages that still read every event of a period.
--
-- Events per UTC hour and class of one resource (kind 2), e-mail domain (kind 3) or user agent
-- (kind 4): the charts and list strips of those pages, in the operator's hours or days. Hourly,
-- not daily, because the operator's days are not UTC days. The class is the charts' one: 0 regular,
-- 1 warning, 2 alert (entity-charts in apps/server/src/event-classes.ts); kept by the writer in
-- the events' transaction, lowered by retention and erasure like the 0016 rollups.
CREATE TABLE entity_events_hourly (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind       smallint NOT NULL,
  entity_id  bigint NOT NULL,
  hour       timestamptz NOT NULL,
  class      smallint NOT NULL,
  events     integer NOT NULL,
  PRIMARY KEY (project_id, kind, entity_id, hour, class)
);

-- Type ids as in packages/core eventTypeId: alerts page_delete 3, page_error 12,
-- account_login_fail 7, account_email_change 9, account_password_change 10; warnings page_edit 2,
-- account_registration 8, account_edit 11, field_edit 13.
INSERT INTO entity_events_hourly (project_id, kind, entity_id, hour, class, events)
SELECT project_id, kind, id, hour, class, count(*) FROM (
  SELECT e.project_id, 2 AS kind, e.resource_id AS id, date_trunc('hour', e.time, 'UTC') AS hour,
         CASE WHEN e.type IN (3, 12, 7, 9, 10) THEN 2 WHEN e.type IN (2, 8, 11, 13) THEN 1 ELSE 0 END AS class
    FROM events e
  UNION ALL
  SELECT e.project_id, 3, m.domain_id, date_trunc('hour', e.time, 'UTC'),
         CASE WHEN e.type IN (3, 12, 7, 9, 10) THEN 2 WHEN e.type IN (2, 8, 11, 13) THEN 1 ELSE 0 END
    FROM events e JOIN emails m ON m.id = e.email_id WHERE m.domain_id IS NOT NULL
  UNION ALL
  SELECT e.project_id, 4, d.user_agent_id, date_trunc('hour', e.time, 'UTC'),
         CASE WHEN e.type IN (3, 12, 7, 9, 10) THEN 2 WHEN e.type IN (2, 8, 11, 13) THEN 1 ELSE 0 END
    FROM events e JOIN devices d ON d.id = e.device_id
) x GROUP BY 1, 2, 3, 4, 5;

-- API requests per UTC hour, and per minute, and outcome: the logbook's chart and the usage page.
-- A period reads its whole hours by the hour, the minutes of its partial first and last hours by
-- the minute, and only its partial first and last minutes from the logbook. Kept by triggers, since
-- the logbook is written by the event writer and by the refusals of the sensor API, and pruned by
-- retention: one upsert per table and statement, whoever writes.
CREATE TABLE logbook_counts_hourly (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  hour       timestamptz NOT NULL,
  error_type smallint NOT NULL,
  requests   bigint NOT NULL,
  PRIMARY KEY (project_id, hour, error_type)
);
CREATE TABLE logbook_counts_minutely (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  minute     timestamptz NOT NULL,
  error_type smallint NOT NULL,
  requests   bigint NOT NULL,
  PRIMARY KEY (project_id, minute, error_type)
);

INSERT INTO logbook_counts_hourly (project_id, hour, error_type, requests)
SELECT project_id, date_trunc('hour', started, 'UTC'), error_type, count(*) FROM logbook GROUP BY 1, 2, 3;
INSERT INTO logbook_counts_minutely (project_id, minute, error_type, requests)
SELECT project_id, date_trunc('minute', started, 'UTC'), error_type, count(*) FROM logbook GROUP BY 1, 2, 3;

CREATE FUNCTION logbook_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO logbook_counts_hourly AS r (project_id, hour, error_type, requests)
  SELECT project_id, date_trunc('hour', started, 'UTC'), error_type, count(*) FROM added GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (project_id, hour, error_type) DO UPDATE SET requests = r.requests + excluded.requests;
  INSERT INTO logbook_counts_minutely AS r (project_id, minute, error_type, requests)
  SELECT project_id, date_trunc('minute', started, 'UTC'), error_type, count(*) FROM added GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (project_id, minute, error_type) DO UPDATE SET requests = r.requests + excluded.requests;
  RETURN NULL;
END $$;

CREATE FUNCTION logbook_counts_subtract() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE logbook_counts_hourly r SET requests = r.requests - g.n
    FROM (SELECT project_id, date_trunc('hour', started, 'UTC') AS hour, error_type, count(*) AS n
            FROM removed GROUP BY 1, 2, 3) g
   WHERE r.project_id = g.project_id AND r.hour = g.hour AND r.error_type = g.error_type;
  DELETE FROM logbook_counts_hourly r WHERE r.requests <= 0
     AND (r.project_id, r.hour) IN (SELECT project_id, date_trunc('hour', started, 'UTC') FROM removed);
  UPDATE logbook_counts_minutely r SET requests = r.requests - g.n
    FROM (SELECT project_id, date_trunc('minute', started, 'UTC') AS minute, error_type, count(*) AS n
            FROM removed GROUP BY 1, 2, 3) g
   WHERE r.project_id = g.project_id AND r.minute = g.minute AND r.error_type = g.error_type;
  DELETE FROM logbook_counts_minutely r WHERE r.requests <= 0
     AND (r.project_id, r.minute) IN (SELECT project_id, date_trunc('minute', started, 'UTC') FROM removed);
  RETURN NULL;
END $$;

CREATE TRIGGER logbook_counts_insert AFTER INSERT ON logbook
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION logbook_counts_add();
CREATE TRIGGER logbook_counts_delete AFTER DELETE ON logbook
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION logbook_counts_subtract();

-- The resources list (100,000+ URL paths in a busy shop): its default order, newest first, read
-- from an index, and its count of a period's rows from the index alone.
CREATE INDEX resources_project_last_seen ON resources (project_id, last_seen DESC NULLS LAST, id DESC)
  INCLUDE (first_seen);
