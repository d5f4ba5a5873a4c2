import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DevSecrets {
  JWT_SECRET: string;
  ENCRYPTION_KEY: string;
  WECHAT_SECRET: string;
}

/** Development mode's secrets: generated once and kept in an ignored file, so tokens survive a restart. */
export function loadDevSecrets(file: string): DevSecrets {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } catch {
    const secrets: DevSecrets = {
      JWT_SECRET: randomBytes(48).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      WECHAT_SECRET: randomBytes(16).toString('hex'),
    };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    return secrets;
  }
}
