import { randomBytes } from 'node:crypto';
import { fail, ok, parseJsonObject, type Answer } from '../answers.js';
import { IssuedCodes, type IssuedCode } from '../codes.js';
import type { Authorize, SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';
import type { SimulatedPhone } from '../types.js';

export interface PhoneNumberOptions {
  /** How long a phone code stays valid (as long as a login code). */
  codeTtlMs: number;
}

interface IssuedPhoneCode extends IssuedCode {
  phone: SimulatedPhone;
}

/**
 * POST /wxa/business/getuserphonenumber (phonenumber.getPhoneNumber): the
 * phone number for a single-use phone code the phone number button gave the
 * game.
 */
export function createPhoneNumber(context: SimulatorContext, authorize: Authorize, options: PhoneNumberOptions) {
  const { now } = context;
  const phoneCodes = new IssuedCodes<IssuedPhoneCode>(now, options.codeTtlMs);

  const answer = (method: string, query: URLSearchParams, body: string): Answer => {
    if (method !== 'POST') return fail(43002);
    const appid = authorize(query);
    if (typeof appid !== 'string') return appid;
    const request = parseJsonObject(body);
    if (!request) return fail(47001);
    if (typeof request.code !== 'string' || !request.code) return fail(41008);
    const issued = phoneCodes.find(request.code, appid);
    if (!issued || issued.used) return fail(40029);
    issued.used = true;
    return ok({ phone_info: { ...issued.phone, watermark: { timestamp: Math.floor(now() / 1000), appid } } });
  };

  const endpoint: SimulatedEndpointDefinition = {
    name: 'getuserphonenumber',
    path: '/wxa/business/getuserphonenumber',
    faults: new FaultQueue(),
    answer: ({ method, query, body }) => answer(method, query, body),
  };

  return {
    endpoint,
    /** Mints a single-use phone code for the player's number. */
    issuePhoneCode(appid: string, player: string, phone: string | SimulatedPhone): string {
      const code = randomBytes(32).toString('hex');
      const info = typeof phone === 'string' ? { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' } : { ...phone };
      phoneCodes.add(code, { appid, player, issuedAt: now(), used: false, phone: info });
      return code;
    },
  };
}
