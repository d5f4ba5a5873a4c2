/** The cloud saves' settings (the server's Cloud saves section: STORAGE_*, EXPERIENCE_PER_LEVEL, APPS_FILE's `storage`). */
export interface StorageSettings {
  /** Most UTF-8 bytes of one value's JSON. */
  maxValueBytes: number;
  /** Each player's quotas: objects, and bytes of all values together. */
  maxObjects: number;
  maxBytes: number;
  /** Each game's collections that any signed-in player of that game may read (storage.getPublic), by appid. */
  publicCollections: Readonly<Record<string, readonly string[]>>;
  /** The level rule of experience grants: 1 + floor(experience / this); null leaves the level alone. */
  experiencePerLevel: number | null;
}

/** Collections starting with this are the server's: no client writes them. */
export const RESERVED_COLLECTION_PREFIX = '_';
