/**
 * The server's configuration, read from the environment and checked at start. Every error
 * names the variable and says how to fix it. The variables are a stable contract
 * (`../shared/design.md`): DATABASE_URL, PORT, CHATLOOM_SECRET_KEY, GRAPH_API_BASE_URL,
 * LOG_LEVEL; the others are optional extras.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const logLevels: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Where the data lives. */
export type DatabaseConfig =
  | { kind: 'sqlite'; filename: string }
  | { kind: 'postgres'; connectionString: string; schema?: string };

export interface ServerConfig {
  database: DatabaseConfig;
  /** Default 3000. */
  port: number;
  /** Default `0.0.0.0`. */
  host: string;
  /** 32 bytes (64 hex characters or base64): encrypts channel credentials and API tokens at rest. */
  secretKey: string;
  /** Meta's Graph API (default `https://graph.facebook.com`); tests point it at the fake. */
  graphApiBaseUrl: string;
  logLevel: LogLevel;
  /** Where SQLite files and the generated dev key live (default `./data`). */
  dataDir: string;
  /** The address people and Meta reach this server at, for callback URLs (default: from the request). */
  publicUrl?: string;
  /** A built admin UI to serve at `/` (default: `@chatloom/admin-ui`'s build, once it exists). */
  adminUiDir?: string;
  /** Whether the session cookie is `Secure` regardless of the request (default: only over TLS). */
  secureCookies?: boolean;
  /** Logins allowed per minute per client address and email (default 10). */
  loginRateLimit: number;
  /** Behind a reverse proxy: trust X-Forwarded-* (client address, TLS for Secure cookies). */
  trustProxy: boolean;
  /**
   * How often (ms) an open event stream is pinged and its sign-in checked again (default
   * 15000): a signed-out, deactivated or removed user's stream ends by the next one.
   */
  liveHeartbeatMs?: number;
}

/** A configuration problem: `variable` is the environment variable at fault. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Default: `./data` under the working directory (CHATLOOM_DATA_DIR overrides). */
  dataDir?: string;
  /**
   * Outside production a missing CHATLOOM_SECRET_KEY is generated once and kept in
   * `<dataDir>/secret.key`. Default: when NODE_ENV is not `production`.
   */
  generateSecretKey?: boolean;
}

/** Parses DATABASE_URL: a file path, a `sqlite:` URL, or `postgres://…`. */
export function parseDatabaseUrl(value: string | undefined, dataDir: string): DatabaseConfig {
  const raw = value?.trim();
  if (!raw) return { kind: 'sqlite', filename: join(dataDir, 'chatloom.db') };
  if (/^postgres(ql)?:\/\//i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(
        'DATABASE_URL',
        `"${redact(raw)}" is not a valid URL; use postgres://user:password@host:5432/database`,
      );
    }
    if (url.pathname === '' || url.pathname === '/')
      throw new ConfigError(
        'DATABASE_URL',
        `"${redact(raw)}" names no database; use postgres://user:password@host:5432/database`,
      );
    const schema = url.searchParams.get('schema') ?? undefined;
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema))
      throw new ConfigError(
        'DATABASE_URL',
        `schema "${schema}" must be a plain identifier (letters, digits, _)`,
      );
    url.searchParams.delete('schema');
    return { kind: 'postgres', connectionString: url.toString(), ...(schema && { schema }) };
  }
  if (/^sqlite:/i.test(raw)) {
    let path = raw.replace(/^sqlite:/i, '');
    if (path.startsWith('//')) path = path.slice(2); // sqlite:///abs/path → /abs/path
    if (path === '')
      throw new ConfigError(
        'DATABASE_URL',
        'sqlite: needs a file path, like sqlite:./data/chatloom.db',
      );
    return { kind: 'sqlite', filename: path === ':memory:' ? path : resolve(path) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw))
    throw new ConfigError(
      'DATABASE_URL',
      `"${redact(raw)}" is neither a file path, a sqlite: URL nor a postgres:// URL`,
    );
  return { kind: 'sqlite', filename: raw === ':memory:' ? raw : resolve(raw) };
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

