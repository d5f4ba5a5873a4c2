import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

// A real Redis Cluster for the cluster suite: six redis-server processes on loopback ports of their own
// (7101-7106 by default; each node's cluster bus is its port + 10000), three masters each with a replica,
// made by `redis-cli --cluster create`. The processes are children of the test process, in memory only,
// and killed by close() (or, whatever happens, when the test process exits).

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a master may be silent before its replica takes over: short, so a failover takes seconds. */
export const NODE_TIMEOUT_MS = 2_000;
const SLOTS = 16_384;

export interface RedisClusterNode {
  port: number;
  /** The redis-server process's id. */
  pid: number;
  /** The node's id in CLUSTER NODES. */
  id: string;
  /** As the live nodes see it now: a replica promoted by a failover is a master. */
  role: 'master' | 'replica';
  /** A replica's master's id. */
  masterId: string | null;
  /** A master's slot ranges, e.g. [[0, 5460]]. */
  slots: Array<[number, number]>;
  /** The process runs (false once killed). */
  alive: boolean;
  /** Not flagged fail or fail? by the node asked. */
  healthy: boolean;
}

export interface RedisCluster {
  /** The node ports, basePort to basePort + 5. */
  ports: readonly number[];
  /** The nodes as a live node sees them, with their processes. */
  nodes(): Promise<RedisClusterNode[]>;
  /** The masters, by their first slot (index 0 serves slot 0). */
  masters(): Promise<RedisClusterNode[]>;
  /** redis-cli against one node (no -c: a key on another master answers MOVED). */
  cli(port: number, ...args: string[]): Promise<string>;
  /** CLUSTER KEYSLOT of a key. */
  slotOf(key: string): Promise<number>;
  /** The live master serving a slot. */
  masterOf(slot: number): Promise<RedisClusterNode>;
  /** SIGKILL to the index-th master (by first slot); resolves with it once its process exited. */
  killMaster(index: number): Promise<RedisClusterNode>;
  /** SIGKILL to the master on `port`. */
  killPort(port: number): Promise<RedisClusterNode>;
  /**
   * Resolves once every killed master's slots are served by a live master (its replica,
   * promoted) and every live node says cluster_state:ok; with the promoted node and the
   * milliseconds since the last kill.
   */
  waitForFailover(timeoutMs?: number): Promise<{ promoted: RedisClusterNode[]; msSinceKill: number }>;
  /** Every key of a pattern on every live master (SCAN). */
  keys(pattern: string): Promise<Array<{ port: number; key: string }>>;
  close(): Promise<void>;
}

/** The path of a command on PATH (or the sbin folders a non-root PATH may lack), or null. */
function findCommand(name: string): string | null {
  for (const folder of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin']) {
    if (!folder) continue;
    try {
      accessSync(join(folder, name), constants.X_OK);
      return join(folder, name);
    } catch {
      // not here
    }
  }
  return null;
}

function parseNodes(text: string): Array<Omit<RedisClusterNode, 'pid' | 'alive'>> {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , , ...slots] = line.trim().split(' ');
      const flagList = flags.split(',');
      return {
        port: Number(/:(\d+)@/.exec(address)?.[1]),
        id,
        role: flagList.includes('master') ? ('master' as const) : ('replica' as const),
        masterId: master === '-' ? null : master,
        // [slot->-node] entries are slots being migrated: not served here.
        slots: slots
          .filter((range) => !range.startsWith('['))
          .map((range) => {
            const [from, to = from] = range.split('-');
            return [Number(from), Number(to)] as [number, number];
          }),
        healthy: !flagList.includes('fail') && !flagList.includes('fail?') && !flagList.includes('noaddr'),
      };
    });
}

const covered = (nodes: ReadonlyArray<{ slots: Array<[number, number]> }>) =>
  nodes.reduce((sum, node) => sum + node.slots.reduce((n, [from, to]) => n + to - from + 1, 0), 0);

interface Child {
  process: ChildProcess;
  exited: Promise<void>;
  alive: boolean;
}

