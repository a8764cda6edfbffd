import type { FeatureRoutes } from '../../app/features.ts';
import { ResourcePage, ResourcesPage } from './ResourcePages.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/resources', component: ResourcesPage, menu: { label: 'resources.menu', order: 140 } },
    { path: '/resources/:resourceId', component: ResourcePage },
  ],
};
