// Fastify plugin. No dependency on fastify: the instance, request and reply are typed by what is used.
//   await app.register(vigilFastify, { client: vigil, trustProxy: 'loopback' });
// For a typed `request.vigil`, add to your app:
//   declare module 'fastify' { interface FastifyRequest { vigil: import('@vigil/sdk/fastify').RequestTracker } }
import type { VigilClient } from './client.ts';
import { type MiddlewareOptions, prepareOptions, type RequestTracker, trackerFor } from './middleware.ts';

export type { MiddlewareOptions, TrustProxy, UserDetails } from './middleware.ts';
export { RequestTracker } from './middleware.ts';

export interface FastifyLikeRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  raw: { socket?: { remoteAddress?: string } | null };
  vigil?: RequestTracker | null;
}

export interface FastifyLikeReply {
  statusCode: number;
}

type Hook = (request: FastifyLikeRequest, reply: FastifyLikeReply, done: () => void) => void;

export interface FastifyLikeInstance {
  addHook(name: 'onRequest' | 'onResponse', hook: Hook): unknown;
  decorateRequest?(name: string, value: unknown): unknown;
  hasRequestDecorator?(name: string): boolean;
}

export interface VigilFastifyOptions<Req = FastifyLikeRequest> extends MiddlewareOptions<Req> {
  client: Pick<VigilClient, 'track' | 'decide'>;
}

/** The plugin: `request.vigil` on every request, its event tracked once the response is sent. */
export function vigilFastify(
  instance: FastifyLikeInstance,
  options: VigilFastifyOptions,
  done: (error?: Error) => void,
): void {
  const { trusted } = prepareOptions(options);
  if (instance.decorateRequest && !instance.hasRequestDecorator?.('vigil')) {
    instance.decorateRequest('vigil', null);
  }
  instance.addHook('onRequest', (request, _reply, next) => {
    try {
      if (!options.skip?.(request)) {
        request.vigil = trackerFor(
          options.client,
          options,
          trusted,
          request,
          {
            method: request.method,
            headers: request.headers,
            socket: request.raw.socket ?? null,
          },
          request.url,
        );
      }
    } catch {
      // Tracking must never break the request.
    }
    next();
  });
  instance.addHook('onResponse', (request, reply, next) => {
    try {
      request.vigil?._finish(reply.statusCode);
    } catch {
      // idem
    }
    next();
  });
  done();
}

// Like fastify-plugin: the hooks apply to the whole application, not only to an encapsulated child.
Object.assign(vigilFastify, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@vigil/sdk/fastify',
});

export default vigilFastify;
