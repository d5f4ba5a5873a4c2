import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCode2Session } from './code2session.js';
import { WeChatCircuitOpenError, WeChatTimeoutError, WeChatUnavailableError } from './errors.js';
import { createResilientTransport, type ResilienceEvent } from './resilient-transport.js';
import { createHttpTransport, WeChatTransportError, type WeChatTransport } from './transport.js';

// A real backup WeChat on a port, a primary that refuses connections (a
// port nobody listens on), and a fake transport for the breaker's clock.
let backupCalls = 0;
const backup = http.createServer((req, res) => {
  backupCalls += 1;
  res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify({ openid: 'o1', session_key: 'a2V5a2V5a2V5a2V5a2V5aw==' }));
});
let backupBase = '';
let deadBase = '';
const http1 = createHttpTransport({ timeoutMs: 1_000 });

beforeAll(async () => {
  await new Promise<void>((resolve) => backup.listen(0, '127.0.0.1', resolve));
  backupBase = `http://127.0.0.1:${(backup.address() as AddressInfo).port}`;
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadBase = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  http1.close();
  await new Promise((resolve) => backup.close(resolve));
});

const app = (apiBase: string) => ({ apiBase, appid: 'wx0123456789', secret: 'the-app-secret-0001' });

describe('backup domains', () => {
  it('sends a request whose connection was refused to the next domain, and keeps using it a while', async () => {
    const events: ResilienceEvent[] = [];
    const transport = createResilientTransport(http1.send, {
      primaryBase: deadBase,
      backupBases: [backupBase],
      onEvent: (event) => events.push(event),
    });
    const code2session = createCode2Session(app(deadBase), transport.send);
    const before = backupCalls;
    expect(await code2session('code-one-0001')).toMatchObject({ openid: 'o1' });
    expect(await code2session('code-two-0002')).toMatchObject({ openid: 'o1' });
    expect(backupCalls - before).toBe(2);
    expect(events).toEqual([{ kind: 'backup-used', from: deadBase, to: backupBase }]);
  });

  it('never resends a request that may have reached WeChat (a timeout, a dropped connection)', async () => {
    const sent: string[] = [];
    const fake: WeChatTransport = async (request) => {
      sent.push(request.url);
      throw new WeChatTransportError('WeChat did not answer within 1000 ms', true);
    };
    const transport = createResilientTransport(fake, { primaryBase: 'https://a.example', backupBases: ['https://b.example'] });
    const code2session = createCode2Session(app('https://a.example'), transport.send);
    await expect(code2session('code-three-0003')).rejects.toBeInstanceOf(WeChatTimeoutError);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^https:\/\/a\.example\/sns\/jscode2session\?/);
  });

  it('fails as unavailable when no domain can be reached, the secret and code out of the message', async () => {
    const transport = createResilientTransport(http1.send, { primaryBase: deadBase, backupBases: [deadBase.replace('127.0.0.1', '127.0.0.2')] });
    const error = await createCode2Session(app(deadBase), transport.send)('code-four-0004').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeChatUnavailableError);
    expect(String((error as Error).message)).not.toMatch(/the-app-secret|code-four/);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive unreachable calls, refuses at once without sending, then lets one probe through', async () => {
    let clock = 1_000_000;
    let reachable = false;
    let sent = 0;
    const fake: WeChatTransport = async () => {
      sent += 1;
      if (!reachable) throw new WeChatTransportError('WeChat could not be reached (ECONNREFUSED)', false, { code: 'ECONNREFUSED' });
      return { status: 200, body: JSON.stringify({ openid: 'o2', session_key: 'a2V5a2V5a2V5a2V5a2V5aw==' }) };
    };
    const events: ResilienceEvent[] = [];
    const transport = createResilientTransport(fake, {
      primaryBase: 'https://a.example',
      breaker: { failureThreshold: 3, openMs: 10_000 },
      now: () => clock,
      onEvent: (event) => events.push(event),
    });
    const code2session = createCode2Session(app('https://a.example'), transport.send);
    for (let i = 0; i < 3; i++) await expect(code2session(`code-x-000${i}`)).rejects.toBeInstanceOf(WeChatUnavailableError);
    expect(transport.state()).toBe('open');
    expect(sent).toBe(3);

    const refused = await code2session('code-y-0001').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WeChatCircuitOpenError);
    expect((refused as WeChatCircuitOpenError).retryAfterSeconds).toBe(10);
    expect(sent).toBe(3);

    clock += 10_001;
    expect(transport.state()).toBe('half-open');
    await expect(code2session('code-z-0001')).rejects.toBeInstanceOf(WeChatUnavailableError);
    expect(transport.state()).toBe('open');
    expect(sent).toBe(4);

    clock += 10_001;
    reachable = true;
    expect(await code2session('code-z-0002')).toMatchObject({ openid: 'o2' });
    expect(transport.state()).toBe('closed');
    expect(events.map((event) => event.kind)).toEqual(['circuit-opened', 'circuit-opened', 'circuit-closed']);
  });

  it('counts any answer from WeChat, an errcode included, as reachable', async () => {
    let calls = 0;
    const fake: WeChatTransport = async () => {
      calls += 1;
      if (calls % 2) throw new WeChatTransportError('WeChat did not answer', true);
      return { status: 200, body: '{"errcode":-1,"errmsg":"system error"}' };
    };
    const transport = createResilientTransport(fake, { primaryBase: 'https://a.example', breaker: { failureThreshold: 2 } });
    for (let i = 0; i < 6; i++) await transport.send({ method: 'GET', url: 'https://a.example/x' }).catch(() => undefined);
    expect(transport.state()).toBe('closed');
  });
});
