// Realistic, reproducible sensor traffic for benchmarks and demos.
//
//   const traffic = createTraffic({ users: 5000, seed: 1 });
//   const { userName, fields } = traffic.next();   // tirreno sensor fields of the next event
//   const body = encodeForm(fields, 'php');          // the exact body that SDK would send
//
// A fixed population of users (several countries, 1-3 devices each, home and mobile networks,
// IPv4 and some IPv6) browses a web shop in sessions: bursts of events seconds to minutes apart,
// hours between sessions, little activity at local night. Events come out in time order across
// all users. Same seed + same startTime = same events, byte for byte. No dependencies.

import { formatIpv6 } from '@vigil/core';
import { createRng } from './lib/rng.mjs';
import {
  APP_ORIGIN,
  BROKEN_PATHS,
  BROWSERS,
  CATEGORIES,
  COUNTRIES,
  EDITABLE_FIELDS,
  EXTERNAL_REFERERS,
  HELP_TOPICS,
  SEARCH_FIELD,
  SEARCH_TERMS,
} from './lib/traffic-data.mjs';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The SDK body encodings `encodeForm` knows. */
export const STYLES = ['node', 'php', 'python'];

const pad2 = (n) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);
let cachedDay = Number.NaN;
let cachedDate = '';

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, the format all three tirreno SDKs send. */
export function formatEventTime(ms) {
  // The load generator formats thousands of these a second: only the date part needs a Date.
  const t = Math.floor(ms);
  const day = Math.floor(t / DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY).toISOString().slice(0, 10);
  }
  let rest = t - day * DAY;
  const h = Math.floor(rest / HOUR);
  rest -= h * HOUR;
  const m = Math.floor(rest / MINUTE);
  rest -= m * MINUTE;
  const s = Math.floor(rest / SECOND);
  return `${cachedDate} ${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(rest - s * SECOND)}`;
}

// ---------------------------------------------------------------------------------------------
// Addresses

function parseV4Cidr(cidr) {
  const [addr, len] = cidr.split('/');
  const base = addr.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return { base, size: 2 ** (32 - Number(len)) };
}

function randomV4(rng, cidr) {
  const { base, size } = parseV4Cidr(cidr);
  for (;;) {
    const n = base + rng.int(size);
    const last = n % 256;
    if (last === 0 || last === 255) continue; // network/broadcast-looking addresses are rare
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, last].join('.');
  }
}

function parseV6Prefix(prefix) {
  const [addr, len] = prefix.split('/');
  const [head, tail = ''] = addr.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = new Array(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups].map((g) => Number.parseInt(g, 16));
  return { groups, len: Number(len) };
}

/** A random /64 inside the prefix (a household's network): its first four groups. */
function randomV6Network(rng, prefix) {
  const { groups, len } = parseV6Prefix(prefix);
  const network = [];
  for (let g = 0; g < 4; g++) {
    const fixedBits = Math.max(0, Math.min(16, len - 16 * g));
    const fixedMask = fixedBits === 0 ? 0 : (0xffff << (16 - fixedBits)) & 0xffff;
    network.push((groups[g] & fixedMask) | (rng.int(0x10000) & ~fixedMask & 0xffff));
  }
  return network;
}

/** An address in the network with a random (privacy-extension style) interface identifier. */
function randomV6Address(rng, network) {
  const iid = [rng.int(0x10000) | 0x100, rng.int(0x10000), rng.int(0x10000), rng.int(0x10000) | 1];
  return formatIpv6([...network, ...iid]);
}

// ---------------------------------------------------------------------------------------------
// Users

