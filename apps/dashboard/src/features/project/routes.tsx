import type { FeatureRoutes } from '../../app/features.ts';
import { ProjectPage } from './ProjectPage.tsx';

export const routes: FeatureRoutes = {
  project: [{ path: '/project', component: ProjectPage, menu: { label: 'project.menu', order: 180 } }],
};
