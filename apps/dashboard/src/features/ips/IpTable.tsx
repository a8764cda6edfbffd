import { t } from '../../app/i18n.ts';
import { useProjectApi } from '../../app/session.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { type IpRow, ipColumns } from './IpPages.tsx';

/** The IPs under a parent (a network, a country), on that parent's page. */
export function IpTable({ scope }: { scope: { ispId: number } | { country: string } }) {
  const api = useProjectApi();
  return (
    <section>
      <h2>{t('ips.title')}</h2>
      <DataTable<IpRow>
        path={api('/ips')}
        query={scope}
        paramPrefix="i"
        pageSize={25}
        defaultSort="users"
        testId="entity-ips"
        rowKey={(r) => r.id}
        columns={ipColumns()}
      />
    </section>
  );
}
