import type { Database, Executor } from '@vigil/db';
import type { ProjectEnricher, ProjectView } from './project-enricher.ts';

/**
 * Re-enrichment of stored entities: after new data files (`vigil data update`) or list changes,
 * recomputes the enrichment columns of existing ips, user_agents, domains, emails and phones
 * rows with the current enricher, in batches (one short transaction per batch, rows locked in id
 * order), writing only the rows whose facts changed. ISP and country counters follow an IP that
 * moves to another AS or country, so the per-ISP and per-country totals stay right.
 */

export const ENTITY_TABLES = ['ips', 'user_agents', 'domains', 'emails', 'phones'] as const;
export type EntityTable = (typeof ENTITY_TABLES)[number];

export interface ReenrichProgress {
  table: EntityTable;
  /** Rows checked so far in this table. */
  done: number;
  /** Rows in the table when the pass started (rows added meanwhile are enriched at ingest). */
  total: number;
  changed: number;
  finished: boolean;
}

export interface ReenrichOptions {
  /** Only this project's rows; every project when omitted. */
  projectId?: string | null;
  /** Rows per transaction (default 1000). */
  batchSize?: number;
  tables?: readonly EntityTable[];
  signal?: AbortSignal;
  onProgress?: (progress: ReenrichProgress) => void;
}

export type ReenrichResult = Record<EntityTable, { checked: number; changed: number }>;

/** tirreno's placeholder ISPs, as the ingest writer stores them: 0 local network, 64496 unknown. */
const LOCAL_ISP = { asn: 0, name: 'Local area network' };
const UNKNOWN_ISP = { asn: 64496, name: 'N/A' };
const MAX_ATTEMPTS = 5;

type Views = (projectId: string) => ProjectView;

interface Pass<R extends { id: number }> {
  /** Selects the next batch: $1 the last id done, $2 the project (or null), $3 the batch size. */
  select: string;
  /** Writes the changed rows of the batch; returns how many changed. */
  apply(tx: Executor, rows: R[], views: Views): Promise<number>;
}

