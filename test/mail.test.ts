import { insertMail, type MailAttachments } from '@minigate/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENTRY, run, TSX } from './support/processes.js';
import { startPaymentsStack, type PaymentsStack } from './support/payments-stack.js';
import { callProcedure } from './support/stack.js';

// The mailbox against a real server and MariaDB: claims into the wallet once, the unread count account.me
// reports (held in memory per account) exact after every change, broadcasts stored once, pnpm admin mail.
let stack: PaymentsStack;
beforeAll(async () => {
  stack = await startPaymentsStack();
});
afterAll(async () => {
  await stack?.close();
});

const appid = () => stack.game.appid;

async function player(name: string): Promise<{ token: string; id: number }> {
  const login = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(name) });
  expect(login.status).toBe(200);
  const token = login.body.result.data.accessToken as string;
  const me = await callProcedure(stack, 'query', 'account.me', undefined, { authorization: `Bearer ${token}` });
  return { token, id: me.body.result.data.id as number };
}

const call = (token: string, kind: 'query' | 'mutation', path: string, input?: unknown) =>
  callProcedure(stack, kind, path, input, { authorization: `Bearer ${token}` });
const unread = async (token: string) => (await call(token, 'query', 'account.me')).body.result.data.profile.unreadMessages as number;
const wallet = async (token: string) => (await call(token, 'query', 'wallet.get')).body.result.data;

/** A message to one player, stored as the operator's task stores it; expiring in `expiresInMs`. */
async function mailTo(accountId: number, title: string, attachments: MailAttachments | null = null, expiresInMs = 86_400_000) {
  const at = Date.now();
  const mailId = await insertMail(stack.database.db, {
    accountId,
    appid: null,
    reachNewPlayers: false,
    title,
    body: `${title}: the body`,
    attachments,
    subscribeTemplate: null,
    sentBy: 'test',
    at: new Date(at),
    expiresAt: new Date(at + expiresInMs),
  });
  // Stored by another process: the server learns of it through the change feed (read now rather than within a second).
  await stack.application.changeFeed.poll();
  return mailId;
}

/** `pnpm admin <args>` against the stack's database: exit code and output. */
async function admin(...args: string[]): Promise<{ code: number | null; output: string }> {
  const cli = run([TSX, ADMIN_ENTRY, ...args], { ...stack.environment, USER: 'ops-test' });
  const code = await cli.exited;
  return { code, output: cli.output() };
}

describe('claims', () => {
  it('ten racing claims of one message grant its attachments once', async () => {
    const { token, id } = await player('racer');
    const mailId = await mailTo(id, 'Compensation', { currencies: { gem: 10 }, items: { sword: 1 } });
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(token, 'mutation', 'mail.claim', { id: mailId })));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
    for (const answer of answers.filter((one) => one.status === 409)) expect(answer.body.error.data.reason).toBe('MAIL_ALREADY_CLAIMED');
    const won = answers.find((answer) => answer.status === 200)!.body.result.data;
    expect(won.granted).toEqual({ currencies: { gem: 10 }, items: { sword: 1 } });
    expect(await wallet(token)).toEqual({ currencies: { gem: 10 }, items: { sword: 1 } });
    const changes = await stack.database.db.selectFrom('walletChange').select(['idempotencyKey', 'source']).where('accountId', '=', id).execute();
    expect(changes).toEqual([{ idempotencyKey: `mail:${mailId}:${id}`, source: 'mail' }]);
  });

  it('claimAll claims every message with attachments once; a message without any is left', async () => {
    const { token, id } = await player('collector');
    await mailTo(id, 'A', { currencies: { gem: 5 }, items: {} });
    await mailTo(id, 'B', { currencies: { gem: 7, gold: 100 }, items: { shield: 2 } });
    const plain = await mailTo(id, 'News');
    const first = await call(token, 'mutation', 'mail.claimAll');
    expect(first.status).toBe(200);
    expect(first.body.result.data.claimed).toHaveLength(2);
    expect(first.body.result.data.granted).toEqual({ currencies: { gem: 12, gold: 100 }, items: { shield: 2 } });
    expect(first.body.result.data.wallet).toEqual({ currencies: { gem: 12, gold: 100 }, items: { shield: 2 } });
    const again = await call(token, 'mutation', 'mail.claimAll');
    expect(again.body.result.data).toMatchObject({ claimed: [], granted: { currencies: {}, items: {} } });
    expect((await call(token, 'mutation', 'mail.claim', { id: plain })).body.error.data.reason).toBe('MAIL_NOTHING_TO_CLAIM');
    // Claimed messages are read: only the plain one is unread.
    expect(await unread(token)).toBe(1);
  });
});

