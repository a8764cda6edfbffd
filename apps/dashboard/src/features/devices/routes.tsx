import type { FeatureRoutes } from '../../app/features.ts';
import { DevicePage, DevicesPage } from './DevicePages.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/devices', component: DevicesPage, menu: { label: 'devices.menu', order: 130 } },
    { path: '/devices/:uaId', component: DevicePage },
  ],
};
