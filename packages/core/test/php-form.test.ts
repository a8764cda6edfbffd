import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FormFields, parsePhpForm, phpFieldsFromPairs } from '../src/sensor/php-form.ts';

describe('parsePhpForm: PHP $_POST semantics', () => {
  const cases: [string, string, FormFields][] = [
    ['plain pairs', 'a=1&b=2', { a: '1', b: '2' }],
    ['empty body', '', {}],
    ['+ and %20 are both spaces', 'a=x+y%20z', { a: 'x y z' }],
    ['%2B is a plus', 'a=1%2B1', { a: '1+1' }],
    ['malformed escapes kept literally', 'a=100%&b=%zz%4&c=%', { a: '100%', b: '%zz%4', c: '%' }],
    ['UTF-8 escapes decoded', 'a=%C3%A9%F0%9F%98%80', { a: 'é😀' }],
    ['invalid UTF-8 replaced by U+FFFD', 'a=%E9t%C3', { a: '\uFFFDt\uFFFD' }],
    ['a leading BOM is kept', 'a=%EF%BB%BFx', { a: '\uFEFFx' }],
    ['NUL kept in a value', 'a=x%00y', { a: 'x\0y' }],
    ['NUL ends a name', 'a%00b=1', { a: '1' }],
    ['last plain key wins', 'a=1&a=2', { a: '2' }],
    ['key without = is ""', 'flag&b=', { flag: '', b: '' }],
    ['value keeps further =', 'a=b=c', { a: 'b=c' }],
    ['empty names ignored', '=x&&a=1&&', { a: '1' }],
    ['spaces and dots in the base name become _', 'a b=1&c.d=2', { a_b: '1', c_d: '2' }],
    ['leading spaces of a name are dropped', '+a=1', { a: '1' }],
    ['only the base name is rewritten', 'a[b c.d]=1', { a: { 'b c.d': '1' } }],
    ['named keys', 'a[b]=1&a[c]=2', { a: { b: '1', c: '2' } }],
    ['percent-encoded brackets', 'a%5Bb%5D=1', { a: { b: '1' } }],
    ['append', 'a[]=x&a[]=y', { a: { 0: 'x', 1: 'y' } }],
    ['append after an integer key', 'a[5]=x&a[]=y', { a: { 5: 'x', 6: 'y' } }],
    ['append after a negative key starts at 0', 'a[-3]=x&a[]=y', { a: { '-3': 'x', 0: 'y' } }],
    ['a non-canonical number is a string key', 'a[05]=x&a[]=y', { a: { '05': 'x', 0: 'y' } }],
    ['an explicit index overwrites an appended one', 'a[]=1&a[]=2&a[0]=3', { a: { 0: '3', 1: '2' } }],
    ['list of objects', 'a[0][b]=1&a[0][c]=2&a[1][b]=3', { a: { 0: { b: '1', c: '2' }, 1: { b: '3' } } }],
    ['deep keys', 'a[b][c][d]=1', { a: { b: { c: { d: '1' } } } }],
    ['nested append', 'a[b][]=1&a[b][]=2', { a: { b: { 0: '1', 1: '2' } } }],
    ['append of arrays', 'a[][x]=1&a[][x]=2', { a: { 0: { x: '1' }, 1: { x: '2' } } }],
    ['a later plain key replaces an array', 'a[b]=2&a=1', { a: '1' }],
    ['a later array replaces a plain key', 'a=1&a[b]=2', { a: { b: '2' } }],
    ['a string inside an array is replaced by an array', 'a[b]=1&a[b][c]=2', { a: { b: { c: '2' } } }],
    ['unclosed first bracket is part of the name', 'a[b=1', { a_b: '1' }],
    ['unclosed first bracket: rest rewritten', 'a[b.c[d=1', { a_b_c_d: '1' }],
    ['unclosed later bracket is ignored', 'a[b][c=1', { a: { b: '1' } }],
    ['text after ] is ignored', 'a[b]x=1&a[c]x[d]=2', { a: { b: '1', c: '2' } }],
    ['[ inside a key is literal', 'a[b[c]=1', { a: { 'b[c': '1' } }],
    ['empty base name with brackets ignored', '[a]=1&b=2', { b: '2' }],
  ];
  for (const [name, body, expected] of cases) {
    test(name, () => assert.deepStrictEqual(parsePhpForm(body), expected));
  }

  test('integer keys iterate in ascending order (a JavaScript object, unlike a PHP array)', () => {
    assert.deepStrictEqual(Object.keys(parsePhpForm('a[b]=1&a[1]=2&a[0]=3').a as object), ['0', '1', 'b']);
  });

  test('__proto__ and constructor are ordinary keys, nothing is polluted', () => {
    const fields = parsePhpForm('__proto__=x&constructor[prototype][polluted]=1&a[__proto__][polluted]=2');
    assert.equal(Object.getPrototypeOf(fields), Object.prototype);
    assert.ok(Object.hasOwn(fields, '__proto__'));
    assert.equal(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value, 'x');
    assert.deepStrictEqual(fields.constructor, { prototype: { polluted: '1' } });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(fields.a), Object.prototype);
  });

  test('64 levels of nesting are kept', () => {
    const fields = parsePhpForm(`a${'[x]'.repeat(64)}=1`);
    let v: unknown = fields.a;
    for (let i = 0; i < 64; i++) v = (v as Record<string, unknown>).x;
    assert.equal(v, '1');
  });

  test('65 levels drop the whole variable, earlier values included (as PHP)', () => {
    assert.deepStrictEqual(parsePhpForm(`a=1&b=2&a${'[x]'.repeat(65)}=3`), { b: '2' });
  });

  test('only the first 1000 pairs are read (max_input_vars)', () => {
    const body = Array.from({ length: 1500 }, (_, i) => `f${i}=${i}`).join('&');
    const fields = parsePhpForm(body);
    assert.equal(Object.keys(fields).length, 1000);
    assert.equal(fields.f999, '999');
    assert.equal(fields.f1000, undefined);
  });

  test('empty segments count towards the limit, as in PHP', () => {
    assert.deepStrictEqual(parsePhpForm('&&a=1&b=2', { maxVars: 3, maxNesting: 64 }), { a: '1' });
  });

  test('limits can be lowered', () => {
    assert.deepStrictEqual(parsePhpForm('a=1&b=2&c=3', { maxVars: 2, maxNesting: 64 }), { a: '1', b: '2' });
    assert.deepStrictEqual(parsePhpForm('a[b][c]=1&d[e]=2', { maxVars: 10, maxNesting: 1 }), {
      d: { e: '2' },
    });
  });
});

