import type { FeatureRoutes } from '../../app/features.ts';
import { PhonePage, PhonesPage } from './PhonePages.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/phones', component: PhonesPage, menu: { label: 'phones.menu', order: 120 } },
    { path: '/phones/:phoneId', component: PhonePage },
  ],
};
