/** The Messenger adapter against the fake Graph API of @chatloom/testkit (real HTTP). */
import { AdapterError, checkAdapter, type SendContext } from '@chatloom/core/adapter';
import { type ChannelMessage, windowRules } from '@chatloom/flow-engine';
import { graphErrorInfo } from '@chatloom/meta-graph';
import { createFakeGraphApi, type FakeGraphApi } from '@chatloom/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accessToken, appSecret, channel, ok, pageId, psid } from './__tests__/helpers.js';
import { messengerCapabilities } from './capabilities.js';
import {
  createMessengerAdapter,
  type MessengerAdapter,
  messengerSubscribedFields,
} from './messenger-adapter.js';

const day = 24 * 60 * 60 * 1000;
const encoder = new TextEncoder();
let fake: FakeGraphApi;
let adapter: MessengerAdapter;

beforeAll(async () => {
  fake = await createFakeGraphApi({ appSecret, accessToken });
  adapter = createMessengerAdapter({ graphApiBaseUrl: fake.url, timeoutMs: 1_000 });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.messenger.openWindow(psid);
});

const context = (over: Partial<SendContext> = {}): SendContext => ({
  to: { userId: psid },
  channel: channel(),
  ...over,
});

async function failure(promise: Promise<unknown>): Promise<AdapterError> {
  try {
    await promise;
  } catch (error) {
    if (AdapterError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('the adapter object', () => {
  it('implements interface version 1; capabilities come from channelProfiles.messenger', () => {
    expect(checkAdapter(adapter)).toBe(adapter);
    expect(adapter.platform).toBe('messenger');
    expect(adapter.capabilities).toBe(messengerCapabilities);
    expect(adapter.capabilities.window).toEqual(windowRules.messenger);
    expect(adapter.capabilities.supports.templates).toBe(false);
    expect(adapter.capabilities.limits).toMatchObject({
      textLength: 2000,
      buttons: 3,
      listRows: 13,
    });
  });
});

describe('send: every form reaches the fake and is accepted', () => {
  const cases: [string, ChannelMessage, string[]][] = [
    ['text', { kind: 'text', text: 'Hello 👋' }, ['text']],
    [
      'buttons',
      {
        kind: 'buttons',
        text: 'How can we help?',
        buttons: [
          { id: 'welcome:order', title: 'Track my order' },
          { id: 'welcome:menu', title: 'See the menu' },
        ],
      },
      ['attachment'],
    ],
    [
      'quick-replies',
      {
        kind: 'list',
        text: 'Pick a category',
        buttonLabel: 'Categories',
        sections: [
          {
            rows: Array.from({ length: 10 }, (_, i) => ({ id: `menu:r${i}`, title: `Row ${i}` })),
          },
        ],
      },
      ['text'],
    ],
    [
      'carousel',
      {
        kind: 'list',
        text: 'Pick a pizza',
        buttonLabel: 'Pizzas',
        sections: [
          { title: 'Classic', rows: [{ id: 'p:m', title: 'Margherita' }] },
          { title: 'Special', rows: [{ id: 'p:v', title: 'Garden veggie' }] },
        ],
      },
      ['text', 'attachment'],
    ],
    [
      'lettered',
      {
        kind: 'options',
        text: 'Type a letter',
        groups: [{ options: [{ id: 's:a', title: 'Again', key: 'A' }] }],
      },
      ['text'],
    ],
    [
      'media',
      { kind: 'media', media: 'image', url: 'https://example.com/p.png', caption: 'Our pizza' },
      ['attachment', 'text'],
    ],
  ];
  for (const [form, message, types] of cases) {
    it(form, async () => {
      const result = await adapter.send(message, context());
      expect(adapter.render(message).form).toBe(form);
      const sent = fake.sent({ channel: 'messenger' });
      expect(sent.map((s) => s.type)).toEqual(types);
      expect(fake.stats().rejected).toBe(0);
      expect(fake.requests.every((r) => r.path === `/v23.0/${pageId}/messages`)).toBe(true);
      // The id returned is the media's, or the message that carries the choices.
      const primary = form === 'carousel' ? sent.at(-1) : sent[0];
      expect(result.platformMessageId).toBe(primary?.id);
      for (const s of sent) {
        expect(s.body).toMatchObject({ recipient: { id: psid }, messaging_type: 'RESPONSE' });
      }
    });
  }

  it('a tapped button and a tapped quick reply come back with the Choice.id', async () => {
    await adapter.send(
      {
        kind: 'buttons',
        text: 'Pick',
        buttons: [{ id: 'welcome:menu', title: 'See the menu' }],
      },
      context(),
    );
    const tap = await fake.messenger.userSends({
      psid,
      postback: { payload: 'welcome:menu', title: 'See the menu' },
    });
    expect(ok(adapter.parseWebhook(encoder.encode(tap.rawBody), channel())).events).toMatchObject([
      { content: { kind: 'choice', id: 'welcome:menu', title: 'See the menu' } },
    ]);
    const quick = await fake.messenger.userSends({
      psid,
      quickReply: { payload: 'menu:r3', title: 'Row 3' },
    });
    expect(ok(adapter.parseWebhook(encoder.encode(quick.rawBody), channel())).events).toMatchObject(
      [{ content: { kind: 'choice', id: 'menu:r3', title: 'Row 3' } }],
    );
  });
});

describe('send: the window and the HUMAN_AGENT tag', () => {
  it('past 24 hours a RESPONSE is window-closed (10/2018278) and not retried', async () => {
    fake.messenger.openWindow(psid, { at: fake.now() - day - 60_000 });
    const error = await failure(adapter.send({ kind: 'text', text: 'Hi' }, context()));
    expect(error).toMatchObject({ kind: 'window-closed', code: 10, isRetryable: false });
    expect(graphErrorInfo(error)?.subcode).toBe(2018278);
  });

  it('context.tag HUMAN_AGENT sends MESSAGE_TAG + HUMAN_AGENT, accepted up to 7 days', async () => {
    fake.messenger.openWindow(psid, { at: fake.now() - 6 * day });
    await adapter.send({ kind: 'text', text: 'An agent here' }, context({ tag: 'HUMAN_AGENT' }));
    expect(fake.sent().at(-1)?.body).toEqual({
      recipient: { id: psid },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'An agent here' },
    });
    fake.messenger.openWindow(psid, { at: fake.now() - 7 * day - 60_000 });
    expect(
      await failure(adapter.send({ kind: 'text', text: 'Late' }, context({ tag: 'HUMAN_AGENT' }))),
    ).toMatchObject({ kind: 'window-closed' });
  });

  it('someone who never wrote is permanent (100/2018001)', async () => {
    const error = await failure(
      adapter.send({ kind: 'text', text: 'Hi' }, context({ to: { userId: '499' } })),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 100 });
    expect(error.message).toMatch(/no matching user/);
  });
});

describe('send: errors', () => {
  it('templates are refused before any request: Messenger has none', async () => {
    const error = await failure(
      adapter.send(
        { kind: 'template', name: 'hello_world', language: 'en_US', parameters: [] },
        context(),
      ),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'invalid-message' });
    expect(error.message).toMatch(/Messenger has no platform message templates/);
    expect(fake.requests).toHaveLength(0);
  });

  it('a contact without a PSID, a channel without a Page id or token: permanent, no request', async () => {
    expect(
      await failure(adapter.send({ kind: 'text', text: 'x' }, context({ to: { phone: '1555' } }))),
    ).toMatchObject({ kind: 'permanent', code: 'no-recipient' });
    expect(
      await failure(
        adapter.send(
          { kind: 'text', text: 'x' },
          context({ channel: { ...channel(), settings: {} } }),
        ),
      ),
    ).toMatchObject({ kind: 'permanent', code: 'missing-pageId' });
    expect(
      await failure(
        adapter.send(
          { kind: 'text', text: 'x' },
          context({ channel: channel({}, { accessToken: '' }) }),
        ),
      ),
    ).toMatchObject({ kind: 'permanent', code: 'missing-accessToken' });
    expect(fake.requests).toHaveLength(0);
  });

  it('Meta errors: 551 permanent, 613 rate-limited, 5xx / timeout / dropped retryable, 190 permanent', async () => {
    const text: ChannelMessage = { kind: 'text', text: 'Hi' };
    fake.inject({
      error: { code: 551, subcode: 1545041, message: 'This person isn’t available right now.' },
    });
    expect(await failure(adapter.send(text, context()))).toMatchObject({
      kind: 'permanent',
      code: 551,
    });
    fake.inject({
      error: { code: 613, message: '(#613) Calls to this api have exceeded the rate limit.' },
    });
    expect(await failure(adapter.send(text, context()))).toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 60_000,
    });
    fake.inject({ status5xx: true });
    expect(await failure(adapter.send(text, context()))).toMatchObject({ kind: 'retryable' });
    fake.inject({ timeout: true });
    expect(await failure(adapter.send(text, context()))).toMatchObject({
      kind: 'retryable',
      code: 'timeout',
    });
    fake.inject({ dropConnection: true });
    expect(await failure(adapter.send(text, context()))).toMatchObject({
      kind: 'retryable',
      code: 'network',
    });
    const bad = await failure(
      adapter.send(text, context({ channel: channel({}, { accessToken: 'revoked' }) })),
    );
    expect(bad).toMatchObject({ kind: 'permanent', code: 190 });
    expect(bad.message).not.toContain('revoked');
  });

  it('a carousel whose template fails after its text went out throws the template’s error', async () => {
    fake.inject({ status5xx: true, match: (r) => JSON.stringify(r.body).includes('generic') });
    const error = await failure(
      adapter.send(
        {
          kind: 'list',
          text: 'Pick',
          buttonLabel: 'x',
          sections: [
            { title: 'A', rows: [{ id: 'a', title: 'A1' }] },
            { title: 'B', rows: [{ id: 'b', title: 'B1' }] },
          ],
        },
        context(),
      ),
    );
    expect(error.kind).toBe('retryable');
    expect(fake.sent().map((s) => s.type)).toEqual(['text']);
  });
});

