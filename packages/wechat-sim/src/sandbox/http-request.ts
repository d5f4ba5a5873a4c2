import http from 'node:http';
import https from 'node:https';

/** One HTTP(S) request from the sandbox's host side; `onStart` gets a function that aborts it. */
export function httpRequest(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | undefined; timeoutMs: number },
  onStart?: (abort: () => void) => void,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const requester = url.startsWith('https:') ? https.request : http.request;
    const req = requester(url, { method: init.method, headers: init.headers, timeout: init.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = String(value);
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    onStart?.(() => req.destroy(new Error('abort')));
    req.end(init.body);
  });
}
