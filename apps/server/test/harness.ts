import type { Enricher } from '@vigil/core';
import { createTestDatabase, type Database } from '@vigil/db';
import { noopEnricher } from '@vigil/enrich';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createProject } from '../src/projects.ts';

export interface Harness {
  db: Database;
  app: FastifyInstance;
  projectId: string;
  apiKey: string;
  close(): Promise<void>;
}

/**
 * A real app on a freshly migrated database (PGlite, or PostgreSQL when DATABASE_URL is set) with
 * one project. Rate limiting is off unless asked for, so tests measure what they mean to.
 */
export async function startHarness(
  options: {
    rateLimitRps?: number;
    rateLimitWindow?: number;
    enricher?: Enricher;
    env?: Record<string, string>;
    /** Run the in-process scoring worker (off by default, so storage tests see unscored users). */
    scoring?: boolean;
  } = {},
): Promise<Harness> {
  const db = await createTestDatabase();
  const { project, apiKey } = await createProject(db, {
    name: 'Test project',
    rateLimitRps: options.rateLimitRps ?? 0,
    ...(options.rateLimitWindow !== undefined ? { rateLimitWindow: options.rateLimitWindow } : {}),
  });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    VIGIL_SCORING_WORKER: options.scoring ? 'on' : 'off',
    ...options.env,
  });
  const app = await buildApp(config, { db, enricher: options.enricher ?? noopEnricher });
  await app.ready();
  return {
    db,
    app,
    projectId: project.id,
    apiKey,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** POSTs a form body to the sensor exactly as given (the tests pass literal SDK bodies). */
export function postForm(h: Harness, body: string, headers: Record<string, string> = {}, url = '/sensor/') {
  return h.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'api-key': h.apiKey, ...headers },
    payload: body,
  });
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export async function userEvents(h: Harness, userName: string, limit = 50) {
  const res = await h.app.inject({
    method: 'GET',
    url: `/api/v1/users/${encodeURIComponent(userName)}/events?limit=${limit}`,
    headers: { 'api-key': h.apiKey },
  });
  if (res.statusCode !== 200) throw new Error(`events of ${userName}: ${res.statusCode} ${res.body}`);
  return res.json().events as Record<string, unknown>[];
}

export async function lastLogbook(h: Harness) {
  const { rows } = await h.db.query<{
    endpoint: string;
    error_type: number;
    error_text: unknown;
    raw: Record<string, unknown> | null;
    event_id: number | null;
    request_id: string | null;
    caller_ip: string | null;
  }>(
    `SELECT endpoint, error_type, error_text, raw, event_id, request_id, host(caller_ip) AS caller_ip
       FROM logbook WHERE project_id = $1 ORDER BY id DESC LIMIT 1`,
    [h.projectId],
  );
  return rows[0];
}
