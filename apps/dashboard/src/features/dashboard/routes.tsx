import type { FeatureRoutes } from '../../app/features.ts';
import { DashboardPage } from './DashboardPage.tsx';

export const routes: FeatureRoutes = {
  project: [{ path: '/', component: DashboardPage, menu: { label: 'menu.dashboard', order: 10 } }],
};
