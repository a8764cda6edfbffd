import { Loading } from '../components/States.tsx';
import { operatorRoutes, type PageRoute, projectRoutes, publicRoutes } from './features.ts';
import { t } from './i18n.ts';
import { matchPath, navigate, useLocation } from './router.tsx';
import { Shell } from './Shell.tsx';
import { SessionProvider, useSession } from './session.tsx';

export function App() {
  return (
    <SessionProvider>
      <Routes />
    </SessionProvider>
  );
}

function find(routes: PageRoute[], pathname: string) {
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return null;
}

function Routes() {
  const { me } = useSession();
  const { pathname } = useLocation();
  const open = find(publicRoutes, pathname);
  if (open && open.route.path !== '/login') return <open.route.component params={open.params} />;
  if (me === undefined) return <Loading />;
  if (me === null) {
    // Signed out: sign in here, then come back to the page that was asked for.
    const login = publicRoutes.find((r) => r.path === '/login');
    return login ? <login.component params={{}} /> : <p>{t('common.notFound')}</p>;
  }
  const project = /^\/p\/([^/]+)(\/.*)?$/.exec(pathname);
  if (project) {
    const access = me.projects.find((p) => p.id === project[1]);
    const inner = project[2] && project[2] !== '/' ? project[2] : '/';
    const page = access ? find(projectRoutes, inner) : null;
    return (
      <Shell>
        {access ? (
          page ? (
            <page.route.component params={page.params} />
          ) : (
            <p>{t('common.notFound')}</p>
          )
        ) : (
          <p>{t('common.notFound')}</p>
        )}
      </Shell>
    );
  }
  const page = find(operatorRoutes, pathname);
  if (page) {
    return (
      <Shell>
        <page.route.component params={page.params} />
      </Shell>
    );
  }
  // "/", "/login" after signing in, or an unknown path: the first project's dashboard.
  const first = me.projects[0];
  if (first) {
    queueMicrotask(() => navigate(`/p/${first.id}/`, { replace: true }));
    return <Loading />;
  }
  return (
    <Shell>
      <p>{t('shell.noProjects')}</p>
    </Shell>
  );
}
