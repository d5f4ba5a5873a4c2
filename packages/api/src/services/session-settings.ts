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
