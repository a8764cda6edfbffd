/// <reference path="../types/ua-parser-js.d.ts" />
/**
 * User-Agent → device, OS, browser and bot facts, in Matomo DeviceDetector's vocabulary (the
 * names tirreno's rules compare against: `GNU/Linux`, `Mac`, `Chrome Mobile iOS`, `smartphone`,
 * `bot`…). Parsing is done by ua-parser-js 1.x (MIT) for browsers, OS and devices, isbot
 * (Unlicense) for unnamed bots, and Vigil's own token table for named bots, AI agents, HTTP
 * libraries and headless browsers; this module maps their output onto DeviceDetector's names.
 *
 * Decisions (documented in docs/enrichment.md):
 * - Declared crawlers and AI agents: deviceType `bot`, the bot's name, nothing else.
 * - HTTP libraries (curl, python-requests, Go-http-client, okhttp…) and headless browsers
 *   (HeadlessChrome, PhantomJS) are automation: isBot true, deviceType `bot`, botName the client,
 *   and the browser name/version also set to the client (DeviceDetector reports libraries as
 *   clients: `curl` 8.4.0), the OS kept when the UA names one.
 */
import type { UserAgentFacts } from '@vigil/core';
import { isbot, isbotMatch } from 'isbot';
import UAParser from 'ua-parser-js';
import { type BotKind, findNamedBot, isAiAgentName } from './bots.ts';

/** Only this many characters of a User-Agent are parsed (real ones are far shorter). */
export const MAX_UA_LENGTH = 512;

const EMPTY_LISTS: UserAgentFacts['lists'] = Object.freeze([]) as unknown as UserAgentFacts['lists'];

const BROWSER_NAMES: Readonly<Record<string, string>> = {
  'Chrome Headless': 'Headless Chrome',
  'Chrome WebView': 'Chrome Webview',
  Edge: 'Microsoft Edge',
  IE: 'Internet Explorer',
  IEMobile: 'IE Mobile',
  'Samsung Internet': 'Samsung Browser',
  'Opera Mobi': 'Opera Mobile',
  Yandex: 'Yandex Browser',
  GSA: 'Google Search App',
  UCBrowser: 'UC Browser',
  DuckDuckGo: 'DuckDuckGo Privacy Browser',
  Silk: 'Mobile Silk',
  Baidu: 'Baidu Browser',
  QQBrowser: 'QQ Browser',
  QQBrowserLite: 'QQ Browser Lite',
  Whale: 'Whale Browser',
  '360': '360 Browser',
  'Mobile Firefox': 'Firefox Mobile',
  WebKit: '',
  Blink: '',
};

const OS_NAMES: Readonly<Record<string, string>> = {
  'Mac OS': 'Mac',
  macOS: 'Mac',
  'Chromium OS': 'Chrome OS',
  Linux: 'GNU/Linux',
  Arch: 'Arch Linux',
  BlackBerry: 'BlackBerry OS',
  'RIM Tablet OS': 'BlackBerry Tablet OS',
  Symbian: 'Symbian OS',
  KAIOS: 'KaiOS',
  'Android-x86': 'Android',
  Chromecast: 'Chromecast',
  Series40: 'Series 40',
};

/** OS families DeviceDetector treats as desktop when no device type is found. */
const DESKTOP_OS = new Set([
  'Windows',
  'Mac',
  'GNU/Linux',
  'Chrome OS',
  'Ubuntu',
  'Debian',
  'Fedora',
  'Mint',
  'Arch Linux',
  'CentOS',
  'Red Hat',
  'SUSE',
  'openSUSE',
  'Gentoo',
  'Slackware',
  'Mandriva',
  'Kubuntu',
  'Xubuntu',
  'Manjaro',
  'FreeBSD',
  'OpenBSD',
  'NetBSD',
  'Solaris',
  'Unix',
  'BeOS',
  'Haiku',
  'AIX',
  'HP-UX',
]);

const DEVICE_TYPES: Readonly<Record<string, string>> = {
  mobile: 'smartphone',
  tablet: 'tablet',
  smarttv: 'tv',
  console: 'console',
  wearable: 'wearable',
  xr: 'wearable',
};

const parser = new UAParser();

