import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createMinigameSandbox } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntaxBeyondEs2017 } from './support/es2017-syntax.js';

// @minigate/client as games get it: the game file's budget and syntax, and
// the npm tarball installed into a game project outside this workspace
// (Node's import and require, TypeScript's resolutions, a Vite build).
const CLIENT = resolve(import.meta.dirname, '../packages/client');
const DIST = join(CLIENT, 'dist');
const VERSION = (JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8')) as { version: string }).version;
const GAME_FILE_BUDGET_GZIP = 10 * 1024;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// npm run from `pnpm exec` inherits pnpm's npm_config_* settings, which npm does not know.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_config_')));
const read = (name: string) => readFileSync(join(DIST, name), 'utf8');

describe('the game file dist/minigate.js and the bundler builds', () => {
  it(`stays within ${GAME_FILE_BUDGET_GZIP / 1024} KB gzip, minified`, () => {
    const gameFile = readFileSync(join(DIST, 'minigate.js'));
    const gzip = gzipSync(gameFile, { level: 9 }).length;
    expect(gzip, `dist/minigate.js is ${gzip} bytes gzip`).toBeLessThanOrEqual(GAME_FILE_BUDGET_GZIP);
    // Minified: a few long lines, no comments left.
    expect(gameFile.toString('utf8').split('\n').length).toBeLessThan(10);
    expect(gameFile.toString('utf8')).not.toMatch(/\/\*\*|^\s*\/\/ /m);
  });

  it.each(['minigate.js', 'index.cjs', 'index.mjs'])('%s is ES2017, self-contained, without Node built-ins, eval or dynamic import', (name) => {
    const code = read(name);
    expect(syntaxBeyondEs2017(code, name)).toEqual([]);
    expect(code).not.toMatch(/\brequire\s*\(/);
    expect(code).not.toMatch(/\bimport\s*[{*"'(]|\bimport\s+\w+\s+from/);
    expect(code).not.toMatch(/["']node:|\bprocess\.|\bBuffer\b/);
    expect(code).toContain(JSON.stringify(VERSION));
  });

  it('sees what the syntax check is for', () => {
    expect(syntaxBeyondEs2017('a?.b; x ?? y; ({ ...z }); class A { f = 1 } import("m"); eval("1"); try {} catch {}')).toHaveLength(7);
    expect(syntaxBeyondEs2017('async function f() { const { a, b } = await g(); return [...a, b] } class B extends Error {}')).toEqual([]);
  });

  it('leaves out the parts of @trpc/client a mini-game does not use', () => {
    const code = read('minigate.js');
    for (const absent of ['WebSocket', 'EventSource', 'subscription.stop', 'connectionParams', 'httpBatchStreamLink'])
      expect(code, absent).not.toContain(absent);
  });

  it('ships one self-contained d.ts, which the import and require entries point at', () => {
    expect(read('index.d.mts')).toBe("export * from './minigate.js';\n");
    expect(read('index.d.cts')).toBe("export * from './minigate.js';\n");
    const declarations = read('minigate.d.ts');
    expect(declarations).not.toMatch(/from ['"]/);
    expect(declarations).toMatch(/declare function createClient/);
  });
});

describe('the npm tarball in a game project outside the workspace', { timeout: 90_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'minigate-pack-'));
  const project = join(work, 'game');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(() => {
    execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: CLIENT, encoding: 'utf8', env: npmEnv });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBe(`minigate-client-${VERSION}.tgz`);
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'outside-game', version: '1.0.0', private: true, type: 'module' }));
    // No registry: the package has no dependencies, so nothing else is fetched.
    execFileSync('npm', ['install', join(work, tarball!), '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], {
      cwd: project,
      encoding: 'utf8',
      env: npmEnv,
    });
  }, 120_000);

  it('holds the builds, their types and the changelog, and nothing else', () => {
    const installed = join(project, 'node_modules/@minigate/client');
    expect(readdirSync(installed).sort()).toEqual(['CHANGELOG.md', 'dist', 'package.json']);
    expect(readdirSync(join(installed, 'dist')).sort()).toEqual([
      'index.cjs',
      'index.d.cts',
      'index.d.mts',
      'index.mjs',
      'minigate.d.ts',
      'minigate.js',
    ]);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toBeUndefined();
  });

  it('loads through Node with import and with require', () => {
    const esm = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createClient, CLIENT_VERSION, TRPCClientError, MinigateNetworkError } from '@minigate/client';
         console.log([typeof createClient, CLIENT_VERSION, typeof TRPCClientError, typeof MinigateNetworkError].join(' '));`,
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(esm.trim()).toBe(`function ${VERSION} function function`);
    const cjs = execFileSync(
      process.execPath,
      [
        '-e',
        `const m = require('@minigate/client'); const g = require('@minigate/client/minigate.js');
         console.log([typeof m.createClient, m.CLIENT_VERSION, typeof g.createClient].join(' '));`,
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(cjs.trim()).toBe(`function ${VERSION} function`);
  });

  it.each([
    ['nodenext', 'nodenext', ['esm.ts', 'cjs.cts']],
    ['bundler', 'esnext', ['esm.ts']],
    ['node10', 'commonjs', ['esm.ts']],
  ])('types resolve with moduleResolution %s, and a wrong input fails to compile', (moduleResolution, module, files) => {
    writeFileSync(
      join(project, 'esm.ts'),
      `import { createClient, networkErrorOf, TRPCClientError, type MinigameWx, type NetworkErrorKind } from '@minigate/client';
declare const wx: MinigameWx;
const { api } = createClient({ url: 'https://api.example.com/trpc', wx, autoLogin: false });
export async function level(): Promise<number | NetworkErrorKind> {
  try {
    return (await api.account.me.query()).profile.level;
  } catch (error) {
    if (error instanceof TRPCClientError) return networkErrorOf(error)?.kind ?? 'BAD_RESPONSE';
    return 0;
  }
}
`,
    );
    writeFileSync(
      join(project, 'cjs.cts'),
      `import minigate = require('@minigate/client');
declare const wx: minigate.MinigameWx;
export const nickName = minigate.createClient({ url: 'https://api.example.com/trpc', wx }).api.account.me.query().then((me) => me.nickName);
`,
    );
    writeFileSync(
      join(project, 'wrong.ts'),
      `import { createClient, type MinigameWx } from '@minigate/client';
declare const wx: MinigameWx;
void createClient({ url: 'https://api.example.com/trpc', wx }).api.auth.wechatLogin.mutate({ jsCode: 'abc' });
`,
    );
    const check = (names: string[]) => {
      const compilerOptions = { strict: true, noEmit: true, target: 'es2017', lib: ['es2017'], types: [], module, moduleResolution };
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: names }));
      try {
        execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
        return '';
      } catch (error) {
        return String((error as { stdout?: string }).stdout);
      }
    };
    expect(check(files)).toBe('');
    expect(check(['wrong.ts'])).toMatch(/jsCode/);
  });

  it('bundles with Vite 7 (the import condition), and the bundle runs in the mini-game sandbox', async () => {
    const { build } = await import('vite');
    writeFileSync(
      join(project, 'main.js'),
      `import { createClient, CLIENT_VERSION } from '@minigate/client';
export const client = createClient({ url: 'https://api.example.com/trpc', wx });
export const version = CLIENT_VERSION;
`,
    );
    await build({
      root: project,
      logLevel: 'silent',
      configFile: false,
      build: {
        outDir: join(project, 'out'),
        target: 'es2017',
        minify: false,
        lib: { entry: join(project, 'main.js'), formats: ['cjs'], fileName: () => 'game.js' },
      },
    });
    const bundle = readFileSync(join(project, 'out/game.js'), 'utf8');
    expect(bundle).not.toMatch(/\brequire\s*\(/);
    expect(syntaxBeyondEs2017(bundle)).toEqual([]);
    const sandbox = createMinigameSandbox({
      simulatorUrl: 'http://127.0.0.1:1',
      appid: 'wx-unused',
      player: 'vite',
      files: { 'game.js': join(project, 'out/game.js') },
    });
    const game = sandbox.require('game.js') as { version: string; client: { isLoggedIn(): boolean } };
    expect(game.version).toBe(VERSION);
    expect(game.client.isLoggedIn()).toBe(false);
  }, 60_000);
});
