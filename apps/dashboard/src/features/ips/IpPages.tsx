import { t } from '../../app/i18n.ts';
import type { Column } from '../../components/DataTable.tsx';
import {
  countryColumn,
  EntityDetailPage,
  EntityLink,
  EntityListPage,
  RelatedTable,
  seenColumns,
  seenTiles,
  YesNo,
} from '../entities/kit.tsx';

const TYPES = [
  'blacklisted',
  'local',
  'tor',
  'starlink',
  'relay',
  'vpn',
  'datacenter',
  'unknown',
  'residential',
];

export interface IpRow {
  id: number;
  ip: string;
  country: string | null;
  countryName: string | null;
  ispId: number | null;
  asn: number | null;
  isp: string | null;
  network: string | null;
  type: string;
  blacklisted: boolean;
  events: number;
  users: number;
  firstSeen: string;
  lastSeen: string;
}

interface IpDetail extends IpRow {
  local: boolean;
  datacenter: boolean | null;
  tor: boolean | null;
  relay: boolean | null;
  starlink: boolean | null;
  vpn: boolean | null;
}

export function IpType({ type }: { type: string }) {
  return <span className={`badge entity-type-${type}`}>{t(`ips.type.${type}`)}</span>;
}

/** The IP columns, shared by the IPs list and the IP tables of other pages. */
export function ipColumns(): Column<IpRow>[] {
  return [
    {
      key: 'ip',
      label: t('entities.col.ip'),
      sortable: true,
      render: (r) => <EntityLink to="ips" id={r.ip} />,
    },
    { key: 'type', label: t('ips.col.type'), render: (r) => <IpType type={r.type} /> },
    countryColumn<IpRow>(),
    {
      key: 'asn',
      label: t('entities.col.asn'),
      sortable: true,
      render: (r) => (r.asn === null ? '—' : `AS${r.asn}`),
    },
    {
      key: 'isp',
      label: t('entities.col.isp'),
      sortable: true,
      render: (r) => (
        <EntityLink to="isps" id={r.ispId}>
          {r.isp}
        </EntityLink>
      ),
    },
    { key: 'users', label: t('entities.col.users'), sortable: true, numeric: true },
    ...seenColumns<IpRow>(),
  ];
}

export function IpsPage() {
  return (
    <EntityListPage<IpRow>
      kind="ips"
      title={t('ips.title')}
      newLabel={t('ips.new')}
      columns={ipColumns()}
      rowId={(r) => r.id}
      defaultSort="lastSeen"
      scopes={['ispId', 'country']}
      chips={[
        {
          name: 'type',
          label: t('ips.col.type'),
          options: TYPES.map((v) => ({ value: v, label: t(`ips.type.${v}`) })),
        },
      ]}
    />
  );
}

export function IpPage({ params }: { params: Record<string, string> }) {
  return (
    <EntityDetailPage<IpDetail>
      kind="ips"
      entityKey={params.ip ?? ''}
      title={(e) => e.ip}
      subtitle={(e) => [e.isp, e.network].filter(Boolean).join(' · ')}
      mapLabel={t('ips.map')}
      tiles={(e) => [
        { label: t('ips.col.type'), value: <IpType type={e.type} />, testId: 'tile-type' },
        {
          label: t('entities.col.country'),
          value: (
            <EntityLink to="countries" id={e.country}>
              {e.countryName ?? e.country}
            </EntityLink>
          ),
          testId: 'tile-country',
        },
        {
          label: t('entities.col.isp'),
          value: (
            <EntityLink to="isps" id={e.ispId}>
              {e.asn === null ? e.isp : `AS${e.asn} ${e.isp ?? ''}`}
            </EntityLink>
          ),
          testId: 'tile-isp',
        },
        { label: t('ips.network'), value: e.network ?? '—' },
        {
          label: t('entities.col.blacklisted'),
          value: <YesNo value={e.blacklisted} />,
          testId: 'tile-blacklisted',
        },
        { label: t('ips.flag.datacenter'), value: <YesNo value={e.datacenter} />, testId: 'tile-datacenter' },
        { label: t('ips.flag.vpn'), value: <YesNo value={e.vpn} /> },
        { label: t('ips.flag.tor'), value: <YesNo value={e.tor} /> },
        { label: t('ips.flag.relay'), value: <YesNo value={e.relay} /> },
        { label: t('ips.flag.starlink'), value: <YesNo value={e.starlink} /> },
        { label: t('ips.flag.local'), value: <YesNo value={e.local} /> },
        { label: t('entities.col.users'), value: e.users, testId: 'tile-users' },
        { label: t('entities.col.events'), value: e.events, testId: 'tile-events' },
        ...seenTiles(e),
      ]}
      sections={(d) => (
        <RelatedTable
          title={t('ips.devices')}
          testId="ip-devices"
          rows={d.related.devices ?? []}
          columns={[
            {
              key: 'device',
              label: t('entities.col.device'),
              render: (r) => (
                <EntityLink to="devices" id={r.uaId as number}>
                  {[r.deviceType, r.os, r.browser].filter(Boolean).join(' · ') || t('common.unknown')}
                </EntityLink>
              ),
            },
            { key: 'users', label: t('entities.col.users'), numeric: true },
          ]}
        />
      )}
    />
  );
}
