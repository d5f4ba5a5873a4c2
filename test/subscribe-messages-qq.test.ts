import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENTRY, run, TSX } from './support/processes.js';
import { callProcedure, startTestStack, TEST_GAMES, type TestStack } from './support/stack.js';

// QQ subscribe messages against a real server, MariaDB and the simulator's SendSubscriptionMessage: credits from
// qq.subscribeAppMsg's answers, a send spending one, 46001/46003 mapped to SUBSCRIBE_REFUSED (no credit left) and
// 40035 to SUBSCRIBE_DATA_INVALID (the credit given back), 40037 to SUBSCRIBE_TEMPLATE_INVALID.
const { qq, douyin } = TEST_GAMES;
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ RATE_LIMIT_LOGIN: '100000/60', RATE_LIMIT_CALLS: '100000/60' }, { apps: [qq, douyin] });
});
afterAll(async () => {
  await stack?.close();
});

const TEMPLATE = 'qqRewardReady01';
const OTHER = 'qqEnergyFull02';
const log = { error: () => undefined, warn: () => undefined, info: () => undefined };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function player(name: string, appid: string = qq.appid): Promise<{ token: string; id: number }> {
  const login = await callProcedure(stack, 'mutation', 'auth.login', { appid, code: stack.simulator.issueCode(appid, name) });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return { token: login.body.result.data.accessToken as string, id: login.body.result.data.account.id as number };
}

const record = (token: string, results: Record<string, string>) =>
  callProcedure(stack, 'mutation', 'notifications.recordSubscriptions', { results }, bearer(token));

/** The operator's send (what a mail with --subscribe does): its reason when refused, else 'sent'. */
async function send(accountId: number, data: Record<string, { value: string | number }> = { keyword1: { value: 'Your reward' } }) {
  try {
    await stack.application.operator.notify({ accountId, appid: qq.appid, templateId: TEMPLATE, data, page: 'index?from=mail' }, log);
    return 'sent';
  } catch (error) {
    return (error as { reason?: string }).reason ?? String(error);
  }
}

const credits = async (accountId: number) =>
  (
    await stack.database.db
      .selectFrom('subscribeCredit')
      .select(['appid', 'templateId', 'credits'])
      .where('accountId', '=', accountId)
      .orderBy('templateId')
      .execute()
  ).map((row) => [row.appid, row.templateId, row.credits]);

