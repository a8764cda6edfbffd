import { type ReactNode, useEffect } from 'react';
import { formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link } from '../../app/router.tsx';
import { useOperator, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { ScoreBadge, StatusBadge } from '../../components/Badges.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';

interface EventDetail {
  id: number;
  time: string;
  receivedAt: string;
  type: string;
  httpCode: number | null;
  httpMethod: string | null;
  payload: unknown;
  requestId: string | null;
  sessionId: number;
  query: string | null;
  referer: string | null;
  user: {
    id: number;
    userName: string;
    fullName: string | null;
    firstName: string | null;
    lastName: string | null;
    score: number | null;
    status: string;
    scoreDetails: { code: string }[] | null;
    decidedAt: string | null;
    decidedBy: string | null;
  };
  ip: {
    ip: string;
    network: string | null;
    country: string | null;
    countryName: string | null;
    ispId: number | null;
    asn: number | null;
    ispName: string | null;
    isLocal: boolean;
    isDatacenter: boolean | null;
    isTor: boolean | null;
    isRelay: boolean | null;
    isStarlink: boolean | null;
    isVpn: boolean | null;
    blacklisted: boolean;
    eventCount: number;
    userCount: number;
  };
  device: {
    uaId: number;
    ua: string | null;
    lang: string | null;
    firstSeen: string;
    deviceType: string | null;
    os: string | null;
    osVersion: string | null;
    browser: string | null;
    browserVersion: string | null;
    isBot: boolean | null;
    botName: string | null;
  };
  resource: { id: number; url: string; title: string | null };
  email: {
    id: number;
    email: string;
    isValid: boolean | null;
    blacklisted: boolean;
    domain: string | null;
    isFree: boolean | null;
    isDisposable: boolean | null;
    hasMx: boolean | null;
  } | null;
  phone: {
    id: number;
    phone: string;
    e164: string | null;
    country: string | null;
    lineType: string | null;
    isValid: boolean | null;
    blacklisted: boolean;
  } | null;
  fieldChanges: {
    fieldId: string;
    fieldName: string | null;
    oldValue: string | null;
    newValue: string;
    parentName: string | null;
  }[];
  logbook: { id: number; endpoint: string; errorType: number; errorText: unknown } | null;
}

const yesNo = (v: boolean | null | undefined) =>
  v === null || v === undefined ? t('common.unknown') : v ? t('common.yes') : t('common.no');

/** The IP's type, the same priority as the list's IP type column. */
function ipType(ip: EventDetail['ip']): string {
  if (ip.blacklisted) return 'blacklisted';
  if (ip.isLocal) return 'local';
  if (ip.isTor) return 'tor';
  if (ip.isStarlink) return 'starlink';
  if (ip.isRelay) return 'relay';
  if (ip.isVpn) return 'vpn';
  if (ip.isDatacenter) return 'datacenter';
  return 'residential';
}

function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div key={label} style={{ display: 'contents' }}>
          <dt>{t(label)}</dt>
          <dd>{value ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The event detail panel (?eventId=…): every field, its user, IP, device, e-mail and phone facts,
 * its payload or field changes, and its API request's warnings. All values are text nodes.
 */
export function EventPanel({ eventId, onClose }: { eventId: string; onClose: () => void }) {
  const api = useProjectApi();
  const path = useProjectPath();
  const tz = useOperator().timezone;
  const { data, error } = useFetch<EventDetail>(api(`/events/${encodeURIComponent(eventId)}`));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const e = data;
  const warnings = e?.logbook && Array.isArray(e.logbook.errorText) ? e.logbook.errorText.map(String) : [];
  return (
    <aside
      className="side-panel"
      aria-label={t('events.panel.title', { id: eventId })}
      data-testid="event-panel"
    >
      <header>
        <h2>{t('events.panel.title', { id: eventId })}</h2>
        <button type="button" className="icon" aria-label={t('events.panel.close')} onClick={onClose}>
          ×
        </button>
      </header>
      {error && <ErrorBox error={error} />}
      {!e && !error && <Loading />}
      {e && (
        <>
          {warnings.length > 0 && (
            <div className="warning-box" role="note" data-testid="event-warnings">
              <strong>{t('events.panel.warning')}</strong>
              <ul>
                {warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </div>
          )}
          <h3>{t('events.panel.event')}</h3>
          <Facts
            items={[
              ['events.field.time', formatDateTime(e.time, tz, true)],
              ['events.field.received', formatDateTime(e.receivedAt, tz, true)],
              ['events.field.type', t(`events.type.${e.type}`)],
              ['events.field.method', e.httpMethod?.toUpperCase()],
              ['events.field.code', e.httpCode],
              [
                'events.field.url',
                <Link key="value" href={path(`/resources/${e.resource.id}`)}>
                  {e.resource.url}
                </Link>,
              ],
              ['events.field.title', e.resource.title],
              ['events.field.query', e.query],
              ['events.field.referer', e.referer],
              ['events.field.session', e.sessionId],
              ['events.field.requestId', e.requestId],
            ]}
          />
          <h3>{t('events.panel.user')}</h3>
          <Facts
            items={[
              [
                'events.field.userName',
                <Link key="value" href={path(`/users/${e.user.id}`)}>
                  {e.user.userName}
                </Link>,
              ],
              [
                'events.field.name',
                e.user.fullName ?? ([e.user.firstName, e.user.lastName].filter(Boolean).join(' ') || null),
              ],
              ['events.field.score', <ScoreBadge key="value" score={e.user.score} />],
              ['events.field.status', <StatusBadge key="value" status={e.user.status} />],
              ['events.field.rules', (e.user.scoreDetails ?? []).map((r) => r.code).join(' ') || null],
              [
                'events.field.decided',
                e.user.decidedAt
                  ? `${formatDateTime(e.user.decidedAt, tz)} · ${e.user.decidedBy ?? ''}`
                  : null,
              ],
            ]}
          />
          <h3>{t('events.panel.ip')}</h3>
          <Facts
            items={[
              [
                'events.field.ip',
                <Link key="value" href={path(`/ips/${encodeURIComponent(e.ip.ip)}`)}>
                  {e.ip.ip}
                </Link>,
              ],
              ['events.field.network', e.ip.network],
              [
                'events.field.country',
                e.ip.country ? (
                  <Link key="value" href={path(`/countries/${e.ip.country}`)}>
                    {e.ip.countryName ?? e.ip.country}
                  </Link>
                ) : null,
              ],
              [
                'events.field.isp',
                e.ip.ispId ? (
                  <Link
                    key="value"
                    href={path(`/isps/${e.ip.ispId}`)}
                  >{`AS${e.ip.asn} ${e.ip.ispName ?? ''}`}</Link>
                ) : null,
              ],
              ['events.field.ipType', t(`events.ip.${ipType(e.ip)}`)],
              ['events.field.ipEvents', `${formatNumber(e.ip.eventCount)} / ${formatNumber(e.ip.userCount)}`],
            ]}
          />
          <h3>{t('events.panel.device')}</h3>
          <Facts
            items={[
              [
                'events.field.ua',
                <Link key="value" href={path(`/devices/${e.device.uaId}`)}>
                  {e.device.ua ?? '—'}
                </Link>,
              ],
              ['events.field.deviceType', e.device.deviceType],
              ['events.field.os', [e.device.os, e.device.osVersion].filter(Boolean).join(' ') || null],
              [
                'events.field.browser',
                [e.device.browser, e.device.browserVersion].filter(Boolean).join(' ') || null,
              ],
              ['events.field.lang', e.device.lang],
              [
                'events.field.bot',
                e.device.isBot ? (e.device.botName ?? t('common.yes')) : yesNo(e.device.isBot),
              ],
              ['events.field.firstSeen', formatDateTime(e.device.firstSeen, tz)],
            ]}
          />
          {e.email && (
            <>
              <h3>{t('events.panel.email')}</h3>
              <Facts
                items={[
                  [
                    'events.field.email',
                    <Link key="value" href={path(`/emails/${e.email.id}`)}>
                      {e.email.email}
                    </Link>,
                  ],
                  [
                    'events.field.domain',
                    e.email.domain ? (
                      <Link key="value" href={path(`/domains/${encodeURIComponent(e.email.domain)}`)}>
                        {e.email.domain}
                      </Link>
                    ) : null,
                  ],
                  ['events.field.valid', yesNo(e.email.isValid)],
                  ['events.field.free', yesNo(e.email.isFree)],
                  ['events.field.disposable', yesNo(e.email.isDisposable)],
                  ['events.field.mx', yesNo(e.email.hasMx)],
                  ['events.field.blacklisted', yesNo(e.email.blacklisted)],
                ]}
              />
            </>
          )}
          {e.phone && (
            <>
              <h3>{t('events.panel.phone')}</h3>
              <Facts
                items={[
                  [
                    'events.field.phone',
                    <Link key="value" href={path(`/phones/${e.phone.id}`)}>
                      {e.phone.phone}
                    </Link>,
                  ],
                  ['events.field.country', e.phone.country],
                  ['events.field.lineType', e.phone.lineType],
                  ['events.field.valid', yesNo(e.phone.isValid)],
                  ['events.field.blacklisted', yesNo(e.phone.blacklisted)],
                ]}
              />
            </>
          )}
          {e.fieldChanges.length > 0 && (
            <>
              <h3>{t('events.panel.changes')}</h3>
              <table>
                <thead>
                  <tr>
                    <th>{t('events.change.field')}</th>
                    <th>{t('events.change.old')}</th>
                    <th>{t('events.change.new')}</th>
                    <th>{t('events.change.parent')}</th>
                  </tr>
                </thead>
                <tbody>
                  {e.fieldChanges.map((c, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: changes of one event have no id of their own
                    <tr key={i}>
                      <td>{c.fieldName ?? c.fieldId}</td>
                      <td>{c.oldValue ?? '—'}</td>
                      <td>{c.newValue}</td>
                      <td>{c.parentName ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {e.payload !== null && e.payload !== undefined && (
            <>
              <h3>{t('events.panel.payload')}</h3>
              <pre data-testid="event-payload">{JSON.stringify(e.payload, null, 2)}</pre>
            </>
          )}
          {e.logbook && (
            <>
              <h3>{t('events.panel.request')}</h3>
              <Facts
                items={[
                  ['events.field.endpoint', e.logbook.endpoint],
                  [
                    'events.field.outcome',
                    <Link key="value" href={path(`/logbook?entryId=${e.logbook.id}`)}>
                      {t(
                        `logbook.outcome.${['success', 'warnings', 'rejected', 'failed', 'rate_limited'][e.logbook.errorType] ?? 'failed'}`,
                      )}
                    </Link>,
                  ],
                ]}
              />
            </>
          )}
        </>
      )}
    </aside>
  );
}
