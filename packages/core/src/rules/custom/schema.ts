// The feature schema of custom rules: the CEL variables a rule sees, their types and what they
// mean. One definition serves three purposes: it declares the types to the CEL type checker, it
// builds the activation (the variables' values) from UserFeatures, and it documents both
// (docs/custom-rules.md is generated from it and the editor reads it). A field cannot be
// documented without being built, nor built without being type-checked.
//
// Representation choices (documented for rule authors in docs/custom-rules.md):
// - Instants are CEL `timestamp`s; for the common comparisons each object also carries derived
//   whole-unit ages (`ageDays`, `ageMinutes`, …: floor of the elapsed time, measured from `now`,
//   the scoring time carried by the features, never the wall clock).
// - Counts and ids are CEL `int`. Nothing is `double`.
// - A fact that is unknown (null in UserFeatures) is ABSENT from its object: reading it is an
//   evaluation error of kind "no such key", which the evaluator turns into `not_applicable`.
//   `has(obj.field)` tells whether a fact is known. CEL has no nullable scalars, so `x == null`
//   does not type-check and is never needed.
// - `lastEmail` / `lastPhone` are never null: a user without one gets an object with no field
//   present (`has(lastEmail.email)` is false and reading any field is not_applicable).

import type {
  DeviceFeature,
  EmailFeature,
  EventFeature,
  IpFeature,
  PhoneFeature,
  SessionFeature,
  UserFeatures,
} from '../features.ts';
import { localClock } from '../helpers/ab.ts';

/** A scalar CEL type of a field. */
export type CelScalarType = 'string' | 'int' | 'bool' | 'timestamp' | 'list<string>';

/** The CEL types a variable or field can have in this schema. */
export type CelTypeName = CelScalarType | `vigil.${string}` | `list<vigil.${string}>`;

export interface CelFieldDoc {
  name: string;
  type: CelScalarType;
  /** True when the fact may be unknown (absent from the object, see `has()`). */
  nullable: boolean;
  description: string;
}

export interface CelTypeDoc {
  /** The CEL type name, e.g. `vigil.Ip`. */
  name: string;
  description: string;
  fields: readonly CelFieldDoc[];
}

export interface CelVariableDoc {
  name: string;
  type: CelTypeName;
  description: string;
}

export interface CelSchema {
  variables: readonly CelVariableDoc[];
  types: readonly CelTypeDoc[];
}

// ---------------------------------------------------------------------------------------------
// Field definitions: type, nullability, description and how the value is read.

type JsOf<T extends CelScalarType> = T extends 'string'
  ? string
  : T extends 'int'
    ? number
    : T extends 'bool'
      ? boolean
      : T extends 'timestamp'
        ? Date
        : readonly string[];

/** What a field reader may use besides its source object. */
export interface BuildContext {
  features: UserFeatures;
  now: Date;
  ipsById: ReadonlyMap<number, IpFeature>;
}

type FieldOf<S, T extends CelScalarType> = {
  type: T;
  description: string;
  /** Non-nullable readers return a value; nullable readers may return null (absent in CEL). */
  get(source: S, ctx: BuildContext): JsOf<T> | null;
  nullable?: boolean;
};

type Field<S> = { [T in CelScalarType]: FieldOf<S, T> }[CelScalarType];

interface ObjectTypeDef<S> {
  name: `vigil.${string}`;
  description: string;
  fields: Record<string, Field<S>>;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const wholeMinutes = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / MINUTE_MS);
const wholeDays = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / DAY_MS);
function localHour(time: Date, timeZone: string): number | null {
  try {
    return Math.floor(localClock(time, timeZone).seconds / 3600);
  } catch {
    return null; // an invalid timezone: the hour is unknown
  }
}