describe('notifications.recordSubscriptions in a QQ game', () => {
  it('keeps one credit per accept of qq.subscribeAppMsg, in the QQ game; a Douyin game is PLATFORM_UNSUPPORTED', async () => {
    const { token, id } = await player('subscriber');
    const first = await record(token, { [TEMPLATE]: 'accept', [OTHER]: 'reject', errMsg: 'subscribeAppMsg:ok' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.result.data).toEqual({ credits: { [TEMPLATE]: 1 } });
    expect((await record(token, { [TEMPLATE]: 'accept' })).body.result.data).toEqual({ credits: { [TEMPLATE]: 2 } });
    expect(await credits(id)).toEqual([[qq.appid, TEMPLATE, 2]]);

    const onDouyin = await player('subscriber', douyin.appid);
    const refused = await record(onDouyin.token, { [TEMPLATE]: 'accept' });
    expect([refused.status, refused.body.error.data.reason]).toEqual([400, 'PLATFORM_UNSUPPORTED']);
  });
});

describe("QQ's SendSubscriptionMessage", () => {
  it('a send spends a credit, and QQ delivers it to the player with the data and page', async () => {
    const { token, id } = await player('notified');
    await record(token, { [TEMPLATE]: 'accept' });
    stack.simulator.acceptSubscription(qq.appid, 'notified', TEMPLATE);
    expect(await send(id)).toBe('sent');
    expect(await credits(id)).toEqual([[qq.appid, TEMPLATE, 0]]);
    expect(stack.simulator.subscriptionsLeft(qq.appid, 'notified', TEMPLATE)).toBe(0);
    expect(stack.simulator.subscribeMessages(qq.appid, 'notified')).toMatchObject([
      { templateId: TEMPLATE, data: { keyword1: { value: 'Your reward' } }, page: 'index?from=mail' },
    ]);
    const sent = stack.simulator.requestLog.filter((request) => request.endpoint === 'qq_subscribe_send').at(-1);
    expect(JSON.parse(sent?.body ?? '{}')).toMatchObject({ touser: stack.simulator.openidFor(qq.appid, 'notified'), template_id: TEMPLATE });
    // No credit left: refused here, QQ never asked.
    const calls = stack.simulator.callCount('qq_subscribe_send');
    expect(await send(id)).toBe('SUBSCRIBE_NO_CREDIT');
    expect(stack.simulator.callCount('qq_subscribe_send')).toBe(calls);
  });

  it('46001 (QQ holds no subscription) and 46003 (the player refuses) are SUBSCRIBE_REFUSED and leave no credit', async () => {
    const { token, id } = await player('refuser');
    await record(token, { [TEMPLATE]: 'accept' });
    await record(token, { [TEMPLATE]: 'accept' });
    const calls = stack.simulator.callCount('qq_subscribe_send');
    expect(await send(id)).toBe('SUBSCRIBE_REFUSED');
    expect(stack.simulator.callCount('qq_subscribe_send') - calls).toBe(1);
    expect(await credits(id)).toEqual([[qq.appid, TEMPLATE, 0]]);

    await record(token, { [TEMPLATE]: 'accept' });
    stack.simulator.acceptSubscription(qq.appid, 'refuser', TEMPLATE);
    stack.simulator.injectFault({ endpoint: 'qq_subscribe_send', kind: 'errcode', errcode: 46003, errmsg: 'user refuse' });
    expect(await send(id)).toBe('SUBSCRIBE_REFUSED');
    expect(await credits(id)).toEqual([[qq.appid, TEMPLATE, 0]]);
    expect(stack.simulator.subscribeMessages(qq.appid, 'refuser')).toEqual([]);
  });

  it('40035 (bad data) is SUBSCRIBE_DATA_INVALID and 40037 SUBSCRIBE_TEMPLATE_INVALID, each giving the credit back', async () => {
    const { token, id } = await player('sloppy');
    await record(token, { [TEMPLATE]: 'accept' });
    stack.simulator.acceptSubscription(qq.appid, 'sloppy', TEMPLATE);
    expect(await send(id, { keyword1: { value: '' } })).toBe('SUBSCRIBE_DATA_INVALID');
    expect(await send(id, { keyword1: 'flat' as never })).toBe('SUBSCRIBE_DATA_INVALID');
    expect(await credits(id)).toEqual([[qq.appid, TEMPLATE, 1]]);
    stack.simulator.injectFault({ endpoint: 'qq_subscribe_send', kind: 'errcode', errcode: 40037 });
    expect(await send(id)).toBe('SUBSCRIBE_TEMPLATE_INVALID');
    expect(await credits(id)).toEqual([[qq.appid, TEMPLATE, 1]]);
    expect(stack.simulator.subscriptionsLeft(qq.appid, 'sloppy', TEMPLATE)).toBe(1);
    expect(await send(id)).toBe('sent');
    expect(await credits(id)).toEqual([[qq.appid, TEMPLATE, 0]]);
  });

  it("a token QQ refuses (40014) is replaced once and the send goes through; QQ's trouble keeps the credit spent", async () => {
    const { token, id } = await player('patient');
    await record(token, { [TEMPLATE]: 'accept' });
    await record(token, { [TEMPLATE]: 'accept' });
    stack.simulator.acceptSubscription(qq.appid, 'patient', TEMPLATE, 2);
    stack.simulator.revokeAccessTokens(qq.appid);
    const tokens = stack.simulator.callCount('qq_token');
    expect(await send(id)).toBe('sent');
    expect(stack.simulator.callCount('qq_token') - tokens).toBe(1);
    // QQ did not answer: it may have sent it.
    stack.simulator.injectFault({ endpoint: 'qq_subscribe_send', kind: 'http', status: 502, body: '<html>bad gateway</html>' });
    expect(await send(id)).toBe('PLATFORM_UNAVAILABLE');
    expect(await credits(id)).toEqual([[qq.appid, TEMPLATE, 0]]);
  });
});

describe('pnpm admin mail --subscribe in a QQ game', () => {
  it('sends the mail and the subscribe message with its --data', async () => {
    const { token, id } = await player('mail-and-ping');
    await record(token, { [TEMPLATE]: 'accept' });
    stack.simulator.acceptSubscription(qq.appid, 'mail-and-ping', TEMPLATE);
    const args = ['mail', '--to', String(id), '--game', qq.appid, '--title', 'Reward ready', '--body', 'Claim it', '--subscribe', TEMPLATE];
    const mail = run([TSX, ADMIN_ENTRY, ...args, '--data', 'keyword1=Reward ready'], { ...stack.environment, USER: 'ops-test' });
    expect(await mail.exited, mail.output()).toBe(0);
    expect(mail.output()).toContain(`subscribe message ${TEMPLATE} sent`);
    expect(stack.simulator.subscribeMessages(qq.appid, 'mail-and-ping').map((message) => message.data)).toEqual([
      { keyword1: { value: 'Reward ready' } },
    ]);
    const inbox = await callProcedure(stack, 'query', 'mail.list', undefined, bearer(token));
    expect(inbox.body.result.data.mail).toHaveLength(1);
  });
});
