import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// A game project holding only minigate.js and minigate.d.ts: no node_modules,
// no @trpc packages. The d.ts alone must type the API.
const DIST = resolve(import.meta.dirname, '../packages/client/dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = mkdtempSync(join(tmpdir(), 'minigate-game-'));
copyFileSync(join(DIST, 'minigate.js'), join(project, 'minigate.js'));
copyFileSync(join(DIST, 'minigate.d.ts'), join(project, 'minigate.d.ts'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

function typecheck(game: string, lib = ['es2017']): string {
  writeFileSync(join(project, 'game.ts'), game);
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'es2017', lib, types: [], module: 'commonjs' }, files: ['game.ts'] }),
  );
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

const PREAMBLE = `import { createClient, type MinigameWx } from './minigate';
declare const wx: MinigameWx;
const { api, login } = createClient({ url: 'https://api.example.com/trpc', wx });
`;

describe('the self-contained minigate.d.ts', () => {
  it.each([[['es2017']], [['es2020', 'dom']]])('types login and account.me for a game with nothing else installed (lib %j)', (lib) => {
    const errors = typecheck(
      `${PREAMBLE}
async function main(): Promise<void> {
  const answer = await login();
  const expiresIn: number = answer.expiresIn;
  const me = await api.account.me.query();
  const nickName: string = me.nickName;
  const level: number = me.profile.level;
  await api.auth.wechatLogin.mutate({ code: 'abc' });
  void [expiresIn, nickName, level];
}
void main;`,
      lib,
    );
    expect(errors).toBe('');
  });

  it('breaks the game build on a renamed field or a wrong input', () => {
    const errors = typecheck(`${PREAMBLE}
async function main(): Promise<void> {
  const me = await api.account.me.query();
  const name: string = me.nickname;
  await api.auth.wechatLogin.mutate({ jsCode: 'abc' });
  void name;
}
void main;`);
    expect(errors).toMatch(/Property 'nickname' does not exist/);
    expect(errors).toMatch(/jsCode/);
  });
});
