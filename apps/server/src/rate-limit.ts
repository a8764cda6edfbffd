import { metrics } from './metrics.ts';

const rateLimited = metrics.counter(
  'vigil_rate_limited_requests_total',
  'Sensor API requests refused by the per-project rate limit.',
);

/**
 * Per-project sliding-window limit on sensor requests, as tirreno's: a request is allowed while
 * the project's requests in the last `window` seconds number fewer than rps × window. Counted in
 * memory per process in one-second buckets (tirreno counts logbook rows, a query per request);
 * with several `vigil start` processes each enforces the limit on its own share.
 * Rejected requests are not counted, as in tirreno.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { second: number; counts: number[] }>();

  /** Returns true when the request may proceed (and counts it). */
  allow(projectId: string, rps: number, windowSeconds: number, nowMs = Date.now()): boolean {
    if (rps <= 0 || windowSeconds <= 0) return true;
    const second = Math.floor(nowMs / 1000);
    let state = this.buckets.get(projectId);
    if (!state || state.counts.length !== windowSeconds) {
      state = { second, counts: new Array(windowSeconds).fill(0) };
      this.buckets.set(projectId, state);
    }
    const elapsed = second - state.second;
    if (elapsed > 0) {
      for (let s = 1; s <= Math.min(elapsed, windowSeconds); s++) {
        state.counts[(state.second + s) % windowSeconds] = 0;
      }
      state.second = second;
    }
    const total = state.counts.reduce((a, b) => a + b, 0);
    if (total >= rps * windowSeconds) {
      rateLimited.inc();
      return false;
    }
    state.counts[second % windowSeconds]! += 1;
    return true;
  }
}
