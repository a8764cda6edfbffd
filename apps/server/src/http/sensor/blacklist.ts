import { canonicalIp } from '@vigil/core';
import type { Executor } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.ts';

/**
 * tirreno's blacklist search, extended: the value is checked as a user id, and also as an IP,
 * e-mail or phone when it looks like one. Answers {value, blacklisted}.
 */
export function registerBlacklistRoutes(app: FastifyInstance, db: Executor): void {
  app.post('/api/v1/blacklist/search', async (request, reply) => {
    const body = request.body as { value?: unknown } | null;
    const raw = body && typeof body === 'object' ? body.value : undefined;
    if (raw === undefined || raw === null || (typeof raw !== 'string' && typeof raw !== 'number')) {
      return sendError(
        reply,
        400,
        'missing_field',
        'Send {"value": "<user id, IP, e-mail or phone>"}',
        'value',
      );
    }
    const value = String(raw);
    const project = request.project.id;
    const ip = canonicalIp(value.replace(/\s/g, ''));
    const email = value.includes('@') ? value.trim().toLowerCase() : null;
    const phone = /^\+?[\d\s()-]{5,}$/.test(value) ? value.replace(/\s/g, '') : null;
    const { rows } = await db.query<{ hit: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM users WHERE project_id = $1 AND user_name = $2 AND status = 'blacklisted')
           OR ($3::inet IS NOT NULL AND EXISTS (SELECT 1 FROM ips WHERE project_id = $1 AND ip = $3::inet AND blacklisted))
           OR ($4::text IS NOT NULL AND EXISTS (SELECT 1 FROM emails WHERE project_id = $1 AND email = $4 AND blacklisted))
           OR ($5::text IS NOT NULL AND EXISTS (SELECT 1 FROM phones WHERE project_id = $1 AND phone = $5 AND blacklisted))
           AS hit`,
      [project, value, ip, email, phone],
    );
    return { value, blacklisted: rows[0]!.hit };
  });
}
