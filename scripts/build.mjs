// pnpm build: the client (packages/client/dist: the game file minigate.js,
// the ESM/CJS builds, their d.ts), the sample game (apps/minigame/dist), the
// production server bundle (apps/server/dist/main.js) and the operator
// console's page (apps/console/dist).
//   node scripts/build.mjs [all|client|minigame [--server-url <url>] [--out <dir> [--preview]]|server|console|typecheck|fixture [version]]
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = (path) => resolve(root, path);

// tRPC's types name AbortSignal and async iterables. A game project may have
// neither the DOM lib nor ES2018's, so the d.ts brings what it names: the
// async-iterable libs, and an AbortSignal local to the module (it shadows
// the DOM's where there is one, and leaves the game's globals alone).
const DECLARATIONS_PREAMBLE = `/// <reference lib="es2018.asynciterable" />
/// <reference lib="es2018.asyncgenerator" />
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
`;

/** The game file may grow to this many bytes gzip (test/client-package.test.ts holds it to that). */
const GAME_FILE_BUDGET_GZIP = 10 * 1024;

/**
 * Marks @trpc's modules free of side effects, as their code is: what the
 * client does not use (WebSocket and streaming links, the untyped client,
 * subscriptions) is left out of the bundle.
 */
const trpcWithoutSideEffects = {
  name: 'trpc-without-side-effects',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolved' || !(args.path.startsWith('@trpc/') || args.importer.includes('/@trpc/'))) return undefined;
      const resolved = await builder.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolved',
      });
      return resolved.errors.length ? undefined : { ...resolved, sideEffects: false };
    });
  },
};

const kilobytes = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * @minigate/client, minified, ES2017, with no Node built-ins, no eval and no
 * dynamic import: dist/minigate.js (the game file: one self-contained
 * CommonJS file) and dist/index.mjs + dist/index.cjs (the package's import
 * and require entries, for bundlers), each with the same self-contained d.ts.
 */
const clientVersion = () => JSON.parse(readFileSync(at('packages/client/package.json'), 'utf8')).version;

