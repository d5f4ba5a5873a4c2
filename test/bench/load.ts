// The load generator: a process of its own (forked by the bench with an IPC
// channel), so the load shares neither the server's event loop nor the
// orchestrator's. Each `run` message is one round of autocannon; it answers
// `started` just before the first connection, `finished` as the last
// response is in (the orchestrator reads the server's CPU time at both),
// then `result`.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadStep {
  method: 'GET' | 'POST';
  path: string;
  /** Authorization: Bearer <token>: the next token of the rotation at a sequence's first step, the same token for its other steps. */
  auth?: boolean;
  /** A JSON body, sent as is. */
  body?: string;
  /** The body is {"code": <the next login code>}: every code is used once. */
  code?: boolean;
  /** The path and the body are the next line of linesFile (`<path>\t<body>`): every line is sent once. */
  line?: boolean;
  /** A 2xx answer whose body lacks this text counts as an error (a push refused with a non-zero ErrCode is answered 200). */
  expect?: string;
}

export interface LoadSpec {
  id: number;
  /** http://127.0.0.1:<port> */
  url: string;
  seconds: number;
  connections: number;
  /** What each connection sends, in turn, over and over (one step: the same request each time). */
  steps: LoadStep[];
  /** Access tokens, one a line. */
  tokensFile?: string;
  /** wx.login codes, one a line. */
  codesFile?: string;
  /** Requests of `line` steps, one a line: `<path>\t<body>`. */
  linesFile?: string;
}