function clean(v: string | undefined | null): string | null {
  if (v === undefined || v === null) return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/** Additive facts not (yet) in core's UserAgentFacts: see docs/enrichment.md. */
export type ParsedUserAgent = UserAgentFacts & { botKind: BotKind | null };

function botFacts(name: string, kind: BotKind, version: string | null, ua: string): ParsedUserAgent {
  const automation = kind === 'library' || kind === 'headless';
  let osName: string | null = null;
  let osVersion: string | null = null;
  let browserVersion = automation ? version : null;
  if (kind === 'headless') {
    parser.setUA(ua);
    const os = parser.getOS();
    osName = mapOs(clean(os.name));
    osVersion = osName ? clean(os.version) : null;
    browserVersion = version ?? clean(parser.getBrowser().version);
  }
  return {
    deviceType: 'bot',
    brand: null,
    model: null,
    osName,
    osVersion,
    browserName: automation ? name : null,
    browserVersion,
    isBot: true,
    botName: name,
    isAiBot: kind === 'ai' || isAiAgentName(name),
    botKind: kind,
    lists: EMPTY_LISTS,
  };
}

function mapOs(name: string | null): string | null {
  if (name === null) return null;
  return OS_NAMES[name] ?? name;
}

/** The product token isbot matched (`Foo-Crawler/1.2` → `Foo-Crawler`), for unnamed bots. */
function unnamedBotName(ua: string): string {
  const hit = isbotMatch(ua);
  if (hit) {
    const at = ua.indexOf(hit);
    if (at >= 0) {
      let from = at;
      while (from > 0 && /[A-Za-z0-9_.-]/.test(ua[from - 1]!)) from--;
      let to = at + hit.length;
      while (to < ua.length && /[A-Za-z0-9_.-]/.test(ua[to]!)) to++;
      const token = ua.slice(from, to).replace(/^[._-]+|[._-]+$/g, '');
      // A product token (`Name/1.0`) or a self-described bot; not any odd word isbot disliked.
      const product = ua.charCodeAt(to) === 47 || /bot|crawl|spider|scan|fetch|check|monitor/i.test(token);
      if (product && /[A-Za-z]{2,}/.test(token) && token.length <= 40 && !/^https?$/i.test(token))
        return token;
    }
  }
  return 'Generic Bot';
}

/**
 * Parses one User-Agent. Null for a missing or blank value (rule D11 reads the raw string).
 * Never throws; the caller caches the result per distinct string.
 */
export function parseUserAgent(raw: string | null | undefined): ParsedUserAgent | null {
  if (typeof raw !== 'string') return null;
  const ua = (raw.length > MAX_UA_LENGTH ? raw.slice(0, MAX_UA_LENGTH) : raw).trim();
  if (ua === '') return null;

  const named = findNamedBot(ua);
  if (named) return botFacts(named.name, named.kind, named.version, ua);
  if (isbot(ua)) return botFacts(unnamedBotName(ua), 'crawler', null, ua);

  parser.setUA(ua);
  const b = parser.getBrowser();
  const o = parser.getOS();
  const d = parser.getDevice();

  let osName = mapOs(clean(o.name));
  let osVersion = osName ? clean(o.version) : null;
  const vendor = clean(d.vendor);
  let model = clean(d.model);
  let deviceType = d.type ? (DEVICE_TYPES[d.type] ?? null) : null;

  // Device type where ua-parser-js gives none.
  if (d.type === 'embedded' && vendor === 'Tesla') deviceType = 'car browser';
  if (deviceType === null && osName === 'Android')
    deviceType = /\bMobile\b/.test(ua) ? 'smartphone' : 'tablet';
  if (deviceType === null && osName === 'iOS') {
    if (/\biPad\b/.test(ua)) deviceType = 'tablet';
    else if (/\biPod\b/.test(ua)) deviceType = 'portable media player';
    else if (/\biPhone\b/.test(ua)) deviceType = 'smartphone';
  }
  if (deviceType === null && osName !== null && DESKTOP_OS.has(osName) && d.type === undefined)
    deviceType = 'desktop';
  if (osName === 'iOS' && (model === 'iPad' || /\biPad\b/.test(ua))) osName = 'iPadOS';
  if (osName === 'Mac' || osName === 'Windows') {
    // Desktops: ua-parser-js names the Mac "Macintosh"; DeviceDetector reports no model.
    if (model === 'Macintosh') model = null;
  }
  if (model === 'K' && osName === 'Android') model = null; // the frozen "Android 10; K" of reduced UAs
  if (osVersion !== null && osName === 'Mac') osVersion = osVersion.replace(/_/g, '.');

  // Browser names in DeviceDetector's spelling, some depending on the platform.
  let browserName = clean(b.name);
  if (browserName !== null) browserName = BROWSER_NAMES[browserName] ?? browserName;
  if (browserName === '') browserName = null;
  const mobileOs = osName === 'Android' || osName === 'iOS' || osName === 'iPadOS';
  if (browserName === 'Chrome') {
    if (osName === 'iOS' || osName === 'iPadOS') browserName = 'Chrome Mobile iOS';
    else if (osName === 'Android' && (deviceType === 'smartphone' || /\bMobile\b/.test(ua)))
      browserName = 'Chrome Mobile';
  } else if (browserName === 'Firefox') {
    if (osName === 'iOS' || osName === 'iPadOS') browserName = 'Firefox iOS';
    else if (osName === 'Android') browserName = 'Firefox Mobile';
  } else if (browserName === 'Safari' && mobileOs) {
    browserName = 'Mobile Safari';
  }
  const browserVersion = browserName ? clean(b.version) : null;

  let brand = vendor;
  if (brand === null && (osName === 'Mac' || osName === 'iOS' || osName === 'iPadOS')) brand = 'Apple';

  return {
    deviceType,
    brand,
    model,
    osName,
    osVersion,
    browserName,
    browserVersion,
    isBot: false,
    botName: null,
    isAiBot: false,
    botKind: null,
    lists: EMPTY_LISTS,
  };
}
