import type { FeatureRoutes } from '../../app/features.ts';
import { UsersPage } from './UsersPage.tsx';

export const routes: FeatureRoutes = {
  project: [{ path: '/users', component: UsersPage, menu: { label: 'menu.users', order: 20 } }],
};
