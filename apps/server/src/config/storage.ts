import { z } from 'zod';
import type { GameApp } from './apps.js';
import { commaList, integer, section, setting } from './settings.js';

/** A collection a game may declare public-read: a name a client may write (never one of the reserved `_…`). */
export const publicCollectionName = z
  .string()
  .regex(/^[A-Za-z0-9.-][A-Za-z0-9_.-]{0,63}$/, 'must be collection names: 1-64 letters, digits, _ . or -, not starting with _ (reserved)');

export const storage = section(
  'Cloud saves',
  "Each player's saved objects (`storage.*`): how large, how many, which collections other players may read, and how experience makes levels.",
  {
    STORAGE_MAX_VALUE_BYTES: setting(integer(16, 16 * 1024 * 1024), {
      default: String(64 * 1024),
      description:
        "most bytes of one object's value, as JSON in UTF-8 (413 `STORAGE_VALUE_TOO_LARGE` beyond); a request is also bound by `BODY_LIMIT`",
    }),
    STORAGE_MAX_OBJECTS: setting(integer(1, 10_000_000), {
      default: '1000',
      description: 'most objects a player may keep (403 `STORAGE_QUOTA_EXCEEDED`, `data.limit: "objects"`, beyond)',
    }),
    STORAGE_MAX_BYTES: setting(integer(16, 1024 * 1024 * 1024), {
      default: String(4 * 1024 * 1024),
      description: 'most bytes of all a player\'s values together (403 `STORAGE_QUOTA_EXCEEDED`, `data.limit: "bytes"`, beyond)',
    }),
    STORAGE_PUBLIC_COLLECTIONS: setting(commaList(publicCollectionName), {
      unset: 'none: every object is private to its player',
      description:
        "comma-separated collections of the `WECHAT_*` game that any signed-in player may read with `storage.getPublic` (a showcase); with `APPS_FILE`, each game's entry says instead (`storage: { publicCollections }`)",
    }),
    EXPERIENCE_PER_LEVEL: setting(integer(1, 1_000_000_000), {
      unset: 'grants of experience leave the level alone',
      description: 'the level rule: a grant of experience raises the level to 1 + floor(experience / this), never lowering it',
    }),
  },
);

type Values = z.output<typeof storage.settings> & { APPS_FILE?: GameApp[] | undefined };

export function storageConflicts(values: Values): string[] {
  const problems: string[] = [];
  if (values.APPS_FILE !== undefined && values.STORAGE_PUBLIC_COLLECTIONS !== undefined) {
    problems.push(
      "APPS_FILE and STORAGE_PUBLIC_COLLECTIONS: with APPS_FILE, each game's entry declares its public collections (storage: { publicCollections }); unset STORAGE_PUBLIC_COLLECTIONS",
    );
  }
  if (values.STORAGE_MAX_VALUE_BYTES > values.STORAGE_MAX_BYTES) {
    problems.push('STORAGE_MAX_VALUE_BYTES: is larger than STORAGE_MAX_BYTES, so such a value could never be saved');
  }
  return problems;
}

/** `apps`: the games served (APPS_FILE's entries carry their own public collections). */
export function storageConfig(values: Values, apps: readonly GameApp[]) {
  const publicCollections: Record<string, string[]> = {};
  for (const app of apps) publicCollections[app.appid] = [...(app.storage?.publicCollections ?? values.STORAGE_PUBLIC_COLLECTIONS ?? [])];
  return {
    storage: {
      /** STORAGE_MAX_VALUE_BYTES: one value's JSON, UTF-8 bytes. */
      maxValueBytes: values.STORAGE_MAX_VALUE_BYTES,
      /** STORAGE_MAX_OBJECTS and STORAGE_MAX_BYTES: each player's quotas. */
      maxObjects: values.STORAGE_MAX_OBJECTS,
      maxBytes: values.STORAGE_MAX_BYTES,
      /** Each game's public-read collections, by appid (APPS_FILE's `storage.publicCollections`, else STORAGE_PUBLIC_COLLECTIONS). */
      publicCollections,
      /** EXPERIENCE_PER_LEVEL: the level rule of experience grants; null: grants leave the level alone. */
      experiencePerLevel: values.EXPERIENCE_PER_LEVEL ?? null,
    },
  };
}
