import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEV_DATABASE_URL } from '@minigate/db';
import { z } from 'zod';
import { loadDevSecrets } from '../dev-secrets.js';
import { server, hostOf } from './server.js';
import { ConfigError, port, problemsOf, section, setting } from './settings.js';
import { DEV_APPID, wechat } from './wechat.js';

export const development = section(
  'Development',
  "`pnpm dev` only. It fills in what development needs and you left unset: the development database, the games of `apps/server/apps.sample.json` on the simulator (one on each platform, WeChat's `" +
    DEV_APPID +
    '`) and secrets generated once and kept in `.minigate/dev-secrets.json` (ignored by git), so tokens survive a restart.',
  {
    WECHAT_SIM_PORT: setting(port(), {
      default: '3001',
      production: 'development only: `pnpm dev` refuses `NODE_ENV=production`',
      description: "the WeChat simulator's port (not started when `WECHAT_API_BASE` is set)",
    }),
  },
);

/** What `pnpm dev` reads before the configuration: where to start the simulator, if at all. */
const developmentView = z.object({
  NODE_ENV: server.settings.shape.NODE_ENV.refine(
    (mode) => mode !== 'production',
    'pnpm dev is development mode (it starts the WeChat simulator); run pnpm start in production',
  ),
  HOST: server.settings.shape.HOST,
  // Set: WeChat (or a proxy) instead of the simulator.
  WECHAT_API_BASE: wechat.settings.shape.WECHAT_API_BASE.unwrap().optional(),
  // Set: the games are the developer's own (no sample apps file).
  APPS_FILE: z.string().optional(),
  WECHAT_APPID: z.string().optional(),
  WECHAT_SECRET: z.string().optional(),
  ...development.settings.shape,
});

export interface DevelopmentSetup {
  /** Values under the environment for loadConfig: the environment wins. */
  defaults: Record<string, string>;
  /** Where to start the WeChat simulator, or null when WECHAT_API_BASE points elsewhere. */
  simulator: { host: string; port: number } | null;
}

/** The sample apps file: one game on each platform (apps/server/apps.sample.json). */
export const SAMPLE_APPS_FILE = resolve(dirname(new URL(import.meta.url).pathname), '../../apps.sample.json');

/** The sample's games, on the simulator: written where APPS_FILE will name them. */
function writeDevelopmentApps(file: string, simulatorUrl: string): void {
  const apps = JSON.parse(readFileSync(SAMPLE_APPS_FILE, 'utf8')) as Array<Record<string, unknown>>;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(
      apps.map((app) => ({ ...app, apiBase: simulatorUrl })),
      null,
      2,
    )}\n`,
    { mode: 0o600 },
  );
}

/**
 * Development defaults (docs/architecture.md): local database, the simulator
 * standing in for WeChat, secrets kept in .minigate/. Refuses production:
 * the simulator is never started there.
 */
export function developmentSetup(env: Record<string, string | undefined>): DevelopmentSetup {
  const parsed = developmentView.safeParse(env);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error, env));
  const values = parsed.data;
  const simulator = values.WECHAT_API_BASE ? null : { host: hostOf(values.HOST, false), port: values.WECHAT_SIM_PORT };
  const { WECHAT_SECRET, ...secrets } = loadDevSecrets(resolve(process.cwd(), '.minigate/dev-secrets.json'));
  // On the simulator, with no games of the developer's own: the sample's three, one on each platform.
  const sample = simulator !== null && !values.APPS_FILE && !values.WECHAT_APPID && !values.WECHAT_SECRET;
  if (sample) {
    const file = resolve(process.cwd(), '.minigate/dev-apps.json');
    writeDevelopmentApps(file, `http://${simulator.host}:${simulator.port}`);
    return { defaults: { DATABASE_URL: DEV_DATABASE_URL, ...secrets, APPS_FILE: file, CONSOLE_ENABLED: 'true' }, simulator };
  }
  return {
    defaults: {
      DATABASE_URL: DEV_DATABASE_URL,
      CONSOLE_ENABLED: 'true',
      ...secrets,
      // The WECHAT_* game, unless APPS_FILE lists the games.
      ...(values.APPS_FILE ? {} : { WECHAT_APPID: DEV_APPID, WECHAT_SECRET }),
      ...(simulator ? { WECHAT_API_BASE: `http://${simulator.host}:${simulator.port}` } : {}),
    },
    simulator,
  };
}
