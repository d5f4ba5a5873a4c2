import { isIP } from 'node:net';

/**
 * The IP to record for a request: Fastify's `request.ip` (which follows
 * X-Forwarded-For only from TRUST_PROXY's proxies) when it is an IP at all,
 * else the socket's address. A forged header never reaches the database.
 */
export function clientIp(request: { ip: string; socket: { remoteAddress?: string } }): string {
  if (isIP(request.ip)) return request.ip;
  return request.socket.remoteAddress ?? '';
}
