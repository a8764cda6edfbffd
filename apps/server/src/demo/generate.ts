/**
 * The demo's traffic: a web shop's customers over the last D days, plus labelled attacker
 * populations that the core rules are meant to catch. Everything is a pure function of the
 * options: the same seed, user count, days, end time and timezone give the same events, byte for
 * byte. Events are the native API's JSON fields (camelCase tirreno fields, ISO times).
 *
 *   const demo = generateDemo({ users: 2000, days: 30, seed: 1, now: Date.now() });
 *   demo.users[0].scenario;          // 'normal' | 'account_takeover' | …
 *   demo.scenarioOf('kx8d72m1');     // the label of any generated user
 *   demo.events();                   // every event, in time order
 */
import { randomV4, randomV6Address, randomV6Network } from './addresses.ts';
import {
  AI_CRAWLERS,
  APP_ORIGIN,
  ATTACKER_ORIGINS,
  BACKOFFICE_FIELDS,
  BROKEN_PATHS,
  BROWSERS,
  CATEGORIES,
  CLOUD_RANGES,
  COUNTRIES,
  type Country,
  DISPOSABLE_DOMAINS,
  type EditableField,
  EXTERNAL_REFERERS,
  HEADLESS_UAS,
  HELP_TOPICS,
  LEAKED_DOMAINS,
  PROBE_PATHS,
  PROFILE_FIELDS,
  PROMO_CODES,
  PROMO_SEARCHES,
  SCANNER_UAS,
  SEARCH_FIELD,
  SEARCH_TERMS,
  STAFF,
  STUFFING_UAS,
  VPN_RANGES,
} from './data.ts';
import { createRng, type Rng } from './rng.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const SCENARIOS = [
  'normal',
  'account_takeover',
  'credential_stuffing',
  'bot',
  'multi_accounting',
  'promo_abuse',
  'insider',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface ScenarioInfo {
  title: string;
  /** What the population does. */
  description: string;
  /** Core rules its traffic is built to trip (when the data they need is there). */
  rules: readonly string[];
}