describe('parsePhpForm: hostile bodies finish fast', () => {
  function timed(fn: () => void): number {
    const start = performance.now();
    fn();
    return performance.now() - start;
  }

  test('100k fields', () => {
    const body = Array.from({ length: 100_000 }, (_, i) => `userName${i % 7 ? '' : '[]'}=${i}`).join('&');
    let fields: FormFields = {};
    const ms = timed(() => {
      fields = parsePhpForm(body);
    });
    assert.ok(ms < 500, `took ${ms} ms`);
    assert.ok(Object.keys(fields).length <= 1000);
  });

  test('100k levels of nesting', () => {
    let fields: FormFields = { x: '' };
    const ms = timed(() => {
      fields = parsePhpForm(`a${'[a]'.repeat(100_000)}=1`);
    });
    assert.ok(ms < 500, `took ${ms} ms`);
    assert.deepStrictEqual(fields, {});
  });

  test('1000 appends at 64 levels', () => {
    const body = Array.from({ length: 1000 }, () => `a${'[]'.repeat(64)}=1`).join('&');
    const ms = timed(() => parsePhpForm(body));
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  test('a megabyte of brackets and percent signs', () => {
    const ms = timed(() => {
      parsePhpForm(`a${'['.repeat(1_000_000)}=1`);
      parsePhpForm(`a=${'%'.repeat(1_000_000)}`);
      parsePhpForm(`a${']'.repeat(1_000_000)}=1`);
    });
    assert.ok(ms < 1000, `took ${ms} ms`);
  });
});

describe('phpFieldsFromPairs (multipart fields)', () => {
  test('builds the same structure without URL-decoding', () => {
    const fields = phpFieldsFromPairs([
      ['payload[field_id]', '1'],
      ['payload[value]', 'a+b%20c'],
      ['fieldHistory[0][field_id]', '2'],
      ['userName', 'x'],
      ['userName', 'y'],
    ]);
    assert.deepStrictEqual(fields, {
      payload: { field_id: '1', value: 'a+b%20c' },
      fieldHistory: { 0: { field_id: '2' } },
      userName: 'y',
    });
  });

  test('reads at most 1000 pairs, even from an endless iterable', () => {
    function* endless(): Generator<[string, string]> {
      for (let i = 0; ; i++) yield [`f${i}`, 'v'];
    }
    assert.equal(Object.keys(phpFieldsFromPairs(endless())).length, 1000);
  });
});
