import { AdapterError } from '@chatloom/core/adapter';
import { channelProfiles } from '@chatloom/flow-engine';
import { createFakeGraphApi, type FakeGraphApi } from '@chatloom/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyGraphError, type GraphErrorInfo } from './errors.js';
import { createGraphClient, type GraphClient, graphPath } from './graph-client.js';
import {
  credentialRefusal,
  defineSendApiErrorTable,
  postSendApiMessages,
  type SendApiTarget,
  sendApiBody,
  sendApiCapabilities,
  sendApiMarkSeen,
  sendApiSend,
  subscribeApp,
} from './send-api.js';

const pageId = '300000000000011';
const psid = '400000000000012';
const table = defineSendApiErrorTable('Messenger');
const classify = (code: number, subcode?: number, status = 400) =>
  classifyGraphError(
    {
      failure: 'http',
      status,
      code,
      message: `(#${code}) x`,
      ...(subcode !== undefined && { subcode }),
    } satisfies GraphErrorInfo,
    table,
  );

async function failure(promise: Promise<unknown>): Promise<AdapterError> {
  try {
    await promise;
  } catch (error) {
    if (AdapterError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('sendApiBody', () => {
  it('RESPONSE inside the window; MESSAGE_TAG + HUMAN_AGENT when tagged', () => {
    expect(sendApiBody(psid, { text: 'Hi' })).toEqual({
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: { text: 'Hi' },
    });
    expect(sendApiBody(psid, { text: 'Hi' }, { tag: 'HUMAN_AGENT' })).toEqual({
      recipient: { id: psid },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'Hi' },
    });
  });
});

describe('the Send API error table (messenger-platform.md §5, instagram-messaging.md §4)', () => {
  it('maps codes and code/subcode pairs to kinds', () => {
    expect(classify(10, 2018278).kind).toBe('window-closed');
    expect(classify(10, 2534022).kind).toBe('window-closed');
    expect(classify(10).kind).toBe('permanent');
    expect(classify(10, 2018278).message).toMatch(
      /^\[Messenger\] \(#10\) x \(HTTP 400, code 10, subcode 2018278\) → window-closed: outside the messaging window/,
    );
    expect(classify(551).kind).toBe('permanent');
    expect(classify(551, 1545041).kind).toBe('permanent');
    expect(classify(100, 2018001).message).toMatch(/no matching user/);
    expect(classify(190, undefined, 401).kind).toBe('permanent');
    expect(classify(200, undefined, 403).kind).toBe('permanent');
    expect(classify(230, undefined, 403).kind).toBe('permanent');
    expect(classify(2, undefined, 503).kind).toBe('retryable');
    expect(classify(1200, undefined, 500).kind).toBe('retryable');
    expect(classify(4)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 60_000 });
    expect(classify(613)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 60_000 });
    // Marketing frequency limits share codes with rate limits; their subcodes say skip.
    expect(classify(4, 2018354).kind).toBe('permanent');
    expect(classify(9, 2018352).kind).toBe('permanent');
    expect(classify(105).kind).toBe('permanent');
  });
});

describe('sendApiCapabilities: capabilities derived from the profile', () => {
  it('Messenger', () => {
    expect(sendApiCapabilities(channelProfiles.messenger, { messagesPerSecond: 300 })).toEqual({
      limits: {
        textLength: 2000,
        buttons: 3,
        buttonTitle: 20,
        listRows: 13,
        rowTitle: 20,
        rowDescription: 0,
        caption: 2000,
      },
      supports: {
        buttons: true,
        lists: true,
        templates: false,
        media: ['image', 'video', 'audio', 'document'],
        markAsRead: true,
      },
      window: channelProfiles.messenger.window,
      messagesPerSecond: 300,
    });
  });
});

describe('posting against the fake Graph API', () => {
  let fake: FakeGraphApi;
  let client: GraphClient;
  let target: SendApiTarget;
  beforeAll(async () => {
    fake = await createFakeGraphApi({ appSecret: 's', accessToken: 'token' });
    client = createGraphClient({ baseUrl: fake.url, errors: table, timeoutMs: 2_000 });
    target = {
      client,
      path: graphPath(pageId, 'messages'),
      accessToken: 'token',
      platform: 'Messenger',
    };
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.messenger.openWindow(psid);
  });

  it('posts each message in order and answers the primary one’s id', async () => {
    const id = await postSendApiMessages(
      target,
      psid,
      [
        { attachment: { type: 'image', payload: { url: 'https://example.com/a.png' } } },
        { text: 'Caption' },
      ],
      { primary: 0 },
    );
    const sent = fake.sent({ channel: 'messenger' });
    expect(sent.map((s) => s.type)).toEqual(['attachment', 'text']);
    expect(id).toBe(sent[0]?.id);
  });

  it('sendApiSend tags a HUMAN_AGENT reply; the fake lets it through after 24 hours', async () => {
    fake.messenger.openWindow(psid, { at: fake.now() - 3 * 24 * 60 * 60 * 1000 });
    const channel = { id: 'c', tenantId: 't', settings: {}, credentials: {} };
    const untagged = await failure(
      sendApiSend(
        target,
        { messages: [{ text: 'Hi' }], primary: 0 },
        { to: { userId: psid }, channel },
      ),
    );
    expect(untagged).toMatchObject({ kind: 'window-closed', code: 10 });
    const result = await sendApiSend(
      target,
      { messages: [{ text: 'Hi' }], primary: 0 },
      { to: { userId: psid }, channel, tag: 'HUMAN_AGENT' },
    );
    expect(fake.sent().at(-1)).toMatchObject({
      id: result.platformMessageId,
      body: { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    });
  });

  it('a contact without a user id is permanent, before any request', async () => {
    const channel = { id: 'c', tenantId: 't', settings: {}, credentials: {} };
    const error = await failure(
      sendApiSend(
        target,
        { messages: [{ text: 'x' }], primary: 0 },
        { to: { phone: '1555' }, channel },
      ),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'no-recipient' });
    expect(fake.requests).toHaveLength(0);
  });

  it('mark_seen and subscribed_apps', async () => {
    await sendApiMarkSeen(target, { userId: psid });
    expect(fake.requests.at(-1)?.body).toEqual({
      recipient: { id: psid },
      sender_action: 'mark_seen',
    });
    await subscribeApp({ client, node: pageId, accessToken: 'token', platform: 'Messenger' }, [
      'messages',
      'messaging_postbacks',
    ]);
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/v23.0/${pageId}/subscribed_apps`,
      query: { subscribed_fields: 'messages,messaging_postbacks' },
      accepted: true,
    });
  });

  it('credentialRefusal names the bad token, the unknown id, the missing permission; outages throw', async () => {
    const hints = {
      platform: 'Messenger',
      token: 'a Page token',
      notFound: 'Page "x" was not found',
      permissions: 'pages_messaging',
    };
    const bad = await failure(client.request({ path: graphPath(pageId), accessToken: 'nope' }));
    expect(credentialRefusal(bad, hints)).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^The access token was refused \(Graph error 190: .*\): it is invalid, expired or revoked\. Create a Page token\.$/,
      ),
    });
    const unknown = await failure(client.request({ path: graphPath('42'), accessToken: 'token' }));
    expect(credentialRefusal(unknown, hints)).toMatchObject({
      reason: expect.stringMatching(/^Page "x" was not found \(Graph error 100/),
    });
    fake.inject({ error: { code: 200, status: 403, message: '(#200) Permissions error' } });
    const denied = await failure(client.request({ path: graphPath(pageId), accessToken: 'token' }));
    expect(credentialRefusal(denied, hints)).toMatchObject({
      reason: expect.stringMatching(/lacks a permission .* Grant pages_messaging\.$/),
    });
    fake.inject({ status5xx: true });
    const outage = await failure(client.request({ path: graphPath(pageId), accessToken: 'token' }));
    expect(() => credentialRefusal(outage, hints)).toThrow(outage);
  });
});
