import { spawnSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMysqlPool } from '@minigate/db/mysql-pool';
import { startDaemon, type Daemon } from './daemons.js';
import { ClusterSoftwareMissingError, findFile, INSTALL_HINT, requireCommands } from './requirements.js';

// A real 3-node MariaDB Galera cluster on loopback ports of its own, from
// Debian's packages (mariadb-server, galera-4, rsync): each node a mariadbd
// with a datadir of its own under a temporary folder, run as the `mysql`
// user (the rsync state transfer's daemon cannot write a root-owned datadir).
// Node 1 bootstraps the cluster; nodes 2 and 3 join it by a state transfer
// (rsync). A node killed with SIGKILL and started again catches up by an
// incremental transfer (IST) from the others' gcache.

const PROVIDER_PATHS = ['/usr/lib/galera/libgalera_smm.so', '/usr/lib/galera-4/libgalera_smm.so', '/usr/lib64/galera-4/libgalera_smm.so'];
/** Ports of its own: SQL 13306-13308, group communication 14567/14577/14587 (+1: IST), state transfer 14441-14443. */
const SQL_PORT = 13305;
const GROUP_PORT = 14557;
const SST_PORT = 14440;
const CLUSTER_ADDRESS = [1, 2, 3].map((node) => `127.0.0.1:${GROUP_PORT + 10 * node}`).join(',');

export interface GaleraNode {
  index: number;
  port: number;
  /** mysql://root@127.0.0.1:<port> (no database). */
  serverUrl: string;
  /** SIGKILL, as a crashed machine: returns once the process is gone. */
  kill(): Promise<void>;
  /** Starts the node again on its datadir; returns once it is Synced with the others. */
  restart(): Promise<void>;
  /** wsrep_local_state_comment (Synced, Donor/Desynced, Joining, ...), or null when it does not answer. */
  state(): Promise<string | null>;
}

export interface GaleraCluster {
  nodes: [GaleraNode, GaleraNode, GaleraNode];
  close(): Promise<void>;
}

/** The programs and the provider the cluster needs; fails (never skips), saying what to install, where one is missing. */
function requireInstalled(): { mariadbd: string; installDb: string; provider: string } {
  const found = requireCommands('the Galera cluster', ['mariadbd', 'mariadb-install-db', 'rsync'] as const);
  const provider = findFile(PROVIDER_PATHS);
  if (!provider)
    throw new ClusterSoftwareMissingError(`the Galera cluster cannot start: libgalera_smm.so (galera-4) not found. Install it with: ${INSTALL_HINT}`);
  if (spawnSync('id', ['mysql']).status !== 0)
    throw new ClusterSoftwareMissingError(`the Galera cluster cannot start: no mysql user. Install: ${INSTALL_HINT}`);
  return { mariadbd: found.mariadbd, installDb: found['mariadb-install-db'], provider };
}

function ids(user: string): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid };
}

async function query(port: number, statement: string): Promise<Array<Record<string, unknown>>> {
  const pool = createMysqlPool(`mysql://root@127.0.0.1:${port}/mysql`, { connectionLimit: 1 }).promise();
  try {
    const [rows] = await pool.query(statement);
    return rows as Array<Record<string, unknown>>;
  } finally {
    await pool.end();
  }
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, log: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} within ${timeoutMs / 1000} s; the node's log ends:\n${await log()}`);
}

