// End to end through the reference server: signed WhatsApp webhooks (autocannon) into a real
// `chatloom start` process, processed, answered through the fake Graph API. On SQLite and on
// Postgres, next to a bare Fastify echo route in the same run. Uses the built packages.
// `pnpm build && node --import tsx bench/server-e2e.ts` (or `pnpm bench server`).
// BENCH_SECONDS (default 10) sets each load's length; BENCH_STORES=sqlite skips Postgres.
// BENCH_CONNECTIONS (default 32) sets the requests in flight; BENCH_ECHO=0 skips the bare
// Fastify route; BENCH_SERVER_ARGS adds node flags to the server process (profiling, e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof"); BENCH_SERVER_OUTPUT=1 prints the server's output.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const serverRequire = createRequire(join(root, 'packages/server/package.json'));
type AutocannonResult = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  duration: number;
};
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = serverRequire('autocannon') as Autocannon;
interface FakeGraphApi {
  url: string;
  stats(): { accepted: number };
  close(): Promise<void>;
}
const testkit = (await import(
  new URL('packages/testkit/dist/index.js', `file://${root}/`).href
)) as {
  createFakeGraphApi(options: Record<string, unknown>): Promise<FakeGraphApi>;
};
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
const pg = serverRequire('pg') as {
  Client: new (options: { connectionString: string }) => PgClient;
};

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const serverArgs = (process.env.BENCH_SERVER_ARGS ?? '').split(/\s+/).filter(Boolean);
const stores = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',');
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const appSecret = 'bench-secret';
const accessToken = 'bench-token';
const phoneNumberId = '200000000000002';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startChild(args: string[], env: Record<string, string>, ready: string) {
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => {
    output += c;
  });
  child.stderr!.on('data', (c: Buffer) => {
    output += c;
  });
  const until = Date.now() + 30_000;
  while (!output.includes(ready)) {
    if (child.exitCode !== null || Date.now() > until)
      throw new Error(`child did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 100));
  return {
    pid: child.pid,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux; undefined elsewhere).
 * On a shared machine the server's CPU per reply moves far less than its rates do.
 */
function cpuSeconds(pid: number | undefined): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(file)) return undefined;
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100)
}

let counter = 0;
/** A WhatsApp text message webhook, signed, unique per call (its own wamid; 500 senders). */
function webhook() {
  const n = counter++;
  const from = String(15550000000 + (n % 500));
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '100000000000001',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: 'Bench' }, wa_id: from }],
              messages: [
                {
                  from,
                  id: `wamid.BENCH_${n}_${randomBytes(4).toString('hex')}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: `hello ${n}` },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
    },
  };
}

async function load(url: string): Promise<AutocannonResult> {
  return autocannon({
    url,
    method: 'POST',
    connections,
    pipelining: 1,
    duration: seconds,
    setupClient: () => {},
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => ({
          ...request,
          ...webhook(),
          method: 'POST',
        }),
      },
    ],
  });
}

const rows: string[] = [];
const row = (what: string, r: AutocannonResult, extra: string) =>
  rows.push(
    `| ${what} | ${Math.round(r.requests.total / r.duration).toLocaleString('en')} | ${r.latency.p50} | ${r.latency.p99} | ${extra} |`,
  );

// A bare Fastify echo route: the ceiling of HTTP in and out on this machine.
if (process.env.BENCH_ECHO !== '0') {
  const port = await freePort();
  const fastifyPath = serverRequire.resolve('fastify');
  const echo = await startChild(
    [
      '-e',
      `const f=require(${JSON.stringify(fastifyPath)})();f.post('/echo',async(r)=>r.body);f.listen({port:${port},host:'127.0.0.1'}).then(()=>console.log('ready'))`,
    ],
    {},
    'ready',
  );
  const result = await load(`http://127.0.0.1:${port}/echo`);
  row('bare Fastify echo route (JSON parse + reply)', result, '—');
  await echo.stop();
}

for (const store of stores) {
  const fake = await testkit.createFakeGraphApi({
    appSecret,
    accessToken,
    messagesPerSecond: 0,
    maxRecorded: 1000,
    whatsapp: { enforceWindow: false },
  });
  const dir = mkdtempSync(join(tmpdir(), 'chatloom-bench-'));
  const schema = `chatloom_bench_${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const server = await startChild(
    [...serverArgs, join(root, 'packages/server/dist/cli.js'), 'start'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      CHATLOOM_DATA_DIR: dir,
      GRAPH_API_BASE_URL: fake.url,
      CHATLOOM_LOGIN_RATE_LIMIT: '100',
      DATABASE_URL:
        store === 'postgres' ? `${databaseUrl}?schema=${schema}` : join(dir, 'bench.db'),
    },
    'password',
  );
  const base = `http://127.0.0.1:${port}`;
  const email = /email\s+(\S+)/.exec(server.output())![1]!;
  const password = /password\s+(\S+)/.exec(server.output())![1]!;
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const api = async (path: string, body: unknown) =>
    (
      await fetch(`${base}/api/v1${path}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json() as Promise<{ id: string }>;
  const channel = await api('/channels', {
    platform: 'whatsapp',
    name: 'bench',
    // Core paces sends per channel (WhatsApp: 80/s); the fake has no limit here.
    settings: { phoneNumberId, wabaId: '100000000000001', messagesPerSecond: 100000 },
    credentials: { accessToken, appSecret },
  });
  await api('/flows', {
    publish: true,
    definition: {
      format: 'chatloom.flow/v1',
      id: 'echo',
      version: 1,
      name: 'Echo',
      languages: ['en'],
      defaultLanguage: 'en',
      triggers: [{ language: 'en', match: 'regex', keyword: '.' }],
      startStep: 'ask',
      steps: [
        {
          id: 'ask',
          message: { type: 'text', text: { en: 'You said: {{last}}' } },
          options: { type: 'none', saveAs: 'last', next: { type: 'goto', step: 'ask' } },
          terminal: true,
        },
      ],
    },
  });
  const cpuBefore = cpuSeconds(server.pid);
  const started = performance.now();
  const result = await load(`${base}/webhooks/whatsapp/${channel.id}`);
  const accepted = result.requests.total - result.non2xx;
  // Wait for every reply to reach the fake.
  const until = Date.now() + 120_000;
  while (fake.stats().accepted < accepted && Date.now() < until)
    await new Promise((r) => setTimeout(r, 50));
  const elapsed = (performance.now() - started) / 1000;
  const replies = fake.stats().accepted;
  const cpuAfter = cpuSeconds(server.pid);
  const cpu =
    cpuBefore === undefined || cpuAfter === undefined
      ? ''
      : `; server CPU ${Math.round(((cpuAfter - cpuBefore) / replies) * 1e6)} µs a reply`;
  row(
    `server on ${store}: signed webhook → stored → flow → reply at the fake`,
    result,
    `${Math.round(replies / elapsed).toLocaleString('en')} replies/s (${replies.toLocaleString('en')} of ${accepted.toLocaleString('en')} in ${elapsed.toFixed(1)} s)${cpu}`,
  );
  await server.stop();
  if (process.env.BENCH_SERVER_OUTPUT === '1') console.log(server.output());
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  if (store === 'postgres') {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}

console.log(
  `\n${seconds} s per load, ${connections} connections, autocannon; latency in ms (acknowledgement)\n`,
);
console.log('| what | webhooks/s acknowledged | p50 ms | p99 ms | end to end |');
console.log('| --- | ---: | ---: | ---: | --- |');
for (const line of rows) console.log(line);
