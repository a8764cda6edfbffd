// Static tables for bench/traffic.mjs: where the simulated users live, which networks they use,
// their browsers, names and mail providers. The address ranges are public allocations of large
// consumer ISPs and mobile carriers in each country, so the addresses are plausible end-user
// addresses (never private, reserved or documentation ranges).

/**
 * @typedef {object} Country
 * @property {string} code ISO 3166 alpha-2
 * @property {number} weight share of the user base
 * @property {number} utcOffset hours from UTC (rough, for the users' day and night)
 * @property {string} lang primary language tag
 * @property {string[]} langBase fallback tags after the primary one
 * @property {number} mobileShare probability that a device is a phone
 * @property {number} ipv6Share probability that a home network has IPv6
 * @property {[string, 'fixed'|'mobile'][]} v4 IPv4 CIDR ranges
 * @property {string[]} v6 IPv6 prefixes (at most /48 long, written as 'hhhh:hhhh::/len')
 * @property {string[]} first first names
 * @property {string[]} last last names
 * @property {string[]} mail mail providers
 * @property {string} phoneCode country calling code
 * @property {string[]} phonePrefix national prefixes of mobile numbers
 * @property {number} phoneDigits digits after the prefix
 */

/** @type {Country[]} */
export const COUNTRIES = [
  {
    code: 'US',
    weight: 30,
    utcOffset: -6,
    lang: 'en-US',
    langBase: ['en'],
    mobileShare: 0.45,
    ipv6Share: 0.4,
    v4: [
      ['73.0.0.0/8', 'fixed'], // Comcast
      ['98.192.0.0/10', 'fixed'], // Comcast
      ['99.0.0.0/10', 'fixed'], // AT&T U-verse
      ['174.192.0.0/10', 'mobile'], // Verizon Wireless
      ['172.32.0.0/11', 'mobile'], // T-Mobile US
    ],
    v6: ['2601::/20', '2607:fb90::/32'],
    first: ['James', 'Mary', 'Michael', 'Jennifer', 'David', 'Linda', 'Chris', 'Ashley', 'Jose', 'Emily'],
    last: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Martinez', 'Lee'],
    mail: ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'hotmail.com', 'aol.com'],
    phoneCode: '1',
    phonePrefix: ['212', '310', '415', '512', '617', '702', '773', '818'],
    phoneDigits: 7,
  },
  {
    code: 'DE',
    weight: 12,
    utcOffset: 1,
    lang: 'de-DE',
    langBase: ['de', 'en-US', 'en'],
    mobileShare: 0.4,
    ipv6Share: 0.5,
    v4: [
      ['79.192.0.0/10', 'fixed'], // Deutsche Telekom
      ['87.128.0.0/10', 'fixed'], // Deutsche Telekom
      ['91.0.0.0/10', 'fixed'], // Deutsche Telekom
      ['93.192.0.0/10', 'fixed'], // Deutsche Telekom
    ],
    v6: ['2003::/19'],
    first: ['Lukas', 'Anna', 'Jonas', 'Lea', 'Felix', 'Sophie', 'Jürgen', 'Käthe', 'Max', 'Marie'],
    last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schäfer'],
    mail: ['gmx.de', 'web.de', 't-online.de', 'gmail.com', 'posteo.de', 'outlook.de'],
    phoneCode: '49',
    phonePrefix: ['151', '160', '170', '171', '176', '157'],
    phoneDigits: 8,
  },
  {
    code: 'FR',
    weight: 10,
    utcOffset: 1,
    lang: 'fr-FR',
    langBase: ['fr', 'en-US', 'en'],
    mobileShare: 0.5,
    ipv6Share: 0.6,
    v4: [
      ['90.0.0.0/9', 'fixed'], // Orange
      ['86.192.0.0/10', 'fixed'], // Orange
      ['78.192.0.0/10', 'fixed'], // Free
      ['88.160.0.0/11', 'fixed'], // Free
    ],
    v6: ['2a01:e00::/26', '2a01:cb00::/24'],
    first: ['Léa', 'Hugo', 'Chloé', 'Louis', 'Manon', 'Gabriel', 'Inès', 'Raphaël', 'Camille', 'Jules'],
    last: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Lefèvre'],
    mail: ['orange.fr', 'free.fr', 'laposte.net', 'gmail.com', 'hotmail.fr', 'sfr.fr'],
    phoneCode: '33',
    phonePrefix: ['6', '7'],
    phoneDigits: 8,
  },
  {
    code: 'GB',
    weight: 12,
    utcOffset: 0,
    lang: 'en-GB',
    langBase: ['en-US', 'en'],
    mobileShare: 0.5,
    ipv6Share: 0.4,
    v4: [
      ['86.128.0.0/10', 'fixed'], // BT
      ['81.128.0.0/11', 'fixed'], // BT
      ['82.0.0.0/11', 'fixed'], // Virgin Media
      ['86.0.0.0/11', 'fixed'], // Virgin Media
    ],
    v6: ['2a00:23c0::/28'],
    first: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Noah', 'Mia', 'Jack', 'Grace'],
    last: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Thomas', "O'Brien"],
    mail: ['gmail.com', 'btinternet.com', 'yahoo.co.uk', 'hotmail.co.uk', 'outlook.com', 'sky.com'],
    phoneCode: '44',
    phonePrefix: ['71', '74', '75', '77', '78', '79'],
    phoneDigits: 8,
  },
  {
    code: 'BR',
    weight: 10,
    utcOffset: -3,
    lang: 'pt-BR',
    langBase: ['pt', 'en-US', 'en'],
    mobileShare: 0.65,
    ipv6Share: 0.4,
    v4: [
      ['177.32.0.0/12', 'fixed'], // Claro NET
      ['187.0.0.0/11', 'fixed'], // Vivo
      ['189.0.0.0/11', 'fixed'], // Claro / Vivo
      ['201.0.0.0/12', 'mobile'], // mobile carriers
    ],
    v6: ['2804:14c::/32', '2804:7f0::/32'],
    first: ['João', 'Maria', 'Pedro', 'Ana', 'Lucas', 'Júlia', 'Gabriel', 'Beatriz', 'Rafael', 'Larissa'],
    last: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Lima', 'Pereira', 'Gonçalves', 'Araújo', 'Costa'],
    mail: ['gmail.com', 'hotmail.com', 'uol.com.br', 'bol.com.br', 'yahoo.com.br', 'outlook.com'],
    phoneCode: '55',
    phonePrefix: ['119', '219', '319', '419', '519', '619'],
    phoneDigits: 8,
  },
  {
    code: 'IN',
    weight: 12,
    utcOffset: 5.5,
    lang: 'en-IN',
    langBase: ['en-GB', 'en-US', 'en', 'hi'],
    mobileShare: 0.75,
    ipv6Share: 0.6,
    v4: [
      ['49.32.0.0/11', 'mobile'], // Reliance Jio
      ['157.32.0.0/12', 'mobile'], // Reliance Jio
      ['106.192.0.0/11', 'mobile'], // Bharti Airtel
      ['122.160.0.0/12', 'fixed'], // Bharti Airtel broadband
    ],
    v6: ['2409:4000::/22', '2401:4900::/32'],
    first: ['Aarav', 'Ananya', 'Vivaan', 'Diya', 'Aditya', 'Priya', 'Rohan', 'Sneha', 'Arjun', 'Kavya'],
    last: ['Sharma', 'Patel', 'Singh', 'Kumar', 'Gupta', 'Reddy', 'Iyer', 'Nair', 'Das', 'Mehta'],
    mail: ['gmail.com', 'yahoo.co.in', 'rediffmail.com', 'outlook.com', 'hotmail.com'],
    phoneCode: '91',
    phonePrefix: ['98', '97', '99', '90', '88', '70'],
    phoneDigits: 8,
  },
  {
    code: 'JP',
    weight: 8,
    utcOffset: 9,
    lang: 'ja',
    langBase: ['en-US', 'en'],
    mobileShare: 0.6,
    ipv6Share: 0.5,
    v4: [
      ['126.0.0.0/8', 'fixed'], // SoftBank
      ['153.128.0.0/11', 'fixed'], // NTT OCN
      ['106.128.0.0/12', 'mobile'], // KDDI au
    ],
    v6: ['2400:4050::/30'],
    first: ['Haruto', 'Yui', 'Sota', 'Hina', 'Yuto', 'Sakura', 'Riku', 'Aoi', 'Takumi', 'Mei'],
    last: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura'],
    mail: ['gmail.com', 'yahoo.co.jp', 'docomo.ne.jp', 'icloud.com', 'outlook.jp'],
    phoneCode: '81',
    phonePrefix: ['90', '80', '70'],
    phoneDigits: 8,
  },
  {
    code: 'NG',
    weight: 6,
    utcOffset: 1,
    lang: 'en-NG',
    langBase: ['en-US', 'en'],
    mobileShare: 0.85,
    ipv6Share: 0,
    v4: [
      ['102.88.0.0/14', 'mobile'], // MTN Nigeria
      ['197.210.0.0/15', 'mobile'], // MTN Nigeria
      ['105.112.0.0/12', 'mobile'], // Airtel Nigeria
    ],
    v6: [],
    first: ['Chinedu', 'Ngozi', 'Emeka', 'Aisha', 'Tunde', 'Funmilayo', 'Ibrahim', 'Chioma', 'Segun'],
    last: ['Okafor', 'Adeyemi', 'Bello', 'Okonkwo', 'Eze', 'Abubakar', 'Olawale', 'Nwosu', 'Balogun'],
    mail: ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com'],
    phoneCode: '234',
    phonePrefix: ['803', '806', '813', '816', '703', '706', '802', '808'],
    phoneDigits: 7,
  },
];

