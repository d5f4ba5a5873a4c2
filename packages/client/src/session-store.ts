import type { MinigameWx } from './minigame-wx.js';

/** What the client keeps in wx storage between launches. */
export interface StoredSession {
  accessToken: string;
  /** Epoch milliseconds by this device's clock (now + expiresIn), which may differ from the server's. */
  expiresAtOnDevice: number;
}

export interface SessionStore {
  read(): StoredSession | null;
  save(session: StoredSession): void;
  forget(): void;
}

export function createSessionStore(wx: MinigameWx, key: string): SessionStore {
  return {
    read() {
      const raw = wx.getStorageSync(key);
      if (typeof raw !== 'string' || raw === '') return null;
      try {
        const session = JSON.parse(raw) as Partial<StoredSession>;
        return typeof session.accessToken === 'string' && typeof session.expiresAtOnDevice === 'number'
          ? { accessToken: session.accessToken, expiresAtOnDevice: session.expiresAtOnDevice }
          : null;
      } catch {
        return null;
      }
    },
    save(session) {
      wx.setStorageSync(key, JSON.stringify(session));
    },
    forget() {
      wx.removeStorageSync(key);
    },
  };
}
