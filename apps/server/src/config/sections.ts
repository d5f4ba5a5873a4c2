// The sections of the configuration, in the order of docs/configuration.md
// and .env.example, and of the problems a bad configuration lists.
import { z } from 'zod';
import { accounts } from './accounts.js';
import { apps } from './apps.js';
import { pay } from './pay.js';
import { database } from './database.js';
import { development } from './development.js';
import { limits } from './limits.js';
import { observability } from './observability.js';
import { redis } from './redis.js';
import { server } from './server.js';
import { sessions } from './sessions.js';
import type { Section } from './settings.js';
import { wechat } from './wechat.js';
import { storage } from './storage.js';
import { leaderboards } from './leaderboards.js';
import { consoleSection } from './console.js';

/** Every section documented: the server's, then pnpm dev's own. */
export const SECTIONS: readonly Section[] = [
  server,
  database,
  apps,
  wechat,
  pay,
  sessions,
  accounts,
  limits,
  redis,
  observability,
  storage,
  leaderboards,
  consoleSection,
  development,
];

/** Every variable the server reads (SECTIONS but development). */
export const serverSettings = z.object({
  ...server.settings.shape,
  ...database.settings.shape,
  ...apps.settings.shape,
  ...wechat.settings.shape,
  ...pay.settings.shape,
  ...sessions.settings.shape,
  ...accounts.settings.shape,
  ...limits.settings.shape,
  ...redis.settings.shape,
  ...observability.settings.shape,
  ...storage.settings.shape,
  ...leaderboards.settings.shape,
  ...consoleSection.settings.shape,
});
