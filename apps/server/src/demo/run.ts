/**
 * Feeds the demo traffic through the real ingest path: `POST /api/v1/events` on the app built by
 * buildApp (validation, normalisation, enrichment, group-commit writer, scoring queue), with
 * `inject`, so nothing listens on a port.
 *
 * Users are spread over a few lanes; each lane sends its users' events in time order, one request
 * at a time, so a user's events are stored in the order they happened (sessions depend on it),
 * while the lanes keep several requests in flight for the writer to commit together.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPresetName, PRESETS } from '@vigil/core';
import type { Executor } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { MAX_EVENTS_PER_REQUEST } from '../http/sensor/events.ts';
import { createProject, generateApiKey, hashApiKey } from '../projects.ts';
import { applyProjectPreset, RuleSets } from '../scoring/rule-sets.ts';
import { ScoringWorker } from '../scoring/worker.ts';
import { type DemoEvent, type DemoTraffic, generateDemo, SCENARIOS, type Scenario } from './generate.ts';

/**
 * The rule preset a new demo project gets: of tirreno's presets it is the one that sends most of
 * the demo's attackers to the review queue (all but part of the bots) while leaving nearly all
 * normal customers alone.
 */
export const DEMO_PRESET = 'account_takeover';

export interface DemoRunOptions {
  users: number;
  days: number;
  seed: number | string;
  /** An existing project to fill; otherwise a new project named `projectName` is created. */
  projectId?: string;
  projectName?: string;
  /**
   * Rule preset to apply to the project. Default: DEMO_PRESET for a new project; an existing
   * project keeps its weights unless a preset is given.
   */
  preset?: string;
  /** End of the simulated period (epoch ms); default now. */
  now?: number;
  /** Requests in flight (default 4). */
  lanes?: number;
  /** Events per request (at most 1000). */
  batchSize?: number;
  /** Largest request body to send, in bytes (the server's body limit). */
  maxBodyBytes: number;
  /** Called after every stored request with the events sent so far. */
  onProgress?: (sent: number, total: number) => void;
  /** Called once the traffic is generated, before sending. */
  onGenerated?: (traffic: DemoTraffic) => void;
}

export interface DemoRunResult {
  traffic: DemoTraffic;
  project: { id: string; name: string; timezone: string };
  /** The preset applied, or null when the project kept its weights. */
  preset: string | null;
  /** The new project's API key (shown once); null when an existing project was filled. */
  apiKey: string | null;
  sent: number;
  stored: number;
  rejected: number;
  /** The first few rejections, for the report. */
  rejections: string[];
  requests: number;
  generateMs: number;
  sendMs: number;
}

