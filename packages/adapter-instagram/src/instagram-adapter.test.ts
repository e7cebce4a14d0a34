/** The Instagram adapter, both setups, against the fake Graph API of @chatloom/testkit (real HTTP). */
import { AdapterError, checkAdapter, type SendContext } from '@chatloom/core/adapter';
import { type ChannelMessage, windowRules } from '@chatloom/flow-engine';
import { graphErrorInfo, utf8Length } from '@chatloom/meta-graph';
import { createFakeGraphApi, type FakeGraphApi } from '@chatloom/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accessToken,
  accountId,
  appSecret,
  channel,
  igsid,
  instagramAppSecret,
  ok,
  pageId,
} from './__tests__/helpers.js';
import { instagramCapabilities } from './capabilities.js';
import {
  createInstagramAdapter,
  type InstagramAdapter,
  instagramSubscribedFields,
} from './instagram-adapter.js';

const day = 24 * 60 * 60 * 1000;
const encoder = new TextEncoder();
let fake: FakeGraphApi;
let setupA: InstagramAdapter;
let setupB: InstagramAdapter;

beforeAll(async () => {
  fake = await createFakeGraphApi({
    appSecret,
    accessToken,
    instagram: { appSecret: instagramAppSecret },
  });
  setupA = createInstagramAdapter({
    host: 'instagram',
    graphApiBaseUrl: fake.url,
    timeoutMs: 1_000,
  });
  setupB = createInstagramAdapter({
    host: 'facebook',
    graphApiBaseUrl: fake.url,
    timeoutMs: 1_000,
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.instagram.openWindow(igsid);
});

const context = (over: Partial<SendContext> = {}): SendContext => ({
  to: { userId: igsid },
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
  it('implements interface version 1; capabilities come from channelProfiles.instagram', () => {
    expect(checkAdapter(setupA)).toBe(setupA);
    expect(setupA.platform).toBe('instagram');
    expect(setupA.capabilities).toBe(instagramCapabilities);
    expect(setupA.capabilities.window).toEqual(windowRules.instagram);
    expect(setupA.capabilities.limits.textLength).toBe(1000);
    expect(setupA.capabilities.supports.templates).toBe(false);
    expect(setupA.capabilities.messagesPerSecond).toBe(100);
  });

  it('the host is required and checked', () => {
    expect(() => createInstagramAdapter({} as never)).toThrow(/host must be "instagram"/);
    expect(() => createInstagramAdapter({ host: 'graph' as never })).toThrow(TypeError);
  });

  it('each host has its own default base URL', async () => {
    const urls: string[] = [];
    const fetch: typeof globalThis.fetch = async (input) => {
      urls.push(String(input));
      return new Response('{"recipient_id":"1","message_id":"m"}', { status: 200 });
    };
    await createInstagramAdapter({ host: 'instagram', fetch }).send(
      { kind: 'text', text: 'x' },
      context(),
    );
    await createInstagramAdapter({ host: 'facebook', fetch }).send(
      { kind: 'text', text: 'x' },
      context(),
    );
    expect(urls).toEqual([
      `https://graph.instagram.com/v23.0/${accountId}/messages`,
      `https://graph.facebook.com/v23.0/${pageId}/messages`,
    ]);
  });
});

describe('setup A (Instagram Login, graph.instagram.com)', () => {
  it('sends from the account: POST /{ig-id}/messages, accepted as Instagram', async () => {
    const result = await setupA.send({ kind: 'text', text: 'Olá 👋' }, context());
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/v23.0/${accountId}/messages`,
      channel: 'instagram',
      accepted: true,
    });
    expect(fake.sent({ channel: 'instagram' })[0]?.id).toBe(result.platformMessageId);
  });

  it('every form reaches the fake and is accepted', async () => {
    const messages: ChannelMessage[] = [
      { kind: 'buttons', text: 'Pick', buttons: [{ id: 'a:1', title: 'One' }] },
      {
        kind: 'buttons',
        text: 'Pick',
        buttons: Array.from({ length: 8 }, (_, i) => ({ id: `a:${i}`, title: `Option ${i}` })),
      },
      {
        kind: 'list',
        text: 'Pick',
        buttonLabel: 'x',
        sections: [
          { title: 'A', rows: [{ id: 'a', title: 'A1' }] },
          { title: 'B', rows: [{ id: 'b', title: 'B1' }] },
        ],
      },
      { kind: 'options', text: 'Type', groups: [{ options: [{ id: 'o', title: 'O', key: 'A' }] }] },
      { kind: 'media', media: 'video', url: 'https://example.com/v.mp4', caption: 'Watch' },
    ];
    for (const message of messages) await setupA.send(message, context());
    expect(fake.stats().rejected).toBe(0);
    expect(messages.map((m) => setupA.render(m).form)).toEqual([
      'buttons',
      'quick-replies',
      'carousel',
      'lettered',
      'media',
    ]);
  });

  it('a text of 1000 code points but 4000 bytes is cut to fit Instagram’s 1000 bytes', async () => {
    await setupA.send({ kind: 'text', text: '😀'.repeat(1000) }, context());
    const sent = fake.sent({ channel: 'instagram' })[0]?.body as { message: { text: string } };
    expect(utf8Length(sent.message.text)).toBeLessThanOrEqual(1000);
    expect(fake.stats().rejected).toBe(0);
  });

  it('window: RESPONSE past 24 h is window-closed (10/2534022); HUMAN_AGENT goes out up to 7 days', async () => {
    fake.instagram.openWindow(igsid, { at: fake.now() - 2 * day });
    const closed = await failure(setupA.send({ kind: 'text', text: 'Hi' }, context()));
    expect(closed).toMatchObject({ kind: 'window-closed', code: 10 });
    expect(graphErrorInfo(closed)?.subcode).toBe(2534022);
    await setupA.send({ kind: 'text', text: 'An agent' }, context({ tag: 'HUMAN_AGENT' }));
    expect(fake.sent().at(-1)?.body).toMatchObject({
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
    fake.instagram.openWindow(igsid, { at: fake.now() - 8 * day });
    expect(
      await failure(setupA.send({ kind: 'text', text: 'Late' }, context({ tag: 'HUMAN_AGENT' }))),
    ).toMatchObject({ kind: 'window-closed' });
  });

  it('templates are refused before any request: Instagram has none', async () => {
    const error = await failure(
      setupA.send({ kind: 'template', name: 't', language: 'en', parameters: [] }, context()),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'invalid-message' });
    expect(error.message).toMatch(/Instagram has no platform message templates/);
    expect(fake.requests).toHaveLength(0);
  });

  it('validateCredentials: GET /{ig-id}?fields=user_id,username,name', async () => {
    expect(await setupA.validateCredentials(channel())).toEqual({
      ok: true,
      details: {
        instagramAccountId: accountId,
        host: 'instagram',
        username: expect.any(String),
        name: expect.any(String),
      },
    });
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/v23.0/${accountId}`,
      query: { fields: 'user_id,username,name' },
    });
    expect(await setupA.validateCredentials(channel({}, { accessToken: 'expired' }))).toMatchObject(
      {
        ok: false,
        reason: expect.stringMatching(
          /^The access token was refused .* Create an Instagram user token/,
        ),
      },
    );
    expect(await setupA.validateCredentials(channel({ instagramAccountId: '1784' }))).toMatchObject(
      {
        ok: false,
        reason: expect.stringMatching(/^Instagram account id "1784" was not found/),
      },
    );
    expect(
      await setupA.validateCredentials(channel({ pageId: '' }, { appSecret: '', verifyToken: '' })),
    ).toEqual({
      ok: false,
      reason:
        'Missing credentials.verifyToken, credentials.appSecret or credentials.instagramAppSecret',
    });
    expect(
      await setupA.validateCredentials(channel({ signingSecret: 'instagramAppSecret' })),
    ).toEqual({ ok: false, reason: 'Missing credentials.instagramAppSecret' });
  });

  it('subscribe: POST /{ig-id}/subscribed_apps with the Instagram fields', async () => {
    await setupA.subscribe(channel());
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/v23.0/${accountId}/subscribed_apps`,
      query: { subscribed_fields: instagramSubscribedFields.instagram.join(',') },
      accepted: true,
    });
  });

  it('markAsRead: mark_seen from the account', async () => {
    await setupA.markAsRead('ig_mid.IN', context());
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/v23.0/${accountId}/messages`,
      body: { recipient: { id: igsid }, sender_action: 'mark_seen' },
      accepted: true,
    });
  });

  it('webhooks the fake signs with the Instagram app secret verify, and taps carry the choice id back', async () => {
    await setupA.send(
      { kind: 'buttons', text: 'Ship?', buttons: [{ id: 'ship:yes', title: 'Yes' }] },
      context(),
    );
    const tap = await fake.instagram.userSends({
      igsid,
      postback: { payload: 'ship:yes', title: 'Yes' },
    });
    const raw = encoder.encode(tap.rawBody);
    const headers = { 'x-hub-signature-256': tap.signature };
    const configured = channel({}, { instagramAppSecret });
    expect(setupA.verifySignature(raw, headers, configured)).toBe(true);
    expect(setupA.verifySignature(raw, headers, channel())).toBe(false);
    expect(ok(setupA.parseWebhook(raw, configured)).events).toMatchObject([
      { content: { kind: 'choice', id: 'ship:yes', title: 'Yes' } },
    ]);
  });
});

