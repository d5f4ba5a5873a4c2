export interface DatabaseTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

const DATABASE_NAME = /^[A-Za-z0-9_$]{1,64}$/;

/** Reads `mysql://user:pass@host:port/db`; the password never enters an error message. */
export function parseDatabaseUrl(databaseUrl: string): DatabaseTarget {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DatabaseUrlError('DATABASE_URL is not a URL; expected mysql://user:pass@host:port/db');
  }
  if (url.protocol !== 'mysql:') {
    throw new DatabaseUrlError(`DATABASE_URL must start with mysql:// (got ${url.protocol}//)`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!DATABASE_NAME.test(database)) {
    throw new DatabaseUrlError('DATABASE_URL must name a database (letters, digits, _ or $) after the host: mysql://user:pass@host:port/db');
  }
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
    database,
  };
}

/** The URL with its password masked, for log lines and messages. */
export function describeDatabaseUrl(databaseUrl: string): string {
  const target = parseDatabaseUrl(databaseUrl);
  return `mysql://${target.user}${target.password ? ':***' : ''}@${target.host}:${target.port}/${target.database}`;
}
