import type { FeatureRoutes } from '../../app/features.ts';
import { DomainPage, DomainsPage } from './DomainPages.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/domains', component: DomainsPage, menu: { label: 'domains.menu', order: 100 } },
    { path: '/domains/:domain', component: DomainPage },
  ],
};
