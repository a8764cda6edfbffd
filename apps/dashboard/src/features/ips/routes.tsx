import type { FeatureRoutes } from '../../app/features.ts';
import { IpPage, IpsPage } from './IpPages.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/ips', component: IpsPage, menu: { label: 'ips.menu', order: 70 } },
    { path: '/ips/:ip', component: IpPage },
  ],
};
