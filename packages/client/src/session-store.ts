import type { MinigameWx } from './minigame-wx.js';

/** What the client keeps in wx storage between launches. */
export interface StoredSession {
  accessToken: string;
  /** Epoch milliseconds by this device's clock (now + expiresIn), which may differ from the server's. */
  expiresAtOnDevice: number;
  /** Trades for a new pair at auth.refresh; absent in sessions kept by clients before 0.2. */
  refreshToken?: string;
}

export interface SessionStore {
  read(): StoredSession | null;
  save(session: StoredSession): void;
  forget(): void;
}

/**
 * The session in wx storage, kept in memory after the first read: every
 * call reads it (its Authorization header), and getStorageSync is
 * synchronous storage I/O on the device. Writes go through to storage.
 */
export function createSessionStore(wx: MinigameWx, key: string): SessionStore {
  let cached: { session: StoredSession | null } | undefined;
  return {
    read() {
      cached ??= { session: parseSession(wx.getStorageSync(key)) };
      return cached.session;
    },
    save(session) {
      wx.setStorageSync(key, JSON.stringify(session));
      cached = { session };
    },
    forget() {
      wx.removeStorageSync(key);
      cached = { session: null };
    },
  };
}

function parseSession(raw: unknown): StoredSession | null {
  if (typeof raw !== 'string' || raw === '') return null;
  try {
    const session = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof session.accessToken !== 'string' || typeof session.expiresAtOnDevice !== 'number') return null;
    return {
      accessToken: session.accessToken,
      expiresAtOnDevice: session.expiresAtOnDevice,
      ...(typeof session.refreshToken === 'string' ? { refreshToken: session.refreshToken } : {}),
    };
  } catch {
    return null;
  }
}
