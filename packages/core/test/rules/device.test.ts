import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AI_AGENT_NAMES,
  D_RULES,
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
  suspiciousFragments,
} from '../../src/rules/device.ts';
import {
  DEFAULT_THRESHOLDS,
  type DeviceFeature,
  type RuleDefinition,
  type RuleStatus,
  type RuleThresholds,
  type UserFeatures,
} from '../../src/rules/features.ts';
import { device, event, user } from './build.ts';

interface Case {
  name: string;
  f: UserFeatures;
  t?: RuleThresholds;
  status: RuleStatus;
  values?: Record<string, unknown>;
  eventIds?: number[];
  reason?: RegExp;
}

function check(rule: RuleDefinition, cases: Case[]): void {
  for (const c of cases) {
    const r = rule.evaluate(c.f, c.t ?? DEFAULT_THRESHOLDS);
    assert.equal(r.status, c.status, `${rule.code} ${c.name}`);
    if (c.status === 'match') {
      assert.deepEqual(r.evidence?.values, c.values, `${rule.code} ${c.name}: values`);
      assert.deepEqual(r.evidence?.eventIds, c.eventIds, `${rule.code} ${c.name}: eventIds`);
      assert.ok(r.evidence?.summary, `${rule.code} ${c.name}: summary`);
    }
    if (c.status === 'not_applicable') assert.match(r.evidence?.reason ?? '', c.reason ?? /./, c.name);
  }
}

const NO_DEVICE: Case = {
  name: 'no device',
  f: user({ devices: [] }),
  status: 'not_applicable',
  reason: /no device/,
};

/** A user with a quiet Windows/Chrome desktop (id 1) and `other` (id 2), with events 91 (on 2) and 92 (on 1). */
function withDevice(other: Partial<DeviceFeature>): UserFeatures {
  return user({
    devices: [device({ id: 1 }), device({ id: 2, ...other })],
    events: [event({ id: 91, deviceId: 2 }), event({ id: 92, deviceId: 1 })],
  });
}

const iphone: Partial<DeviceFeature> = {
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari',
  deviceType: 'smartphone',
  osName: 'iOS',
  osVersion: '17.5',
  browserName: 'Mobile Safari',
  browserVersion: '17.5',
};

test('D01 Device is unknown', () =>
  check(D01, [
    {
      name: 'unrecognised device type',
      f: withDevice({ userAgent: 'xyz/1.0', deviceType: null }),
      status: 'match',
      values: { deviceIds: [2], userAgents: ['xyz/1.0'] },
      eventIds: [91],
    },
    { name: 'recognised devices', f: withDevice(iphone), status: 'no_match' },
    NO_DEVICE,
  ]));

test('D02 Device is Linux', () =>
  check(D02, [
    {
      name: 'GNU/Linux desktop',
      f: withDevice({ osName: 'GNU/Linux' }),
      status: 'match',
      values: { deviceIds: [2], osName: 'GNU/Linux' },
      eventIds: [91],
    },
    { name: 'Android is not desktop Linux', f: withDevice({ osName: 'Android' }), status: 'no_match' },
    NO_DEVICE,
  ]));

test('D03 Device is bot', () =>
  check(D03, [
    {
      name: 'device type bot',
      f: withDevice({ deviceType: 'bot', isBot: true, botName: 'Googlebot' }),
      status: 'match',
      values: { deviceIds: [2], botNames: ['Googlebot'] },
      eventIds: [91],
    },
    {
      name: 'isBot without device type',
      f: withDevice({ deviceType: null, isBot: true, botName: null }),
      status: 'match',
      values: { deviceIds: [2], botNames: [null] },
      eventIds: [91],
    },
    { name: 'browsers only', f: withDevice(iphone), status: 'no_match' },
    NO_DEVICE,
  ]));

test('D04 Rare browser device', () =>
  check(D04, [
    {
      name: 'a browser off the list',
      f: withDevice({ browserName: 'Vivaldi' }),
      status: 'match',
      values: { deviceIds: [2], browsers: ['Vivaldi'] },
      eventIds: [91],
    },
    {
      name: 'an unrecognised browser counts as rare',
      f: withDevice({ browserName: null }),
      status: 'match',
      values: { deviceIds: [2], browsers: [null] },
      eventIds: [91],
    },
    {
      name: 'the list comes from the thresholds',
      f: withDevice({ browserName: 'Vivaldi' }),
      t: { ...DEFAULT_THRESHOLDS, regularBrowsers: { ...DEFAULT_THRESHOLDS.regularBrowsers, Vivaldi: 6 } },
      status: 'no_match',
    },
    { name: 'regular browsers', f: withDevice(iphone), status: 'no_match' },
    NO_DEVICE,
  ]));

