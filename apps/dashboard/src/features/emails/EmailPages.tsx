import { formatNumber, t } from '../../app/i18n.ts';
import { useProjectApi } from '../../app/session.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import {
  EntityDetailPage,
  EntityLink,
  EntityListPage,
  seenColumns,
  seenTiles,
  userColumn,
  YesNo,
} from '../entities/kit.tsx';

interface EmailRow {
  id: number;
  email: string;
  userId: number;
  userName: string;
  score: number | null;
  domainId: number | null;
  domain: string | null;
  valid: boolean | null;
  free: boolean | null;
  disposable: boolean | null;
  blacklisted: boolean;
  events: number;
  users: number;
  firstSeen: string;
  lastSeen: string;
}

function emailColumns(): Column<EmailRow>[] {
  return [
    {
      key: 'email',
      label: t('emails.col.email'),
      sortable: true,
      render: (r) => (
        <EntityLink to="emails" id={r.id}>
          {r.email}
        </EntityLink>
      ),
    },
    userColumn<EmailRow>(),
    {
      key: 'domain',
      label: t('emails.col.domain'),
      render: (r) => <EntityLink to="domains" id={r.domain} />,
    },
    { key: 'disposable', label: t('emails.col.disposable'), render: (r) => <YesNo value={r.disposable} /> },
    {
      key: 'blacklisted',
      label: t('entities.col.blacklisted'),
      render: (r) => <YesNo value={r.blacklisted} />,
    },
    { key: 'users', label: t('emails.col.users'), numeric: true },
    ...seenColumns<EmailRow>(),
  ];
}

const KINDS = ['blacklisted', 'invalid', 'disposable', 'free'];

export function EmailsPage() {
  return (
    <EntityListPage<EmailRow>
      kind="emails"
      title={t('emails.title')}
      newLabel={t('emails.new')}
      rowId={(r) => r.id}
      defaultSort="lastSeen"
      scopes={['domainId']}
      chips={[
        {
          name: 'kind',
          label: t('emails.kind'),
          options: KINDS.map((v) => ({ value: v, label: t(`emails.kind.${v}`) })),
        },
      ]}
      columns={emailColumns()}
    />
  );
}

/** The e-mail addresses of one domain, on the domain's page. */
export function EmailTable({ domainId }: { domainId: number }) {
  const api = useProjectApi();
  return (
    <section>
      <h2>{t('emails.title')}</h2>
      <DataTable<EmailRow>
        path={api('/emails')}
        query={{ domainId }}
        paramPrefix="m"
        pageSize={25}
        defaultSort="lastSeen"
        testId="entity-emails"
        rowKey={(r) => r.id}
        columns={emailColumns()}
      />
    </section>
  );
}

export function EmailPage({ params }: { params: Record<string, string> }) {
  return (
    <EntityDetailPage<EmailRow & { mx: boolean | null }>
      kind="emails"
      entityKey={params.emailId ?? ''}
      title={(e) => e.email}
      subtitle={(e) => (
        <EntityLink to="users" id={e.userId}>
          {e.userName}
        </EntityLink>
      )}
      tiles={(e) => [
        {
          label: t('emails.col.domain'),
          value: <EntityLink to="domains" id={e.domain} />,
          testId: 'tile-domain',
        },
        { label: t('emails.valid'), value: <YesNo value={e.valid} /> },
        {
          label: t('emails.col.disposable'),
          value: <YesNo value={e.disposable} />,
          testId: 'tile-disposable',
        },
        { label: t('emails.free'), value: <YesNo value={e.free} /> },
        { label: t('emails.mx'), value: <YesNo value={e.mx} /> },
        { label: t('entities.col.blacklisted'), value: <YesNo value={e.blacklisted} /> },
        { label: t('emails.col.users'), value: formatNumber(e.users), testId: 'tile-users' },
        { label: t('entities.col.events'), value: formatNumber(e.events), testId: 'tile-events' },
        ...seenTiles(e),
      ]}
    />
  );
}
