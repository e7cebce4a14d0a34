/**
 * Each Meta adapter plugged into core, end to end against the fake Graph API: the fake's user
 * writes, signed webhooks arrive over real HTTP, core runs the example flow, and the replies
 * arrive at the fake in each channel's best form. Then the 24-hour window: WhatsApp refuses a
 * free-form message and sends a template; Messenger and Instagram send a person's reply with
 * the HUMAN_AGENT tag and refuse the bot's.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInstagramAdapter } from '@chatloom/adapter-instagram';
import { createMessengerAdapter } from '@chatloom/adapter-messenger';
import { createWhatsAppAdapter } from '@chatloom/adapter-whatsapp';
import {
  type Chatloom,
  createChatloom,
  createSqliteStore,
  type Store,
  WindowClosedError,
} from '@chatloom/core';
import type { FlowDefinition } from '@chatloom/flow-engine';
import { createFakeGraphApi, type FakeGraphApi } from '@chatloom/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const demo = JSON.parse(
  readFileSync(new URL('../../../examples/demo-flow.json', import.meta.url), 'utf8'),
) as FlowDefinition;
const appSecret = 'channels-e2e-secret';
const accessToken = 'channels-e2e-token';
const hour = 3_600_000;
const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

interface World {
  fake: FakeGraphApi;
  chatloom: Chatloom;
  store: Store;
  server: Server;
  tenantId: string;
  advance(ms: number): void;
}

let world: World;

beforeEach(async () => {
  let now = Date.UTC(2026, 10, 23, 9);
  const fake = await createFakeGraphApi({
    appSecret,
    accessToken,
    now: () => now,
    messagesPerSecond: 0,
  });
  const store = createSqliteStore({ filename: ':memory:', encryptionKey: 'ab'.repeat(32) });
  await store.migrate();
  const chatloom = createChatloom({
    store,
    adapters: [
      createWhatsAppAdapter({ graphApiBaseUrl: fake.url }),
      createMessengerAdapter({ graphApiBaseUrl: fake.url }),
      createInstagramAdapter({ host: 'facebook', graphApiBaseUrl: fake.url }),
    ],
    clock: { now: () => now },
    logger: quiet,
  });
  // The webhook endpoint, as an embedder writes it: raw bytes in, core's answer out.
  const server = createServer((request, response) => {
    const channelId = request.url?.split('/').pop() ?? '';
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const answer = await chatloom.handleWebhook(channelId, {
        method: request.method ?? 'POST',
        headers: request.headers,
        rawBody: Buffer.concat(chunks),
      });
      response.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tenant = await chatloom.createTenant({ name: 'Luigi' });
  await chatloom.saveFlow(tenant.id, demo, { publish: true });
  world = {
    fake,
    chatloom,
    store,
    server,
    tenantId: tenant.id,
    advance: (ms) => {
      now += ms;
    },
  };
});

afterEach(async () => {
  await new Promise((resolve) => world.server.close(resolve));
  await world.fake.close();
  await world.store.close();
});

async function connect(platform: 'whatsapp' | 'messenger' | 'instagram') {
  const settings = {
    whatsapp: { phoneNumberId: '200000000000002', wabaId: '100000000000001' },
    messenger: { pageId: '300000000000011' },
    instagram: { instagramAccountId: '17840000000000021', pageId: '300000000000011' },
  }[platform];
  const channel = await world.chatloom.createChannel({
    tenantId: world.tenantId,
    platform,
    settings,
    credentials: { accessToken, appSecret, verifyToken: 'verify' },
  });
  const { port } = world.server.address() as AddressInfo;
  world.fake.setWebhookUrl(`http://127.0.0.1:${port}/webhooks/${platform}/${channel.id}`, {
    channel: platform,
  });
  return channel;
}

/** Processes everything pending (inbound, timers, outbox) until nothing is left. */
async function settle() {
  for (let i = 0; i < 5; i++) await world.chatloom.drain();
}

