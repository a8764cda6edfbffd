import { decisionFor } from '@vigil/core';
import type { FastifyInstance } from 'fastify';
import type { Ingest } from '../../ingest/ingest.ts';
import type { InlineScorer } from '../../scoring/inline-scorer.ts';
import { sendError } from '../errors.ts';
import { fieldsOf } from './body.ts';
import { rateLimited, requestContext, sendStorageFailure } from './sensor.ts';

/**
 * Synchronous decision: stores the event like /api/v1/events, scores its user inline with the
 * project's rules and answers allow / review / block with the reasons. An operator's decision
 * stands: a blacklisted user is blocked and an approved one allowed, whatever the score.
 */
export function registerDecideRoutes(app: FastifyInstance, ingest: Ingest, scorer: InlineScorer): void {
  app.post('/api/v1/decide', async (request, reply) => {
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return sendError(reply, 400, 'invalid_body', 'Send one event as a JSON object');
    }
    const ctx = requestContext(request, '/api/v1/decide');
    if (await rateLimited(ingest, request, reply, ctx)) return reply;
    let outcome: Awaited<ReturnType<Ingest['ingest']>>;
    try {
      outcome = await ingest.ingest(request.project, fieldsOf(body), ctx);
    } catch (error) {
      return sendStorageFailure(reply, error, () =>
        ingest.logOnly(request.project, ctx, 3, 'Storage refused the event'),
      );
    }
    if (outcome.status === 'rejected') {
      return sendError(reply, 400, outcome.code, `${outcome.message}: ${outcome.field}`, outcome.field);
    }
    const scored = await scorer.score(outcome.written.userId, request.project.id);
    if (!scored) return sendError(reply, 500, 'internal', 'The user could not be scored');
    const decision =
      scored.status === 'blacklisted'
        ? 'block'
        : scored.status === 'approved'
          ? 'allow'
          : scored.status === 'review' && decisionFor(scored.score, scored) === 'allow'
            ? 'review'
            : decisionFor(scored.score, scored);
    return {
      userName: outcome.event.userName,
      eventId: outcome.written.eventId,
      score: scored.score,
      status: scored.status,
      decision,
      reasons: scored.matched
        .filter((m) => m.weight !== 0)
        .sort((a, b) => b.weight - a.weight)
        .map((m) => ({ rule: m.code, name: m.name, weight: m.weight, evidence: m.evidence ?? null })),
    };
  });
}
