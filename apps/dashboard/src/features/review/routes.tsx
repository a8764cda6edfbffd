import type { FeatureRoutes } from '../../app/features.ts';
import { ReviewPage } from './ReviewPage.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/review', component: ReviewPage, menu: { label: 'menu.review', order: 30, count: 'review' } },
  ],
};
