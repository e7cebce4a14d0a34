/**
 * Messenger webhooks through the adapter: the reference fixtures signed with a test secret, and
 * every case of ../shared/reference/webhook-edge-cases.md that applies to `object: "page"`.
 */
import { describe, expect, it } from 'vitest';
import {
  appSecret,
  channel,
  fixture,
  fromUser,
  metaBytes,
  ok,
  only,
  pageBody,
  pageId,
  psid,
  signedHeaders,
  verifyToken,
} from './__tests__/helpers.js';
import { createMessengerAdapter } from './messenger-adapter.js';

const adapter = createMessengerAdapter();
/** Parses a body the way core does: Meta's bytes, signed with the test secret, checked first. */
function parse(payload: unknown) {
  const raw = metaBytes(payload);
  expect(adapter.verifySignature(raw, signedHeaders(raw), channel())).toBe(true);
  return adapter.parseWebhook(raw, channel());
}

describe('reference fixtures (signed with a test app secret)', () => {
  it('messenger-text.json', () => {
    const raw = fixture('messenger-text.json');
    expect(adapter.verifySignature(raw, signedHeaders(raw), channel())).toBe(true);
    expect(only(adapter.parseWebhook(raw, channel()))).toEqual({
      type: 'message',
      source: 'contact',
      platformMessageId: 'm_TEST_MESSENGER_TEXT_0001',
      contact: { userId: psid },
      timestamp: 1717000000123,
      content: { kind: 'text', text: 'Hello, are you open on Sunday?' },
      messenger: { accountId: pageId },
    });
  });

  it('messenger-quick-reply.json: the payload is the choice id, the text its title', () => {
    const raw = fixture('messenger-quick-reply.json');
    expect(adapter.verifySignature(raw, signedHeaders(raw), channel())).toBe(true);
    expect(only(adapter.parseWebhook(raw, channel()))).toMatchObject({
      platformMessageId: 'm_TEST_MESSENGER_QR_0002',
      timestamp: 1717000060123,
      content: { kind: 'choice', id: 'COLOR_RED', title: 'Red' },
    });
  });

  it('messenger-postback.json: a postback is a choice too', () => {
    const raw = fixture('messenger-postback.json');
    expect(adapter.verifySignature(raw, signedHeaders(raw), channel())).toBe(true);
    expect(only(adapter.parseWebhook(raw, channel()))).toMatchObject({
      source: 'contact',
      platformMessageId: 'm_TEST_MESSENGER_POSTBACK_0003',
      content: { kind: 'choice', id: 'TALK_TO_AGENT', title: 'Talk to an agent' },
    });
  });
});

describe('signature and handshake', () => {
  const raw = fixture('messenger-text.json');

  it('edge 1: the raw bytes are signed; Meta-escaped JSON verifies, the re-serialised parse does not', () => {
    const escaped = metaBytes(
      pageBody(fromUser({ message: { mid: 'm_1', text: 'Olá 😀 https://a.b/c' } })),
    );
    const text = new TextDecoder().decode(escaped);
    expect(text).toContain('\\u00e1');
    expect(text).toContain('\\ud83d\\ude00');
    expect(text).toContain('https:\\/\\/');
    const headers = signedHeaders(escaped);
    expect(adapter.verifySignature(escaped, headers, channel())).toBe(true);
    const reserialised = new TextEncoder().encode(JSON.stringify(JSON.parse(text)));
    expect(adapter.verifySignature(reserialised, headers, channel())).toBe(false);
  });

  it('edge 12: a missing or malformed header is false, never an exception', () => {
    const good = signedHeaders(raw)['x-hub-signature-256'];
    const hex = good.slice('sha256='.length);
    for (const header of [
      undefined,
      '',
      `sha1=${hex.slice(0, 40)}`,
      `sha256=${hex.slice(0, 62)}`,
      `sha256=${hex.slice(0, 62)}zz`,
      `sha256=${hex.toUpperCase()}`,
      hex,
      [good, good],
    ]) {
      const headers = header === undefined ? {} : { 'x-hub-signature-256': header };
      expect(adapter.verifySignature(raw, headers, channel())).toBe(false);
    }
    expect(adapter.verifySignature(raw, signedHeaders(raw, 'other'), channel())).toBe(false);
    expect(adapter.verifySignature(raw, signedHeaders(raw), channel({}, { appSecret: '' }))).toBe(
      false,
    );
  });

  it('the GET handshake echoes the challenge only for our verify token', () => {
    const query = (token: string) => ({
      'hub.mode': 'subscribe',
      'hub.verify_token': token,
      'hub.challenge': '1158201444',
    });
    expect(adapter.verifyHandshake(query(verifyToken), channel())).toEqual({
      ok: true,
      challenge: '1158201444',
    });
    expect(adapter.verifyHandshake(query('nope'), channel()).ok).toBe(false);
    expect(adapter.verifyHandshake(query(''), channel({}, { verifyToken: '' })).ok).toBe(false);
    expect(appSecret).not.toBe(verifyToken);
  });
});

