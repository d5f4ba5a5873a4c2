import type { SimulatedFault } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_APPID, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_WECHAT_SECRET, type TestStack } from '../support/stack.js';
import { errorShapeProblem, RecordingClient, type Answer } from './support/http.js';
import { LeakScan, leakSummary } from './support/leaks.js';

// WeChat failing in every way it can while players log in, 20 at a time:
// each errcode jscode2session answers with, latency spikes, timeouts, a
// refused or dropped connection, an error page. Every answer must be a typed
// error with a reason (upstream faults 502/503/504, the player's faults 4xx,
// our own misconfiguration the one 500, WECHAT_MISCONFIGURED), and no code
// may reach WeChat twice: not by a retry of ours, nor when the game sends
// the same code again after a failure that may have consumed it.
const BURST = 20;
// Generous: a busy machine must not turn a plain answer into a timeout.
const TIMEOUT_MS = 2_000;
const SPIKE_MS = 500;

let stack: TestStack;
const leaks = new LeakScan();
const http = new RecordingClient(leaks);
/** Every login answer of the suite, with what was expected of it. */
const outcomes: Array<{ scenario: string; answer: Answer }> = [];
/** How many times each code reached WeChat (from the simulator's request log). */
const sentToWeChat = new Map<string, number>();
const counted = new WeakSet<object>();
const players: string[] = [];
let playerCount = 0;

beforeAll(async () => {
  stack = await startTestStack({
    WECHAT_TIMEOUT_MS: String(TIMEOUT_MS),
    // A breaker that opens after 5 unreachable calls and lets a probe through after 1 s, so each scenario starts closed.
    WECHAT_CIRCUIT_OPEN_SECONDS: '1',
    RATE_LIMIT_LOGIN: '100000/60',
    LOG_LEVEL: 'trace',
  });
  leaks.logSource('server', () => stack.logs);
  leaks.secret('WeChat secret', TEST_WECHAT_SECRET);
  leaks.secret('JWT secret', TEST_JWT_SECRET);
  leaks.secret('encryption key', TEST_ENCRYPTION_KEY);
});
afterAll(() => stack?.close());

/** A player never seen before, and a wx.login code for it. */
function newPlayer(): { player: string; code: string } {
  const player = `fault-${playerCount++}`;
  players.push(player);
  const code = stack.codeFor(player);
  leaks.secret('login code', code);
  return { player, code };
}

function collectWeChatCalls(): void {
  for (const entry of stack.simulator.requestLog) {
    if (counted.has(entry) || entry.endpoint !== 'jscode2session') continue;
    counted.add(entry);
    const code = entry.query.js_code ?? '';
    sentToWeChat.set(code, (sentToWeChat.get(code) ?? 0) + 1);
  }
}

async function login(scenario: string, code: string): Promise<Answer> {
  const answer = await http.call(stack.baseUrl, 'mutation', 'auth.wechatLogin', { code });
  outcomes.push({ scenario, answer });
  return answer;
}

/** Waits until a login goes through again (the breaker closed), with no fault left. */
async function settle(): Promise<void> {
  stack.simulator.clearFaults();
  await stack.simulator.setReachable(true);
  await expect.poll(async () => (await login('settle', newPlayer().code)).status, { timeout: 10_000, interval: 250 }).toBe(200);
  collectWeChatCalls();
}

const reasonOf = (answer: Answer): string => (answer.status === 200 ? 'OK' : String(answer.body?.error?.data?.reason));
const outcomeOf = (answer: Answer): string => `${answer.status} ${reasonOf(answer)}`;

/** What a transport failure may answer: the failure itself, or the breaker it opened (nothing sent then). */
const BREAKER_OPEN = '503 WECHAT_UNAVAILABLE';

interface Scenario {
  name: string;
  fault?: SimulatedFault;
  /** The simulator's port closed: connections refused. */
  unreachable?: true;
  /** The answers allowed, `status reason`; the first is the one expected of most. */
  expected: string[];
  /** The failure may have consumed the code: the game sending it again must get CODE_RETRY_WITH_NEW_CODE, and WeChat must not see it again. */
  resend?: true;
}

