// pnpm build: the client's game file (packages/client/dist/minigate.js and
// its d.ts) and the production server bundle (apps/server/dist/main.js).
//   node scripts/build.mjs [all|client|server|typecheck]
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** One self-contained CommonJS file for the mini-game runtime, and a self-contained d.ts beside it. */
async function buildClient() {
  rmSync(at('packages/client/dist'), { recursive: true, force: true });
  await build({
    entryPoints: [at('packages/client/src/index.ts')],
    outfile: at('packages/client/dist/minigate.js'),
    bundle: true,
    format: 'cjs',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    // The iOS runtime's JavaScriptCore and older Android V8s: ES2017 is safe.
    target: 'es2017',
    // No AbortController in the mini-game runtime; this one is scoped to the bundle.
    inject: [at('packages/client/src/abort-controller.ts')],
    legalComments: 'none',
    logLevel: 'warning',
  });
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
    onwarn: (warning, warn) => (warning.code === 'CIRCULAR_DEPENDENCY' ? undefined : warn(warning)),
  });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  writeFileSync(at('packages/client/dist/minigate.d.ts'), DECLARATIONS_PREAMBLE + output[0].code);
  console.log('built packages/client/dist/minigate.js and minigate.d.ts');
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

const PROJECTS = ['apps/server', 'packages/api', 'packages/db', 'packages/wechat', 'packages/wechat-sim', 'packages/client', 'test'];

function typecheck() {
  const tsc = at('node_modules/typescript/bin/tsc');
  for (const project of PROJECTS) execFileSync(process.execPath, [tsc, '-p', at(project), '--noEmit'], { stdio: 'inherit' });
  console.log(`typechecked ${PROJECTS.length} projects`);
}

const task = process.argv[2] ?? 'all';
try {
  if (task === 'client' || task === 'all') await buildClient();
  if (task === 'server' || task === 'all') await buildServer();
  if (task === 'typecheck') typecheck();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
