import type { FeatureRoutes } from '../../app/features.ts';
import { WatchlistPage } from './WatchlistPage.tsx';

export const routes: FeatureRoutes = {
  project: [
    {
      path: '/watchlist',
      component: WatchlistPage,
      menu: { label: 'menu.watchlist', order: 50, count: 'watched' },
    },
  ],
};
