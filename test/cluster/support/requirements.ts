import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The path of `name` on PATH (or in the sbin folders a non-root PATH may lack), or null. */
export function findCommand(name: string): string | null {
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const folder of folders) {
    if (!folder) continue;
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The first of `paths` that exists, or null. */
export function findFile(paths: readonly string[]): string | null {
  for (const path of paths) {
    try {
      accessSync(path, constants.R_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Thrown (never skipped) when a cluster cannot be started because its software is missing; says what to install. */
export class ClusterSoftwareMissingError extends Error {
  override name = 'ClusterSoftwareMissingError';
}

export const INSTALL_HINT = 'apt-get install galera-4 mariadb-server rsync redis-server redis-tools';

/** Each of `commands` found on PATH, or one error naming every missing one and what to install. */
export function requireCommands<const Names extends readonly string[]>(what: string, commands: Names): Record<Names[number], string> {
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of commands) {
    const path = findCommand(name);
    if (path) found[name] = path;
    else missing.push(name);
  }
  if (missing.length > 0) {
    throw new ClusterSoftwareMissingError(`${what} cannot start: ${missing.join(', ')} not found. Install it with: ${INSTALL_HINT}`);
  }
  return found as Record<Names[number], string>;
}
