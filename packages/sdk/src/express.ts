// Express (and any connect-style stack: plain node:http too) middleware. No dependency on express:
// the request and response are typed by what is used.
import type { VigilClient } from './client.ts';
import { type MiddlewareOptions, prepareOptions, type RequestTracker, trackerFor } from './middleware.ts';

export type { MiddlewareOptions, TrustProxy, UserDetails } from './middleware.ts';
export { RequestTracker } from './middleware.ts';

export interface ExpressLikeRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string } | null;
  vigil?: RequestTracker;
}

export interface ExpressLikeResponse {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

declare global {
  // Express users get a typed `req.vigil` (merged into Express.Request when express is installed).
  namespace Express {
    interface Request {
      vigil: RequestTracker;
    }
  }
}

/**
 * `app.use(vigilExpress(vigil, options))`: every request gets `req.vigil`; its event is tracked when
 * the response has been sent, with the status code.
 */
export function vigilExpress<Req extends ExpressLikeRequest = ExpressLikeRequest>(
  client: Pick<VigilClient, 'track' | 'decide'>,
  options: MiddlewareOptions<Req> = {},
): (req: Req, res: ExpressLikeResponse, next: (error?: unknown) => void) => void {
  const { trusted } = prepareOptions(options);
  return (req, res, next) => {
    try {
      if (options.skip?.(req)) return next();
      const tracker = trackerFor(client, options, trusted, req, req, req.originalUrl ?? req.url ?? '/');
      req.vigil = tracker;
      const done = () => tracker._finish(res.statusCode);
      res.once('finish', done);
      res.once('close', done);
    } catch {
      // Tracking must never break the request.
    }
    next();
  };
}

export default vigilExpress;
