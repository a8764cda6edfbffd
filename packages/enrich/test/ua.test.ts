import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyData } from '../src/data.ts';
import { createEnricher } from '../src/enricher.ts';
import { AI_AGENTS, isAiAgentName } from '../src/ua/bots.ts';
import { MAX_UA_LENGTH, parseUserAgent } from '../src/ua/parse.ts';

type Expect = {
  deviceType: string | null;
  osName?: string | null;
  osVersion?: string | null;
  browserName?: string | null;
  browserVersion?: string | null;
  brand?: string | null;
  model?: string | null;
  isBot?: boolean;
  botName?: string | null;
  isAiBot?: boolean;
  botKind?: string | null;
};

const CASES: [string, string, Expect][] = [
  [
    'Chrome on Windows',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    {
      deviceType: 'desktop',
      osName: 'Windows',
      osVersion: '10',
      browserName: 'Chrome',
      browserVersion: '124.0.0.0',
      isBot: false,
    },
  ],
  [
    'HeadlessChrome on Windows',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
    {
      deviceType: 'bot',
      osName: 'Windows',
      browserName: 'Headless Chrome',
      browserVersion: '124.0.0.0',
      isBot: true,
      botName: 'Headless Chrome',
      botKind: 'headless',
      isAiBot: false,
    },
  ],
  [
    'Safari on macOS',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    {
      deviceType: 'desktop',
      osName: 'Mac',
      osVersion: '10.15.7',
      browserName: 'Safari',
      browserVersion: '17.4',
      brand: 'Apple',
      model: null,
    },
  ],
  [
    'Safari on iOS',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    {
      deviceType: 'smartphone',
      osName: 'iOS',
      osVersion: '17.4',
      browserName: 'Mobile Safari',
      brand: 'Apple',
      model: 'iPhone',
    },
  ],
  [
    'Chrome on iOS',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
    {
      deviceType: 'smartphone',
      osName: 'iOS',
      browserName: 'Chrome Mobile iOS',
      browserVersion: '124.0.6367.88',
    },
  ],
  [
    'Safari on iPad',
    'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    { deviceType: 'tablet', osName: 'iPadOS', browserName: 'Mobile Safari', brand: 'Apple', model: 'iPad' },
  ],
  [
    'Chrome on Android phone',
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
    {
      deviceType: 'smartphone',
      osName: 'Android',
      osVersion: '14',
      browserName: 'Chrome Mobile',
      brand: 'Samsung',
      model: 'SM-S918B',
    },
  ],
  [
    'Chrome on Android with the reduced UA',
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    { deviceType: 'smartphone', osName: 'Android', browserName: 'Chrome Mobile', model: null },
  ],
  [
    'Chrome on Android tablet',
    'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    { deviceType: 'tablet', osName: 'Android', browserName: 'Chrome' },
  ],
  [
    'Samsung Browser',
    'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
    { deviceType: 'smartphone', browserName: 'Samsung Browser', browserVersion: '24.0' },
  ],
  [
    'Firefox on Linux',
    'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    { deviceType: 'desktop', osName: 'GNU/Linux', browserName: 'Firefox', browserVersion: '125.0' },
  ],
  [
    'Firefox on Ubuntu',
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    { deviceType: 'desktop', osName: 'Ubuntu', browserName: 'Firefox' },
  ],
  [
    'Firefox on Android',
    'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
    { deviceType: 'smartphone', osName: 'Android', browserName: 'Firefox Mobile' },
  ],
  [
    'Edge on Windows',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80',
    { deviceType: 'desktop', browserName: 'Microsoft Edge', browserVersion: '124.0.2478.80' },
  ],
  [
    'Internet Explorer 11',
    'Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko',
    {
      deviceType: 'desktop',
      osName: 'Windows',
      osVersion: '7',
      browserName: 'Internet Explorer',
      browserVersion: '11.0',
    },
  ],
  [
    'Chrome OS',
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    { deviceType: 'desktop', osName: 'Chrome OS', browserName: 'Chrome' },
  ],
  [
    'Google Search App on iOS',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/310.0.621847518 Mobile/15E148 Safari/604.1',
    { deviceType: 'smartphone', browserName: 'Google Search App' },
  ],
  [
    'Yandex Browser',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 YaBrowser/24.4.0.0 Safari/537.36',
    { deviceType: 'desktop', browserName: 'Yandex Browser' },
  ],
  [
    'Googlebot',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    {
      deviceType: 'bot',
      isBot: true,
      botName: 'Googlebot',
      isAiBot: false,
      botKind: 'crawler',
      osName: null,
      browserName: null,
    },
  ],
  [
    'Googlebot smartphone',
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    { deviceType: 'bot', botName: 'Googlebot', osName: null, browserName: null },
  ],
  [
    'bingbot',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    { deviceType: 'bot', botName: 'BingBot', isAiBot: false },
  ],
  [
    'GPTBot',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
    { deviceType: 'bot', isBot: true, botName: 'GPTBot', isAiBot: true, botKind: 'ai' },
  ],
  [
    'ChatGPT-User',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot',
    { deviceType: 'bot', botName: 'ChatGPT-User', isAiBot: true },
  ],
  [
    'OAI-SearchBot',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot',
    { deviceType: 'bot', botName: 'OAI-SearchBot', isAiBot: true },
  ],
  [
    'ClaudeBot',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)',
    { deviceType: 'bot', botName: 'ClaudeBot', isAiBot: true, botKind: 'ai' },
  ],
  [
    'PerplexityBot',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)',
    { deviceType: 'bot', botName: 'PerplexityBot', isAiBot: true },
  ],
  [
    'Bytespider',
    'Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)',
    { deviceType: 'bot', botName: 'Bytespider', isAiBot: true },
  ],
  [
    'CCBot',
    'CCBot/2.0 (https://commoncrawl.org/faq/)',
    { deviceType: 'bot', botName: 'CCBot', isAiBot: true },
  ],
  [
    'Meta-ExternalAgent',
    'meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)',
    { deviceType: 'bot', botName: 'Meta-ExternalAgent', isAiBot: true },
  ],
  [
    'Amazonbot',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot) Chrome/119.0.6045.214 Safari/537.36',
    { deviceType: 'bot', botName: 'Amazonbot', isAiBot: true },
  ],
  [
    'curl',
    'curl/8.4.0',
    {
      deviceType: 'bot',
      isBot: true,
      botName: 'curl',
      browserName: 'curl',
      browserVersion: '8.4.0',
      botKind: 'library',
    },
  ],
  [
    'python-requests',
    'python-requests/2.31.0',
    {
      deviceType: 'bot',
      botName: 'Python Requests',
      browserName: 'Python Requests',
      browserVersion: '2.31.0',
      botKind: 'library',
    },
  ],
  [
    'Go-http-client',
    'Go-http-client/1.1',
    { deviceType: 'bot', botName: 'Go-http-client', botKind: 'library' },
  ],
  [
    'okhttp',
    'okhttp/4.12.0',
    { deviceType: 'bot', botName: 'OkHttp', browserVersion: '4.12.0', botKind: 'library' },
  ],
  ['Wget', 'Wget/1.21.4', { deviceType: 'bot', botName: 'Wget', botKind: 'library' }],
  ['axios', 'axios/1.6.8', { deviceType: 'bot', botName: 'Axios', botKind: 'library' }],
  ['Node fetch', 'node', { deviceType: 'bot', botName: 'Node.js', botKind: 'library' }],
  ['Java', 'Java/17.0.2', { deviceType: 'bot', botName: 'Java', browserVersion: '17.0.2' }],
  [
    'sqlmap',
    'sqlmap/1.8#stable (https://sqlmap.org)',
    { deviceType: 'bot', botName: 'sqlmap', botKind: 'scanner' },
  ],
  [
    'unnamed crawler (isbot)',
    'Mozilla/5.0 (compatible; ExampleCrawler/3.1; +http://crawler.example.com/)',
    { deviceType: 'bot', isBot: true, botName: 'ExampleCrawler', isAiBot: false, botKind: 'crawler' },
  ],
];

