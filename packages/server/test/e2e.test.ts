/**
 * End to end with the fake Graph API: a real server process (the CLI), real signed webhooks,
 * real replies at the fake. On SQLite (a file), as `pnpm start` runs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeGraphApi, type FakeGraphApi, signWebhookBody } from '@chatloom/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { echoFlow, eventually } from './helpers.js';
import { apiClient, demoCredentials, type ServerProcess, startProcess } from './process.js';

const appSecret = 'e2e-app-secret';
const accessToken = 'e2e-token';

describe('end to end: server process + fake Graph API', () => {
  let fake: FakeGraphApi;
  let server: ServerProcess;
  let dir: string;
  let api: Awaited<ReturnType<typeof apiClient>>;
  let webhookUrl: string;
  let conversationCount: () => Promise<number>;

  beforeAll(async () => {
    fake = await createFakeGraphApi({ appSecret, accessToken });
    dir = mkdtempSync(join(tmpdir(), 'chatloom-e2e-'));
    server = await startProcess({
      DATABASE_URL: join(dir, 'chatloom.db'),
      CHATLOOM_DATA_DIR: dir,
      GRAPH_API_BASE_URL: fake.url,
    });
    api = await apiClient(server.base, demoCredentials(server.output()));
    const channel = await api<{ id: string; status: string }>('POST', '/channels', {
      platform: 'whatsapp',
      name: 'WhatsApp',
      settings: { phoneNumberId: '200000000000002', wabaId: '100000000000001' },
      credentials: { accessToken, appSecret },
    });
    expect(channel.status).toBe(201);
    const validated = await api<{ status: string }>(
      'POST',
      `/channels/${channel.body.id}/validate`,
    );
    expect(validated.body.status).toBe('good');
    const subscribed = await api<{ subscribed: boolean }>(
      'POST',
      `/channels/${channel.body.id}/subscribe`,
    );
    expect(subscribed.body.subscribed).toBe(true);
    expect((await api('POST', '/flows', { definition: echoFlow(), publish: true })).status).toBe(
      201,
    );
    webhookUrl = `${server.base}/webhooks/whatsapp/${channel.body.id}`;
    fake.setWebhookUrl(webhookUrl);
    conversationCount = async () => {
      const list = await api<{ items: { id: string }[] }>('GET', '/conversations');
      let total = 0;
      for (const c of list.body.items)
        total += (
          await api<{ items: unknown[] }>('GET', `/conversations/${c.id}/messages?limit=200`)
        ).body.items.length;
      return total;
    };
  }, 60_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe(0); // graceful: exit code 0
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a signed webhook gets a real reply at the fake', async () => {
    const sent = await fake.whatsapp.userSends({ from: '15555550101', name: 'Ana', text: 'hello' });
    expect(sent.status).toBe(200);
    const replies = await eventually(() => {
      const out = fake.sent({ to: '15555550101' });
      return out.length === 1 && out;
    });
    expect(replies[0]!.body).toMatchObject({ type: 'text', text: { body: 'You said: ' } });
  });

  test('a bad signature is 401 and nothing is stored', async () => {
    const before = await conversationCount();
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhookBody(body, 'not-the-secret'),
      },
      body,
    });
    expect(response.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await conversationCount()).toBe(before);
  });

  test('the same webhook 10 times gets one reply', async () => {
    const first = await fake.whatsapp.userSends({
      from: '15555550202',
      text: 'once',
      id: 'wamid.E2E_DUPLICATE_1',
    });
    expect(first.status).toBe(200);
    const again = await Promise.all(
      Array.from({ length: 9 }, () =>
        fetch(webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': first.signature },
          body: first.rawBody,
        }).then((r) => r.status),
      ),
    );
    expect(again).toEqual(Array(9).fill(200));
    await eventually(() => fake.sent({ to: '15555550202' }).length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.sent({ to: '15555550202' })).toHaveLength(1);
  });

  test('a 4 MB body is 413 and nothing is stored', async () => {
    const before = await conversationCount();
    const big = Buffer.alloc(4 * 1024 * 1024, 'x');
    // The server answers 413 from the declared length, as soon as it reads the headers, and
    // closes. Writing 4 MB into a socket the server is closing can make it reset the
    // connection and lose that answer, so the body goes out only if no answer came first.
    const url = new URL(webhookUrl);
    const status = await new Promise<number>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      let answer = '';
      const timer = setTimeout(() => reject(new Error(`no answer; got: ${answer}`)), 10_000);
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('latin1');
        const code = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
        if (code) {
          clearTimeout(timer);
          socket.destroy();
          resolve(Number(code));
        }
      });
      socket.on('error', () => {}); // EPIPE / ECONNRESET on our writes: the answer decides
      socket.write(
        `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n` +
          `content-length: ${big.length}\r\nx-hub-signature-256: ${signWebhookBody(big, appSecret)}\r\n\r\n`,
      );
      setTimeout(() => {
        if (!socket.destroyed) socket.write(big);
      }, 1000);
    });
    expect(status).toBe(413);
    // Nothing waits to be processed (earlier tests' work may still be finishing under load).
    await eventually(async () => {
      const health = (await fetch(`${server.base}/health`).then((r) => r.json())) as {
        pending: { inbound: number };
      };
      return health.pending.inbound === 0;
    });
    expect(await conversationCount()).toBe(before);
  });
});
