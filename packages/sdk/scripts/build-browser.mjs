// Bundles src/browser.ts (no Node API) into dist/vigil.browser.js, minified, and fails when the
// gzipped size is over the 5 KB budget. Run after `tsc -b` (root `npm run build` does both).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'vigil.browser.js');
const BUDGET = 5 * 1024;

await build({
  entryPoints: [join(root, 'src', 'browser.ts')],
  outfile,
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
  legalComments: 'none',
  banner: { js: '/* @vigil/sdk browser build, Apache-2.0 */' },
  logLevel: 'warning',
});

const code = readFileSync(outfile);
const gzipped = gzipSync(code, { level: 9 }).length;
const line = `vigil.browser.js: ${code.length} bytes, ${gzipped} bytes gzipped (budget ${BUDGET})`;
if (gzipped > BUDGET) {
  console.error(`${line}: OVER BUDGET`);
  process.exit(1);
}
console.log(line);
