import { createHash } from 'node:crypto';
import type { TestDatabase } from '@minigate/db/testing';
import type { WeChatSimulator } from '@minigate/wechat-sim';
import { expect } from 'vitest';
import { TEST_APPID } from '../../support/stack.js';
import { bearer, errorShapeProblem, type Answer, type RecordingClient } from './http.js';
import type { Instance } from '../../support/instances.js';

export interface StormResult {
  served: number;
  refused: Record<string, number>;
  outcome: string;
}

/**
 * Logs `player` in, presents its refresh token `times` times at once, half to
 * each of two instances, then checks the session: either exactly one refresh
 * token is live (the one the session row holds, among those served), or the
 * session is revoked and the access tokens served stop on both instances
 * within the 5 s bound. Never two live ones.
 */
export async function refreshStorm(
  instances: readonly Instance[],
  context: { database: TestDatabase; simulator: WeChatSimulator; http: RecordingClient },
  player: string,
  times: number,
): Promise<StormResult> {
  const { database, simulator, http } = context;
  const refresh = (instance: Instance, refreshToken: string) => http.call(instance.url, 'mutation', 'auth.refresh', { refreshToken });
  const first = await http.call(instances[0]!.url, 'mutation', 'auth.wechatLogin', { code: simulator.issueCode(TEST_APPID, player) });
  expect(first.status).toBe(200);
  const { refreshToken } = first.body.result.data as { refreshToken: string };
  const sessionId = Number(refreshToken.split('.')[0]);

  const answers = await Promise.all(Array.from({ length: times }, (_, i) => refresh(instances[i % 2]!, refreshToken)));
  const refused: Record<string, number> = {};
  for (const answer of answers) {
    if (answer.status === 200) continue;
    expect(errorShapeProblem(answer.status, answer.body), answer.text).toBeNull();
    expect(answer.status, answer.text).toBe(401);
    const reason = answer.body.error.data.reason as string;
    expect(['REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_INVALID', 'SESSION_REVOKED'], answer.text).toContain(reason);
    refused[reason] = (refused[reason] ?? 0) + 1;
  }
  const served = answers
    .filter((answer) => answer.status === 200)
    .map((answer) => answer.body.result.data as { accessToken: string; refreshToken: string });
  expect(served.length).toBeGreaterThan(0);
  for (const tokens of served) expect(tokens.refreshToken.split('.')[0]).toBe(String(sessionId));

  const row = await database.db
    .selectFrom('accountSession')
    .select(['refreshTokenHash', 'revokedAt', 'revokedReason'])
    .where('sessionId', '=', sessionId)
    .executeTakeFirstOrThrow();
  const hashOf = (token: string) => createHash('sha256').update(token.split('.')[1]!, 'utf8').digest('hex');
  const current = served.filter((tokens) => hashOf(tokens.refreshToken) === row.refreshTokenHash);

  // Trade them: the one the row holds first (alone: it rotates, spending itself), then every other at once, on alternating
  // instances. A second live token would be served now; dead ones are refused (and trading them revives nothing).
  const traded: Answer[] = served.map(() => undefined as unknown as Answer);
  const held = current.length === 1 ? served.indexOf(current[0]!) : -1;
  if (held !== -1) traded[held] = await refresh(instances[0]!, served[held]!.refreshToken);
  await Promise.all(
    served.map(async (tokens, i) => {
      if (i !== held) traded[i] = await refresh(instances[i % 2]!, tokens.refreshToken);
    }),
  );
  const live = traded.filter((answer) => answer.status === 200);
  for (const answer of traded.filter((answer) => answer.status !== 200)) {
    expect(answer.status, answer.text).toBe(401);
    expect(['REFRESH_TOKEN_INVALID', 'SESSION_REVOKED'], answer.text).toContain(answer.body.error.data.reason);
  }

  if (row.revokedAt === null) {
    // One survivor: the one the row holds, and trading proves it is the only live one.
    expect(current).toHaveLength(1);
    expect(live).toHaveLength(1);
    expect(traded[held]!.status).toBe(200);
    return { served: served.length, refused, outcome: '1 live refresh token' };
  }
  // All revoked: nothing served is live, and the access tokens stop on both instances within the 5 s bound.
  expect(live).toHaveLength(0);
  for (const instance of instances) {
    for (const tokens of [served[0]!, served[served.length - 1]!]) {
      await expect
        .poll(
          async () =>
            (await http.call(instance.url, 'mutation', 'account.heartbeat', undefined, bearer(tokens.accessToken))).body?.error?.data.reason,
          {
            timeout: 5_000,
            interval: 100,
          },
        )
        .toBe('SESSION_REVOKED');
    }
  }
  return { served: served.length, refused, outcome: `session revoked (${row.revokedReason})` };
}

/** "50 served, 2 SESSION_REVOKED → 1 live refresh token" */
export function describeStorm(result: StormResult): string {
  const refused = Object.entries(result.refused)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  return `${result.served} served${refused ? `, ${refused}` : ''} → ${result.outcome}`;
}
