/** How sessions live; read from the configuration by the server. */
export interface SessionSettings {
  /** REFRESH_TOKEN_TTL: a session unused this long ends (each refresh extends it). */
  refreshTokenTtlSeconds: number;
  /** REFRESH_REUSE_GRACE: how long a spent refresh token may be presented again (a retry) before it counts as reuse. */
  refreshReuseGraceSeconds: number;
  /** SESSION_RETENTION: how long an ended (expired or revoked) session is kept, for account.export and operators. */
  retentionSeconds: number;
  /** SESSION_MAX_AGE: a session ends this long after sign-in, however often it is refreshed. */
  maxAgeSeconds: number;
}

/**
 * When a session signed in at `signedInAt` (epoch ms) and used at `at`
 * expires: REFRESH_TOKEN_TTL after its last use, never past sign-in +
 * SESSION_MAX_AGE. At sign-in, `at` is `signedInAt`.
 */
export function sessionExpiresAt(
  settings: Pick<SessionSettings, 'refreshTokenTtlSeconds' | 'maxAgeSeconds'>,
  signedInAt: number,
  at: number,
): number {
  return Math.min(at + settings.refreshTokenTtlSeconds * 1000, signedInAt + settings.maxAgeSeconds * 1000);
}
