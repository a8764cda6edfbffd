import type { FeatureRoutes } from '../../app/features.ts';
import { EmailPage, EmailsPage } from './EmailPages.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/emails', component: EmailsPage, menu: { label: 'emails.menu', order: 110 } },
    { path: '/emails/:emailId', component: EmailPage },
  ],
};