function toAscii(text) {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function acceptLanguage(browser, country, rng) {
  const tags = rng.chance(0.05) ? ['en-US', 'en'] : [country.lang, ...country.langBase];
  if (browser.name === 'firefox-linux') {
    const q = [0.8, 0.5, 0.3, 0.2];
    return tags.map((t, i) => (i === 0 ? t : `${t};q=${q[i - 1] ?? 0.1}`)).join(',');
  }
  if (browser.name === 'safari-ios' || browser.name === 'safari-macos') {
    return tags
      .slice(0, 2)
      .map((t, i) => (i === 0 ? t : `${t};q=0.9`))
      .join(',');
  }
  return tags.map((t, i) => (i === 0 ? t : `${t};q=${(1 - i / 10).toFixed(1)}`)).join(',');
}

function makeDevice(rng, country, wantMobile) {
  const family = rng.weighted(BROWSERS.filter((b) => b.mobile === wantMobile).map((b) => [b.weight, b]));
  return { mobile: family.mobile, userAgent: family.ua(rng), lang: acceptLanguage(family, country, rng) };
}

function phoneNumber(rng, country) {
  let digits = '';
  for (let i = 0; i < country.phoneDigits; i++) digits += String(rng.int(10));
  return `+${country.phoneCode}${rng.pick(country.phonePrefix)}${digits}`;
}

function makeUser(rng, index, startTime) {
  const country = rng.weighted(COUNTRIES.map((c) => [c.weight, c]));
  const firstName = rng.pick(country.first);
  const lastName = rng.pick(country.last);
  const first = toAscii(firstName);
  const last = toAscii(lastName);
  const userName = `${first}.${last}.${1000 + index}`;
  const local = rng.pick([
    `${first}.${last}${index}`,
    `${first}${last}${index}`,
    `${first[0]}${last}${index}`,
  ]);

  const deviceCount = rng.weighted([
    [50, 1],
    [35, 2],
    [15, 3],
  ]);
  const devices = [];
  for (let i = 0; i < deviceCount; i++) {
    // A second device is more often of the other kind (a phone next to a laptop).
    const mobileShare = i === 0 ? country.mobileShare : devices[0].mobile ? 0.3 : 0.8;
    devices.push(makeDevice(rng, country, rng.chance(mobileShare)));
  }

  const fixed = country.v4.filter(([, kind]) => kind === 'fixed').map(([cidr]) => cidr);
  const mobile = country.v4.filter(([, kind]) => kind === 'mobile').map(([cidr]) => cidr);
  const homeRanges = fixed.length ? fixed : mobile;
  const v6Network =
    country.v6.length && rng.chance(country.ipv6Share) ? randomV6Network(rng, rng.pick(country.v6)) : null;

  const isNew = rng.chance(0.25);
  const profile = {};
  for (const field of EDITABLE_FIELDS) {
    profile[field.id] = field.values ? rng.pick(field.values) : `${firstName} ${lastName[0]}.`;
  }
  return {
    index,
    country,
    userName,
    firstName,
    lastName,
    local,
    email: `${local}@${rng.pick(country.mail)}`,
    phone: rng.chance(0.55) ? phoneNumber(rng, country) : null,
    devices,
    homeRanges,
    mobileRanges: mobile.length ? mobile : homeRanges,
    homeV4: randomV4(rng, rng.pick(homeRanges)),
    v6Network,
    registered: !isNew,
    loggedIn: rng.chance(0.5),
    profile,
    // New users sign up during the first five days, existing ones show up within the first day.
    nextAt: startTime + Math.floor(rng.float() * (isNew ? 5 * DAY : DAY)),
    plan: [],
    step: 0,
    session: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Sessions

/** Moves a session start out of the user's local night (01:00-07:00) to the morning. */
function awake(rng, user, at) {
  const localHour = (((at / HOUR + user.country.utcOffset) % 24) + 24) % 24;
  if (localHour >= 1 && localHour < 7)
    return at + (7 - localHour) * HOUR + Math.floor(rng.float() * 3 * HOUR);
  return at;
}

function sessionAddress(rng, user, device) {
  if (rng.chance(0.01)) {
    // Travelling: a hotel or roaming network abroad.
    const abroad = rng.pick(COUNTRIES.filter((c) => c !== user.country));
    return randomV4(rng, rng.pick(abroad.v4)[0]);
  }
  if (device.mobile && rng.chance(0.5)) return randomV4(rng, rng.pick(user.mobileRanges));
  if (rng.chance(0.03)) user.homeV4 = randomV4(rng, rng.pick(user.homeRanges)); // dynamic IP renewed
  if (user.v6Network && rng.chance(0.7)) return randomV6Address(rng, user.v6Network);
  return user.homeV4;
}

const ACTIONS = [
  [70, 'view'],
  [10, 'search'],
  [4, 'field_edit'],
  [1, 'account_edit'],
  [1.5, 'not_found'],
  [0.6, 'password_change'],
  [0.3, 'email_change'],
];

function planSession(rng, user) {
  const plan = [];
  if (!user.registered) {
    plan.push('landing', 'signup_page', 'registration');
  } else if (user.loggedIn) {
    plan.push('landing');
  } else {
    plan.push('login_page');
    if (rng.chance(0.12)) {
      plan.push('login_fail');
      if (rng.chance(0.3)) plan.push('login_fail');
    }
    plan.push('login');
  }
  const more = 1 + Math.min(40, Math.floor(rng.exp(6)));
  for (let i = 0; i < more; i++) plan.push(rng.weighted(ACTIONS));
  if (rng.chance(0.25)) plan.push('logout');
  return plan;
}

function startSession(rng, user) {
  const primary = rng.chance(0.6);
  const device = primary ? user.devices[0] : rng.pick(user.devices);
  user.session = { device, ip: sessionAddress(rng, user, device), lastPath: null };
  user.plan = planSession(rng, user);
  user.step = 0;
}

// ---------------------------------------------------------------------------------------------
// Events

function pageFor(rng) {
  const kind = rng.weighted([
    [10, 'home'],
    [40, 'product'],
    [15, 'category'],
    [8, 'cart'],
    [3, 'checkout'],
    [5, 'orders'],
    [5, 'account'],
    [4, 'help'],
  ]);
  switch (kind) {
    case 'product': {
      const id = rng.between(10000, 99999);
      return [`/products/${id}`, `Product ${id} | Example Shop`];
    }
    case 'category': {
      const slug = rng.pick(CATEGORIES);
      return [`/category/${slug}`, `${slug[0].toUpperCase()}${slug.slice(1)} | Example Shop`];
    }
    case 'cart':
      return ['/cart', 'Your cart | Example Shop'];
    case 'checkout':
      return ['/checkout', 'Checkout | Example Shop'];
    case 'orders':
      return rng.chance(0.5)
        ? ['/orders', 'Your orders | Example Shop']
        : [`/orders/${rng.between(100000, 999999)}`, 'Order details | Example Shop'];
    case 'account':
      return ['/account', 'Your account | Example Shop'];
    case 'help': {
      const topic = rng.pick(HELP_TOPICS);
      return [`/help/${topic}`, `Help: ${topic} | Example Shop`];
    }
    default:
      return ['/', 'Example Shop'];
  }
}

function nextValue(rng, field, user, current) {
  const values = field.values ?? [
    `${user.firstName} ${user.lastName}`,
    `${user.firstName} ${user.lastName[0]}.`,
    user.firstName,
    `${user.firstName}${user.index % 100}`,
  ];
  return rng.pick(values.filter((v) => v !== current));
}

/** Builds the event for one planned action; mutates the user (email, profile, login state). */
function makeEvent(rng, user, action, time) {
  const { session } = user;
  let path;
  let title;
  let method = 'GET';
  let code = 200;
  let type = 'page_view';
  let names = false;
  let phone = false;
  let payload;
  let fieldHistory;

  switch (action) {
    case 'landing':
    case 'view':
      [path, title] = action === 'landing' && rng.chance(0.5) ? ['/', 'Example Shop'] : pageFor(rng);
      break;
    case 'signup_page':
      [path, title] = ['/signup', 'Create an account | Example Shop'];
      break;
    case 'registration':
      [path, title, method, type] = [
        '/signup',
        'Create an account | Example Shop',
        'POST',
        'account_registration',
      ];
      names = true;
      phone = true;
      user.registered = true;
      user.loggedIn = true;
      break;
    case 'login_page':
      [path, title] = ['/login', 'Sign in | Example Shop'];
      break;
    case 'login':
      [path, title, method, type] = ['/login', 'Sign in | Example Shop', 'POST', 'account_login'];
      names = rng.chance(0.3);
      phone = rng.chance(0.2);
      user.loggedIn = rng.chance(0.6); // "remember me" for the next session
      break;
    case 'login_fail':
      [path, title, method, type] = ['/login', 'Sign in | Example Shop', 'POST', 'account_login_fail'];
      code = rng.chance(0.5) ? 401 : 200;
      break;
    case 'logout':
      [path, title, method, type] = ['/logout', 'Signed out | Example Shop', 'POST', 'account_logout'];
      user.loggedIn = false;
      break;
    case 'search': {
      const term = rng.pick(SEARCH_TERMS);
      path = `/search?q=${encodeURIComponent(term)}`;
      title = `Search: ${term} | Example Shop`;
      type = 'page_search';
      payload = { field_id: SEARCH_FIELD.id, value: term, field_name: SEARCH_FIELD.name };
      break;
    }
    case 'field_edit': {
      [path, title, method, type] = ['/account/settings', 'Settings | Example Shop', 'POST', 'field_edit'];
      const count = rng.chance(0.25) ? 2 : 1;
      const start = rng.int(EDITABLE_FIELDS.length);
      fieldHistory = [];
      for (let i = 0; i < count; i++) {
        const field = EDITABLE_FIELDS[(start + i) % EDITABLE_FIELDS.length];
        const oldValue = user.profile[field.id];
        const newValue = nextValue(rng, field, user, oldValue);
        user.profile[field.id] = newValue;
        fieldHistory.push({
          field_id: field.id,
          new_value: newValue,
          old_value: oldValue,
          field_name: field.name,
        });
      }
      break;
    }
    case 'account_edit':
      [path, title, method, type] = ['/account', 'Your account | Example Shop', 'POST', 'account_edit'];
      names = true;
      phone = true;
      break;
    case 'password_change':
      [path, title, method, type] = [
        '/account/security',
        'Security | Example Shop',
        'POST',
        'account_password_change',
      ];
      break;
    case 'email_change': {
      [path, title, method, type] = [
        '/account/settings',
        'Settings | Example Shop',
        'POST',
        'account_email_change',
      ];
      const domains = user.country.mail.filter((d) => !user.email.endsWith(`@${d}`));
      const newEmail = `${user.local}@${rng.pick(domains)}`;
      payload = { new_value: newEmail, old_value: user.email };
      user.email = newEmail;
      break;
    }
    case 'not_found':
      path = rng.pick(BROKEN_PATHS);
      title = 'Page not found | Example Shop';
      code = 404;
      break;
    default:
      throw new Error(`unknown action ${action}`);
  }

  let referer;
  if (session.lastPath) referer = `${APP_ORIGIN}${session.lastPath}`;
  else referer = rng.chance(0.5) ? '' : rng.pick(EXTERNAL_REFERERS);
  session.lastPath = path;

  // Field order is the Node SDK's: its eight default fields, then the optional ones.
  const fields = {
    userName: user.userName,
    eventTime: formatEventTime(time),
    ipAddress: session.ip,
    userAgent: session.device.userAgent,
    browserLanguage: session.device.lang,
    httpMethod: method,
    httpReferer: referer,
    url: path,
    pageTitle: title,
  };
  if (names) {
    fields.firstName = user.firstName;
    fields.lastName = user.lastName;
  }
  fields.emailAddress = user.email;
  if (phone && user.phone) fields.phoneNumber = user.phone;
  fields.eventType = type;
  fields.httpCode = code;
  if (payload) fields.payload = payload;
  if (fieldHistory) fields.fieldHistory = fieldHistory;
  return { userName: user.userName, fields };
}

// ---------------------------------------------------------------------------------------------
// The merged, time-ordered stream

/** Binary min-heap of users by (nextAt, index). */
function createHeap(items) {
  const heap = [];
  const less = (a, b) => a.nextAt < b.nextAt || (a.nextAt === b.nextAt && a.index < b.index);
  function down(i) {
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && less(heap[l], heap[m])) m = l;
      if (r < n && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
  heap.push(...items);
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  return { top: () => heap[0], fixTop: () => down(0) };
}

/**
 * @param {{ users?: number, seed?: number|string, startTime?: number }} [options]
 *   startTime: epoch ms of the simulated clock's start (event times grow from there; about
 *   6000 events per simulated hour per 5000 users, so long runs can go past "now").
 */
export function createTraffic({ users = 1000, seed = 1, startTime = Date.now() - 7 * DAY } = {}) {
  if (!Number.isInteger(users) || users < 1)
    throw new RangeError(`users must be a positive integer: ${users}`);
  if (!Number.isFinite(startTime)) throw new RangeError(`startTime must be epoch milliseconds: ${startTime}`);
  const rng = createRng(seed);
  const population = [];
  for (let i = 0; i < users; i++) population.push(makeUser(rng, i, Math.floor(startTime)));
  const heap = createHeap(population);
  let count = 0;
  let clock = startTime;

  return {
    users: users,
    /** Events produced so far. */
    get count() {
      return count;
    },
    /** Simulated time (epoch ms) of the last event. */
    get clock() {
      return clock;
    },
    /** @returns {{ userName: string, fields: Record<string, unknown> }} */
    next() {
      const user = heap.top();
      if (user.step >= user.plan.length) startSession(rng, user);
      const action = user.plan[user.step++];
      clock = user.nextAt;
      const event = makeEvent(rng, user, action, user.nextAt);
      if (user.step < user.plan.length) {
        user.nextAt += 2 * SECOND + Math.floor(rng.exp(40 * SECOND)) + rng.int(SECOND);
      } else {
        const gap = HOUR + Math.floor(rng.exp(12 * HOUR));
        user.nextAt = Math.floor(awake(rng, user, user.nextAt + gap));
      }
      heap.fixTop();
      count++;
      return event;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Body encodings of the three tirreno SDKs (spec §7)

const hex = (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
const PLAIN = /^[A-Za-z0-9_.-]*$/;

/** qs.stringify (RFC 3986): only A-Z a-z 0-9 - _ . ~ stay literal; space is %20. */
function encodeNode(s) {
  if (PLAIN.test(s)) return s;
  const e = encodeURIComponent(s);
  return /[!'()*]/.test(e) ? e.replace(/[!'()*]/g, hex) : e;
}
/** PHP urlencode (http_build_query): only A-Z a-z 0-9 - _ . stay literal; space is +. */
function encodePhp(s) {
  if (PLAIN.test(s)) return s;
  const e = encodeURIComponent(s).replaceAll('%20', '+');
  return /[!'()*~]/.test(e) ? e.replace(/[!'()*~]/g, hex) : e;
}
/** Python quote_plus (requests): A-Z a-z 0-9 - _ . ~ stay literal; space is +. */
function encodePython(s) {
  if (PLAIN.test(s)) return s;
  const e = encodeURIComponent(s).replaceAll('%20', '+');
  return /[!'()*]/.test(e) ? e.replace(/[!'()*]/g, hex) : e;
}

function scalar(value, style) {
  if (typeof value === 'boolean') {
    if (style === 'php') return value ? '1' : '0';
    if (style === 'python') return value ? 'True' : 'False';
  }
  return String(value);
}

/** Bracket notation, as qs (indices) and http_build_query produce it. */
function flattenBrackets(key, value, style, out) {
  if (value === undefined) return;
  if (value === null) {
    if (style === 'node') out.push([key, '']); // qs writes `key=`; http_build_query skips nulls
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) flattenBrackets(`${key}[${i}]`, value[i], style, out);
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flattenBrackets(`${key}[${k}]`, v, style, out);
  } else {
    out.push([key, scalar(value, style)]);
  }
}

/**
 * requests form-encodes a dict value by iterating it, which yields its key names only, and a list
 * by sending each element (a dict element again yields its key names). So the Python SDK's
 * payload and fieldHistory arrive as `payload=field_id&payload=value…`: the SDK's real bug.
 */
function flattenPython(key, value, out) {
  const items = Array.isArray(value) ? value : typeof value === 'object' ? Object.keys(value) : [value];
  for (const item of items) {
    if (item === null || item === undefined) continue;
    if (typeof item === 'object') {
      for (const k of Array.isArray(item) ? item : Object.keys(item)) out.push([key, scalar(k, 'python')]);
    } else {
      out.push([key, scalar(item, 'python')]);
    }
  }
}

/**
 * Encodes sensor fields as the body one of tirreno's SDKs sends (`application/x-www-form-urlencoded`).
 * Fields are written in the object's key order; null/undefined fields are not sent.
 * @param {Record<string, unknown>} fields
 * @param {'node'|'php'|'python'} [style]
 */
export function encodeForm(fields, style = 'node') {
  const encode =
    style === 'node' ? encodeNode : style === 'php' ? encodePhp : style === 'python' ? encodePython : null;
  if (!encode) throw new RangeError(`unknown encoding style ${style}; expected one of ${STYLES.join(', ')}`);
  const pairs = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    if (style === 'python') flattenPython(key, value, pairs);
    else flattenBrackets(key, value, style, pairs);
  }
  const cache = CACHES[style];
  let body = '';
  for (let i = 0; i < pairs.length; i++) {
    const [k, v] = pairs[i];
    body += `${i ? '&' : ''}${cached(encode, cache, k)}=${cached(encode, cache, v)}`;
  }
  return body;
}

// Most values repeat from event to event (names, user agents, languages, e-mails): a small
// direct-mapped cache of their encoded form halves the cost of encoding in the load generator.
const CACHE_SLOTS = 4096;
const newCache = () => ({
  keys: new Array(CACHE_SLOTS).fill(null),
  values: new Array(CACHE_SLOTS).fill(null),
});
const CACHES = { node: newCache(), php: newCache(), python: newCache() };

function cached(encode, cache, s) {
  const n = s.length;
  if (n < 8) return encode(s);
  const slot =
    (n * 31 + s.charCodeAt(n >> 1) * 7 + s.charCodeAt(n >> 2) * 13 + s.charCodeAt(n - 1)) & (CACHE_SLOTS - 1);
  if (cache.keys[slot] === s) return cache.values[slot];
  const encoded = encode(s);
  cache.keys[slot] = s;
  cache.values[slot] = encoded;
  return encoded;
}
