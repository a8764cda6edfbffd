// Regenerates the feature-schema reference of docs/custom-rules.md from CEL_SCHEMA
// (packages/core/src/rules/custom/schema.ts). A test fails when the document is out of date.
// Usage: node scripts/gen-cel-docs.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { withGeneratedSchema } = await import(join(root, 'packages/core/src/rules/custom/docs.ts'));
const path = join(root, 'docs/custom-rules.md');
const current = readFileSync(path, 'utf8');
const next = withGeneratedSchema(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('docs/custom-rules.md is out of date: run node scripts/gen-cel-docs.mjs');
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(path, next);
  console.log('docs/custom-rules.md updated');
} else console.log('docs/custom-rules.md is up to date');
