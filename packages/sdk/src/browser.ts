// @vigil/sdk for browsers (bundled into dist/vigil.browser.js, no Node API): the page's URL, title,
// referrer, user agent and language fill every event, and the queue is flushed with keepalive
// requests when the page is hidden or unloaded.
import { VigilClient } from './client.ts';
import type { VigilEvent, VigilOptions } from './types.ts';

export { newIdempotencyKey, parseRetryAfter, VigilError } from './client.ts';
export type * from './types.ts';

export class Vigil extends VigilClient {
  constructor(options: VigilOptions) {
    super(options);
    if (typeof document !== 'undefined') {
      const hide = () => void this._exit(true);
      addEventListener('pagehide', hide);
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'hidden') hide();
      });
    }
  }

  protected override context(): Partial<VigilEvent> {
    // The server needs an address; the page cannot know its public one (pass it in `defaults`
    // when the page is rendered). An empty one is stored as 0.0.0.0 with a warning.
    const c: Partial<VigilEvent> = { ipAddress: '', httpMethod: 'GET' };
    if (typeof location !== 'undefined') c.url = location.pathname + location.search;
    if (typeof document !== 'undefined') {
      c.pageTitle = document.title;
      c.httpReferer = document.referrer;
    }
    if (typeof navigator !== 'undefined') {
      c.userAgent = navigator.userAgent;
      c.browserLanguage = (navigator.languages ?? [navigator.language]).join(',');
    }
    return c;
  }
}