describe('markAsRead, validateCredentials, subscribe', () => {
  it('markAsRead sends mark_seen to the contact (the thread, not one message)', async () => {
    await adapter.markAsRead('m_IN', context());
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/v23.0/${pageId}/messages`,
      body: { recipient: { id: psid }, sender_action: 'mark_seen' },
      accepted: true,
    });
  });

  it('validateCredentials: GET the Page; names missing values, a bad token, an unknown Page', async () => {
    expect(await adapter.validateCredentials(channel())).toEqual({
      ok: true,
      details: { pageId, name: expect.any(String) },
    });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: `/v23.0/${pageId}`,
      query: { fields: 'id,name' },
    });
    expect(
      await adapter.validateCredentials({ ...channel({}, { appSecret: '' }), settings: {} }),
    ).toEqual({ ok: false, reason: 'Missing settings.pageId, credentials.appSecret' });
    expect(await adapter.validateCredentials(channel({}, { accessToken: 'expired' }))).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^The access token was refused \(Graph error 190: .*\): it is invalid, expired or revoked\. Create a Page access token with pages_messaging\.$/,
      ),
    });
    expect(await adapter.validateCredentials(channel({ pageId: '999' }))).toEqual({
      ok: false,
      reason: expect.stringMatching(/^Page id "999" was not found, or this token cannot see it/),
    });
    fake.inject({ status5xx: true });
    expect((await failure(adapter.validateCredentials(channel()))).kind).toBe('retryable');
  });

  it('subscribe: POST /{page-id}/subscribed_apps with the fields; errors are thrown', async () => {
    await adapter.subscribe(channel());
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: `/v23.0/${pageId}/subscribed_apps`,
      query: { subscribed_fields: messengerSubscribedFields.join(',') },
      accepted: true,
    });
    expect((await failure(adapter.subscribe(channel({}, { accessToken: 'expired' })))).kind).toBe(
      'permanent',
    );
  });

  it('the Graph version and base URL are settings', async () => {
    const pinned = createMessengerAdapter({ graphApiBaseUrl: fake.url, apiVersion: 'v25.0' });
    await pinned.send({ kind: 'text', text: 'x' }, context());
    expect(fake.requests.at(-1)?.path).toBe(`/v25.0/${pageId}/messages`);
    expect(() => createMessengerAdapter({ apiVersion: '25' })).toThrow(/vNN.N/);
  });
});
