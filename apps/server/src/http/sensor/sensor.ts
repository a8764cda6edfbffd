import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Ingest, RequestContext } from '../../ingest/ingest.ts';
import { StorageRejectedError, StorageUnavailableError } from '../../ingest/writer.ts';
import { sendError } from '../errors.ts';
import { fieldsOf } from './body.ts';

export const SENSOR_PATHS = ['/sensor/', '/sensor', '/sensor/index.php'];

export function requestContext(request: FastifyRequest, endpoint: string): RequestContext {
  const traceId = request.headers['x-request-id'];
  return {
    endpoint,
    started: new Date(),
    callerIp: request.ip,
    requestId: (Array.isArray(traceId) ? traceId[0] : traceId) ?? null,
  };
}

/** Answers a storage failure: 503 + Retry-After when the database is away, 422 when it refused the event. */
export async function sendStorageFailure(
  reply: FastifyReply,
  error: unknown,
  onRejected: () => Promise<void>,
): Promise<FastifyReply> {
  if (error instanceof StorageUnavailableError) {
    reply.header('Retry-After', '5');
    return sendError(
      reply,
      503,
      'unavailable',
      'The database is unavailable; the event was not stored, retry later',
    );
  }
  if (error instanceof StorageRejectedError) {
    await onRejected().catch(() => {});
    return sendError(reply, 422, 'unprocessable_event', 'The event could not be stored');
  }
  throw error;
}

/** Rate limit check shared by the public endpoints; answers 429 and logs it when over the limit. */
export async function rateLimited(
  ingest: Ingest,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: RequestContext,
): Promise<boolean> {
  const p = request.project;
  if (ingest.rateLimiter.allow(p.id, p.rateLimitRps, p.rateLimitWindow)) return false;
  await ingest.logOnly(p, ctx, 4, 'Rate limit').catch(() => {});
  reply.header('Retry-After', '1');
  sendError(
    reply,
    429,
    'rate_limited',
    `Rate limit exceeded: ${p.rateLimitRps} requests/s over ${p.rateLimitWindow} s`,
  );
  return true;
}

/** tirreno's sensor: 204 once the event is committed; `blacklisting=true` answers 200 with the IP's state. */
export function registerSensorRoutes(app: FastifyInstance, ingest: Ingest): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = requestContext(request, '/sensor/');
    if (await rateLimited(ingest, request, reply, ctx)) return reply;
    let outcome: Awaited<ReturnType<Ingest['ingest']>>;
    try {
      outcome = await ingest.ingest(request.project, fieldsOf(request.body), ctx);
    } catch (error) {
      return sendStorageFailure(reply, error, () =>
        ingest.logOnly(request.project, ctx, 3, 'Storage refused the event'),
      );
    }
    if (outcome.status === 'rejected') {
      return sendError(reply, 400, outcome.code, `${outcome.message}: ${outcome.field}`, outcome.field);
    }
    if (outcome.event.blacklisting) {
      return reply
        .code(200)
        .send({ value: outcome.event.ipAddress, blacklisted: outcome.written.ipBlacklisted });
    }
    return reply.code(204).send();
  };
  for (const url of SENSOR_PATHS) app.post(url, handler);
}
