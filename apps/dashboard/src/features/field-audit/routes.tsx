import type { FeatureRoutes } from '../../app/features.ts';
import { ChangesPage, FieldPage, FieldsPage } from './FieldAuditPages.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/field-audit', component: FieldsPage, menu: { label: 'fieldAudit.menu', order: 150 } },
    // Before '/field-audit/:fieldRef', which would otherwise take 'changes' for a field id.
    { path: '/field-audit/changes', component: ChangesPage },
    { path: '/field-audit/:fieldRef', component: FieldPage },
  ],
};