// Shorthands; `n` marks a nullable field.
const str = <S>(description: string, get: (s: S, c: BuildContext) => string): Field<S> => ({
  type: 'string',
  description,
  get,
});
const nstr = <S>(description: string, get: (s: S, c: BuildContext) => string | null): Field<S> => ({
  type: 'string',
  description,
  get,
  nullable: true,
});
const int = <S>(description: string, get: (s: S, c: BuildContext) => number): Field<S> => ({
  type: 'int',
  description,
  get,
});
const nint = <S>(description: string, get: (s: S, c: BuildContext) => number | null): Field<S> => ({
  type: 'int',
  description,
  get,
  nullable: true,
});
const bool = <S>(description: string, get: (s: S, c: BuildContext) => boolean): Field<S> => ({
  type: 'bool',
  description,
  get,
});
const nbool = <S>(description: string, get: (s: S, c: BuildContext) => boolean | null): Field<S> => ({
  type: 'bool',
  description,
  get,
  nullable: true,
});
const time = <S>(description: string, get: (s: S, c: BuildContext) => Date): Field<S> => ({
  type: 'timestamp',
  description,
  get,
});
const ntime = <S>(description: string, get: (s: S, c: BuildContext) => Date | null): Field<S> => ({
  type: 'timestamp',
  description,
  get,
  nullable: true,
});
const labels = <S>(description: string, get: (s: S) => readonly { label: string }[]): Field<S> => ({
  type: 'list<string>',
  description,
  get: (s) => get(s).map((m) => m.label),
});

const USER: ObjectTypeDef<UserFeatures> = {
  name: 'vigil.User',
  description: 'The monitored user (variable `user`).',
  fields: {
    userName: str('The user id sent by the application.', (f) => f.userName),
    firstName: nstr('First name as sent.', (f) => f.firstName),
    lastName: nstr('Last name as sent.', (f) => f.lastName),
    fullName: nstr('Full name as sent.', (f) => f.fullName),
    created: ntime(
      'Account creation as reported by the application, else the first event.',
      (f) => f.created,
    ),
    firstSeen: time('First event of the user.', (f) => f.firstSeen),
    lastSeen: time('Latest event of the user.', (f) => f.lastSeen),
    ageDays: int('Whole days from account creation (else the first event) to `now`.', (f, c) =>
      wholeDays(f.created ?? f.firstSeen, c.now),
    ),
    daysSinceLastSeen: int('Whole days from the latest event to `now`.', (f, c) =>
      wholeDays(f.lastSeen, c.now),
    ),
    daysSincePreviousEvent: nint(
      'Whole days between the latest recent event and the one before it (dormancy); unknown with fewer than two recent events.',
      (f) => {
        const [latest, previous] = f.events;
        return latest && previous ? wholeDays(previous.time, latest.time) : null;
      },
    ),
    eventCount: int('Lifetime number of events.', (f) => f.eventCount),
    timezone: str("The project's IANA timezone (`vigil.Event.localHour` is in it).", (f) => f.timezone),
  },
};

const EVENT: ObjectTypeDef<EventFeature> = {
  name: 'vigil.Event',
  description: 'One of the latest events (list `events`, newest first, at most 25).',
  fields: {
    id: int('Event id (for evidence).', (e) => e.id),
    time: time('When the event happened.', (e) => e.time),
    ageMinutes: int('Whole minutes from the event to `now`.', (e, c) => wholeMinutes(e.time, c.now)),
    localHour: nint(
      "Hour of the event (0–23) in the project's timezone (`user.timezone`); much cheaper than `time.getHours(tz)`.",
      (e, c) => localHour(e.time, c.features.timezone),
    ),
    type: str(
      'Event type: page_view, account_login, account_login_fail, account_password_change, …',
      (e) => e.type,
    ),
    httpCode: nint('HTTP status code.', (e) => e.httpCode),
    method: nstr('HTTP method, lower case (get, post, …).', (e) => e.httpMethod),
    url: str('Resource path without the query string.', (e) => e.url),
    refererEmpty: bool('True when the referer was absent or empty.', (e) => e.refererEmpty),
    ipId: int('Id of the IP used (matches `ips[].id`).', (e) => e.ipId),
    deviceId: int('Id of the device used (matches `devices[].id`).', (e) => e.deviceId),
    sessionId: int('Id of the session (matches `sessions[].id`).', (e) => e.sessionId),
    ip: nstr('The IP address used (joined from `ips`).', (e, c) => c.ipsById.get(e.ipId)?.ip ?? null),
    country: nstr(
      'ISO country code of the IP used (joined from `ips`).',
      (e, c) => c.ipsById.get(e.ipId)?.country ?? null,
    ),
  },
};

