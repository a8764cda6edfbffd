import type { FeatureRoutes } from '../../app/features.ts';
import { AcceptInvitationPage } from './AcceptInvitationPage.tsx';
import { AccountPage } from './AccountPage.tsx';
import { LoginPage } from './LoginPage.tsx';
import { ResetPasswordPage } from './ResetPasswordPage.tsx';
import { SetupPage } from './SetupPage.tsx';

export const routes: FeatureRoutes = {
  public: [
    { path: '/login', component: LoginPage },
    { path: '/setup', component: SetupPage },
    { path: '/reset-password', component: ResetPasswordPage },
    { path: '/accept-invitation', component: AcceptInvitationPage },
  ],
  operator: [{ path: '/account', component: AccountPage }],
};
