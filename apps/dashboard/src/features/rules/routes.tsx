import type { FeatureRoutes } from '../../app/features.ts';
import { CustomRuleEditorPage } from './CustomRuleEditor.tsx';
import { CustomRulesPage } from './CustomRulesPage.tsx';
import { RulesPage } from './RulesPage.tsx';
import { VersionsPage } from './VersionsPage.tsx';

export const routes: FeatureRoutes = {
  project: [
    { path: '/rules', component: RulesPage, menu: { label: 'menu.rules', order: 170 } },
    { path: '/rules/custom', component: CustomRulesPage },
    { path: '/rules/custom/new', component: () => <CustomRuleEditorPage params={{}} /> },
    { path: '/rules/custom/:code', component: CustomRuleEditorPage },
    { path: '/rules/versions', component: VersionsPage },
  ],
};
