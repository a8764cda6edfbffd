// The demo's tables against the bundled offline enrichment: residential ranges are where their
// country says and are not datacenters, cloud ranges are datacenters, disposable domains are
// disposable, phone numbers are valid, and the bots' user agents are recognised as bots. When a
// data update moves a range, this test says which one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEnricher } from '@vigil/enrich';
import { randomV4, randomV6Address, randomV6Network } from '../src/demo/addresses.ts';
import {
  AI_CRAWLERS,
  ATTACKER_ORIGINS,
  CLOUD_RANGES,
  COUNTRIES,
  DISPOSABLE_DOMAINS,
  HEADLESS_UAS,
  SCANNER_UAS,
  STAFF,
  STUFFING_UAS,
  VPN_RANGES,
} from '../src/demo/data.ts';
import { createRng } from '../src/demo/rng.ts';

const enricher = createEnricher();
const rng = createRng('demo-data-test');
const SAMPLES = 40;

function ipFacts(ip: string) {
  const facts = enricher.enrich({ ipAddress: ip, userAgent: null, emailAddress: null, phoneNumber: null }).ip;
  assert.ok(facts, ip);
  return facts;
}

function assertResidential(
  range: string,
  country: string,
  sample: (r: string) => string = (r) => randomV4(rng, r),
) {
  for (let i = 0; i < SAMPLES; i++) {
    const ip = sample(range);
    const f = ipFacts(ip);
    assert.equal(f.country, country, `${ip} (${range}) is in ${country}`);
    assert.equal(f.datacenter, false, `${ip} (${range}) is not a datacenter`);
    assert.equal(f.local, false, ip);
  }
}

describe('demo data against the offline enrichment', () => {
  test('customer ranges are residential networks of their country', () => {
    for (const c of COUNTRIES) {
      for (const range of [...c.fixed, ...c.mobile]) assertResidential(range, c.code);
      for (const prefix of c.v6) {
        assertResidential(prefix, c.code, (p) => randomV6Address(rng, randomV6Network(rng, p)));
      }
    }
    for (const o of ATTACKER_ORIGINS) for (const range of o.ranges) assertResidential(range, o.code);
    for (const range of [STAFF.office, ...STAFF.home]) assertResidential(range, STAFF.country);
  });

  test('cloud and VPN ranges are flagged as datacenters', () => {
    for (const [provider, ranges] of Object.entries({ ...CLOUD_RANGES, vpn: VPN_RANGES })) {
      for (const range of ranges) {
        for (let i = 0; i < SAMPLES; i++) {
          const ip = randomV4(rng, range);
          assert.equal(ipFacts(ip).datacenter, true, `${ip} (${provider} ${range}) is a datacenter`);
        }
      }
    }
  });

  test('disposable domains are disposable; customers’ providers are not', () => {
    const email = (address: string) =>
      enricher.enrich({ ipAddress: '0.0.0.0', userAgent: null, emailAddress: address, phoneNumber: null })
        .email;
    for (const domain of DISPOSABLE_DOMAINS) assert.equal(email(`x9k2@${domain}`)?.disposable, true, domain);
    for (const c of COUNTRIES) {
      for (const domain of c.mail) assert.notEqual(email(`someone@${domain}`)?.disposable, true, domain);
    }
  });

  test('customers’ phone numbers are valid numbers of their country', () => {
    for (const c of COUNTRIES) {
      for (let i = 0; i < SAMPLES; i++) {
        const digits = (n: number) => Array.from({ length: n }, () => String(rng.int(10))).join('');
        const phone = c.phone(digits, rng.pick);
        const facts = enricher.enrich({
          ipAddress: '0.0.0.0',
          userAgent: null,
          emailAddress: null,
          phoneNumber: phone,
        }).phone;
        assert.equal(facts?.valid, true, phone);
        assert.equal(facts?.country, c.code, phone);
      }
    }
  });

  test('bot user agents are recognised: AI crawlers as AI bots, headless and scanners as bots', () => {
    const ua = (userAgent: string) =>
      enricher.enrich({ ipAddress: '0.0.0.0', userAgent, emailAddress: null, phoneNumber: null }).userAgent;
    for (const c of AI_CRAWLERS) {
      assert.equal(ua(c.ua)?.isAiBot, true, c.ua);
      assert.equal(ua(c.ua)?.deviceType, 'bot', c.ua);
    }
    for (const s of [...HEADLESS_UAS, ...SCANNER_UAS]) assert.equal(ua(s)?.isBot, true, s);
    const scripted = STUFFING_UAS.filter((s) => !s.startsWith('Mozilla/'));
    for (const s of scripted) assert.equal(ua(s)?.isBot, true, s);
  });
});
