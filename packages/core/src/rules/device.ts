// D — Device rules, over every device (user agent + browser language) the user has ever used.
// Names follow Matomo DeviceDetector's vocabulary. A null device type, OS or browser means the
// local parser did not recognise the user agent — a fact, not missing data — so "unrecognised"
// counts as unknown (D01) and as rare (D04, D05), as in tirreno. Every rule is not applicable
// while the user has no device at all.
import type { DeviceFeature, RuleDefinition, RuleResult } from './features.ts';
import {
  anyDevice,
  blank,
  distinct,
  eventsOnDevices,
  majorVersion,
  match,
  minimumVersion,
  NO_DEVICE,
  noMatch,
  notApplicable,
} from './helpers/cde.ts';

/**
 * D10: fragments that do not belong in a browser's User-Agent but do in injection and probing
 * attempts: SQL, script and template injection, URL-encoded quotes and separators, shell and
 * executable hints, path traversal. Matched as case-insensitive substrings of the raw User-Agent.
 */
export const SUSPICIOUS_USER_AGENT_FRAGMENTS: readonly string[] = Object.freeze([
  // SQL injection
  "' or ",
  '" or ',
  'or 1=1',
  'union select',
  'union all select',
  'select ',
  'select(',
  'drop table',
  'insert into',
  'delete from',
  'sleep(',
  'waitfor delay',
  'benchmark(',
  '@@version',
  '--',
  '/*',
  // URL-encoded quotes, separators, angle brackets and control characters
  '%27',
  '%22',
  '%3b',
  '%3c',
  '%3e',
  '%00',
  '%0a',
  '%0d',
  // Script and template injection
  '<script',
  'javascript:',
  'onerror=',
  '${',
  '{{',
  // Shell and executables
  '/bin/',
  '() {',
  '$(',
  '|sh',
  '.sh ',
  'cmd.exe',
  'powershell',
  '.exe',
  // Path traversal and sensitive files
  '../',
  '/etc/passwd',
]);

/**
 * D13 fallback: names of AI agents, assistants and AI crawlers as the user-agent parser reports
 * them in `botName`. Only consulted for devices whose `isAiBot` is unknown (recorded before the
 * parser classified AI agents); compared case-insensitively with the whole name.
 */
export const AI_AGENT_NAMES: readonly string[] = Object.freeze([
  'GPTBot',
  'ChatGPT-User',
  'ChatGPT Agent',
  'OAI-SearchBot',
  'ClaudeBot',
  'Claude-Web',
  'Claude-User',
  'Claude-SearchBot',
  'anthropic-ai',
  'PerplexityBot',
  'Perplexity-User',
  'Google-Extended',
  'Google-CloudVertexBot',
  'GoogleOther',
  'Gemini-Deep-Research',
  'Bytespider',
  'CCBot',
  'Applebot-Extended',
  'Meta-ExternalAgent',
  'Meta-ExternalFetcher',
  'FacebookBot',
  'Amazonbot',
  'cohere-ai',
  'Diffbot',
  'YouBot',
  'AI2Bot',
  'Timpibot',
  'ImagesiftBot',
  'DuckAssistBot',
  'MistralAI-User',
  'PhindBot',
  'DeepSeekBot',
  'omgili',
  'Webzio-Extended',
  'FirecrawlAgent',
  'Crawl4AI',
]);

const AI_AGENT_SET: ReadonlySet<string> = new Set(AI_AGENT_NAMES.map((n) => n.toLowerCase()));

const count = (n: number, what: string) => (n === 1 ? `1 ${what}` : `${n} ${what}s`);

export const D01: RuleDefinition = {
  code: 'D01',
  group: 'D',
  name: 'Device is unknown',
  description:
    'The user agent of one of the user’s devices could not be recognised as any known kind of device: it may be forged or hand-made.',
  requires: [],
  evaluate: (f) =>
    anyDevice(
      f,
      (d) => d.deviceType === null,
      (hits) => `${count(hits.length, 'device')} of unrecognised type`,
      (hits) => ({ userAgents: hits.map((d) => d.userAgent) }),
    ),
};

export const D02: RuleDefinition = {
  code: 'D02',
  group: 'D',
  name: 'Device is Linux',
  description:
    'One of the user’s devices runs desktop Linux, uncommon among ordinary users and common among scripts and crawlers.',
  requires: [],
  evaluate: (f) =>
    anyDevice(
      f,
      (d) => d.osName === 'GNU/Linux',
      (hits) => `${count(hits.length, 'device')} running GNU/Linux`,
      () => ({ osName: 'GNU/Linux' }),
    ),
};

