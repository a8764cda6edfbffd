/**
 * Named bots, crawlers, AI agents and automation clients, recognised by the product token they
 * put in their User-Agent. The names are what Vigil reports as `botName` (and what rule D13
 * "Device is AI bot" compares against). Curated for Vigil from the operators' own published
 * crawler documentation; bot names are facts, not copied lists.
 */

export type BotKind = 'ai' | 'crawler' | 'monitor' | 'scanner' | 'library' | 'headless';

interface BotDef {
  /** The name reported in `botName`. */
  name: string;
  kind: BotKind;
  /** Product tokens that identify it (case-insensitive, whole words); the name itself if omitted. */
  tokens?: readonly string[];
}

/**
 * AI agents, assistants, AI data scrapers and AI search crawlers. Some (Google-Extended,
 * Applebot-Extended, Webzio-Extended) are robots.txt product tokens rather than User-Agents; they
 * are listed so that an operator list or a custom rule can name them with the same spelling.
 */
export const AI_AGENTS: readonly string[] = [
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
  'GoogleOther-Image',
  'GoogleOther-Video',
  'GoogleAgent-Mariner',
  'Gemini-Deep-Research',
  'Google-NotebookLM',
  'Bytespider',
  'TikTokSpider',
  'CCBot',
  'Applebot-Extended',
  'Meta-ExternalAgent',
  'Meta-ExternalFetcher',
  'FacebookBot',
  'Amazonbot',
  'Amzn-SearchBot',
  'Amzn-User',
  'NovaAct',
  'cohere-ai',
  'cohere-training-data-crawler',
  'Diffbot',
  'YouBot',
  'AI2Bot',
  'Ai2Bot-Dolma',
  'omgili',
  'omgilibot',
  'Webzio-Extended',
  'Timpibot',
  'ImagesiftBot',
  'Kangaroo Bot',
  'DuckAssistBot',
  'MistralAI-User',
  'iaskspider',
  'iAskBot',
  'ICC-Crawler',
  'PanguBot',
  'VelenPublicWebCrawler',
  'img2dataset',
  'FirecrawlAgent',
  'Crawl4AI',
  'Brightbot',
  'QualifiedBot',
  'SemrushBot-OCOB',
  'SemrushBot-SWA',
  'Andibot',
  'Cotoyogi',
  'Factset_spyderbot',
  'FriendlyCrawler',
  'ISSCyberRiskCrawler',
  'Sidetrade indexer bot',
  'PhindBot',
  'LinerBot',
  'TwinAgent',
  'wpbot',
  'Echobot Bot',
  'EchoboxBot',
  'bigsur.ai',
  'ChatGLM-Spider',
  'QuillBot',
  'Thinkbot',
  'aiHitBot',
  'Panscient',
  'Datenbank Crawler',
  'magpie-crawler',
  'MyCentralAIScraperBot',
  'LAIONDownloader',
  'laion-huggingface-processor',
  'peer39_crawler',
  'Poseidon Research Crawler',
  'SBIntuitionsBot',
  'YandexAdditional',
  'YandexAdditionalBot',
  'Cloudflare-AutoRAG',
  'KlaviyoAIBot',
  'ProRataInc',
  'Crawlspace',
  'DeepSeekBot',
  'AddSearchBot',
  'WARDBot',
  'bedrockbot',
  'Awario',
  'netEstate Imprint Crawler',
  'WRTNBot',
];

const AI_TOKENS: Readonly<Record<string, readonly string[]>> = {
  Awario: ['AwarioBot', 'AwarioRssBot', 'AwarioSmartBot'],
  Panscient: ['Panscient', 'panscient.com'],
  iaskspider: ['iaskspider'],
};

