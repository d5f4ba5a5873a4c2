/**
 * The leak scan: every answer a suite received and every log line its
 * servers wrote, searched for what must never leave the server (the WeChat
 * secret, session keys, WeChat's access tokens, the players' tokens, login
 * codes). A login or refresh answer legitimately carries the tokens it
 * issues: those two are exempt in that answer only; logs exempt nothing.
 */
export type SecretKind =
  'WeChat secret' | 'JWT secret' | 'encryption key' | 'session key' | 'WeChat access token' | 'refresh token' | 'access token' | 'login code';

export interface LeakHit {
  kind: SecretKind;
  /** Which answer (its request) or which log. */
  where: string;
  /** The text around the hit, the secret itself masked. */
  excerpt: string;
}

export interface LeakReport {
  answers: number;
  logLines: number;
  /** How many distinct secrets of each kind were searched for. */
  secrets: Partial<Record<SecretKind, number>>;
  hits: LeakHit[];
  /** Answers that carry what looks like a stack trace (a file:line:column, a node_modules path, a "stack" field). */
  stackTraces: string[];
}

/**
 * Tokens and keys are searched as whole atoms: the maximal runs of base64 and
 * base64url characters ('=' and '.' separate them), which is how they appear
 * in JSON, a query string, a header or a log line. The few fixed secrets are
 * searched as plain substrings.
 */
const ATOM = /[A-Za-z0-9+/_-]{16,}/g;
const STACK_TRACE = /\bat [\w$.<>[\] ]+ \(|[\w/-]+\.(?:ts|js|mjs|cjs):\d+:\d+|node_modules|"stack"\s*:/;

/** The part of a secret that is searched as an atom. */
function atomOf(kind: SecretKind, value: string): string {
  switch (kind) {
    // <session id>.<43 characters>: the secret part is the credential.
    case 'refresh token':
      return value.slice(value.indexOf('.') + 1);
    // A JWT's signature is what makes it a credential (its header is the same for every token).
    case 'access token':
      return value.slice(value.lastIndexOf('.') + 1);
    // base64 without its padding.
    case 'session key':
      return value.replace(/=+$/, '');
    default:
      return value;
  }
}

const LITERAL_KINDS: ReadonlySet<SecretKind> = new Set(['WeChat secret', 'JWT secret', 'encryption key']);

function percentDecoded(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Each atom of the text, and of the text percent-decoded (a query string), with where it is. */
function* atomsIn(text: string): Generator<{ atom: string; index: number; source: string }> {
  for (const match of text.matchAll(ATOM)) yield { atom: match[0], index: match.index, source: text };
  if (text.includes('%')) {
    const decoded = percentDecoded(text);
    for (const match of decoded.matchAll(ATOM)) yield { atom: match[0], index: match.index, source: decoded };
  }
}

function excerptOf(text: string, index: number, secret: string): string {
  const start = Math.max(0, index - 40);
  return text
    .slice(start, index + secret.length + 40)
    .split(secret)
    .join('«secret»');
}

interface RecordedAnswer {
  where: string;
  text: string;
  /** Atoms of the tokens this answer issued. */
  issued: Set<string>;
}

/** Paths whose answers issue a token pair. */
const ISSUING = /auth\.(?:wechatLogin|refresh)/;

export class LeakScan {
  private readonly atoms = new Map<string, SecretKind>();
  private readonly literals = new Map<string, SecretKind>();
  private readonly counts = new Map<SecretKind, Set<string>>();
  private readonly answers: RecordedAnswer[] = [];
  private readonly logs: Array<{ name: string; lines: () => readonly string[] }> = [];

  /** A value that must appear in no log line and in no answer (but the one that issued it, for a token). */
  secret(kind: SecretKind, value: string | null | undefined): void {
    if (!value) return;
    let seen = this.counts.get(kind);
    if (!seen) this.counts.set(kind, (seen = new Set()));
    seen.add(value);
    if (LITERAL_KINDS.has(kind)) this.literals.set(value, kind);
    else this.atoms.set(atomOf(kind, value), kind);
  }

  /**
   * An answer as received: `where` names the request (method and path).
   * The tokens a login or refresh answer issues become secrets, exempt in
   * this answer only. `body` is the part of `text` that is the body, when
   * `text` holds more (the status line and headers).
   */
  answer(where: string, text: string, body: string = text): void {
    const issued = new Set<string>();
    if (ISSUING.test(where)) {
      for (const data of resultsOf(body)) {
        if (typeof data.accessToken === 'string') {
          this.secret('access token', data.accessToken);
          issued.add(atomOf('access token', data.accessToken));
        }
        if (typeof data.refreshToken === 'string') {
          this.secret('refresh token', data.refreshToken);
          issued.add(atomOf('refresh token', data.refreshToken));
        }
      }
    }
    this.answers.push({ where, text, issued });
  }

  /** A source of log lines, read when the scan runs (a process's output, an in-process stack's lines). */
  logSource(name: string, lines: () => readonly string[] | string): void {
    this.logs.push({
      name,
      lines: () => {
        const read = lines();
        return typeof read === 'string' ? read.split('\n') : read;
      },
    });
  }

  get answerCount(): number {
    return this.answers.length;
  }

  scan(): LeakReport {
    const hits: LeakHit[] = [];
    const stackTraces: string[] = [];
    const search = (text: string, where: string, exempt: ReadonlySet<string>) => {
      for (const [literal, kind] of this.literals) {
        const index = text.indexOf(literal);
        if (index !== -1) hits.push({ kind, where, excerpt: excerptOf(text, index, literal) });
      }
      const found = new Set<string>();
      for (const { atom, index, source } of atomsIn(text)) {
        const kind = this.atoms.get(atom);
        if (!kind || exempt.has(atom) || found.has(atom)) continue;
        found.add(atom);
        hits.push({ kind, where, excerpt: excerptOf(source, index, atom) });
      }
    };
    const none = new Set<string>();
    for (const answer of this.answers) {
      search(answer.text, `answer to ${answer.where}`, answer.issued);
      if (STACK_TRACE.test(answer.text)) stackTraces.push(`${answer.where}: ${answer.text.slice(0, 300)}`);
    }
    let logLines = 0;
    for (const log of this.logs) {
      const lines = log.lines();
      for (const line of lines) {
        if (!line) continue;
        logLines += 1;
        search(line, `log of ${log.name}`, none);
      }
    }
    const secrets: Partial<Record<SecretKind, number>> = {};
    for (const [kind, values] of this.counts) secrets[kind] = values.size;
    return { answers: this.answers.length, logLines, secrets, hits, stackTraces };
  }
}

/** result.data of an answer, or of each answer of a batch. */
function resultsOf(text: string): Array<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const found: Array<Record<string, unknown>> = [];
  for (const item of items) {
    const data = (item as { result?: { data?: unknown } } | null)?.result?.data;
    if (typeof data === 'object' && data !== null) found.push(data as Record<string, unknown>);
  }
  return found;
}

/** One line for the suite's output: what was searched, and the hits. */
export function leakSummary(suite: string, report: LeakReport): string {
  const kinds = Object.entries(report.secrets)
    .map(([kind, count]) => `${count} ${kind}${count === 1 ? '' : 's'}`)
    .join(', ');
  return `leak scan (${suite}): ${report.answers} answers, ${report.logLines} log lines searched for ${kinds} → ${report.hits.length} hits, ${report.stackTraces.length} stack traces`;
}