const IP: ObjectTypeDef<IpFeature> = {
  name: 'vigil.Ip',
  description: 'An IP address the user has used (list `ips`, all of them).',
  fields: {
    id: int('IP id.', (i) => i.id),
    ip: str('The address.', (i) => i.ip),
    country: nstr('ISO 3166-1 alpha-2 country code.', (i) => i.country),
    asn: nint('Autonomous system number.', (i) => i.asn),
    network: nstr('Announced network (CIDR).', (i) => i.network),
    local: bool('A private, loopback or otherwise local address.', (i) => i.local),
    datacenter: nbool('Belongs to a hosting provider or data centre.', (i) => i.datacenter),
    tor: nbool('A Tor exit node.', (i) => i.tor),
    relay: nbool('An anonymising relay (e.g. iCloud Private Relay).', (i) => i.relay),
    starlink: nbool('A Starlink address.', (i) => i.starlink),
    vpn: nbool('A known VPN endpoint.', (i) => i.vpn),
    blocklist: nbool('On a spam/abuse block list.', (i) => i.blocklist),
    hostedDomains: nint('Number of websites hosted on the address.', (i) => i.hostedDomains),
    blacklisted: bool(
      'Blacklisted in this project (by an operator or auto-blacklisting).',
      (i) => i.blacklisted,
    ),
    sharedUsers: int('How many distinct users of the project have used this address.', (i) => i.sharedUsers),
    lists: labels('Labels of the operator lists the address is on.', (i) => i.lists),
    firstSeen: time('First time this user used the address.', (i) => i.firstSeen),
    lastSeen: time('Last time this user used the address.', (i) => i.lastSeen),
    ageDays: int('Whole days from `firstSeen` to `now`.', (i, c) => wholeDays(i.firstSeen, c.now)),
  },
};

const DEVICE: ObjectTypeDef<DeviceFeature> = {
  name: 'vigil.Device',
  description: 'A device (user agent + browser language) the user has used (list `devices`).',
  fields: {
    id: int('Device id.', (d) => d.id),
    userAgent: nstr('User-Agent as sent.', (d) => d.userAgent),
    language: nstr('Accept-Language as sent.', (d) => d.language),
    deviceType: nstr('desktop, smartphone, tablet, …, bot.', (d) => d.deviceType),
    osName: nstr('Operating system name.', (d) => d.osName),
    osVersion: nstr('Operating system version.', (d) => d.osVersion),
    browserName: nstr('Browser name.', (d) => d.browserName),
    browserVersion: nstr('Browser version.', (d) => d.browserVersion),
    isBot: nbool('The user agent is a known bot.', (d) => d.isBot),
    botName: nstr('Name of the bot.', (d) => d.botName),
    isAiBot: nbool('The user agent is a known AI crawler or agent.', (d) => d.isAiBot),
    firstSeen: time('First time this user used the device.', (d) => d.firstSeen),
    lastSeen: time('Last time this user used the device.', (d) => d.lastSeen),
    ageMinutes: int('Whole minutes from `firstSeen` to `now`.', (d, c) => wholeMinutes(d.firstSeen, c.now)),
  },
};

