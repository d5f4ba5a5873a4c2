import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { DEV_DATABASE_URL, parseDatabaseUrl } from '@minigate/db';
import { ConfigError, loadConfig } from '@minigate/server';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHUTDOWN_TIMEOUT_MS } from '../apps/server/src/cluster.js';
import { BUILT_SERVER, ROOT } from './support/processes.js';

// No Docker engine runs here: these read docker/compose.yaml, docker/Dockerfile,
// docker/.env.example and .dockerignore and hold them to what the tests run.

const DOCKER = resolve(ROOT, 'docker');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | Array<string | { path: string }>;
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean }>;
  healthcheck?: { test?: string | string[] };
  profiles?: string[];
  stop_grace_period?: string;
  ports?: string[];
}

const compose = parse(read('docker/compose.yaml')) as { services: Record<string, Service> };
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`docker/compose.yaml has no service ${name}`);
  return found;
};
const commandOf = (name: string) => {
  const command = service(name).command;
  return Array.isArray(command) ? command.join(' ') : (command ?? '');
};
const environmentOf = (name: string): Record<string, string> => {
  const environment = service(name).environment ?? {};
  if (Array.isArray(environment)) return Object.fromEntries(environment.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)]));
};
const dependencies = (name: string): Record<string, { condition?: string; required?: boolean }> => {
  const dependsOn = service(name).depends_on ?? {};
  return Array.isArray(dependsOn) ? Object.fromEntries(dependsOn.map((each) => [each, {}])) : dependsOn;
};
const envFiles = (name: string) => {
  const envFile = service(name).env_file;
  return (envFile === undefined ? [] : Array.isArray(envFile) ? envFile : [envFile]).map((entry) => (typeof entry === 'string' ? entry : entry.path));
};
/** `${VAR}`, `${VAR:?message}`, `${VAR:-default}`: a value compose takes from docker/.env or the shell. */
const interpolated = /\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}/g;

/** Variables whose value is a secret: never written in compose.yaml. */
const SECRETS = [
  'WECHAT_SECRET',
  'JWT_SECRET',
  'JWT_SECRETS_PREVIOUS',
  'ENCRYPTION_KEY',
  'ENCRYPTION_KEYS_PREVIOUS',
  'MYSQL_PASSWORD',
  'MYSQL_ROOT_PASSWORD',
];

/** The built server, as the tests start it: apps/server/dist/main.js. */
const BUILT_SERVER_PATH = relative(ROOT, BUILT_SERVER);

interface Instruction {
  keyword: string;
  args: string;
}
/** The Dockerfile's instructions, continuation lines joined and comments dropped, one array per stage. */
function dockerfileStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}
const stages = dockerfileStages(read('docker/Dockerfile'));
const runtime = stages.at(-1) ?? [];
const buildStages = stages.slice(0, -1).flat();
const args = (instructions: Instruction[], keyword: string) => instructions.filter((each) => each.keyword === keyword).map((each) => each.args);

