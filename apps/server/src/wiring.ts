import {
  createAccessTokens,
  createAccountService,
  createContextFactory,
  createLoginService,
  createSessionKeyCipher,
  type ServiceLogger,
} from '@minigate/api';
import { createDatabase, type Database, type Kysely } from '@minigate/db';
import { createCode2Session, createHttpTransport } from '@minigate/wechat';
import type { Config } from './config.js';

/** Everything the HTTP layer serves, built once from the configuration. */
export interface Application {
  createContext: ReturnType<typeof createContextFactory>;
  db: Kysely<Database>;
  /** Releases the database pool and WeChat's kept-alive sockets. */
  close(): Promise<void>;
}

export function wireApplication(config: Config, logger: ServiceLogger): Application {
  const db = createDatabase(config.databaseUrl);
  const wechatTransport = createHttpTransport({ timeoutMs: config.wechat.timeoutMs });
  const accessTokens = createAccessTokens({
    secret: config.jwt.secret,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTokenTtlSeconds,
  });
  const services = {
    login: createLoginService({
      db,
      appid: config.wechat.appid,
      code2session: createCode2Session(config.wechat, wechatTransport.send),
      accessTokens,
      sessionKeys: createSessionKeyCipher(config.encryption.key, config.encryption.previousKeys),
      logger,
    }),
    accounts: createAccountService({ db }),
  };
  return {
    createContext: createContextFactory({ services, accessTokens }),
    db,
    async close() {
      wechatTransport.close();
      await db.destroy();
    },
  };
}
