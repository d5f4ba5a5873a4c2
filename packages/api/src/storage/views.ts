/** Any JSON value: what a saved object holds. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What `storage.get`, `storage.list` and `storage.getPublic` answer for an object. */
export interface StorageObjectView {
  collection: string;
  key: string;
  value: JsonValue;
  /** Send it back as `version` to write only while nobody else has since. */
  version: string;
  /** Epoch milliseconds of the last write. */
  updatedAt: number;
}

/** What a write answers for each object written: its new version. */
export interface StorageWriteView {
  collection: string;
  key: string;
  version: string;
  /** Epoch milliseconds. */
  updatedAt: number;
}

/** A saved object as account.export lists it. */
export interface StorageExportView extends StorageObjectView {
  /** Epoch milliseconds of its first write. */
  createdAt: number;
  /** The value's UTF-8 bytes, as the quota counts them. */
  sizeBytes: number;
}

/** The seed's Experience and Level, after a grant. */
export interface ProgressView {
  experience: number;
  level: number;
}
