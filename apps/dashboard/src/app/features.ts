import type { ComponentType } from 'react';

/**
 * What a feature folder exports from its routes.tsx. The app finds every features/*\/routes.tsx,
 * so adding a page touches no shared file.
 */
export interface FeatureRoutes {
  /** Pages inside a project: path relative to /p/:projectId (e.g. '/users/:userId'). */
  project?: ProjectRoute[];
  /** Pages of a signed-in operator outside any project (e.g. '/account'). */
  operator?: PageRoute[];
  /** Pages anyone may open (e.g. '/login', '/setup'); '/login' is shown to the signed-out. */
  public?: PageRoute[];
}

export interface PageRoute {
  path: string;
  component: ComponentType<{ params: Record<string, string> }>;
}

export interface ProjectRoute extends PageRoute {
  /** An entry in the left menu: i18n key, position, and the live count shown beside it. */
  menu?: { label: string; order: number; count?: 'review' | 'blacklisted' | 'watched' };
}

const modules = import.meta.glob<{ routes: FeatureRoutes }>('../features/*/routes.tsx', { eager: true });
export const features: FeatureRoutes[] = Object.values(modules).map((m) => m.routes);

export const projectRoutes = features.flatMap((f) => f.project ?? []);
export const operatorRoutes = features.flatMap((f) => f.operator ?? []);
export const publicRoutes = features.flatMap((f) => f.public ?? []);
export const menu = projectRoutes
  .filter((r): r is ProjectRoute & { menu: NonNullable<ProjectRoute['menu']> } => r.menu !== undefined)
  .sort((a, b) => a.menu.order - b.menu.order);