/** A failure with a message meant for the operator. */
export class DemoError extends Error {
  override name = 'DemoError';
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_RETRIES = 20;

export async function runDemo(
  deps: { app: FastifyInstance; db: Executor },
  options: DemoRunOptions,
): Promise<DemoRunResult> {
  const { app, db } = deps;
  let project: { id: string; name: string; timezone: string };
  let apiKey: string | null = null;
  /** Our own key on an existing project (keys are stored hashed: we cannot use theirs). */
  let temporaryKeyId: number | null = null;
  let key: string;

  if (options.preset !== undefined && !isPresetName(options.preset)) {
    throw new DemoError(`unknown preset "${options.preset}"; one of ${Object.keys(PRESETS).join(', ')}`);
  }
  if (options.projectId !== undefined) {
    if (!UUID_RE.test(options.projectId)) throw new DemoError(`--project takes a project id (a UUID)`);
    const { rows } = await db.query<{ id: string; name: string; timezone: string }>(
      'SELECT id, name, timezone FROM projects WHERE id = $1',
      [options.projectId],
    );
    if (!rows[0]) throw new DemoError(`no project with id ${options.projectId}`);
    project = rows[0];
    key = generateApiKey();
    const inserted = await db.query<{ id: string }>(
      `INSERT INTO api_keys (project_id, key_hash, key_prefix, name) VALUES ($1, $2, $3, $4) RETURNING id`,
      [project.id, hashApiKey(key), key.slice(0, 8), `vigil demo ${randomUUID().slice(0, 8)} (temporary)`],
    );
    temporaryKeyId = Number(inserted.rows[0]!.id);
  } else {
    const created = await createProject(db, { name: options.projectName ?? 'Demo shop', rateLimitRps: 0 });
    const { rows } = await db.query<{ timezone: string }>('SELECT timezone FROM projects WHERE id = $1', [
      created.project.id,
    ]);
    project = { id: created.project.id, name: created.project.name, timezone: rows[0]!.timezone };
    key = created.apiKey;
    apiKey = created.apiKey;
  }
  const preset = options.preset ?? (apiKey !== null ? DEMO_PRESET : null);
  if (preset !== null) await applyProjectPreset(db, project.id, preset);

  try {
    const generateStarted = performance.now();
    const traffic = generateDemo({
      users: options.users,
      days: options.days,
      seed: options.seed,
      ...(options.now !== undefined ? { now: options.now } : {}),
      timezone: project.timezone,
    });
    const generateMs = performance.now() - generateStarted;
    options.onGenerated?.(traffic);

    const lanes = Math.max(1, options.lanes ?? 4);
    const batchSize = Math.min(
      MAX_EVENTS_PER_REQUEST,
      Math.max(1, options.batchSize ?? MAX_EVENTS_PER_REQUEST),
    );
    const laneOf = new Map(traffic.users.map((u, i) => [u.userName, i % lanes]));
    const queues: DemoEvent[][] = Array.from({ length: lanes }, () => []);
    for (const event of traffic.events()) queues[laneOf.get(event.fields.userName)!]!.push(event);

    const total = traffic.eventCount;
    const result = { sent: 0, stored: 0, rejected: 0, requests: 0, rejections: [] as string[] };
    const sendStarted = performance.now();
    options.onProgress?.(0, total);
    await Promise.all(
      queues.map(async (queue) => {
        for (const body of requestBodies(queue, batchSize, options.maxBodyBytes)) {
          const answer = await send(app, key, body.json);
          result.requests += 1;
          result.sent += body.count;
          result.stored += answer.stored;
          result.rejected += answer.rejected;
          for (const r of answer.results) {
            if (r.status === 'rejected' && result.rejections.length < 5) {
              result.rejections.push(`${r.error?.field ?? ''}: ${r.error?.message ?? 'rejected'}`);
            }
          }
          options.onProgress?.(result.sent, total);
        }
      }),
    );
    return {
      traffic,
      project,
      preset,
      apiKey,
      ...result,
      generateMs,
      sendMs: performance.now() - sendStarted,
    };
  } finally {
    if (temporaryKeyId !== null) await db.query('DELETE FROM api_keys WHERE id = $1', [temporaryKeyId]);
  }
}

/** Consecutive events as JSON arrays of at most `batchSize` events and `maxBytes` bytes. */
function* requestBodies(
  events: DemoEvent[],
  batchSize: number,
  maxBytes: number,
): Generator<{ json: string; count: number }> {
  const limit = Math.max(1024, maxBytes - 1024);
  let parts: string[] = [];
  let bytes = 2;
  for (const event of events) {
    const json = JSON.stringify(event.fields);
    const size = Buffer.byteLength(json) + 1;
    if (parts.length > 0 && (parts.length >= batchSize || bytes + size > limit)) {
      yield { json: `[${parts.join(',')}]`, count: parts.length };
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  if (parts.length > 0) yield { json: `[${parts.join(',')}]`, count: parts.length };
}

interface EventsAnswer {
  stored: number;
  rejected: number;
  results: { status: 'stored' | 'rejected'; error?: { field: string; message: string } }[];
}

/** One request; waits and retries while the server says so (rate limit, database busy). */
async function send(app: FastifyInstance, key: string, json: string): Promise<EventsAnswer> {
  for (let attempt = 0; ; attempt++) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { 'content-type': 'application/json', 'api-key': key },
      payload: json,
    });
    if (response.statusCode === 200) return response.json() as EventsAnswer;
    if ((response.statusCode === 429 || response.statusCode === 503) && attempt < MAX_RETRIES) {
      const retryAfter = Number(response.headers['retry-after'] ?? 1);
      await sleep(Math.min(10, Number.isFinite(retryAfter) ? retryAfter : 1) * 1000);
      continue;
    }
    let message = response.body;
    try {
      message = (response.json() as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON: the body as it is
    }
    throw new DemoError(`the server refused a batch of events: HTTP ${response.statusCode}: ${message}`);
  }
}

/**
 * Scores every queued user now (the demo sends with the in-process worker off, so that each
 * user is scored once rather than after every batch). Returns how many users were scored.
 */
export async function scoreQueued(
  db: Executor,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM scoring_queue');
  const total = rows[0]!.n;
  const worker = new ScoringWorker(db, new RuleSets(db), { batchSize: 250, pollMs: 100, leaseMs: 120_000 });
  let done = 0;
  onProgress?.(0, total);
  for (let scored = await worker.runOnce(); scored > 0; scored = await worker.runOnce()) {
    done += scored;
    onProgress?.(Math.min(done, total), total);
  }
  return done;
}

export interface ScenarioOutcome {
  users: number;
  /** Users with a score. */
  scored: number;
  /** Users the scoring sent to the review queue. */
  inReview: number;
  /** Mean trust score of the scored users (0..99), or null. */
  meanScore: number | null;
}

/** How each scenario's users came out of scoring, read from the stored users. */
export async function scenarioOutcomes(
  db: Executor,
  traffic: DemoTraffic,
  projectId: string,
): Promise<Record<Scenario, ScenarioOutcome>> {
  const { rows } = await db.query<{ user_name: string; score: number | null; in_review: boolean }>(
    `SELECT user_name, score, added_to_review IS NOT NULL AS in_review FROM users WHERE project_id = $1`,
    [projectId],
  );
  const sums = Object.fromEntries(SCENARIOS.map((s) => [s, { users: 0, scored: 0, inReview: 0, total: 0 }]));
  for (const row of rows) {
    const scenario = traffic.scenarioOf(row.user_name);
    if (scenario === undefined) continue;
    const sum = sums[scenario]!;
    sum.users += 1;
    if (row.score !== null) {
      sum.scored += 1;
      sum.total += row.score;
    }
    if (row.in_review) sum.inReview += 1;
  }
  return Object.fromEntries(
    SCENARIOS.map((s) => {
      const { users, scored, inReview, total } = sums[s]!;
      return [s, { users, scored, inReview, meanScore: scored > 0 ? total / scored : null }];
    }),
  ) as Record<Scenario, ScenarioOutcome>;
}