const OTHER_BOTS: readonly BotDef[] = [
  // Search engines, social previews, SEO and feed crawlers.
  {
    name: 'Googlebot',
    kind: 'crawler',
    tokens: ['Googlebot', 'Googlebot-Image', 'Googlebot-News', 'Googlebot-Video', 'Storebot-Google'],
  },
  {
    name: 'Google Inspection Tool',
    kind: 'crawler',
    tokens: ['Google-InspectionTool', 'Google-Site-Verification'],
  },
  { name: 'Google Ads Bot', kind: 'crawler', tokens: ['AdsBot-Google', 'AdsBot-Google-Mobile'] },
  { name: 'Google AdSense', kind: 'crawler', tokens: ['Mediapartners-Google'] },
  { name: 'Google APIs', kind: 'crawler', tokens: ['APIs-Google'] },
  { name: 'Google Feedfetcher', kind: 'crawler', tokens: ['FeedFetcher-Google'] },
  { name: 'Google Read Aloud', kind: 'crawler', tokens: ['Google-Read-Aloud'] },
  { name: 'Google Favicon', kind: 'crawler', tokens: ['Google Favicon'] },
  { name: 'BingBot', kind: 'crawler', tokens: ['bingbot', 'msnbot', 'adidxbot'] },
  { name: 'BingPreview', kind: 'crawler', tokens: ['BingPreview'] },
  {
    name: 'Yandex Bot',
    kind: 'crawler',
    tokens: ['YandexBot', 'YandexImages', 'YandexMobileBot', 'YandexRenderResourcesBot'],
  },
  {
    name: 'Baidu Spider',
    kind: 'crawler',
    tokens: ['Baiduspider', 'Baiduspider-render', 'Baiduspider-image'],
  },
  { name: 'DuckDuckGo Bot', kind: 'crawler', tokens: ['DuckDuckBot', 'DuckDuckGo-Favicons-Bot'] },
  { name: 'Applebot', kind: 'crawler' },
  {
    name: 'Facebook External Hit',
    kind: 'crawler',
    tokens: ['facebookexternalhit', 'Facebot', 'facebookcatalog'],
  },
  { name: 'Twitterbot', kind: 'crawler' },
  { name: 'LinkedIn Bot', kind: 'crawler', tokens: ['LinkedInBot'] },
  { name: 'Slackbot', kind: 'crawler', tokens: ['Slackbot', 'Slackbot-LinkExpanding', 'Slack-ImgProxy'] },
  { name: 'Discord Bot', kind: 'crawler', tokens: ['Discordbot'] },
  { name: 'TelegramBot', kind: 'crawler' },
  { name: 'WhatsApp', kind: 'crawler' },
  { name: 'Pinterest', kind: 'crawler', tokens: ['Pinterestbot'] },
  { name: 'Reddit Bot', kind: 'crawler', tokens: ['redditbot'] },
  { name: 'Embedly', kind: 'crawler' },
  { name: 'Iframely', kind: 'crawler' },
  { name: 'Skype URI Preview', kind: 'crawler', tokens: ['SkypeUriPreview'] },
  { name: 'VK Share Button', kind: 'crawler', tokens: ['vkShare'] },
  { name: 'aHrefs Bot', kind: 'crawler', tokens: ['AhrefsBot', 'AhrefsSiteAudit'] },
  { name: 'SemrushBot', kind: 'crawler', tokens: ['SemrushBot', 'SiteAuditBot', 'SplitSignalBot'] },
  { name: 'MJ12 Bot', kind: 'crawler', tokens: ['MJ12bot'] },
  { name: 'DotBot', kind: 'crawler' },
  { name: 'PetalBot', kind: 'crawler', tokens: ['PetalBot', 'AspiegelBot'] },
  { name: 'Seznam Bot', kind: 'crawler', tokens: ['SeznamBot'] },
  { name: 'Sogou Spider', kind: 'crawler', tokens: ['Sogou web spider', 'Sogou inst spider'] },
  { name: 'Exabot', kind: 'crawler' },
  { name: 'Qwant', kind: 'crawler', tokens: ['Qwantbot', 'Qwantify'] },
  { name: 'Alexa Crawler', kind: 'crawler', tokens: ['ia_archiver'] },
  { name: 'archive.org bot', kind: 'crawler', tokens: ['archive.org_bot', 'Wayback Save Page'] },
  { name: 'BLEXBot', kind: 'crawler' },
  { name: 'Serpstatbot', kind: 'crawler', tokens: ['serpstatbot'] },
  { name: 'Barkrowler', kind: 'crawler' },
  { name: 'DataForSeoBot', kind: 'crawler' },
  { name: 'MojeekBot', kind: 'crawler' },
  { name: 'Coc Coc Bot', kind: 'crawler', tokens: ['coccocbot', 'coccocbot-web', 'coccocbot-image'] },
  { name: 'Yeti/Naverbot', kind: 'crawler', tokens: ['Yeti'] },
  { name: 'Daum', kind: 'crawler', tokens: ['Daumoa'] },
  { name: 'Rogerbot', kind: 'crawler', tokens: ['rogerbot'] },
  { name: 'Screaming Frog SEO Spider', kind: 'crawler' },
  { name: 'Feedly', kind: 'crawler', tokens: ['Feedly', 'FeedlyBot'] },
  { name: 'NewsBlur', kind: 'crawler', tokens: ['NewsBlur'] },
  { name: 'Flipboard', kind: 'crawler', tokens: ['FlipboardProxy', 'FlipboardBot'] },
  { name: 'Scrapy', kind: 'crawler' },
  { name: 'HTTrack', kind: 'crawler' },
  // Uptime and performance monitors.
  { name: 'UptimeRobot', kind: 'monitor' },
  { name: 'Pingdom Bot', kind: 'monitor', tokens: ['Pingdom.com_bot', 'PingdomPageSpeed'] },
  { name: 'StatusCake', kind: 'monitor', tokens: ['StatusCake', 'StatusCake_Pagespeed_Indev'] },
  { name: 'Site24x7', kind: 'monitor' },
  { name: 'Better Uptime Bot', kind: 'monitor' },
  { name: 'Uptime Kuma', kind: 'monitor', tokens: ['Uptime-Kuma'] },
  { name: 'Datadog Synthetics', kind: 'monitor', tokens: ['DatadogSynthetics', 'Datadog Agent'] },
  { name: 'New Relic Synthetics', kind: 'monitor', tokens: ['NewRelicPinger', 'NewRelicSynthetics'] },
  { name: 'Checkly', kind: 'monitor' },
  { name: 'GTmetrix', kind: 'monitor' },
  { name: 'Lighthouse', kind: 'monitor', tokens: ['Chrome-Lighthouse', 'Lighthouse'] },
  // Scanners and attack tools.
  { name: 'CensysInspect', kind: 'scanner' },
  { name: 'Expanse', kind: 'scanner' },
  { name: 'ZGrab', kind: 'scanner', tokens: ['zgrab'] },
  { name: 'masscan', kind: 'scanner' },
  { name: 'Nuclei', kind: 'scanner', tokens: ['Nuclei', 'ProjectDiscovery'] },
  { name: 'sqlmap', kind: 'scanner' },
  { name: 'Nikto', kind: 'scanner' },
  { name: 'Nmap', kind: 'scanner', tokens: ['Nmap Scripting Engine', 'Nmap'] },
  { name: 'WPScan', kind: 'scanner' },
  { name: 'Acunetix', kind: 'scanner', tokens: ['Acunetix', 'acunetix-wvs'] },
  { name: 'Netsparker', kind: 'scanner' },
  { name: 'Qualys', kind: 'scanner', tokens: ['Qualys', 'QualysGuard'] },
  { name: 'Nessus', kind: 'scanner' },
  { name: 'OpenVAS', kind: 'scanner', tokens: ['OpenVAS', 'OpenVAS-VT'] },
  { name: 'InternetMeasurement', kind: 'scanner' },
  // HTTP libraries and command-line clients (names in DeviceDetector's spelling).
  { name: 'curl', kind: 'library', tokens: ['curl'] },
  { name: 'Wget', kind: 'library' },
  { name: 'Python Requests', kind: 'library', tokens: ['python-requests'] },
  { name: 'Python urllib', kind: 'library', tokens: ['Python-urllib', 'urllib3'] },
  { name: 'aiohttp', kind: 'library', tokens: ['aiohttp'] },
  { name: 'HTTPX', kind: 'library', tokens: ['python-httpx'] },
  { name: 'Go-http-client', kind: 'library', tokens: ['Go-http-client', 'fasthttp', 'Go http package'] },
  { name: 'OkHttp', kind: 'library', tokens: ['okhttp'] },
  { name: 'Java', kind: 'library', tokens: ['Java', 'Java-http-client'] },
  {
    name: 'Apache HTTP Client',
    kind: 'library',
    tokens: ['Apache-HttpClient', 'Jakarta Commons-HttpClient'],
  },
  { name: 'Axios', kind: 'library', tokens: ['axios'] },
  { name: 'Node Fetch', kind: 'library', tokens: ['node-fetch'] },
  { name: 'undici', kind: 'library' },
  { name: 'got', kind: 'library', tokens: ['got (https://github.com/sindresorhus/got)'] },
  { name: 'Postman Desktop', kind: 'library', tokens: ['PostmanRuntime'] },
  { name: 'Insomnia REST Client', kind: 'library', tokens: ['insomnia'] },
  { name: 'HTTPie', kind: 'library' },
  { name: 'Guzzle (PHP HTTP Client)', kind: 'library', tokens: ['GuzzleHttp'] },
  { name: 'Perl', kind: 'library', tokens: ['libwww-perl', 'lwp-trivial', 'LWP::Simple'] },
  { name: 'Ruby', kind: 'library', tokens: ['Ruby'] },
  { name: 'Faraday', kind: 'library', tokens: ['Faraday'] },
  { name: 'RestSharp', kind: 'library' },
  { name: 'Dart', kind: 'library', tokens: ['Dart'] },
  { name: 'reqwest', kind: 'library' },
  { name: 'Deno', kind: 'library' },
  { name: 'Bun', kind: 'library' },
  { name: 'colly', kind: 'library' },
  { name: 'Mechanize', kind: 'library', tokens: ['Mechanize', 'WWW-Mechanize'] },
  { name: 'PowerShell', kind: 'library', tokens: ['WindowsPowerShell', 'PowerShell'] },
  // Headless and scripted browsers.
  { name: 'Headless Chrome', kind: 'headless', tokens: ['HeadlessChrome'] },
  { name: 'PhantomJS', kind: 'headless' },
  { name: 'SlimerJS', kind: 'headless' },
];

