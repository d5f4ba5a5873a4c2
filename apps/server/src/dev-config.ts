import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEV_DATABASE_URL } from '@minigate/db';

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

export interface DevSetup {
  /** Values under the environment for loadConfig: the environment wins. */
  defaults: Record<string, string>;
  /** Where to start the WeChat simulator, or null when WECHAT_API_BASE points elsewhere. */
  simulator: { host: string; port: number } | null;
}

/** Development defaults (ARCHITECTURE.md): local database, simulator, secrets kept in .minigate/. */
export function loadDevSetup(): DevSetup {
  const host = process.env.HOST ?? '127.0.0.1';
  const simulatorPort = Number(process.env.WECHAT_SIM_PORT ?? 3001);
  const simulator = process.env.WECHAT_API_BASE ? null : { host, port: simulatorPort };
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