describe('the unread count', () => {
  it('account.me is exact after reads, claims, deletes and expiry, and mail.list agrees', async () => {
    const { token, id } = await player('counter');
    expect(await unread(token)).toBe(0);
    const toRead = await mailTo(id, 'Read me');
    const toClaim = await mailTo(id, 'Claim me', { currencies: { gem: 1 }, items: {} });
    const toDelete = await mailTo(id, 'Delete me');
    await mailTo(id, 'Expiring', null, 2_500);
    await mailTo(id, 'Stays');
    expect(await unread(token)).toBe(5);
    expect((await call(token, 'mutation', 'mail.read', { id: toRead })).body.result.data).toMatchObject({ id: toRead, read: true });
    expect(await unread(token)).toBe(4);
    await call(token, 'mutation', 'mail.read', { id: toRead });
    expect(await unread(token)).toBe(4);
    expect((await call(token, 'mutation', 'mail.claim', { id: toClaim })).status).toBe(200);
    expect(await unread(token)).toBe(3);
    expect((await call(token, 'mutation', 'mail.delete', { id: toDelete })).body.result.data).toEqual({ deleted: true });
    expect(await unread(token)).toBe(2);
    // The expiring one lapses while account.me is held in memory: the held answer lasts no longer than it.
    await new Promise((resolve) => setTimeout(resolve, 2_700));
    expect(await unread(token)).toBe(1);
    const list = (await call(token, 'query', 'mail.list')).body.result.data;
    expect(list.unread).toBe(1);
    expect(list.mail.map((mail: { title: string }) => mail.title)).toEqual(['Stays', 'Claim me', 'Read me']);
    // The seed's column follows every change of the player's mail.
    const profile = await stack.database.db
      .selectFrom('accountProfile')
      .select('unreadMsgNums')
      .where('accountId', '=', id)
      .executeTakeFirstOrThrow();
    expect(profile.unreadMsgNums).toBe(2);
  });

  it('an expired message is neither listed nor claimable, and cannot be deleted twice', async () => {
    const { token, id } = await player('late');
    const gone = await mailTo(id, 'Too late', { currencies: { gem: 3 }, items: {} }, 300);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const claim = await call(token, 'mutation', 'mail.claim', { id: gone });
    expect([claim.status, claim.body.error.data.reason]).toEqual([409, 'MAIL_EXPIRED']);
    expect((await call(token, 'query', 'mail.list')).body.result.data.mail).toEqual([]);
    expect(await wallet(token)).toEqual({ currencies: {}, items: {} });
    expect((await call(token, 'mutation', 'mail.delete', { id: gone })).status).toBe(200);
    expect((await call(token, 'mutation', 'mail.delete', { id: gone })).body.error.data.reason).toBe('MAIL_NOT_FOUND');
  });
});

describe('refusals', () => {
  it("another player's message is not found, whatever is asked of it", async () => {
    const owner = await player('owner');
    const other = await player('snoop');
    const mailId = await mailTo(owner.id, 'Private', { currencies: { gem: 50 }, items: {} });
    for (const path of ['mail.read', 'mail.claim', 'mail.delete']) {
      const answer = await call(other.token, 'mutation', path, { id: mailId });
      expect([path, answer.status, answer.body.error.data.reason]).toEqual([path, 404, 'MAIL_NOT_FOUND']);
    }
    expect(await wallet(other.token)).toEqual({ currencies: {}, items: {} });
    expect(await unread(owner.token)).toBe(1);
  });

  it('bad input names the field; deleting unclaimed attachments is refused', async () => {
    const { token, id } = await player('typo');
    for (const input of [{ id: 'x' }, { id: 0 }, { id: 1.5 }, {}]) {
      const answer = await call(token, 'mutation', 'mail.claim', input);
      expect([answer.status, answer.body.error.data.reason, answer.body.error.data.fields[0].path]).toEqual([400, 'INPUT_INVALID', 'id']);
    }
    const cursor = await call(token, 'query', 'mail.list', { cursor: 'abc' });
    expect([cursor.status, cursor.body.error.data.fields[0].path]).toEqual([400, 'cursor']);
    const mailId = await mailTo(id, 'Gift', { currencies: { gem: 1 }, items: {} });
    expect((await call(token, 'mutation', 'mail.delete', { id: mailId })).body.error.data.reason).toBe('MAIL_UNCLAIMED');
  });
});

describe('pnpm admin mail --to', () => {
  it('sends one player a message with attachments; a bad command line changes nothing', async () => {
    const { token, id } = await player('mailed');
    const sent = await admin(
      'mail',
      '--to',
      String(id),
      '--title',
      'Sorry',
      '--body',
      'For the outage',
      '--currency',
      'gem=5',
      '--item',
      'sword=1',
      '--expires',
      '7',
    );
    expect(sent.code, sent.output).toBe(0);
    expect(sent.output).toContain(`to account ${id}, expiring in 7 day(s)`);
    await expect.poll(() => unread(token), { timeout: 5_000 }).toBe(1);
    const [message] = (await call(token, 'query', 'mail.list')).body.result.data.mail;
    expect(message).toMatchObject({ title: 'Sorry', body: 'For the outage', broadcast: false, read: false });
    expect(message.expiresAt - message.sentAt).toBe(7 * 86_400_000);
    expect((await call(token, 'mutation', 'mail.claim', { id: message.id })).body.result.data.wallet).toEqual({
      currencies: { gem: 5 },
      items: { sword: 1 },
    });
    const stored = await stack.database.db.selectFrom('mail').select('sentBy').where('mailId', '=', message.id).executeTakeFirstOrThrow();
    expect(stored.sentBy).toBe('ops-test');

    for (const [args, says] of [
      [['mail', '--to', String(id), '--body', 'b'], '--title'],
      [['mail', '--title', 't', '--body', 'b'], '--to <account id> or'],
      [['mail', '--to', String(id), '--title', 't', '--body', 'b', '--currency', 'gem'], '--currency takes <name>=<count>'],
      [['mail', '--to', String(id), '--title', 't', '--body', 'b', '--new-players'], '--new-players is for a broadcast'],
    ] as const) {
      const refused = await admin(...args);
      expect(refused.code, refused.output).toBe(1);
      expect(refused.output).toContain(says);
    }
    expect((await call(token, 'query', 'mail.list')).body.result.data.mail).toHaveLength(1);
  });
});

