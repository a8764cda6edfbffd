// Builds src/components/world-110m.json: Natural Earth's countries (world-atlas, 1:110m) with
// ISO 3166-1 alpha-2 ids, the codes Vigil stores, so the map needs no lookup table at run time.
// Run again after upgrading world-atlas: node apps/dashboard/scripts/world.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const countries = require('i18n-iso-countries');
const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8'));
let unmatched = 0;
for (const geometry of topology.objects.countries.geometries) {
  const alpha2 = geometry.id ? countries.numericToAlpha2(geometry.id) : undefined;
  if (!alpha2) unmatched++;
  geometry.id = alpha2 ?? null;
  geometry.properties = { name: geometry.properties?.name ?? '' };
}
delete topology.objects.land;
const out = new URL('../src/components/world-110m.json', import.meta.url);
writeFileSync(out, JSON.stringify(topology));
console.log(
  `wrote ${out.pathname}: ${topology.objects.countries.geometries.length} shapes, ${unmatched} without a code`,
);
