import type { FeatureRoutes } from '../../app/features.ts';
import { BlacklistPage } from './BlacklistPage.tsx';

export const routes: FeatureRoutes = {
  project: [
    {
      path: '/blacklist',
      component: BlacklistPage,
      menu: { label: 'menu.blacklist', order: 40, count: 'blacklisted' },
    },
  ],
};
