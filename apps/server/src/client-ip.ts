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

/** An IPv6 address's eight 16-bit groups, or null when `ip` is not one (WHATWG's parser: every spelling, embedded IPv4 too). */
function ipv6Groups(ip: string): number[] | null {
  let canonical: string;
  try {
    // Serialised compressed and lower case, an embedded IPv4 address as two groups: "[2001:db8::1]".
    canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head = '', tail] = canonical.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.length === 8 ? groups.map((group) => parseInt(group, 16)) : null;
}

/**
 * The key the per-IP rate limits count a client under. One subscriber is
 * given a whole IPv6 /64 (and picks addresses in it at will), so IPv6 is
 * counted by its /64, written canonically (RFC 5952: "2001:db8:1:2::/64"),
 * whichever way the address was spelled. An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d, what a dual-stack socket reports for an IPv4 client) is
 * that IPv4 address, and IPv4 is counted as it is. Anything else (an
 * account id) is returned unchanged. Only the limiter's key: logs and
 * session rows keep the full address.
 */
export function rateLimitKeyOf(key: string): string {
  // IPv4, an account id: nothing to do (and no parse on the per-account limits' path).
  if (!key.includes(':')) return key;
  const groups = ipv6Groups(key);
  if (!groups) return key;
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  const network = new URL(
    `http://[${groups
      .slice(0, 4)
      .map((group) => group.toString(16))
      .join(':')}::]/`,
  ).hostname.slice(1, -1);
  return `${network}/64`;
}
