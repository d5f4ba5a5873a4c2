import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Each rule of eslint.config.js that keeps the code honest or encodes an
// arrow of docs/architecture.md, shown failing on a snippet that breaks it (and
// passing on one that does not). The snippets are linted as if they were
// files inside the packages, so the real config's `files` globs apply.
//
// The probe files never touch the disk: type-aware rules need each file in a
// TypeScript project, so the probes' names are let into typescript-eslint's
// default project (with the workspace's compiler options). Nothing else of
// the config is overridden.
const ROOT = resolve(import.meta.dirname, '..');
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['packages/*/src/__lint_probe__*.ts', 'apps/*/src/__lint_probe__*.ts'],
          defaultProject: 'tsconfig.json',
        },
      },
    },
  },
});

async function lint(filePath: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? []).map(({ ruleId, message }) => ({ ruleId, message }));
}

async function ruleIds(filePath: string, code: string): Promise<(string | null)[]> {
  return (await lint(filePath, code)).map((message) => message.ruleId);
}

const RESTRICTED_IMPORT = '@typescript-eslint/no-restricted-imports';

// The first lint loads TypeScript's whole program: slow on a busy machine.
describe('pnpm lint', { timeout: 120_000 }, () => {
  it('passes a file that breaks no rule', async () => {
    const code = [
      "import type { Kysely } from 'kysely';",
      '',
      'async function ping(): Promise<number> {',
      '  return 1;',
      '}',
      'export type Db = Kysely<object>;',
      'export async function check(): Promise<number> {',
      '  return await ping();',
      '}',
      '',
    ].join('\n');
    expect(await lint('packages/db/src/__lint_probe__.ts', code)).toEqual([]);
  });

  it('fails a floating promise', async () => {
    const code = 'async function save(): Promise<void> {}\nexport function run(): void {\n  save();\n}\n';
    expect(await ruleIds('packages/db/src/__lint_probe__.ts', code)).toEqual(['@typescript-eslint/no-floating-promises']);
  });

  it('fails an unused variable', async () => {
    const code = 'export function run(): number {\n  const forgotten = 2;\n  return 1;\n}\n';
    expect(await ruleIds('packages/db/src/__lint_probe__.ts', code)).toEqual(['@typescript-eslint/no-unused-vars']);
  });

  it('fails a value import of something used only as a type', async () => {
    const code = "import { Kysely } from 'kysely';\nexport type Db = Kysely<object>;\n";
    expect(await ruleIds('packages/db/src/__lint_probe__.ts', code)).toEqual(['@typescript-eslint/consistent-type-imports']);
  });

  it('fails process.env outside a config file, and lets config.ts read it', async () => {
    const code = "export const port = process.env.PORT ?? '3000';\n";
    expect(await ruleIds('packages/api/src/__lint_probe__.ts', code)).toEqual(['no-restricted-properties']);
    expect(await ruleIds('apps/server/src/__lint_probe__.ts', 'const { env } = process;\nexport const port = env.PORT;\n')).toEqual([
      'no-restricted-properties',
    ]);
    expect(await ruleIds('packages/db/src/config.ts', code)).toEqual([]);
  });

  it('fails a runtime import of @minigate/api in packages/client, and passes a type-only one', async () => {
    const runtime = "import { appRouter } from '@minigate/api';\nexport const router = appRouter;\n";
    expect(await ruleIds('packages/client/src/__lint_probe__.ts', runtime)).toEqual([RESTRICTED_IMPORT]);
    const typeOnly = "import type { AppRouter } from '@minigate/api';\nexport type Router = AppRouter;\n";
    expect(await lint('packages/client/src/__lint_probe__.ts', typeOnly)).toEqual([]);
  });

  it('fails a runtime import of @minigate/api in apps/console, and passes a type-only one', async () => {
    const runtime = "import { consoleRouter } from '@minigate/api';\nexport const router = consoleRouter;\n";
    expect(await ruleIds('apps/console/src/__lint_probe__.ts', runtime)).toEqual([RESTRICTED_IMPORT]);
    const typeOnly = "import type { ConsoleRouter } from '@minigate/api';\nexport type Router = ConsoleRouter;\n";
    expect(await lint('apps/console/src/__lint_probe__.ts', typeOnly)).toEqual([]);
  });

  it('fails packages/db importing @minigate/api, even for types', async () => {
    const code = "import type { AppRouter } from '@minigate/api';\nexport type Router = AppRouter;\n";
    const messages = await lint('packages/db/src/__lint_probe__.ts', code);
    expect(messages.map((message) => message.ruleId)).toEqual([RESTRICTED_IMPORT]);
    expect(messages[0]?.message).toContain('packages/db');
  });

  it('fails packages/wechat importing @minigate/server', async () => {
    const code = "import { loadConfig } from '@minigate/server';\nexport const load = loadConfig;\n";
    const messages = await lint('packages/wechat/src/__lint_probe__.ts', code);
    expect(messages.map((message) => message.ruleId)).toEqual([RESTRICTED_IMPORT]);
    expect(messages[0]?.message).toContain('packages/wechat');
  });

  it('fails packages/platforms importing @minigate/db or @minigate/api, and passes its import of @minigate/wechat', async () => {
    for (const [module, name] of [
      ['@minigate/db', 'createDatabase'],
      ['@minigate/api', 'createApi'],
    ]) {
      const messages = await lint('packages/platforms/src/__lint_probe__.ts', `import { ${name} } from '${module}';\nexport const used = ${name};\n`);
      expect(
        messages.map((message) => message.ruleId),
        module,
      ).toEqual([RESTRICTED_IMPORT]);
      expect(messages[0]?.message).toContain('packages/platforms');
    }
    const wechat = "import { scrub } from '@minigate/wechat';\nexport const hide = scrub;\n";
    expect(await lint('packages/platforms/src/__lint_probe__.ts', wechat)).toEqual([]);
  });

  it('fails production code importing @minigate/wechat-sim; tests and apps/server/src/dev.ts may', async () => {
    const code = "import { startWeChatSimulator } from '@minigate/wechat-sim';\nexport const start = startWeChatSimulator;\n";
    for (const production of [
      'apps/server/src/__lint_probe__.ts',
      'packages/api/src/__lint_probe__.ts',
      'packages/db/src/__lint_probe__.ts',
      'packages/platforms/src/__lint_probe__.ts',
    ]) {
      const messages = await lint(production, code);
      expect(
        messages.map((message) => message.ruleId),
        production,
      ).toEqual([RESTRICTED_IMPORT]);
      expect(messages[0]?.message).toContain('simulator');
    }
    expect(await lint('apps/server/src/__lint_probe__.test.ts', code)).toEqual([]);
    expect(await lint('apps/server/src/dev.ts', code)).toEqual([]);
  });
});