export async function reenrich(
  db: Database,
  enricher: ProjectEnricher,
  options: ReenrichOptions = {},
): Promise<ReenrichResult> {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, 10_000));
  const projectId = options.projectId ?? null;
  const tables = options.tables ?? ENTITY_TABLES;
  const viewCache = new Map<string, ProjectView>();
  const views: Views = (p) => {
    let v = viewCache.get(p);
    if (!v) {
      v = enricher.forProject(p);
      viewCache.set(p, v);
    }
    return v;
  };
  const result = Object.fromEntries(
    ENTITY_TABLES.map((t) => [t, { checked: 0, changed: 0 }]),
  ) as ReenrichResult;
  for (const table of tables) {
    const pass = PASSES[table] as Pass<{ id: number }>;
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE ($1::uuid IS NULL OR project_id = $1::uuid)`,
      [projectId],
    );
    const total = rows[0]!.n;
    let cursor = 0;
    const r = result[table];
    for (;;) {
      options.signal?.throwIfAborted();
      const batch = await inTransaction(db, async (tx) => {
        const { rows: batchRows } = await tx.query<{ id: number }>(pass.select, [
          cursor,
          projectId,
          batchSize,
        ]);
        const changed = batchRows.length > 0 ? await pass.apply(tx, batchRows, views) : 0;
        return { size: batchRows.length, last: batchRows.at(-1)?.id ?? cursor, changed };
      });
      if (batch.size === 0) break;
      cursor = Number(batch.last);
      r.checked += batch.size;
      r.changed += batch.changed;
      options.onProgress?.({ table, done: r.checked, total, changed: r.changed, finished: false });
      if (batch.size < batchSize) break;
    }
    options.onProgress?.({ table, done: r.checked, total, changed: r.changed, finished: true });
  }
  return result;
}

/** One batch in one transaction; a deadlock with the ingest writer (it takes ISP rows first) is retried. */
async function inTransaction<T>(db: Database, fn: (tx: Executor) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code === '40P01' || code === '40001') && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

function batchSelect(table: EntityTable, columns: string): string {
  return `SELECT id, project_id, ${columns} FROM ${table}
           WHERE id > $1 AND ($2::uuid IS NULL OR project_id = $2::uuid)
           ORDER BY id LIMIT $3 FOR UPDATE`;
}

/**
 * `UPDATE table SET col = new … WHERE id = … AND some column IS DISTINCT FROM its new value`:
 * unchanged rows are not rewritten. Returns the ids of the rows that changed.
 */
async function updateChanged(
  tx: Executor,
  table: EntityTable,
  columns: readonly (readonly [name: string, type: string])[],
  ids: number[],
  values: unknown[][],
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const alias = columns.map((_, i) => `c${i}`);
  const sets = columns.map(([name], i) => `${name} = x.${alias[i]}`).join(', ');
  const unnest = [`$1::bigint[]`, ...columns.map(([, type], i) => `$${i + 2}::${type}[]`)].join(', ');
  const differs = columns.map(([name], i) => `${table}.${name} IS DISTINCT FROM x.${alias[i]}`).join(' OR ');
  const { rows } = await tx.query<{ id: number }>(
    `UPDATE ${table} SET ${sets}, enriched_at = now()
       FROM unnest(${unnest}) AS x(id, ${alias.join(', ')})
      WHERE ${table}.id = x.id AND (${differs})
      RETURNING ${table}.id`,
    [ids, ...values],
  );
  return new Set(rows.map((r) => Number(r.id)));
}

const json = (v: unknown) => JSON.stringify(v);

interface IpRow {
  id: number;
  project_id: string;
  ip: string;
  country: string | null;
  isp_id: number | null;
  asn: number | null;
  isp_name: string | null;
  event_count: number;
  first_seen: Date;
  last_seen: Date;
}

const ipPass: Pass<IpRow> = {
  select: `SELECT i.id, i.project_id, host(i.ip) AS ip, i.country, i.isp_id, s.asn, s.name AS isp_name,
                  i.event_count, i.first_seen, i.last_seen
             FROM ips i LEFT JOIN isps s ON s.id = i.isp_id
            WHERE i.id > $1 AND ($2::uuid IS NULL OR i.project_id = $2::uuid)
            ORDER BY i.id LIMIT $3 FOR UPDATE OF i`,
  async apply(tx, rows, views) {
    const items = rows.map((row) => {
      const f = views(row.project_id).ip(row.ip);
      const isp = f.local
        ? LOCAL_ISP
        : f.asn === null
          ? UNKNOWN_ISP
          : { asn: f.asn, name: f.asName ?? `AS${f.asn}` };
      return { row, f, isp, ispId: row.isp_id };
    });

    // ISPs the batch moves IPs to (or renames): upserted first, keyed and sorted like the writer's.
    const isps = new Map<string, { project: string; asn: number; name: string; first: Date; last: Date }>();
    for (const it of items) {
      if (it.isp.asn === Number(it.row.asn) && it.isp.name === it.row.isp_name && it.ispId !== null) continue;
      const k = `${it.row.project_id}\0${it.isp.asn}`;
      const cur = isps.get(k);
      if (!cur) {
        isps.set(k, {
          project: it.row.project_id,
          asn: it.isp.asn,
          name: it.isp.name,
          first: it.row.first_seen,
          last: it.row.last_seen,
        });
      } else {
        if (it.row.first_seen < cur.first) cur.first = it.row.first_seen;
        if (it.row.last_seen > cur.last) cur.last = it.row.last_seen;
      }
    }
    if (isps.size > 0) {
      const list = [...isps.entries()]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([, v]) => v);
      const { rows: ispRows } = await tx.query<{ id: number; project_id: string; asn: number }>(
        `INSERT INTO isps (project_id, asn, name, first_seen, last_seen, event_count)
         SELECT p, a, n, f, l, 0
           FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[], $5::timestamptz[]) AS t(p, a, n, f, l)
         ON CONFLICT (project_id, asn) DO UPDATE SET
           name = excluded.name,
           first_seen = LEAST(isps.first_seen, excluded.first_seen),
           last_seen = GREATEST(isps.last_seen, excluded.last_seen)
         RETURNING id, project_id, asn`,
        [
          list.map((i) => i.project),
          list.map((i) => i.asn),
          list.map((i) => i.name),
          list.map((i) => i.first.toISOString()),
          list.map((i) => i.last.toISOString()),
        ],
      );
      const idOf = new Map(ispRows.map((r) => [`${r.project_id}\0${Number(r.asn)}`, Number(r.id)]));
      for (const it of items) {
        const id = idOf.get(`${it.row.project_id}\0${it.isp.asn}`);
        if (id !== undefined) it.ispId = id;
      }
    }

    const changed = await updateChanged(
      tx,
      'ips',
      [
        ['country', 'char(2)'],
        ['isp_id', 'bigint'],
        ['network', 'cidr'],
        ['is_local', 'bool'],
        ['is_datacenter', 'bool'],
        ['is_tor', 'bool'],
        ['is_relay', 'bool'],
        ['is_starlink', 'bool'],
        ['is_vpn', 'bool'],
        ['enrichment', 'jsonb'],
      ],
      items.map((it) => Number(it.row.id)),
      [
        items.map((it) => it.f.country),
        items.map((it) => it.ispId),
        items.map((it) => it.f.network),
        items.map((it) => it.f.local),
        items.map((it) => it.f.datacenter),
        items.map((it) => it.f.tor),
        items.map((it) => it.f.relay),
        items.map((it) => it.f.starlink),
        items.map((it) => it.f.vpn),
        items.map((it) => json({ sources: it.f.sources, lists: it.f.lists })),
      ],
    );

    // Counters: an IP that moved takes its events from the old ISP / country to the new one.
    const ispDelta = new Map<number, number>();
    const countryDelta = new Map<
      string,
      { project: string; country: string; d: number; first: Date; last: Date }
    >();
    const addCountry = (project: string, country: string, d: number, row: IpRow) => {
      const k = `${project}\0${country}`;
      const cur = countryDelta.get(k);
      if (!cur) countryDelta.set(k, { project, country, d, first: row.first_seen, last: row.last_seen });
      else {
        cur.d += d;
        if (row.first_seen < cur.first) cur.first = row.first_seen;
        if (row.last_seen > cur.last) cur.last = row.last_seen;
      }
    };
    for (const it of items) {
      if (!changed.has(Number(it.row.id))) continue;
      const n = Number(it.row.event_count);
      if (n === 0) continue;
      if (it.ispId !== it.row.isp_id) {
        if (it.row.isp_id !== null) ispDelta.set(it.row.isp_id, (ispDelta.get(it.row.isp_id) ?? 0) - n);
        if (it.ispId !== null) ispDelta.set(it.ispId, (ispDelta.get(it.ispId) ?? 0) + n);
      }
      const before = it.row.country?.trim() || null;
      if (before !== it.f.country) {
        if (before !== null) addCountry(it.row.project_id, before, -n, it.row);
        if (it.f.country !== null) addCountry(it.row.project_id, it.f.country, n, it.row);
      }
    }
    const ispMoves = [...ispDelta.entries()].filter(([, d]) => d !== 0).sort((a, b) => a[0] - b[0]);
    if (ispMoves.length > 0) {
      await tx.query(
        `UPDATE isps SET event_count = GREATEST(0, isps.event_count + t.d)
           FROM unnest($1::bigint[], $2::bigint[]) AS t(id, d) WHERE isps.id = t.id`,
        [ispMoves.map(([id]) => id), ispMoves.map(([, d]) => d)],
      );
    }
    const moves = [...countryDelta.entries()]
      .filter(([, v]) => v.d !== 0)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, v]) => v);
    const gains = moves.filter((m) => m.d > 0);
    const losses = moves.filter((m) => m.d < 0);
    if (gains.length > 0) {
      await tx.query(
        `INSERT INTO project_countries (project_id, country, first_seen, last_seen, event_count)
         SELECT * FROM unnest($1::uuid[], $2::char(2)[], $3::timestamptz[], $4::timestamptz[], $5::bigint[])
         ON CONFLICT (project_id, country) DO UPDATE SET
           event_count = project_countries.event_count + excluded.event_count,
           first_seen = LEAST(project_countries.first_seen, excluded.first_seen),
           last_seen = GREATEST(project_countries.last_seen, excluded.last_seen)`,
        [
          gains.map((m) => m.project),
          gains.map((m) => m.country),
          gains.map((m) => m.first.toISOString()),
          gains.map((m) => m.last.toISOString()),
          gains.map((m) => m.d),
        ],
      );
    }
    if (losses.length > 0) {
      await tx.query(
        `UPDATE project_countries pc SET event_count = GREATEST(0, pc.event_count + t.d)
           FROM unnest($1::uuid[], $2::char(2)[], $3::bigint[]) AS t(p, c, d)
          WHERE pc.project_id = t.p AND pc.country = t.c`,
        [losses.map((m) => m.project), losses.map((m) => m.country), losses.map((m) => m.d)],
      );
    }
    return changed.size;
  },
};

interface UaRow {
  id: number;
  project_id: string;
  ua: string | null;
}

const userAgentPass: Pass<UaRow> = {
  select: batchSelect('user_agents', 'ua'),
  async apply(tx, rows, views) {
    const facts = rows.map((r) => (r.ua === null ? null : views(r.project_id).userAgent(r.ua)));
    const changed = await updateChanged(
      tx,
      'user_agents',
      [
        ['device_type', 'text'],
        ['brand', 'text'],
        ['model', 'text'],
        ['os_name', 'text'],
        ['os_version', 'text'],
        ['browser_name', 'text'],
        ['browser_version', 'text'],
        ['is_bot', 'bool'],
        ['bot_name', 'text'],
        ['is_ai_bot', 'bool'],
        ['enrichment', 'jsonb'],
      ],
      rows.map((r) => Number(r.id)),
      [
        facts.map((f) => f?.deviceType ?? null),
        facts.map((f) => f?.brand ?? null),
        facts.map((f) => f?.model ?? null),
        facts.map((f) => f?.osName ?? null),
        facts.map((f) => f?.osVersion ?? null),
        facts.map((f) => f?.browserName ?? null),
        facts.map((f) => f?.browserVersion ?? null),
        facts.map((f) => (f ? f.isBot : null)),
        facts.map((f) => f?.botName ?? null),
        facts.map((f) => (f ? f.isAiBot : null)),
        facts.map((f) => json({ lists: f?.lists ?? [] })),
      ],
    );
    return changed.size;
  },
};

interface DomainRow {
  id: number;
  project_id: string;
  domain: string;
  has_mx: boolean | null;
}

const domainPass: Pass<DomainRow> = {
  select: batchSelect('domains', 'domain, has_mx'),
  async apply(tx, rows, views) {
    // Domain facts come from the e-mail path, as at ingest (the row was written from an address).
    const items = rows
      .map((r) => ({ r, d: views(r.project_id).email(`x@${r.domain}`)?.domain ?? null }))
      .filter(
        (x): x is { r: DomainRow; d: NonNullable<typeof x.d> } => x.d !== null && x.d.domain === x.r.domain,
      );
    const changed = await updateChanged(
      tx,
      'domains',
      [
        ['registrable', 'text'],
        ['public_suffix', 'text'],
        ['is_free', 'bool'],
        ['is_disposable', 'bool'],
        ['has_mx', 'bool'],
        ['enrichment', 'jsonb'],
      ],
      items.map((x) => Number(x.r.id)),
      [
        items.map((x) => x.d.registrable),
        items.map((x) => x.d.publicSuffix),
        items.map((x) => x.d.freeProvider),
        items.map((x) => x.d.disposable),
        items.map((x) => x.d.hasMx ?? x.r.has_mx),
        items.map((x) => json({ lists: x.d.lists })),
      ],
    );
    return changed.size;
  },
};

interface EmailRow {
  id: number;
  project_id: string;
  email: string;
}

const emailPass: Pass<EmailRow> = {
  select: batchSelect('emails', 'email'),
  async apply(tx, rows, views) {
    const facts = rows.map((r) => views(r.project_id).email(r.email)?.email ?? null);
    const changed = await updateChanged(
      tx,
      'emails',
      [
        ['is_valid', 'bool'],
        ['enrichment', 'jsonb'],
      ],
      rows.map((r) => Number(r.id)),
      [facts.map((f) => (f ? f.valid : null)), facts.map((f) => json(f ?? {}))],
    );
    return changed.size;
  },
};

interface PhoneRow {
  id: number;
  project_id: string;
  phone: string;
  country: string | null;
}

const phonePass: Pass<PhoneRow> = {
  select: batchSelect('phones', 'phone, country'),
  async apply(tx, rows, views) {
    // At ingest a number without a prefix is read in the country of the event's IP; that country
    // is the one stored, so reading it there again gives the same number.
    const facts = rows.map((r) => views(r.project_id).phone(r.phone, r.country?.trim() || null));
    const changed = await updateChanged(
      tx,
      'phones',
      [
        ['e164', 'text'],
        ['country', 'char(2)'],
        ['line_type', 'text'],
        ['is_valid', 'bool'],
        ['enrichment', 'jsonb'],
      ],
      rows.map((r) => Number(r.id)),
      [
        facts.map((f) => f?.e164 ?? null),
        facts.map((f) => f?.country ?? null),
        facts.map((f) => f?.lineType ?? null),
        facts.map((f) => (f ? f.valid : null)),
        facts.map((f) => json({ lists: f?.lists ?? [] })),
      ],
    );
    return changed.size;
  },
};

const PASSES: { [T in EntityTable]: Pass<never> } = {
  ips: ipPass as Pass<never>,
  user_agents: userAgentPass as Pass<never>,
  domains: domainPass as Pass<never>,
  emails: emailPass as Pass<never>,
  phones: phonePass as Pass<never>,
};
