// Reference of the delivery push: a bare Fastify handler on the same Fastify
// version. It checks the push's `signature` (sha1 of the sorted Token,
// timestamp and nonce) and the same PayEventSig (HMAC-SHA256 with the AppKey
// of "<event>&<Payload>") of the same body, then inserts ONE row (the push,
// in a table of its own, mysql2 as minigate uses) and answers ErrCode 0.
// No order looked up, no grant, no logging.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { createMysqlPool } from '@minigate/db/mysql-pool';

const env = process.env;
const appid = env.PUSH_APPID ?? '';
const appKey = env.PUSH_APP_KEY ?? '';
const token = env.PUSH_TOKEN ?? '';
const EVENT = 'minigame_game_pay_goods_deliver_notify';

const pool = createMysqlPool(env.DATABASE_URL ?? '', { connectionLimit: 10 }).promise();
await pool.query(`CREATE TABLE IF NOT EXISTS bench_push (
  push_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  appid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  out_trade_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  body MEDIUMTEXT NOT NULL,
  received_at DATETIME(3) NOT NULL
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);

const equalHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const answer = (ErrCode: number, ErrMsg: string) => ({ ErrCode, ErrMsg });

interface Push {
  MsgType?: unknown;
  Event?: unknown;
  MiniGame?: { Payload?: unknown; PayEventSig?: unknown };
}

const server = Fastify({ logger: false });
server.post<{ Params: { appid: string }; Querystring: Record<string, string | undefined>; Body: Push }>('/push/:appid', async (request, reply) => {
  if (request.params.appid !== appid) return reply.status(404).send('no such push receiver');
  const { signature = '', timestamp = '', nonce = '' } = request.query;
  const expected = createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
  if (!equalHex(signature, expected)) return answer(401, 'signature does not match');
  const push = request.body;
  const payload = push?.MiniGame?.Payload;
  const sig = push?.MiniGame?.PayEventSig;
  if (push?.MsgType !== 'event' || push.Event !== EVENT || typeof payload !== 'string' || typeof sig !== 'string') return answer(1, 'malformed');
  if (!equalHex(sig, createHmac('sha256', appKey).update(`${EVENT}&${payload}`).digest('hex'))) return answer(2, 'PayEventSig does not match');
  const outTradeNo = (JSON.parse(payload) as { OutTradeNo?: unknown }).OutTradeNo;
  if (typeof outTradeNo !== 'string') return answer(1, 'malformed');
  await pool.query('INSERT INTO bench_push (appid, out_trade_no, body, received_at) VALUES (?, ?, ?, NOW(3))', [
    appid,
    outTradeNo,
    JSON.stringify(push),
  ]);
  return answer(0, 'Success');
});
server.get('/healthz', async () => ({ status: 'ok' }));
await server.listen({ host: '127.0.0.1', port: Number(env.PORT) });
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
