import { isIP } from 'node:net';

/** The longest textual IP (an IPv4-mapped IPv6 address): the width of the IP columns. */
const MAX_IP_LENGTH = 45;

function isPlainIp(value: string): boolean {
  // isIP accepts IPv6 zone ids ("fe80::1%eth0") of any length: refuse them.
  return isIP(value) !== 0 && !value.includes('%') && value.length <= MAX_IP_LENGTH;
}

/**
 * The IP to record for a request: Fastify's `request.ip` (which follows
 * X-Forwarded-For only from TRUST_PROXY's proxies) when it is a plain IP,
 * else the socket's address. A forged header never reaches the database.
 */
export function clientIp(request: { ip: string; socket: { remoteAddress?: string } }): string {
  if (isPlainIp(request.ip)) return request.ip;
  const socketAddress = request.socket.remoteAddress ?? '';
  return isPlainIp(socketAddress) ? socketAddress : '';
}
