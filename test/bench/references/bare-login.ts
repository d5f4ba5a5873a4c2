// Reference of the login: a bare, tuned tRPC login on the same Fastify
// adapter. code2session over a node:http keep-alive agent, ONE upsert
// statement (mysql2, the driver minigate uses), an access token signed with a
// KeyObject made once. No sessions, no refresh token, no logging.
import { createSecretKey } from 'node:crypto';
import { Agent, get } from 'node:http';
import jwt from 'jsonwebtoken';
import { createMysqlPool } from '@minigate/db/mysql-pool';
import { TRPCError, initTRPC } from './trpc.js';
import { serveReference } from './serve.js';

const env = process.env;
const apiBase = env.WECHAT_API_BASE ?? '';
const appid = env.WECHAT_APPID ?? '';
const appSecret = env.WECHAT_SECRET ?? '';
const key = createSecretKey(Buffer.from(env.JWT_SECRET ?? '', 'utf8'));
const TTL_SECONDS = 7200;

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const pool = createMysqlPool(env.DATABASE_URL ?? '', { connectionLimit: 10 }).promise();
await pool.query(`CREATE TABLE IF NOT EXISTS bench_login_player (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  openid VARCHAR(64) NOT NULL UNIQUE,
  session_key VARCHAR(64) NOT NULL,
  login_ip VARCHAR(64) NOT NULL,
  login_time DATETIME(3) NOT NULL
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);

function code2session(code: string): Promise<{ openid: string; session_key: string }> {
  const query = new URLSearchParams({ appid, secret: appSecret, js_code: code, grant_type: 'authorization_code' });
  return new Promise((resolve, reject) => {
    get(`${apiBase}/sns/jscode2session?${query}`, { agent, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          const answer = JSON.parse(body) as { openid?: string; session_key?: string; errcode?: number };
          if (answer.openid && answer.session_key) resolve({ openid: answer.openid, session_key: answer.session_key });
          else reject(new TRPCError({ code: 'BAD_REQUEST', message: `WeChat errcode ${answer.errcode}` }));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      response.on('error', reject);
    }).on('error', reject);
  });
}

const t = initTRPC.context<{ ip: string }>().create();
const codeInput = (raw: unknown): { code: string } => {
  const code = (raw as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || code.length < 1 || code.length > 128) throw new TRPCError({ code: 'BAD_REQUEST', message: 'code' });
  return { code };
};

const router = t.router({
  auth: t.router({
    wechatLogin: t.procedure.input(codeInput).mutation(async ({ input, ctx }) => {
      const session = await code2session(input.code);
      const [result] = await pool.query(
        `INSERT INTO bench_login_player (openid, session_key, login_ip, login_time) VALUES (?, ?, ?, NOW(3))
           ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), session_key = VALUES(session_key), login_ip = VALUES(login_ip), login_time = VALUES(login_time)`,
        [session.openid, session.session_key, ctx.ip],
      );
      const { insertId, affectedRows } = result as { insertId: number; affectedRows: number };
      const now = Math.floor(Date.now() / 1000);
      const accessToken = jwt.sign({ sub: String(insertId), iat: now, exp: now + TTL_SECONDS }, key, { algorithm: 'HS256' });
      return { accessToken, expiresAt: (now + TTL_SECONDS) * 1000, expiresIn: TTL_SECONDS, account: { id: insertId, isNew: affectedRows === 1 } };
    }),
  }),
});

await serveReference(router, ({ req }) => ({ ip: req.ip }));
