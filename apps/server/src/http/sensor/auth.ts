import type { FastifyReply, FastifyRequest } from 'fastify';
import { isUnavailable } from '../../ingest/writer.ts';
import type { ApiKeyCache, Project } from '../../projects.ts';
import { sendError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    project: Project;
  }
}

/**
 * Api-Key header authentication for the public context. A key in the body never authenticates
 * (tirreno's raw cURL example sends one; it must be refused, not trusted).
 */
export function apiKeyAuth(keys: ApiKeyCache) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers['api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key) {
      return sendError(reply, 401, 'missing_api_key', 'The Api-Key header is not set', 'Api-Key');
    }
    let project: Project | null;
    try {
      project = await keys.lookup(key);
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      reply.header('Retry-After', '5');
      return sendError(reply, 503, 'unavailable', 'The database is unavailable; retry later');
    }
    if (!project) {
      return sendError(
        reply,
        401,
        'invalid_api_key',
        'The API key from the Api-Key header is not known',
        'Api-Key',
      );
    }
    request.project = project;
  };
}