export interface LoadResult {
  responses: number;
  /** From the first connection to the last response counted. */
  seconds: number;
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts (autocannon's `errors`). */
  socketErrors: number;
  timeouts: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  statusCodes: Record<string, number>;
  /** The first few non-2xx bodies, cut short: what went wrong. */
  errorSamples: string[];
  /** The round ran out of login codes (or of linesFile's requests) and was stopped early. */
  codesExhausted: boolean;
  /** Lines of linesFile taken (each sent at most once). */
  linesUsed: number;
}

export type LoadMessage =
  | { type: 'started'; id: number }
  | { type: 'finished'; id: number }
  | { type: 'result'; id: number; result: LoadResult }
  | { type: 'failed'; id: number; error: string };

const lines = (file: string | undefined) =>
  file
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
    : [];

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** How long past its end a round waits for its first answer. */
const FIRST_ANSWER_GRACE_MS = 15_000;

async function runRound(spec: LoadSpec, send: (message: LoadMessage) => void): Promise<LoadResult> {
  const tokens = lines(spec.tokensFile);
  const codes = lines(spec.codesFile);
  const requestLines = lines(spec.linesFile);
  if (spec.steps.some((step) => step.auth) && tokens.length === 0) throw new Error('auth steps need tokens');
  if (spec.steps.some((step) => step.code) && codes.length === 0) throw new Error('code steps need codes');
  if (spec.steps.some((step) => step.line) && requestLines.length === 0) throw new Error('line steps need lines');
  let nextToken = 0;
  let nextCode = 0;
  let nextLine = 0;
  /** 2xx answers without their step's expected text. */
  let refused = 0;
  let codesExhausted = false;
  let latencies = new Float64Array(1 << 16);
  let responses = 0;
  let ok = 0;
  let lastResponseAt = 0;
  const statusCodes: Record<string, number> = {};
  const errorSamples: string[] = [];
  let instance: autocannon.Instance | undefined;

  const requests: autocannon.Request[] = spec.steps.map((step, index) => {
    const headers: Record<string, string> = step.body !== undefined || step.code || step.line ? { 'content-type': 'application/json' } : {};
    const request: autocannon.Request = { method: step.method, path: step.path, headers, ...(step.body !== undefined ? { body: step.body } : {}) };
    request.onResponse = (status, body) => {
      if (codesExhausted) return;
      const failed = status < 200 || status >= 300;
      const unexpected = !failed && step.expect !== undefined && !body.includes(step.expect);
      if (unexpected) refused++;
      if ((failed || unexpected) && errorSamples.length < 3) errorSamples.push(`${status} ${body.slice(0, 300)}`);
    };
    // A static request is built once; one with a token, a code or a line, before each send.
    if (!step.auth && !step.code && !step.line) return request;
    return {
      ...request,
      setupRequest: (current, context) => {
        const next: autocannon.Request = { ...current, headers: { ...headers } };
        if (step.auth) {
          if (index === 0 || typeof context.token !== 'string') context.token = tokens[nextToken++ % tokens.length];
          next.headers = { ...next.headers, authorization: `Bearer ${String(context.token)}` };
        }
        if (step.code) {
          if (nextCode >= codes.length) {
            // Out of codes: the round stops here; the used code sent until it has is not counted.
            if (!codesExhausted) {
              codesExhausted = true;
              instance?.stop();
            }
            nextCode = codes.length - 1;
          }
          next.body = `{"code":"${codes[nextCode++]}"}`;
        }
        if (step.line) {
          if (nextLine >= requestLines.length) {
            // Out of lines: as out of codes, the round stops; the last line sent again is not counted.
            if (!codesExhausted) {
              codesExhausted = true;
              instance?.stop();
            }
            nextLine = requestLines.length - 1;
          }
          const line = requestLines[nextLine++] as string;
          const tab = line.indexOf('\t');
          next.path = line.slice(0, tab);
          next.body = line.slice(tab + 1);
        }
        return next;
      },
    };
  });

  return new Promise((resolve, reject) => {
    send({ type: 'started', id: spec.id });
    const startedAt = performance.now();
    // The round ends after spec.seconds, but not before a first answer (a short round on a loaded machine, a
    // cluster still starting, would otherwise count nothing): autocannon's own end is only a bound.
    let due: ReturnType<typeof setTimeout> | undefined;
    const stopWhenDue = () => {
      if (responses > 0 || performance.now() - startedAt > spec.seconds * 1000 + FIRST_ANSWER_GRACE_MS) instance?.stop();
      else due = setTimeout(stopWhenDue, 20);
    };
    due = setTimeout(stopWhenDue, spec.seconds * 1000);
    instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.seconds + FIRST_ANSWER_GRACE_MS / 1000 + 1,
        timeout: 10,
        pipelining: 1,
        sampleInt: 100,
        requests,
      },
      (error, result) => {
        clearTimeout(due);
        send({ type: 'finished', id: spec.id });
        if (error) return reject(error);
        const sorted = latencies.slice(0, responses).sort();
        let sum = 0;
        for (const value of sorted) sum += value;
        resolve({
          responses,
          seconds: round3(((lastResponseAt || performance.now()) - startedAt) / 1000),
          ok: Math.max(0, ok - refused),
          non2xx: responses - Math.max(0, ok - refused),
          socketErrors: result.errors,
          timeouts: result.timeouts,
          latencyMs: {
            p50: round3(percentile(sorted, 0.5)),
            p90: round3(percentile(sorted, 0.9)),
            p99: round3(percentile(sorted, 0.99)),
            mean: round3(responses ? sum / responses : 0),
            max: round3(sorted[sorted.length - 1] ?? 0),
          },
          statusCodes,
          errorSamples,
          codesExhausted,
          linesUsed: Math.min(nextLine, requestLines.length),
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (codesExhausted) return;
      if (responses === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[responses++] = responseTime;
      lastResponseAt = performance.now();
      if (statusCode >= 200 && statusCode < 300) ok++;
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    });
  });
}

const send = (message: LoadMessage) => process.send?.(message);
process.on('message', (message: { type: 'run'; spec: LoadSpec } | { type: 'exit' }) => {
  if (message.type === 'exit') process.exit(0);
  const { spec } = message;
  runRound(spec, send).then(
    (result) => send({ type: 'result', id: spec.id, result }),
    (error: unknown) => send({ type: 'failed', id: spec.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
