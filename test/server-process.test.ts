import { spawn } from 'node:child_process';
import { knownMigrations } from '@minigate/db';
import { describe, expect, it } from 'vitest';
import { BUILT_SERVER, DEV_ENTRY, freePort, run, TSX, waitFor } from './support/processes.js';
import { useDatabaseAndSimulator } from './support/database-and-simulator.js';
import { TEST_APPID, TEST_JWT_SECRET, TEST_WECHAT_SECRET, testEnvironment } from './support/stack.js';

const shared = useDatabaseAndSimulator();

describe('pnpm start (the built server, production mode)', () => {
  it('serves a login and a protected call, then closes gracefully on SIGTERM', async () => {
    const port = await freePort();
    const server = run([BUILT_SERVER], { NODE_ENV: 'production', PORT: String(port), ...testEnvironment(shared.database.url, shared.simulator.url) });
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`, server);
      const login = await fetch(`http://127.0.0.1:${port}/trpc/auth.wechatLogin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: shared.simulator.issueCode(TEST_APPID, 'prod-player') }),
      }).then((response) => response.json() as Promise<any>);
      const me = await fetch(`http://127.0.0.1:${port}/trpc/account.me`, {
        headers: { authorization: `Bearer ${login.result.data.accessToken}` },
      }).then((response) => response.json() as Promise<any>);
      expect(me.result.data.id).toBe(login.result.data.account.id);
    } finally {
      server.stop();
    }
    expect(await server.exited).toBe(0);
    for (const secret of [TEST_WECHAT_SECRET, TEST_JWT_SECRET]) expect(server.output()).not.toContain(secret);
  });

  it('refuses to start without its credentials, naming each, without a stack trace', async () => {
    const server = run([BUILT_SERVER], { NODE_ENV: 'production', JWT_SECRET: 'too-short' });
    expect(await server.exited).toBe(1);
    const output = server.output();
    for (const name of ['DATABASE_URL', 'WECHAT_APPID', 'WECHAT_SECRET', 'JWT_SECRET', 'ENCRYPTION_KEY']) expect(output).toContain(name);
    expect(output).toMatch(/JWT_SECRET: must be at least 32 bytes/);
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe('pnpm dev', () => {
  it('says in one sentence that no database answers, and how to get one', async () => {
    const port = await freePort();
    const dev = run([TSX, DEV_ENTRY], {
      DATABASE_URL: `mysql://root@127.0.0.1:${port}/minigate_dev`,
      PORT: String(await freePort()),
      WECHAT_SIM_PORT: String(await freePort()),
    });
    expect(await dev.exited).toBe(1);
    const output = dev.output().trim();
    expect(output).toMatch(/^No MySQL or MariaDB answers at 127\.0\.0\.1:\d+ \(ECONNREFUSED\): start one .+ or point DATABASE_URL at one\.$/);
    expect(output).toContain('docker compose -f docker/compose.dev.yaml up -d');
    expect(output.split('\n')).toHaveLength(1);
  });

  it('creates and migrates its database, starts the simulator, and prints a curl example that works', async () => {
    const devDatabase = `${shared.database.url}_dev`;
    const port = await freePort();
    const simulatorPort = await freePort();
    const dev = run([TSX, DEV_ENTRY], { DATABASE_URL: devDatabase, PORT: String(port), WECHAT_SIM_PORT: String(simulatorPort), LOG_LEVEL: 'warn' });
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`, dev);
      const output = dev.output();
      expect(output).toContain(`_dev: created; applied ${knownMigrations().join(', ')}`);
      expect(output).toContain(`http://127.0.0.1:${port}/trpc`);
      const example = output.split('\n').filter((line) => /^(CODE|TOKEN)=|^curl /.test(line));
      expect(example).toHaveLength(3);
      const shell = spawn('bash', ['-c', `${example.join('\n')}`]);
      let answer = '';
      shell.stdout.on('data', (chunk) => (answer += chunk));
      await new Promise((done) => shell.on('exit', done));
      expect(JSON.parse(answer).result.data).toMatchObject({ nickName: '', profile: { level: 1 } });
    } finally {
      dev.stop();
      await dev.exited;
      const { dropDatabaseIfExists } = await import('@minigate/db');
      await dropDatabaseIfExists(devDatabase);
    }
  });
});
