import { geoNaturalEarth1, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { Link } from '../app/router.tsx';
import world from './world-110m.json';

// Country shapes ship with the app (Natural Earth via world-atlas, public domain): no tiles or
// requests to the internet. Ids are ISO alpha-2, as Vigil stores them.

const topology = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
const countries = feature(topology, topology.objects.countries).features;
const WIDTH = 960;
const HEIGHT = 480;
const projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], { type: 'Sphere' });
const path = geoPath(projection);
const shapes = countries.map((c) => ({
  id: (c.id as string | null) ?? '',
  name: c.properties.name,
  d: path(c) ?? '',
}));

/**
 * A world map shaded by value per country (e.g. events, risky users, a user's IP locations).
 */
export function WorldMap({
  values,
  label,
  hrefFor,
}: {
  values: Record<string, number>;
  label: string;
  /** Where a click on a country leads (e.g. its country page). */
  hrefFor?: (iso: string) => string;
}) {
  const max = Math.max(1, ...Object.values(values));
  return (
    <svg
      className="world-map"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={label}
      data-testid="world-map"
    >
      {shapes.map((s, i) => {
        const value = values[s.id] ?? 0;
        const level = value === 0 ? 0 : Math.ceil((Math.log1p(value) / Math.log1p(max)) * 5);
        const shape = (
          <path
            key={s.id || `x${i}`}
            d={s.d}
            className={`country level-${level}`}
            data-iso={s.id || undefined}
          >
            <title>{`${s.name}${value ? `: ${value}` : ''}`}</title>
          </path>
        );
        return hrefFor && s.id ? (
          <Link key={s.id} href={hrefFor(s.id)}>
            {shape}
          </Link>
        ) : (
          shape
        );
      })}
    </svg>
  );
}
