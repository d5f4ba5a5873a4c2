import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstances, stopInstances, type Instance } from '../support/instances.js';
import { useDatabaseAndSimulator } from '../support/database-and-simulator.js';
import { TEST_APPID } from '../support/stack.js';
import { startRedisCluster, type RedisCluster, type RedisClusterNode } from './support/redis-cluster.js';

// Two built servers on a real Redis Cluster (three masters, each with a replica: test/cluster/support/redis-cluster.ts),
// REDIS_CLUSTER_NODES naming one seed for the first and two for the second, accounts on the shared MariaDB. The rate
// limits, WeChat's access token and the remembered login codes live in the cluster; a master is killed under traffic.
// Every figure is printed on a line starting with [cluster].

const LOGIN_LIMIT = 8;
// A fixed prefix: the cluster is new each run, so every key lands in the same slot each run.
const PREFIX = 'minigate-cluster:';
const summary = (line: string) => console.log(`[cluster] ${line}`);

let cluster: RedisCluster;
const shared = useDatabaseAndSimulator();
let instances: Instance[] = [];

beforeAll(async () => {
  const started = Date.now();
  cluster = await startRedisCluster();
  summary(`Redis Cluster up in ${Date.now() - started} ms: masters ${(await cluster.masters()).map(describeNode).join(', ')}`);
  const env = { TRUST_PROXY: 'true', REDIS_KEY_PREFIX: PREFIX, RATE_LIMIT_LOGIN: `${LOGIN_LIMIT}/60` };
  const options = { databaseUrl: shared.database.url, wechatApiBase: shared.simulator.url, logLevel: 'warn' };
  const [one, two] = cluster.ports;
  const [replica] = cluster.ports.slice(4);
  instances = [
    ...(await startInstances(1, { ...options, names: ['instance 1'], env: { ...env, REDIS_CLUSTER_NODES: `127.0.0.1:${one}` } })),
    ...(await startInstances(1, {
      ...options,
      names: ['instance 2'],
      env: { ...env, REDIS_CLUSTER_NODES: `127.0.0.1:${two},127.0.0.1:${replica}` },
    })),
  ];
}, 300_000);

afterAll(async () => {
  await stopInstances(instances);
  await cluster?.close();
}, 120_000);

interface Answer {
  status: number;
  reason: string | undefined;
  data: any;
  ms: number;
}

