// pnpm lint: type-aware ESLint (typescript-eslint, projectService) over the
// whole workspace. Formatting is Prettier's job, types are tsc's
// (pnpm typecheck); this file holds the rules that keep the code honest and
// the import directions of docs/architecture.md ("Which way the imports point").
// test/lint-rules.test.ts shows that each rule below fails on a file that
// breaks it: keep the two in step.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TESTS = ['**/*.test.ts', 'test/**'];

/** Import restrictions for one layer: `forbidden` may not be imported at all, `typesOnly` only with `import type`. */
function imports({ forbidden = [], typesOnly = [] }) {
  const pattern = (name) => [name, `${name}/*`];
  return [
    'error',
    {
      patterns: [
        ...forbidden.map(([name, why]) => ({ group: pattern(name), message: why })),
        ...typesOnly.map(([name, why]) => ({ group: pattern(name), message: why, allowTypeImports: true })),
      ],
    },
  ];
}

const SIM = ['@minigate/wechat-sim', 'Production code never imports the WeChat simulator: only tests and apps/server/src/dev.ts do.'];

/**
 * One layer's import rule, twice: for its production files (where the
 * simulator is forbidden as well) and for its tests (where it is allowed).
 * A later block's options replace an earlier one's, so every file matches
 * exactly one of these.
 */
function layer(files, { forbidden = [], typesOnly = [] }, productionIgnores = []) {
  return [
    {
      files,
      ignores: [...TESTS, ...productionIgnores],
      rules: { '@typescript-eslint/no-restricted-imports': imports({ forbidden: [...forbidden, SIM], typesOnly }) },
    },
    {
      files: files.map((glob) => glob.replace(/\*\*$/, '**/*.test.ts')),
      rules: { '@typescript-eslint/no-restricted-imports': imports({ forbidden, typesOnly }) },
    },
  ];
}

const NOT_API = (who) => ['@minigate/api', `${who} knows nothing about tRPC or the product logic: it must not import @minigate/api.`];
const NOT_SERVER = (who) => ['@minigate/server', `${who} must not import @minigate/server: the server imports it, not the other way round.`];

export default defineConfig(
  { ignores: ['**/dist/', '**/.dts/', '**/node_modules/', 'test/fixtures/', 'coverage/', '.minigate/'] },

  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        // Each file is checked against the nearest tsconfig.json (its package's;
        // the root one for vitest.config.ts).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // A promise nobody awaits loses its error; mark deliberate ones with `void`.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // No unused code. `_`-prefixed arguments are the one way to say "unused on purpose".
      '@typescript-eslint/no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-unreachable': 'error',
      // Types come in with `import type` (or `type` inline): erased at build, never a runtime import.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // The environment is read in config files only (see the block below).
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read the environment in a config.ts only, and pass the values on.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'process', importNames: ['env'], message: 'Read the environment in a config.ts only.' },
            { name: 'node:process', importNames: ['env'], message: 'Read the environment in a config.ts only.' },
          ],
        },
      ],
    },
  },

  // A test's server handler may be async: vitest fails the run on an unhandled rejection.
  {
    files: TESTS,
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }] },
  },

  // Plain JavaScript (this file, scripts/*.mjs) is in no tsconfig: lint it without type information.
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },

  // Where process.env may be read:
  // - config files (config.ts): the one place each package turns the environment into checked values;
  // - tests (*.test.ts, test/**): they start real processes (pnpm db:*, the built
  //   server) and must hand them an environment (PATH, HOME, DATABASE_URL).
  // scripts/*.mjs and everything else stay under the rule: build scripts read
  // their arguments, not the environment.
  {
    files: ['**/config.ts', ...TESTS],
    rules: { 'no-restricted-properties': 'off', 'no-restricted-imports': 'off' },
  },

  // Import directions (docs/architecture.md): server → api → db, wechat and platforms (platforms → wechat);
  // client and console → api (types only); nothing in production → wechat-sim.
  ...layer(['packages/client/src/**'], {
    forbidden: [
      NOT_SERVER('packages/client'),
      ['@minigate/db', 'packages/client runs in the mini-game: it imports only types from @minigate/api.'],
      ['@minigate/wechat', 'packages/client runs in the mini-game: it imports only types from @minigate/api.'],
    ],
    typesOnly: [['@minigate/api', 'packages/client imports only types from @minigate/api (`import type`), never its runtime code.']],
  }),
  ...layer(['packages/db/src/**'], {
    forbidden: [
      NOT_API('packages/db'),
      NOT_SERVER('packages/db'),
      ['@minigate/wechat', 'packages/db knows nothing about WeChat: it must not import @minigate/wechat.'],
    ],
  }),
  ...layer(['packages/wechat/src/**'], {
    forbidden: [
      NOT_API('packages/wechat'),
      NOT_SERVER('packages/wechat'),
      ['@minigate/db', 'packages/wechat knows nothing about MySQL: it must not import @minigate/db.'],
    ],
  }),
  // platforms calls Douyin's and QQ's server API over @minigate/wechat's transport, redaction and access-token manager.
  ...layer(['packages/platforms/src/**'], {
    forbidden: [
      NOT_API('packages/platforms'),
      NOT_SERVER('packages/platforms'),
      ['@minigate/db', 'packages/platforms knows nothing about MySQL: it must not import @minigate/db.'],
    ],
  }),
  ...layer(['packages/api/src/**'], { forbidden: [NOT_SERVER('packages/api')] }),
  // The operator console is a web page: it talks to the server over HTTP and imports only the router's types.
  ...layer(['apps/console/src/**'], {
    forbidden: [
      NOT_SERVER('apps/console'),
      ['@minigate/db', 'apps/console runs in the browser: it imports only types from @minigate/api.'],
      ['@minigate/wechat', 'apps/console runs in the browser: it imports only types from @minigate/api.'],
      ['@minigate/platforms', 'apps/console runs in the browser: it imports only types from @minigate/api.'],
    ],
    typesOnly: [['@minigate/api', 'apps/console imports only types from @minigate/api (`import type`), never its runtime code.']],
  }),
  // dev.ts is development mode only (never in the production bundle): it starts the simulator.
  ...layer(['apps/server/src/**'], {}, ['apps/server/src/dev.ts']),
);