export const SCENARIO_INFO: Readonly<Record<Scenario, ScenarioInfo>> = {
  normal: {
    title: 'Normal customers',
    description:
      'Customers in 8 countries on 1-3 devices: sessions, logins (a typo now and then), searches, profile edits',
    rules: [],
  },
  account_takeover: {
    title: 'Account takeover',
    description:
      'A customer with a normal history, then failed logins and a login from a new device in a new country, a password change and an e-mail change',
    rules: ['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'B02', 'B03', 'E19'],
  },
  credential_stuffing: {
    title: 'Credential stuffing',
    description:
      'Leaked e-mail addresses tried against the login from a few datacenter IPs with curl/python/Go clients; a few succeed',
    rules: ['A01', 'A02', 'B05', 'B24', 'D03', 'D04', 'D05', 'I04', 'I06'],
  },
  bot: {
    title: 'Bots and AI scrapers',
    description:
      'GPTBot/ClaudeBot-style AI crawlers, HeadlessChrome price scrapers and vulnerability scanners from cloud networks: HEAD requests, 404 floods, /.env and /wp-admin probes',
    rules: ['B04', 'B05', 'B06', 'B18', 'B24', 'D02', 'D03', 'D04', 'D05', 'D10', 'D13', 'I06'],
  },
  multi_accounting: {
    title: 'Multi-accounting',
    description: 'One person registering several accounts from the same device, home IP and phone number',
    rules: ['I04', 'P03', 'B12', 'B13'],
  },
  promo_abuse: {
    title: 'Promo abuse',
    description:
      'Fresh accounts with disposable e-mail addresses registering behind VPN/datacenter IPs and hunting promo codes',
    rules: ['B11', 'B12', 'E04', 'E06', 'E11', 'I04', 'I06', 'P03'],
  },
  insider: {
    title: 'Insider at night',
    description:
      'A back-office employee who works office hours, then edits many customers’ payout, credit and refund fields between midnight and 5 a.m.',
    rules: ['B19', 'I04'],
  },
};

/** The fields of one event for `POST /api/v1/events`. */
export interface DemoFields {
  userName: string;
  eventTime: string;
  ipAddress: string;
  userAgent: string;
  browserLanguage?: string;
  httpMethod: 'GET' | 'POST' | 'HEAD';
  httpReferer?: string;
  url: string;
  pageTitle?: string;
  firstName?: string;
  lastName?: string;
  emailAddress?: string;
  phoneNumber?: string;
  eventType: string;
  httpCode: number;
  userCreated?: string;
  payload?: Record<string, string>;
  fieldHistory?: Record<string, string>[];
}

export interface DemoEvent {
  /** Epoch ms of eventTime. */
  time: number;
  fields: DemoFields;
}

export interface DemoUser {
  userName: string;
  scenario: Scenario;
  /** Finer kind within the scenario (e.g. the bot's `ai_crawler` | `scanner` | `headless`). */
  variant: string | null;
  /** Users acting together (a multi-accounter's accounts, a promo ring, a stuffing campaign). */
  group: string | null;
  /** This user's events, in time order. */
  events: DemoEvent[];
}

export interface DemoOptions {
  /** Users and other identities in all (attackers included); at least MIN_DEMO_USERS. */
  users: number;
  /** Length of the simulated period, ending at `now`. */
  days: number;
  seed?: number | string;
  /** End of the simulated period (epoch ms); every event is earlier. Default: Date.now(). */
  now?: number;
  /** The project's IANA timezone: "night" for the insider is 00:00-05:00 there. Default UTC. */
  timezone?: string;
}

export interface DemoTraffic {
  users: DemoUser[];
  eventCount: number;
  /** First instant of the simulated period (epoch ms). */
  start: number;
  end: number;
  /** The scenario of a generated user, or undefined for a name the demo did not generate. */
  scenarioOf(userName: string): Scenario | undefined;
  /** Users and events per scenario. */
  counts(): Record<Scenario, { users: number; events: number }>;
  /** Every event of every user, in time order (a user's events keep their order). */
  events(): DemoEvent[];
}

export const MIN_DEMO_USERS = 20;
export const MAX_DEMO_DAYS = 365;

/**
 * How many identities each scenario gets: about 8% attackers in all, so that the review queue
 * has work without drowning the normal customers. Small demos keep at least one of each.
 */
export function planPopulation(users: number): Record<Scenario, number> {
  if (!Number.isInteger(users) || users < MIN_DEMO_USERS) {
    throw new RangeError(`users must be an integer of at least ${MIN_DEMO_USERS}: ${users}`);
  }
  const share = (fraction: number, min: number) => Math.max(min, Math.round(users * fraction));
  const plan = {
    normal: 0,
    account_takeover: share(0.01, 1),
    credential_stuffing: share(0.025, 3),
    bot: share(0.015, 3),
    multi_accounting: share(0.015, 3),
    promo_abuse: share(0.015, 3),
    insider: share(0.0025, 1),
  };
  let attackers = 0;
  for (const s of SCENARIOS) attackers += plan[s];
  plan.normal = users - attackers;
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Time

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of the timezone from UTC at an instant, in ms (throws RangeError for an unknown zone). */
export function timezoneOffsetMs(timeZone: string, at: number): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return asUtc - Math.floor(at / SECOND) * SECOND;
}

const iso = (t: number) => new Date(t).toISOString();

// ---------------------------------------------------------------------------------------------
// Actors and events

interface Device {
  userAgent: string;
  language: string;
  mobile: boolean;
}

/** Whoever the application reports events for: a customer, an employee, an attacker's target. */
interface Actor {
  userName: string;
  scenario: Scenario;
  variant: string | null;
  group: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  /** Account creation as the application reports it (userCreated); null when it does not. */
  created: number | null;
  events: DemoEvent[];
}

interface Customer extends Actor {
  country: Country;
  devices: Device[];
  homeRanges: readonly string[];
  mobileRanges: readonly string[];
  homeV4: string;
  v6Network: number[] | null;
  profile: Record<string, string>;
  loggedIn: boolean;
  /** Local part styles reused when the address changes. */
  local: string;
}

/** One visit in progress: the device, address and clock the next event is sent with. */
interface Visit {
  actor: Actor;
  device: Device;
  ip: string;
  t: number;
  lastPath: string | null;
  /** Where the visit came from (first event only); undefined: no referer. */
  entry?: string;
}

type Method = DemoFields['httpMethod'];

interface Hit {
  url: string;
  title?: string;
  method?: Method;
  type?: string;
  code?: number;
  /** Send firstName/lastName (forms that carry them). */
  names?: boolean;
  phone?: boolean;
  payload?: Record<string, string>;
  fieldHistory?: Record<string, string>[];
  /** Override the referer: null sends none. */
  referer?: string | null;
}

const TITLE = (s: string) => `${s} | Example Shop`;

function toAscii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

class Generator {
  readonly rng: Rng;
  readonly start: number;
  readonly end: number;
  readonly actors: Actor[] = [];
  private readonly names = new Set<string>();
  private readonly emails = new Set<string>();

  constructor(
    readonly options: Required<DemoOptions>,
    seed: number | string,
  ) {
    this.rng = createRng(`vigil-demo:${seed}`);
    // Whole seconds, so the event times of a run are tidy and reproducible from its end time.
    this.end = Math.floor(options.now / SECOND) * SECOND;
    this.start = this.end - options.days * DAY;
  }

  /** A userName nobody else has: the base, else the base with a number. */
  uniqueName(base: string): string {
    let name = base;
    for (let n = 2; this.names.has(name); n++) name = `${base}${n}`;
    this.names.add(name);
    return name;
  }

  uniqueEmail(local: string, domain: string): string {
    let email = `${local}@${domain}`;
    for (let n = 2; this.emails.has(email); n++) email = `${local}${n}@${domain}`;
    this.emails.add(email);
    return email;
  }

  actor(scenario: Scenario, userName: string, extra: Partial<Actor> = {}): Actor {
    const actor: Actor = {
      userName,
      scenario,
      variant: null,
      group: null,
      email: null,
      firstName: null,
      lastName: null,
      phone: null,
      created: null,
      events: [],
      ...extra,
    };
    this.actors.push(actor);
    return actor;
  }

  // --- visits and events -------------------------------------------------------------------

  visit(actor: Actor, device: Device, ip: string, t: number, entry?: string): Visit {
    const last = actor.events.at(-1)?.time ?? Number.NEGATIVE_INFINITY;
    return { actor, device, ip, t: Math.max(t, last + SECOND), lastPath: null, ...(entry ? { entry } : {}) };
  }

  /** Records one event at the visit's clock. */
  hit(v: Visit, h: Hit): void {
    const a = v.actor;
    const last = a.events.at(-1)?.time ?? Number.NEGATIVE_INFINITY;
    if (v.t <= last) v.t = last + SECOND;
    const path = h.url.split('?')[0]!;
    const referer =
      h.referer !== undefined ? h.referer : v.lastPath !== null ? `${APP_ORIGIN}${v.lastPath}` : v.entry;
    const f: DemoFields = {
      userName: a.userName,
      eventTime: iso(v.t),
      ipAddress: v.ip,
      userAgent: v.device.userAgent,
      httpMethod: h.method ?? 'GET',
      url: h.url,
      eventType: h.type ?? 'page_view',
      httpCode: h.code ?? 200,
    };
    if (v.device.language) f.browserLanguage = v.device.language;
    if (referer) f.httpReferer = referer;
    if (h.title) f.pageTitle = h.title;
    if (h.names && a.firstName && a.lastName) {
      f.firstName = a.firstName;
      f.lastName = a.lastName;
    }
    if (a.email) f.emailAddress = a.email;
    if (h.phone && a.phone) f.phoneNumber = a.phone;
    if (a.created !== null) f.userCreated = iso(a.created);
    if (h.payload) f.payload = h.payload;
    if (h.fieldHistory) f.fieldHistory = h.fieldHistory;
    a.events.push({ time: v.t, fields: f });
    v.lastPath = path;
  }

  /** Advances the visit's clock by a human pause: at least `min`, `mean` on average, never a new session. */
  pause(v: Visit, mean: number, min = 2 * SECOND, max = 20 * MINUTE): void {
    v.t += Math.floor(Math.min(max, min + this.rng.exp(mean)));
  }

  // --- customers ---------------------------------------------------------------------------

  acceptLanguage(tags: readonly string[]): string {
    const list = this.rng.chance(0.05) ? ['en-US', 'en'] : tags;
    return list.map((t, i) => (i === 0 ? t : `${t};q=${(1 - i / 10).toFixed(1)}`)).join(',');
  }

  device(country: Country, mobile: boolean): Device {
    const { rng } = this;
    const family = rng.weighted(
      BROWSERS.filter((b) => b.mobile === mobile).map((b) => [b.weight, b] as const),
    );
    return {
      mobile,
      userAgent: family.ua(rng.between, rng.pick),
      language: this.acceptLanguage(country.languages),
    };
  }

  phone(country: Country): string {
    const digits = (n: number) => {
      let s = '';
      for (let i = 0; i < n; i++) s += String(this.rng.int(10));
      return s;
    };
    return country.phone(digits, this.rng.pick);
  }

  customer(scenario: Scenario, country = this.pickCountry(), created: number | null = null): Customer {
    const { rng } = this;
    const firstName = rng.pick(country.first);
    const lastName = rng.pick(country.last);
    const first = toAscii(firstName);
    const last = toAscii(lastName);
    const userName = this.uniqueName(
      rng.pick([`${first}.${last}`, `${first}${last[0]}`, `${first}_${last}`, `${first[0]}${last}`]),
    );
    const year = String(rng.between(1965, 2004));
    const local = rng.weighted<string>([
      [35, `${first}.${last}`],
      [20, `${first}${last}`],
      [15, `${first[0]}.${last}`],
      [15, `${first}.${last}${year.slice(2)}`],
      [15, `${first}${year}`],
    ]);
    const email = this.uniqueEmail(local, rng.pick(country.mail));
    const deviceCount = rng.weighted([
      [50, 1],
      [35, 2],
      [15, 3],
    ] as const);
    const devices: Device[] = [];
    for (let i = 0; i < deviceCount; i++) {
      // A second device is more often of the other kind (a phone next to a laptop).
      const mobileShare = i === 0 ? country.mobileShare : devices[0]!.mobile ? 0.3 : 0.8;
      devices.push(this.device(country, rng.chance(mobileShare)));
    }
    const homeRanges = country.fixed.length ? country.fixed : country.mobile;
    const profile: Record<string, string> = {};
    for (const field of PROFILE_FIELDS) {
      profile[field.id] = field.values ? rng.pick(field.values) : `${firstName} ${lastName[0]}.`;
    }
    const customer: Customer = {
      userName,
      scenario,
      variant: null,
      group: null,
      email,
      firstName,
      lastName,
      phone: rng.chance(0.55) ? this.phone(country) : null,
      created,
      events: [],
      country,
      devices,
      homeRanges,
      mobileRanges: country.mobile.length ? country.mobile : homeRanges,
      homeV4: randomV4(rng, rng.pick(homeRanges)),
      v6Network:
        country.v6.length && rng.chance(country.ipv6Share)
          ? randomV6Network(rng, rng.pick(country.v6))
          : null,
      profile,
      loggedIn: rng.chance(0.5),
      local,
    };
    this.actors.push(customer);
    return customer;
  }

  pickCountry(): Country {
    return this.rng.weighted(COUNTRIES.map((c) => [c.weight, c] as const));
  }

  /** The address a customer's device has for this session. */
  sessionIp(c: Customer, device: Device): string {
    const { rng } = this;
    if (rng.chance(0.01)) {
      // Travelling: a hotel or roaming network abroad.
      const abroad = rng.pick(COUNTRIES.filter((x) => x !== c.country && x.fixed.length > 0));
      return randomV4(rng, rng.pick(abroad.fixed));
    }
    if (device.mobile && rng.chance(0.5)) return randomV4(rng, rng.pick(c.mobileRanges));
    if (rng.chance(0.03)) c.homeV4 = randomV4(rng, rng.pick(c.homeRanges)); // dynamic IP renewed
    if (c.v6Network && rng.chance(0.7)) return randomV6Address(rng, c.v6Network);
    return c.homeV4;
  }

  /** Moves a time out of the customer's local night (01:00-07:00) into the morning. */
  awake(c: Customer, t: number): number {
    const localHour = (((t / HOUR + c.country.utcOffset) % 24) + 24) % 24;
    if (localHour >= 1 && localHour < 7) return t + (7 - localHour) * HOUR + this.rng.int(3 * HOUR);
    return t;
  }

  /** Session start times: about `rate` a day between from and to, in the customer's waking hours. */
  sessionStarts(c: Customer, from: number, to: number, rate: number): number[] {
    if (to <= from) return [];
    const count = Math.min(80, Math.max(1, this.rng.poisson((rate * (to - from)) / DAY)));
    const starts: number[] = [];
    for (let i = 0; i < count; i++) starts.push(this.awake(c, from + this.rng.int(to - from)));
    return starts.sort((a, b) => a - b);
  }

  /** A customer's sessions between from and to (the first one at `from` when it is a sign-up). */
  customerLife(c: Customer, from: number, to: number, register: boolean): void {
    const rate = Math.min(1.5, Math.max(0.03, this.rng.logNormal(0.14, 0.8)));
    let free = from;
    if (register) free = this.customerSession(c, from, { register: true }) + 40 * MINUTE;
    for (const planned of this.sessionStarts(c, free, to, rate)) {
      const at = Math.max(planned, free);
      if (at >= to) break;
      free = this.customerSession(c, at) + 40 * MINUTE;
    }
    // Every customer shows up at least once, even when their one session fell into the night
    // at the end of the period.
    if (c.events.length === 0 && from < to) this.customerSession(c, from + this.rng.int(to - from));
  }

  /** One browsing session; returns the time of its last event. */
  customerSession(
    c: Customer,
    at: number,
    options: { register?: boolean; device?: Device; ip?: string; actions?: number } = {},
  ): number {
    const { rng } = this;
    const device = options.device ?? (rng.chance(0.6) ? c.devices[0]! : rng.pick(c.devices));
    const v = this.visit(c, device, options.ip ?? this.sessionIp(c, device), at);
    if (rng.chance(0.5)) v.entry = rng.pick(EXTERNAL_REFERERS);
    if (options.register) {
      this.hit(v, {
        url: '/signup',
        title: TITLE('Create an account'),
        method: 'POST',
        type: 'account_registration',
        names: true,
        phone: true,
      });
      c.loggedIn = true;
    } else if (c.loggedIn) {
      this.hit(v, rng.chance(0.5) ? { url: '/', title: 'Example Shop' } : this.page());
    } else {
      this.login(c, v);
    }
    const actions = options.actions ?? 1 + Math.min(30, Math.floor(rng.exp(4.5)));
    for (let i = 0; i < actions; i++) {
      this.pause(v, 40 * SECOND);
      this.customerAction(c, v);
    }
    if (rng.chance(0.2)) {
      this.pause(v, 30 * SECOND);
      this.hit(v, { url: '/logout', title: TITLE('Signed out'), method: 'POST', type: 'account_logout' });
      c.loggedIn = false;
    }
    return v.t;
  }

  login(c: Customer, v: Visit): void {
    const { rng } = this;
    this.hit(v, { url: '/login', title: TITLE('Sign in') });
    // A typo now and then.
    const typos = rng.chance(0.06) ? (rng.chance(0.25) ? 2 : 1) : 0;
    for (let i = 0; i < typos; i++) {
      this.pause(v, 12 * SECOND, 4 * SECOND);
      this.hit(v, {
        url: '/login',
        title: TITLE('Sign in'),
        method: 'POST',
        type: 'account_login_fail',
        code: 401,
      });
    }
    this.pause(v, 10 * SECOND, 3 * SECOND);
    this.hit(v, {
      url: '/login',
      title: TITLE('Sign in'),
      method: 'POST',
      type: 'account_login',
      names: rng.chance(0.3),
      phone: rng.chance(0.2),
    });
    c.loggedIn = rng.chance(0.55); // "remember me" for the next session
  }

  page(): Hit {
    const { rng } = this;
    const kind = rng.weighted([
      [10, 'home'],
      [40, 'product'],
      [15, 'category'],
      [8, 'cart'],
      [3, 'checkout'],
      [5, 'orders'],
      [5, 'account'],
      [4, 'help'],
    ] as const);
    switch (kind) {
      case 'product': {
        const id = rng.between(10000, 99999);
        return { url: `/products/${id}`, title: TITLE(`Product ${id}`) };
      }
      case 'category': {
        const slug = rng.pick(CATEGORIES);
        return { url: `/category/${slug}`, title: TITLE(`${slug[0]!.toUpperCase()}${slug.slice(1)}`) };
      }
      case 'cart':
        return { url: '/cart', title: TITLE('Your cart') };
      case 'checkout':
        return { url: '/checkout', title: TITLE('Checkout') };
      case 'orders':
        return rng.chance(0.5)
          ? { url: '/orders', title: TITLE('Your orders') }
          : { url: `/orders/${rng.between(100000, 999999)}`, title: TITLE('Order details') };
      case 'account':
        return { url: '/account', title: TITLE('Your account') };
      case 'help': {
        const topic = rng.pick(HELP_TOPICS);
        return { url: `/help/${topic}`, title: TITLE(`Help: ${topic}`) };
      }
      default:
        return { url: '/', title: 'Example Shop' };
    }
  }

  search(term: string): Hit {
    return {
      url: `/search?q=${encodeURIComponent(term)}`,
      title: TITLE(`Search: ${term}`),
      type: 'page_search',
      payload: { field_id: SEARCH_FIELD.id, value: term, field_name: SEARCH_FIELD.name },
    };
  }

  customerAction(c: Customer, v: Visit): void {
    const { rng } = this;
    const action = rng.weighted([
      [72, 'view'],
      [11, 'search'],
      [3.5, 'field_edit'],
      [1, 'account_edit'],
      [1.2, 'not_found'],
      [0.15, 'password_change'],
      [0.03, 'email_change'],
    ] as const);
    switch (action) {
      case 'view':
        this.hit(v, this.page());
        break;
      case 'search':
        this.hit(v, this.search(rng.pick(SEARCH_TERMS)));
        break;
      case 'field_edit': {
        const count = rng.chance(0.25) ? 2 : 1;
        const first = rng.int(PROFILE_FIELDS.length);
        const changes: Record<string, string>[] = [];
        for (let i = 0; i < count; i++) {
          const field = PROFILE_FIELDS[(first + i) % PROFILE_FIELDS.length]!;
          const old = c.profile[field.id]!;
          const next = this.nextValue(field, c, old);
          c.profile[field.id] = next;
          changes.push({ field_id: field.id, field_name: field.name, old_value: old, new_value: next });
        }
        this.hit(v, {
          url: '/account/settings',
          title: TITLE('Settings'),
          method: 'POST',
          type: 'field_edit',
          fieldHistory: changes,
        });
        break;
      }
      case 'account_edit':
        this.hit(v, {
          url: '/account',
          title: TITLE('Your account'),
          method: 'POST',
          type: 'account_edit',
          names: true,
          phone: true,
        });
        break;
      case 'not_found':
        this.hit(v, { url: rng.pick(BROKEN_PATHS), title: TITLE('Page not found'), code: 404 });
        break;
      case 'password_change':
        this.hit(v, {
          url: '/account/security',
          title: TITLE('Security'),
          method: 'POST',
          type: 'account_password_change',
        });
        break;
      case 'email_change': {
        const domains = c.country.mail.filter((d) => !c.email!.endsWith(`@${d}`));
        const old = c.email!;
        c.email = this.uniqueEmail(c.local, rng.pick(domains));
        this.hit(v, {
          url: '/account/settings',
          title: TITLE('Settings'),
          method: 'POST',
          type: 'account_email_change',
          payload: { new_value: c.email, old_value: old },
        });
        break;
      }
    }
  }

  nextValue(field: EditableField, c: Customer, current: string): string {
    const values = field.values ?? [
      `${c.firstName} ${c.lastName}`,
      `${c.firstName} ${c.lastName![0]}.`,
      c.firstName!,
      `${c.firstName}${c.events.length % 100}`,
    ];
    const others = values.filter((x) => x !== current);
    return this.rng.pick(others.length ? others : values);
  }

  /** When an account holder joined: a new customer inside the window, or months to years before it. */
  created(minAgeDays: number): number {
    return this.start - minAgeDays * DAY - this.rng.int(Math.max(1, 1500 - minAgeDays) * DAY);
  }

  // --- scenarios ---------------------------------------------------------------------------

  normal(): void {
    const { rng } = this;
    const fresh = rng.chance(0.2);
    if (fresh) {
      const joined = this.start + rng.int(Math.max(1, this.end - 2 * HOUR - this.start));
      const c = this.customer('normal', undefined, joined);
      c.created = joined;
      this.customerLife(c, joined, this.end - HOUR, true);
    } else {
      const c = this.customer('normal', undefined, this.created(3));
      this.customerLife(c, this.start, this.end - HOUR, false);
    }
  }

  /**
   * A customer's normal history, then the takeover: failed logins on a new device from another
   * country, a successful login, password and e-mail changed, the shipping address replaced, a
   * gift card bought. Some victims come back later and can no longer sign in.
   */
  accountTakeover(): void {
    const { rng } = this;
    const c = this.customer('account_takeover', undefined, this.created(90));
    const span = this.end - this.start;
    const takeover = this.end - 2 * HOUR - rng.int(Math.max(HOUR, Math.floor(span * 0.35)));
    // At least a couple of sessions of history, so the new device and country stand out.
    const historyEnd = takeover - 2 * HOUR;
    this.customerSession(c, this.start + rng.int(Math.max(HOUR, Math.floor((historyEnd - this.start) / 3))));
    this.customerLife(c, c.events.at(-1)!.time + HOUR, historyEnd, false);

    const origin = rng.pick(ATTACKER_ORIGINS.filter((o) => o.code !== c.country.code));
    const viaCloud = rng.chance(0.3);
    const ip = viaCloud
      ? randomV4(rng, rng.pick(CLOUD_RANGES[rng.pick(['ovh', 'digitalocean'] as const)]))
      : randomV4(rng, rng.pick(origin.ranges));
    const family = BROWSERS.find((b) => b.name === 'chrome-windows')!;
    let userAgent = family.ua(rng.between, rng.pick);
    while (c.devices.some((d) => d.userAgent === userAgent)) userAgent = family.ua(rng.between, rng.pick);
    const device: Device = { mobile: false, userAgent, language: origin.language };
    c.variant = viaCloud ? 'via_datacenter' : `from_${origin.code.toLowerCase()}`;
    const v = this.visit(c, device, ip, takeover);
    this.hit(v, { url: '/login', title: TITLE('Sign in') });
    const fails = rng.weighted([
      [15, 0],
      [25, 1],
      [20, 2],
      [15, 3],
      [25, 4],
    ] as const);
    for (let i = 0; i < fails; i++) {
      this.pause(v, 8 * SECOND, 3 * SECOND);
      this.hit(v, {
        url: '/login',
        title: TITLE('Sign in'),
        method: 'POST',
        type: 'account_login_fail',
        code: 401,
      });
    }
    this.pause(v, 8 * SECOND, 3 * SECOND);
    this.hit(v, { url: '/login', title: TITLE('Sign in'), method: 'POST', type: 'account_login' });
    this.pause(v, 10 * SECOND);
    this.hit(v, { url: '/account', title: TITLE('Your account') });
    this.pause(v, 10 * SECOND);
    this.hit(v, { url: '/account/security', title: TITLE('Security') });
    this.pause(v, 20 * SECOND, 5 * SECOND);
    this.hit(v, {
      url: '/account/security',
      title: TITLE('Security'),
      method: 'POST',
      type: 'account_password_change',
    });
    this.pause(v, 20 * SECOND, 5 * SECOND);
    const old = c.email!;
    c.email = this.uniqueEmail(
      `${rng.pick(['recovery', 'secure', 'acc', 'mail'])}${rng.hex(6)}`,
      rng.pick(['gmail.com', 'outlook.com', 'yandex.ru', 'proton.me']),
    );
    this.hit(v, {
      url: '/account/settings',
      title: TITLE('Settings'),
      method: 'POST',
      type: 'account_email_change',
      payload: { new_value: c.email, old_value: old },
    });
    if (rng.chance(0.6)) {
      this.pause(v, 30 * SECOND, 5 * SECOND);
      this.hit(v, {
        url: '/account/addresses',
        title: TITLE('Addresses'),
        method: 'POST',
        type: 'field_edit',
        fieldHistory: [
          {
            field_id: 'profile.shipping_address',
            field_name: 'Shipping address',
            old_value: `${rng.between(1, 200)} ${rng.pick(c.country.last)} Street`,
            new_value: `Parcel locker ${rng.between(1000, 9999)}`,
          },
        ],
      });
    }
    this.pause(v, 20 * SECOND);
    this.hit(v, { url: '/orders', title: TITLE('Your orders') });
    if (rng.chance(0.5)) {
      this.pause(v, 30 * SECOND);
      this.hit(v, { url: '/products/gift-card-100', title: TITLE('Gift card 100') });
      this.pause(v, 30 * SECOND);
      this.hit(v, { url: '/checkout', title: TITLE('Checkout'), method: 'POST' });
    }
    // The owner comes back later: the password no longer works.
    const back = v.t + 6 * HOUR + rng.int(DAY);
    if (rng.chance(0.5) && back < this.end - HOUR) {
      const own = this.visit(c, c.devices[0]!, this.sessionIp(c, c.devices[0]!), back);
      c.email = old; // the owner types their own address
      this.hit(own, { url: '/login', title: TITLE('Sign in') });
      for (let i = 0; i < 2; i++) {
        this.pause(own, 15 * SECOND, 4 * SECOND);
        this.hit(own, {
          url: '/login',
          title: TITLE('Sign in'),
          method: 'POST',
          type: 'account_login_fail',
          code: 401,
        });
      }
      this.pause(own, 20 * SECOND);
      this.hit(own, { url: '/password-reset', title: TITLE('Reset your password') });
    }
  }

  /**
   * Campaigns of a leaked combo list replayed against the login: each from a few datacenter IPs
   * with one tool, in bursts, trying several passwords for some addresses. The identities are
   * what the application saw typed in; a few logins succeed.
   */
  credentialStuffing(count: number): void {
    const { rng } = this;
    const campaigns = Math.max(1, Math.round(count / 25));
    const plans = Array.from({ length: campaigns }, (_, i) => {
      const provider = rng.pick(['aws', 'digitalocean', 'hetzner', 'ovh'] as const);
      const ips = Array.from({ length: rng.between(2, 4) }, () =>
        randomV4(rng, rng.pick(CLOUD_RANGES[provider])),
      );
      const userAgent = rng.pick(STUFFING_UAS);
      const device: Device = {
        mobile: false,
        userAgent,
        language: userAgent.startsWith('Mozilla') ? 'en-US,en;q=0.9' : '',
      };
      const burstStart = this.start + rng.int(Math.max(HOUR, this.end - 3 * HOUR - this.start));
      return { name: `stuffing-${i + 1}`, provider, ips, device, burstStart };
    });
    for (let i = 0; i < count; i++) {
      const campaign = plans[i % campaigns]!;
      const first = toAscii(rng.pick(rng.pick(COUNTRIES).first));
      const last = toAscii(rng.pick(rng.pick(COUNTRIES).last));
      const local = rng.pick([
        `${first}${last}${rng.between(1, 99)}`,
        `${first}.${last}`,
        `${first[0]}${last}${rng.between(1960, 2005)}`,
        `${last}${rng.between(100, 9999)}`,
      ]);
      const email = this.uniqueEmail(local, rng.pick(LEAKED_DOMAINS));
      const a = this.actor('credential_stuffing', this.uniqueName(email), {
        email,
        group: campaign.name,
        variant: campaign.provider,
      });
      // Most addresses get one or two passwords; some, a list of variants (rule A01 needs 8 events).
      const attempts = rng.weighted([
        [25, 1],
        [15, 2],
        [10, 3],
        [15, rng.between(4, 6)],
        [35, rng.between(8, 12)],
      ] as const);
      let t = campaign.burstStart + rng.int(90 * MINUTE);
      for (let k = 0; k < attempts; k++) {
        const v = this.visit(a, campaign.device, rng.pick(campaign.ips), t);
        this.hit(v, {
          url: '/login',
          title: TITLE('Sign in'),
          method: 'POST',
          type: 'account_login_fail',
          code: 401,
          referer: null,
        });
        t = v.t + SECOND + rng.int(6 * SECOND);
      }
      if (rng.chance(0.05)) {
        // The password was right: an account the attacker now holds.
        a.created = this.created(30);
        a.variant = `${campaign.provider}_success`;
        const v = this.visit(a, campaign.device, rng.pick(campaign.ips), t);
        this.hit(v, {
          url: '/login',
          title: TITLE('Sign in'),
          method: 'POST',
          type: 'account_login',
          referer: null,
        });
        this.pause(v, 3 * SECOND, SECOND);
        this.hit(v, { url: '/account', title: TITLE('Your account'), referer: null });
        this.pause(v, 3 * SECOND, SECOND);
        this.hit(v, { url: '/account/payment-methods', title: TITLE('Payment methods'), referer: null });
      }
    }
  }

  /** AI crawlers, headless price scrapers and vulnerability scanners, each a visitor id. */
  bots(count: number): void {
    const variants = ['ai_crawler', 'scanner', 'headless', 'ai_crawler'] as const;
    for (let i = 0; i < count; i++) {
      const variant = variants[i % variants.length]!;
      const a = this.actor('bot', this.uniqueName(`visitor-${this.rng.hex(10)}`), { variant });
      if (variant === 'ai_crawler') this.aiCrawler(a, i);
      else if (variant === 'scanner') this.scanner(a);
      else this.headless(a);
    }
  }

  private botVisits(a: Actor, count: number, run: (at: number) => number): void {
    const { rng } = this;
    const span = Math.max(HOUR, this.end - 3 * HOUR - this.start);
    const starts = Array.from({ length: count }, () => this.start + rng.int(span)).sort((x, y) => x - y);
    let free = this.start;
    for (const s of starts) {
      const at = Math.max(s, free);
      if (at >= this.end - 2 * HOUR) break;
      free = run(at) + 45 * MINUTE;
    }
    if (a.events.length === 0) run(this.start + rng.int(span));
  }

  aiCrawler(a: Actor, index: number): void {
    const { rng } = this;
    const crawler = AI_CRAWLERS[Math.floor(index / 2) % AI_CRAWLERS.length]!;
    const device: Device = { mobile: false, userAgent: crawler.ua, language: '' };
    const range = rng.pick(CLOUD_RANGES[crawler.cloud]);
    this.botVisits(a, rng.between(2, 4), (at) => {
      const v = this.visit(a, device, randomV4(rng, range), at);
      this.hit(v, { url: '/robots.txt', referer: null });
      this.pause(v, 2 * SECOND, 500);
      this.hit(v, { url: '/sitemap.xml', referer: null });
      const pages = rng.between(15, 40);
      for (let k = 0; k < pages; k++) {
        this.pause(v, 3 * SECOND, 500, MINUTE);
        const stale = rng.chance(0.1);
        const head = !stale && rng.chance(0.15);
        const page = stale ? { url: `/products/${rng.between(1000, 9999)}`, code: 404 } : this.page();
        this.hit(v, { ...page, method: head ? 'HEAD' : 'GET', referer: null });
      }
      return v.t;
    });
  }

  scanner(a: Actor): void {
    const { rng } = this;
    const device: Device = { mobile: false, userAgent: rng.pick(SCANNER_UAS), language: '' };
    const provider = rng.pick(['digitalocean', 'ovh', 'hetzner', 'aws'] as const);
    this.botVisits(a, rng.between(1, 2), (at) => {
      const v = this.visit(a, device, randomV4(rng, rng.pick(CLOUD_RANGES[provider])), at);
      this.hit(v, { url: '/', method: 'HEAD', referer: null });
      const probes = rng.shuffle(PROBE_PATHS).slice(0, rng.between(14, PROBE_PATHS.length));
      for (const url of probes) {
        this.pause(v, 1500, 200, 30 * SECOND);
        const code = rng.weighted([
          [62, 404],
          [14, 403],
          [20, 500],
          [4, 200],
        ] as const);
        const method: Method =
          url.includes('xmlrpc') || url.includes('login') ? 'POST' : rng.chance(0.2) ? 'HEAD' : 'GET';
        this.hit(v, { url, method, code, referer: null });
      }
      return v.t;
    });
  }

  headless(a: Actor): void {
    const { rng } = this;
    const device: Device = { mobile: false, userAgent: rng.pick(HEADLESS_UAS), language: 'en-US' };
    const provider = rng.pick(['hetzner', 'ovh', 'digitalocean'] as const);
    const ip = randomV4(rng, rng.pick(CLOUD_RANGES[provider]));
    this.botVisits(a, rng.between(2, 3), (at) => {
      const v = this.visit(a, device, ip, at);
      const pages = rng.between(25, 50);
      for (let k = 0; k < pages; k++) {
        if (k > 0) this.pause(v, 2 * SECOND, 400, MINUTE);
        const roll = rng.float();
        if (roll < 0.15) this.hit(v, this.search(rng.pick(SEARCH_TERMS)));
        else if (roll < 0.22) this.hit(v, { url: `/products/${rng.between(10000, 99999)}`, method: 'HEAD' });
        else if (roll < 0.28) this.hit(v, { url: `/products/${rng.between(100, 999)}`, code: 404 });
        else this.hit(v, this.page());
      }
      return v.t;
    });
  }

  /**
   * One person, several accounts: registered days apart on the same device and home network,
   * often with the same phone number, to collect sign-up bonuses or dodge limits.
   */
  multiAccounting(count: number): void {
    const { rng } = this;
    let made = 0;
    let group = 0;
    while (made < count) {
      const remaining = count - made;
      const size = remaining <= 5 ? remaining : Math.min(remaining - 3, rng.between(3, 5));
      group += 1;
      const country = this.pickCountry();
      const person = this.customer('multi_accounting', country);
      // The person's own (first) account is just another of the group's accounts.
      const sharedPhone = rng.chance(0.7) ? (person.phone ?? this.phone(country)) : null;
      const firstJoin = this.start + rng.int(Math.max(HOUR, Math.floor((this.end - this.start) * 0.6)));
      const accounts: Customer[] = [person];
      for (let k = 1; k < size; k++) {
        const c = this.customer('multi_accounting', country);
        c.devices = person.devices;
        c.homeRanges = person.homeRanges;
        c.mobileRanges = person.mobileRanges;
        c.homeV4 = person.homeV4;
        c.v6Network = person.v6Network;
        accounts.push(c);
      }
      let join = firstJoin;
      for (const c of accounts) {
        c.group = `multi-${group}`;
        c.phone = sharedPhone ?? c.phone;
        c.created = join;
        // The same address for every session: one household, one device.
        const ip = person.homeV4;
        let t = this.customerSession(c, join, { register: true, device: person.devices[0]!, ip });
        const sessions = rng.between(1, 4);
        for (let s = 0; s < sessions; s++) {
          t = this.awake(c, t + HOUR + rng.int(3 * DAY));
          if (t >= this.end - 2 * HOUR) break;
          t = this.customerSession(c, t, { device: person.devices[0]!, ip, actions: rng.between(2, 10) });
        }
        join = Math.min(this.end - 3 * HOUR, join + HOUR + rng.int(2 * DAY));
      }
      made += size;
    }
  }

  /**
   * Rings of fresh accounts with disposable mailboxes behind a VPN or a rented server, each
   * registering, hunting promo codes and redeeming one. Accounts of a ring share the address and
   * often the phone number.
   */
  promoAbuse(count: number): void {
    const { rng } = this;
    let made = 0;
    let ring = 0;
    while (made < count) {
      const remaining = count - made;
      const size = remaining <= 6 ? remaining : Math.min(remaining - 3, rng.between(3, 6));
      ring += 1;
      const country = this.pickCountry();
      const viaVpn = rng.chance(0.6);
      const ranges = viaVpn
        ? rng.pick([VPN_RANGES, CLOUD_RANGES.ovh, CLOUD_RANGES.digitalocean])
        : country.mobile.length
          ? country.mobile
          : country.fixed;
      const ips = Array.from({ length: rng.between(1, 2) }, () => randomV4(rng, rng.pick(ranges)));
      const base = this.device(country, rng.chance(0.3));
      const rotateUa = rng.chance(0.3);
      const sharedPhone = rng.chance(0.5) ? this.phone(country) : null;
      const ringStart = this.end - Math.min(6 * DAY, this.end - this.start) + rng.int(DAY);
      let t = Math.min(ringStart, this.end - 4 * HOUR);
      for (let k = 0; k < size; k++) {
        const local = rng.weighted<string>([
          [30, `${rng.pick(['deal', 'promo', 'save', 'coupon', 'bonus'])}${rng.between(1000, 99999)}`],
          [
            25,
            `${rng.letters(2)}${rng.between(1, 9)}${rng.letters(1)}${rng.between(10, 99)}${rng.letters(1)}${rng.between(0, 9)}`,
          ],
          [20, String(rng.between(10000000, 99999999))],
          [25, `${toAscii(rng.pick(country.first))}${rng.between(100, 9999)}`],
        ]);
        const email = this.uniqueEmail(local, rng.pick(DISPOSABLE_DOMAINS));
        const firstName = rng.pick(country.first);
        const lastName = rng.chance(0.2)
          ? `${rng.pick(country.last)}${rng.between(1, 9)}`
          : rng.pick(country.last);
        const device = rotateUa ? { ...this.device(country, base.mobile), language: base.language } : base;
        const a = this.actor('promo_abuse', this.uniqueName(email.split('@')[0]!), {
          email,
          firstName,
          lastName,
          phone: sharedPhone ?? (rng.chance(0.4) ? this.phone(country) : null),
          created: t,
          group: `promo-${ring}`,
          variant: viaVpn ? 'vpn_or_datacenter' : 'mobile_network',
        });
        const sessions = rng.chance(0.35) ? 2 : 1;
        let at = t;
        for (let s = 0; s < sessions && at < this.end - HOUR; s++) {
          at = this.promoSession(a, device, rng.pick(ips), at, s === 0) + HOUR + rng.int(DAY);
        }
        t = Math.min(this.end - 4 * HOUR, t + 2 * MINUTE + rng.int(3 * HOUR));
      }
      made += size;
    }
  }

  private promoSession(a: Actor, device: Device, ip: string, at: number, register: boolean): number {
    const { rng } = this;
    const v = this.visit(
      a,
      device,
      ip,
      at,
      rng.pick(['https://t.me/', 'https://www.reddit.com/', '']) || undefined,
    );
    const code = rng.pick(PROMO_CODES);
    this.hit(v, { url: `/promo/${code}`, title: TITLE(`Promotion ${code}`) });
    if (register) {
      this.pause(v, 15 * SECOND, 3 * SECOND);
      this.hit(v, { url: '/signup', title: TITLE('Create an account') });
      this.pause(v, 20 * SECOND, 5 * SECOND);
      this.hit(v, {
        url: '/signup',
        title: TITLE('Create an account'),
        method: 'POST',
        type: 'account_registration',
        names: true,
        phone: true,
      });
    }
    const searches = rng.between(1, 3);
    for (let k = 0; k < searches; k++) {
      this.pause(v, 15 * SECOND, 3 * SECOND);
      this.hit(v, this.search(rng.pick(PROMO_SEARCHES)));
    }
    this.pause(v, 20 * SECOND);
    this.hit(v, this.page());
    this.pause(v, 15 * SECOND);
    this.hit(v, { url: '/cart', title: TITLE('Your cart') });
    this.pause(v, 10 * SECOND);
    this.hit(v, {
      url: `/cart/coupon?code=${code}`,
      title: TITLE('Your cart'),
      method: 'POST',
      type: 'page_edit',
    });
    if (rng.chance(0.7)) {
      this.pause(v, 20 * SECOND);
      this.hit(v, { url: '/checkout', title: TITLE('Checkout') });
      this.pause(v, 30 * SECOND);
      this.hit(v, { url: '/checkout', title: TITLE('Checkout'), method: 'POST' });
    }
    return v.t;
  }

  /**
   * Back-office employees: office hours on weekdays from the office line, then a few nights
   * (00:00-05:00 in the project's timezone) from home, changing payout accounts, credit limits,
   * refunds and loyalty points of many customers.
   */
  insiders(count: number): void {
    const { rng } = this;
    const country = COUNTRIES.find((c) => c.code === STAFF.country)!;
    const office = randomV4(rng, STAFF.office);
    const family = BROWSERS.find((b) => b.name === 'chrome-windows')!;
    const muleIbans = [`DE${rng.between(10, 99)}${rng.between(1e9, 9.9e9)}${rng.between(1e7, 9.9e7)}`];
    const muleEmail = `${rng.hex(8)}@proton.me`;
    const tz = this.options.timezone;
    // Days are counted in the project's calendar; `at` turns a day and a wall-clock time into an
    // instant (twice, so that a daylight-saving change that day is taken into account).
    const localDay = (t: number) => Math.floor((t + timezoneOffsetMs(tz, t)) / DAY);
    const at = (day: number, wall: number) => {
      const local = day * DAY + wall;
      return local - timezoneOffsetMs(tz, local - timezoneOffsetMs(tz, local));
    };
    for (let i = 0; i < count; i++) {
      const firstName = rng.pick(country.first);
      const lastName = rng.pick(country.last);
      const first = toAscii(firstName);
      const last = toAscii(lastName);
      const a = this.actor('insider', this.uniqueName(`staff.${first}.${last}`), {
        email: this.uniqueEmail(`${first}.${last}`, STAFF.mailDomain),
        firstName,
        lastName,
        created: this.created(200),
        group: 'staff',
        variant: 'night_edits',
      });
      const device: Device = {
        mobile: false,
        userAgent: family.ua(rng.between, rng.pick),
        language: STAFF.language,
      };
      const home = randomV4(rng, rng.pick(STAFF.home));
      // Nights with mass edits: 2-4 of the last two weeks. A night shift starts between 00:10
      // and 03:30; any 22 hours of the period overlap one such stretch, so there is always one.
      const nights: [number, number, number][] = [];
      const recent = Math.max(this.start, this.end - 14 * DAY);
      for (let day = localDay(recent); day <= localDay(this.end); day++) {
        const from = Math.max(at(day, 10 * MINUTE), recent);
        const to = Math.min(at(day, 3 * HOUR + 30 * MINUTE), this.end - 2 * HOUR);
        if (from < to) nights.push([day, from, to]);
      }
      const shifts = new Map<number, number>();
      for (const [day, from, to] of rng.shuffle(nights).slice(0, rng.between(2, 4))) {
        shifts.set(day, from + rng.int(to - from));
      }
      for (let day = localDay(this.start); day <= localDay(this.end); day++) {
        const shift = shifts.get(day);
        if (shift !== undefined) this.nightShift(a, device, home, shift, muleIbans, muleEmail);
        const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 is Sunday
        if (weekday === 0 || weekday === 6 || rng.chance(0.15)) continue;
        for (const [from, to] of [
          [9 * HOUR, 11 * HOUR],
          [13 * HOUR + 30 * MINUTE, 16 * HOUR],
        ] as const) {
          const start = at(day, from + rng.int(to - from));
          if (start >= this.end - HOUR) break;
          if (start < this.start) continue;
          this.officeSession(a, device, office, start);
        }
      }
    }
  }

  private officeSession(a: Actor, device: Device, ip: string, at: number): void {
    const { rng } = this;
    const v = this.visit(a, device, ip, at);
    this.hit(v, { url: '/admin', title: 'Back office | Example Shop' });
    const actions = rng.between(3, 9);
    for (let k = 0; k < actions; k++) {
      this.pause(v, 3 * MINUTE, 10 * SECOND, 20 * MINUTE);
      const roll = rng.float();
      const order = rng.between(100000, 999999);
      const customer = rng.between(10000, 99999);
      if (roll < 0.35) this.hit(v, { url: '/admin/orders', title: 'Orders | Back office' });
      else if (roll < 0.6)
        this.hit(v, { url: `/admin/orders/${order}`, title: `Order ${order} | Back office` });
      else if (roll < 0.85)
        this.hit(v, { url: `/admin/customers/${customer}`, title: `Customer ${customer} | Back office` });
      else {
        const field = rng.pick([BACKOFFICE_FIELDS[4]!, BACKOFFICE_FIELDS[5]!]);
        this.hit(v, {
          url: `/admin/orders/${order}/edit`,
          title: `Order ${order} | Back office`,
          method: 'POST',
          type: 'field_edit',
          fieldHistory: [
            {
              field_id: field.id,
              field_name: field.name,
              old_value: field.values ? field.values[0]! : `${rng.between(1, 200)} Hauptstraße`,
              new_value: field.values ? field.values[1]! : `${rng.between(1, 200)} Bahnhofstraße`,
              parent_id: `order-${order}`,
              parent_name: `Order ${order}`,
            },
          ],
        });
      }
    }
  }

  private nightShift(a: Actor, device: Device, ip: string, at: number, ibans: string[], email: string): void {
    const { rng } = this;
    const v = this.visit(a, device, ip, at);
    this.hit(v, { url: '/admin/login', title: 'Back office', method: 'POST', type: 'account_login' });
    this.pause(v, 30 * SECOND);
    this.hit(v, { url: '/admin/customers?sort=balance', title: 'Customers | Back office' });
    const edits = rng.between(15, 35);
    for (let k = 0; k < edits; k++) {
      this.pause(v, 70 * SECOND, 15 * SECOND, 10 * MINUTE);
      const customer = rng.between(10000, 99999);
      const fields = rng.shuffle(BACKOFFICE_FIELDS).slice(0, rng.between(1, 3));
      const changes = fields.map((field) => {
        const [old, next] =
          field.id === 'customer.payout_iban'
            ? [`FR76${rng.between(1e9, 9.9e9)}${rng.between(1e9, 9.9e9)}`, rng.pick(ibans)]
            : field.id === 'customer.email'
              ? [`customer${customer}@gmail.com`, email]
              : field.id === 'customer.phone'
                ? [`+3361${rng.between(1000000, 9999999)}`, '+4915112345678']
                : field.values
                  ? [field.values[0]!, field.values.at(-1)!]
                  : [`${rng.between(1, 200)} Rue de Rivoli`, `Packstation ${rng.between(100, 999)}`];
        return {
          field_id: field.id,
          field_name: field.name,
          old_value: old,
          new_value: next,
          parent_id: `customer-${customer}`,
          parent_name: `Customer ${customer}`,
        };
      });
      this.hit(v, {
        url: `/admin/customers/${customer}/edit`,
        title: `Customer ${customer} | Back office`,
        method: 'POST',
        type: 'field_edit',
        fieldHistory: changes,
      });
    }
    if (rng.chance(0.6)) {
      this.pause(v, 60 * SECOND);
      this.hit(v, { url: '/admin/customers/export.csv', title: 'Export | Back office' });
    }
  }
}

/** Generates the demo population and all of its events. */
export function generateDemo(options: DemoOptions): DemoTraffic {
  const days = options.days;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DEMO_DAYS) {
    throw new RangeError(`days must be an integer from 1 to ${MAX_DEMO_DAYS}: ${days}`);
  }
  const plan = planPopulation(options.users);
  const timezone = options.timezone ?? 'UTC';
  timezoneOffsetMs(timezone, 0); // throws RangeError for an unknown zone
  const full: Required<DemoOptions> = {
    users: options.users,
    days,
    seed: options.seed ?? 1,
    now: options.now ?? Date.now(),
    timezone,
  };
  const g = new Generator(full, full.seed);
  for (let i = 0; i < plan.normal; i++) g.normal();
  for (let i = 0; i < plan.account_takeover; i++) g.accountTakeover();
  g.credentialStuffing(plan.credential_stuffing);
  g.bots(plan.bot);
  g.multiAccounting(plan.multi_accounting);
  g.promoAbuse(plan.promo_abuse);
  g.insiders(plan.insider);

  // Interleave the populations (the order users are listed and spread over ingest lanes).
  const order = g.actors.map((a, i) => ({ a, key: g.rng.float(), i }));
  order.sort((x, y) => x.key - y.key || x.i - y.i);
  const users: DemoUser[] = order.map(({ a }) => ({
    userName: a.userName,
    scenario: a.scenario,
    variant: a.variant,
    group: a.group,
    // Nothing may reach past the end of the period (a session that started just before it).
    events: a.events.filter((e) => e.time < g.end),
  }));
  const silent = users.find((u) => u.events.length === 0);
  if (silent) throw new Error(`demo generator bug: ${silent.scenario} user ${silent.userName} has no events`);
  const byName = new Map(users.map((u) => [u.userName, u]));
  let eventCount = 0;
  for (const u of users) eventCount += u.events.length;
  return {
    users,
    eventCount,
    start: g.start,
    end: g.end,
    scenarioOf: (userName) => byName.get(userName)?.scenario,
    counts() {
      const counts = Object.fromEntries(SCENARIOS.map((s) => [s, { users: 0, events: 0 }])) as Record<
        Scenario,
        { users: number; events: number }
      >;
      for (const u of users) {
        counts[u.scenario].users += 1;
        counts[u.scenario].events += u.events.length;
      }
      return counts;
    },
    events() {
      const all: { e: DemoEvent; u: number; k: number }[] = [];
      users.forEach((u, ui) => {
        u.events.forEach((e, k) => {
          all.push({ e, u: ui, k });
        });
      });
      all.sort((x, y) => x.e.time - y.e.time || x.u - y.u || x.k - y.k);
      return all.map((x) => x.e);
    },
  };
}
