/**
 * Crash test: a child process takes a stream of webhooks over HTTP on a SQLite file and is
 * killed with SIGKILL at random points; the parent keeps posting (retrying failed posts, as
 * Meta does) and restarts it. At the end every inbound message is recorded once and
 * answered, with at most one duplicate send per crash.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { expect, test } from 'vitest';
import { createChatloom, createSqliteStore } from '../src/index.js';
import { createTestAdapter, textEvent } from '../src/testing.js';
import { echoFlow } from './helpers.js';
import { startWorker, type Worker } from './processes/spawn.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small seeded PRNG, so a run's kill points can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// CHATLOOM_CRASH_SEED=<n> replays a run's kill points (the seed is printed with every run).
const seed = process.env.CHATLOOM_CRASH_SEED
  ? Number(process.env.CHATLOOM_CRASH_SEED)
  : Math.floor(Math.random() * 2 ** 32);

test('SIGKILL at random points loses no message and answers each once (≤ 1 duplicate per crash)', {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatloom-crash-'));
  const dbFile = join(dir, 'chatloom.db');
  const sendsFile = join(dir, 'sends.jsonl');
  writeFileSync(sendsFile, '');
  const key = randomBytes(32).toString('hex');
  const secret = 'crash-secret';
  try {
    const setupStore = createSqliteStore({ filename: dbFile, encryptionKey: key });
    await setupStore.migrate();
    const setup = createChatloom({ store: setupStore, adapters: [createTestAdapter()] });
    const tenant = await setup.createTenant({ name: 'crash' });
    await setup.createChannel({
      id: 'ch1',
      tenantId: tenant.id,
      platform: 'test',
      credentials: { appSecret: secret },
    });
    await setup.saveFlow(tenant.id, echoFlow(60), { publish: true });
    await setupStore.close();

    // Concurrency 1: at most one message is accepted by the platform and not yet recorded.
    const config = { store: { sqlite: dbFile }, key, sendsFile, name: 'w', concurrency: 1 };
    let worker: Worker = await startWorker(config);
    const signer = createTestAdapter();
    const conversations = 10;
    const perConversation = 60;
    const total = conversations * perConversation;

    console.log(`crash test: seed ${seed} (replay: CHATLOOM_CRASH_SEED=${seed})`);
    const random = seeded(seed);
    let crashes = 0;
    let posting = true;
    let acknowledged = 0;
    const killer = (async () => {
      let afterPosting = 0;
      while (posting || afterPosting < 2 || crashes < 6) {
        // Each process takes some webhooks before it dies: on a loaded machine a restart can
        // take longer than the kill interval, and the run would crawl into the test timeout.
        const before = acknowledged;
        while (posting && acknowledged < before + 5) await sleep(10);
        await sleep(100 + random() * 400);
        worker.child.kill('SIGKILL');
        await worker.exited;
        crashes++;
        if (!posting) afterPosting++;
        worker = await startWorker(config);
      }
    })();

    let retries = 0;
    async function post(conversation: number, index: number) {
      const phone = `155500${10 + conversation}`;
      const { rawBody, headers } = signer.webhook(
        [
          textEvent({
            id: `wamid.${conversation}.${index}`,
            from: { phone },
            text: `${conversation}-${index}`,
          }),
        ],
        secret,
      );
      for (;;) {
        try {
          const response = await fetch(`http://127.0.0.1:${worker.port}/webhooks/ch1`, {
            method: 'POST',
            headers,
            body: rawBody,
          });
          await response.text();
          if (response.status === 200) {
            acknowledged++;
            return;
          }
        } catch {
          // connection refused or reset: the process is down
        }
        retries++;
        await sleep(20);
      }
    }
    // Each conversation posts its messages in order; conversations run side by side.
    await Promise.all(
      Array.from({ length: conversations }, async (_, c) => {
        for (let i = 0; i < perConversation; i++) await post(c, i);
      }),
    );
    posting = false;
    await killer;

    // Wait for the last process to finish the work.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const db = new BetterSqlite3(dbFile, { readonly: true });
      const inbound = db
        .prepare("select count(*) as n from messages where direction = 'in'")
        .get() as { n: number };
      const pending = db
        .prepare("select count(*) as n from inbound_events where state = 'pending'")
        .get() as { n: number };
      const outbox = db.prepare('select count(*) as n from outbox').get() as { n: number };
      db.close();
      if (inbound.n === total && pending.n === 0 && outbox.n === 0) break;
      if (Date.now() > deadline)
        throw new Error(`not done (seed ${seed}): ${JSON.stringify({ inbound, pending, outbox })}`);
      await sleep(100);
    }
    worker.child.kill('SIGTERM');
    await worker.exited;

    const db = new BetterSqlite3(dbFile, { readonly: true });
    const perConversationRows = db
      .prepare(
        `select c.id, sum(m.direction = 'in') as inbound, sum(m.direction = 'out') as outbound,
                sum(m.direction = 'out' and m.status = 'sent') as sent
         from conversations c join messages m on m.conversation_id = c.id group by c.id`,
      )
      .all() as { inbound: number; outbound: number; sent: number }[];
    const distinct = db
      .prepare(
        "select count(distinct platform_message_id) as n from messages where direction = 'in'",
      )
      .get() as { n: number };
    db.close();
    expect(distinct.n).toBe(total);
    expect(perConversationRows).toHaveLength(conversations);
    for (const row of perConversationRows)
      expect(row).toEqual({
        ...row,
        inbound: perConversation,
        outbound: perConversation,
        sent: perConversation,
      });

    const sends = readFileSync(sendsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { to: string; text: string });
    const counts = new Map<string, number>();
    for (const send of sends)
      counts.set(`${send.to} ${send.text}`, (counts.get(`${send.to} ${send.text}`) ?? 0) + 1);
    for (let c = 0; c < conversations; c++) {
      for (let i = 0; i < perConversation; i++) {
        const text = i === 0 ? 'You said: ' : `You said: ${c}-${i}`;
        expect(counts.get(`155500${10 + c} ${text}`), `reply to ${c}-${i}`).toBeGreaterThanOrEqual(
          1,
        );
      }
    }
    const duplicates = sends.length - counts.size;
    console.log(
      `crash test (seed ${seed}): ${total} messages, ${crashes} crashes, ${retries} webhook retries, ${duplicates} duplicate sends`,
    );
    expect(counts.size, `seed ${seed}`).toBe(total);
    expect(duplicates, `seed ${seed}`).toBeLessThanOrEqual(crashes);
    expect(crashes).toBeGreaterThanOrEqual(6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
