import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.ts';

/** The built dashboard (apps/dashboard/dist), from src/http or dist/http alike. */
export const DASHBOARD_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'dashboard',
  'dist',
);

/**
 * Nothing but our own files may run or load: event data is attacker-controlled, so even if some
 * markup slipped through escaping, an injected script or a beacon to another host is refused.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_PAGES = /^\/(api|sensor|metrics|healthz|readyz|assets)(\/|$)/;

/** Serves the dashboard at / (pre-compressed assets when the browser accepts them). */
export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<void> {
  app.addHook('onSend', async (request, reply) => {
    if (NOT_PAGES.test(request.url)) return;
    reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
  });
  const built = existsSync(join(dir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: false,
      index: false,
      preCompressed: true,
      setHeaders(reply, path) {
        // Vite names assets by content hash: they never change, the page itself always may.
        reply.header(
          'Cache-Control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }
  // Client-side routes (/users/alice…) all load the same page.
  const page = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    if (NOT_PAGES.test(request.url)) {
      return sendError(reply, 404, 'not_found', `No route for GET ${request.url.split('?')[0]}`);
    }
    if (!built) {
      return reply
        .code(503)
        .type('text/plain')
        .send('The dashboard is not built: run `npm run build` (npm start does it).\n');
    }
    reply.header('Cache-Control', 'no-cache');
    return reply.sendFile('index.html');
  };
  app.get('/', page);
  app.get('/*', page);
}