export const D03: RuleDefinition = {
  code: 'D03',
  group: 'D',
  name: 'Device is bot',
  description: 'One of the user’s devices identifies itself as a bot, crawler or automation client.',
  requires: [],
  evaluate: (f) =>
    anyDevice(
      f,
      (d) => d.deviceType === 'bot' || d.isBot === true,
      (hits) =>
        `${count(hits.length, 'bot device')}: ${hits.map((d) => d.botName ?? 'unnamed bot').join(', ')}`,
      (hits) => ({ botNames: hits.map((d) => d.botName) }),
    ),
};

export const D04: RuleDefinition = {
  code: 'D04',
  group: 'D',
  name: 'Rare browser device',
  description:
    'One of the user’s devices uses a browser outside the list of common browsers (an unrecognised browser counts as rare).',
  requires: [],
  evaluate: (f, t) =>
    anyDevice(
      f,
      (d) => d.browserName === null || !Object.hasOwn(t.regularBrowsers, d.browserName),
      (hits) =>
        `${count(hits.length, 'device')} with a rare browser: ${hits.map((d) => d.browserName ?? 'unrecognised').join(', ')}`,
      (hits) => ({ browsers: hits.map((d) => d.browserName) }),
    ),
};

export const D05: RuleDefinition = {
  code: 'D05',
  group: 'D',
  name: 'Rare OS device',
  description:
    'One of the user’s devices runs an operating system outside the list of common ones (an unrecognised system counts as rare).',
  requires: [],
  evaluate: (f, t) =>
    anyDevice(
      f,
      (d) => d.osName === null || !t.regularOsNames.includes(d.osName),
      (hits) =>
        `${count(hits.length, 'device')} with a rare OS: ${hits.map((d) => d.osName ?? 'unrecognised').join(', ')}`,
      (hits) => ({ osNames: hits.map((d) => d.osName) }),
    ),
};

export const D06: RuleDefinition = {
  code: 'D06',
  group: 'D',
  name: 'Multiple devices per user',
  description: 'The account has been used from many different devices, perhaps by several people.',
  requires: [],
  evaluate(f, t) {
    if (f.devices.length === 0) return notApplicable(NO_DEVICE);
    const n = f.devices.length;
    if (n <= t.maxDevices) return noMatch({ devices: n, max: t.maxDevices });
    return match(`${n} devices (more than ${t.maxDevices})`, { devices: n, max: t.maxDevices });
  },
};

export const D07: RuleDefinition = {
  code: 'D07',
  group: 'D',
  name: 'Several desktop devices',
  description:
    'The account has been used from desktops running different operating systems: maybe a shared account.',
  requires: [],
  evaluate(f) {
    if (f.devices.length === 0) return notApplicable(NO_DEVICE);
    const desktops = f.devices.filter((d) => d.deviceType === 'desktop' && d.osName !== null);
    const osNames = distinct(desktops.map((d) => d.osName));
    if (osNames.length < 2) return noMatch({ desktopOsNames: osNames });
    return match(
      `desktops with ${osNames.length} operating systems: ${osNames.join(', ')}`,
      { osNames, deviceIds: desktops.map((d) => d.id) },
      eventsOnDevices(f, desktops),
    );
  },
};

export const D08: RuleDefinition = {
  code: 'D08',
  group: 'D',
  name: 'Two or more phone devices',
  description: 'The account has been used from more than one smartphone: maybe a shared account.',
  requires: [],
  evaluate(f) {
    if (f.devices.length === 0) return notApplicable(NO_DEVICE);
    const phones = f.devices.filter((d) => d.deviceType === 'smartphone');
    if (phones.length < 2) return noMatch({ smartphones: phones.length });
    return match(
      `${phones.length} smartphones`,
      { smartphones: phones.length, deviceIds: phones.map((d) => d.id) },
      eventsOnDevices(f, phones),
    );
  },
};

export const D09: RuleDefinition = {
  code: 'D09',
  group: 'D',
  name: 'Old browser',
  description:
    'One of the user’s devices runs a common browser in a version older than the oldest one still in regular use.',
  requires: [],
  evaluate(f, t) {
    if (f.devices.length === 0) return notApplicable(NO_DEVICE);
    const judged = f.devices.flatMap((d) => {
      const min = minimumVersion(t, d.browserName);
      const major = majorVersion(d.browserVersion);
      return min === null || major === null ? [] : [{ d, min, major }];
    });
    if (judged.length === 0) return notApplicable('no device with a common browser of known version');
    const old = judged.filter((j) => j.major < j.min);
    if (old.length === 0) return noMatch({ devicesChecked: judged.length });
    const browsers = old.map((j) => ({
      browser: j.d.browserName,
      version: j.d.browserVersion,
      minimum: j.min,
    }));
    return match(
      `${count(old.length, 'outdated browser')}: ${browsers.map((b) => `${b.browser} ${b.version}`).join(', ')}`,
      { deviceIds: old.map((j) => j.d.id), browsers },
      eventsOnDevices(
        f,
        old.map((j) => j.d),
      ),
    );
  },
};

