import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, parseDatabaseUrl } from '../src/config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'chatloom-config-'));

describe('loadConfig', () => {
  test('defaults: SQLite under ./data, port 3000, a dev key kept under the data directory', () => {
    const dataDir = dir();
    const config = loadConfig({}, { dataDir });
    expect(config.database).toEqual({ kind: 'sqlite', filename: join(dataDir, 'chatloom.db') });
    expect(config.port).toBe(3000);
    expect(config.graphApiBaseUrl).toBe('https://graph.facebook.com');
    expect(config.logLevel).toBe('info');
    expect(config.secretKey).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim()).toBe(config.secretKey);
    // Read back, not generated again.
    expect(loadConfig({}, { dataDir }).secretKey).toBe(config.secretKey);
  });

  test('DATABASE_URL: a path, a sqlite: URL, postgres:// with an optional schema', () => {
    expect(parseDatabaseUrl('db/x.db', '/data')).toEqual({
      kind: 'sqlite',
      filename: resolve('db/x.db'),
    });
    expect(parseDatabaseUrl('sqlite:./y.db', '/data')).toEqual({
      kind: 'sqlite',
      filename: resolve('y.db'),
    });
    expect(parseDatabaseUrl('sqlite:///tmp/z.db', '/data')).toEqual({
      kind: 'sqlite',
      filename: '/tmp/z.db',
    });
    expect(parseDatabaseUrl('postgres://u:p@h:5432/db?schema=s1', '/data')).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u:p@h:5432/db',
      schema: 's1',
    });
  });

  test('errors name the variable and the fix', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ PORT: 'eighty' }, 'PORT', /not a port number/],
      [{ PORT: '70000' }, 'PORT', /0–65535/],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /use one of fatal, error/],
      [{ DATABASE_URL: 'mysql://h/db' }, 'DATABASE_URL', /neither a file path/],
      [{ DATABASE_URL: 'postgres://u:secret@h:5432' }, 'DATABASE_URL', /names no database/],
      [{ GRAPH_API_BASE_URL: 'graph.facebook.com' }, 'GRAPH_API_BASE_URL', /not an http\(s\) URL/],
      [{ CHATLOOM_SECRET_KEY: 'short' }, 'CHATLOOM_SECRET_KEY', /openssl rand -hex 32/],
      [{ NODE_ENV: 'production' }, 'CHATLOOM_SECRET_KEY', /required in production/],
    ];
    for (const [env, variable, message] of cases) {
      let error: unknown;
      try {
        loadConfig(env, { dataDir: dir() });
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as ConfigError).message).toMatch(message);
      expect((error as ConfigError).message.startsWith(`${variable}: `)).toBe(true);
    }
    // A password in the URL is not repeated in the error.
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://u:secret@h:5432' }, { dataDir: dir() }),
    ).toThrow(/u:\*\*\*@/);
  });

  test('production with a key generates nothing', () => {
    const dataDir = dir();
    const key = 'a'.repeat(64);
    expect(
      loadConfig({ NODE_ENV: 'production', CHATLOOM_SECRET_KEY: key }, { dataDir }).secretKey,
    ).toBe(key);
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(false);
  });
});