/**
 * Browser families. `ua(rng)` builds one concrete string; the versions are recent stable ones.
 * `desktop` devices use the home network only, phones also use the mobile networks.
 */
export const BROWSERS = [
  {
    name: 'chrome-windows',
    mobile: false,
    weight: 40,
    ua: (rng) =>
      `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${rng.between(128, 131)}.0.0.0 Safari/537.36`,
  },
  {
    name: 'edge-windows',
    mobile: false,
    weight: 8,
    ua: (rng) => {
      const v = rng.between(128, 131);
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${v}.0.0.0`;
    },
  },
  {
    name: 'safari-macos',
    mobile: false,
    weight: 15,
    ua: (rng) =>
      `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${rng.pick(['17.6', '18.0', '18.1', '18.2'])} Safari/605.1.15`,
  },
  {
    name: 'firefox-linux',
    mobile: false,
    weight: 6,
    ua: (rng) => {
      const v = rng.between(128, 133);
      const platform = rng.pick(['X11; Linux x86_64', 'X11; Ubuntu; Linux x86_64']);
      return `Mozilla/5.0 (${platform}; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
    },
  },
  {
    name: 'safari-ios',
    mobile: true,
    weight: 35,
    ua: (rng) => {
      const [os, version] = rng.pick([
        ['17_6_1', '17.6'],
        ['18_0_1', '18.0'],
        ['18_1', '18.1'],
        ['18_2', '18.2'],
      ]);
      return `Mozilla/5.0 (iPhone; CPU iPhone OS ${os} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${version} Mobile/15E148 Safari/604.1`;
    },
  },
  {
    name: 'chrome-android',
    mobile: true,
    weight: 55,
    ua: (rng) => {
      const model = rng.pick(['K', 'K', 'K', 'SM-S918B', 'SM-A546B', 'Pixel 8', 'Redmi Note 12']);
      const android = model === 'K' ? '10' : rng.pick(['13', '14']);
      return `Mozilla/5.0 (Linux; Android ${android}; ${model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${rng.between(128, 131)}.0.0.0 Mobile Safari/537.36`;
    },
  },
];

/** Pages of the simulated application (a web shop with accounts). */
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
];
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

/** Profile fields a user edits (`field_edit`), with the values they cycle through. */
export const EDITABLE_FIELDS = [
  { id: '179283', name: 'User city', values: ['Paris', 'London', 'Berlin', 'São Paulo', 'Mumbai', 'Tokyo'] },
  { id: '179284', name: 'Newsletter', values: ['weekly', 'monthly', 'never'] },
  { id: '179285', name: 'Display name', values: null },
  { id: '179286', name: 'Preferred currency', values: ['USD', 'EUR', 'GBP', 'BRL', 'INR', 'JPY', 'NGN'] },
];
export const SEARCH_FIELD = { id: '179280', name: 'Site search' };
export const APP_ORIGIN = 'https://shop.example.com';
