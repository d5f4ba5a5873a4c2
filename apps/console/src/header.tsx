// The console's header: where to go (Players, Dashboards), who is logged in, and Log out.
import { api, setCsrfToken, type Operator } from './api.js';
import { useNotices } from './notices.js';
import type { Route } from './routes.js';

interface HeaderProps {
  operator: Operator;
  route: Route;
  onLoggedOut: () => void;
}

export function Header({ operator, route, onLoggedOut }: HeaderProps) {
  const notices = useNotices();
  const onDashboards = route.page === 'dashboards';

  const logOut = async () => {
    try {
      await api.auth.logout.mutate();
      setCsrfToken(null);
      onLoggedOut();
      notices.succeed('Logged out.');
    } catch (error) {
      notices.fail(error);
    }
  };

  return (
    <header class="top">
      <span class="brand">minigate console</span>
      <nav aria-label="Console">
        <a href="#/players" aria-current={onDashboards ? undefined : 'page'}>
          Players
        </a>
        <a href="#/dashboards" aria-current={onDashboards ? 'page' : undefined}>
          Dashboards
        </a>
      </nav>
      <span class="operator">
        {operator.name} <span class="role">{operator.role}</span>
      </span>
      <button type="button" class="secondary" onClick={() => void logOut()}>
        Log out
      </button>
    </header>
  );
}
