import { formatNumber, t } from '../../app/i18n.ts';
import {
  countryColumn,
  EntityDetailPage,
  EntityLink,
  EntityListPage,
  seenColumns,
  seenTiles,
  userColumn,
  YesNo,
} from '../entities/kit.tsx';

interface PhoneRow {
  id: number;
  phone: string;
  e164: string | null;
  country: string | null;
  countryName: string | null;
  lineType: string | null;
  valid: boolean | null;
  blacklisted: boolean;
  userId: number;
  userName: string;
  score: number | null;
  events: number;
  users: number;
  firstSeen: string;
  lastSeen: string;
}

const KINDS = ['blacklisted', 'invalid', 'mobile', 'voip'];

export function PhonesPage() {
  return (
    <EntityListPage<PhoneRow>
      kind="phones"
      title={t('phones.title')}
      newLabel={t('phones.new')}
      rowId={(r) => r.id}
      defaultSort="lastSeen"
      chips={[
        {
          name: 'kind',
          label: t('phones.kind'),
          options: KINDS.map((v) => ({ value: v, label: t(`phones.kind.${v}`) })),
        },
      ]}
      columns={[
        {
          key: 'phone',
          label: t('phones.col.phone'),
          sortable: true,
          render: (r) => (
            <EntityLink to="phones" id={r.id}>
              {r.e164 ?? r.phone}
            </EntityLink>
          ),
        },
        userColumn<PhoneRow>(),
        countryColumn<PhoneRow>(),
        { key: 'lineType', label: t('phones.col.lineType'), render: (r) => r.lineType ?? '—' },
        { key: 'valid', label: t('phones.col.valid'), render: (r) => <YesNo value={r.valid} /> },
        {
          key: 'blacklisted',
          label: t('entities.col.blacklisted'),
          render: (r) => <YesNo value={r.blacklisted} />,
        },
        { key: 'users', label: t('phones.col.users'), numeric: true },
        ...seenColumns<PhoneRow>(),
      ]}
    />
  );
}

export function PhonePage({ params }: { params: Record<string, string> }) {
  return (
    <EntityDetailPage<PhoneRow>
      kind="phones"
      entityKey={params.phoneId ?? ''}
      title={(e) => e.e164 ?? e.phone}
      subtitle={(e) => (
        <EntityLink to="users" id={e.userId}>
          {e.userName}
        </EntityLink>
      )}
      mapLabel={t('phones.map')}
      tiles={(e) => [
        {
          label: t('entities.col.country'),
          value: (
            <EntityLink to="countries" id={e.country}>
              {e.countryName ?? e.country}
            </EntityLink>
          ),
          testId: 'tile-country',
        },
        { label: t('phones.col.lineType'), value: e.lineType ?? '—' },
        { label: t('phones.col.valid'), value: <YesNo value={e.valid} /> },
        { label: t('entities.col.blacklisted'), value: <YesNo value={e.blacklisted} /> },
        { label: t('phones.col.users'), value: formatNumber(e.users), testId: 'tile-users' },
        { label: t('entities.col.events'), value: formatNumber(e.events), testId: 'tile-events' },
        ...seenTiles(e),
      ]}
    />
  );
}
