import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The only reader of process.env. Parsed once into a frozen Config that is passed down; every
 * option is documented here and in docs/configuration.md.
 */
const schema = z.object({
  /** HTTP port. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8585),
  /** Interface to listen on. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** postgres:// URL of a PostgreSQL 15+ server. Unset: embedded PostgreSQL (PGlite) in VIGIL_DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** Folder of the embedded database and local state. */
  VIGIL_DATA_DIR: z.string().min(1).default('./data'),
  /** Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed. Empty: the socket address. */
  TRUSTED_PROXIES: z.string().default(''),
  /** Secret for signing sessions and webhooks (required once the console exists). */
  VIGIL_SECRET: z.string().optional(),
  /** smtp:// URL for e-mail alerts; unset disables e-mail. */
  SMTP_URL: z.string().optional(),
  /** Sender of Vigil's e-mails. */
  VIGIL_MAIL_FROM: z.string().default('Vigil <vigil@localhost>'),
  /** The address operators open Vigil at, for links in e-mails. Default: http://localhost:PORT. */
  VIGIL_PUBLIC_URL: z.string().url().optional(),
  /** The built dashboard to serve at / (default: apps/dashboard/dist beside the server). */
  VIGIL_DASHBOARD_DIR: z.string().optional(),
  /** Folder of the SIEM export files (projects name a file in it). Default: VIGIL_DATA_DIR/siem. */
  VIGIL_SIEM_DIR: z.string().min(1).optional(),
  /** Delay before a failed webhook's first retry, in ms; it doubles per failure up to an hour, for 24 hours. */
  VIGIL_WEBHOOK_RETRY_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Most events committed in one transaction. */
  VIGIL_INGEST_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Transactions in flight at once on PostgreSQL (PGlite always uses 1). */
  VIGIL_INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  /** Run a scoring worker inside this process ('off' when dedicated `vigil worker` processes do it). */
  VIGIL_SCORING_WORKER: z.enum(['on', 'off']).default('on'),
  /** Users scored per worker round. */
  VIGIL_SCORING_BATCH: z.coerce.number().int().min(1).max(5000).default(200),
  /** Under load, milliseconds the writer waits to gather more events into the next transaction. */
  VIGIL_INGEST_LINGER_MS: z.coerce.number().int().min(0).max(100).default(10),
  /** Largest request body accepted by the sensor and the native API, in bytes. */
  VIGIL_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
});

export type Config = Readonly<{
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  trustedProxies: string[];
  secret: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicUrl: string;
  dashboardDir: string | undefined;
  siemDir: string;
  webhookRetryMs: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  ingest: Readonly<{ maxBatch: number; concurrency: number; lingerMs: number; maxBodyBytes: number }>;
  scoring: Readonly<{ worker: boolean; batchSize: number }>;
}>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.VIGIL_DATA_DIR),
    trustedProxies: e.TRUSTED_PROXIES.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    secret: e.VIGIL_SECRET,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.VIGIL_MAIL_FROM,
    dashboardDir: e.VIGIL_DASHBOARD_DIR ? resolve(e.VIGIL_DASHBOARD_DIR) : undefined,
    publicUrl: (e.VIGIL_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    siemDir: resolve(e.VIGIL_SIEM_DIR ?? `${e.VIGIL_DATA_DIR}/siem`),
    webhookRetryMs: e.VIGIL_WEBHOOK_RETRY_MS,
    logLevel: e.LOG_LEVEL,
    ingest: Object.freeze({
      maxBatch: e.VIGIL_INGEST_MAX_BATCH,
      concurrency: e.VIGIL_INGEST_CONCURRENCY,
      lingerMs: e.VIGIL_INGEST_LINGER_MS,
      maxBodyBytes: e.VIGIL_MAX_BODY_BYTES,
    }),
    scoring: Object.freeze({ worker: e.VIGIL_SCORING_WORKER === 'on', batchSize: e.VIGIL_SCORING_BATCH }),
    ...overrides,
  });
}
