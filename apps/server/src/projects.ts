import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Executor } from '@vigil/db';

export interface Project {
  id: string;
  name: string;
  rateLimitRps: number;
  rateLimitWindow: number;
}

/** API keys: 32 random bytes, base64url, with a recognisable prefix. Only their SHA-256 is stored. */
export function generateApiKey(): string {
  return `vgl_${randomBytes(24).toString('base64url')}`;
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export async function createProject(
  db: Executor,
  input: { name: string; rateLimitRps?: number; rateLimitWindow?: number },
): Promise<{ project: Project; apiKey: string }> {
  const id = randomUUID();
  const apiKey = generateApiKey();
  const { rows } = await db.query<{ rate_limit_rps: number; rate_limit_window: number }>(
    `INSERT INTO projects (id, name, rate_limit_rps, rate_limit_window)
     VALUES ($1, $2, COALESCE($3, 10), COALESCE($4, 20)) RETURNING rate_limit_rps, rate_limit_window`,
    [id, input.name, input.rateLimitRps ?? null, input.rateLimitWindow ?? null],
  );
  await db.query('INSERT INTO api_keys (project_id, key_hash, key_prefix) VALUES ($1, $2, $3)', [
    id,
    hashApiKey(apiKey),
    apiKey.slice(0, 8),
  ]);
  return {
    project: {
      id,
      name: input.name,
      rateLimitRps: rows[0]!.rate_limit_rps,
      rateLimitWindow: rows[0]!.rate_limit_window,
    },
    apiKey,
  };
}

/**
 * Resolves Api-Key headers to projects. Hits are cached briefly so the sensor does not query per
 * request; misses are cached too, so a flood of wrong keys cannot become a flood of queries.
 * A revoked key stops working within the cache lifetime.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { project: Project | null; expires: number }>();

  constructor(
    private readonly db: Executor,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 10_000,
  ) {}

  async lookup(apiKey: string): Promise<Project | null> {
    const hash = hashApiKey(apiKey);
    const cacheKey = hash.toString('base64');
    const now = Date.now();
    const hit = this.entries.get(cacheKey);
    if (hit && hit.expires > now) return hit.project;
    const { rows } = await this.db.query<{
      id: string;
      name: string;
      rate_limit_rps: number;
      rate_limit_window: number;
    }>(
      // Also when the key was last used (the Project page shows it): at most once per cache lifetime.
      `UPDATE api_keys k SET last_used_at = now() FROM projects p
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND p.id = k.project_id
        RETURNING p.id, p.name, p.rate_limit_rps, p.rate_limit_window`,
      [hash],
    );
    const row = rows[0];
    const project = row
      ? {
          id: row.id,
          name: row.name,
          rateLimitRps: row.rate_limit_rps,
          rateLimitWindow: row.rate_limit_window,
        }
      : null;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(cacheKey, { project, expires: now + this.ttlMs });
    return project;
  }

  invalidate(): void {
    this.entries.clear();
  }
}
