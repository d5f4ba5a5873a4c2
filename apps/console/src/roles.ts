// Which operator role may do what (the contract's roles). The page only greys out what a role may not do:
// the server decides, and answers 403 OPERATOR_FORBIDDEN to anything else.
import type { Role } from './api.js';

export type Action = 'ban' | 'unban' | 'revokeSessions' | 'deleteAccount' | 'refundOrder' | 'retryOrder' | 'grant' | 'removeScore' | 'sendMail';

const ALLOWED: Record<Role, readonly Action[]> = {
  viewer: [],
  support: ['ban', 'unban', 'revokeSessions', 'sendMail', 'removeScore'],
  finance: ['refundOrder', 'retryOrder', 'grant'],
  admin: ['ban', 'unban', 'revokeSessions', 'deleteAccount', 'refundOrder', 'retryOrder', 'grant', 'removeScore', 'sendMail'],
};

export const mayDo = (role: Role, action: Action): boolean => ALLOWED[role].includes(action);