test('D05 Rare OS device', () =>
  check(D05, [
    {
      name: 'GNU/Linux is rare',
      f: withDevice({ osName: 'GNU/Linux' }),
      status: 'match',
      values: { deviceIds: [2], osNames: ['GNU/Linux'] },
      eventIds: [91],
    },
    {
      name: 'an unrecognised OS counts as rare',
      f: withDevice({ osName: null }),
      status: 'match',
      values: { deviceIds: [2], osNames: [null] },
      eventIds: [91],
    },
    {
      name: 'the list comes from the thresholds',
      f: withDevice({ osName: 'GNU/Linux' }),
      t: { ...DEFAULT_THRESHOLDS, regularOsNames: [...DEFAULT_THRESHOLDS.regularOsNames, 'GNU/Linux'] },
      status: 'no_match',
    },
    { name: 'Windows and iOS', f: withDevice(iphone), status: 'no_match' },
    NO_DEVICE,
  ]));

const devices = (n: number) => Array.from({ length: n }, (_, i) => device({ id: i + 1 }));

test('D06 Multiple devices per user', () =>
  check(D06, [
    {
      name: 'five devices',
      f: user({ devices: devices(5) }),
      status: 'match',
      values: { devices: 5, max: 4 },
    },
    { name: 'four devices (boundary)', f: user({ devices: devices(4) }), status: 'no_match' },
    {
      name: 'threshold from the argument',
      f: user({ devices: devices(4) }),
      t: { ...DEFAULT_THRESHOLDS, maxDevices: 3 },
      status: 'match',
      values: { devices: 4, max: 3 },
    },
    NO_DEVICE,
  ]));

test('D07 Several desktop devices', () =>
  check(D07, [
    {
      name: 'Windows and Mac desktops',
      f: withDevice({ osName: 'Mac', browserName: 'Safari' }),
      status: 'match',
      values: { osNames: ['Windows', 'Mac'], deviceIds: [1, 2] },
      eventIds: [91, 92],
    },
    { name: 'two Windows desktops', f: withDevice({ browserName: 'Firefox' }), status: 'no_match' },
    { name: 'a desktop and a phone', f: withDevice(iphone), status: 'no_match' },
    { name: 'an unknown OS is not a different one', f: withDevice({ osName: null }), status: 'no_match' },
    NO_DEVICE,
  ]));

test('D08 Two or more phone devices', () =>
  check(D08, [
    {
      name: 'two smartphones',
      f: user({
        devices: [
          device({ id: 3, ...iphone }),
          device({ id: 4, ...iphone, browserName: 'Chrome Mobile iOS' }),
        ],
        events: [event({ id: 93, deviceId: 4 })],
      }),
      status: 'match',
      values: { smartphones: 2, deviceIds: [3, 4] },
      eventIds: [93],
    },
    { name: 'one smartphone', f: withDevice(iphone), status: 'no_match' },
    {
      name: 'a tablet is not a phone',
      f: withDevice({ ...iphone, deviceType: 'tablet' }),
      status: 'no_match',
    },
    NO_DEVICE,
  ]));

test('D09 Old browser', () =>
  check(D09, [
    {
      name: 'Chrome 89',
      f: withDevice({ browserVersion: '89.0.4389.90' }),
      status: 'match',
      values: { deviceIds: [2], browsers: [{ browser: 'Chrome', version: '89.0.4389.90', minimum: 90 }] },
      eventIds: [91],
    },
    { name: 'Chrome 90 (boundary)', f: withDevice({ browserVersion: '90' }), status: 'no_match' },
    {
      name: 'minimum from the thresholds',
      f: withDevice({ browserVersion: '120.0' }),
      t: { ...DEFAULT_THRESHOLDS, regularBrowsers: { Chrome: 125 } },
      status: 'match',
      values: { deviceIds: [2], browsers: [{ browser: 'Chrome', version: '120.0', minimum: 125 }] },
      eventIds: [91],
    },
    {
      name: 'no regular browser with a known version',
      f: user({
        devices: [
          device({ browserVersion: null }),
          device({ id: 2, browserName: 'Vivaldi', browserVersion: '1.0' }),
        ],
      }),
      status: 'not_applicable',
      reason: /no device with a common browser of known version/,
    },
    NO_DEVICE,
  ]));

