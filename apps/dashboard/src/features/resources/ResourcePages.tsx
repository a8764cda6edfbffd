import { formatNumber, t } from '../../app/i18n.ts';
import {
  EntityDetailPage,
  EntityLink,
  EntityListPage,
  RelatedTable,
  seenColumns,
  seenTiles,
} from '../entities/kit.tsx';

interface ResourceRow {
  id: number;
  url: string;
  title: string | null;
  httpCode: number | null;
  fileType: string;
  events: number;
  firstSeen: string;
  lastSeen: string;
}

const FILE_TYPES = ['page', 'asset', 'api'];
const CODES = ['2xx', '3xx', '4xx', '5xx', 'none'];

export function ResourcesPage() {
  return (
    <EntityListPage<ResourceRow>
      kind="resources"
      title={t('resources.title')}
      newLabel={t('resources.new')}
      rowId={(r) => r.id}
      defaultSort="lastSeen"
      chips={[
        {
          name: 'fileType',
          label: t('resources.col.fileType'),
          options: FILE_TYPES.map((v) => ({ value: v, label: t(`resources.fileType.${v}`) })),
        },
        {
          name: 'code',
          label: t('resources.col.code'),
          options: CODES.map((v) => ({ value: v, label: t(`resources.code.${v}`) })),
        },
      ]}
      columns={[
        {
          key: 'url',
          label: t('resources.col.url'),
          sortable: true,
          // A URL path from events is shown as text inside our own link, never as an href.
          render: (r) => (
            <EntityLink to="resources" id={r.id}>
              {r.url}
            </EntityLink>
          ),
        },
        { key: 'title', label: t('resources.col.title'), render: (r) => r.title ?? '—' },
        {
          key: 'fileType',
          label: t('resources.col.fileType'),
          render: (r) => t(`resources.fileType.${r.fileType}`),
        },
        {
          key: 'httpCode',
          label: t('resources.col.code'),
          sortable: true,
          numeric: true,
          render: (r) => r.httpCode ?? '—',
        },
        ...seenColumns<ResourceRow>(),
      ]}
    />
  );
}

export function ResourcePage({ params }: { params: Record<string, string> }) {
  return (
    <EntityDetailPage<ResourceRow>
      kind="resources"
      entityKey={params.resourceId ?? ''}
      title={(e) => e.url}
      subtitle={(e) => e.title ?? ''}
      tiles={(e) => [
        {
          label: t('resources.col.fileType'),
          value: t(`resources.fileType.${e.fileType}`),
          testId: 'tile-file-type',
        },
        { label: t('resources.lastCode'), value: e.httpCode ?? '—', testId: 'tile-code' },
        { label: t('entities.col.events'), value: formatNumber(e.events), testId: 'tile-events' },
        ...seenTiles(e),
      ]}
      sections={(d) => (
        <RelatedTable
          title={t('resources.codes')}
          testId="resource-codes"
          rows={d.related.codes ?? []}
          columns={[
            {
              key: 'code',
              label: t('resources.col.code'),
              render: (r) => String(r.code ?? t('resources.code.none')),
            },
            { key: 'events', label: t('entities.col.events'), numeric: true },
          ]}
        />
      )}
    />
  );
}