const leftovers = new Set<ChildProcess>();
let hooked = false;

/**
 * Starts the cluster and resolves once every node says cluster_state:ok and
 * sees three masters with a replica each. Throws (never skips) when
 * redis-server or redis-cli is missing, or when a port is taken.
 */
export async function startRedisCluster({ basePort = 7101 }: { basePort?: number } = {}): Promise<RedisCluster> {
  const server = findCommand('redis-server');
  const redisCli = findCommand('redis-cli');
  if (!server || !redisCli) {
    throw new Error(`The Redis Cluster tests need ${server ? 'redis-cli' : 'redis-server'}: install redis-server (apt-get install -y redis-server)`);
  }
  const ports = Array.from({ length: 6 }, (_, i) => basePort + i);
  const cli = async (port: number, ...args: string[]) =>
    (await execFileAsync(redisCli, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 })).stdout;
  for (const port of ports) {
    const answer = await cli(port, 'ping').catch(() => '');
    if (answer.trim() === 'PONG')
      throw new Error(`a Redis already answers on 127.0.0.1:${port}: stop it (a leftover of an earlier run?) or pick another basePort`);
  }

  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const child of leftovers) child.kill('SIGKILL');
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'minigate-redis-cluster-'));
  const children = new Map<number, Child>();
  const logOf = (port: number) => readFile(join(dir, `redis-${port}.log`), 'utf8').catch(() => '');
  let lastKill: number | null = null;
  /** The killed masters' first slots, by node id. */
  const killed = new Map<string, number>();

  const alivePorts = () => ports.filter((port) => children.get(port)?.alive);
  const withProcesses = (seen: Array<Omit<RedisClusterNode, 'pid' | 'alive'>>): RedisClusterNode[] =>
    seen.map((node) => ({ ...node, pid: children.get(node.port)?.process.pid ?? 0, alive: children.get(node.port)?.alive ?? false }));
  const nodes = async (): Promise<RedisClusterNode[]> => {
    for (const port of alivePorts()) {
      const text = await cli(port, 'cluster', 'nodes').catch(() => null);
      if (text) return withProcesses(parseNodes(text));
    }
    throw new Error('no Redis Cluster node answers');
  };
  const masters = async () =>
    (await nodes())
      .filter((node) => node.role === 'master' && node.alive && node.healthy && node.slots.length > 0)
      .sort((a, b) => a.slots[0]![0] - b.slots[0]![0]);

  /** Every live node: cluster_state:ok, and every slot on a live master. */
  const healthy = async (): Promise<boolean> => {
    const live = alivePorts();
    for (const port of live) {
      if (!(await cli(port, 'cluster', 'info').catch(() => '')).includes('cluster_state:ok')) return false;
    }
    for (const port of live) {
      const seen = withProcesses(parseNodes(await cli(port, 'cluster', 'nodes').catch(() => '')));
      if (covered(seen.filter((node) => node.role === 'master' && node.alive && node.healthy)) !== SLOTS) return false;
    }
    return true;
  };

  const close = async () => {
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (!child.alive) return;
        child.process.kill('SIGTERM');
        const timer = setTimeout(() => child.process.kill('SIGKILL'), 5_000);
        await child.exited;
        clearTimeout(timer);
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };

  const kill = async (node: RedisClusterNode): Promise<RedisClusterNode> => {
    const child = children.get(node.port);
    if (!child?.alive) throw new Error(`the node on ${node.port} is not running`);
    if (node.slots.length === 0) throw new Error(`the node on ${node.port} serves no slot`);
    killed.set(node.id, node.slots[0]![0]);
    lastKill = Date.now();
    child.process.kill('SIGKILL');
    await child.exited;
    return { ...node, alive: false };
  };

  try {
    for (const port of ports) {
      const log = openSync(join(dir, `redis-${port}.log`), 'a');
      const child = spawn(
        server,
        [
          '--port',
          String(port),
          // Loopback only: the nodes announce 127.0.0.1, which the servers under test reach as it is.
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          String(NODE_TIMEOUT_MS),
          // A replica takes over however long ago it last heard from its master.
          '--cluster-replica-validity-factor',
          '0',
          '--appendonly',
          'no',
          '--save',
          '',
          '--dir',
          dir,
          '--daemonize',
          'no',
        ],
        { stdio: ['ignore', log, log] },
      );
      closeSync(log);
      leftovers.add(child);
      const entry: Child = { process: child, alive: true, exited: Promise.resolve() };
      entry.exited = new Promise<void>((resolve) => {
        child.once('exit', () => {
          entry.alive = false;
          leftovers.delete(child);
          resolve();
        });
        child.once('error', () => {
          entry.alive = false;
          leftovers.delete(child);
          resolve();
        });
      });
      children.set(port, entry);
    }
    for (const port of ports) {
      for (let attempt = 0; ; attempt++) {
        if ((await cli(port, 'ping').catch(() => '')).trim() === 'PONG') break;
        if (!children.get(port)?.alive || attempt > 100) throw new Error(`redis-server on ${port} did not start:\n${await logOf(port)}`);
        await sleep(100);
      }
    }
    await execFileAsync(redisCli, ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 60_000,
    });
    // Every node must know every other's role: a replica shows as a master without slots for a moment.
    const giveUpAt = Date.now() + 60_000;
    for (;;) {
      if (await healthy()) {
        const views = await Promise.all(ports.map(async (port) => parseNodes(await cli(port, 'cluster', 'nodes'))));
        if (views.every((view) => view.filter((node) => node.role === 'replica' && node.masterId).length === 3)) break;
      }
      if (Date.now() > giveUpAt) {
        throw new Error(
          `the Redis Cluster never became healthy:\n${(await Promise.all(ports.map(logOf))).map((log) => log.slice(-600)).join('\n---\n')}`,
        );
      }
      await sleep(200);
    }
  } catch (error) {
    await close();
    throw error;
  }

  return {
    ports,
    nodes,
    masters,
    cli,
    async slotOf(key) {
      return Number((await cli(alivePorts()[0]!, 'cluster', 'keyslot', key)).trim());
    },
    async masterOf(slot) {
      const master = (await masters()).find((node) => node.slots.some(([from, to]) => slot >= from && slot <= to));
      if (!master) throw new Error(`no live master serves slot ${slot}`);
      return master;
    },
    async killMaster(index) {
      const master = (await masters())[index];
      if (!master) throw new Error(`there is no master #${index}`);
      return kill(master);
    },
    async killPort(port) {
      const node = (await nodes()).find((candidate) => candidate.port === port);
      if (!node || node.role !== 'master') throw new Error(`the node on ${port} is not a master`);
      return kill(node);
    },
    async waitForFailover(timeoutMs = 60_000) {
      const giveUpAt = Date.now() + timeoutMs;
      for (;;) {
        if (await healthy()) {
          const live = await masters();
          // Each killed master's first slot, served by a live master now: its replica, promoted.
          const promoted = [...killed.values()]
            .map((slot) => live.find((node) => node.slots.some(([from, to]) => slot >= from && slot <= to)))
            .filter((node) => node !== undefined);
          if (promoted.length === killed.size) return { promoted, msSinceKill: Date.now() - (lastKill ?? Date.now()) };
        }
        if (Date.now() > giveUpAt) {
          throw new Error(
            `no failover within ${timeoutMs} ms:\n${(await Promise.all(alivePorts().map(logOf))).map((log) => log.slice(-600)).join('\n---\n')}`,
          );
        }
        await sleep(100);
      }
    },
    async keys(pattern) {
      const found: Array<{ port: number; key: string }> = [];
      for (const master of await masters()) {
        let cursor = '0';
        do {
          const [next = '0', ...keys] = (await cli(master.port, 'scan', cursor, 'match', pattern, 'count', '1000')).split('\n').filter(Boolean);
          cursor = next;
          for (const key of keys) found.push({ port: master.port, key });
        } while (cursor !== '0');
      }
      return found;
    },
    close,
  };
}
