import type { FeatureRoutes } from '../../app/features.ts';
import { IspPage, IspsPage } from './IspPages.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/isps', component: IspsPage, menu: { label: 'isps.menu', order: 80 } },
    { path: '/isps/:ispId', component: IspPage },
  ],
};