describe('events', () => {
  it('edge 7: an echo never comes from the contact — the contact is the recipient', () => {
    const event = only(
      parse(
        pageBody({
          sender: { id: pageId },
          recipient: { id: psid },
          timestamp: 1717000001000,
          message: {
            mid: 'm_ECHO',
            is_echo: true,
            app_id: 1000000000000001,
            metadata: 'chatloom',
            text: 'Thanks!',
          },
        }),
      ),
    );
    expect(event).toEqual({
      type: 'message',
      source: 'echo',
      platformMessageId: 'm_ECHO',
      contact: { userId: psid },
      timestamp: 1717000001000,
      content: { kind: 'text', text: 'Thanks!' },
      messenger: { accountId: pageId, appId: '1000000000000001', metadata: 'chatloom' },
    });
  });

  it('edge 7: standby[] (another app owns the thread) is never a contact message', () => {
    const result = ok(
      parse({
        object: 'page',
        entry: [
          {
            id: pageId,
            time: 1,
            standby: [
              fromUser({ message: { mid: 'm_S1', text: 'Hello?' } }),
              fromUser({ postback: { mid: 'm_S2', title: 'Menu', payload: 'MENU' } }),
            ],
          },
        ],
      }),
    );
    expect(result.events.map((e) => e.type === 'message' && e.source)).toEqual([
      'standby',
      'standby',
    ]);
  });

  it('deliveries: one delivered status per mid, with the watermark', () => {
    const result = ok(
      parse(
        pageBody(
          fromUser({ delivery: { mids: ['m_OUT_1', 'm_OUT_2'], watermark: 1717000000100 } }),
        ),
      ),
    );
    expect(result.events).toEqual(
      ['m_OUT_1', 'm_OUT_2'].map((mid) => ({
        type: 'status',
        status: 'delivered',
        platformMessageId: mid,
        timestamp: 1717000000123,
        contact: { userId: psid },
        messenger: { accountId: pageId, watermark: 1717000000100 },
      })),
    );
  });

  it('watermarks without mids (reads, older deliveries): one status naming the receipt, with the watermark', () => {
    for (const [key, status] of [
      ['read', 'read'],
      ['delivery', 'delivered'],
    ] as const) {
      expect(only(parse(pageBody(fromUser({ [key]: { watermark: 1717000000100 } }))))).toEqual({
        type: 'status',
        status,
        platformMessageId: `watermark:${status}:${psid}:1717000000100`,
        timestamp: 1717000000123,
        contact: { userId: psid },
        messenger: { accountId: pageId, watermark: 1717000000100 },
      });
    }
    const neither = ok(parse(pageBody(fromUser({ read: {} }))));
    expect(neither.events).toEqual([]);
    expect(neither.problems[0]).toMatch(/neither message ids nor a watermark/);
  });

  it('edge 10: reactions — react with emoji, with only a name, and unreact with or without the emoji', () => {
    const reactions = ok(
      parse(
        pageBody(
          fromUser({ reaction: { mid: 'm_OUT', action: 'react', reaction: 'love', emoji: '❤️' } }),
          fromUser({ reaction: { mid: 'm_OUT', action: 'react', reaction: 'wow' } }, 1717000000200),
          fromUser({ reaction: { mid: 'm_OUT', action: 'unreact' } }, 1717000000300),
          fromUser(
            { reaction: { mid: 'm_OUT', action: 'unreact', reaction: 'love', emoji: '❤️' } },
            1717000000400,
          ),
        ),
      ),
    ).events;
    expect(reactions.map((e) => e.type === 'message' && e.content)).toEqual([
      { kind: 'reaction', emoji: '❤️', targetMessageId: 'm_OUT' },
      { kind: 'reaction', emoji: '😮', targetMessageId: 'm_OUT' },
      { kind: 'reaction', emoji: null, targetMessageId: 'm_OUT' },
      { kind: 'reaction', emoji: null, targetMessageId: 'm_OUT' },
    ]);
    expect(new Set(reactions.map((e) => e.type === 'message' && e.platformMessageId)).size).toBe(4);
  });

  it('edge 18: an opt-in without a sender (checkbox plugin, user_ref) is skipped quietly', () => {
    expect(
      ok(
        parse(
          pageBody({
            recipient: { id: pageId },
            timestamp: 1717000000123,
            optin: { ref: 'signup', user_ref: 'UR_1' },
          }),
        ),
      ),
    ).toEqual({ events: [], problems: [] });
    const userRef = ok(
      parse(
        pageBody({
          sender: { user_ref: 'UR_1' },
          recipient: { id: pageId },
          timestamp: 1717000000123,
          message: { mid: 'm_UR', text: 'hi' },
        }),
      ),
    );
    expect(userRef.events).toEqual([]);
    expect(userRef.problems[0]).toMatch(/from a user_ref \(checkbox plugin\)/);
  });

  it('attachments: file, audio, video, sticker, location, link share (fallback), template, unknown', () => {
    const attachments = [
      { type: 'file', payload: { url: 'https://cdn.fbsbx.com/a.pdf' } },
      { type: 'audio', payload: { url: 'https://cdn.fbsbx.com/a.mp4' } },
      { type: 'video', payload: { url: 'https://cdn.fbsbx.com/v.mp4' } },
      {
        type: 'image',
        payload: { url: 'https://cdn.fbsbx.com/s.png', sticker_id: 369239263222822 },
      },
      { type: 'location', payload: { coordinates: { lat: 38.72, long: -9.14 } }, title: 'Lisbon' },
      { type: 'fallback', payload: { url: 'https://example.com/x', title: 'A page' } },
      { type: 'template', payload: { template_type: 'generic' } },
      { type: 'hologram', payload: {} },
      { type: 'image', payload: {} },
    ];
    const events = ok(parse(pageBody(fromUser({ message: { mid: 'm_ATT', attachments } })))).events;
    expect(events.map((e) => e.type === 'message' && e.content)).toEqual([
      { kind: 'media', media: 'document', url: 'https://cdn.fbsbx.com/a.pdf' },
      { kind: 'media', media: 'audio', url: 'https://cdn.fbsbx.com/a.mp4' },
      { kind: 'media', media: 'video', url: 'https://cdn.fbsbx.com/v.mp4' },
      { kind: 'media', media: 'sticker', url: 'https://cdn.fbsbx.com/s.png' },
      { kind: 'location', latitude: 38.72, longitude: -9.14, name: 'Lisbon' },
      { kind: 'unsupported', platformType: 'fallback', detail: 'A page — https://example.com/x' },
      { kind: 'unsupported', platformType: 'template' },
      { kind: 'unsupported', platformType: 'hologram' },
      { kind: 'unsupported', platformType: 'image', detail: 'image without a URL' },
    ]);
    expect(events.map((e) => e.type === 'message' && e.platformMessageId)).toEqual([
      'm_ATT',
      ...[2, 3, 4, 5, 6, 7, 8, 9].map((n) => `m_ATT#${n}`),
    ]);
    expect(events[3]).toMatchObject({ messenger: { stickerId: '369239263222822' } });
  });

  it('a postback with a referral (m.me link, ad) keeps it; a quick reply payload may be a number', () => {
    expect(
      only(
        parse(
          pageBody(
            fromUser({
              postback: {
                mid: 'm_P',
                title: 'Get Started',
                payload: 'GET_STARTED',
                referral: { ref: 'summer', source: 'SHORTLINK', type: 'OPEN_THREAD' },
              },
            }),
          ),
        ),
      ),
    ).toMatchObject({
      content: { kind: 'choice', id: 'GET_STARTED' },
      messenger: { referral: { ref: 'summer' } },
    });
    expect(
      only(
        parse(
          pageBody(fromUser({ message: { mid: 'm_Q', text: '2', quick_reply: { payload: 2 } } })),
        ),
      ),
    ).toMatchObject({ content: { kind: 'choice', id: '2', title: '2' } });
  });
});

