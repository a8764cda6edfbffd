import type {
  DomainFacts,
  EmailFacts,
  EventEnrichment,
  IpFacts,
  ListMatch,
  PhoneFacts,
  UserAgentFacts,
} from '@vigil/core';
import { type EnrichInput, ListIndex, type OfflineEnricher } from '@vigil/enrich';

/** Which project each list belongs to: list id → project id. */
export type ListOwners = ReadonlyMap<string, string>;

/** The enricher's answers restricted to one project's operator lists. */
export interface ProjectView {
  enrich(event: EnrichInput, options?: { phoneCountry?: string | null }): EventEnrichment;
  ip(address: string): IpFacts;
  userAgent(ua: string | null): UserAgentFacts | null;
  email(address: string | null): { email: EmailFacts; domain: DomainFacts | null } | null;
  phone(phone: string | null, defaultCountry?: string | null): PhoneFacts | null;
}

/**
 * The server's enricher. One in-memory list index holds the lists of every project (one lookup,
 * one cache); each answer keeps only the matches of the lists owned by the project asked for:
 * `enrich(event, { projectId })` or `forProject(id)`. Without a project no list matches (fails
 * closed).
 */
export interface ProjectEnricher extends OfflineEnricher {
  enrich(
    event: EnrichInput,
    options?: { phoneCountry?: string | null; projectId?: string | undefined },
  ): EventEnrichment;
  forProject(projectId: string): ProjectView;
  /** Replaces the lists and their owners at once. Lists without an owner never match. */
  swapLists(lists: ListIndex, owners?: ListOwners): void;
  readonly owners: ListOwners;
  /** The unscoped enricher underneath (its answers carry every project's matches). */
  readonly inner: OfflineEnricher;
}

function keep<T extends { lists: ListMatch[] }>(
  facts: T,
  owners: ListOwners,
  projectId: string | undefined,
): T {
  const lists = facts.lists;
  if (lists.length === 0) return facts;
  const kept = projectId === undefined ? [] : lists.filter((m) => owners.get(m.listId) === projectId);
  if (kept.length === lists.length) return facts;
  return Object.freeze({ ...facts, lists: Object.freeze(kept) as ListMatch[] });
}

function keepMaybe<T extends { lists: ListMatch[] }>(
  facts: T | null,
  owners: ListOwners,
  projectId: string | undefined,
): T | null {
  return facts === null ? null : keep(facts, owners, projectId);
}

export function createProjectEnricher(inner: OfflineEnricher): ProjectEnricher {
  let owners: ListOwners = new Map();

  const enrichFor = (
    p: string | undefined,
    event: EnrichInput,
    options?: { phoneCountry?: string | null },
  ): EventEnrichment => {
    const e = inner.enrich(
      event,
      options?.phoneCountry !== undefined ? { phoneCountry: options.phoneCountry } : undefined,
    );
    const o = owners;
    return {
      ip: keep(e.ip, o, p),
      userAgent: keepMaybe(e.userAgent, o, p),
      email: keepMaybe(e.email, o, p),
      domain: keepMaybe(e.domain, o, p),
      phone: keepMaybe(e.phone, o, p),
    };
  };

  const view = (projectId: () => string | undefined): ProjectView => ({
    enrich: (event, options) => enrichFor(projectId(), event, options),
    ip: (address) => keep(inner.ip(address), owners, projectId()),
    userAgent: (ua) => keepMaybe(inner.userAgent(ua), owners, projectId()),
    email(address) {
      const pair = inner.email(address);
      if (pair === null) return null;
      const p = projectId();
      return { email: keep(pair.email, owners, p), domain: keepMaybe(pair.domain, owners, p) };
    },
    phone: (phone, country) => keepMaybe(inner.phone(phone, country), owners, projectId()),
  });

  const scoped = view(() => undefined);
  return {
    enrich: (event, options) => enrichFor(options?.projectId, event, options),
    ip: scoped.ip,
    userAgent: scoped.userAgent,
    email: scoped.email,
    phone: scoped.phone,
    forProject: (projectId) => view(() => projectId),
    swapData: (data) => inner.swapData(data),
    swapLists(lists, nextOwners = new Map()) {
      // Both parts change in one synchronous step: no answer sees the new index with old owners.
      owners = nextOwners;
      inner.swapLists(lists);
    },
    get owners() {
      return owners;
    },
    get data() {
      return inner.data;
    },
    get lists() {
      return inner.lists;
    },
    stats: () => inner.stats(),
    inner,
  };
}

/** Builds the index and the owners map from entries that carry their project. */
export function projectListIndex(
  entries: readonly (ConstructorParameters<typeof ListIndex>[0][number] & { projectId: string })[],
): { index: ListIndex; owners: Map<string, string> } {
  const owners = new Map<string, string>();
  for (const e of entries) owners.set(e.listId, e.projectId);
  return { index: entries.length === 0 ? ListIndex.EMPTY : new ListIndex(entries), owners };
}
