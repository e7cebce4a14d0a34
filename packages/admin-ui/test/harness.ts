/**
 * Browser end-to-end harness: the UI built fresh, a real `chatloom start` process (from
 * source, SQLite in a temporary folder, first-run demo) serving it, and Debian's Chromium
 * driven by playwright-core. Screenshots go to test-results/ (gitignored).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repositoryRoot = resolve(packageDir, '../..');
export const resultsDir = join(packageDir, 'test-results');
export const chromiumPath = process.env.CHATLOOM_CHROMIUM ?? '/usr/bin/chromium';

/** Fails (never skips) when the browser is missing, saying how to install it. */
export function requireChromium(): void {
  if (!existsSync(chromiumPath))
    throw new Error(
      `Browser tests need Chromium at ${chromiumPath}, which is missing. Install it with: ` +
        'apt-get update && apt-get install -y chromium (or set CHATLOOM_CHROMIUM to its path).',
    );
}

/** Builds the UI into a fresh folder, so the test never serves a stale dist/. */
export async function buildUi(outDir: string): Promise<void> {
  const require = createRequire(join(packageDir, 'package.json'));
  const viteBin = join(dirname(require.resolve('vite/package.json')), 'bin/vite.js');
  await run(
    process.execPath,
    [viteBin, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    packageDir,
  );
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * The UI built once per test run, shared by every browser test file: the first caller takes
 * the lock (an atomic mkdir) and builds; the others wait for its `built` or `failed` mark.
 */
export async function ensureUiBuilt(): Promise<string> {
  const dir = inject('uiBuildDir');
  const uiDir = join(dir, 'ui');
  const built = join(dir, 'built');
  const failed = join(dir, 'failed');
  let owner = false;
  try {
    mkdirSync(join(dir, 'lock'));
    owner = true;
  } catch {
    // another test file is building
  }
  if (owner) {
    try {
      await buildUi(uiDir);
      writeFileSync(built, '');
    } catch (error) {
      writeFileSync(failed, error instanceof Error ? error.message : String(error));
      throw error;
    }
    return uiDir;
  }
  await waitFor(
    () => existsSync(built) || existsSync(failed),
    300_000,
    () => 'the UI build of another test file did not finish in 5 minutes',
  );
  if (existsSync(failed)) throw new Error(`UI build failed:\n${readFileSync(failed, 'utf8')}`);
  return uiDir;
}

export interface Harness {
  base: string;
  admin: { email: string; password: string };
  /** The demo's simulator channel. */
  channelId: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and console errors of the page, for the failure message. */
  pageErrors: string[];
  /** A signed-in API session of its own (for the simulator and setup). */
  apiAs(email: string, password: string): Promise<ApiSession>;
  screenshot(name: string): Promise<string>;
  /** Signs in through the login page (opened at `/`). */
  signIn(email: string, password: string): Promise<void>;
  /** For `afterEach`: a failed test leaves a screenshot `<prefix>-<test name>` and logs the page's errors. */
  recordFailure(task: { name: string; result?: { state: string } }, prefix?: string): Promise<void>;
  close(): Promise<void>;
}

export interface ApiSession {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
}

export interface HarnessOptions {
  /** Extra environment for the server (e.g. GRAPH_API_BASE_URL of a fake Graph API); wins over the defaults. */
  env?: Record<string, string>;
  /** Sets CHATLOOM_PUBLIC_URL to the server's own address (uploads need one). */
  publicUrl?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  requireChromium();
  const work = mkdtempSync(join(tmpdir(), 'chatloom-admin-ui-e2e-'));
  const uiDir = await ensureUiBuilt();
  const port = await freePort();
  const cli = join(
    dirname(
      createRequire(join(packageDir, 'package.json')).resolve('@chatloom/server/package.json'),
    ),
    'src/cli.ts',
  );
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@chatloom/source', '--import', 'tsx', cli, 'start'],
    {
      cwd: repositoryRoot, // the demo seeds examples/demo-flow.json from here
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: join(work, 'chatloom.db'),
        CHATLOOM_DATA_DIR: join(work, 'data'),
        CHATLOOM_SECRET_KEY: randomBytes(32).toString('hex'),
        CHATLOOM_ADMIN_UI_DIR: uiDir,
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        ...(options.publicUrl && { CHATLOOM_PUBLIC_URL: `http://127.0.0.1:${port}` }),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`server exited:\n${output}`);
      return /password\s+\S+/.test(output) && /simulator\/([^/\s]+)\/messages/.test(output);
    },
    60_000,
    () => `server did not start:\n${output}`,
  );
  const email = /email\s+(\S+)/.exec(output)![1]!;
  const password = /password\s+(\S+)/.exec(output)![1]!;
  const channelId = /simulator\/([^/\s]+)\/messages/.exec(output)![1]!;
  const base = `http://127.0.0.1:${port}`;

  const profile = join(work, 'profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  mkdirSync(resultsDir, { recursive: true });

  return {
    base,
    admin: { email, password },
    channelId,
    context,
    page,
    pageErrors,
    apiAs: (e, p) => apiSession(base, e, p),
    async screenshot(name) {
      const path = join(resultsDir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async signIn(email, password) {
      await page.goto(`${base}/`);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    },
    async recordFailure(task, prefix = 'failed') {
      if (task.result?.state !== 'fail') return;
      const path = join(resultsDir, `${prefix}-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`);
      await page.screenshot({ path, fullPage: true });
      console.error(`page errors:\n${pageErrors.join('\n')}`);
    },
    async close() {
      await context.close().catch(() => undefined);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(work, { recursive: true, force: true });
    },
  };
}

async function apiSession(base: string, email: string, password: string): Promise<ApiSession> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`login ${email}: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return { get: (path) => call('GET', path), post: (path, body = {}) => call('POST', path, body) };
}

async function waitFor(
  ready: () => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > until) throw new Error(describe());
    await new Promise((r) => setTimeout(r, 50));
  }
}
