import type { FeatureRoutes } from '../../app/features.ts';
import { LogbookPage } from './LogbookPage.tsx';

export const routes: FeatureRoutes = {
  project: [{ path: '/logbook', component: LogbookPage, menu: { label: 'logbook.menu', order: 160 } }],
};