describe('batches and odd bodies', () => {
  it('edge 3, 4: every entry and every event, of mixed kinds; a bad one does not lose the rest', () => {
    const result = ok(
      parse({
        object: 'page',
        entry: [
          {
            id: pageId,
            time: 1,
            messaging: [
              fromUser({ message: { mid: 'm_1', text: 'one' } }),
              'not an event',
              fromUser({ message: { text: 'no mid' } }),
              fromUser({ delivery: { mids: ['m_OUT'], watermark: 1 } }),
            ],
          },
          {
            id: pageId,
            time: 2,
            messaging: [fromUser({ postback: { mid: 'm_2', payload: 'P' } })],
          },
          42,
          { id: pageId, time: 3 },
        ],
      }),
    );
    expect(result.events.map((e) => e.type)).toEqual(['message', 'status', 'message']);
    expect(result.problems).toEqual([
      'entry[0].messaging[1]: not an object; skipped',
      'entry[0].messaging[2]: a message without a mid; skipped',
      'entry[2]: not an object',
      'entry[3]: no messaging[], standby[] or changes[] array',
    ]);
  });

  it('edge 2: the same delivery twice parses to the same ids (core deduplicates on them)', () => {
    const raw = fixture('messenger-text.json');
    expect(adapter.parseWebhook(raw, channel())).toEqual(adapter.parseWebhook(raw, channel()));
  });

  it('edge 9: dashboard test payloads — entry id "0", changes[], a bare {field, value}, string timestamps', () => {
    const sample = {
      sender: { id: '12334' },
      recipient: { id: '23245' },
      timestamp: '1527459824',
      message: { mid: 'random_mid', text: 'random_text' },
    };
    const zero = ok(
      parse({
        object: 'page',
        entry: [{ id: '0', time: 1, changes: [{ field: 'messages', value: sample }] }],
      }),
    );
    expect(zero.events).toEqual([]);
    expect(zero.problems).toEqual([
      "entry[0]: for Page 0, not this channel's 300000000000011; skipped",
    ]);
    const bare = ok(parse({ field: 'messages', value: sample }));
    expect(bare.events).toEqual([]);
    expect(bare.problems[0]).toMatch(/not addressed to this channel/);
    // The same sample addressed to our Page is read, its string timestamp (seconds) included.
    const ours = ok(parse({ field: 'messages', value: { ...sample, recipient: { id: pageId } } }));
    expect(ours.events).toMatchObject([
      { platformMessageId: 'random_mid', timestamp: 1527459824000, content: { kind: 'text' } },
    ]);
  });

  it('edge 19: unknown fields anywhere are tolerated', () => {
    const event = only(
      parse({
        object: 'page',
        new_top_level: true,
        entry: [
          {
            id: pageId,
            time: 1,
            hop_context: [],
            messaging: [
              {
                ...fromUser({ message: { mid: 'm_N', text: 'hi', nlp: { entities: {} }, seq: 1 } }),
                prior_message: { source: 'checkbox_plugin' },
              },
            ],
          },
        ],
      }),
    );
    expect(event).toMatchObject({ content: { kind: 'text', text: 'hi' } });
  });

  it('edge 11: a 3 MB body of many events parses', () => {
    const events = Array.from({ length: 9000 }, (_, i) =>
      fromUser({ message: { mid: `m_${i}`, text: `message ${i} ${'ü'.repeat(40)}` } }),
    );
    const raw = metaBytes(pageBody(...events));
    expect(raw.byteLength).toBeGreaterThan(2_500_000);
    expect(ok(adapter.parseWebhook(raw, channel())).events).toHaveLength(9000);
  });

  it('bodies that are not Messenger webhooks, and a channel without a Page id', () => {
    expect(parse({ object: 'instagram', entry: [] })).toEqual({
      ok: false,
      error: 'Messenger webhook: object is "instagram", not "page"',
    });
    expect(adapter.parseWebhook(new Uint8Array(), channel()).ok).toBe(false);
    expect(
      adapter.parseWebhook(fixture('messenger-text.json'), {
        ...channel(),
        settings: {},
      }),
    ).toEqual({
      ok: false,
      error: 'channel "ch_messenger_1" has no settings.pageId; cannot tell its webhooks apart',
    });
  });
});