function parseSecretKey(value: string): string {
  const bytes = /^[0-9a-fA-F]{64}$/.test(value)
    ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/=_-]+$/.test(value)
      ? Buffer.from(value, 'base64')
      : Buffer.alloc(0);
  if (bytes.length !== 32)
    throw new ConfigError(
      'CHATLOOM_SECRET_KEY',
      `must be 32 bytes as 64 hex characters or 44 base64 characters (got ${value.length} characters); generate one with \`openssl rand -hex 32\``,
    );
  return value;
}

/** Reads and checks the configuration. Throws `ConfigError` naming the variable at fault. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: LoadConfigOptions = {},
): ServerConfig {
  const dataDir = resolve(options.dataDir ?? env.CHATLOOM_DATA_DIR ?? 'data');
  const database = parseDatabaseUrl(env.DATABASE_URL, dataDir);

  const portText = env.PORT?.trim() || '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new ConfigError('PORT', `"${portText}" is not a port number (0–65535); e.g. PORT=3000`);

  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!logLevels.includes(logLevel))
    throw new ConfigError(
      'LOG_LEVEL',
      `"${env.LOG_LEVEL}" is not a level; use one of ${logLevels.join(', ')}`,
    );

  const graphApiBaseUrl = (env.GRAPH_API_BASE_URL?.trim() || 'https://graph.facebook.com').replace(
    /\/+$/,
    '',
  );
  if (!/^https?:\/\/[^/]+/.test(graphApiBaseUrl))
    throw new ConfigError(
      'GRAPH_API_BASE_URL',
      `"${graphApiBaseUrl}" is not an http(s) URL; leave it unset for https://graph.facebook.com`,
    );

  const publicUrl = env.CHATLOOM_PUBLIC_URL?.trim().replace(/\/+$/, '') || undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl))
    throw new ConfigError(
      'CHATLOOM_PUBLIC_URL',
      `"${publicUrl}" is not an http(s) URL; set the address Meta reaches this server at, like https://chat.example.com`,
    );

  const generate = options.generateSecretKey ?? env.NODE_ENV !== 'production';
  let secretKey = env.CHATLOOM_SECRET_KEY?.trim();
  if (secretKey) {
    parseSecretKey(secretKey);
  } else if (generate) {
    secretKey = devSecretKey(dataDir);
  } else {
    throw new ConfigError(
      'CHATLOOM_SECRET_KEY',
      'is required in production (it encrypts channel credentials and API tokens); generate one with `openssl rand -hex 32` and keep it safe: data written with one key cannot be read with another',
    );
  }

  const rateText = env.CHATLOOM_LOGIN_RATE_LIMIT?.trim() || '10';
  const loginRateLimit = Number(rateText);
  if (!/^\d+$/.test(rateText) || loginRateLimit < 1)
    throw new ConfigError('CHATLOOM_LOGIN_RATE_LIMIT', `"${rateText}" is not a whole number ≥ 1`);

  const adminUiDir = env.CHATLOOM_ADMIN_UI_DIR?.trim();
  const host = env.HOST?.trim() || '0.0.0.0';
  return {
    database,
    port,
    host,
    secretKey,
    graphApiBaseUrl,
    logLevel,
    dataDir,
    loginRateLimit,
    trustProxy: env.CHATLOOM_TRUST_PROXY === 'true' || env.CHATLOOM_TRUST_PROXY === '1',
    ...(publicUrl !== undefined && { publicUrl }),
    ...(adminUiDir && { adminUiDir: isAbsolute(adminUiDir) ? adminUiDir : resolve(adminUiDir) }),
    ...(env.CHATLOOM_SECURE_COOKIES !== undefined && {
      secureCookies: env.CHATLOOM_SECURE_COOKIES === 'true' || env.CHATLOOM_SECURE_COOKIES === '1',
    }),
  };
}

/** The dev key: generated once under the data directory, read back on every start. */
function devSecretKey(dataDir: string): string {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    try {
      return parseSecretKey(stored);
    } catch {
      throw new ConfigError(
        'CHATLOOM_SECRET_KEY',
        `the generated key in ${file} is damaged; restore it, or set CHATLOOM_SECRET_KEY to the key the data was written with`,
      );
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