test('D10 Potentially vulnerable User-Agent', () => {
  assert.deepEqual(suspiciousFragments("Mozilla/5.0' OR 1=1--"), ["' or ", 'or 1=1', '--']);
  assert.deepEqual(suspiciousFragments('() { :; }; /bin/bash -c id'), ['/bin/', '() {']);
  assert.deepEqual(suspiciousFragments(device().userAgent ?? ''), []);
  assert.deepEqual(suspiciousFragments(iphone.userAgent ?? ''), []);
  check(D10, [
    {
      name: 'encoded quote and SQL',
      f: withDevice({ userAgent: 'Mozilla%27;SELECT pg_sleep(5)' }),
      status: 'match',
      values: {
        deviceIds: [2],
        userAgents: ['Mozilla%27;SELECT pg_sleep(5)'],
        fragments: ['select ', 'sleep(', '%27'],
      },
      eventIds: [91],
    },
    { name: 'ordinary browsers', f: withDevice(iphone), status: 'no_match' },
    {
      name: 'no User-Agent to inspect',
      f: user({ devices: [device({ userAgent: null }), device({ id: 2, userAgent: ' ' })] }),
      status: 'not_applicable',
      reason: /no device with a User-Agent/,
    },
    NO_DEVICE,
  ]);
});

test('D11 Empty User-Agent', () =>
  check(D11, [
    {
      name: 'null User-Agent',
      f: withDevice({ userAgent: null }),
      status: 'match',
      values: { deviceIds: [2] },
      eventIds: [91],
    },
    {
      name: 'empty User-Agent',
      f: withDevice({ userAgent: '' }),
      status: 'match',
      values: { deviceIds: [2] },
      eventIds: [91],
    },
    { name: 'User-Agents sent', f: withDevice(iphone), status: 'no_match' },
    NO_DEVICE,
  ]));

test('D12 Empty browser language', () =>
  check(D12, [
    {
      name: 'null language',
      f: withDevice({ language: null }),
      status: 'match',
      values: { deviceIds: [2] },
      eventIds: [91],
    },
    {
      name: 'blank language',
      f: withDevice({ language: '  ' }),
      status: 'match',
      values: { deviceIds: [2] },
      eventIds: [91],
    },
    { name: 'languages sent', f: withDevice({ language: 'fr-FR' }), status: 'no_match' },
    NO_DEVICE,
  ]));

test('D13 Device is AI bot', () => {
  assert.ok(AI_AGENT_NAMES.includes('GPTBot') && AI_AGENT_NAMES.includes('ClaudeBot'));
  const bot = { deviceType: 'bot', isBot: true };
  check(D13, [
    {
      name: 'isAiBot from the parser',
      f: withDevice({ ...bot, botName: 'ClaudeBot', isAiBot: true }),
      status: 'match',
      values: { deviceIds: [2], botNames: ['ClaudeBot'] },
      eventIds: [91],
    },
    {
      name: 'isAiBot unknown: bot name in the AI list (any case)',
      f: withDevice({ ...bot, botName: 'gptbot', isAiBot: null }),
      status: 'match',
      values: { deviceIds: [2], botNames: ['gptbot'] },
      eventIds: [91],
    },
    {
      name: 'a search crawler is not an AI agent',
      f: withDevice({ ...bot, botName: 'Googlebot', isAiBot: false }),
      status: 'no_match',
    },
    {
      name: 'isAiBot unknown, bot name not in the list',
      f: withDevice({ ...bot, botName: 'Googlebot', isAiBot: null }),
      status: 'no_match',
    },
    {
      name: 'no device whose bot identity is known',
      f: user({ devices: [device({ deviceType: null, isBot: null, botName: null, isAiBot: null })] }),
      status: 'not_applicable',
      reason: /no device whose bot identity is known/,
    },
    NO_DEVICE,
  ]);
});

test('D_RULES: 13 rules of group D in code order', () => {
  assert.deepEqual(
    D_RULES.map((r) => r.code),
    Array.from({ length: 13 }, (_, i) => `D${String(i + 1).padStart(2, '0')}`),
  );
  for (const r of D_RULES) {
    assert.equal(r.group, 'D');
    assert.deepEqual(r.requires, []);
  }
});