const SCENARIOS: Scenario[] = [
  { name: 'errcode -1 (busy)', fault: { kind: 'errcode', errcode: -1 }, expected: ['503 WECHAT_BUSY'], resend: true },
  { name: 'errcode 40029 (invalid code)', fault: { kind: 'errcode', errcode: 40029 }, expected: ['400 CODE_INVALID'] },
  { name: 'errcode 40163 (code used)', fault: { kind: 'errcode', errcode: 40163 }, expected: ['400 CODE_USED'] },
  { name: 'errcode 45011 (player over its minute quota)', fault: { kind: 'errcode', errcode: 45011 }, expected: ['429 WECHAT_RATE_LIMITED'] },
  { name: 'errcode 40226 (high-risk player)', fault: { kind: 'errcode', errcode: 40226 }, expected: ['403 WECHAT_USER_BLOCKED'] },
  { name: 'errcode 40013 (invalid appid)', fault: { kind: 'errcode', errcode: 40013 }, expected: ['500 WECHAT_MISCONFIGURED'] },
  { name: 'errcode 40125 (invalid secret)', fault: { kind: 'errcode', errcode: 40125 }, expected: ['500 WECHAT_MISCONFIGURED'] },
  { name: 'errcode 41002 (appid missing)', fault: { kind: 'errcode', errcode: 41002 }, expected: ['500 WECHAT_MISCONFIGURED'] },
  { name: 'an errcode nobody documented (99999)', fault: { kind: 'errcode', errcode: 99999 }, expected: ['502 WECHAT_ERROR'] },
  { name: `latency spike (${SPIKE_MS} ms)`, fault: { kind: 'delay', ms: SPIKE_MS }, expected: ['200 OK'] },
  {
    name: `answer after the timeout (${TIMEOUT_MS * 1.5} ms)`,
    fault: { kind: 'delay', ms: TIMEOUT_MS * 1.5 },
    expected: ['504 WECHAT_TIMEOUT', BREAKER_OPEN],
    resend: true,
  },
  { name: 'no answer at all (timeout)', fault: { kind: 'timeout' }, expected: ['504 WECHAT_TIMEOUT', BREAKER_OPEN], resend: true },
  { name: 'connection reset', fault: { kind: 'reset' }, expected: ['502 WECHAT_UNAVAILABLE', BREAKER_OPEN], resend: true },
  { name: 'connection refused', unreachable: true, expected: ['502 WECHAT_UNAVAILABLE', BREAKER_OPEN], resend: true },
  {
    name: 'an HTML error page (HTTP 502)',
    fault: { kind: 'http', status: 502, body: '<html><body>502 Bad Gateway</body></html>' },
    expected: ['502 WECHAT_UNAVAILABLE', BREAKER_OPEN],
    resend: true,
  },
  {
    name: 'an HTML error page (HTTP 503)',
    fault: { kind: 'http', status: 503, body: '<html><body>503 Service Unavailable</body></html>' },
    expected: ['502 WECHAT_UNAVAILABLE', BREAKER_OPEN],
    resend: true,
  },
  {
    name: 'HTTP 200 that is not JSON',
    fault: { kind: 'http', status: 200, body: '<html>wait</html>' },
    expected: ['502 WECHAT_UNAVAILABLE', BREAKER_OPEN],
    resend: true,
  },
];

const timings: string[] = [];

