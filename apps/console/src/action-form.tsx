// One operator action: a form named after it, with its own fields, a "Reason" (kept in the player's audit log
// with the operator's name) and its button. Greyed out when the operator's role may not do it; the server
// decides all the same.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { attempt, useNotices } from './notices.js';

interface ActionFormProps {
  /** The form's accessible name: the action and what it acts on ("Refund order 123"). */
  name: string;
  button: string;
  allowed: boolean;
  /** What role="status" says when the server agreed. */
  success: string;
  perform: (reason: string, form: FormData) => Promise<unknown>;
  /** After a success: the player's page reloads. */
  onDone: () => void;
  danger?: boolean;
  /** In a table's row: one line, no hint. */
  inline?: boolean;
  children?: ComponentChildren;
}

export function ActionForm({ name, button, allowed, success, perform, onDone, danger, inline, children }: ActionFormProps) {
  const notices = useNotices();
  const [busy, setBusy] = useState(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    const done = await attempt(notices, () => perform(String(data.get('reason')).trim(), data), success);
    setBusy(false);
    if (done) {
      form.reset();
      onDone();
    }
  };

  return (
    <form class={inline ? 'action inline' : 'action'} aria-label={name} onSubmit={(event) => void submit(event)}>
      <fieldset disabled={!allowed || busy} title={allowed ? undefined : 'Your role may not do this'}>
        {children}
        <label>
          Reason
          <input name="reason" required minLength={1} maxLength={255} autocomplete="off" />
        </label>
        <button type="submit" class={danger ? 'danger' : undefined}>
          {button}
        </button>
      </fieldset>
      {allowed || inline ? null : <p class="muted hint">Your role may not do this.</p>}
    </form>
  );
}
