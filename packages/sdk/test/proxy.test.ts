// The client address behind proxies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientIp, compileTrust, normalizeIp, parseIp } from '../src/proxy.ts';

describe('client IP', () => {
  test('addresses are parsed and normalised', () => {
    assert.deepEqual(parseIp('192.0.2.1'), [192, 0, 2, 1]);
    assert.equal(parseIp('256.0.0.1'), undefined);
    assert.equal(parseIp('example.com'), undefined);
    assert.deepEqual(parseIp('::1'), [...Array(15).fill(0), 1]);
    assert.deepEqual(parseIp('2001:db8::1')!.slice(0, 4), [0x20, 0x01, 0x0d, 0xb8]);
    assert.deepEqual(parseIp('64:ff9b::192.0.2.1')!.slice(12), [192, 0, 2, 1]);
    assert.equal(parseIp('1:2:3:4:5:6:7:8:9'), undefined);
    assert.equal(parseIp('1::2::3'), undefined);
    assert.equal(normalizeIp('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(normalizeIp('[2001:db8::1]:443'), '2001:db8::1');
    assert.equal(normalizeIp('192.0.2.1:8080'), '192.0.2.1');
    assert.equal(normalizeIp('fe80::1%eth0'), 'fe80::1');
  });

  const xff = '198.51.100.1, 10.0.0.5, 10.0.0.6';
  test('no trust: the socket address, whatever the headers say', () => {
    assert.equal(clientIp('::ffff:10.0.0.7', xff, compileTrust(undefined)), '10.0.0.7');
    assert.equal(clientIp('10.0.0.7', xff, compileTrust(false)), '10.0.0.7');
  });
  test('trust everything: the left-most forwarded address', () => {
    assert.equal(clientIp('10.0.0.7', xff, compileTrust(true)), '198.51.100.1');
    assert.equal(clientIp('10.0.0.7', undefined, compileTrust(true)), '10.0.0.7');
  });
  test('a number of hops', () => {
    assert.equal(clientIp('10.0.0.7', xff, compileTrust(1)), '10.0.0.6');
    assert.equal(clientIp('10.0.0.7', xff, compileTrust(2)), '10.0.0.5');
    assert.equal(clientIp('10.0.0.7', xff, compileTrust(9)), '198.51.100.1');
  });
  test('CIDRs and presets: stop at the first untrusted hop (a spoofed left part is ignored)', () => {
    const trust = compileTrust(['10.0.0.0/8']);
    assert.equal(clientIp('10.0.0.7', `6.6.6.6, ${xff}`, trust), '198.51.100.1');
    assert.equal(clientIp('203.0.113.5', xff, trust), '203.0.113.5', 'the socket peer is not a proxy');
    assert.equal(clientIp('10.0.0.7', xff, compileTrust('uniquelocal')), '198.51.100.1');
    assert.equal(clientIp('::1', '2001:db8::9', compileTrust('loopback')), '2001:db8::9');
    assert.equal(clientIp('10.0.0.7', xff, compileTrust('10.0.0.7, 10.0.0.6')), '10.0.0.5');
    assert.equal(clientIp('fd00::1', '198.51.100.2', compileTrust(['fc00::/7'])), '198.51.100.2');
    assert.equal(clientIp('172.31.255.1', '198.51.100.2', compileTrust(['172.16.0.0/12'])), '198.51.100.2');
    assert.equal(clientIp('172.32.0.1', '198.51.100.2', compileTrust(['172.16.0.0/12'])), '172.32.0.1');
    assert.throws(() => compileTrust(['not-an-ip']), /trustProxy/);
  });
});