describe('setup B (a linked Page, graph.facebook.com)', () => {
  it('sends from the linked Page: POST /{page-id}/messages, which Meta routes to Instagram', async () => {
    await setupB.send({ kind: 'text', text: 'Hi' }, context());
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/v23.0/${pageId}/messages`,
      channel: 'instagram',
      accepted: true,
    });
    await setupB.send({ kind: 'text', text: 'Hi' }, context({ channel: channel({ pageId: '' }) }));
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v23.0/me/messages', accepted: true });
  });

  it('validateCredentials needs the Page; subscribe goes through it', async () => {
    expect(await setupB.validateCredentials(channel({ pageId: '' }))).toEqual({
      ok: false,
      reason: 'Missing settings.pageId',
    });
    expect(await setupB.validateCredentials(channel())).toMatchObject({
      ok: true,
      details: { host: 'facebook' },
    });
    expect(fake.requests.at(-1)?.query).toEqual({ fields: 'id,username,name' });
    await setupB.subscribe(channel());
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/v23.0/${pageId}/subscribed_apps`,
      query: { subscribed_fields: instagramSubscribedFields.facebook.join(',') },
      accepted: true,
    });
    expect(await failure(setupB.subscribe(channel({ pageId: '' })))).toMatchObject({
      kind: 'permanent',
      code: 'missing-pageId',
    });
  });

  it('a channel can override the adapter’s host; a wrong one is permanent', async () => {
    await setupB.send(
      { kind: 'text', text: 'x' },
      context({ channel: channel({ host: 'instagram' }) }),
    );
    expect(fake.requests.at(-1)?.path).toBe(`/v23.0/${accountId}/messages`);
    expect(
      await failure(
        setupB.send(
          { kind: 'text', text: 'x' },
          context({ channel: channel({ host: 'twitter' }) }),
        ),
      ),
    ).toMatchObject({ kind: 'permanent', code: 'invalid-host' });
    expect(await setupB.validateCredentials(channel({ host: 'twitter' }))).toMatchObject({
      ok: false,
    });
  });

  it('errors are classified with the Instagram table', async () => {
    fake.inject({
      error: { code: 613, message: '(#613) Calls to this api have exceeded the rate limit.' },
    });
    const error = await failure(setupB.send({ kind: 'text', text: 'x' }, context()));
    expect(error).toMatchObject({ kind: 'rate-limited' });
    expect(error.message).toMatch(/^\[Instagram\]/);
  });
});
