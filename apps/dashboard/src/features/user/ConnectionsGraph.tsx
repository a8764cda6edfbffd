import { t } from '../../app/i18n.ts';
import { Link } from '../../app/router.tsx';
import type { Connection } from './types.ts';

const SIZE = 520;
const CENTER = SIZE / 2;
/** Kinds from the strongest tie to the weakest: an edge is drawn in its pair's strongest kind. */
export const KINDS = ['email', 'phone', 'device', 'ip'] as const;

/** Where each of n nodes sits: one ring up to 16 nodes, then an inner and an outer ring. */
function radialLayout(n: number): { x: number; y: number }[] {
  const rings = n <= 16 ? [n] : [Math.ceil(n / 3), n - Math.ceil(n / 3)];
  const radii = rings.length === 1 ? [190] : [120, 215];
  const points: { x: number; y: number }[] = [];
  rings.forEach((count, ring) => {
    for (let i = 0; i < count; i++) {
      // Rings are offset by half a step so that labels of neighbouring rings do not line up.
      const angle = ((i + (ring % 2) * 0.5) / count) * 2 * Math.PI - Math.PI / 2;
      points.push({ x: CENTER + radii[ring]! * Math.cos(angle), y: CENTER + radii[ring]! * Math.sin(angle) });
    }
  });
  return points;
}

function riskLevel(score: number | null): string {
  if (score === null) return 'none';
  return score <= 33 ? 'high' : score <= 66 ? 'medium' : 'low';
}

function shortName(name: string): string {
  return name.length > 16 ? `${name.slice(0, 15)}…` : name;
}

/**
 * The user in the middle, the users they share identifiers with around them; edge width grows
 * with the shared events, its colour is the strongest shared kind. Laid out here, in SVG, without
 * a graph library. Names are SVG text nodes, never markup.
 */
export function ConnectionsGraph({
  userName,
  score,
  connections,
  hrefFor,
}: {
  userName: string;
  score: number | null;
  connections: Connection[];
  hrefFor: (userId: number) => string;
}) {
  const points = radialLayout(connections.length);
  const maxEvents = Math.max(1, ...connections.map((c) => c.sharedEvents));
  return (
    <figure className="user-graph">
      <svg
        viewBox={`0 0 ${SIZE} ${SIZE}`}
        role="img"
        aria-label={t('user.connections.graph')}
        data-testid="connections-graph"
      >
        {connections.map((c, i) => {
          const p = points[i]!;
          const kind = KINDS.find((k) => c.kinds.includes(k)) ?? 'ip';
          const width = 1 + 4 * (Math.log1p(c.sharedEvents) / Math.log1p(maxEvents));
          return (
            <line
              key={`edge-${c.userId}`}
              x1={CENTER}
              y1={CENTER}
              x2={p.x}
              y2={p.y}
              className={`edge edge-${kind}`}
              strokeWidth={width.toFixed(1)}
            />
          );
        })}
        {connections.map((c, i) => {
          const p = points[i]!;
          return (
            <Link key={`node-${c.userId}`} href={hrefFor(c.userId)} data-testid="graph-node">
              <g transform={`translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`}>
                <circle r={9} className={`node risk-${riskLevel(c.score)}`} />
                <text y={22} textAnchor="middle" className="node-label">
                  {shortName(c.userName)}
                </text>
                <title>
                  {`${c.userName} — ${c.kinds.map((k) => t(`user.kind.${k}`)).join(', ')} · ${t('user.connections.sharedEvents', { n: c.sharedEvents })}`}
                </title>
              </g>
            </Link>
          );
        })}
        <g transform={`translate(${CENTER} ${CENTER})`}>
          <circle r={14} className={`node node-self risk-${riskLevel(score)}`} />
          <text y={30} textAnchor="middle" className="node-label node-label-self">
            {shortName(userName)}
          </text>
        </g>
      </svg>
      <figcaption className="graph-legend">
        {KINDS.map((k) => (
          <span key={k} className={`legend legend-${k}`}>
            {t(`user.kind.${k}`)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