/** esbuild's options for the client's builds; `version` is what it sends as x-minigate-client. */
const clientBuildOptions = (version) => ({
  entryPoints: [at('packages/client/src/index.ts')],
  bundle: true,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  // The iOS runtime's JavaScriptCore and older Android V8s: ES2017 is safe.
  target: 'es2017',
  // No AbortController in the mini-game runtime; this one is scoped to the bundle.
  inject: [at('packages/client/src/abort-controller.ts')],
  define: { __MINIGATE_CLIENT_VERSION__: JSON.stringify(version) },
  plugins: [trpcWithoutSideEffects],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

async function buildClient() {
  const dist = at('packages/client/dist');
  rmSync(dist, { recursive: true, force: true });
  const version = clientVersion();
  const options = clientBuildOptions(version);
  await build({ ...options, format: 'cjs', outfile: resolve(dist, 'minigate.js') });
  await build({ ...options, format: 'cjs', outfile: resolve(dist, 'index.cjs') });
  await build({ ...options, format: 'esm', outfile: resolve(dist, 'index.mjs') });

  // The API's declarations, emitted in its own package where @trpc/server is
  // nameable, then bundled with the client's into one self-contained d.ts.
  const apiDeclarations = at('packages/api/.dts');
  rmSync(apiDeclarations, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      at('node_modules/typescript/bin/tsc'),
      '-p',
      at('packages/api'),
      '--noEmit',
      'false',
      '--declaration',
      '--emitDeclarationOnly',
      '--outDir',
      apiDeclarations,
    ],
    { stdio: 'inherit' },
  );
  const { rollup } = await import('rollup');
  const { dts } = await import('rollup-plugin-dts');
  const bundle = await rollup({
    input: at('packages/client/src/index.ts'),
    plugins: [dts({ respectExternal: true, tsconfig: at('packages/client/tsconfig.build.json') })],
    // The API's Redis stores name ioredis's types; the router's types never do, so the client's d.ts needs none of them.
    external: ['ioredis'],
    onwarn: (warning, warn) => (warning.code === 'CIRCULAR_DEPENDENCY' ? undefined : warn(warning)),
  });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  writeFileSync(resolve(dist, 'minigate.d.ts'), DECLARATIONS_PREAMBLE + output[0].code);
  // The import and require entries have the same API: their d.ts point at the one above.
  for (const name of ['index.d.mts', 'index.d.cts']) writeFileSync(resolve(dist, name), "export * from './minigate.js';\n");

  const gameFile = readFileSync(resolve(dist, 'minigate.js'));
  const gzip = gzipSync(gameFile, { level: 9 }).length;
  console.log(
    `built @minigate/client ${version}: dist/minigate.js ${kilobytes(gameFile.length)} minified, ${kilobytes(gzip)} gzip ` +
      `(budget ${kilobytes(GAME_FILE_BUDGET_GZIP)}${gzip > GAME_FILE_BUDGET_GZIP ? ': OVER BUDGET' : ''}); dist/index.mjs, dist/index.cjs, d.ts`,
  );
}

/**
 * `node scripts/build.mjs fixture [version]`: the game file of a release,
 * kept as test/fixtures/minigate-<version>.js (test/client-fixtures.test.ts
 * runs every one against the current server). Run it once per release,
 * after `pnpm changeset version`; the version defaults to package.json's.
 */
async function buildFixture(version = clientVersion()) {
  const outfile = at(`test/fixtures/minigate-${version}.js`);
  await build({ ...clientBuildOptions(version), format: 'cjs', outfile });
  console.log(`built test/fixtures/minigate-${version}.js`);
}

/**
 * The sample game (apps/minigame): dist/game.js for WeChat DevTools (the
 * client bundled from its ESM build, as a game's bundler takes it; ES2017)
 * with dist/game.json beside it; and in apps/minigame/dev/dist the game's
 * logic as a CommonJS module (for the mini-game sandbox) and the browser
 * preview's wx. The server URL comes from `--server-url <url>` or
 * MINIGAME_SERVER_URL (apps/minigame/dev/config.ts). `--out <dir>` writes
 * game.js and game.json there instead, and nothing else; with `--preview`,
 * the preview's wx.js too (what `pnpm dev` serves, from .minigate/preview).
 */
async function buildMinigame({ serverUrl: serverUrlArgument, out, preview = false } = {}) {
  if (!existsSync(at('packages/client/dist/index.mjs'))) await buildClient();
  const { tsImport } = await import('tsx/esm/api');
  const { loadMinigameConfig } = await tsImport(at('apps/minigame/dev/config.ts'), import.meta.url);
  const serverUrl = serverUrlArgument ?? loadMinigameConfig().serverUrl;
  const dist = out ? resolve(out) : at('apps/minigame/dist');
  const common = {
    bundle: true,
    target: 'es2017',
    // Not the tsconfig's paths (they point the typechecker at the client's sources): the package itself.
    tsconfigRaw: {},
    legalComments: 'none',
    logLevel: 'warning',
  };
  const gameOptions = { ...common, platform: 'neutral', mainFields: ['module', 'main'] };
  rmSync(dist, { recursive: true, force: true });
  await build({
    ...gameOptions,
    entryPoints: [at('apps/minigame/src/main.ts')],
    outfile: resolve(dist, 'game.js'),
    // WeChat runs game.js as a script: one function scope, no globals left behind.
    format: 'iife',
    define: { __MINIGAME_SERVER_URL__: JSON.stringify(serverUrl) },
  });
  copyFileSync(at('apps/minigame/game.json'), resolve(dist, 'game.json'));
  const browserWx = (outfile) =>
    build({ ...common, entryPoints: [at('apps/minigame/dev/browser-wx.ts')], outfile, format: 'iife', platform: 'browser' });
  if (out) {
    if (preview) await browserWx(resolve(dist, 'wx.js'));
    console.log(
      `built ${dist}: game.js (${kilobytes(statSync(resolve(dist, 'game.js')).size)}) for ${serverUrl}${preview ? ", the preview's wx.js" : ''}`,
    );
    return;
  }
  console.log(`built apps/minigame/dist/game.js (${kilobytes(statSync(resolve(dist, 'game.js')).size)}) for ${serverUrl}`);

  const devDist = at('apps/minigame/dev/dist');
  rmSync(devDist, { recursive: true, force: true });
  await build({ ...gameOptions, entryPoints: [at('apps/minigame/src/game.ts')], outfile: resolve(devDist, 'game-logic.js'), format: 'cjs' });
  await browserWx(resolve(devDist, 'wx.js'));
  console.log("built apps/minigame/dev/dist: the game's logic for the sandbox, the browser preview's wx");
}

/** The server as one ESM file; third-party packages stay in node_modules. */
async function buildServer() {
  rmSync(at('apps/server/dist'), { recursive: true, force: true });
  await build({
    entryPoints: [at('apps/server/src/main.ts')],
    outfile: at('apps/server/dist/main.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    plugins: [
      {
        name: 'workspace-only',
        setup(builder) {
          builder.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@minigate/') ? undefined : { path: args.path, external: true }));
        },
      },
    ],
    logLevel: 'warning',
  });
  console.log('built apps/server/dist/main.js');
}

/**
 * The operator console (apps/console): Vite bundles the page, Preact and
 * uPlot into dist/ (index.html + assets/*, for base /console/), which the
 * server serves when CONSOLE_ENABLED=true.
 */
async function buildConsole() {
  const { build: viteBuild } = await import('vite');
  const dist = at('apps/console/dist');
  await viteBuild({ configFile: at('apps/console/vite.config.ts'), logLevel: 'warn' });
  const assets = readdirSync(resolve(dist, 'assets')).filter((name) => /\.(js|css)$/.test(name));
  const sizes = assets.map((name) => readFileSync(resolve(dist, 'assets', name)));
  const minified = sizes.reduce((total, file) => total + file.length, 0);
  const gzip = sizes.reduce((total, file) => total + gzipSync(file, { level: 9 }).length, 0);
  console.log(`built apps/console/dist: ${assets.join(', ')}: ${kilobytes(minified)} minified, ${kilobytes(gzip)} gzip`);
}

const PROJECTS = [
  'apps/server',
  'apps/console',
  'apps/minigame',
  'apps/minigame/dev',
  'packages/api',
  'packages/db',
  'packages/wechat',
  'packages/platforms',
  'packages/wechat-sim',
  'packages/client',
  'test',
];

function typecheck() {
  const tsc = at('node_modules/typescript/bin/tsc');
  for (const project of PROJECTS) execFileSync(process.execPath, [tsc, '-p', at(project), '--noEmit'], { stdio: 'inherit' });
  console.log(`typechecked ${PROJECTS.length} projects`);
}

const task = process.argv[2] ?? 'all';
/** The value after `name` on the command line (`--server-url <url>`), if given. */
function argument(name) {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}
try {
  if (task === 'client' || task === 'all') await buildClient();
  if (task === 'minigame' || task === 'all') {
    await buildMinigame({ serverUrl: argument('--server-url'), out: argument('--out'), preview: process.argv.includes('--preview') });
  }
  if (task === 'server' || task === 'all') await buildServer();
  if (task === 'console' || task === 'all') await buildConsole();
  if (task === 'typecheck') typecheck();
  if (task === 'fixture') await buildFixture(process.argv[3]);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
