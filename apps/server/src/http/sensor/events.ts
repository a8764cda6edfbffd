import type { FastifyInstance } from 'fastify';
import type { Ingest } from '../../ingest/ingest.ts';
import { sendError } from '../errors.ts';
import { rateLimited, requestContext, sendStorageFailure } from './sensor.ts';

export const MAX_EVENTS_PER_REQUEST = 1000;

type EventResult =
  | { index: number; status: 'stored'; eventId: number; warnings: string[] }
  | { index: number; status: 'duplicate'; eventId: number }
  | { index: number; status: 'rejected'; error: { code: string; message: string; field: string } };

/**
 * The native JSON API: one event object or an array of up to 1,000, the same fields and validator
 * as the sensor, plus an optional `idempotencyKey` per event: an event whose key was stored before
 * is answered `duplicate` with the stored event's id, and is not stored again. All events of a request are committed before the answer, which carries one
 * result per event, in order. The request counts once against the project's rate limit.
 */
export function registerEventRoutes(app: FastifyInstance, ingest: Ingest): void {
  app.post('/api/v1/events', async (request, reply) => {
    const body = request.body;
    const list = Array.isArray(body) ? body : [body];
    if (body === undefined || body === null || typeof body !== 'object') {
      return sendError(reply, 400, 'invalid_body', 'Send a JSON object (one event) or an array of events');
    }
    if (list.length === 0) return sendError(reply, 400, 'invalid_body', 'The array of events is empty');
    if (list.length > MAX_EVENTS_PER_REQUEST) {
      return sendError(
        reply,
        413,
        'too_many_events',
        `At most ${MAX_EVENTS_PER_REQUEST} events per request; this one has ${list.length}`,
      );
    }
    const ctx = requestContext(request, '/api/v1/events');
    if (await rateLimited(ingest, request, reply, ctx)) return reply;
    const project = request.project;
    const settled = await Promise.allSettled(
      list.map((item) =>
        item && typeof item === 'object' && !Array.isArray(item)
          ? ingest.ingest(project, item as Record<string, unknown>, ctx)
          : Promise.resolve({
              status: 'rejected' as const,
              code: 'invalid_body' as const,
              field: '',
              message: 'Each event must be a JSON object',
            }),
      ),
    );
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) {
      // Events of this request that did commit stay stored; the client retries the whole request
      // and idempotency keys (SDK issue) make that safe. Until then, say plainly what happened.
      return sendStorageFailure(reply, failure.reason, () =>
        ingest.logOnly(project, ctx, 3, 'Storage refused an event'),
      );
    }
    const results: EventResult[] = settled.map((s, index) => {
      const outcome = (
        s as PromiseFulfilledResult<
          | Awaited<ReturnType<Ingest['ingest']>>
          | { status: 'rejected'; code: string; field: string; message: string }
        >
      ).value;
      if (outcome.status === 'stored' && outcome.written.duplicate) {
        return { index, status: 'duplicate', eventId: outcome.written.eventId };
      }
      return outcome.status === 'stored'
        ? { index, status: 'stored', eventId: outcome.written.eventId, warnings: outcome.warnings }
        : {
            index,
            status: 'rejected',
            error: { code: outcome.code, message: outcome.message, field: outcome.field },
          };
    });
    const stored = results.filter((r) => r.status === 'stored').length;
    const duplicates = results.filter((r) => r.status === 'duplicate').length;
    return reply
      .code(200)
      .send({ stored, duplicates, rejected: results.length - stored - duplicates, results });
  });
}
