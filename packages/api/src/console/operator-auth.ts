import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import {
  countOperators,
  createOperator,
  createOperatorSession,
  findLiveOperatorSession,
  findOperatorByName,
  revokeOperatorSession,
  touchOperatorSession,
  type Database,
  type Kysely,
  type LiveOperatorSession,
  type OperatorRole,
} from '@minigate/db';
import { MinigateError } from '../errors.js';

export const OPERATOR_ROLES: readonly OperatorRole[] = ['viewer', 'support', 'finance', 'admin'];

/** The console's settings (the server's Operator console section). */
export interface ConsoleSettings {
  /** CONSOLE_SESSION_HOURS: how long a console login lasts. */
  sessionHours: number;
  /** The key CSRF tokens are derived with (from the server's JWT secret: never sent anywhere). */
  csrfKey: string;
}

/** A name's hash to verify against when there is no such operator: a wrong name costs what a wrong password does. */
const NO_SUCH_OPERATOR = '$argon2id$v=19$m=19456,t=2,p=1$mfr3dqml8mu75ZJZnBhFmQ$35BcLHWE1aGfWXZ5S8IXGKs6899/bOMuAdpYaZKh6YM';
/** Console logins are touched at most this often (a console page makes several calls a second). */
const TOUCH_EVERY_MS = 60_000;

const sha256 = (token: string) => createHash('sha256').update(token).digest();

/** A new operator (pnpm admin operator:create, pnpm dev): the password hashed with argon2id; a bad name, role or password throws a RangeError. */
export async function createOperatorAccount(
  db: Kysely<Database>,
  operator: { name: string; role: string; password: string },
  at: Date = new Date(),
): Promise<number> {
  const role = OPERATOR_ROLES.find((known) => known === operator.role);
  if (!role) throw new RangeError(`the role must be one of ${OPERATOR_ROLES.join(', ')}`);
  if (!/^[\p{L}\p{N}_.@-]{1,64}$/u.test(operator.name)) throw new RangeError('the name must be 1-64 letters, digits, _ . @ or -');
  if (operator.password.length < 10 || operator.password.length > 256) throw new RangeError('the password must be 10-256 characters');
  return createOperator(db, { name: operator.name, role, passwordHash: await hash(operator.password), at });
}

export function createOperatorAuth(deps: { db: Kysely<Database>; settings: ConsoleSettings; now?: () => number }) {
  const { db, settings } = deps;
  const now = deps.now ?? Date.now;
  const csrfFor = (token: string) => createHmac('sha256', settings.csrfKey).update(`console-csrf:${token}`).digest('base64url');

  return {
    createOperator: (operator: { name: string; role: string; password: string }) => createOperatorAccount(db, operator, new Date(now())),

    hasOperators: async () => (await countOperators(db)) > 0,

    /** Checks the password; a new console login: its cookie token and CSRF token. */
    async login(name: string, password: string, from: { ip: string; userAgent: string }) {
      const operator = await findOperatorByName(db, name);
      const matches = await verify(operator?.passwordHash ?? NO_SUCH_OPERATOR, password).catch(() => false);
      if (!operator || operator.disabled || !matches) {
        throw new MinigateError({ code: 'UNAUTHORIZED', reason: 'OPERATOR_LOGIN_FAILED', message: 'Wrong name or password' });
      }
      const token = randomBytes(32).toString('base64url');
      const at = now();
      await createOperatorSession(db, {
        operatorId: operator.operatorId,
        tokenHash: sha256(token),
        at: new Date(at),
        expiresAt: new Date(at + settings.sessionHours * 3600_000),
        ...from,
      });
      return {
        token,
        csrfToken: csrfFor(token),
        operator: { name: operator.name, role: operator.role },
        maxAgeSeconds: settings.sessionHours * 3600,
      };
    },

    /** The live login of a cookie's token, or null. */
    async session(token: string): Promise<LiveOperatorSession | null> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const at = now();
      const session = await findLiveOperatorSession(db, sha256(token), new Date(at));
      if (!session) return null;
      if (at - session.lastUsedAt.getTime() > TOUCH_EVERY_MS) await touchOperatorSession(db, session.sessionId, new Date(at));
      return session;
    },

    csrfFor,

    /** Whether a change's x-csrf-token is the one of this login. */
    csrfMatches(token: string, given: string | undefined): boolean {
      if (!given) return false;
      const expected = Buffer.from(csrfFor(token));
      const actual = Buffer.from(given);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },

    logout: (sessionId: number) => revokeOperatorSession(db, sessionId, new Date(now())),
  };
}

export type OperatorAuth = ReturnType<typeof createOperatorAuth>;
