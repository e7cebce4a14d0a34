import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdapterError,
  checkAdapter,
  type InboundMessageEvent,
  type MessageStatusEvent,
  type SendContext,
} from '@chatloom/core/adapter';
import type { ChannelMessage } from '@chatloom/flow-engine';
import { windowRules } from '@chatloom/flow-engine';
import {
  createFakeGraphApi,
  createWebhookReceiver,
  type FakeGraphApi,
  type WebhookReceiver,
} from '@chatloom/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accessToken,
  appSecret,
  channel,
  ok,
  phoneNumberId,
  user,
  verifyToken,
  wabaId,
} from './__tests__/helpers.js';
import { openApiProblems } from './__tests__/openapi-oracle.js';
import { createWhatsAppAdapter, type WhatsAppAdapter } from './whatsapp-adapter.js';

let fake: FakeGraphApi;
let adapter: WhatsAppAdapter;
const context = (over: Partial<SendContext> = {}): SendContext => ({
  to: { phone: user },
  channel: channel(),
  ...over,
});

beforeAll(async () => {
  fake = await createFakeGraphApi({ appSecret, accessToken });
  adapter = createWhatsAppAdapter({ graphApiBaseUrl: fake.url, timeoutMs: 2_000 });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.whatsapp.openWindow(user);
});
afterEach(() => {
  // Everything the adapter sent is valid by Meta's own OpenAPI spec (defects patched).
  for (const request of fake.requests) {
    if (request.path.endsWith('/media') && request.method === 'POST') continue; // multipart
    expect(
      openApiProblems(request.method, request.path, request.body),
      `${request.method} ${request.path}`,
    ).toEqual([]);
  }
});

