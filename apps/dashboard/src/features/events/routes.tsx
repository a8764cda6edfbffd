import type { FeatureRoutes } from '../../app/features.ts';
import { EventsPage } from './EventsPage.tsx';

export const routes: FeatureRoutes = {
  project: [{ path: '/events', component: EventsPage, menu: { label: 'events.menu', order: 60 } }],
};