/** One tRPC mutation, from `ip` (X-Forwarded-For: the servers trust it); status 0 when no answer came. */
async function call(instance: Instance, path: string, options: { input?: unknown; token?: string; ip: string }): Promise<Answer> {
  const started = Date.now();
  try {
    const response = await fetch(`${instance.url}/trpc/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': options.ip,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify(options.input ?? {}),
    });
    const body = (await response.json().catch(() => null)) as any;
    return { status: response.status, reason: body?.error?.data?.reason, data: body?.result?.data, ms: Date.now() - started };
  } catch (error) {
    return { status: 0, reason: (error as Error).message, data: undefined, ms: Date.now() - started };
  }
}

const login = (instance: Instance, player: string, ip: string) =>
  call(instance, 'auth.wechatLogin', { input: { code: shared.simulator.issueCode(TEST_APPID, player) }, ip });
const loginKey = (ip: string) => `${PREFIX}login:${ip}`;
const describeNode = (node: RedisClusterNode) => `${node.port} (${node.slots.map(([from, to]) => `${from}-${to}`).join(' ')})`;
const serverErrors = (answers: readonly Answer[]) => answers.filter((answer) => answer.status >= 500 || answer.status === 0);
const statuses = (answers: readonly Answer[]) => answers.map((answer) => answer.status);

/** CRC16-XMODEM of the key (or of its {hash tag}) mod 16384: CLUSTER KEYSLOT, without asking a node. */
function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const hashed = Buffer.from(close > open + 1 ? key.slice(open + 1, close) : key);
  let crc = 0;
  for (const byte of hashed) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

const serves = (node: RedisClusterNode, slot: number) => node.slots.some(([from, to]) => slot >= from && slot <= to);

/** `count` addresses under `base` (a.b.c.) whose login-limit key is in a slot `node` serves. */
function addressesOn(node: RedisClusterNode, base: string, count: number): string[] {
  const found: string[] = [];
  for (let n = 0; found.length < count && n < 60_000; n++) {
    const ip = `${base}${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
    if (serves(node, keySlot(loginKey(ip)))) found.push(ip);
  }
  return found;
}

describe('minigate on a Redis Cluster (3 masters, 3 replicas), two instances', () => {
  it('computes key slots as the cluster does', async () => {
    for (const key of [loginKey('10.71.0.1'), `${PREFIX}wechat:access_token:{${TEST_APPID}}`, 'foo', '{user1000}.following']) {
      expect(keySlot(key), key).toBe(await cluster.slotOf(key));
    }
  });

  it(`login limits are shared through the cluster: the ${LOGIN_LIMIT + 1}th login from one IP over both instances is refused`, async () => {
    const ip = '10.71.0.1';
    const answers: Answer[] = [];
    for (let i = 0; i <= LOGIN_LIMIT; i++) answers.push(await login(instances[i % 2]!, `limit-${i}`, ip));
    expect(statuses(answers.slice(0, LOGIN_LIMIT))).toEqual(Array(LOGIN_LIMIT).fill(200));
    expect(answers[LOGIN_LIMIT]).toMatchObject({ status: 429, reason: 'RATE_LIMITED' });
    // Refused on the other instance too: the count is the cluster's, not either process's.
    const other = await login(instances[(LOGIN_LIMIT + 1) % 2]!, 'limit-other', ip);
    expect(other).toMatchObject({ status: 429, reason: 'RATE_LIMITED' });

    const key = loginKey(ip);
    const slot = await cluster.slotOf(key);
    const master = await cluster.masterOf(slot);
    expect(Number(await cluster.cli(master.port, 'get', key))).toBe(LOGIN_LIMIT + 2);
    expect(Number(await cluster.cli(master.port, 'pttl', key))).toBeGreaterThan(0);
    // A scan of every master finds it there, and only there.
    expect((await cluster.keys(key)).map((found) => found.port)).toEqual([master.port]);
    summary(
      `login limit ${LOGIN_LIMIT}/60, one IP alternating over 2 instances: ${statuses(answers).join(' ')}, then ${other.status} on the other; ` +
        `key ${key} in slot ${slot} on master ${master.port} = ${LOGIN_LIMIT + 2}`,
    );

    // Other addresses' keys spread over the masters (one key a consume, no hash tag).
    for (let i = 0; i < 6; i++) expect((await login(instances[i % 2]!, `spread-${i}`, `10.71.1.${i + 1}`)).status).toBe(200);
    const keys = await cluster.keys(`${PREFIX}login:10.71.*`);
    const masters = new Set(keys.map((found) => found.port));
    expect(keys).toHaveLength(7);
    expect(masters.size).toBeGreaterThan(1);
    summary(`7 addresses' login-limit keys on ${masters.size} of 3 masters (${[...masters].sort().join(', ')})`);
  });

  it("WeChat's access token is fetched once and shared: token and lock in one slot", async () => {
    const players = await Promise.all(instances.map((instance, i) => login(instance, `token-${i}`, `10.72.0.${i + 1}`)));
    expect(statuses(players)).toEqual([200, 200]);
    const before = shared.simulator.callCount('stable_token');
    // Each player writes through both instances at once: every write needs the token.
    const writes = await Promise.all(
      players.flatMap((player, i) =>
        Array.from({ length: 4 }, (_, n) =>
          call(instances[(i + n) % 2]!, 'ranking.submitScore', {
            input: { key: `score${n}`, score: n },
            token: player.data.accessToken,
            ip: `10.72.0.${i + 1}`,
          }),
        ),
      ),
    );
    expect(statuses(writes)).toEqual(Array(8).fill(200));
    expect(shared.simulator.callCount('stable_token') - before).toBe(1);

    const tokenKey = `${PREFIX}wechat:access_token:{${TEST_APPID}}`;
    const lockKey = `${PREFIX}wechat:access_token_lock:{${TEST_APPID}}`;
    const slot = await cluster.slotOf(tokenKey);
    expect(await cluster.slotOf(lockKey)).toBe(slot);
    const master = await cluster.masterOf(slot);
    const stored = await cluster.cli(master.port, 'hgetall', tokenKey);
    expect(stored).toContain('expiresAt');
    // Encrypted at rest: the token WeChat issued is not in the hash.
    expect(stored).not.toContain(shared.simulator.currentAccessToken(TEST_APPID)!);
    expect((await cluster.keys(`${PREFIX}wechat:access_token*`)).map((found) => found.port)).toEqual([master.port]);
    summary(
      `access token: 8 ranking writes over 2 instances at once, ${shared.simulator.callCount('stable_token') - before} stable_token call; ` +
        `token and lock keys both in slot ${slot} (hash tag {${TEST_APPID}}) on master ${master.port}`,
    );
  });

  it('a code that met a busy WeChat on one instance is CODE_RETRY_WITH_NEW_CODE on the other, without reaching WeChat', async () => {
    const code = shared.simulator.issueCode(TEST_APPID, 'busy-amy');
    const ip = '10.73.0.1';
    const before = shared.simulator.callCount('jscode2session');
    shared.simulator.injectFault({ kind: 'errcode', errcode: -1 });
    const first = await call(instances[0]!, 'auth.wechatLogin', { input: { code }, ip });
    expect(first).toMatchObject({ status: 503, reason: 'WECHAT_BUSY' });
    const again = await call(instances[1]!, 'auth.wechatLogin', { input: { code }, ip });
    expect(again).toMatchObject({ status: 503, reason: 'CODE_RETRY_WITH_NEW_CODE' });
    expect(shared.simulator.callCount('jscode2session') - before).toBe(1);

    const key = `${PREFIX}wechat:login_code:${createHash('sha256').update(`${TEST_APPID}\0${code}`).digest('hex')}`;
    const master = await cluster.masterOf(await cluster.slotOf(key));
    expect(JSON.parse(await cluster.cli(master.port, 'get', key))).toMatchObject({ outcome: 'failed', failure: 'busy' });
    // A new code logs in.
    expect((await login(instances[1]!, 'busy-amy', ip)).status).toBe(200);
    summary(
      `login code: busy (-1) on instance 1, then ${again.status} ${again.reason} on instance 2; ` +
        `${shared.simulator.callCount('jscode2session') - before - 1} more jscode2session call for it; remembered on master ${master.port}`,
    );
  });

  it('a master killed under traffic: every call answered, the insurance limiter meanwhile, then the limits shared on the cluster again', async () => {
    const ip = '10.74.0.1';
    const slot = await cluster.slotOf(loginKey(ip));
    const victim = await cluster.masterOf(slot);
    const replica = (await cluster.nodes()).find((node) => node.masterId === victim.id);
    // Fresh addresses whose keys the victim serves: one a probe during the failover, and one for after.
    const [after, ...probes] = addressesOn(victim, '10.75.', 200);
    // The player's IP has used its logins up: refused while the cluster counts.
    for (let i = 0; i < LOGIN_LIMIT; i++) expect((await login(instances[i % 2]!, `fo-warm-${i}`, ip)).status).toBe(200);
    expect((await login(instances[0]!, 'fo-warm-x', ip)).status).toBe(429);
    const player = await login(instances[1]!, 'fo-player', '10.74.1.1');
    expect(player.status).toBe(200);
    const logsBefore = instances.map((instance) => instance.process.output().length);

    type Timed = Answer & { at: number; kind: 'login' | 'call' | 'probe' | 'readyz'; instance: number; ip?: string };
    const answers: Timed[] = [];
    let stop = false;
    let killedAt = 0;
    const readyz = async (instance: number): Promise<Answer> => {
      const started = Date.now();
      const status = await fetch(`${instances[instance]!.url}/readyz`).then(
        (response) => response.status,
        () => 0,
      );
      return { status, reason: undefined, data: undefined, ms: Date.now() - started };
    };
    // Four loops, each on its own (a call slowed by the failover holds up only its loop): the player logging in from its
    // used-up IP, the player's calls, probe logins from fresh IPs on the victim's slots, /readyz; over both instances.
    const loop = async (kind: Timed['kind'], send: (n: number, instance: number) => Promise<Answer & { ip?: string }>) => {
      for (let n = 0; !stop; n++) {
        const instance = n % 2;
        const at = Date.now();
        answers.push({ ...(await send(n, instance)), at, kind, instance });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    let probe = 0;
    const traffic = Promise.all([
      loop('login', (n, instance) => login(instances[instance]!, `fo-${n}`, ip)),
      loop('call', (_, instance) => call(instances[instance]!, 'account.heartbeat', { token: player.data.accessToken, ip: '10.74.1.1' })),
      loop('probe', async (_, instance) => {
        const probeIp = probes[probe++ % probes.length]!;
        return { ...(await login(instances[instance]!, `fo-probe-${probe}`, probeIp)), ip: probeIp };
      }),
      loop('readyz', (_, instance) => readyz(instance)),
    ]);

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    killedAt = Date.now();
    await cluster.killPort(victim.port);
    const failover = await cluster.waitForFailover();
    const promotedAt = Date.now();
    const promoted = failover.promoted[0]!;
    // Traffic goes on a little after the promotion: the clients find the new master on their own.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    stop = true;
    await traffic;

    const during = answers.filter((answer) => answer.at >= killedAt && answer.at < promotedAt);
    const before = answers.filter((answer) => answer.at < killedAt);
    const afterwards = answers.filter((answer) => answer.at >= promotedAt);
    const served = (set: Timed[]) => set.filter((answer) => answer.kind !== 'readyz');
    const line = (set: Timed[]) => {
      const calls = served(set);
      const ok = calls.filter((answer) => answer.status >= 200 && answer.status < 300).length;
      const refused = calls.filter((answer) => answer.status === 429).length;
      const slowest = Math.max(0, ...calls.map((answer) => answer.ms));
      const ready = set.filter((answer) => answer.kind === 'readyz');
      return (
        `${calls.length} calls: ${ok} answered 2xx, ${refused} refused 429, ${serverErrors(calls).length} 5xx/no answer, ` +
        `${calls.length - ok - refused - serverErrors(calls).length} other; slowest ${slowest} ms; readyz ${ready.filter((r) => r.status === 200).length}/${ready.length} ready`
      );
    };
    summary(
      `failover: killed master ${describeNode(victim)} (SIGKILL); replica ${replica?.port} promoted to ${describeNode(promoted)}, ` +
        `cluster_state:ok on every node after ${failover.msSinceKill} ms`,
    );
    summary(`before the kill (1 s): ${line(before)}`);
    summary(`during the failover (${promotedAt - killedAt} ms): ${line(during)}`);
    summary(`after the promotion (3 s): ${line(afterwards)}`);

    // Every call answered, none with a server error, in every phase; and calls went on during the failover.
    expect(serverErrors(answers)).toEqual([]);
    expect(served(during).length).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer.kind === 'call').every((answer) => answer.status === 200)).toBe(true);
    // The insurance limiter counted while the victim was away: the used-up IP was served again by each process's own count.
    const playerLogins = answers.filter((answer) => answer.kind === 'login');
    const servedDuring = during.filter((answer) => answer.kind === 'login' && answer.status === 200).length;
    summary(`the used-up IP during the failover: ${servedDuring} logins served by the in-memory insurance (limit ${LOGIN_LIMIT} per instance)`);
    expect(playerLogins.filter((answer) => answer.at < killedAt).every((answer) => answer.status === 429)).toBe(true);

    // Which probes were counted in the cluster (their key on the promoted master) rather than in memory.
    const counted = new Set((await cluster.keys(`${PREFIX}login:10.75.*`)).map((found) => found.key));
    const probesAfterKill = answers.filter((answer) => answer.kind === 'probe' && answer.at >= killedAt);
    const backOn = instances.map((_, n) =>
      probesAfterKill.find((answer) => answer.instance === n && answer.status === 200 && counted.has(loginKey(answer.ip!))),
    );
    summary(
      `limits back on the cluster: first login counted there ${backOn
        .map((answer, n) => `on instance ${n + 1} ${answer ? `${answer.at + answer.ms - killedAt} ms` : 'never'}`)
        .join(', ')} after the kill (promotion at ${promotedAt - killedAt} ms); ` +
        `${probesAfterKill.filter((answer) => counted.has(loginKey(answer.ip!))).length}/${probesAfterKill.length} probe logins after the kill counted in the cluster`,
    );
    expect(backOn.every(Boolean)).toBe(true);

    // Limits are shared again: a fresh address on the promoted master's slots, alternating.
    const again: Answer[] = [];
    for (let n = 0; n <= LOGIN_LIMIT; n++) again.push(await login(instances[n % 2]!, `fo-after-${n}`, after!));
    expect(statuses(again.slice(0, LOGIN_LIMIT))).toEqual(Array(LOGIN_LIMIT).fill(200));
    expect(again[LOGIN_LIMIT]).toMatchObject({ status: 429, reason: 'RATE_LIMITED' });
    expect((await cluster.masterOf(keySlot(loginKey(after!)))).port).toBe(promoted.port);
    expect(Number(await cluster.cli(promoted.port, 'get', loginKey(after!)))).toBe(LOGIN_LIMIT + 1);
    const ready = await Promise.all(instances.map((_, n) => readyz(n)));
    expect(ready.map((answer) => answer.status)).toEqual([200, 200]);
    const warnings = instances.map(
      (instance, n) =>
        instance.process
          .output()
          .slice(logsBefore[n])
          .split('\n')
          .filter((l) => /Redis/.test(l)).length,
    );
    summary(
      `after the failover: ${LOGIN_LIMIT} logins from a fresh IP over both instances ${statuses(again).join(' ')} ` +
        `(key on the promoted master ${promoted.port} = ${LOGIN_LIMIT + 1}); readyz ${ready.map((answer) => answer.status).join(' ')}; ` +
        `Redis warnings logged: ${warnings.join(' and ')}`,
    );
  });
});
