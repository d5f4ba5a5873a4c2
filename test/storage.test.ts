import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, type TestStack } from './support/stack.js';

// Cloud saves (storage.*) against a real server and MariaDB: versions, several devices, putMany, quotas, privacy,
// bad input, and the saves in account.export and account.delete. Small limits, so the quotas are reached quickly.
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    STORAGE_PUBLIC_COLLECTIONS: 'showcase',
    STORAGE_MAX_VALUE_BYTES: '1024',
    STORAGE_MAX_OBJECTS: '6',
    STORAGE_MAX_BYTES: '3000',
  });
});
afterAll(async () => {
  await stack?.close();
});

interface Player {
  id: number;
  call(kind: 'query' | 'mutation', path: string, input?: unknown): Promise<{ status: number; body: any }>;
}

let players = 0;
/** A player signed in (a device of theirs: each call signs in again, as a second device would). */
async function player(name = `saver-${++players}`): Promise<Player> {
  const login = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(name) });
  expect(login.status).toBe(200);
  const token = login.body.result.data.accessToken as string;
  return {
    id: login.body.result.data.account.id as number,
    call: (kind, path, input) => callProcedure(stack, kind, path, input, { authorization: `Bearer ${token}` }),
  };
}

const data = (answer: { status: number; body: any }) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.result.data;
};
const refusal = (answer: { status: number; body: any }) => answer.body.error.data;