const EMAIL: ObjectTypeDef<EmailFeature> = {
  name: 'vigil.Email',
  description: 'An e-mail address of the user (list `emails`; the latest is `lastEmail`).',
  fields: {
    id: int('E-mail id.', (e) => e.id),
    email: str('The address after normalisation (`broken@user.local` when invalid).', (e) => e.email),
    valid: nbool('False when the address sent was not a valid e-mail.', (e) => e.valid),
    localPart: str('The part before the @.', (e) => e.localPart),
    domain: str('The part after the @.', (e) => e.domain),
    freeProvider: nbool('A free mailbox provider (gmail.com, …).', (e) => e.freeProvider),
    disposable: nbool('A disposable-mail domain.', (e) => e.disposable),
    roleAddress: nbool('A role address (admin@, info@, …).', (e) => e.roleAddress),
    institution: nstr('edu, gov or mil for such domains.', (e) => e.institution),
    appleDomain: nbool('An Apple relay or iCloud domain.', (e) => e.appleDomain),
    hasMx: nbool('The domain has MX records (only when MX checks are on).', (e) => e.hasMx),
    domainCreated: ntime('Registration date of the domain.', (e) => e.domainCreated),
    domainAgeDays: nint('Whole days from `domainCreated` to `now`.', (e, c) =>
      e.domainCreated ? wholeDays(e.domainCreated, c.now) : null,
    ),
    domainDisabled: nbool('The domain does not resolve or is parked.', (e) => e.domainDisabled),
    domainBlocklisted: nbool('The domain is on a block list.', (e) => e.domainBlocklisted),
    trancoRank: nint('Tranco popularity rank of the domain.', (e) => e.trancoRank),
    dataBreach: nbool('The address appears in known data breaches.', (e) => e.dataBreach),
    earliestBreach: ntime('Date of the earliest known breach.', (e) => e.earliestBreach),
    emailBlocklisted: nbool('The address is on a block list.', (e) => e.emailBlocklisted),
    blacklisted: bool('Blacklisted in this project.', (e) => e.blacklisted),
    lists: labels('Labels of the operator lists the address is on.', (e) => e.lists),
    firstSeen: time('First time this user had the address.', (e) => e.firstSeen),
    lastSeen: time('Last time this user had the address.', (e) => e.lastSeen),
  },
};

const PHONE: ObjectTypeDef<PhoneFeature> = {
  name: 'vigil.Phone',
  description: 'A phone number of the user (list `phones`; the latest is `lastPhone`).',
  fields: {
    id: int('Phone id.', (p) => p.id),
    phone: str('The number as sent.', (p) => p.phone),
    valid: nbool('The number is a valid phone number.', (p) => p.valid),
    e164: nstr('The number in E.164 form.', (p) => p.e164),
    country: nstr('ISO country code of the number.', (p) => p.country),
    lineType: nstr('mobile, fixed_line, voip, …', (p) => p.lineType),
    sharedUsers: int('How many distinct users of the project have this number.', (p) => p.sharedUsers),
    blacklisted: bool('Blacklisted in this project.', (p) => p.blacklisted),
    lists: labels('Labels of the operator lists the number is on.', (p) => p.lists),
    firstSeen: time('First time this user had the number.', (p) => p.firstSeen),
    lastSeen: time('Last time this user had the number.', (p) => p.lastSeen),
  },
};

const SESSION: ObjectTypeDef<SessionFeature> = {
  name: 'vigil.Session',
  description: 'A session of the user (list `sessions`, newest first).',
  fields: {
    id: int('Session id.', (s) => s.id),
    started: time('First event of the session.', (s) => s.started),
    lastSeen: time('Latest event of the session.', (s) => s.lastSeen),
    durationMinutes: int('Whole minutes from `started` to `lastSeen`.', (s) =>
      wholeMinutes(s.started, s.lastSeen),
    ),
    eventCount: int('Events in the session.', (s) => s.eventCount),
    ipCount: int('Distinct IPs in the session.', (s) => s.ipCount),
    deviceCount: int('Distinct devices in the session.', (s) => s.deviceCount),
    countryCount: int('Distinct known countries of the session’s IPs.', (s) => s.countryCount),
  },
};

const distinct = (values: readonly (string | number | null)[]) =>
  new Set(values.filter((v) => v !== null)).size;
const recentOfType = (f: UserFeatures, type: EventFeature['type']) =>
  f.events.filter((e) => e.type === type).length;
const recentWithCode = (f: UserFeatures, low: number, high: number) =>
  f.events.filter((e) => e.httpCode !== null && e.httpCode >= low && e.httpCode <= high).length;

