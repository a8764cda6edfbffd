import { formatNumber, t } from '../../app/i18n.ts';
import {
  EntityDetailPage,
  EntityLink,
  EntityListPage,
  seenColumns,
  seenTiles,
  YesNo,
} from '../entities/kit.tsx';

interface UaRow {
  id: number;
  ua: string | null;
  deviceType: string | null;
  brand: string | null;
  model: string | null;
  os: string | null;
  osVersion: string | null;
  browser: string | null;
  browserVersion: string | null;
  bot: boolean | null;
  botName: string | null;
  aiBot: boolean | null;
  events: number;
  users: number;
  firstSeen: string;
  lastSeen: string;
}

const TYPES = ['desktop', 'smartphone', 'tablet', 'bot', 'other', 'unknown'];
const KINDS = ['bot', 'aiBot', 'human'];
const joined = (...parts: (string | null)[]) => parts.filter(Boolean).join(' ');

/** A short name for an agent: "Chrome 126 · Windows 10", or the bot's name. */
function uaName(r: UaRow): string {
  if (r.botName) return r.botName;
  return (
    [joined(r.browser, r.browserVersion), joined(r.os, r.osVersion)].filter(Boolean).join(' · ') ||
    t('common.unknown')
  );
}

export function DevicesPage() {
  return (
    <EntityListPage<UaRow>
      kind="devices"
      title={t('devices.title')}
      newLabel={t('devices.new')}
      rowId={(r) => r.id}
      defaultSort="lastSeen"
      chips={[
        {
          name: 'deviceType',
          label: t('devices.col.type'),
          options: TYPES.map((v) => ({ value: v, label: t(`devices.type.${v}`) })),
        },
        {
          name: 'kind',
          label: t('devices.kind'),
          options: KINDS.map((v) => ({ value: v, label: t(`devices.kind.${v}`) })),
        },
      ]}
      columns={[
        {
          key: 'name',
          label: t('devices.col.agent'),
          render: (r) => (
            <EntityLink to="devices" id={r.id}>
              {uaName(r)}
            </EntityLink>
          ),
        },
        {
          key: 'deviceType',
          label: t('devices.col.type'),
          sortable: true,
          render: (r) => r.deviceType ?? '—',
        },
        {
          key: 'os',
          label: t('devices.col.os'),
          sortable: true,
          render: (r) => joined(r.os, r.osVersion) || '—',
        },
        {
          key: 'browser',
          label: t('devices.col.browser'),
          sortable: true,
          render: (r) => joined(r.browser, r.browserVersion) || '—',
        },
        { key: 'bot', label: t('devices.col.bot'), render: (r) => <YesNo value={r.bot} /> },
        { key: 'aiBot', label: t('devices.col.aiBot'), render: (r) => <YesNo value={r.aiBot} /> },
        { key: 'users', label: t('entities.col.users'), numeric: true, render: (r) => formatNumber(r.users) },
        ...seenColumns<UaRow>(),
      ]}
    />
  );
}

export function DevicePage({ params }: { params: Record<string, string> }) {
  return (
    <EntityDetailPage<UaRow>
      kind="devices"
      entityKey={params.uaId ?? ''}
      title={uaName}
      // The raw header is attacker-controlled: shown as text, never as markup.
      subtitle={(e) => <span className="mono">{e.ua ?? t('devices.noUa')}</span>}
      tiles={(e) => [
        { label: t('devices.col.type'), value: e.deviceType ?? '—', testId: 'tile-type' },
        { label: t('devices.col.os'), value: joined(e.os, e.osVersion) || '—', testId: 'tile-os' },
        {
          label: t('devices.col.browser'),
          value: joined(e.browser, e.browserVersion) || '—',
          testId: 'tile-browser',
        },
        { label: t('devices.brand'), value: joined(e.brand, e.model) || '—' },
        { label: t('devices.col.bot'), value: <YesNo value={e.bot} />, testId: 'tile-bot' },
        { label: t('devices.col.aiBot'), value: <YesNo value={e.aiBot} />, testId: 'tile-ai-bot' },
        { label: t('entities.col.users'), value: formatNumber(e.users), testId: 'tile-users' },
        { label: t('entities.col.events'), value: formatNumber(e.events), testId: 'tile-events' },
        ...seenTiles(e),
      ]}
    />
  );
}
