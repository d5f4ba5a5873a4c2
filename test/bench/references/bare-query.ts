// Reference (a) of the protected call: a bare tRPC query on the same Fastify
// adapter, no auth, no database. It answers what account.me answers, from memory.
import { initTRPC } from './trpc.js';
import { serveReference } from './serve.js';

const t = initTRPC.create();
const ANSWER = {
  id: 1042,
  nickName: 'player-1042',
  avatarUrl: '',
  createdAt: Date.now(),
  phoneBound: false,
  profile: {
    gender: 0,
    level: 1,
    experience: 0,
    lastLoginAt: Date.now(),
    birthday: null,
    onlineSeconds: 0,
    unreadMessages: 0,
    country: '',
    province: '',
    city: '',
    language: '',
  },
};

const router = t.router({ account: t.router({ me: t.procedure.query(() => ANSWER) }) });
await serveReference(router);