describe('User-Agent parsing in DeviceDetector vocabulary', () => {
  for (const [name, ua, expected] of CASES) {
    test(name, () => {
      const got = parseUserAgent(ua);
      assert.ok(got);
      for (const [k, v] of Object.entries(expected)) {
        assert.equal(got[k as keyof typeof got], v, `${name}: ${k}`);
      }
      if (expected.isBot === undefined && expected.deviceType !== 'bot') assert.equal(got.isBot, false);
    });
  }

  test('blank and missing User-Agents give no facts', () => {
    assert.equal(parseUserAgent(null), null);
    assert.equal(parseUserAgent(''), null);
    assert.equal(parseUserAgent('   '), null);
  });

  test('an unrecognisable string is not a device', () => {
    const got = parseUserAgent('Mozilla/5.0 (X11; FooOS) Gecko/20100101');
    assert.ok(got);
    assert.equal(got.deviceType, null);
    assert.equal(got.browserName, null);
  });

  test('only the first MAX_UA_LENGTH characters are parsed', () => {
    const ua = `Mozilla/5.0 (Windows NT 10.0; Win64; x64) ${'x'.repeat(MAX_UA_LENGTH)} GPTBot/1.0`;
    const got = parseUserAgent(ua);
    assert.notEqual(got?.botName, 'GPTBot');
  });
});

