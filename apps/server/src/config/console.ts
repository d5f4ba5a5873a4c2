import { z } from 'zod';
import { integer, section, setting } from './settings.js';

export const consoleSection = section(
  'Operator console',
  'The web page operators run a live game from (`/console`): players, orders, mail, leaderboards and dashboards. Operators have their own accounts (`pnpm admin operator:create`).',
  {
    CONSOLE_ENABLED: setting(
      z.enum(['true', 'false']).transform((value) => value === 'true'),
      {
        default: 'false',
        dev: '`true`, with an operator `admin` (password `minigate-dev`) made when there is none',
        description: '`true`: serve the console at `/console` and its API at `/console/api` (404 otherwise)',
      },
    ),
    CONSOLE_SESSION_HOURS: setting(integer(1, 24 * 30), {
      default: '12',
      description: "how long an operator's console login lasts, hours",
    }),
  },
);

export function consoleConfig(values: z.output<typeof consoleSection.settings>) {
  return {
    console: {
      /** CONSOLE_ENABLED: /console and /console/api served. */
      enabled: values.CONSOLE_ENABLED,
      /** CONSOLE_SESSION_HOURS. */
      sessionHours: values.CONSOLE_SESSION_HOURS,
    },
  };
}
