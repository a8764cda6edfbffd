/**
 * Optional MX checks for e-mail domains (rule E14 "No MX record"). Off by default: a DNS lookup
 * is network I/O, so it never runs at ingest. A background job may call `check` and store the
 * answer as DomainFacts.hasMx. Answers are cached; failures and timeouts answer null (unknown).
 */
import { Resolver } from 'node:dns/promises';
import { GenerationalCache } from './cache.ts';
import { validHostname } from './email.ts';

export interface MxCheckerOptions {
  /** The configuration switch; when false `check` answers null without any lookup. */
  enabled: boolean;
  timeoutMs?: number;
  /** How long an answer is kept (ms). */
  ttlMs?: number;
  cacheSize?: number;
  /** DNS servers to ask (the system's when omitted). */
  servers?: string[];
  /** Replaces the DNS lookup (tests). */
  resolveMx?: (domain: string) => Promise<{ exchange: string; priority: number }[]>;
}

export interface MxChecker {
  readonly enabled: boolean;
  /** true: the domain has a usable MX record; false: it has none (or a null MX); null: unknown. */
  check(domain: string): Promise<boolean | null>;
}

const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

export function createMxChecker(options: MxCheckerOptions): MxChecker {
  if (!options.enabled) return { enabled: false, check: async () => null };
  const timeoutMs = options.timeoutMs ?? 3000;
  const ttlMs = options.ttlMs ?? 6 * 3600_000;
  const cache = new GenerationalCache<{ value: boolean; at: number }>(options.cacheSize ?? 10_000);
  let resolve = options.resolveMx;
  if (!resolve) {
    const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
    if (options.servers?.length) resolver.setServers(options.servers);
    resolve = (d) => resolver.resolveMx(d);
  }
  const lookup = resolve;
  return {
    enabled: true,
    async check(raw) {
      const domain = typeof raw === 'string' ? raw.trim().toLowerCase().replace(/\.$/, '') : '';
      if (!validHostname(domain)) return null;
      const hit = cache.get(domain);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      let timer: NodeJS.Timeout | undefined;
      try {
        const records = await Promise.race([
          lookup(domain),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })),
              timeoutMs,
            );
          }),
        ]);
        // RFC 7505 null MX: a single record with exchange "." means "accepts no mail".
        const value = records.some((r) => r.exchange !== '' && r.exchange !== '.');
        cache.set(domain, { value, at: Date.now() });
        return value;
      } catch (err) {
        const code = (err as { code?: string })?.code;
        if (code && NO_DATA.has(code)) {
          cache.set(domain, { value: false, at: Date.now() });
          return false;
        }
        return null;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