describe('AI agents', () => {
  test('the list names 70+ agents, including the well-known ones', () => {
    assert.ok(AI_AGENTS.length >= 70, `${AI_AGENTS.length} names`);
    for (const name of [
      'GPTBot',
      'ChatGPT-User',
      'OAI-SearchBot',
      'ClaudeBot',
      'Claude-Web',
      'anthropic-ai',
      'PerplexityBot',
      'Google-Extended',
      'Bytespider',
      'CCBot',
      'Applebot-Extended',
      'Meta-ExternalAgent',
      'Amazonbot',
      'cohere-ai',
      'Diffbot',
      'YouBot',
    ]) {
      assert.ok(isAiAgentName(name), name);
    }
    assert.equal(new Set(AI_AGENTS).size, AI_AGENTS.length, 'no duplicates');
  });

  test('every AI agent name in a User-Agent is recognised by its own name', () => {
    for (const name of AI_AGENTS) {
      if (name === 'Awario' || name === 'Panscient') continue; // matched by their product tokens
      const got = parseUserAgent(`Mozilla/5.0 (compatible; ${name}/1.0; +https://example.com/bot)`);
      assert.equal(got?.botName, name, name);
      assert.equal(got?.isAiBot, true, name);
    }
  });

  test('a word inside another word is not a bot token', () => {
    const got = parseUserAgent(
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Bunny/1.0 Ruby-Tuesday',
    );
    assert.equal(got?.isBot, false);
  });
});

describe('User-Agent cache', () => {
  test('is bounded, and a flood of random User-Agents does not grow it', () => {
    const enricher = createEnricher({ data: emptyData(), cacheSize: { userAgent: 100 } });
    for (let i = 0; i < 5000; i++) enricher.userAgent(`Mozilla/5.0 (X11; Linux x86_64) Random/${i}`);
    const s = enricher.stats().caches.userAgent;
    assert.ok(s.size <= 100, `size ${s.size}`);
    assert.equal(s.misses, 5000);
  });

  test('repeated User-Agents are answered from the cache with the same frozen object', () => {
    const enricher = createEnricher({ data: emptyData() });
    const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0';
    const a = enricher.userAgent(ua);
    const b = enricher.userAgent(ua);
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
    assert.equal(enricher.stats().caches.userAgent.hits, 1);
  });
});
