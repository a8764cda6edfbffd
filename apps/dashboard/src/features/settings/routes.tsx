import type { FeatureRoutes } from '../../app/features.ts';
import { SettingsPage } from './SettingsPage.tsx';

export const routes: FeatureRoutes = {
  project: [{ path: '/settings', component: SettingsPage, menu: { label: 'settings.menu', order: 190 } }],
};
