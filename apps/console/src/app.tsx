// The page: asks auth.me whether the operator is logged in, then shows the login form or the console.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, describeFailure, failureOf, isSessionLost, setCsrfToken, type Operator } from './api.js';
import { Dashboards } from './dashboards.js';
import { Header } from './header.js';
import { Login } from './login.js';
import { NoticeArea, NoticesContext, type Notice, type Notices } from './notices.js';
import { PlayerPage } from './player-page.js';
import { PlayerSearch } from './player-search.js';
import { useRoute } from './routes.js';

export function App() {
  // undefined while auth.me has not answered yet.
  const [operator, setOperator] = useState<Operator | null | undefined>(undefined);
  const [notice, setNotice] = useState<Notice | null>(null);
  const route = useRoute();

  const notices = useMemo<Notices>(
    () => ({
      succeed: (text) => setNotice({ kind: 'status', text }),
      fail: (error) => {
        const failure = failureOf(error);
        if (isSessionLost(failure)) {
          setCsrfToken(null);
          setOperator(null);
        }
        setNotice({ kind: 'alert', text: describeFailure(failure) });
      },
      clear: () => setNotice(null),
    }),
    [],
  );

  useEffect(() => {
    api.auth.me.query().then(
      (answer) => {
        setCsrfToken(answer.csrfToken);
        setOperator(answer.operator);
      },
      () => setOperator(null),
    );
  }, []);

  // A new place starts with no message of the last one.
  useEffect(() => setNotice(null), [route]);

  return (
    <NoticesContext.Provider value={notices}>
      {operator ? <Header operator={operator} route={route} onLoggedOut={() => setOperator(null)} /> : null}
      <main>
        <NoticeArea notice={notice} />
        {operator === undefined ? (
          <p class="muted">Loading…</p>
        ) : operator === null ? (
          <Login onLoggedIn={setOperator} />
        ) : route.page === 'dashboards' ? (
          <Dashboards />
        ) : route.page === 'player' ? (
          <PlayerPage accountId={route.accountId} operator={operator} />
        ) : (
          <PlayerSearch query={route.query} />
        )}
      </main>
    </NoticesContext.Provider>
  );
}