async function failure(promise: Promise<unknown>): Promise<AdapterError> {
  try {
    await promise;
  } catch (error) {
    if (AdapterError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an AdapterError');
}

/** Sends and returns the body the fake recorded, asserting it was accepted. */
async function sent(
  message: ChannelMessage,
  over: Partial<SendContext> = {},
): Promise<Record<string, unknown>> {
  const result = await adapter.send(message, context(over));
  const last = fake.sent().at(-1);
  expect(last?.id).toBe(result.platformMessageId);
  expect(fake.requests.at(-1)?.accepted).toBe(true);
  return last?.body as Record<string, unknown>;
}

describe('the adapter as core sees it', () => {
  it('passes core’s checkAdapter: version 1, required members, capabilities', () => {
    expect(checkAdapter(adapter)).toBe(adapter);
    expect(adapter.adapterApiVersion).toBe(1);
    expect(adapter.platform).toBe('whatsapp');
    expect(adapter.capabilities).toEqual({
      limits: {
        textLength: 4096,
        buttons: 3,
        buttonTitle: 20,
        listRows: 10,
        rowTitle: 24,
        rowDescription: 72,
        caption: 1024,
      },
      supports: {
        buttons: true,
        lists: true,
        templates: true,
        media: ['image', 'video', 'audio', 'document', 'sticker'],
        markAsRead: true,
      },
      window: windowRules.whatsapp,
      messagesPerSecond: 80,
    });
  });

  it('refuses settings that cannot work when it is created', () => {
    expect(() => createWhatsAppAdapter({ graphApiBaseUrl: 'graph.facebook.com' })).toThrow(
      TypeError,
    );
    expect(() => createWhatsAppAdapter({ apiVersion: 'latest' })).toThrow(/vNN.N/);
  });
});

describe('send', () => {
  it('text, on the pinned version (v23.0), with the bearer token', async () => {
    expect(await sent({ kind: 'text', text: 'Hello' })).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: user,
      type: 'text',
      text: { body: 'Hello', preview_url: false },
    });
    const request = fake.requests.at(-1);
    expect(request?.path).toBe(`/v23.0/${phoneNumberId}/messages`);
    expect(request?.headers.authorization).toBe(`Bearer ${accessToken}`);
    expect(request?.headers['content-type']).toBe('application/json');
  });

  it('a link turns the preview on; an over-long text is cut and still accepted', async () => {
    expect((await sent({ kind: 'text', text: 'Menu: https://example.com/menu' })).text).toEqual({
      body: 'Menu: https://example.com/menu',
      preview_url: true,
    });
    const body = (await sent({ kind: 'text', text: 'é'.repeat(5000) })).text as { body: string };
    expect(Array.from(body.body)).toHaveLength(4096);
  });

  it('media by link: image with caption, document with filename, audio without caption, video', async () => {
    expect(
      await sent({
        kind: 'media',
        media: 'image',
        url: 'https://cdn.example.com/a.jpg',
        caption: 'Our pizza',
      }),
    ).toMatchObject({
      type: 'image',
      image: { link: 'https://cdn.example.com/a.jpg', caption: 'Our pizza' },
    });
    expect(
      await sent({
        kind: 'media',
        media: 'document',
        url: 'https://cdn.example.com/m.pdf',
        caption: 'Menu',
        filename: 'menu.pdf',
      }),
    ).toMatchObject({
      type: 'document',
      document: { link: 'https://cdn.example.com/m.pdf', filename: 'menu.pdf' },
    });
    expect(
      await sent({
        kind: 'media',
        media: 'audio',
        url: 'https://cdn.example.com/a.ogg',
        caption: 'x',
      }),
    ).toMatchObject({
      type: 'audio',
      audio: { link: 'https://cdn.example.com/a.ogg' },
    });
    expect(
      await sent({ kind: 'media', media: 'video', url: 'https://cdn.example.com/v.mp4' }),
    ).toMatchObject({ type: 'video' });
  });

  it('buttons as reply buttons; the user’s tap comes back with our id', async () => {
    const receiver = await createWebhookReceiver({ appSecret });
    fake.setWebhookUrl(receiver.url);
    try {
      const body = await sent({
        kind: 'buttons',
        text: 'Confirm your order?',
        buttons: [
          { id: 'confirm:yes', title: 'Yes, confirm it please' },
          { id: 'confirm:no', title: 'No' },
        ],
      });
      expect(body.interactive).toEqual({
        type: 'button',
        body: { text: 'Confirm your order?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'confirm:yes', title: 'Yes, confirm it ple…' } },
            { type: 'reply', reply: { id: 'confirm:no', title: 'No' } },
          ],
        },
      });
      const outbound = fake.sent().at(-1)?.id;
      await fake.whatsapp.userSends({
        from: user,
        buttonReply: { id: 'confirm:yes', title: 'Yes, confirm it ple…' },
      });
      const [webhook] = await receiver.waitFor(1);
      const event = ok(adapter.parseWebhook(webhook!.rawBody, channel()))
        .events[0] as InboundMessageEvent;
      expect(event.content).toEqual({
        kind: 'choice',
        id: 'confirm:yes',
        title: 'Yes, confirm it ple…',
      });
      expect(event.replyToPlatformMessageId).toBe(outbound);
    } finally {
      fake.setWebhookUrl(undefined);
      await receiver.close();
    }
  });

  it('more than 3 buttons go as a list; more than 10 as lettered text', async () => {
    const buttons = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ id: `b${i}`, title: `Choice ${i}` }));
    expect(await sent({ kind: 'buttons', text: 'Pick', buttons: buttons(7) })).toMatchObject({
      type: 'interactive',
      interactive: { type: 'list', action: { button: '☰', sections: [{ rows: buttons(7) }] } },
    });
    const lettered = await sent({ kind: 'buttons', text: 'Pick', buttons: buttons(11) });
    expect(lettered.type).toBe('text');
    expect((lettered.text as { body: string }).body).toMatch(
      /^Pick\nA\. Choice 0\n.*\nK\. Choice 10$/s,
    );
  });

  it('lists with sections; over 10 rows as lettered text', async () => {
    const list: ChannelMessage = {
      kind: 'list',
      text: 'What would you like?',
      buttonLabel: 'Menu',
      sections: [
        {
          title: 'Pizzas',
          rows: [{ id: 'p1', title: 'Margherita', description: 'Tomato, mozzarella, basil' }],
        },
        {
          title: 'Drinks',
          rows: [
            { id: 'd1', title: 'Water' },
            { id: 'd2', title: 'Lemonade' },
          ],
        },
      ],
    };
    expect((await sent(list)).interactive).toEqual({
      type: 'list',
      body: { text: 'What would you like?' },
      action: {
        button: 'Menu',
        sections: [
          {
            title: 'Pizzas',
            rows: [{ id: 'p1', title: 'Margherita', description: 'Tomato, mozzarella, basil' }],
          },
          {
            title: 'Drinks',
            rows: [
              { id: 'd1', title: 'Water' },
              { id: 'd2', title: 'Lemonade' },
            ],
          },
        ],
      },
    });
    const big: ChannelMessage = {
      kind: 'list',
      text: 'All of them',
      buttonLabel: 'Menu',
      sections: [
        {
          title: 'All',
          rows: Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` })),
        },
      ],
    };
    expect((await sent(big)).type).toBe('text');
  });

  it('options as lettered navigation text', async () => {
    expect(
      await sent({
        kind: 'options',
        text: 'Where to?',
        groups: [
          {
            title: 'Menu',
            options: [
              { id: 'n:a', title: 'Pizzas', key: 'A' },
              { id: 'n:b', title: 'Drinks', key: 'B' },
            ],
          },
        ],
      }),
    ).toMatchObject({ type: 'text', text: { body: 'Where to?\n*Menu*\nA. Pizzas\nB. Drinks' } });
  });

  it('templates with positional body parameters, also outside the window', async () => {
    fake.templates.add({
      name: 'order_update',
      components: [
        {
          type: 'BODY',
          text: 'Hi {{1}}, order {{2}} is on its way',
          example: { body_text: [['Ana', '42']] },
        },
      ],
    });
    fake.whatsapp.closeWindow(user);
    expect(
      await sent({
        kind: 'template',
        name: 'order_update',
        language: 'en_US',
        parameters: ['Ana', '42\nextra'],
      }),
    ).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '42 extra' },
            ],
          },
        ],
      },
    });
    expect(
      (await sent({ kind: 'template', name: 'hello_world', language: 'en_US', parameters: [] }))
        .template,
    ).toEqual({
      name: 'hello_world',
      language: { code: 'en_US' },
    });
  });

  it('quote-replies with context.message_id', async () => {
    expect(
      (await sent({ kind: 'text', text: 're' }, { replyToPlatformMessageId: 'wamid.THEIRS' }))
        .context,
    ).toEqual({
      message_id: 'wamid.THEIRS',
    });
  });

  it('a username-only contact is addressed by BSUID (`recipient`); a phone wins when both are known', async () => {
    fake.whatsapp.openWindow('US.1349');
    expect(await sent({ kind: 'text', text: 'hi' }, { to: { userId: 'US.1349' } })).toMatchObject({
      recipient: 'US.1349',
    });
    expect(
      await sent(
        { kind: 'text', text: 'hi' },
        { to: { userId: 'US.1349', phone: '+1 555-555-0101' } },
      ),
    ).toMatchObject({
      to: user,
    });
    expect(
      await failure(adapter.send({ kind: 'text', text: 'hi' }, context({ to: {} }))),
    ).toMatchObject({
      kind: 'permanent',
      code: 'no-recipient',
    });
  });

  it('refuses before sending what Meta would reject, and says why', async () => {
    const before = fake.requests.length;
    expect(await failure(adapter.send({ kind: 'text', text: '' }, context()))).toMatchObject({
      kind: 'permanent',
      code: 'invalid-message',
    });
    expect(fake.requests.length).toBe(before);
  });
});

describe('send errors are classified for core', () => {
  it('outside the 24-hour window: window-closed (131047)', async () => {
    fake.whatsapp.closeWindow(user);
    const error = await failure(adapter.send({ kind: 'text', text: 'late' }, context()));
    expect(error).toMatchObject({ kind: 'window-closed', code: 131047, isRetryable: false });
    expect(error.message).toMatch(
      /^\[WhatsApp\] POST \/v23.0\/200000000000002\/messages: \(#131047\) Re-engagement message/,
    );
  });

  it('throughput (130429): rate-limited for a second', async () => {
    const slow = await createFakeGraphApi({ appSecret, accessToken, messagesPerSecond: 2 });
    try {
      slow.whatsapp.openWindow(user);
      const a = createWhatsAppAdapter({ graphApiBaseUrl: slow.url });
      await a.send({ kind: 'text', text: '1' }, context());
      await a.send({ kind: 'text', text: '2' }, context());
      expect(await failure(a.send({ kind: 'text', text: '3' }, context()))).toMatchObject({
        kind: 'rate-limited',
        code: 130429,
        retryAfterMs: 1_000,
      });
    } finally {
      await slow.close();
    }
  });

  it('pair rate limit (131056): 4^x seconds per recipient, reset by a success', async () => {
    fake.whatsapp.openWindow('15555550202');
    fake.inject({
      error: { code: 131056 },
      times: 3,
      match: (r) => (r.body as { to?: string }).to === user,
    });
    const send = (to: string) =>
      adapter.send({ kind: 'text', text: 'x' }, context({ to: { phone: to } }));
    expect((await failure(send(user))).retryAfterMs).toBe(1_000);
    expect((await failure(send(user))).retryAfterMs).toBe(4_000);
    await send('15555550202');
    expect((await failure(send(user))).retryAfterMs).toBe(16_000);
    await send(user);
    fake.inject({ error: { code: 131056 } });
    expect(await failure(send(user))).toMatchObject({ kind: 'rate-limited', retryAfterMs: 1_000 });
  });

  it('5xx, timeouts and dropped connections: retryable; 131000 and 131057 too', async () => {
    fake.inject({ status5xx: true });
    expect(await failure(adapter.send({ kind: 'text', text: 'x' }, context()))).toMatchObject({
      kind: 'retryable',
    });
    fake.inject({ dropConnection: true, afterHandling: true });
    expect(await failure(adapter.send({ kind: 'text', text: 'x' }, context()))).toMatchObject({
      kind: 'retryable',
      code: 'network',
    });
    const quick = createWhatsAppAdapter({ graphApiBaseUrl: fake.url, timeoutMs: 100 });
    fake.inject({ timeout: true });
    const timeout = await failure(quick.send({ kind: 'text', text: 'x' }, context()));
    expect(timeout).toMatchObject({ kind: 'retryable', code: 'timeout' });
    expect(timeout.message).toMatch(/duplicate/);
    fake.inject({ error: { code: 131000, status: 500 } });
    expect(await failure(adapter.send({ kind: 'text', text: 'x' }, context()))).toMatchObject({
      kind: 'retryable',
      code: 131000,
    });
    fake.inject({ error: { code: 131057 } });
    expect(await failure(adapter.send({ kind: 'text', text: 'x' }, context()))).toMatchObject({
      kind: 'retryable',
      retryAfterMs: 15_000,
    });
  });

  it('permanent: undeliverable, unknown template, bad token, bad phone number id', async () => {
    fake.inject({ error: { code: 131026 } });
    expect(await failure(adapter.send({ kind: 'text', text: 'x' }, context()))).toMatchObject({
      kind: 'permanent',
      code: 131026,
    });
    expect(
      await failure(
        adapter.send(
          { kind: 'template', name: 'nope', language: 'en_US', parameters: [] },
          context(),
        ),
      ),
    ).toMatchObject({
      kind: 'permanent',
      code: 132001,
    });
    expect(
      await failure(
        adapter.send(
          { kind: 'text', text: 'x' },
          context({ channel: channel({}, { accessToken: 'bad' }) }),
        ),
      ),
    ).toMatchObject({
      kind: 'permanent',
      code: 190,
    });
    expect(
      await failure(
        adapter.send(
          { kind: 'text', text: 'x' },
          context({ channel: channel({ phoneNumberId: '1' }) }),
        ),
      ),
    ).toMatchObject({
      kind: 'permanent',
      code: 100,
    });
  });

  it('missing settings or credentials: permanent, naming what to set', async () => {
    const error = await failure(
      adapter.send(
        { kind: 'text', text: 'x' },
        context({ channel: channel({ phoneNumberId: '' }) }),
      ),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'missing-phoneNumberId' });
    expect(error.message).toMatch(/settings.phoneNumberId is missing/);
    expect(
      await failure(
        adapter.send(
          { kind: 'text', text: 'x' },
          context({ channel: channel({}, { accessToken: '' }) }),
        ),
      ),
    ).toMatchObject({
      code: 'missing-accessToken',
    });
  });
});

describe('markAsRead', () => {
  it('marks a received message read; an unknown id is a permanent 131009', async () => {
    const { messageId } = await fake.whatsapp.userSends({ from: user, text: 'hi' });
    await adapter.markAsRead(messageId, context());
    expect(fake.requests.at(-1)).toMatchObject({
      accepted: true,
      body: { messaging_product: 'whatsapp', status: 'read', message_id: messageId },
    });
    expect(await failure(adapter.markAsRead('wamid.NEVER', context()))).toMatchObject({
      kind: 'permanent',
      code: 131009,
    });
  });
});

describe('validateCredentials', () => {
  it('ok with what Meta says about the number', async () => {
    expect(await adapter.validateCredentials(channel())).toEqual({
      ok: true,
      details: {
        phoneNumberId,
        wabaId,
        displayPhoneNumber: expect.any(String),
        verifiedName: expect.any(String),
        qualityRating: 'GREEN',
      },
    });
    expect(fake.requests.find((r) => r.path === `/v23.0/${phoneNumberId}`)?.query.fields).toBe(
      'id,display_phone_number,verified_name,quality_rating',
    );
  });

  it('190: names the token', async () => {
    const check = await adapter.validateCredentials(channel({}, { accessToken: 'expired' }));
    expect(check).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^The access token was refused \(Graph error 190: .*\): it is invalid, expired or revoked/,
      ),
    });
  });

  it('100: names the wrong phone number id, or the wrong WABA', async () => {
    expect(await adapter.validateCredentials(channel({ phoneNumberId: '123' }))).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^Phone number id "123" was not found, or this token cannot see it \(Graph error 100: Unsupported get request/,
      ),
    });
    expect(await adapter.validateCredentials(channel({ wabaId: '456' }))).toEqual({
      ok: false,
      reason: expect.stringMatching(/^WhatsApp Business Account id "456" was not found/),
    });
  });

  it('a number of another WABA, missing settings and credentials', async () => {
    const two = await createFakeGraphApi({
      appSecret,
      accessToken,
      whatsapp: {
        phoneNumbers: [
          { id: phoneNumberId, displayPhoneNumber: '15550000000', wabaId, verifiedName: 'A' },
          { id: '300', displayPhoneNumber: '15550000001', wabaId: '400', verifiedName: 'B' },
        ],
      },
    });
    try {
      const a = createWhatsAppAdapter({ graphApiBaseUrl: two.url });
      expect(await a.validateCredentials(channel({ wabaId: '400' }))).toEqual({
        ok: false,
        reason:
          'Phone number id "200000000000002" does not belong to WhatsApp Business Account "400" (its numbers: 300).',
      });
    } finally {
      await two.close();
    }
    expect(
      await adapter.validateCredentials(channel({ wabaId: undefined }, { appSecret: '' })),
    ).toEqual({
      ok: false,
      reason: 'Missing settings.wabaId, credentials.appSecret',
    });
  });

  it('a Graph outage is not a verdict: it throws retryable', async () => {
    fake.inject({ status5xx: 503 });
    expect(await failure(adapter.validateCredentials(channel()))).toMatchObject({
      kind: 'retryable',
    });
  });
});

describe('subscribe', () => {
  let server: Server;
  let callbackUrl: string;
  beforeAll(async () => {
    // A callback that answers Meta's handshake with the adapter itself.
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      const result = adapter.verifyHandshake(Object.fromEntries(url.searchParams), channel());
      res.writeHead(result.ok ? 200 : 403, { 'content-type': 'text/plain' });
      res.end(result.ok ? result.challenge : 'forbidden');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp/ch_whatsapp_1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('subscribes the app to the WABA', async () => {
    await adapter.subscribe(channel(), {});
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: `/v23.0/${wabaId}/subscribed_apps`,
      accepted: true,
      body: {},
    });
  });

  it('with a callback URL: override_callback_uri + verify_token, verified by Meta’s handshake', async () => {
    await adapter.subscribe(channel(), { callbackUrl });
    expect(fake.requests.at(-1)?.body).toEqual({
      override_callback_uri: callbackUrl,
      verify_token: verifyToken,
    });
    const apps = await fetch(`${fake.url}/v23.0/${wabaId}/subscribed_apps`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(await apps.json()).toMatchObject({ data: [{ override_callback_uri: callbackUrl }] });
  });

  it('a verify token the callback does not know fails the handshake: permanent (2200)', async () => {
    expect(
      await failure(adapter.subscribe(channel(), { callbackUrl, verifyToken: 'other' })),
    ).toMatchObject({ kind: 'permanent', code: 2200 });
    expect(
      await failure(adapter.subscribe(channel({}, { verifyToken: '' }), { callbackUrl })),
    ).toMatchObject({ code: 'missing-verifyToken' });
  });
});

describe('templates', () => {
  it('lists every template, following the paging', async () => {
    for (let i = 0; i < 120; i++)
      fake.templates.add({
        name: `t_${String(i).padStart(3, '0')}`,
        status: i % 2 ? 'APPROVED' : 'PENDING',
      });
    const templates = await adapter.listTemplates(channel());
    expect(templates).toHaveLength(121);
    expect(templates[0]).toMatchObject({
      name: 'hello_world',
      language: 'en_US',
      status: 'approved',
      category: 'UTILITY',
      id: expect.any(String),
    });
    expect(templates[1]).toMatchObject({
      name: 't_000',
      status: 'pending',
      components: [{ type: 'BODY', text: 'Hello {{1}}' }],
    });
    expect(fake.requests.filter((r) => r.path.endsWith('/message_templates'))).toHaveLength(2);
  });

  it('creates (pending), refuses a bad name locally and a duplicate remotely, deletes', async () => {
    const components = [
      { type: 'BODY', text: 'Your order {{1}} shipped', example: { body_text: [['42']] } },
    ];
    const created = await adapter.createTemplate(channel(), {
      name: 'order_shipped',
      language: 'en_US',
      category: 'UTILITY',
      components,
    });
    expect(created).toEqual({
      id: expect.any(String),
      name: 'order_shipped',
      language: 'en_US',
      category: 'UTILITY',
      status: 'pending',
      components,
    });
    expect(fake.templates.get('order_shipped')?.status).toBe('PENDING');
    expect(
      await failure(
        adapter.createTemplate(channel(), {
          name: 'Order Shipped!',
          language: 'en_US',
          category: 'UTILITY',
          components,
        }),
      ),
    ).toMatchObject({
      kind: 'permanent',
      code: 'invalid-template',
    });
    expect(
      await failure(
        adapter.createTemplate(channel(), {
          name: 'order_shipped',
          language: 'en_US',
          category: 'UTILITY',
          components,
        }),
      ),
    ).toMatchObject({
      kind: 'permanent',
      code: 100,
    });
    await adapter.deleteTemplate(channel(), { name: 'order_shipped', id: created.id! });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'DELETE',
      query: { name: 'order_shipped', hsm_id: created.id },
    });
    expect(fake.templates.get('order_shipped')).toBeUndefined();
    expect(
      await failure(adapter.deleteTemplate(channel(), { name: 'order_shipped' })),
    ).toMatchObject({ kind: 'permanent' });
  });

  it('a template status webhook after approval reaches core as template-status', async () => {
    const receiver = await createWebhookReceiver({ appSecret });
    fake.setWebhookUrl(receiver.url);
    try {
      await adapter.createTemplate(channel(), {
        name: 'welcome',
        language: 'en_US',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: 'Welcome!' }],
      });
      await fake.templates.approve('welcome');
      const [webhook] = await receiver.waitFor(1);
      expect(adapter.verifySignature(webhook!.rawBody, webhook!.headers, channel())).toBe(true);
      expect(ok(adapter.parseWebhook(webhook!.rawBody, channel())).events).toEqual([
        {
          type: 'template-status',
          templateName: 'welcome',
          language: 'en_US',
          templateId: expect.any(String),
          status: 'approved',
        },
      ]);
    } finally {
      fake.setWebhookUrl(undefined);
      await receiver.close();
    }
  });
});

describe('media', () => {
  it('uploads a file (multipart) and downloads it again, checked against its SHA-256', async () => {
    const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]);
    const { mediaId } = await adapter.uploadMedia(channel(), {
      data: png,
      mimeType: 'image/png',
      filename: 'dot.png',
    });
    expect(fake.whatsapp.media(mediaId)).toMatchObject({
      mimeType: 'image/png',
      filename: 'dot.png',
    });
    const upload = fake.requests.at(-1);
    expect(upload?.body).toMatchObject({
      fields: { messaging_product: 'whatsapp', type: 'image/png' },
      files: [{ field: 'file', size: 11 }],
    });
    const download = await adapter.downloadMedia(channel(), mediaId);
    expect(download.data).toEqual(png);
    expect(download).toMatchObject({
      mimeType: 'image/png',
      fileSize: 11,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(
      await failure(adapter.uploadMedia(channel(), { data: png, mimeType: 'application/x-foo' })),
    ).toMatchObject({
      kind: 'permanent',
      code: 131053,
    });
  });

  it('downloads a user’s voice note from the id in the webhook', async () => {
    const receiver = await createWebhookReceiver({ appSecret });
    fake.setWebhookUrl(receiver.url);
    try {
      await fake.whatsapp.userSends({
        from: user,
        media: { kind: 'audio', voice: true, data: 'OggS voice bytes' },
      });
      const [webhook] = await receiver.waitFor(1);
      const event = ok(adapter.parseWebhook(webhook!.rawBody, channel()))
        .events[0] as InboundMessageEvent & { whatsapp: { voice?: boolean } };
      expect(event.whatsapp.voice).toBe(true);
      if (event.content.kind !== 'media' || event.content.mediaId === undefined)
        throw new Error('expected media');
      const file = await adapter.downloadMedia(channel(), event.content.mediaId);
      expect(new TextDecoder().decode(file.data)).toBe('OggS voice bytes');
      expect(file.mimeType).toBe('audio/ogg; codecs=opus');
    } finally {
      fake.setWebhookUrl(undefined);
      await receiver.close();
    }
  });

  it('an unknown media id is permanent', async () => {
    expect(await failure(adapter.downloadMedia(channel(), '999999'))).toMatchObject({
      kind: 'permanent',
      code: 100,
    });
  });
});

describe('end to end with the fake: inbound, reply, statuses', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await createWebhookReceiver({ appSecret });
  });
  afterAll(() => receiver.close());

  it('a user writes, we reply quoting them, statuses arrive, a late free-form message fails asynchronously', async () => {
    const auto = await createFakeGraphApi({
      appSecret,
      accessToken,
      webhookUrl: receiver.url,
      whatsapp: { autoStatuses: { delivered: true, read: true }, windowErrors: 'async' },
    });
    receiver.clear();
    try {
      const a = createWhatsAppAdapter({ graphApiBaseUrl: auto.url });
      const { messageId } = await auto.whatsapp.userSends({
        from: user,
        userId: 'US.77',
        name: 'Ana',
        text: 'Olá! 🍕',
      });
      const [inbound] = await receiver.waitFor(1);
      expect(a.verifySignature(inbound!.rawBody, inbound!.headers, channel())).toBe(true);
      const message = ok(a.parseWebhook(inbound!.rawBody, channel()))
        .events[0] as InboundMessageEvent;
      expect(message).toMatchObject({
        platformMessageId: messageId,
        contact: { userId: 'US.77', phone: user, name: 'Ana' },
        content: { kind: 'text', text: 'Olá! 🍕' },
      });
      const { platformMessageId } = await a.send(
        { kind: 'text', text: 'Hi Ana!' },
        context({ to: message.contact, replyToPlatformMessageId: messageId }),
      );
      await auto.idle();
      const statuses = (await receiver.waitFor(4))
        .slice(1)
        .flatMap((w) => ok(a.parseWebhook(w.rawBody, channel())).events) as MessageStatusEvent[];
      expect(statuses.map((s) => [s.platformMessageId, s.status])).toEqual([
        [platformMessageId, 'sent'],
        [platformMessageId, 'delivered'],
        [platformMessageId, 'read'],
      ]);
      auto.whatsapp.closeWindow(user);
      auto.whatsapp.closeWindow('US.77');
      const late = await a.send({ kind: 'text', text: 'Still there?' }, context());
      await auto.idle();
      const failed = ok(a.parseWebhook((await receiver.waitFor(5))[4]!.rawBody, channel()))
        .events[0];
      expect(failed).toMatchObject({
        type: 'status',
        platformMessageId: late.platformMessageId,
        status: 'failed',
        error: { code: '131047' },
      });
    } finally {
      await auto.close();
    }
  });
});
