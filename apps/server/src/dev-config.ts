import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEV_DATABASE_URL } from '@minigate/db';
import { z } from 'zod';
import { ConfigError } from './config.js';

/** The simulated mini-game that development mode serves. */
export const DEV_APPID = 'wxminigatedev0001';
const DEV_SECRETS_FILE = resolve(process.cwd(), '.minigate/dev-secrets.json');

interface DevSecrets {
  JWT_SECRET: string;
  ENCRYPTION_KEY: string;
  WECHAT_SECRET: string;
}

/** Generated once and kept in an ignored file, so tokens survive a restart. */
function devSecrets(): DevSecrets {
  try {
    return JSON.parse(readFileSync(DEV_SECRETS_FILE, 'utf8')) as DevSecrets;
  } catch {
    const secrets: DevSecrets = {
      JWT_SECRET: randomBytes(48).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      WECHAT_SECRET: randomBytes(16).toString('hex'),
    };
    mkdirSync(dirname(DEV_SECRETS_FILE), { recursive: true });
    writeFileSync(DEV_SECRETS_FILE, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    return secrets;
  }
}

const devSchema = z.object({ WECHAT_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(3001) });

export interface DevSetup {
  /** Values under the environment for loadConfig: the environment wins. */
  defaults: Record<string, string>;
  /** Where to start the WeChat simulator, or null when WECHAT_API_BASE points elsewhere. */
  simulator: { host: string; port: number } | null;
}

/** Development defaults (ARCHITECTURE.md): local database, simulator, secrets kept in .minigate/. */
export function loadDevSetup(): DevSetup {
  if (process.env.NODE_ENV === 'production') {
    throw new ConfigError(['NODE_ENV: pnpm dev is development mode (it starts the WeChat simulator); run pnpm start in production']);
  }
  const port = devSchema.safeParse(process.env);
  if (!port.success) throw new ConfigError(port.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`));
  const host = process.env.HOST ?? '127.0.0.1';
  const simulator = process.env.WECHAT_API_BASE ? null : { host, port: port.data.WECHAT_SIM_PORT };
  return {
    defaults: {
      NODE_ENV: 'development',
      HOST: host,
      PORT: '3000',
      DATABASE_URL: DEV_DATABASE_URL,
      WECHAT_APPID: DEV_APPID,
      ...devSecrets(),
      ...(simulator ? { WECHAT_API_BASE: `http://${host}:${simulator.port}` } : {}),
    },
    simulator,
  };
}