describe('round trips', () => {
  it('put, get, list by pages, delete', async () => {
    const me = await player();
    const first = data(await me.call('mutation', 'storage.put', { collection: 'save', key: 'slot1', value: { gold: 10, items: ['sword'] } }));
    expect(first).toMatchObject({ collection: 'save', key: 'slot1', version: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(data(await me.call('query', 'storage.get', { collection: 'save', key: 'slot1' }))).toEqual({
      collection: 'save',
      key: 'slot1',
      value: { gold: 10, items: ['sword'] },
      version: first.version,
      updatedAt: first.updatedAt,
    });
    const second = data(await me.call('mutation', 'storage.put', { collection: 'save', key: 'slot1', value: 'emoji 🎮 kept' }));
    expect(second.version).not.toBe(first.version);
    expect(data(await me.call('query', 'storage.get', { collection: 'save', key: 'slot1' })).value).toBe('emoji 🎮 kept');
    for (const key of ['slot2', 'slot3']) data(await me.call('mutation', 'storage.put', { collection: 'save', key, value: key }));
    const page1 = data(await me.call('query', 'storage.list', { collection: 'save', limit: 2 }));
    expect(page1.objects.map((object: { key: string }) => object.key)).toEqual(['slot1', 'slot2']);
    const page2 = data(await me.call('query', 'storage.list', { collection: 'save', limit: 2, cursor: page1.nextCursor }));
    expect(page2).toMatchObject({ objects: [{ key: 'slot3', value: 'slot3' }], nextCursor: null });
    expect(data(await me.call('query', 'storage.list', { collection: 'other' }))).toEqual({ objects: [], nextCursor: null });
    expect(data(await me.call('mutation', 'storage.delete', { collection: 'save', key: 'slot1' }))).toEqual({ deleted: true });
    expect(data(await me.call('query', 'storage.get', { collection: 'save', key: 'slot1' }))).toBeNull();
    expect(data(await me.call('mutation', 'storage.delete', { collection: 'save', key: 'slot1' }))).toEqual({ deleted: false });
  });
});

describe('two devices writing on one version', () => {
  it('the second is told 409 VERSION_CONFLICT with the current version, merges, and saves: nothing lost', async () => {
    const phone = await player('two-devices');
    const tablet = await player('two-devices');
    expect(tablet.id).toBe(phone.id);
    const base = data(await phone.call('mutation', 'storage.put', { collection: 'save', key: 'main', value: { coins: 0, found: [] } }));
    const phoneSave = data(
      await phone.call('mutation', 'storage.put', { collection: 'save', key: 'main', value: { coins: 5, found: ['map'] }, version: base.version }),
    );
    const stale = await tablet.call('mutation', 'storage.put', {
      collection: 'save',
      key: 'main',
      value: { coins: 3, found: ['key'] },
      version: base.version,
    });
    expect(stale.status).toBe(409);
    expect(refusal(stale)).toMatchObject({
      reason: 'VERSION_CONFLICT',
      conflicts: [{ collection: 'save', key: 'main', currentVersion: phoneSave.version }],
      fields: [{ path: 'version', message: `the current version is ${phoneSave.version}` }],
    });
    const current = data(await tablet.call('query', 'storage.get', { collection: 'save', key: 'main' }));
    const merged = { coins: current.value.coins + 3, found: [...current.value.found, 'key'] };
    data(await tablet.call('mutation', 'storage.put', { collection: 'save', key: 'main', value: merged, version: current.version }));
    expect(data(await phone.call('query', 'storage.get', { collection: 'save', key: 'main' })).value).toEqual({ coins: 8, found: ['map', 'key'] });
  });

  it('at the same instant: exactly one 200 and one 409, and the stored save is the winner’s', async () => {
    const phone = await player('same-instant');
    const tablet = await player('same-instant');
    const base = data(await phone.call('mutation', 'storage.put', { collection: 'save', key: 'main', value: 0 }));
    const answers = await Promise.all(
      [phone, tablet].map((device, i) =>
        device.call('mutation', 'storage.put', { collection: 'save', key: 'main', value: i + 1, version: base.version }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const winner = answers.findIndex((answer) => answer.status === 200);
    const loser = answers[1 - winner]!;
    expect(refusal(loser).conflicts[0].currentVersion).toBe(answers[winner]!.body.result.data.version);
    expect(data(await phone.call('query', 'storage.get', { collection: 'save', key: 'main' })).value).toBe(winner + 1);
  });

  it('version "*" writes only when absent; a delete on a moved version is refused', async () => {
    const me = await player();
    const made = data(await me.call('mutation', 'storage.put', { collection: 'save', key: 'once', value: 1, version: '*' }));
    const again = await me.call('mutation', 'storage.put', { collection: 'save', key: 'once', value: 2, version: '*' });
    expect(again.status).toBe(409);
    expect(refusal(again).conflicts).toEqual([{ collection: 'save', key: 'once', currentVersion: made.version }]);
    const moved = await me.call('mutation', 'storage.delete', { collection: 'save', key: 'once', version: '0000000000000000' });
    expect(moved.status).toBe(409);
    expect(refusal(moved).conflicts[0].currentVersion).toBe(made.version);
    expect(data(await me.call('mutation', 'storage.delete', { collection: 'save', key: 'once', version: made.version }))).toEqual({ deleted: true });
    const gone = await me.call('mutation', 'storage.put', { collection: 'save', key: 'once', value: 3, version: made.version });
    expect(refusal(gone)).toMatchObject({
      reason: 'VERSION_CONFLICT',
      conflicts: [{ currentVersion: null }],
      fields: [{ message: 'there is no such object now' }],
    });
  });
});

describe('putMany', () => {
  it('writes every object, or none when one version moved or a quota would break', async () => {
    const me = await player();
    const written = data(
      await me.call('mutation', 'storage.putMany', {
        objects: [
          { collection: 'save', key: 'a', value: 1 },
          { collection: 'save', key: 'b', value: 1 },
        ],
      }),
    ).objects;
    expect(written.map((object: { key: string }) => object.key)).toEqual(['a', 'b']);
    const refused = await me.call('mutation', 'storage.putMany', {
      objects: [
        { collection: 'save', key: 'a', value: 2, version: written[0].version },
        { collection: 'save', key: 'b', value: 2, version: 'stale' },
        { collection: 'save', key: 'c', value: 2 },
      ],
    });
    expect(refused.status).toBe(409);
    expect(refusal(refused)).toMatchObject({
      conflicts: [{ key: 'b', currentVersion: written[1].version }],
      fields: [{ path: 'objects.1.version' }],
    });
    const tooMany = await me.call('mutation', 'storage.putMany', {
      objects: ['c', 'd', 'e', 'f', 'g'].map((key) => ({ collection: 'save', key, value: 2 })),
    });
    expect(tooMany.status).toBe(403);
    expect(refusal(tooMany)).toMatchObject({ reason: 'STORAGE_QUOTA_EXCEEDED', limit: 'objects' });
    const page = data(await me.call('query', 'storage.list', { collection: 'save' }));
    expect(page.objects.map((object: { key: string; value: number }) => [object.key, object.value])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    const twice = await me.call('mutation', 'storage.putMany', {
      objects: [
        { collection: 'save', key: 'a', value: 3 },
        { collection: 'save', key: 'a', value: 4 },
      ],
    });
    expect(twice.status).toBe(400);
    expect(refusal(twice)).toMatchObject({ reason: 'INPUT_INVALID', fields: [{ path: 'objects.1.key' }] });
  });
});

describe('limits', () => {
  it('a value over STORAGE_MAX_VALUE_BYTES is 413, naming the value', async () => {
    const me = await player();
    const big = await me.call('mutation', 'storage.put', { collection: 'save', key: 'big', value: 'x'.repeat(1023) });
    expect(big.status).toBe(413);
    expect(refusal(big)).toMatchObject({ reason: 'STORAGE_VALUE_TOO_LARGE', fields: [{ path: 'value', message: expect.stringContaining('1024') }] });
    data(await me.call('mutation', 'storage.put', { collection: 'save', key: 'big', value: 'x'.repeat(1022) }));
    const inMany = await me.call('mutation', 'storage.putMany', {
      objects: [
        { collection: 's', key: 'k', value: 1 },
        { collection: 's', key: 'l', value: ['é'.repeat(600)] },
      ],
    });
    expect(refusal(inMany)).toMatchObject({ reason: 'STORAGE_VALUE_TOO_LARGE', fields: [{ path: 'objects.1.value' }] });
  });

  it('the objects quota and the bytes quota are each refused with their name; what is saved stays', async () => {
    const counter = await player();
    for (let i = 0; i < 6; i++) data(await counter.call('mutation', 'storage.put', { collection: 'c', key: `k${i}`, value: i }));
    const seventh = await counter.call('mutation', 'storage.put', { collection: 'c', key: 'k6', value: 6 });
    expect(seventh.status).toBe(403);
    expect(refusal(seventh)).toMatchObject({ reason: 'STORAGE_QUOTA_EXCEEDED', limit: 'objects' });
    data(await counter.call('mutation', 'storage.put', { collection: 'c', key: 'k0', value: 'rewritten' }));

    const weigher = await player();
    for (const key of ['a', 'b', 'c']) data(await weigher.call('mutation', 'storage.put', { collection: 'c', key, value: 'x'.repeat(990) }));
    const heavy = await weigher.call('mutation', 'storage.put', { collection: 'c', key: 'd', value: 'x'.repeat(30) });
    expect(heavy.status).toBe(403);
    expect(refusal(heavy)).toMatchObject({ reason: 'STORAGE_QUOTA_EXCEEDED', limit: 'bytes' });
    expect(refusal(heavy).message ?? heavy.body.error.message).toMatch(/3008 bytes, over the quota of 3000/);
    data(await weigher.call('mutation', 'storage.put', { collection: 'c', key: 'd', value: 'x'.repeat(20) }));
  });
});

describe('privacy', () => {
  it("another player's private object cannot be read; a public collection's can", async () => {
    const owner = await player();
    const visitor = await player();
    data(await owner.call('mutation', 'storage.put', { collection: 'save', key: 'slot1', value: { secret: true } }));
    data(await owner.call('mutation', 'storage.put', { collection: 'showcase', key: 'main', value: { trophy: 'gold' } }));
    expect(data(await visitor.call('query', 'storage.get', { collection: 'save', key: 'slot1' }))).toBeNull();
    const peek = await visitor.call('query', 'storage.getPublic', { accountId: owner.id, collection: 'save', key: 'slot1' });
    expect(peek.status).toBe(403);
    expect(refusal(peek)).toMatchObject({ reason: 'STORAGE_COLLECTION_PRIVATE', fields: [{ path: 'collection' }] });
    expect(JSON.stringify(peek.body)).not.toContain('secret');
    expect(data(await visitor.call('query', 'storage.getPublic', { accountId: owner.id, collection: 'showcase', key: 'main' }))).toMatchObject({
      accountId: owner.id,
      value: { trophy: 'gold' },
    });
    expect(data(await visitor.call('query', 'storage.getPublic', { accountId: owner.id, collection: 'showcase', key: 'none' }))).toBeNull();
    const write = await visitor.call('mutation', 'storage.put', { accountId: owner.id, collection: 'showcase', key: 'main', value: 1 });
    expect(refusal(write).reason).toBe('INPUT_INVALID');
    expect((await callProcedure(stack, 'query', 'storage.get', { collection: 'save', key: 'slot1' })).status).toBe(401);
  });
});

describe('bad input and the server-authoritative profile', () => {
  it.each([
    ['storage.put', { collection: 'bad/name', key: 'k', value: 1 }, 'collection', /1-64 letters, digits, _ \. or -/],
    ['storage.put', { collection: 'c', key: 'k'.repeat(65), value: 1 }, 'key', /key must be 1-64/],
    ['storage.put', { collection: 'c', key: 'k' }, 'value', /value is required/],
    ['storage.put', { collection: 'c', key: 'k', value: 1, version: 'not a version!' }, 'version', /version must be/],
    ['storage.delete', { collection: 'c', key: 'k', version: '*' }, 'version', /\* is for writes/],
    ['storage.list', { collection: 'c', limit: 500 }, 'limit', /at most 100/],
    ['storage.getPublic', { accountId: -1, collection: 'showcase', key: 'k' }, 'accountId', /at least 1/],
  ])('%s %j: 400 INPUT_INVALID naming %s', async (path, input, field, message) => {
    const me = await player();
    const answer = await me.call(path === 'storage.list' || path === 'storage.getPublic' ? 'query' : 'mutation', path, input);
    expect(answer.status).toBe(400);
    expect(refusal(answer).reason).toBe('INPUT_INVALID');
    expect(refusal(answer).fields).toContainEqual({ path: field, message: expect.stringMatching(message) });
  });

  it('a reserved collection is refused, and no put changes experience or level', async () => {
    const me = await player();
    const before = data(await me.call('query', 'account.me')).profile;
    const reserved = await me.call('mutation', 'storage.put', { collection: '_profile', key: 'level', value: { level: 99, experience: 1e6 } });
    expect(reserved.status).toBe(403);
    expect(refusal(reserved)).toMatchObject({ reason: 'STORAGE_COLLECTION_RESERVED', fields: [{ path: 'collection' }] });
    expect(refusal(await me.call('mutation', 'storage.delete', { collection: '_profile', key: 'level' })).reason).toBe('STORAGE_COLLECTION_RESERVED');
    data(await me.call('mutation', 'storage.put', { collection: 'profile', key: 'level', value: { level: 99, experience: 1e6 } }));
    const after = data(await me.call('query', 'account.me')).profile;
    expect([after.level, after.experience]).toEqual([before.level, before.experience]);
  });
});

describe('account life', () => {
  it('account.export includes the saves; account.delete removes them', async () => {
    const me = await player();
    const saved = data(await me.call('mutation', 'storage.put', { collection: 'save', key: 'slot1', value: { chapter: 3 } }));
    data(await me.call('mutation', 'storage.put', { collection: 'showcase', key: 'main', value: 'hi' }));
    const exported = data(await me.call('mutation', 'account.export'));
    expect(exported.saves).toEqual([
      {
        collection: 'save',
        key: 'slot1',
        value: { chapter: 3 },
        version: saved.version,
        sizeBytes: 13,
        createdAt: saved.updatedAt,
        updatedAt: saved.updatedAt,
      },
      expect.objectContaining({ collection: 'showcase', key: 'main', value: 'hi', sizeBytes: 4 }),
    ]);
    data(await me.call('mutation', 'account.delete'));
    const left = await stack.database.db.selectFrom('storageObject').select('objectKey').where('accountId', '=', me.id).execute();
    expect(left).toEqual([]);
    const usage = await stack.database.db.selectFrom('storageUsage').selectAll().where('accountId', '=', me.id).execute();
    expect(usage).toEqual([]);
  });
});