/** The suspicious fragments a User-Agent contains (case-insensitive). */
export function suspiciousFragments(userAgent: string): string[] {
  const ua = userAgent.toLowerCase();
  return SUSPICIOUS_USER_AGENT_FRAGMENTS.filter((frag) => ua.includes(frag));
}

export const D10: RuleDefinition = {
  code: 'D10',
  group: 'D',
  name: 'Potentially vulnerable User-Agent',
  description:
    'The User-Agent of one of the user’s devices carries injection or probing content (SQL, script, shell or encoded quotes).',
  requires: [],
  evaluate(f) {
    if (f.devices.length === 0) return notApplicable(NO_DEVICE);
    const sent = f.devices.filter((d) => !blank(d.userAgent));
    if (sent.length === 0) return notApplicable('no device with a User-Agent');
    const hits = sent.flatMap((d) => {
      const fragments = suspiciousFragments(d.userAgent ?? '');
      return fragments.length === 0 ? [] : [{ d, fragments }];
    });
    if (hits.length === 0) return noMatch({ devicesChecked: sent.length });
    return match(
      `${count(hits.length, 'User-Agent')} with suspicious content: ${distinct(hits.flatMap((h) => h.fragments)).join(' ')}`,
      {
        deviceIds: hits.map((h) => h.d.id),
        userAgents: hits.map((h) => h.d.userAgent),
        fragments: distinct(hits.flatMap((h) => h.fragments)),
      },
      eventsOnDevices(
        f,
        hits.map((h) => h.d),
      ),
    );
  },
};

export const D11: RuleDefinition = {
  code: 'D11',
  group: 'D',
  name: 'Empty User-Agent',
  description: 'A request of the user came without a User-Agent, which every real browser sends.',
  requires: [],
  evaluate: (f) =>
    anyDevice(
      f,
      (d) => blank(d.userAgent),
      (hits) => `${count(hits.length, 'device')} without a User-Agent`,
      () => ({}),
    ),
};

export const D12: RuleDefinition = {
  code: 'D12',
  group: 'D',
  name: 'Empty browser language',
  description:
    'A request of the user came without a browser language (Accept-Language), which browsers normally send.',
  requires: [],
  evaluate: (f) =>
    anyDevice(
      f,
      (d) => blank(d.language),
      (hits) => `${count(hits.length, 'device')} without a browser language`,
      () => ({}),
    ),
};

/** Whether a device is an AI agent: the parser's verdict, else its bot name against the list. */
export function isAiAgent(d: DeviceFeature): boolean | null {
  if (d.isAiBot !== null) return d.isAiBot;
  if (d.botName !== null) return AI_AGENT_SET.has(d.botName.toLowerCase());
  if (d.isBot === false || (d.deviceType !== null && d.deviceType !== 'bot')) return false;
  return null;
}

export const D13: RuleDefinition = {
  code: 'D13',
  group: 'D',
  name: 'Device is AI bot',
  description:
    'One of the user’s devices is an AI agent, assistant or AI crawler acting on somebody’s behalf.',
  requires: [],
  evaluate(f): RuleResult {
    if (f.devices.length === 0) return notApplicable(NO_DEVICE);
    const verdicts = f.devices.map((d) => ({ d, ai: isAiAgent(d) }));
    const hits = verdicts.filter((v) => v.ai === true).map((v) => v.d);
    if (hits.length > 0) {
      return match(
        `${count(hits.length, 'AI agent')}: ${hits.map((d) => d.botName ?? 'unnamed').join(', ')}`,
        { deviceIds: hits.map((d) => d.id), botNames: hits.map((d) => d.botName) },
        eventsOnDevices(f, hits),
      );
    }
    if (verdicts.every((v) => v.ai === null)) return notApplicable('no device whose bot identity is known');
    return noMatch({ devicesChecked: verdicts.filter((v) => v.ai !== null).length });
  },
};

export const D_RULES: readonly RuleDefinition[] = Object.freeze([
  D01,
  D02,
  D03,
  D04,
  D05,
  D06,
  D07,
  D08,
  D09,
  D10,
  D11,
  D12,
  D13,
]);
