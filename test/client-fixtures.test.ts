import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jwt from 'jsonwebtoken';
import { keyIdOf } from '@minigate/api/testing';
import { createMinigameSandbox, type MinigameSandbox } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_APPID, TEST_JWT_SECRET, type TestStack } from './support/stack.js';

// The game files of released clients (test/fixtures/README.md), each as a
// shipped game still carries it, against the current server.
const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const RELEASES = readdirSync(FIXTURES)
  .map((name) => /^minigate-(\d+\.\d+\.\d+)\.js$/.exec(name)?.[1])
  .filter((version): version is string => version !== undefined);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

function sandboxFor(version: string, player: string): MinigameSandbox {
  return createMinigameSandbox({
    simulatorUrl: stack.simulator.url,
    appid: TEST_APPID,
    player,
    files: { 'minigate.js': join(FIXTURES, `minigate-${version}.js`) },
  });
}

async function playGame(sandbox: MinigameSandbox, body: string): Promise<any> {
  const value = await (sandbox.run(`(async () => { ${body} })()`) as Promise<unknown>);
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

it('keeps the game file of every release, 0.1.0 and 0.2.0 at least', () => {
  expect(RELEASES).toEqual(expect.arrayContaining(['0.1.0', '0.2.0']));
});

describe.each(RELEASES)('the game file of release %s against the current server', (version) => {
  it('logs in, reads account.me, sends a heartbeat and logs out', async () => {
    const sandbox = sandboxFor(version, `fixture-${version}-ann`);
    const result = await playGame(
      sandbox,
      `const c = require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx });
       const answer = await c.login();
       const me = await c.api.account.me.query();
       const beat = await c.api.account.heartbeat.mutate();
       await c.logout();
       return { account: answer.account, expiresIn: answer.expiresIn, me, beat, loggedIn: c.isLoggedIn() };`,
    );
    expect(result.account).toMatchObject({ id: expect.any(Number), isNew: true });
    expect(result.expiresIn).toBeGreaterThan(0);
    expect(result.me).toMatchObject({ id: result.account.id, nickName: '', profile: { level: 1 } });
    expect(result.beat).toMatchObject({ onlineSeconds: expect.any(Number) });
    expect(result.loggedIn).toBe(false);
    expect(sandbox.storage.has('minigate.session')).toBe(false);
  });

  it('renews an expired access token by itself and retries the call', async () => {
    const sandbox = sandboxFor(version, `fixture-${version}-bo`);
    const { id } = await playGame(sandbox, `return (await require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }).login()).account;`);
    const session = JSON.parse(sandbox.storage.get('minigate.session') as string);
    const claims = jwt.decode(session.accessToken) as { sub: string; sid: string };
    const expired = jwt.sign({ sub: claims.sub, sid: claims.sid, exp: Math.floor(Date.now() / 1000) - 5 }, TEST_JWT_SECRET, {
      keyid: keyIdOf(TEST_JWT_SECRET),
      issuer: 'minigate',
      audience: stack.config.jwt.audience,
    });
    sandbox.storage.set('minigate.session', JSON.stringify({ ...session, accessToken: expired }));
    const me = await playGame(sandbox, `return await require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }).api.account.me.query();`);
    expect(me.id).toBe(id);
  });
});

describe('the game file of release 0.2.0', () => {
  it('logs in by itself and says which client it is, which the server logs', async () => {
    const sandbox = sandboxFor('0.2.0', 'fixture-cy');
    const me = await playGame(sandbox, `return await require('./minigate.js').createClient({ url: '${stack.trpcUrl}', wx }).api.account.me.query();`);
    expect(me.id).toEqual(expect.any(Number));
    expect(sandbox.requests.map((request) => request.header['x-minigate-client'])).toEqual(['0.2.0', '0.2.0']);
    const accessLines = stack.logs.map((line) => JSON.parse(line) as { msg?: string; client?: string }).filter((line) => line.client === '0.2.0');
    expect(accessLines.length).toBeGreaterThanOrEqual(2);
  });
});
