import { readFile } from 'node:fs/promises';
import { BUILT_SERVER, freePort, run, waitFor, type Run } from './processes.js';
import { testEnvironment } from './stack.js';

// Built server processes (what `pnpm start` runs) side by side on one database: the tests of
// several instances, revocation across processes and the reliability suite start them here.

/** A production server process (the built bundle, what `pnpm start` runs). */
export interface Instance {
  name: string;
  /** http://127.0.0.1:<port> */
  url: string;
  process: Run;
}

/** Starts `count` built servers on one database, all with the test app's credentials and `env` on top; resolves once each answers /healthz. */
export async function startInstances(
  count: number,
  options: { databaseUrl: string; wechatApiBase: string; env?: Record<string, string>; names?: string[]; logLevel?: string },
): Promise<Instance[]> {
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const process = run([BUILT_SERVER], {
      NODE_ENV: 'production',
      PORT: String(port),
      LOG_LEVEL: options.logLevel ?? 'info',
      ...testEnvironment(options.databaseUrl, options.wechatApiBase),
      ...options.env,
    });
    instances.push({ name: options.names?.[i] ?? `instance ${i + 1}`, url: `http://127.0.0.1:${port}`, process });
  }
  await Promise.all(instances.map((instance) => waitFor(`${instance.url}/healthz`, instance.process)));
  return instances;
}

export async function stopInstances(instances: readonly Instance[]): Promise<void> {
  for (const instance of instances) instance.process.stop();
  await Promise.all(instances.map((instance) => instance.process.exited));
}

/** The process's resident set size in bytes (VmRSS of /proc/<pid>/status). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}