const COUNTS: ObjectTypeDef<UserFeatures> = {
  name: 'vigil.Counts',
  description: 'Convenience counts (variable `counts`); "recent" means within `events`.',
  fields: {
    events: int('Lifetime events (same as `user.eventCount`).', (f) => f.eventCount),
    recentEvents: int('Size of `events` (at most 25).', (f) => f.events.length),
    ips: int('Distinct IPs ever used.', (f) => f.ips.length),
    devices: int('Distinct devices ever used.', (f) => f.devices.length),
    emails: int('E-mail addresses ever had.', (f) => f.emails.length),
    phones: int('Phone numbers ever had.', (f) => f.phones.length),
    sessions: int('Sessions.', (f) => f.sessions.length),
    countries: int('Distinct known countries of `ips`.', (f) => distinct(f.ips.map((i) => i.country))),
    asns: int('Distinct known ASNs of `ips`.', (f) => distinct(f.ips.map((i) => i.asn))),
    recentLogins: int('Recent `account_login` events.', (f) => recentOfType(f, 'account_login')),
    recentFailedLogins: int('Recent `account_login_fail` events.', (f) =>
      recentOfType(f, 'account_login_fail'),
    ),
    recent4xx: int('Recent events with an HTTP code 400–499.', (f) => recentWithCode(f, 400, 499)),
    recent5xx: int('Recent events with an HTTP code 500–599.', (f) => recentWithCode(f, 500, 599)),
  },
};

// ---------------------------------------------------------------------------------------------
// Variables

type VariableDef =
  | { name: string; kind: 'timestamp'; description: string; get(c: BuildContext): Date }
  | {
      name: string;
      kind: 'object';
      type: ObjectTypeDef<never>;
      description: string;
      get(c: BuildContext): unknown;
    }
  | {
      name: string;
      kind: 'list';
      type: ObjectTypeDef<never>;
      description: string;
      get(c: BuildContext): readonly unknown[];
    };

// Each object/list variable is tied to its type through `def`, which keeps the reader typed.
function objectVar<S>(
  name: string,
  type: ObjectTypeDef<S>,
  description: string,
  get: (c: BuildContext) => S | null,
) {
  return { name, kind: 'object' as const, type: type as ObjectTypeDef<never>, description, get };
}
function listVar<S>(
  name: string,
  type: ObjectTypeDef<S>,
  description: string,
  get: (c: BuildContext) => readonly S[],
) {
  return { name, kind: 'list' as const, type: type as ObjectTypeDef<never>, description, get };
}

const VARIABLES: readonly VariableDef[] = [
  {
    name: 'now',
    kind: 'timestamp',
    description: 'When the scoring ran; every age is measured from it.',
    get: (c) => c.now,
  },
  objectVar('user', USER, 'The user.', (c) => c.features),
  listVar('events', EVENT, 'The latest events, newest first (at most 25).', (c) => c.features.events),
  listVar('ips', IP, 'Every IP the user has used.', (c) => c.features.ips),
  listVar('devices', DEVICE, 'Every device the user has used.', (c) => c.features.devices),
  listVar('emails', EMAIL, 'Every e-mail address the user has had.', (c) => c.features.emails),
  objectVar(
    'lastEmail',
    EMAIL,
    'The latest e-mail address; without one, no field is present (`has(lastEmail.email)` is false).',
    (c) => c.features.lastEmail,
  ),
  listVar('phones', PHONE, 'Every phone number the user has had.', (c) => c.features.phones),
  objectVar(
    'lastPhone',
    PHONE,
    'The latest phone number; without one, no field is present (`has(lastPhone.phone)` is false).',
    (c) => c.features.lastPhone,
  ),
  listVar('sessions', SESSION, 'Every session of the user, newest first.', (c) => c.features.sessions),
  objectVar('counts', COUNTS, 'Convenience counts.', (c) => c.features),
];

/** The object types, in documentation order. */
const TYPES: readonly ObjectTypeDef<never>[] = [
  USER,
  EVENT,
  IP,
  DEVICE,
  EMAIL,
  PHONE,
  SESSION,
  COUNTS,
] as never;

function variableType(v: VariableDef): CelTypeName {
  if (v.kind === 'timestamp') return 'timestamp';
  return v.kind === 'list' ? `list<${v.type.name}>` : v.type.name;
}

/** The schema, as data: names, CEL types and descriptions of every variable and field. */
export const CEL_SCHEMA: CelSchema = Object.freeze({
  variables: Object.freeze(
    VARIABLES.map((v) => Object.freeze({ name: v.name, type: variableType(v), description: v.description })),
  ),
  types: Object.freeze(
    TYPES.map((t) =>
      Object.freeze({
        name: t.name,
        description: t.description,
        fields: Object.freeze(
          Object.entries(t.fields).map(([name, f]) =>
            Object.freeze({ name, type: f.type, nullable: f.nullable === true, description: f.description }),
          ),
        ),
      }),
    ),
  ),
});