/** Whole-string User-Agents that identify a client only when they are the entire value. */
export const EXACT_BOTS: Readonly<Record<string, { name: string; kind: BotKind }>> = {
  node: { name: 'Node.js', kind: 'library' },
  'python-requests': { name: 'Python Requests', kind: 'library' },
  java: { name: 'Java', kind: 'library' },
};

export interface BotHit {
  name: string;
  kind: BotKind;
  /** Version following the token (`curl/8.4.0` → `8.4.0`), or null. */
  version: string | null;
}

const byToken = new Map<string, { name: string; kind: BotKind }>();
for (const name of AI_AGENTS) {
  for (const token of AI_TOKENS[name] ?? [name]) byToken.set(token.toLowerCase(), { name, kind: 'ai' });
}
for (const def of OTHER_BOTS) {
  for (const token of def.tokens ?? [def.name]) {
    if (!byToken.has(token.toLowerCase()))
      byToken.set(token.toLowerCase(), { name: def.name, kind: def.kind });
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Longest tokens first, so `Googlebot-Image` wins over `Googlebot` at the same position. */
const TOKEN_RE = new RegExp(
  `(?<![A-Za-z0-9_-])(${[...byToken.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|')})(?![A-Za-z0-9_-])`,
  'i',
);

export function findNamedBot(ua: string): BotHit | null {
  const exact = EXACT_BOTS[ua.trim().toLowerCase()];
  if (exact) return { ...exact, version: null };
  const m = TOKEN_RE.exec(ua);
  if (!m) return null;
  const def = byToken.get(m[1]!.toLowerCase());
  if (!def) return null;
  let version: string | null = null;
  const after = m.index + m[0].length;
  if (ua.charCodeAt(after) === 47) {
    const v = /^[0-9][0-9A-Za-z._-]{0,31}/.exec(ua.slice(after + 1, after + 40));
    if (v) version = v[0].replace(/[._-]+$/, '');
  }
  return { name: def.name, kind: def.kind, version };
}

const AI_SET = new Set(AI_AGENTS);
export function isAiAgentName(name: string | null): boolean {
  return name !== null && AI_SET.has(name);
}
