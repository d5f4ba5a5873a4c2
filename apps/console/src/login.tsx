// The login form: auth.login sets the session cookie and answers the CSRF token every later call carries.
import { useState } from 'preact/hooks';
import { api, setCsrfToken, type Operator } from './api.js';
import { useNotices } from './notices.js';

export function Login({ onLoggedIn }: { onLoggedIn: (operator: Operator) => void }) {
  const notices = useNotices();
  const [busy, setBusy] = useState(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    notices.clear();
    try {
      const answer = await api.auth.login.mutate({ name: String(form.get('name')), password: String(form.get('password')) });
      setCsrfToken(answer.csrfToken);
      onLoggedIn(answer.operator);
    } catch (error) {
      notices.fail(error);
      setBusy(false);
    }
  };

  return (
    <form class="card login" aria-label="Log in" onSubmit={(event) => void submit(event)}>
      <h1>minigate console</h1>
      <label>
        Name
        <input name="name" autocomplete="username" required autofocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <button type="submit" disabled={busy}>
        Log in
      </button>
    </form>
  );
}
