import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken, setUnauthenticatedHandler } from './api.ts';
import { useLocation } from './router.tsx';

export type Role = 'viewer' | 'analyst' | 'admin';
export interface Operator {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  timezone: string;
}
export interface ProjectAccess {
  id: string;
  name: string;
  timezone: string;
  role: Role;
}
export interface Me {
  operator: Operator;
  csrfToken: string | null;
  projects: ProjectAccess[];
}

interface SessionState {
  /** undefined while loading; null when signed out. */
  me: Me | null | undefined;
  refresh(): Promise<void>;
  signedIn(me: Me): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const signedIn = useCallback((next: Me) => {
    setCsrfToken(next.csrfToken);
    setMe(next);
  }, []);
  const refresh = useCallback(async () => {
    try {
      signedIn(await api.get<Me>('/api/console/me'));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setMe(null);
      else throw error;
    }
  }, [signedIn]);
  const signOut = useCallback(async () => {
    await api.post('/api/console/auth/logout').catch(() => {});
    setCsrfToken(null);
    setMe(null);
  }, []);
  useEffect(() => {
    setUnauthenticatedHandler(() => setMe(null));
    void refresh();
  }, [refresh]);
  return (
    <SessionContext.Provider value={{ me, refresh, signedIn, signOut }}>{children}</SessionContext.Provider>
  );
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in operator (only inside the signed-in part of the app). */
export function useOperator(): Operator {
  const { me } = useSession();
  if (!me) throw new Error('useOperator while signed out');
  return me.operator;
}

/** The project of the current URL (/p/:projectId/…), with my role on it. */
export function useProject(): ProjectAccess {
  const { me } = useSession();
  const { pathname } = useLocation();
  const id = /^\/p\/([^/]+)/.exec(pathname)?.[1];
  const project = me?.projects.find((p) => p.id === id);
  if (!project) throw new Error('useProject outside a project page');
  return project;
}

/** `/api/console/projects/<id>` + path, for the current project. */
export function useProjectApi(): (path?: string) => string {
  const project = useProject();
  return useCallback((path = '') => `/api/console/projects/${project.id}${path}`, [project.id]);
}

/** `/p/<id>` + path: a console URL inside the current project. */
export function useProjectPath(): (path?: string) => string {
  const project = useProject();
  return useCallback((path = '') => `/p/${project.id}${path}`, [project.id]);
}

const RANK: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2 };
/** Whether I may do what needs `role` here (the server checks again; this only hides buttons). */
export function useCan(role: Role): boolean {
  return RANK[useProject().role] >= RANK[role];
}
