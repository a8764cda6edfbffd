import { t } from '../../app/i18n.ts';
import { useProject } from '../../app/session.tsx';

export function DashboardPage() {
  const project = useProject();
  return (
    <h1>
      {t('menu.dashboard')}: {project.name}
    </h1>
  );
}