describe('WhatsApp through core', () => {
  it('answers "hi" with the first step, advances on a tap, ignores a replay, and switches to a template after 24 hours', async () => {
    await connect('whatsapp');
    const user = '15555550123';
    expect(
      (await world.fake.whatsapp.userSends({ from: user, name: 'Ana', text: 'hi' })).status,
    ).toBe(200);
    await settle();
    const first = world.fake.sent({ to: user });
    expect(first).toHaveLength(1);
    expect(first[0]!.body).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: "Hi Ana! Welcome to *Luigi's Pizza*. How can we help?" },
        action: {
          buttons: [
            { reply: { id: 'welcome:order' } },
            { reply: { id: 'welcome:menu' } },
            { reply: { id: 'welcome:person' } },
          ],
        },
      },
    });

    const tap = await world.fake.whatsapp.userSends({
      from: user,
      buttonReply: { id: 'welcome:menu', title: 'See the menu' },
    });
    await settle();
    const second = world.fake.sent({ to: user });
    expect(second).toHaveLength(2);
    expect(second[1]!.body).toMatchObject({
      type: 'interactive',
      interactive: { type: 'list', body: { text: 'What would you like to see?' } },
    });

    // Meta delivers the same webhook again: nothing changes.
    for (let i = 0; i < 3; i++) {
      await fetch(tap.url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': tap.signature },
        body: tap.rawBody,
      });
    }
    await settle();
    expect(world.fake.sent({ to: user })).toHaveLength(2);

    // A day of silence: free-form is refused with the exact error, a template goes out.
    world.advance(25 * hour);
    await settle();
    const [conversation] = await world.chatloom.listConversations(world.tenantId);
    const refusal = world.chatloom.sendMessage(
      conversation!.id,
      { kind: 'text', text: 'Still hungry?' },
      { agentId: 'agent-1' },
    );
    await expect(refusal).rejects.toBeInstanceOf(WindowClosedError);
    await expect(refusal).rejects.toThrow(
      /^A template message is required outside the 24-hour messaging window\.$/,
    );
    await world.chatloom.sendTemplate(
      conversation!.id,
      { name: 'hello_world', language: 'en_US' },
      { agentId: 'agent-1' },
    );
    await settle();
    const after = world.fake.sent({ to: user });
    expect(after.filter((m) => m.type !== 'template')).toHaveLength(2);
    expect(after.filter((m) => m.type === 'template')).toHaveLength(1);
  });
});

describe.each([
  {
    platform: 'messenger' as const,
    send: (text: string, payload?: string) =>
      world.fake.messenger.userSends(
        payload ? { psid: 'PSID_1', postback: { payload, title: text } } : { psid: 'PSID_1', text },
      ),
  },
  {
    platform: 'instagram' as const,
    send: (text: string, payload?: string) =>
      world.fake.instagram.userSends(
        payload
          ? { igsid: 'IGSID_1', postback: { payload, title: text } }
          : { igsid: 'IGSID_1', text },
      ),
  },
])('$platform through core', ({ platform, send }) => {
  it('answers, advances on a postback and a quick reply; after 24 hours a person replies with HUMAN_AGENT and the bot is refused', async () => {
    await connect(platform);
    const to = platform === 'messenger' ? 'PSID_1' : 'IGSID_1';
    const outbound = () =>
      world.fake.sent({ channel: platform, to }).filter((m) => m.type !== 'sender_action');
    expect((await send('hi')).status).toBe(200);
    await settle();
    expect(outbound()).toHaveLength(1);
    expect(outbound()[0]!.body).toMatchObject({
      messaging_type: 'RESPONSE',
      message: { attachment: { type: 'template', payload: { template_type: 'button' } } },
    });

    await send('See the menu', 'welcome:menu');
    await settle();
    const menu = outbound()[1]!.body as { message: { quick_replies: { payload: string }[] } };
    expect(menu.message.quick_replies.map((q) => q.payload)).toEqual([
      'menu:pizzas',
      'menu:drinks',
      'menu:back',
    ]);

    world.advance(25 * hour);
    await settle(); // the session timeout fires now: a bot message, outside the window
    const [conversation] = await world.chatloom.listConversations(world.tenantId);
    const messages = await world.chatloom.listMessages(conversation!.id);
    const refused = messages.filter((m) => m.status === 'failed');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((m) => m.sender === 'bot')).toBe(true);
    expect(refused[0]!.error).toContain(
      'A template message is required outside the 24-hour messaging window.',
    );

    await world.chatloom.sendMessage(
      conversation!.id,
      { kind: 'text', text: 'Sorry for the wait!' },
      { agentId: 'agent-1' },
    );
    await settle();
    const last = outbound().at(-1)!;
    expect(last.body).toMatchObject({
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'Sorry for the wait!' },
    });
    expect(outbound()).toHaveLength(3);
  });
});
