import { formatNumber, t } from '../../app/i18n.ts';
import { EntityDetailPage, EntityLink, EntityListPage, seenColumns, seenTiles } from '../entities/kit.tsx';
import { IpTable } from '../ips/IpTable.tsx';

interface IspRow {
  id: number;
  asn: number;
  name: string;
  events: number;
  ips: number;
  /** On the detail page only. */
  users?: number;
  blacklistedIps: number;
  firstSeen: string;
  lastSeen: string;
}

export function IspsPage() {
  return (
    <EntityListPage<IspRow>
      kind="isps"
      title={t('isps.title')}
      newLabel={t('isps.new')}
      rowId={(r) => r.id}
      defaultSort="events"
      chips={[
        {
          name: 'has',
          label: t('isps.has'),
          options: ['datacenter', 'vpn', 'tor', 'blacklisted'].map((v) => ({
            value: v,
            label: t(`isps.has.${v}`),
          })),
        },
      ]}
      columns={[
        { key: 'asn', label: t('entities.col.asn'), sortable: true, render: (r) => `AS${r.asn}` },
        {
          key: 'name',
          label: t('entities.col.isp'),
          sortable: true,
          render: (r) => (
            <EntityLink to="isps" id={r.id}>
              {r.name}
            </EntityLink>
          ),
        },
        { key: 'ips', label: t('entities.col.ips'), numeric: true, render: (r) => formatNumber(r.ips) },
        { key: 'blacklistedIps', label: t('isps.blacklistedIps'), numeric: true },
        ...seenColumns<IspRow>(),
      ]}
    />
  );
}

export function IspPage({ params }: { params: Record<string, string> }) {
  return (
    <EntityDetailPage<IspRow>
      kind="isps"
      entityKey={params.ispId ?? ''}
      title={(e) => e.name}
      subtitle={(e) => `AS${e.asn}`}
      mapLabel={t('isps.map')}
      tiles={(e) => [
        { label: t('entities.col.asn'), value: `AS${e.asn}`, testId: 'tile-asn' },
        { label: t('entities.col.ips'), value: formatNumber(e.ips), testId: 'tile-ips' },
        { label: t('entities.col.users'), value: formatNumber(e.users), testId: 'tile-users' },
        { label: t('entities.col.events'), value: formatNumber(e.events), testId: 'tile-events' },
        { label: t('isps.blacklistedIps'), value: formatNumber(e.blacklistedIps) },
        ...seenTiles(e),
      ]}
      sections={(d) => <IpTable scope={{ ispId: d.entity.id }} />}
    />
  );
}