describe('docker/compose.yaml', () => {
  it('has MySQL, the one-shot migration, the server and Redis', () => {
    expect(Object.keys(services).sort()).toEqual(expect.arrayContaining(['migrate', 'mysql', 'redis', 'server']));
  });

  it('runs MySQL 8.4 in utf8mb4 / utf8mb4_unicode_ci, with a healthcheck', () => {
    expect(service('mysql').image).toBe('mysql:8.4');
    expect(commandOf('mysql')).toContain('--character-set-server=utf8mb4');
    expect(commandOf('mysql')).toContain('--collation-server=utf8mb4_unicode_ci');
    expect(service('mysql').healthcheck?.test).toBeTruthy();
  });

  it('migrates with the script pnpm db:migrate runs, bundled into the image', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const source = /(\S+\.ts) migrate$/.exec(scripts['db:migrate'] ?? '')?.[1];
    expect(source).toBe('packages/db/src/scripts/db.ts');
    expect(commandOf('migrate')).toBe('node apps/server/dist/db.js migrate');
    // The build stage bundles that same script to that file.
    expect(args(buildStages, 'RUN').some((run) => run.includes(source!) && run.includes('--outfile=apps/server/dist/db.js'))).toBe(true);
    expect(dependencies('migrate').mysql?.condition).toBe('service_healthy');
    expect(environmentOf('migrate').DATABASE_URL).toMatch(/^mysql:\/\/.+@mysql:3306\/\w+$/);
  });

  it('starts the server once the migration has succeeded and MySQL is healthy', () => {
    const dependsOn = dependencies('server');
    expect(dependsOn.migrate?.condition).toBe('service_completed_successfully');
    expect(dependsOn.mysql?.condition).toBe('service_healthy');
  });

  it('starts the same file the tests start, from the image docker/Dockerfile builds at the repository root', () => {
    expect(BUILT_SERVER_PATH).toBe('apps/server/dist/main.js');
    expect(commandOf('server')).toBe(`node ${BUILT_SERVER_PATH}`);
    expect((JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start).toContain(`node ${BUILT_SERVER_PATH}`);
    for (const name of ['server', 'migrate']) {
      const build = service(name).build;
      expect(build && resolve(DOCKER, build.context)).toBe(ROOT);
      expect(build && existsSync(resolve(ROOT, build.dockerfile))).toBe(true);
      expect(build?.dockerfile).toBe('docker/Dockerfile');
    }
    expect(service('migrate').image).toBe(service('server').image);
  });

  it('checks the server is alive: a healthcheck on /healthz in compose or the image', () => {
    const inCompose = JSON.stringify(service('server').healthcheck?.test ?? '');
    const inImage = args(runtime, 'HEALTHCHECK').join(' ');
    expect(`${inCompose} ${inImage}`).toContain('/healthz');
  });

  it("serves /metrics on METRICS_PORT, published on loopback unless told otherwise, apart from the players' port", () => {
    const environment = environmentOf('server');
    expect(environment.METRICS_PORT).toBe('9464');
    expect(environment.METRICS_PORT).not.toBe(environment.PORT);
    expect(service('server').ports).toContain('${MINIGATE_METRICS_PUBLISH:-127.0.0.1:9464}:9464');
  });

  it('binds METRICS_PORT on every interface of the container, or the published metrics port reaches nothing', () => {
    // The server binds METRICS_PORT on loopback unless METRICS_HOST says otherwise; a published port
    // arrives on the container's own interface. Who reaches it is the `ports` entry's business.
    const published = (service('server').ports ?? []).filter((entry) => entry.endsWith(`:${environmentOf('server').METRICS_PORT}`));
    expect(published).toHaveLength(1);
    expect(environmentOf('server').METRICS_HOST).toBe('0.0.0.0');
  });

  it('gives the server time to drain before Docker kills it', () => {
    const grace = /^(\d+)s$/.exec(service('server').stop_grace_period ?? '')?.[1];
    // Docker's default is 10 s; the primary's own bound comes first.
    expect(Number(grace) * 1000).toBeGreaterThan(SHUTDOWN_TIMEOUT_MS);
  });

  it('takes secrets from docker/.env, never from a value written in the file', () => {
    expect(envFiles('server')).toEqual(['.env']);
    const text = read('docker/compose.yaml');
    for (const name of SECRETS) {
      // NAME=value or NAME: value, anywhere (not the NAME inside a ${NAME:?…}).
      for (const match of text.matchAll(new RegExp(`(?<![{\\w])${name}\\s*[=:]\\s*(\\S*)`, 'g'))) {
        expect(match[1], match[0]).toMatch(/^\$\{/);
      }
    }
    for (const name of Object.keys(services)) {
      for (const [key, value] of Object.entries(environmentOf(name))) {
        if (/SECRET|PASSWORD|_KEY|TOKEN/.test(key) && !(key === 'MYSQL_RANDOM_ROOT_PASSWORD' && value === 'yes')) {
          expect(value.replace(interpolated, ''), `${name}.${key}`).toBe('');
        }
        // A URL's password, too (DATABASE_URL).
        const credentials = /:\/\/[^:/@]+:([^@]*)@/.exec(value);
        if (credentials) expect(credentials[1], `${name}.${key}`).toMatch(/^\$\{[^}]+\}$/);
      }
    }
  });

  it('keeps Redis under a profile, optional for the server, reached through REDIS_URL', () => {
    expect(service('redis').profiles).toEqual(['redis']);
    expect(
      Object.keys(services)
        .filter((name) => !services[name]!.profiles)
        .sort(),
    ).toEqual(['migrate', 'mysql', 'server']);
    const redis = dependencies('server').redis;
    // Without the profile, a required dependency on a disabled service is an error.
    expect(redis === undefined || redis.required === false).toBe(true);
    expect(read('docker/.env.example')).toMatch(/^#?\s*REDIS_URL=redis:\/\/redis:6379$/m);
  });
});

describe('docker/.env.example', () => {
  const example = read('docker/.env.example');
  const listed = new Map([...example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1]!, match[2]!] as const));

  it('lists every variable the server refuses to start without that compose does not set itself', () => {
    let required: string[] = [];
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      required = (error as ConfigError).problems.map((problem) => problem.split(':')[0]!);
    }
    expect(required).toEqual(expect.arrayContaining(['WECHAT_APPID', 'WECHAT_SECRET', 'JWT_SECRET', 'ENCRYPTION_KEY']));
    const setByCompose = Object.keys(environmentOf('server'));
    for (const name of required) expect(setByCompose.includes(name) || listed.has(name), name).toBe(true);
  });

  it('lists every variable compose requires, with an empty value and how to make one', () => {
    const requiredByCompose = new Set([...read('docker/compose.yaml').matchAll(/\$\{([A-Z0-9_]+):?\?/g)].map((match) => match[1]!));
    expect(requiredByCompose.size).toBeGreaterThan(0);
    for (const name of requiredByCompose) expect(listed.has(name), name).toBe(true);
    for (const name of ['WECHAT_SECRET', 'JWT_SECRET', 'ENCRYPTION_KEY', 'MYSQL_PASSWORD']) {
      // No secret ships with a value, not even a sample one that would start.
      expect(listed.get(name), name).toBe('');
    }
    expect(example).toContain('openssl rand -base64 48');
    expect(example).toContain('openssl rand -base64 32');
    expect(example).toContain('openssl rand -hex 24');
  });

  it('is copied to docker/.env, which git ignores and the image never sees', () => {
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('**/.env');
  });
});

