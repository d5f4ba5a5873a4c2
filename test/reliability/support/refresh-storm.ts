import { createHash } from 'node:crypto';
import type { TestDatabase } from '@minigate/db/testing';
import type { WeChatSimulator } from '@minigate/wechat-sim';
import { expect } from 'vitest';
import { TEST_APPID } from '../../support/stack.js';
import { bearer, errorShapeProblem, type Answer, type RecordingClient } from './http.js';
import type { Instance } from '../../support/instances.js';

export interface StormResult {
  served: number;
  /** How many different refresh tokens the storm's answers carried: 1 (each got the same child of the token presented). */
  distinct: number;
  refused: Record<string, number>;
  outcome: string;
}

/**
 * Logs `player` in, presents its refresh token `times` times at once, half to
 * each of two instances, then checks the session. Every answer served
 * carries the same refresh token: the first rotation's child, answered
 * again to each presentation inside the grace window (past it, a
 * presentation is reuse and ends the session). Then either exactly one
 * refresh token is live (the one the session row holds: trading it, once
 * alone and then again at once on both instances, gives one grandchild), or
 * the session is revoked and the access tokens served stop on both
 * instances within the 5 s bound. Never two live ones.
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
  const refused = refusals(answers, ['REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_INVALID', 'SESSION_REVOKED']);
  const served = answers
    .filter((answer) => answer.status === 200)
    .map((answer) => answer.body.result.data as { accessToken: string; refreshToken: string });
  expect(served.length).toBeGreaterThan(0);
  for (const tokens of served) expect(tokens.refreshToken.split('.')[0]).toBe(String(sessionId));
  // One child for all: the thief and the victim (or a client and its retry) hold the same token.
  const distinct = new Set(served.map((tokens) => tokens.refreshToken));
  expect(distinct.size).toBe(1);
  const [child] = distinct;

  const rowOf = () =>
    database.db
      .selectFrom('accountSession')
      .select(['refreshTokenHash', 'revokedAt', 'revokedReason'])
      .where('sessionId', '=', sessionId)
      .executeTakeFirstOrThrow();
  const hashOf = (token: string) => createHash('sha256').update(token.split('.')[1]!, 'utf8').digest('hex');
  const row = await rowOf();

  if (row.revokedAt === null) {
    expect(hashOf(child!)).toBe(row.refreshTokenHash);
    // Trade it: alone first (it rotates, spending itself), then again `times` - 1 times at once on alternating instances.
    const alone = await refresh(instances[0]!, child!);
    expect(alone.status, alone.text).toBe(200);
    const again = await Promise.all(Array.from({ length: times - 1 }, (_, i) => refresh(instances[i % 2]!, child!)));
    refusals(again, ['REFRESH_TOKEN_REUSED', 'SESSION_REVOKED']);
    const after = await rowOf();
    const live = new Set([alone, ...again].filter((answer) => answer.status === 200).map((answer) => answer.body.result.data.refreshToken as string));
    if (after.revokedAt === null) {
      // One survivor: the grandchild every trade was answered with, the one the row holds.
      expect(live.size).toBe(1);
      expect(hashOf([...live][0]!)).toBe(after.refreshTokenHash);
      return { served: served.length, distinct: distinct.size, refused, outcome: '1 live refresh token' };
    }
    // A loaded machine took a trade past the grace window: reuse, the session ended (checked below).
  }
  // All revoked: nothing served is live, and the access tokens stop on both instances within the 5 s bound.
  const final = await rowOf();
  expect(final.revokedReason).toBe('refresh_token_reused');
  const traded = await Promise.all(served.slice(0, 4).map((tokens, i) => refresh(instances[i % 2]!, tokens.refreshToken)));
  expect(traded.filter((answer) => answer.status === 200)).toHaveLength(0);
  refusals(traded, ['REFRESH_TOKEN_INVALID', 'SESSION_REVOKED']);
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
  return { served: served.length, distinct: distinct.size, refused, outcome: `session revoked (${final.revokedReason})` };
}

/** Every answer not served is a typed 401 with one of `reasons`; how many of each. */
function refusals(answers: readonly Answer[], reasons: readonly string[]): Record<string, number> {
  const refused: Record<string, number> = {};
  for (const answer of answers) {
    if (answer.status === 200) continue;
    expect(errorShapeProblem(answer.status, answer.body), answer.text).toBeNull();
    expect(answer.status, answer.text).toBe(401);
    const reason = answer.body.error.data.reason as string;
    expect(reasons, answer.text).toContain(reason);
    refused[reason] = (refused[reason] ?? 0) + 1;
  }
  return refused;
}

/** "50 served (1 distinct refresh token), 2 SESSION_REVOKED → 1 live refresh token" */
export function describeStorm(result: StormResult): string {
  const refused = Object.entries(result.refused)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  return `${result.served} served (${result.distinct} distinct refresh token)${refused ? `, ${refused}` : ''} → ${result.outcome}`;
}
