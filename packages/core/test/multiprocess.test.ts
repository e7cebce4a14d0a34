/**
 * Two processes run every worker on one Postgres database and take webhooks over HTTP,
 * the messages of each conversation alternating between them. No outbox row is sent twice,
 * no timer fires twice, and each conversation's messages are handled and answered in order.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createChatloom, createPostgresStore } from '../src/index.js';
import { createTestAdapter, textEvent } from '../src/testing.js';
import { databaseUrl, echoFlow, postgresSchema } from './helpers.js';
import { startWorker, type Worker } from './processes/spawn.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('two processes on one Postgres: each row sent once, each timer fired once, order kept', {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatloom-multi-'));
  const sendsFile = join(dir, 'sends.jsonl');
  writeFileSync(sendsFile, '');
  const { schema, drop } = await postgresSchema();
  const key = randomBytes(32).toString('hex');
  const secret = 'multi-secret';
  const workers: Worker[] = [];
  const setupStore = createPostgresStore({
    connectionString: databaseUrl,
    schema,
    encryptionKey: key,
  });
  try {
    await setupStore.migrate();
    const setup = createChatloom({ store: setupStore, adapters: [createTestAdapter()] });
    const tenant = await setup.createTenant({ name: 'multi' });
    await setup.createChannel({
      id: 'ch1',
      tenantId: tenant.id,
      platform: 'test',
      credentials: { appSecret: secret },
    });
    await setup.saveFlow(tenant.id, echoFlow(1), { publish: true });

    // Both processes run on real time plus an offset the test sets: the 1-minute session
    // timeout cannot fire while the conversations run, however slow the machine; the test
    // moves time past it once every reply went out.
    const clockFile = join(dir, 'clock-offset');
    writeFileSync(clockFile, '0');
    for (const name of ['a', 'b']) {
      workers.push(
        await startWorker({
          store: { postgres: databaseUrl, schema },
          key,
          sendsFile,
          name,
          clockFile,
        }),
      );
    }
    const signer = createTestAdapter();
    const conversations = 12;
    const perConversation = 12;
    await Promise.all(
      Array.from({ length: conversations }, async (_, c) => {
        for (let i = 0; i < perConversation; i++) {
          const { rawBody, headers } = signer.webhook(
            [
              textEvent({
                id: `wamid.${c}.${i}`,
                from: { phone: `1666${100 + c}` },
                text: `${c}-${i}`,
              }),
            ],
            secret,
          );
          const worker = workers[(c + i) % 2]!;
          const response = await fetch(`http://127.0.0.1:${worker.port}/webhooks/ch1`, {
            method: 'POST',
            headers,
            body: rawBody,
          });
          expect(response.status).toBe(200);
        }
      }),
    );

    const replies = conversations * perConversation;
    const expected = replies + conversations; // every reply, and one timeout each
    const read = () =>
      readFileSync(sendsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { by: string; to: string; text: string });
    const deadline = Date.now() + 30_000;
    while (read().length < replies) {
      if (Date.now() > deadline) throw new Error(`only ${read().length} of ${replies} replies`);
      await sleep(100);
    }
    writeFileSync(clockFile, String(2 * 60_000)); // past every session's 1-minute timeout
    while (read().length < expected) {
      if (Date.now() > deadline) throw new Error(`only ${read().length} of ${expected} sends`);
      await sleep(100);
    }
    await sleep(1500); // a timer firing twice or a row sent twice would show up by now
    const sends = read();
    expect(sends).toHaveLength(expected);
    for (let c = 0; c < conversations; c++) {
      const to = `1666${100 + c}`;
      const texts = sends.filter((s) => s.to === to).map((s) => s.text);
      expect(texts).toEqual([
        'You said: ',
        ...Array.from({ length: perConversation - 1 }, (_, i) => `You said: ${c}-${i + 1}`),
        'Are you still there?',
      ]);
    }
    const counts = await setupStore.countPending();
    expect(counts).toEqual({ inbound: 0, outbox: 0, timers: 0 });
    const by = {
      a: sends.filter((s) => s.by === 'a').length,
      b: sends.filter((s) => s.by === 'b').length,
    };
    console.log(`multi-process test: ${sends.length} sends, by process ${JSON.stringify(by)}`);
  } finally {
    for (const worker of workers) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await setupStore.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
