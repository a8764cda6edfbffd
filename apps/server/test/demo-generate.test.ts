import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EVENT_TYPES, normaliseSensorFields } from '@vigil/core';
import {
  AI_CRAWLERS,
  DISPOSABLE_DOMAINS,
  HEADLESS_UAS,
  PROMO_SEARCHES,
  SCANNER_UAS,
  STUFFING_UAS,
} from '../src/demo/data.ts';
import {
  type DemoEvent,
  type DemoUser,
  generateDemo,
  MIN_DEMO_USERS,
  planPopulation,
  SCENARIOS,
  type Scenario,
  timezoneOffsetMs,
} from '../src/demo/generate.ts';

const NOW = Date.parse('2026-11-27T15:42:17Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

// One realistic-size population shared by the tests below (generating it takes about a second).
const big = generateDemo({ users: 2000, days: 30, seed: 7, now: NOW });
const byScenario = (s: Scenario) => big.users.filter((u) => u.scenario === s);
const eventsOf = (users: DemoUser[]) => users.flatMap((u) => u.events);
function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
const projectHour = (t: number, tz: string) => new Date(t + timezoneOffsetMs(tz, t)).getUTCHours();

describe('demo traffic generator', () => {
  test('is deterministic for a seed, and the seed matters', () => {
    const a = generateDemo({ users: 120, days: 5, seed: 'abc', now: NOW });
    const b = generateDemo({ users: 120, days: 5, seed: 'abc', now: NOW });
    const c = generateDemo({ users: 120, days: 5, seed: 'abd', now: NOW });
    assert.deepEqual(a.users, b.users);
    assert.deepEqual(a.events(), b.events());
    assert.equal(JSON.stringify(a.users) === JSON.stringify(c.users), false);
    // Seeds 1 and '1' are the same seed (the CLI passes text).
    assert.deepEqual(
      generateDemo({ users: 30, days: 2, seed: 1, now: NOW }).users,
      generateDemo({ users: 30, days: 2, seed: '1', now: NOW }).users,
    );
  });

  test('plans 5-10% attackers, with every scenario present even in a small demo', () => {
    for (const users of [300, 1000, 2000, 10_000]) {
      const plan = planPopulation(users);
      const attackers = users - plan.normal;
      assert.ok(attackers / users >= 0.05 && attackers / users <= 0.1, `${users}: ${attackers} attackers`);
    }
    const small = planPopulation(MIN_DEMO_USERS);
    for (const s of SCENARIOS) assert.ok(small[s] >= 1, `${s} in the smallest demo`);
    assert.throws(() => planPopulation(MIN_DEMO_USERS - 1), RangeError);
    assert.throws(() => generateDemo({ users: 100, days: 0 }), RangeError);
    assert.throws(() => generateDemo({ users: 100, days: 3, timezone: 'Mars/Olympus' }), RangeError);
  });

  test('produces the planned users per scenario, each with events and a unique name', () => {
    const plan = planPopulation(2000);
    const counts = big.counts();
    for (const s of SCENARIOS) assert.equal(counts[s].users, plan[s], s);
    assert.equal(big.users.length, 2000);
    assert.equal(new Set(big.users.map((u) => u.userName)).size, 2000);
    for (const u of big.users) {
      assert.ok(u.events.length > 0, `${u.userName} has events`);
      assert.equal(big.scenarioOf(u.userName), u.scenario);
    }
    assert.equal(big.scenarioOf('nobody-we-made'), undefined);
    assert.equal(
      big.eventCount,
      big.users.reduce((n, u) => n + u.events.length, 0),
    );
    // Realistic but bounded: a month of 2000 users stays well under 100k events.
    assert.ok(big.eventCount > 40_000 && big.eventCount < 100_000, `${big.eventCount} events`);
  });

  test('every event is a valid sensor event inside the period, in time order per user', () => {
    const types = new Set<string>(EVENT_TYPES);
    for (const u of big.users) {
      let last = Number.NEGATIVE_INFINITY;
      for (const e of u.events) {
        assert.ok(e.time > last, `${u.userName}: events in order`);
        last = e.time;
        assert.ok(e.time >= big.start && e.time < big.end, `${u.userName}: inside the period`);
        assert.equal(e.fields.userName, u.userName);
        assert.equal(Date.parse(e.fields.eventTime), e.time);
        assert.ok(types.has(e.fields.eventType), e.fields.eventType);
      }
    }
    // The shared normaliser accepts them without a single warning.
    const sample = big.events().filter((_, i) => i % 97 === 0);
    for (const e of sample) {
      const result = normaliseSensorFields(e.fields as unknown as Record<string, unknown>, new Date(NOW));
      assert.equal(result.ok, true);
      assert.deepEqual(result.warnings, [], JSON.stringify(e.fields));
    }
    const all = big.events();
    for (let i = 1; i < all.length; i++)
      assert.ok(all[i]!.time >= all[i - 1]!.time, 'merged stream in order');
  });

  test('normal customers: several countries, devices, sessions, logins, searches and field edits', () => {
    const normal = byScenario('normal');
    const events = eventsOf(normal);
    const types = new Set(events.map((e) => e.fields.eventType));
    for (const t of ['page_view', 'page_search', 'account_login', 'account_registration', 'field_edit'])
      assert.ok(types.has(t), t);
    const languages = new Set(events.map((e) => e.fields.browserLanguage?.split(',')[0]));
    assert.ok(languages.size >= 8, `${languages.size} primary languages`);
    const multiDevice = normal.filter((u) => new Set(u.events.map((e) => e.fields.userAgent)).size > 1);
    assert.ok(multiDevice.length > normal.length / 5, 'many customers use more than one device');
    for (const e of events) assert.doesNotMatch(e.fields.userAgent, /bot|curl|python|Headless/i);
    const searches = events.filter((e) => e.fields.eventType === 'page_search');
    assert.ok(searches.every((e) => e.fields.payload?.value && e.fields.url.startsWith('/search?q=')));
    const edits = events.filter((e) => e.fields.eventType === 'field_edit');
    assert.ok(edits.every((e) => e.fields.fieldHistory?.length && e.fields.fieldHistory[0]!.new_value));
    const mean = events.length / normal.length;
    assert.ok(mean > 15 && mean < 60, `${mean.toFixed(1)} events per customer`);
  });

  test('account takeover: a normal history, then failed logins, a new device and country, password and e-mail changed', () => {
    for (const u of byScenario('account_takeover')) {
      const change = u.events.findLastIndex((e) => e.fields.eventType === 'account_password_change');
      assert.ok(change > 0, `${u.userName} changes the password`);
      const attacker = u.events[change]!.fields;
      const history = u.events.slice(0, change).filter((e) => e.fields.userAgent !== attacker.userAgent);
      assert.ok(history.length >= 2, `${u.userName} has a history`);
      assert.ok(
        history.every((e) => e.fields.ipAddress !== attacker.ipAddress),
        'the attacker IP is new',
      );
      const session = u.events.filter((e) => e.fields.userAgent === attacker.userAgent);
      assert.ok(session.some((e) => e.fields.eventType === 'account_login'));
      assert.ok(session.some((e) => e.fields.eventType === 'account_email_change'));
      assert.ok(session[0]!.time > history.at(-1)!.time, 'the takeover comes after the history');
      assert.ok(
        !history.some((e) => e.fields.browserLanguage === attacker.browserLanguage),
        'the attacker browser speaks another language',
      );
    }
    const fails = byScenario('account_takeover').map(
      (u) => u.events.filter((e) => e.fields.eventType === 'account_login_fail').length,
    );
    assert.ok(
      fails.some((n) => n >= 4),
      'some takeovers have enough failed logins for A01',
    );
  });

  test('credential stuffing: many identities, failed logins from a few datacenter IPs with scripted clients', () => {
    const users = byScenario('credential_stuffing');
    const events = eventsOf(users);
    const fails = events.filter((e) => e.fields.eventType === 'account_login_fail');
    assert.ok(fails.length / events.length > 0.85);
    assert.ok(fails.every((e) => e.fields.httpCode === 401 && e.fields.httpMethod === 'POST'));
    assert.ok(events.every((e) => STUFFING_UAS.includes(e.fields.userAgent)));
    const ips = new Set(events.map((e) => e.fields.ipAddress));
    assert.ok(ips.size <= 16, `${ips.size} IPs for ${users.length} identities`);
    assert.ok(users.length / ips.size >= 4, 'each IP serves many identities (I04)');
    assert.ok(users.filter((u) => u.events.length >= 8).length >= 5, 'some identities reach A01');
    assert.ok(
      users.every((u) => u.userName.includes('@')),
      'identities are the e-mail addresses tried',
    );
  });

  test('bots and AI scrapers: AI crawler and headless UAs, HEAD requests, 404 floods, probing URLs', () => {
    const users = byScenario('bot');
    const events = eventsOf(users);
    const uas = new Set(events.map((e) => e.fields.userAgent));
    assert.ok([...uas].some((ua) => ua.includes('GPTBot')));
    assert.ok([...uas].some((ua) => ua.includes('ClaudeBot')));
    assert.ok([...uas].some((ua) => ua.includes('HeadlessChrome')));
    const known = new Set([...AI_CRAWLERS.map((c) => c.ua), ...HEADLESS_UAS, ...SCANNER_UAS]);
    assert.ok([...uas].every((ua) => known.has(ua)));
    assert.ok(events.filter((e) => e.fields.httpMethod === 'HEAD').length > 20);
    assert.ok(events.filter((e) => e.fields.httpCode === 404).length > 50);
    const urls = new Set(events.map((e) => e.fields.url));
    assert.ok(urls.has('/.env') || urls.has('/.git/config'));
    assert.ok(urls.has('/wp-admin/') || urls.has('/wp-login.php'));
    assert.ok(
      events.every((e) => e.fields.httpReferer === undefined || e.fields.httpReferer.startsWith('https://')),
    );
    assert.ok(
      events.every((e) => e.fields.emailAddress === undefined),
      'bots never sign in',
    );
    const variants = new Set(users.map((u) => u.variant));
    assert.deepEqual([...variants].sort(), ['ai_crawler', 'headless', 'scanner']);
    // A scanner floods: at least 4 client errors among 25 consecutive requests (B05), and 5xx (B04).
    for (const u of users.filter((x) => x.variant === 'scanner')) {
      assert.ok(u.events.filter((e) => e.fields.httpCode >= 400).length >= 10);
    }
  });

  test('multi-accounting: accounts of one person share IP and device, and often a phone', () => {
    const users = byScenario('multi_accounting');
    const groups = groupBy(users, (u) => u.group);
    assert.ok(groups.size >= 2);
    let sharedPhones = 0;
    for (const [group, members] of groups) {
      assert.ok(members.length >= 3, `${group} has ${members.length} accounts`);
      const ips = members.map((u) => new Set(u.events.map((e) => e.fields.ipAddress)));
      const common = [...ips[0]!].filter((ip) => ips.every((s) => s.has(ip)));
      assert.equal(common.length, 1, `${group}: one address shared by all accounts`);
      const uas = new Set(members.flatMap((u) => u.events.map((e) => e.fields.userAgent)));
      assert.equal(uas.size, 1, `${group}: one device`);
      for (const u of members) assert.ok(u.events.some((e) => e.fields.eventType === 'account_registration'));
      const phones = new Set(
        members.flatMap((u) => u.events.map((e) => e.fields.phoneNumber).filter((p) => p !== undefined)),
      );
      if (phones.size === 1 && members.filter((u) => u.events.some((e) => e.fields.phoneNumber)).length > 1)
        sharedPhones += 1;
    }
    assert.ok(sharedPhones >= 1, 'some groups share a phone number (P03)');
  });

  test('promo abuse: fresh accounts with disposable e-mail registering and hunting promo codes', () => {
    const users = byScenario('promo_abuse');
    for (const u of users) {
      const first = u.events[0]!.fields;
      const domain = first.emailAddress!.split('@')[1]!;
      assert.ok(DISPOSABLE_DOMAINS.includes(domain), domain);
      assert.ok(Date.parse(first.userCreated!) > NOW - 7 * DAY, 'registered in the last week');
      assert.ok(u.events.some((e) => e.fields.eventType === 'account_registration'));
      const searches = u.events.filter((e) => e.fields.eventType === 'page_search');
      assert.ok(
        searches.length >= 1 && searches.every((e) => PROMO_SEARCHES.includes(e.fields.payload!.value!)),
      );
      assert.ok(u.events.some((e) => e.fields.url.startsWith('/cart/coupon')));
    }
    // Rings share their addresses (I04).
    const ringIps = groupBy(eventsOf(users), (e) => e.fields.ipAddress);
    assert.ok([...ringIps.values()].some((list) => new Set(list.map((e) => e.fields.userName)).size >= 3));
  });

  for (const timezone of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
    test(`insider: office hours, then many field edits between 00:00 and 05:00 (${timezone})`, () => {
      const demo =
        timezone === 'UTC' ? big : generateDemo({ users: 400, days: 30, seed: 3, now: NOW, timezone });
      const insiders = demo.users.filter((u) => u.scenario === 'insider');
      assert.ok(insiders.length >= 1);
      for (const u of insiders) {
        const edits = u.events.filter((e: DemoEvent) => e.fields.eventType === 'field_edit');
        const night = edits.filter((e) => projectHour(e.time, timezone) < 5);
        const day = u.events.filter(
          (e) => projectHour(e.time, timezone) >= 9 && projectHour(e.time, timezone) < 17,
        );
        assert.ok(night.length >= 15, `${u.userName}: ${night.length} night edits`);
        assert.ok(day.length >= 20, `${u.userName}: ${day.length} daytime events`);
        const fields = night.flatMap((e) => e.fields.fieldHistory!.map((c) => c.field_id));
        assert.ok(new Set(fields).size >= 4, 'edits many kinds of fields');
        assert.ok(
          night.every((e) => e.fields.fieldHistory!.every((c) => c.parent_id?.startsWith('customer-'))),
        );
      }
    });
  }

  test('a one-day demo still has every scenario', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const demo = generateDemo({ users: MIN_DEMO_USERS, days: 1, seed, now: NOW + seed * 7 * HOUR });
      const counts = demo.counts();
      for (const s of SCENARIOS)
        assert.ok(counts[s].users >= 1 && counts[s].events >= 1, `${s}, seed ${seed}`);
    }
  });
});
