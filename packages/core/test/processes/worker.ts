/**
 * A Chatloom process for the crash and multi-process tests: runs the workers, takes
 * webhooks over real HTTP (POST /webhooks/:channelId) and appends every send to a file,
 * so sends survive a SIGKILL. Prints `PORT <n>` when it listens.
 *
 *   node --conditions=@chatloom/source --import tsx worker.ts <config JSON>
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createChatloom, createPostgresStore, createSqliteStore } from '../../src/index.js';
import { createTestAdapter } from '../../src/testing.js';

interface WorkerConfig {
  store: { sqlite: string } | { postgres: string; schema: string };
  key: string;
  sendsFile: string;
  /** Tag written with each send. */
  name: string;
  /** Clock: epoch at t0 runs `speed` times faster than real time. */
  clock?: { t0: number; speed: number };
  /**
   * Clock: real time plus the milliseconds written in this file (re-read every 20 ms), so a
   * test moves every process's time forward at a moment of its choosing.
   */
  clockFile?: string;
  concurrency?: number;
  leaseMs?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const store =
  'sqlite' in config.store
    ? createSqliteStore({
        filename: config.store.sqlite,
        encryptionKey: config.key,
        synchronous: 'normal',
      })
    : createPostgresStore({
        connectionString: config.store.postgres,
        schema: config.store.schema,
        encryptionKey: config.key,
      });
const fast = config.clock;
let offset = 0;
const clockFile = config.clockFile;
if (clockFile) {
  const read = () => {
    offset = Number(readFileSync(clockFile, 'utf8').trim()) || 0;
  };
  read();
  setInterval(read, 20).unref();
}
const clock = fast
  ? { now: () => fast.t0 + (Date.now() - fast.t0) * fast.speed + offset }
  : { now: () => Date.now() + offset };

const adapter = createTestAdapter({
  messagesPerSecond: 100_000,
  idPrefix: `${config.name}-`,
  onSend(record) {
    const text = record.message.kind === 'text' ? record.message.text : record.message.kind;
    appendFileSync(
      config.sendsFile,
      `${JSON.stringify({ by: config.name, to: record.to.phone, text })}\n`,
    );
  },
});
const chatloom = createChatloom({
  store,
  adapters: [adapter],
  clock,
  processing: { pollIntervalMs: 20 },
  timers: { pollIntervalMs: 50 },
  dispatcher: {
    pollIntervalMs: 50,
    ...(config.concurrency !== undefined && { concurrency: config.concurrency }),
    ...(config.leaseMs !== undefined && { leaseMs: config.leaseMs }),
  },
});

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const channelId = (request.url ?? '').split('/')[2] ?? '';
    const answer = await chatloom.handleWebhook(channelId, {
      method: request.method ?? 'GET',
      headers: request.headers,
      rawBody: Buffer.concat(chunks),
    });
    response.writeHead(answer.status, answer.headers).end(answer.body);
  });
});

await chatloom.start();
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', async () => {
  server.close();
  await chatloom.stop();
  await store.close();
  process.exit(0);
});
