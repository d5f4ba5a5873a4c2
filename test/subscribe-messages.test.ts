import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENTRY, run, TSX } from './support/processes.js';
import { startPaymentsStack, type PaymentsStack } from './support/payments-stack.js';
import { callProcedure } from './support/stack.js';

// WeChat subscribe messages against a real server, MariaDB and the simulator's subscribeMessage.send:
// credits from wx.requestSubscribeMessage's answers, a send spending one, 43101 and 47003 mapped to reasons.
let stack: PaymentsStack;
beforeAll(async () => {
  stack = await startPaymentsStack();
});
afterAll(async () => {
  await stack?.close();
});

const appid = () => stack.game.appid;
const TEMPLATE = 'tmplRewardReady_01';
const OTHER = 'tmplEnergyFull_02';
const log = { error: () => undefined, warn: () => undefined, info: () => undefined };

async function player(name: string): Promise<{ token: string; id: number }> {
  const login = await callProcedure(stack, 'mutation', 'auth.wechatLogin', { code: stack.codeFor(name) });
  const token = login.body.result.data.accessToken as string;
  const me = await callProcedure(stack, 'query', 'account.me', undefined, { authorization: `Bearer ${token}` });
  return { token, id: me.body.result.data.id as number };
}

const record = (token: string, results: Record<string, string>) =>
  callProcedure(stack, 'mutation', 'notifications.recordSubscriptions', { results }, { authorization: `Bearer ${token}` });

/** The operator's send (what a mail with --subscribe does): its reason when refused, else 'sent'. */
async function send(accountId: number, data: Record<string, { value: string | number }> = { thing1: { value: 'Your reward' } }) {
  try {
    await stack.application.operator.notify({ accountId, appid: appid(), templateId: TEMPLATE, data, page: 'index?from=mail' }, log);
    return 'sent';
  } catch (error) {
    return (error as { reason?: string }).reason ?? String(error);
  }
}

const credits = async (accountId: number) =>
  (
    await stack.database.db
      .selectFrom('subscribeCredit')
      .select(['templateId', 'credits'])
      .where('accountId', '=', accountId)
      .orderBy('templateId')
      .execute()
  ).map((row) => [row.templateId, row.credits]);