describe('docker/Dockerfile', () => {
  it('has a build stage and a runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(args(runtime, 'FROM')[0]).toMatch(/^node:20-(slim|alpine)\b/);
  });

  it('builds with pnpm as the README installs it, then pnpm build', () => {
    const runs = args(buildStages, 'RUN');
    const readmes = /npm install -g pnpm@(\d+\.\d+\.\d+)/.exec(read('README.md'))?.[1];
    expect(readmes).toBeTruthy();
    expect(runs).toContain(`npm install -g pnpm@${readmes}`);
    expect(runs.some((run) => /pnpm install --frozen-lockfile/.test(run))).toBe(true);
    expect(runs).toContain('pnpm build');
    expect(stages.flat().filter((instruction) => /corepack/.test(instruction.args))).toEqual([]);
  });

  it('ships production dependencies only, and compiled JavaScript only', () => {
    expect(args(buildStages, 'RUN').some((run) => /pnpm install --prod --frozen-lockfile .*--filter "@minigate\/server\.\.\."/.test(run))).toBe(true);
    const copies = args(runtime, 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      // Only from the other stages: nothing from the context (no sources), and no node_modules but the production one.
      expect(copy).toMatch(/^--from=/);
      if (copy.includes('node_modules')) expect(copy).toMatch(/^--from=production-dependencies /);
    }
    expect(args(runtime, 'RUN')).toEqual([]);
  });

  it('runs as a user other than root', () => {
    const user = args(runtime, 'USER').at(-1);
    expect(user).toBeTruthy();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('checks /healthz with node (no curl in a slim image)', () => {
    const healthcheck = args(runtime, 'HEALTHCHECK').join(' ');
    expect(healthcheck).toContain('/healthz');
    expect(healthcheck).toMatch(/CMD \["node", "-e", "fetch\(/);
  });

  it('starts the built server, the file the tests start', () => {
    const command = args(runtime, 'CMD').at(-1);
    expect(JSON.parse(command ?? 'null')).toEqual(['node', BUILT_SERVER_PATH]);
  });
});

describe('docker/compose.dev.yaml', () => {
  const dev = (parse(read('docker/compose.dev.yaml')) as { services: Record<string, Service> }).services;

  it('starts the database pnpm dev looks for by default, on this machine only', () => {
    const mysql = dev.mysql!;
    expect(mysql.image).toBe('mysql:8.4');
    const command = Array.isArray(mysql.command) ? mysql.command : [];
    expect(command).toEqual(expect.arrayContaining(['--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci']));
    const { host, port, user, password } = parseDatabaseUrl(DEV_DATABASE_URL);
    expect(mysql.ports).toEqual([`${host}:${port}:3306`]);
    expect(user).toBe('root');
    expect(password).toBe('');
    expect(mysql.environment).toMatchObject({ MYSQL_ALLOW_EMPTY_PASSWORD: 'yes' });
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, builds, git, local secrets and dev state out of the build context', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const name of ['node_modules', 'dist', '.git', '.minigate', '.env']) {
      expect(
        patterns.some((pattern) => pattern === name || pattern === `**/${name}`),
        name,
      ).toBe(true);
    }
  });
});
