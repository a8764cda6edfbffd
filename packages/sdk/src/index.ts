// @vigil/sdk for Node 18+: the client, plus a flush when the process runs out of work (beforeExit).
// process.exit() and signals skip beforeExit: await vigil.close() in your shutdown handler.
import { VigilClient } from './client.ts';
import type { VigilOptions } from './types.ts';

export { newIdempotencyKey, parseRetryAfter, VigilError } from './client.ts';
export type * from './types.ts';

const live = new Set<Vigil>();
const gaveUp = new WeakSet<Vigil>();
let hooked = false;

function onBeforeExit(): void {
  for (const client of live) {
    if (gaveUp.has(client) || client.stats().queued === 0) continue;
    // The flush's own I/O keeps the process alive; when it ends, beforeExit fires again. A client
    // whose exit flush failed is not retried, or a dead server would keep the process forever.
    void client._exit(false).then(() => {
      if (client.stats().queued > 0) {
        gaveUp.add(client);
        client._abandon();
      }
    });
  }
}

export class Vigil extends VigilClient {
  constructor(options: VigilOptions) {
    super(options);
    live.add(this);
    if (!hooked && typeof process !== 'undefined' && typeof process.on === 'function') {
      process.on('beforeExit', onBeforeExit);
      hooked = true;
    }
  }

  override async close(timeoutMs?: number): Promise<void> {
    live.delete(this);
    await super.close(timeoutMs);
  }
}