// Last: a broadcast with --new-players reaches every player who signs in after it.
describe('broadcasts (pnpm admin mail --game)', () => {
  it('reach the players of the game once stored; players who sign up later only with --new-players', async () => {
    const early = await player('early-bird');
    expect(await unread(early.token)).toBe(0);
    const before = await stack.database.db.selectFrom('mailState').select('mailId').execute();
    const plain = await admin('mail', '--game', appid(), '--title', 'Maintenance', '--body', 'Tonight at 2', '--currency', 'gem=2');
    expect(plain.code, plain.output).toBe(0);
    expect(plain.output).toMatch(/sent mail \d+ to every player of wxminigatetest01/);
    // The instance learns of it through the change feed: the held account.me is forgotten.
    await expect.poll(() => unread(early.token), { timeout: 5_000 }).toBe(1);
    const late = await player('late-comer');
    expect(await unread(late.token)).toBe(0);
    expect((await call(late.token, 'query', 'mail.list')).body.result.data.mail).toEqual([]);

    const welcome = await admin('mail', '--game', appid(), '--new-players', '--title', 'Welcome', '--body', 'Hello', '--item', 'sword=1');
    expect(welcome.code, welcome.output).toBe(0);
    await expect.poll(() => unread(late.token), { timeout: 5_000 }).toBe(1);
    const newest = await player('newest');
    expect(await unread(newest.token)).toBe(1);
    const [message] = (await call(newest.token, 'query', 'mail.list')).body.result.data.mail;
    expect(message).toMatchObject({ title: 'Welcome', broadcast: true, attachments: { currencies: {}, items: { sword: 1 } } });
    expect(await unread(early.token)).toBe(2);

    // Each player's state is their own, written when they act: claiming costs the others nothing.
    expect((await call(newest.token, 'mutation', 'mail.claim', { id: message.id })).status).toBe(200);
    expect(await unread(newest.token)).toBe(0);
    expect(await unread(early.token)).toBe(2);
    expect(await wallet(newest.token)).toEqual({ currencies: {}, items: { sword: 1 } });
    const after = await stack.database.db.selectFrom('mailState').select('mailId').execute();
    expect(after.length - before.length).toBe(1);
  });
});

describe('the mailbox and account life', () => {
  it('account.export lists the player mail and subscribe credits; account.delete removes them, leaving broadcasts to the others', async () => {
    const { token, id } = await player('mail-export');
    const own = await mailTo(id, 'Welcome', { currencies: { gem: 5 }, items: {} });
    const at = Date.now();
    const broadcast = await insertMail(stack.database.db, {
      accountId: null,
      appid: appid(),
      reachNewPlayers: true,
      title: 'Server news',
      body: 'for everyone',
      attachments: null,
      subscribeTemplate: null,
      sentBy: 'test',
      at: new Date(at),
      expiresAt: new Date(at + 86_400_000),
    });
    await stack.application.changeFeed.poll();
    expect((await call(token, 'mutation', 'mail.read', { id: broadcast })).status).toBe(200);
    expect((await call(token, 'mutation', 'mail.claim', { id: own })).status).toBe(200);
    expect((await call(token, 'mutation', 'notifications.recordSubscriptions', { results: { 'tmpl-export': 'accept' } })).status).toBe(200);

    const exported = (await call(token, 'mutation', 'account.export')).body.result.data;
    expect(
      exported.mail.map((mail: { id: number; broadcast: boolean; claimedAt: number | null; readAt: number | null }) => [
        mail.id,
        mail.broadcast,
        mail.claimedAt !== null,
        mail.readAt !== null,
      ]),
    ).toEqual([
      [own, false, true, true],
      [broadcast, true, false, true],
    ]);
    expect(exported.subscribeCredits).toEqual([{ appid: appid(), templateId: 'tmpl-export', credits: 1 }]);

    expect((await call(token, 'mutation', 'account.delete')).status).toBe(200);
    const db = stack.database.db;
    expect(await db.selectFrom('mail').select('mailId').where('accountId', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('mailState').select('mailId').where('accountId', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('subscribeCredit').select('templateId').where('accountId', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('mail').select('mailId').where('mailId', '=', broadcast).execute()).toEqual([{ mailId: broadcast }]);
  });
});
