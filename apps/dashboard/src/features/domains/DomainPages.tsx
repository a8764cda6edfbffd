import { formatNumber, t } from '../../app/i18n.ts';
import { EmailTable } from '../emails/EmailPages.tsx';
import {
  EntityDetailPage,
  EntityLink,
  EntityListPage,
  seenColumns,
  seenTiles,
  YesNo,
} from '../entities/kit.tsx';

interface DomainRow {
  id: number;
  domain: string;
  registrable: string | null;
  publicSuffix: string | null;
  free: boolean | null;
  disposable: boolean | null;
  mx: boolean | null;
  events: number;
  users: number;
  blacklistedEmails: number;
  firstSeen: string;
  lastSeen: string;
}

export function DomainsPage() {
  return (
    <EntityListPage<DomainRow>
      kind="domains"
      title={t('domains.title')}
      newLabel={t('domains.new')}
      rowId={(r) => r.id}
      defaultSort="events"
      chips={[
        {
          name: 'kind',
          label: t('domains.kind'),
          options: ['free', 'disposable', 'noMx', 'business'].map((v) => ({
            value: v,
            label: t(`domains.kind.${v}`),
          })),
        },
      ]}
      columns={[
        {
          key: 'domain',
          label: t('domains.col.domain'),
          sortable: true,
          render: (r) => <EntityLink to="domains" id={r.domain} />,
        },
        { key: 'free', label: t('domains.col.free'), render: (r) => <YesNo value={r.free} /> },
        {
          key: 'disposable',
          label: t('domains.col.disposable'),
          render: (r) => <YesNo value={r.disposable} />,
        },
        { key: 'mx', label: t('domains.col.mx'), render: (r) => <YesNo value={r.mx} /> },
        { key: 'users', label: t('entities.col.users'), numeric: true, render: (r) => formatNumber(r.users) },
        { key: 'blacklistedEmails', label: t('domains.col.blacklisted'), numeric: true },
        ...seenColumns<DomainRow>(),
      ]}
    />
  );
}

export function DomainPage({ params }: { params: Record<string, string> }) {
  return (
    <EntityDetailPage<DomainRow>
      kind="domains"
      entityKey={params.domain ?? ''}
      title={(e) => e.domain}
      subtitle={(e) => [e.registrable, e.publicSuffix].filter(Boolean).join(' · ')}
      tiles={(e) => [
        { label: t('domains.col.free'), value: <YesNo value={e.free} />, testId: 'tile-free' },
        {
          label: t('domains.col.disposable'),
          value: <YesNo value={e.disposable} />,
          testId: 'tile-disposable',
        },
        { label: t('domains.col.mx'), value: <YesNo value={e.mx} /> },
        { label: t('entities.col.users'), value: formatNumber(e.users), testId: 'tile-users' },
        { label: t('domains.col.blacklisted'), value: formatNumber(e.blacklistedEmails) },
        { label: t('entities.col.events'), value: formatNumber(e.events), testId: 'tile-events' },
        ...seenTiles(e),
      ]}
      sections={(d) => <EmailTable domainId={d.entity.id} />}
    />
  );
}
