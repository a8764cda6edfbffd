import { type ReactNode, useState } from 'react';
import { formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link } from '../../app/router.tsx';
import { useOperator, useProjectPath } from '../../app/session.tsx';
import { ScoreBadge, StatusBadge } from '../../components/Badges.tsx';
import { Sparkline } from '../../components/Sparkline.tsx';
import { Empty } from '../../components/States.tsx';
import { Tiles } from '../../components/Tiles.tsx';
import { WorldMap } from '../../components/WorldMap.tsx';
import { ConnectionsGraph } from './ConnectionsGraph.tsx';
import type {
  Activity,
  Connection,
  EmailFacts,
  Entities,
  FieldChange,
  IpFacts,
  PhoneFacts,
  ScoreHistory,
  UserDetails,
} from './types.ts';

function weightClass(weight: number): string {
  if (weight >= 70) return 'extreme';
  if (weight >= 20) return 'high';
  if (weight >= 10) return 'medium';
  if (weight < 0) return 'positive';
  return 'none';
}

/** Evidence values as "key: value" text (values are data from events: text only, never markup). */
function evidenceValues(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

/** The score, each matched rule with its weight and evidence (linked to the events), history. */
export function ScorePanel({
  details,
  history,
}: {
  details: UserDetails;
  history: ScoreHistory | undefined;
}) {
  const path = useProjectPath();
  const tz = useOperator().timezone;
  const [showAll, setShowAll] = useState(false);
  const { score } = details;
  const events = new Map(score.evidenceEvents.map((e) => [e.id, e]));
  const weighted = score.matched.filter((m) => m.weight !== 0);
  const shown = showAll ? score.matched : weighted;
  const hidden = score.matched.length - weighted.length;
  const scores = history ? [...history.scores].reverse() : [];
  return (
    <section className="panel" aria-labelledby="user-score-title">
      <div className="user-score-head">
        <h2 id="user-score-title">{t('user.score.title')}</h2>
        <span className="user-score-value" data-testid="user-score">
          {score.score ?? '—'}
        </span>
        <span className="muted">
          {score.updatedAt
            ? t('user.score.updated', { at: formatDateTime(score.updatedAt, tz) })
            : t('user.score.queued')}
          {score.ruleSetVersion !== null && score.ruleSetVersion !== score.currentRuleSetVersion
            ? ` · ${t('user.score.stale', { version: score.ruleSetVersion, current: score.currentRuleSetVersion })}`
            : ''}
        </span>
        {scores.length > 1 && (
          <Sparkline values={scores.map((s) => s.score)} label={t('user.score.historyChart')} />
        )}
      </div>
      {score.matched.length === 0 ? (
        <Empty text={score.score === null ? t('user.score.queued') : t('user.score.noRule')} />
      ) : (
        <table className="user-breakdown" data-testid="breakdown">
          <thead>
            <tr>
              <th>{t('user.rule.code')}</th>
              <th>{t('user.rule.name')}</th>
              <th className="num">{t('user.rule.weight')}</th>
              <th>{t('user.rule.evidence')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((rule) => (
              <tr key={rule.code} data-testid={`rule-${rule.code}`}>
                <td>
                  <span className={`rule-code weight-${weightClass(rule.weight)}`}>{rule.code}</span>
                </td>
                <td title={rule.description}>{rule.name}</td>
                <td className="num" data-testid="rule-weight">
                  {rule.weight}
                </td>
                <td>
                  {rule.evidence?.summary && <div>{rule.evidence.summary}</div>}
                  {rule.evidence?.values && Object.keys(rule.evidence.values).length > 0 && (
                    <div className="muted">{evidenceValues(rule.evidence.values)}</div>
                  )}
                  {(rule.evidence?.eventIds ?? []).length > 0 && (
                    <ul className="evidence-events">
                      {(rule.evidence?.eventIds ?? []).slice(0, 10).map((id) => {
                        const e = events.get(id);
                        return (
                          <li key={id}>
                            <Link href={path(`/events?eventId=${id}`)} data-testid="evidence-event">
                              {t('user.rule.event', { id })}
                            </Link>
                            {e && (
                              <span className="muted">
                                {' '}
                                {e.type} · {formatDateTime(e.time, tz)} · {e.ip} · {e.url}
                              </span>
                            )}
                          </li>
                        );
                      })}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hidden > 0 && (
        <button type="button" className="link" onClick={() => setShowAll(!showAll)}>
          {showAll ? t('user.score.showLess') : t('user.score.showAll', { n: hidden })}
        </button>
      )}
      {score.notApplicable.length > 0 && (
        <details className="user-details">
          <summary>{t('user.score.notApplicable', { n: score.notApplicable.length })}</summary>
          <ul>
            {score.notApplicable.map((r) => (
              <li key={r.code}>
                <span className="rule-code">{r.code}</span> {r.name}
                {r.reason && <span className="muted"> — {r.reason}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {history && history.scores.length > 0 && (
        <details className="user-details">
          <summary>{t('user.score.history', { n: history.scores.length })}</summary>
          <table>
            <thead>
              <tr>
                <th>{t('user.col.time')}</th>
                <th className="num">{t('score.label')}</th>
                <th>{t('user.score.matched')}</th>
                <th className="num">{t('user.score.version')}</th>
              </tr>
            </thead>
            <tbody>
              {history.scores.map((s) => (
                <tr key={s.id}>
                  <td>{formatDateTime(s.computedAt, tz, true)}</td>
                  <td className="num">{s.score}</td>
                  <td>{s.matched.join(', ') || '—'}</td>
                  <td className="num">{s.ruleSetVersion}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}

function ipFlags(ip: IpFacts): string {
  const flags = [
    ip.isTor && 'TOR',
    ip.isVpn && 'VPN',
    ip.isRelay && t('user.ip.relay'),
    ip.isStarlink && 'Starlink',
    ip.isDatacenter && t('user.ip.datacenter'),
    ip.isLocal && t('user.ip.private'),
    ip.blacklisted && t('status.blacklisted'),
  ].filter(Boolean);
  return flags.length ? flags.join(' · ') : t('user.ip.residential');
}

/** The facts that hold, as "a · b · c". */
const facts = (parts: (string | false | null)[]) => parts.filter(Boolean).join(' · ');

/** What is wrong or notable about an e-mail address (no MX: where it was looked up). */
const emailFacts = (e: EmailFacts & { hasMx?: boolean | null }) =>
  facts([
    e.isValid === false && t('user.email.invalid'),
    e.isFree && t('user.email.free'),
    e.isDisposable && t('user.email.disposable'),
    e.hasMx === false && t('user.email.noMx'),
    e.blacklisted && t('status.blacklisted'),
  ]);

const phoneFacts = (p: PhoneFacts) =>
  facts([
    p.country,
    p.lineType,
    p.isValid === false && t('user.phone.invalid'),
    p.blacklisted && t('status.blacklisted'),
  ]);

/** E-mail, phone, device and IP: the latest of each with the facts that matter. */
export function IdentityTiles({
  details,
  entities,
}: {
  details: UserDetails;
  entities: Entities | undefined;
}) {
  const path = useProjectPath();
  const tz = useOperator().timezone;
  const { identity, user } = details;
  const { email, phone, device, ip } = identity;
  const items: { label: string; value: ReactNode; testId?: string }[] = [
    {
      label: t('user.tile.email'),
      testId: 'tile-email',
      value: email ? (
        <>
          <Link href={path(`/emails/${email.id}`)}>{email.email}</Link>
          <small className="tile-facts">
            {facts([emailFacts(email), email.userCount > 1 && t('user.sharedBy', { n: email.userCount })]) ||
              t('user.email.ok')}
          </small>
        </>
      ) : (
        '—'
      ),
    },
    {
      label: t('user.tile.phone'),
      testId: 'tile-phone',
      value: phone ? (
        <>
          <Link href={path(`/phones/${phone.id}`)}>{phone.e164 ?? phone.phone}</Link>
          <small className="tile-facts">
            {facts([phoneFacts(phone), phone.userCount > 1 && t('user.sharedBy', { n: phone.userCount })])}
          </small>
        </>
      ) : (
        '—'
      ),
    },
    {
      label: t('user.tile.device'),
      testId: 'tile-device',
      value: device ? (
        <>
          <Link href={path(`/devices/${device.uaId}`)}>
            {[device.deviceType, device.osName, device.browserName].filter(Boolean).join(' · ') ||
              t('common.unknown')}
          </Link>
          <small className="tile-facts">
            {[device.lang, device.isBot && t('user.device.bot'), device.isAiBot && t('user.device.aiBot')]
              .filter(Boolean)
              .join(' · ')}
          </small>
        </>
      ) : (
        '—'
      ),
    },
    {
      label: t('user.tile.ip'),
      testId: 'tile-ip',
      value: ip ? (
        <>
          <Link href={path(`/ips/${encodeURIComponent(ip.ip)}`)}>{ip.ip}</Link>
          <small className="tile-facts">
            {[ip.countryName ?? ip.country, ip.ispName, ipFlags(ip)].filter(Boolean).join(' · ')}
          </small>
        </>
      ) : (
        '—'
      ),
    },
  ];
  const totals = entities?.totals;
  const summary: { label: string; value: ReactNode; testId?: string }[] = [
    { label: t('user.tile.signup'), value: formatDateTime(user.created, tz) },
    { label: t('user.tile.lastSeen'), value: formatDateTime(user.lastSeen, tz) },
    { label: t('user.tile.events'), value: formatNumber(user.eventCount), testId: 'tile-events' },
    { label: t('user.tile.sessions'), value: formatNumber(totals?.sessions) },
    { label: t('user.tile.ips'), value: formatNumber(totals?.ips), testId: 'tile-ips' },
    { label: t('user.tile.countries'), value: formatNumber(totals?.countries) },
    { label: t('user.tile.devices'), value: formatNumber(totals?.devices) },
    { label: t('user.tile.edits'), value: formatNumber(totals?.edits) },
  ];
  return (
    <>
      <Tiles items={items} />
      <Tiles items={summary} />
    </>
  );
}

const SPARKS = [
  ['events', 'user.activity.events'],
  ['logins', 'user.activity.logins'],
  ['failedLogins', 'user.activity.failedLogins'],
  ['ips', 'user.activity.ips'],
] as const;

/** The last 7 days (line) over the 7 before (dashed), per day in the operator's timezone. */
export function ActivityRow({ activity }: { activity: Activity }) {
  return (
    <section className="panel user-sparks" aria-label={t('user.activity.title')}>
      {SPARKS.map(([key, label]) => {
        const s = activity[key];
        return (
          <div className="user-spark" key={key} data-testid={`spark-${key}`}>
            <div className="muted">{t(label)}</div>
            <Sparkline values={s.current} previous={s.previous} label={t(label)} />
            <div>
              <strong data-testid="spark-current">{formatNumber(s.total.current)}</strong>{' '}
              <span className="muted">
                {t('user.activity.previous', { n: formatNumber(s.total.previous) })}
              </span>
            </div>
          </div>
        );
      })}
    </section>
  );
}

/** A small table with a title; rows are text nodes only. */
function SmallTable({
  title,
  headers,
  rows,
  testId,
  total,
}: {
  title: string;
  headers: { label: string; numeric?: boolean }[];
  rows: { key: string | number; cells: ReactNode[] }[];
  testId: string;
  total?: number;
}) {
  return (
    <section className="panel" data-testid={testId}>
      <h2>
        {title}{' '}
        <span className="muted">
          {formatNumber(total ?? rows.length)}
          {total !== undefined && total > rows.length
            ? ` (${t('user.showingFirst', { n: rows.length })})`
            : ''}
        </span>
      </h2>
      {rows.length === 0 ? (
        <Empty text={t('user.none')} />
      ) : (
        <table>
          <thead>
            <tr>
              {headers.map((h) => (
                <th key={h.label} className={h.numeric ? 'num' : undefined}>
                  {h.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                {r.cells.map((c, i) => (
                  <td key={headers[i]!.label} className={headers[i]!.numeric ? 'num' : undefined}>
                    {c}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Map and IPs, then ISPs, countries, devices, e-mails and phones, each linking to its page. */
export function EntitiesSection({ entities }: { entities: Entities }) {
  const path = useProjectPath();
  const tz = useOperator().timezone;
  const byCountry = Object.fromEntries(entities.countries.map((c) => [c.iso, c.events]));
  const n = formatNumber;
  return (
    <>
      <section className="panel">
        <h2>{t('user.map.title')}</h2>
        <WorldMap
          values={byCountry}
          label={t('user.map.label')}
          hrefFor={(iso) => path(`/countries/${encodeURIComponent(iso)}`)}
        />
      </section>
      <SmallTable
        title={t('user.ips.title')}
        testId="user-ips"
        total={entities.totals.ips}
        headers={[
          { label: t('user.col.ip') },
          { label: t('user.col.country') },
          { label: t('user.col.isp') },
          { label: t('user.col.type') },
          { label: t('user.col.events'), numeric: true },
          { label: t('user.col.users'), numeric: true },
          { label: t('user.col.lastSeen') },
        ]}
        rows={entities.ips.map((ip) => ({
          key: ip.id,
          cells: [
            <Link key="ip" href={path(`/ips/${encodeURIComponent(ip.ip)}`)}>
              {ip.ip}
            </Link>,
            ip.country ? (
              <Link key="c" href={path(`/countries/${encodeURIComponent(ip.country)}`)}>
                {ip.countryName ?? ip.country}
              </Link>
            ) : (
              '—'
            ),
            ip.ispId !== null ? (
              <Link key="isp" href={path(`/isps/${ip.ispId}`)}>
                {ip.ispName ?? `AS${ip.asn}`}
              </Link>
            ) : (
              '—'
            ),
            ipFlags(ip),
            n(ip.events),
            n(ip.userCount),
            formatDateTime(ip.lastSeen, tz),
          ],
        }))}
      />
      <div className="grid">
        <SmallTable
          title={t('user.isps.title')}
          testId="user-isps"
          total={entities.totals.isps}
          headers={[
            { label: t('user.col.isp') },
            { label: 'ASN' },
            { label: t('user.col.ips'), numeric: true },
            { label: t('user.col.events'), numeric: true },
          ]}
          rows={entities.isps.map((isp) => ({
            key: isp.id,
            cells: [
              <Link key="isp" href={path(`/isps/${isp.id}`)}>
                {isp.name}
              </Link>,
              String(isp.asn),
              n(isp.ips),
              n(isp.events),
            ],
          }))}
        />
        <SmallTable
          title={t('user.countries.title')}
          testId="user-countries"
          total={entities.totals.countries}
          headers={[
            { label: t('user.col.country') },
            { label: t('user.col.ips'), numeric: true },
            { label: t('user.col.events'), numeric: true },
          ]}
          rows={entities.countries.map((c) => ({
            key: c.iso,
            cells: [
              <Link key="c" href={path(`/countries/${encodeURIComponent(c.iso)}`)}>
                {c.name ?? c.iso}
              </Link>,
              n(c.ips),
              n(c.events),
            ],
          }))}
        />
      </div>
      <SmallTable
        title={t('user.devices.title')}
        testId="user-devices"
        total={entities.totals.devices}
        headers={[
          { label: t('user.col.device') },
          { label: t('user.col.os') },
          { label: t('user.col.browser') },
          { label: t('user.col.lang') },
          { label: t('user.col.events'), numeric: true },
          { label: t('user.col.firstSeen') },
        ]}
        rows={entities.devices.map((d) => ({
          key: d.id,
          cells: [
            <Link key="d" href={path(`/devices/${d.uaId}`)} title={d.ua ?? ''}>
              {d.deviceType ?? t('common.unknown')}
              {d.isBot ? ` (${t('user.device.bot')})` : ''}
            </Link>,
            [d.osName, d.osVersion].filter(Boolean).join(' ') || '—',
            [d.browserName, d.browserVersion].filter(Boolean).join(' ') || '—',
            d.lang ?? '—',
            n(d.events),
            formatDateTime(d.firstSeen, tz),
          ],
        }))}
      />
      <div className="grid">
        <SmallTable
          title={t('user.emails.title')}
          testId="user-emails"
          total={entities.totals.emails}
          headers={[
            { label: t('user.col.email') },
            { label: t('user.col.facts') },
            { label: t('user.col.events'), numeric: true },
          ]}
          rows={entities.emails.map((e) => ({
            key: e.id,
            cells: [
              <Link key="e" href={path(`/emails/${e.id}`)}>
                {e.email}
              </Link>,
              emailFacts(e) || '—',
              n(e.events),
            ],
          }))}
        />
        <SmallTable
          title={t('user.phones.title')}
          testId="user-phones"
          total={entities.totals.phones}
          headers={[
            { label: t('user.col.phone') },
            { label: t('user.col.facts') },
            { label: t('user.col.events'), numeric: true },
          ]}
          rows={entities.phones.map((p) => ({
            key: p.id,
            cells: [
              <Link key="p" href={path(`/phones/${p.id}`)}>
                {p.e164 ?? p.phone}
              </Link>,
              phoneFacts(p) || '—',
              n(p.events),
            ],
          }))}
        />
      </div>
    </>
  );
}

/** The field changes this user's events reported, newest first. */
export function FieldHistory({
  changes,
  total,
  userId,
}: {
  changes: FieldChange[];
  total: number;
  userId: number;
}) {
  const path = useProjectPath();
  const tz = useOperator().timezone;
  return (
    <section className="panel" data-testid="user-field-history">
      <h2>
        {t('user.fields.title')} <span className="muted">{formatNumber(total)}</span>{' '}
        {total > 0 && (
          <Link className="user-more" href={path(`/field-audit/changes?userId=${userId}`)}>
            {t('user.fields.all')}
          </Link>
        )}
      </h2>
      {changes.length === 0 ? (
        <Empty text={t('user.none')} />
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('user.col.field')}</th>
              <th>{t('user.col.change')}</th>
              <th>{t('user.col.parent')}</th>
              <th>{t('user.col.time')}</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link href={path(`/field-audit/${c.fieldRef}`)}>{c.fieldName ?? c.fieldId}</Link>
                </td>
                <td>
                  <span className="field-old">{c.oldValue ?? '∅'}</span> →{' '}
                  <span className="field-new">{c.newValue}</span>
                </td>
                <td>{[c.parentName, c.parentId].filter(Boolean).join(' · ') || '—'}</td>
                <td>
                  <Link href={path(`/events?eventId=${c.eventId}`)}>{formatDateTime(c.time, tz)}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Users sharing an identifier with this one: the graph, and the same as a table. */
export function ConnectionsSection({
  details,
  connections,
}: {
  details: UserDetails;
  connections: Connection[];
}) {
  const path = useProjectPath();
  const link = (l: Connection['links'][number]) => {
    if (l.kind === 'ip') return path(`/ips/${encodeURIComponent(l.ref)}`);
    if (l.kind === 'device') return path(`/devices/${l.ref}`);
    if (l.kind === 'email') return path(`/emails/${l.ref}`);
    return path(`/phones/${l.ref}`);
  };
  return (
    <section className="panel" data-testid="user-connections">
      <h2>
        {t('user.connections.title')} <span className="muted">{formatNumber(connections.length)}</span>
      </h2>
      {connections.length === 0 ? (
        <Empty text={t('user.connections.none')} />
      ) : (
        <div className="user-connections">
          <ConnectionsGraph
            userName={details.user.userName}
            score={details.score.score}
            connections={connections}
            hrefFor={(id) => path(`/users/${id}`)}
          />
          <table data-testid="connections-table">
            <thead>
              <tr>
                <th>{t('user.col.user')}</th>
                <th>{t('score.label')}</th>
                <th>{t('user.connections.shared')}</th>
                <th className="num">{t('user.col.events')}</th>
              </tr>
            </thead>
            <tbody>
              {connections.map((c) => (
                <tr key={c.userId}>
                  <td>
                    <Link href={path(`/users/${c.userId}`)}>{c.userName}</Link>{' '}
                    {c.status !== 'normal' && <StatusBadge status={c.status} />}
                  </td>
                  <td>
                    <ScoreBadge score={c.score} />
                  </td>
                  <td>
                    <ul className="connection-links">
                      {c.links.slice(0, 6).map((l) => (
                        <li key={`${l.kind}:${l.ref}`}>
                          <span className={`legend legend-${l.kind}`}>{t(`user.kind.${l.kind}`)}</span>{' '}
                          <Link href={link(l)}>{l.value}</Link>
                        </li>
                      ))}
                      {c.links.length > 6 && (
                        <li className="muted">{t('user.more', { n: c.links.length - 6 })}</li>
                      )}
                    </ul>
                  </td>
                  <td className="num">{formatNumber(c.sharedEvents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Who decided what about the user, newest first. */
export function DecisionsList({ details }: { details: UserDetails }) {
  const tz = useOperator().timezone;
  if (details.decisions.length === 0) return null;
  return (
    <section className="panel" data-testid="user-decisions">
      <h2>{t('user.decisions.title')}</h2>
      <ul className="user-decisions">
        {details.decisions.map((d) => (
          <li key={d.id}>
            <strong>{t(`user.decision.${d.decision}`)}</strong> <span className="muted">{d.actor}</span> ·{' '}
            {formatDateTime(d.at, tz)}
            {d.note && <div className="user-decision-note">{d.note}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
