// The one place the page says how an action went: success in role="status", the API's refusal (its message and
// reason) in role="alert". Any part of the page reports through useNotices().
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface Notice {
  kind: 'status' | 'alert';
  text: string;
}

export interface Notices {
  succeed(text: string): void;
  /** Shows what the API answered; a lost session also sends the operator back to the login form. */
  fail(error: unknown): void;
  clear(): void;
}

export const NoticesContext = createContext<Notices | null>(null);

export function useNotices(): Notices {
  const notices = useContext(NoticesContext);
  if (!notices) throw new Error('useNotices() outside <NoticesContext.Provider>');
  return notices;
}

/**
 * Runs one API call for a form: on success says `success` and answers true; on failure shows the API's answer
 * and answers false.
 */
export async function attempt(notices: Notices, call: () => Promise<unknown>, success: string): Promise<boolean> {
  notices.clear();
  try {
    await call();
    notices.succeed(success);
    return true;
  } catch (error) {
    notices.fail(error);
    return false;
  }
}

export function NoticeArea({ notice }: { notice: Notice | null }) {
  if (!notice) return null;
  return notice.kind === 'alert' ? (
    <p class="notice notice-alert" role="alert">
      {notice.text}
    </p>
  ) : (
    <p class="notice notice-status" role="status">
      {notice.text}
    </p>
  );
}