// ---------------------------------------------------------------------------------------------
// Runtime values

function toCel(type: CelScalarType, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case 'int':
      return typeof value === 'number' && Number.isFinite(value) ? BigInt(Math.trunc(value)) : undefined;
    case 'timestamp':
      return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
    case 'list<string>':
      return Array.isArray(value) ? Object.freeze([...value]) : undefined;
    default:
      return value;
  }
}

const SOURCE = Symbol('source');
const CONTEXT = Symbol('context');

interface CelObject {
  readonly [SOURCE]: unknown;
  readonly [CONTEXT]: BuildContext;
}

type CelObjectConstructor = new (source: unknown, ctx: BuildContext) => CelObject;

/**
 * One class per object type: the CEL runtime recognises a value's type by its constructor. An
 * instance wraps its source (an IpFeature, …) and each field is a getter on the prototype that
 * reads and converts the fact when the rule reads it; an unknown fact reads as `undefined`,
 * which the CEL runtime treats as an absent field. Building the activation is therefore cheap,
 * whatever the number of IPs or devices, and only the facts a rule reads are converted.
 */
export const CEL_CONSTRUCTORS: ReadonlyMap<string, CelObjectConstructor> = new Map(
  TYPES.map((t) => {
    const ctor = {
      [t.name]: class {
        readonly [SOURCE]: unknown;
        readonly [CONTEXT]: BuildContext;
        constructor(source: unknown, ctx: BuildContext) {
          this[SOURCE] = source;
          this[CONTEXT] = ctx;
          Object.freeze(this);
        }
      },
    }[t.name] as CelObjectConstructor;
    for (const [name, field] of Object.entries(t.fields) as [string, Field<unknown>][]) {
      Object.defineProperty(ctor.prototype, name, {
        enumerable: true,
        get(this: CelObject) {
          const source = this[SOURCE];
          return source === null || source === undefined
            ? undefined
            : toCel(field.type, field.get(source, this[CONTEXT]));
        },
      });
    }
    Object.freeze(ctor.prototype);
    return [t.name, ctor];
  }),
);

function buildObject(type: ObjectTypeDef<never>, source: unknown, ctx: BuildContext): CelObject {
  return new (CEL_CONSTRUCTORS.get(type.name)!)(source, ctx);
}

/** The CEL activation: variable name → value, as the CEL runtime expects them. */
export type CelActivation = Readonly<Record<string, unknown>>;

const activations = new WeakMap<UserFeatures, CelActivation>();

/**
 * The variables a custom rule sees, built from a user's features. Each variable is built on first
 * read (a rule that reads only `user` never converts the user's IPs) and kept; the activation is
 * cached per features object, so every custom rule of one scoring run shares it. Values are
 * instances of the schema's object types holding only their known fields; lists are frozen.
 */
export function celVariables(features: UserFeatures): CelActivation {
  const cached = activations.get(features);
  if (cached) return cached;
  let ipsById: Map<number, IpFeature> | undefined;
  const ctx: BuildContext = {
    features,
    now: features.now,
    get ipsById() {
      ipsById ??= new Map(features.ips.map((i) => [i.id, i]));
      return ipsById;
    },
  };
  const activation: Record<string, unknown> = {};
  for (const v of VARIABLES) {
    const build = (): unknown => {
      if (v.kind === 'timestamp') return v.get(ctx);
      if (v.kind === 'object') return buildObject(v.type, v.get(ctx), ctx);
      return Object.freeze(v.get(ctx).map((item) => buildObject(v.type, item, ctx)));
    };
    let value: unknown;
    Object.defineProperty(activation, v.name, {
      enumerable: true,
      get: () => {
        value ??= build();
        return value;
      },
    });
  }
  Object.freeze(activation);
  activations.set(features, activation);
  return activation;
}

/** The variable names of the schema whose values are lists. */
export const LIST_VARIABLES: ReadonlySet<string> = new Set(
  VARIABLES.filter((v) => v.kind === 'list').map((v) => v.name),
);
