import type { Executor } from '@vigil/db';
import { eventClassSql } from '../event-classes.ts';

/** The deleted events as rows of entity_events_hourly (migration 0017): resource, domain, agent. */
function hourlyEntities(gone: string): string {
  const hourClass = `date_trunc('hour', g.time, 'UTC') AS hour, ${eventClassSql('g.type')} AS class`;
  return `(SELECT g.project_id, 2 AS kind, g.resource_id AS id, ${hourClass} FROM ${gone} g
           UNION ALL
           SELECT g.project_id, 3, m.domain_id, ${hourClass}
             FROM ${gone} g JOIN emails m ON m.id = g.email_id WHERE m.domain_id IS NOT NULL
           UNION ALL
           SELECT g.project_id, 4, d.user_agent_id, ${hourClass}
             FROM ${gone} g JOIN devices d ON d.id = g.device_id)`;
}

/**
 * Takes events about to be deleted out of the rollups the writer keeps (migration 0016), and
 * drops the rollup rows left at zero, so the rollups keep adding up to what the events table holds.
 *
 * `gone` is a relation (a table name or a parenthesised SELECT using `params`) of the deleted
 * events with columns project_id, time, type, user_id, ip_id, resource_id, email_id, device_id. Run
 * it in the deleting transaction while the events' IP, e-mail and device rows still exist: an
 * event's country and ISP are its IP's, its domain its e-mail's, its user agent its device's.
 */
export async function subtractFromRollups(tx: Executor, gone: string, params: unknown[] = []): Promise<void> {
  await tx.query(
    `UPDATE event_counts_hourly r SET events = GREATEST(r.events - g.n, 0)
       FROM (SELECT g.project_id, date_trunc('hour', g.time, 'UTC') AS hour, g.type, i.country, i.isp_id,
                    count(*) AS n
               FROM ${gone} g JOIN ips i ON i.id = g.ip_id GROUP BY 1, 2, 3, 4, 5) g
      WHERE r.project_id = g.project_id AND r.hour = g.hour AND r.type = g.type
        AND (r.country = g.country OR (r.country IS NULL AND g.country IS NULL))
        AND (r.isp_id = g.isp_id OR (r.isp_id IS NULL AND g.isp_id IS NULL))`,
    params,
  );
  await tx.query(
    `UPDATE user_events_hourly r SET events = GREATEST(r.events - g.n, 0)
       FROM (SELECT project_id, date_trunc('hour', time, 'UTC') AS hour, user_id, count(*) AS n
               FROM ${gone} g GROUP BY 1, 2, 3) g
      WHERE r.project_id = g.project_id AND r.hour = g.hour AND r.user_id = g.user_id`,
    params,
  );
  await tx.query(
    `UPDATE entity_events_daily r SET events = GREATEST(r.events - g.n, 0)
       FROM (SELECT project_id, kind, id, day, count(*) AS n FROM (
               SELECT project_id, 1 AS kind, ip_id AS id, (time AT TIME ZONE 'UTC')::date AS day FROM ${gone} g
               UNION ALL
               SELECT project_id, 2, resource_id, (time AT TIME ZONE 'UTC')::date FROM ${gone} g) x
              GROUP BY 1, 2, 3, 4) g
      WHERE r.project_id = g.project_id AND r.kind = g.kind AND r.entity_id = g.id AND r.day = g.day`,
    params,
  );
  await tx.query(
    `UPDATE entity_events_hourly r SET events = GREATEST(r.events - g.n, 0)
       FROM (SELECT project_id, kind, id, hour, class, count(*) AS n FROM ${hourlyEntities(gone)} x
              GROUP BY 1, 2, 3, 4, 5) g
      WHERE r.project_id = g.project_id AND r.kind = g.kind AND r.entity_id = g.id AND r.hour = g.hour
        AND r.class = g.class`,
    params,
  );
  await tx.query(
    `DELETE FROM entity_events_hourly r USING (SELECT DISTINCT project_id, kind, id, hour FROM ${hourlyEntities(gone)} x) g
      WHERE r.project_id = g.project_id AND r.kind = g.kind AND r.entity_id = g.id AND r.hour = g.hour
        AND r.events <= 0`,
    params,
  );
  const hours = `(SELECT DISTINCT project_id, date_trunc('hour', time, 'UTC') AS hour FROM ${gone} g) g`;
  await tx.query(
    `DELETE FROM event_counts_hourly r USING ${hours}
      WHERE r.project_id = g.project_id AND r.hour = g.hour AND r.events <= 0`,
    params,
  );
  await tx.query(
    `DELETE FROM user_events_hourly r USING ${hours}
      WHERE r.project_id = g.project_id AND r.hour = g.hour AND r.events <= 0`,
    params,
  );
  await tx.query(
    `DELETE FROM entity_events_daily r USING (
       SELECT DISTINCT project_id, 1 AS kind, ip_id AS id, (time AT TIME ZONE 'UTC')::date AS day FROM ${gone} g
       UNION SELECT DISTINCT project_id, 2, resource_id, (time AT TIME ZONE 'UTC')::date FROM ${gone} g) g
      WHERE r.project_id = g.project_id AND r.kind = g.kind AND r.entity_id = g.id AND r.day = g.day
        AND r.events <= 0`,
    params,
  );
}
