/** A real server process (the CLI, from source) for end-to-end tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  base: string;
  output: () => string;
  child: ChildProcess;
  /** SIGTERM, and wait for the exit (graceful shutdown). */
  stop(): Promise<number | null>;
}

export async function startProcess(
  env: Record<string, string>,
  args: string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--conditions=@chatloom/source', '--import', 'tsx', cli, 'start', ...args],
    {
      env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes('Chatloom is running on')) {
        clearTimeout(timer);
        // The credentials block follows in the same write.
        setTimeout(resolve, 50);
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`server exited:\n${output}`));
      } else setTimeout(check, 50);
    };
    check();
  });
  return {
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The first-run admin credentials the CLI printed. */
export function demoCredentials(output: string) {
  const email = /email\s+(\S+)/.exec(output)?.[1];
  const password = /password\s+(\S+)/.exec(output)?.[1];
  if (!email || !password) throw new Error(`no demo credentials in:\n${output}`);
  return { email, password };
}

/** Signs in and returns a fetch helper for the API. */
export async function apiClient(base: string, credentials: { email: string; password: string }) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return async function api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    at = base,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${at}/api/v1${path}`, {
      method,
      headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}
