import { randomBytes } from 'node:crypto';
import { fail, ok, parseJsonObject, type Answer } from '../answers.js';
import type { Authorize, SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';
import type { SimulatedContentRule } from '../types.js';

export interface MsgSecCheckOptions {
  contentRules: readonly SimulatedContentRule[];
  /** 61010 for a player who has not logged in for this long. */
  recentVisitMs: number;
}

interface Verdict {
  suggest: 'pass' | 'review' | 'risky';
  label: number;
  keyword: string | null;
}

/**
 * POST /wxa/msg_sec_check (security.msgSecCheck): version 1 answers 87014
 * for risky content; version 2 judges by the content rules for a player who
 * visited recently (61010 otherwise), with WeChat's result and detail.
 */
export function createMsgSecCheck(context: SimulatorContext, authorize: Authorize, options: MsgSecCheckOptions) {
  const { now, players } = context;
  let contentRules = [...options.contentRules];

  const verdictOf = (texts: string[]): Verdict => {
    const haystack = texts.join('\n').toLowerCase();
    const hits = contentRules.filter((rule) => rule.word && haystack.includes(rule.word.toLowerCase()));
    const hit = hits.find((rule) => rule.suggest === 'risky') ?? hits[0];
    return hit ? { suggest: hit.suggest, label: hit.label ?? 21000, keyword: hit.word } : { suggest: 'pass', label: 100, keyword: null };
  };

  const answer = (method: string, query: URLSearchParams, body: string): Answer => {
    if (method !== 'POST') return fail(43002);
    const appid = authorize(query);
    if (typeof appid !== 'string') return appid;
    const request = parseJsonObject(body);
    if (!request || typeof request.content !== 'string') return fail(47001);
    const texts = [request.content, request.nickname, request.title, request.signature].filter((text): text is string => typeof text === 'string');
    const verdict = verdictOf(texts);
    if (request.version === undefined || request.version === 1) {
      // Version 1: an errcode for risky content, no result.
      return verdict.suggest === 'risky' ? fail(87014) : ok();
    }
    if (request.version !== 2) return fail(47001);
    if (typeof request.scene !== 'number' || ![1, 2, 3, 4].includes(request.scene)) return fail(47001);
    const player = players.playerOf(appid, typeof request.openid === 'string' ? request.openid : null);
    if (player === undefined) return fail(40003);
    const session = players.session(appid, player);
    if (!session || now() - session.issuedAt > options.recentVisitMs) return fail(61010);
    const { suggest, label, keyword } = verdict;
    const detail: Answer[] = [{ strategy: 'content_model', errcode: 0, suggest, label, prob: suggest === 'pass' ? 0 : 90 }];
    if (keyword) detail.push({ strategy: 'keyword', errcode: 0, suggest, label, level: 20, keyword });
    return ok({ result: { suggest, label }, detail, trace_id: `${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}` });
  };

  const endpoint: SimulatedEndpointDefinition = {
    name: 'msg_sec_check',
    path: '/wxa/msg_sec_check',
    faults: new FaultQueue(),
    answer: ({ method, query, body }) => answer(method, query, body),
  };

  return {
    endpoint,
    /** Replaces the word list. */
    setContentRules(rules: readonly SimulatedContentRule[]): void {
      contentRules = [...rules];
    },
  };
}
