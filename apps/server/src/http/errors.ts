import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '../input-error.ts';

/**
 * The closed set of error codes the HTTP API answers with. Every error body has the shape
 * {error: {code, message, field?, requestId}}, plus code-specific details (invalid_rule: errors);
 * a 5xx never echoes internals.
 */
export type ErrorCode =
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'missing_field'
  | 'invalid_body'
  | 'invalid_parameter'
  | 'invalid_list'
  | 'invalid_rule'
  | 'no_draft'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'too_many_events'
  | 'rate_limited'
  | 'not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf_failed'
  | 'invalid_credentials'
  | 'conflict'
  | 'unprocessable_event'
  | 'unavailable'
  | 'internal';

export function sendError(
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  message: string,
  field?: string,
  details?: Record<string, unknown>,
): FastifyReply {
  return reply
    .code(status)
    .type('application/json')
    .send({ error: { code, message, ...(field ? { field } : {}), ...details, requestId: reply.request.id } });
}

/** Maps framework errors (bad JSON, body too large, unknown content type…) onto the closed set. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`),
  );
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof InputError) {
    return sendError(
      reply,
      error.status,
      error.status === 409 ? 'conflict' : 'invalid_parameter',
      error.message,
      error.field,
    );
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return sendError(reply, 413, 'payload_too_large', 'The request body is too large');
  if (status === 415) return sendError(reply, 415, 'unsupported_media_type', error.message);
  if (error.validation) {
    // Name the field at fault: "/email" → "email"; a missing property is named by ajv's params.
    const first = error.validation[0];
    const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const field = missing ?? first?.instancePath?.replace(/^\//, '').replaceAll('/', '.');
    return sendError(reply, 400, 'invalid_parameter', error.message, field || undefined);
  }
  if (status >= 400 && status < 500) return sendError(reply, status, 'invalid_body', error.message);
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 500, 'internal', 'Internal error');
}