describe('notifications.recordSubscriptions', () => {
  it('keeps one credit per accept, per template and player; other answers keep none', async () => {
    const { token, id } = await player('subscriber');
    const first = await record(token, { [TEMPLATE]: 'accept', [OTHER]: 'reject', errMsg: 'requestSubscribeMessage:ok' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.result.data).toEqual({ credits: { [TEMPLATE]: 1 } });
    const second = await record(token, { [TEMPLATE]: 'accept', [OTHER]: 'ban' });
    expect(second.body.result.data).toEqual({ credits: { [TEMPLATE]: 2 } });
    expect(await credits(id)).toEqual([[TEMPLATE, 2]]);
  });

  it('bad input names the field', async () => {
    const { token } = await player('sloppy');
    const cases: Array<[unknown, string]> = [
      [{ [TEMPLATE]: 'maybe' }, `results.${TEMPLATE}`],
      [{ 'not a template!': 'accept' }, 'results.not a template!'],
      [{ errMsg: 'requestSubscribeMessage:ok' }, 'results'],
      ['accept', 'results'],
    ];
    for (const [results, path] of cases) {
      const answer = await callProcedure(stack, 'mutation', 'notifications.recordSubscriptions', { results }, { authorization: `Bearer ${token}` });
      expect([answer.status, answer.body.error.data.reason, answer.body.error.data.fields[0].path]).toEqual([400, 'INPUT_INVALID', path]);
    }
  });
});

describe('subscribeMessage.send', () => {
  it('a send spends a credit, and WeChat delivers it with the data and page', async () => {
    const { token, id } = await player('notified');
    await record(token, { [TEMPLATE]: 'accept' });
    stack.simulator.acceptSubscription(appid(), 'notified', TEMPLATE);
    expect(await send(id)).toBe('sent');
    expect(await credits(id)).toEqual([[TEMPLATE, 0]]);
    expect(stack.simulator.subscriptionsLeft(appid(), 'notified', TEMPLATE)).toBe(0);
    expect(stack.simulator.subscribeMessages(appid(), 'notified')).toMatchObject([
      { templateId: TEMPLATE, data: { thing1: { value: 'Your reward' } }, page: 'index?from=mail' },
    ]);
    // No credit left: refused here, WeChat never asked.
    const calls = stack.simulator.callCount('subscribe_send');
    expect(await send(id)).toBe('SUBSCRIBE_NO_CREDIT');
    expect(stack.simulator.callCount('subscribe_send')).toBe(calls);
  });

  it('43101 (WeChat holds no accept) is SUBSCRIBE_REFUSED and leaves no credit; 47003 is SUBSCRIBE_DATA_INVALID and gives it back', async () => {
    const { token, id } = await player('refuser');
    await record(token, { [TEMPLATE]: 'accept' });
    await record(token, { [TEMPLATE]: 'accept' });
    expect(await send(id)).toBe('SUBSCRIBE_REFUSED');
    expect(await credits(id)).toEqual([[TEMPLATE, 0]]);

    await record(token, { [TEMPLATE]: 'accept' });
    stack.simulator.acceptSubscription(appid(), 'refuser', TEMPLATE);
    expect(await send(id, { thing1: { value: '' } })).toBe('SUBSCRIBE_DATA_INVALID');
    expect(await send(id, { thing1: 'flat' as never })).toBe('SUBSCRIBE_DATA_INVALID');
    expect(await credits(id)).toEqual([[TEMPLATE, 1]]);
    expect(stack.simulator.subscriptionsLeft(appid(), 'refuser', TEMPLATE)).toBe(1);
    expect(await send(id)).toBe('sent');
  });

  it('the simulator checks the access token', async () => {
    const answer = await fetch(`${stack.simulator.url}/cgi-bin/message/subscribe/send?access_token=forged`, {
      method: 'POST',
      body: JSON.stringify({ touser: 'x', template_id: TEMPLATE, data: { thing1: { value: 'a' } } }),
    });
    expect(((await answer.json()) as { errcode?: number }).errcode).toBe(40014);
  });
});

describe('pnpm admin mail --subscribe', () => {
  it('sends the subscribe message with the mail when the player holds a credit, and says why not otherwise', async () => {
    const { token, id } = await player('mail-and-ping');
    await record(token, { [TEMPLATE]: 'accept' });
    stack.simulator.acceptSubscription(appid(), 'mail-and-ping', TEMPLATE);
    const mail = (...extra: string[]) =>
      run(
        [
          TSX,
          ADMIN_ENTRY,
          'mail',
          '--to',
          String(id),
          '--game',
          appid(),
          '--title',
          'Reward ready',
          '--body',
          'Claim it',
          '--subscribe',
          TEMPLATE,
          ...extra,
        ],
        { ...stack.environment, USER: 'ops-test' },
      );
    const first = mail('--data', 'thing1=Reward ready', '--data', 'time2=2026-01-01 10:00');
    expect(await first.exited, first.output()).toBe(0);
    expect(first.output()).toContain(`subscribe message ${TEMPLATE} sent`);
    expect(stack.simulator.subscribeMessages(appid(), 'mail-and-ping').map((message) => message.data)).toEqual([
      { thing1: { value: 'Reward ready' }, time2: { value: '2026-01-01 10:00' } },
    ]);
    const second = mail();
    expect(await second.exited, second.output()).toBe(0);
    expect(second.output()).toContain('subscribe message not sent: SUBSCRIBE_NO_CREDIT');
    const rows = await stack.database.db
      .selectFrom('mail')
      .select(['subscribeTemplate', 'subscribeOutcome'])
      .where('accountId', '=', id)
      .orderBy('mailId')
      .execute();
    expect(rows).toEqual([
      { subscribeTemplate: TEMPLATE, subscribeOutcome: 'sent' },
      { subscribeTemplate: TEMPLATE, subscribeOutcome: 'SUBSCRIBE_NO_CREDIT' },
    ]);
    // The mail itself arrived both times.
    expect((await callProcedure(stack, 'query', 'mail.list', undefined, { authorization: `Bearer ${token}` })).body.result.data.mail).toHaveLength(2);
  });
});
