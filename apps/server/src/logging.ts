import type { FastifyServerOptions } from 'fastify';

/** Query parameters whose values never reach the log. */
const SECRET_PARAMS = /^(api[_-]?key|key|token|access_token|password|secret|session)$/i;

const CENSOR = '[redacted]';

/**
 * Structured JSON logs (pino, one object a line) with the request id on every request line.
 * Secrets never reach them: the headers that carry credentials are censored wherever a logged
 * object holds them, and so is any `api_key`/`apiKey`/`password` field; request lines carry the
 * URL with secret query values masked, never the headers or the body.
 */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  if (level === 'silent') return false;
  return {
    level,
    redact: {
      paths: [
        'req.headers["api-key"]',
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        'headers["api-key"]',
        'headers.authorization',
        'headers.cookie',
        'api_key',
        'apiKey',
        'password',
        '*.api_key',
        '*.apiKey',
        '*.password',
        '*.*.api_key',
        '*.*.apiKey',
      ],
      censor: CENSOR,
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; id?: string }) => ({
        method: req.method,
        url: maskUrl(req.url),
        remoteAddress: req.ip,
      }),
    },
  };
}

export function maskUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeSafe(eq < 0 ? pair : pair.slice(0, eq));
      return eq >= 0 && SECRET_PARAMS.test(name) ? `${pair.slice(0, eq)}=${CENSOR}` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
