import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_GAMES, type TestStack } from './support/stack.js';

// Public-read collections are declared per game in APPS_FILE (`storage: { publicCollections }`): a player of the
// game that declares one reads other players' objects in it; a player of another game does not.
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(
    {},
    {
      apps: [TEST_GAMES.wechat, TEST_GAMES.wechat2, TEST_GAMES.douyin],
      appsFileExtras: { [TEST_GAMES.wechat.appid]: { storage: { publicCollections: ['showcase'] } } },
    },
  );
});
afterAll(async () => {
  await stack?.close();
});

async function player(appid: string, name: string) {
  const login = await callProcedure(stack, 'mutation', 'auth.login', { appid, code: stack.simulator.issueCode(appid, name) });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  const token = login.body.result.data.accessToken as string;
  return {
    id: login.body.result.data.account.id as number,
    call: (kind: 'query' | 'mutation', path: string, input?: unknown) =>
      callProcedure(stack, kind, path, input, { authorization: `Bearer ${token}` }),
  };
}

describe('public collections declared per game', () => {
  it("are readable through the declaring game's sessions only", async () => {
    const owner = await player(TEST_GAMES.wechat.appid, 'owner');
    const saved = await owner.call('mutation', 'storage.put', { collection: 'showcase', key: 'main', value: { pet: 'dragon' } });
    expect(saved.status).toBe(200);
    const sameGame = await player(TEST_GAMES.wechat.appid, 'neighbour');
    const seen = await sameGame.call('query', 'storage.getPublic', { accountId: owner.id, collection: 'showcase', key: 'main' });
    expect(seen.status).toBe(200);
    expect(seen.body.result.data).toMatchObject({ accountId: owner.id, value: { pet: 'dragon' }, version: saved.body.result.data.version });
    for (const appid of [TEST_GAMES.wechat2.appid, TEST_GAMES.douyin.appid]) {
      const elsewhere = await player(appid, `stranger-${appid}`);
      const refused = await elsewhere.call('query', 'storage.getPublic', { accountId: owner.id, collection: 'showcase', key: 'main' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.data.reason).toBe('STORAGE_COLLECTION_PRIVATE');
    }
  });
});
