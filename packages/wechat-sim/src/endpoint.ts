import type { Answer } from './answers.js';
import type { FaultQueue } from './faults.js';
import type { Players } from './players.js';
import type { SimulatedApp, SimulatedEndpoint } from './types.js';

/** What every endpoint shares: the app registry, the clock, and the players with their openids and session keys. */
export interface SimulatorContext {
  readonly apps: ReadonlyMap<string, SimulatedApp>;
  readonly now: () => number;
  readonly players: Players;
}

/** The appid the query's access_token belongs to, or WeChat's errcode answer for it (stable_token's tokens decide). */
export type Authorize = (query: URLSearchParams) => string | Answer;

/** One call of a WeChat endpoint, its body read. */
export interface WeChatCall {
  method: string;
  query: URLSearchParams;
  body: string;
}

/** One of WeChat's server endpoints as the simulator plays it. */
export interface SimulatedEndpointDefinition {
  readonly name: SimulatedEndpoint;
  readonly path: string;
  /** Set when WeChat serves the path for this method only (jscode2session: GET); otherwise every method reaches `answer`. */
  readonly method?: string;
  /** The answer's content type; application/json by default (jscode2session's is text/plain). */
  readonly contentType?: string;
  /** The endpoint's injected faults. */
  readonly faults: FaultQueue;
  /** An injected errcode fault in the endpoint's shape; WeChat's `{ errcode, errmsg }` by default. */
  readonly faultAnswer?: (errcode: number, errmsg?: string) => Answer;
  answer(call: WeChatCall): Answer;
}

/** A /sim/* reply: status, body (JSON unless a string) and content type (application/json by default). */
export interface SimReply {
  status: number;
  body: unknown;
  contentType?: string;
}

/** A /sim/* route: what a device gets from WeChat itself (wx.login, wx.getUserInfo), by HTTP for tests and `pnpm dev`. */
export interface SimRoute {
  readonly path: string;
  /** Who the request names: a `player` (the default) or, for an anonymous code, a `device`. */
  readonly subject?: 'player' | 'device';
  /**
   * Answers a GET or POST that names a known app (the first app by
   * default) and a player (or device, in `player`); `params` are the query
   * of a GET or the JSON body of a POST.
   */
  answer(who: { appid: string; player: string }, params: Record<string, unknown>, query: URLSearchParams): SimReply;
}
