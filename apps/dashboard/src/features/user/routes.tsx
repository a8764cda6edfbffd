import type { FeatureRoutes } from '../../app/features.ts';
import { UserPage } from './UserPage.tsx';

// No menu entry: users are opened from lists, search and links.
export const routes: FeatureRoutes = {
  project: [{ path: '/users/:userId', component: UserPage }],
};
