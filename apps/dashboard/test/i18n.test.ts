import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

// Every string of the console goes through t('key'): each key used in the sources must exist in
// the English dictionaries (the shell's and each feature's), so no page shows a raw key.

const SRC = join(import.meta.dirname, '..', 'src');

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else if (/\.(ts|tsx)$/.test(name)) out.push(path);
  }
  return out;
}

async function dictionary(): Promise<Record<string, string>> {
  const all: Record<string, string> = {};
  const paths = [
    join(SRC, 'app', 'i18n.en.ts'),
    ...files(join(SRC, 'features')).filter((p) => p.endsWith('i18n.en.ts')),
  ];
  for (const path of paths) {
    const module = (await import(path)) as { default: Record<string, string> };
    for (const [key, text] of Object.entries(module.default)) {
      assert.ok(
        !(key in all) || all[key] === text,
        `key ${key} is defined twice with different texts (${path})`,
      );
      all[key] = text;
    }
  }
  return all;
}

test('every t() key used in the dashboard has an English text', async () => {
  const en = await dictionary();
  const missing: string[] = [];
  let used = 0;
  for (const path of files(SRC)) {
    const source = readFileSync(path, 'utf8');
    for (const match of source.matchAll(/\bt\(\s*'([^']+)'/g)) {
      used++;
      if (!(match[1]! in en)) missing.push(`${match[1]} (${path.slice(SRC.length + 1)})`);
    }
  }
  assert.ok(used > 30, `only ${used} t() calls found: is the scan broken?`);
  assert.deepEqual(missing, []);
});

test('the English texts are not empty and their placeholders are well-formed', async () => {
  for (const [key, text] of Object.entries(await dictionary())) {
    assert.ok(text.trim().length > 0, `${key} is empty`);
    assert.doesNotMatch(text, /\{[^}]*$|^[^{]*\}/, `${key} has an unbalanced placeholder`);
  }
});