export async function startGaleraCluster(): Promise<GaleraCluster> {
  const software = requireInstalled();
  const base = await mkdtemp(join(tmpdir(), 'minigate-galera-'));
  const mysql = ids('mysql');
  await chown(base, mysql.uid, mysql.gid);
  const daemons = new Map<number, Daemon>();

  const datadir = (node: number) => join(base, `n${node}`);
  const errorLog = (node: number) => join(base, `n${node}.err`);
  const tail = async (node: number) =>
    (await readFile(errorLog(node), 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => /ERROR|Warning|WSREP_SST/.test(line))
      .slice(-15)
      .join('\n');

  async function install(node: number): Promise<void> {
    await mkdir(datadir(node));
    await chown(datadir(node), mysql.uid, mysql.gid);
    const installed = spawnSync(
      software.installDb,
      ['--no-defaults', `--datadir=${datadir(node)}`, '--user=mysql', '--auth-root-authentication-method=normal', '--skip-test-db'],
      { encoding: 'utf8' },
    );
    if (installed.status !== 0) throw new Error(`mariadb-install-db failed for node ${node}: ${installed.stderr}`);
  }

  function start(node: number, bootstrap: boolean): void {
    const groupPort = GROUP_PORT + 10 * node;
    const daemon = startDaemon(
      software.mariadbd,
      [
        '--no-defaults',
        '--user=mysql',
        `--datadir=${datadir(node)}`,
        `--socket=${join(base, `n${node}.sock`)}`,
        `--pid-file=${join(base, `n${node}.pid`)}`,
        `--log-error=${errorLog(node)}`,
        `--port=${SQL_PORT + node}`,
        '--bind-address=127.0.0.1',
        '--innodb-buffer-pool-size=64M',
        '--max-connections=300',
        // What Galera requires of every node.
        '--binlog-format=ROW',
        '--default-storage-engine=InnoDB',
        '--innodb-autoinc-lock-mode=2',
        // What minigate's deployment guide asks of a Galera cluster (docs/operations.md, "On MariaDB Galera and Redis Cluster").
        '--wsrep-sync-wait=1',
        '--wsrep-on=ON',
        `--wsrep-provider=${software.provider}`,
        '--wsrep-cluster-name=minigate_test',
        `--wsrep-cluster-address=gcomm://${CLUSTER_ADDRESS}`,
        `--wsrep-node-address=127.0.0.1:${groupPort}`,
        `--wsrep-node-name=n${node}`,
        `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${groupPort};ist.recv_addr=127.0.0.1:${groupPort + 1};gcache.size=64M`,
        '--wsrep-sst-method=rsync',
        `--wsrep-sst-receive-address=127.0.0.1:${SST_PORT + node}`,
        ...(bootstrap ? ['--wsrep-new-cluster'] : []),
      ],
      join(base, `n${node}.out`),
    );
    daemons.set(node, daemon);
  }

  const stateOf = async (node: number): Promise<string | null> => {
    try {
      const rows = await query(SQL_PORT + node, "SHOW STATUS LIKE 'wsrep_local_state_comment'");
      return String(rows[0]?.Value ?? '');
    } catch {
      return null;
    }
  };
  const synced = (node: number) =>
    until(
      `node ${node} was not Synced`,
      180_000,
      async () => ((await stateOf(node)) === 'Synced' ? true : undefined),
      () => tail(node),
    );

  async function kill(node: number): Promise<void> {
    const daemon = daemons.get(node);
    if (!daemon?.running()) return;
    // The whole group: a state transfer's script and rsync daemon die with the node.
    daemon.signal('SIGKILL');
    await daemon.exited;
  }

  try {
    for (const node of [1, 2, 3]) await install(node);
    start(1, true);
    await synced(1);
    // Only node 1 bootstraps; 2 and 3 take its state (rsync), one after the other.
    for (const node of [2, 3]) {
      start(node, false);
      await synced(node);
    }
    await until(
      'the cluster did not reach 3 nodes',
      60_000,
      async () => (Number((await query(SQL_PORT + 1, "SHOW STATUS LIKE 'wsrep_cluster_size'"))[0]?.Value) === 3 ? true : undefined),
      () => tail(1),
    );
  } catch (error) {
    for (const node of [1, 2, 3]) await kill(node);
    await rm(base, { recursive: true, force: true });
    throw error;
  }

  const nodeOf = (index: number): GaleraNode => ({
    index,
    port: SQL_PORT + index,
    serverUrl: `mysql://root@127.0.0.1:${SQL_PORT + index}`,
    kill: () => kill(index),
    async restart() {
      // After a SIGKILL the node reads its position from InnoDB and catches up by IST.
      start(index, false);
      await synced(index);
    },
    state: () => stateOf(index),
  });

  return {
    nodes: [nodeOf(1), nodeOf(2), nodeOf(3)],
    async close() {
      // A crash-stop is enough: nothing here outlives the suite.
      for (const node of [3, 2, 1]) await kill(node);
      await rm(base, { recursive: true, force: true });
    },
  };
}