describe('WeChat faults under load: typed errors only, no code sent twice', () => {
  it.each(SCENARIOS)('$name', async (scenario) => {
    await settle();
    const burst = Array.from({ length: BURST }, () => newPlayer());
    if (scenario.fault) stack.simulator.setFault('jscode2session', scenario.fault);
    if (scenario.unreachable) await stack.simulator.setReachable(false);
    const started = Date.now();
    const answers = await Promise.all(burst.map(({ code }) => login(scenario.name, code)));
    const ms = Date.now() - started;
    stack.simulator.clearFaults();
    await stack.simulator.setReachable(true);
    collectWeChatCalls();

    for (const answer of answers) {
      expect(scenario.expected, answer.text).toContain(outcomeOf(answer));
      if (answer.status !== 200) expect(errorShapeProblem(answer.status, answer.body), answer.text).toBeNull();
    }
    // The fault's own answer first: the breaker opens only after 5 consecutive transport failures (WECHAT_CIRCUIT_FAILURES).
    expect(answers.filter((answer) => outcomeOf(answer) === scenario.expected[0]).length).toBeGreaterThanOrEqual(5);
    answers.forEach((answer, i) => {
      const { code } = burst[i]!;
      // What the breaker stopped was never sent; everything else reached WeChat once (but on a refused connection).
      const expectedCalls = outcomeOf(answer) === BREAKER_OPEN || scenario.unreachable ? 0 : 1;
      expect(sentToWeChat.get(code) ?? 0, `${outcomeOf(answer)} for ${code}`).toBe(expectedCalls);
    });
    if (scenario.name.startsWith('latency')) {
      // Logins wait for WeChat side by side, not one after the other (that would take BURST × SPIKE_MS).
      expect(ms).toBeLessThan((BURST * SPIKE_MS) / 2);
    }

    if (scenario.resend) {
      // The game sends the same codes again: those WeChat may have consumed are refused without asking WeChat.
      const again = await Promise.all(burst.map(({ code }) => login(`${scenario.name}, sent again`, code)));
      collectWeChatCalls();
      again.forEach((answer, i) => {
        const { code } = burst[i]!;
        if (answer.status !== 200) expect(errorShapeProblem(answer.status, answer.body), answer.text).toBeNull();
        // A code the breaker stopped was never sent: that one may be tried again.
        if (outcomeOf(answers[i]!) !== BREAKER_OPEN) {
          expect(outcomeOf(answer), answer.text).toBe('503 CODE_RETRY_WITH_NEW_CODE');
          expect(answer.headers.get('retry-after')).toBe('1');
        }
        expect(sentToWeChat.get(code) ?? 0, code).toBeLessThanOrEqual(1);
      });
    }
    for (const { code } of burst) expect(sentToWeChat.get(code) ?? 0, code).toBeLessThanOrEqual(1);
    timings.push(`${scenario.name} ${ms} ms`);
  });

  it('a mixed burst: each queued errcode answers exactly its share of 50 parallel logins, the others log in', async () => {
    await settle();
    const queued: Array<[number, string, number]> = [
      [-1, '503 WECHAT_BUSY', 5],
      [40029, '400 CODE_INVALID', 5],
      [40163, '400 CODE_USED', 5],
      [45011, '429 WECHAT_RATE_LIMITED', 5],
      [40226, '403 WECHAT_USER_BLOCKED', 5],
      [40125, '500 WECHAT_MISCONFIGURED', 2],
    ];
    for (const [errcode, , times] of queued) stack.simulator.injectFault({ kind: 'errcode', errcode }, times);
    const faults = queued.reduce((sum, [, , times]) => sum + times, 0);
    const burst = Array.from({ length: 50 }, () => newPlayer());
    const accountsBefore = (await stack.database.db.selectFrom('account').select('accountId').execute()).length;
    const answers = await Promise.all(burst.map(({ code }) => login('mixed', code)));
    collectWeChatCalls();

    const counts = new Map<string, number>();
    for (const answer of answers) counts.set(outcomeOf(answer), (counts.get(outcomeOf(answer)) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual(
      Object.fromEntries([...queued.map(([, outcome, times]) => [outcome, times]), ['200 OK', 50 - faults]]),
    );
    for (const answer of answers.filter((answer) => answer.status !== 200))
      expect(errorShapeProblem(answer.status, answer.body), answer.text).toBeNull();
    for (const answer of answers.filter((answer) => answer.body?.error?.data?.retryAfterSeconds !== undefined)) {
      expect(answer.headers.get('retry-after')).toBe(String(answer.body.error.data.retryAfterSeconds));
    }
    // Exactly the players who logged in have an account.
    const accountsAfter = (await stack.database.db.selectFrom('account').select('accountId').execute()).length;
    expect(accountsAfter - accountsBefore).toBe(50 - faults);
    for (const { code } of burst) expect(sentToWeChat.get(code), code).toBe(1);
  });

  it('WeChat echoing the code and the secret in its errmsg or error page: none of it reaches an answer or a log line', async () => {
    await settle();
    const echo = (code: string) => `js_code=${code}&secret=${TEST_WECHAT_SECRET}`;
    const cases: Array<[(code: string) => SimulatedFault, string]> = [
      [(code) => ({ kind: 'errcode', errcode: -1, errmsg: `system error, hints: [ ${echo(code)} ]` }), '503 WECHAT_BUSY'],
      [(code) => ({ kind: 'errcode', errcode: 40125, errmsg: `invalid appsecret ${TEST_WECHAT_SECRET}, ${echo(code)}` }), '500 WECHAT_MISCONFIGURED'],
      [(code) => ({ kind: 'errcode', errcode: 40029, errmsg: `invalid code ${code}` }), '400 CODE_INVALID'],
      [(code) => ({ kind: 'http', status: 502, body: `<html>bad gateway for /sns/jscode2session?${echo(code)}</html>` }), '502 WECHAT_UNAVAILABLE'],
    ];
    for (const [fault, expected] of cases) {
      const { code } = newPlayer();
      stack.simulator.injectFault(fault(code));
      const answer = await login('echoing WeChat', code);
      expect(outcomeOf(answer), answer.text).toBe(expected);
      expect(answer.text).not.toContain(code);
      expect(answer.text).not.toContain(TEST_WECHAT_SECRET);
    }
    collectWeChatCalls();
    // The leak scan below searches the logs too.
  });

  it('over the whole suite: 0 bare 500s, every 5xx an upstream fault or the misconfiguration, no code sent to WeChat twice', () => {
    collectWeChatCalls();
    const failures = outcomes.filter(({ answer }) => answer.status >= 500);
    const bare = failures.filter(({ answer }) => answer.status === 500 && reasonOf(answer) !== 'WECHAT_MISCONFIGURED');
    expect(bare.map(({ scenario, answer }) => `${scenario}: ${answer.text}`)).toEqual([]);
    expect(outcomes.filter(({ answer }) => reasonOf(answer) === 'INTERNAL')).toEqual([]);
    for (const { answer } of failures) expect([500, 502, 503, 504]).toContain(answer.status);
    const twice = [...sentToWeChat].filter(([, times]) => times > 1);
    expect(twice).toEqual([]);
    expect(sentToWeChat.size).toBeGreaterThan(SCENARIOS.length * BURST * 0.5);

    const reasons = new Map<string, number>();
    for (const { answer } of outcomes) reasons.set(reasonOf(answer), (reasons.get(reasonOf(answer)) ?? 0) + 1);
    const list = [...reasons]
      .sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    console.log(
      `wechat faults: ${SCENARIOS.length} faults × ${BURST} parallel logins + a mixed burst of 50 → ${outcomes.length} answers (${list}), ${bare.length} bare 500s, ${twice.length} codes sent to WeChat twice (${sentToWeChat.size} codes sent)`,
    );
    console.log(`wechat faults, burst times: ${timings.join('; ')}`);
  });

  it('leak scan: no secret, session key, code or token in any answer or log line of these faults', () => {
    for (const player of players) leaks.secret('session key', stack.simulator.sessionKeyFor(TEST_APPID, player));
    leaks.secret('WeChat access token', stack.simulator.currentAccessToken(TEST_APPID));
    const report = leaks.scan();
    expect(report.secrets['session key']).toBeGreaterThan(50);
    expect(report.hits).toEqual([]);
    expect(report.stackTraces).toEqual([]);
    console.log(leakSummary('wechat faults', report));
  });
});
