/**
 * Two server processes on one Postgres, no balancer: webhooks spread across both get one
 * reply per message, in order, and live events (LISTEN/NOTIFY) reach clients of both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeGraphApi, type FakeGraphApi } from '@chatloom/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { databaseUrl, echoFlow, eventually, postgresSchema, storeKinds } from './helpers.js';
import { apiClient, demoCredentials, type ServerProcess, startProcess } from './process.js';

const appSecret = 'mp-app-secret';
const accessToken = 'mp-token';

/** Reads an SSE stream into a list of event names and data. */
function listen(url: string, cookie: string) {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const response = await fetch(url, { headers: { cookie }, signal: controller.signal });
    const reader = response.body!.getReader();
    let buffer = '';
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) return;
      buffer += Buffer.from(value).toString('utf8');
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        cut = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => {});
  return { events, close: () => controller.abort(), done };
}

describe.skipIf(!storeKinds.some((k) => k.name === 'postgres'))(
  'two server processes on one Postgres',
  () => {
    let fake: FakeGraphApi;
    let a: ServerProcess;
    let b: ServerProcess;
    let dir: string;
    let drop: () => Promise<void>;
    let channelId: string;
    let cookie: string;

    beforeAll(async () => {
      fake = await createFakeGraphApi({ appSecret, accessToken });
      const schema = await postgresSchema();
      drop = schema.drop;
      dir = mkdtempSync(join(tmpdir(), 'chatloom-mp-'));
      const env = {
        DATABASE_URL: `${databaseUrl}?schema=${schema.schema}`,
        CHATLOOM_DATA_DIR: dir,
        GRAPH_API_BASE_URL: fake.url,
      };
      a = await startProcess(env);
      b = await startProcess(env, ['--no-demo']);
      const credentials = demoCredentials(a.output());
      const api = await apiClient(a.base, credentials);
      const channel = await api<{ id: string }>('POST', '/channels', {
        platform: 'whatsapp',
        name: 'WhatsApp',
        settings: { phoneNumberId: '200000000000002', wabaId: '100000000000001' },
        credentials: { accessToken, appSecret },
      });
      channelId = channel.body.id;
      expect((await api('POST', '/flows', { definition: echoFlow(), publish: true })).status).toBe(
        201,
      );
      const login = await fetch(`${b.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    }, 90_000);
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await fake?.close();
      await drop?.();
      rmSync(dir, { recursive: true, force: true });
    });

    test('webhooks alternate between the processes: one reply each, in order; events on both', async () => {
      const onA = listen(`${a.base}/api/v1/events`, cookie);
      const onB = listen(`${b.base}/api/v1/events`, cookie);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const user = '15555550303';
      const texts = Array.from({ length: 12 }, (_, i) => `m${i}`);
      for (const [i, text] of texts.entries()) {
        // The fake signs Meta's exact bytes; this test posts them itself, to A or B.
        const message = await fake.whatsapp.userSends({ from: user, text, id: `wamid.MP_${i}` });
        const target = i % 2 === 0 ? a : b;
        const response = await fetch(`${target.base}/webhooks/whatsapp/${channelId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': message.signature },
          body: message.rawBody,
        });
        expect(response.status).toBe(200);
      }
      const replies = await eventually(() => {
        const out = fake.sent({ to: user });
        return out.length >= texts.length && out;
      }, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(fake.sent({ to: user })).toHaveLength(texts.length);
      expect(replies.map((r) => (r.body as { text: { body: string } }).text.body)).toEqual([
        'You said: ',
        ...texts.slice(1).map((t) => `You said: ${t}`),
      ]);
      for (const stream of [onA, onB]) {
        const received = await eventually(() => {
          const got = stream.events.filter((e) => e.event === 'message.received');
          return got.length >= texts.length && got;
        }, 10_000);
        // Every message on both; processes notify independently, so a live view orders by time.
        const got = received
          .map(
            (e) => e.data.message as { content: { text: string }; createdAt: number; id: string },
          )
          .sort((x, y) => x.createdAt - y.createdAt || x.id.localeCompare(y.id))
          .map((m) => m.content.text);
        expect(got).toEqual(texts);
      }
      onA.close();
      onB.close();
    }, 60_000);
  },
);
