import type { ParsedWebhook } from '@chatloom/core/adapter';
import { toMetaJson } from '@chatloom/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MessagingWebhookScope, parseMessagingWebhook } from './messaging-webhook.js';

const page: MessagingWebhookScope = {
  object: 'page',
  platform: 'Messenger',
  accountId: '300000000000011',
  detailsKey: 'messenger',
};
const psid = '400000000000012';
const bytes = (value: unknown) => new TextEncoder().encode(toMetaJson(value));
const parse = (value: unknown, scope = page) => parseMessagingWebhook(bytes(value), scope);
const event = (fields: Record<string, unknown>) => ({
  sender: { id: psid },
  recipient: { id: page.accountId },
  timestamp: 1717000000123,
  ...fields,
});
const body = (...events: Record<string, unknown>[]) => ({
  object: 'page',
  entry: [{ id: page.accountId, time: 1717000000273, messaging: events }],
});
function ok(result: ParsedWebhook) {
  if (!result.ok) throw new Error(result.error);
  return { events: result.events, problems: result.problems ?? [] };
}

describe('parseMessagingWebhook: what is not a webhook of the platform', () => {
  it('is { ok: false } with the reason', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(), /empty/],
      [new Uint8Array([0xff, 0xfe]), /UTF-8/],
      [new TextEncoder().encode('{"object":'), /not JSON/],
      [bytes([1, 2]), /not a JSON object/],
      [bytes({ object: 'instagram', entry: [] }), /object is "instagram", not "page"/],
      [bytes({ object: 'page' }), /no entry\[\] array/],
    ];
    for (const [raw, reason] of cases) {
      const result = parseMessagingWebhook(raw, page);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(reason);
    }
  });
});

describe('parseMessagingWebhook: scope', () => {
  it('skips entries of another Page and says so', () => {
    const result = ok(
      parse({
        object: 'page',
        entry: [
          { id: '999', time: 1, messaging: [event({ message: { mid: 'm_1', text: 'x' } })] },
          {
            id: page.accountId,
            time: 1,
            messaging: [event({ message: { mid: 'm_2', text: 'y' } })],
          },
        ],
      }),
    );
    expect(result.events.map((e) => e.type === 'message' && e.platformMessageId)).toEqual(['m_2']);
    expect(result.problems).toEqual([
      "entry[0]: for Page 999, not this channel's 300000000000011; skipped",
    ]);
  });

  it('edge 9: a bare { field, value } test payload is read when it is addressed to the channel', () => {
    const value = event({ timestamp: '1717000000', message: { mid: 'm_T', text: 'test' } });
    expect(ok(parse({ field: 'messages', value })).events).toMatchObject([
      { type: 'message', platformMessageId: 'm_T', timestamp: 1717000000000 },
    ]);
    const other = ok(
      parse({
        field: 'messages',
        value: { ...value, sender: { id: '12334' }, recipient: { id: '23245' } },
      }),
    );
    expect(other.events).toEqual([]);
    expect(other.problems[0]).toMatch(/not addressed to this channel's 300000000000011/);
  });

  it('the details of every event name the account, and standby', () => {
    const result = ok(
      parse({
        object: 'page',
        entry: [
          {
            id: page.accountId,
            time: 1,
            standby: [event({ message: { mid: 'm_S', text: 'x' } })],
          },
        ],
      }),
    );
    expect(result.events).toEqual([
      {
        type: 'message',
        source: 'standby',
        platformMessageId: 'm_S',
        contact: { userId: psid },
        timestamp: 1717000000123,
        content: { kind: 'text', text: 'x' },
        messenger: { accountId: page.accountId, standby: true },
      },
    ]);
  });
});

describe('parseMessagingWebhook: messages', () => {
  it('a message with text and two attachments is one event per part (mid, mid#2, mid#3)', () => {
    const result = ok(
      parse(
        body(
          event({
            message: {
              mid: 'm_A',
              text: 'Look',
              attachments: [
                { type: 'image', payload: { url: 'https://cdn.example/a.jpg' } },
                { type: 'video', payload: { url: 'https://cdn.example/b.mp4' } },
              ],
            },
          }),
        ),
      ),
    );
    expect(result.events).toMatchObject([
      { platformMessageId: 'm_A', content: { kind: 'text', text: 'Look' } },
      {
        platformMessageId: 'm_A#2',
        content: { kind: 'media', media: 'image', url: 'https://cdn.example/a.jpg' },
        messenger: { attachmentType: 'image', url: 'https://cdn.example/a.jpg' },
      },
      { platformMessageId: 'm_A#3', content: { kind: 'media', media: 'video' } },
    ]);
    expect(
      (result.events[0] as unknown as { messenger: Record<string, unknown> }).messenger.url,
    ).toBeUndefined();
  });

  it('a message with nothing readable is kept as unsupported', () => {
    expect(ok(parse(body(event({ message: { mid: 'm_E' } })))).events).toMatchObject([
      { content: { kind: 'unsupported', platformType: 'empty' } },
    ]);
  });

  it('a postback without a mid gets a stable id from sender and time', () => {
    const raw = body(event({ postback: { title: 'Get Started', payload: 'GET_STARTED' } }));
    const first = ok(parse(raw)).events;
    expect(first).toMatchObject([
      {
        platformMessageId: `postback:${psid}:1717000000123`,
        content: { kind: 'choice', id: 'GET_STARTED', title: 'Get Started' },
      },
    ]);
    expect(ok(parse(raw)).events).toEqual(first);
  });

  it('edge 13: timestamps in ms, seconds as strings and ISO strings; else the entry time', () => {
    for (const timestamp of [1717000000123, '1717000000.123', '2024-05-29T16:26:40.123Z']) {
      expect(
        ok(parse(body(event({ timestamp, message: { mid: 'm_1', text: 'x' } })))).events[0],
      ).toMatchObject({ timestamp: 1717000000123 });
    }
    const noTime = body(event({ timestamp: undefined, message: { mid: 'm_1', text: 'x' } }));
    expect(ok(parse(noTime)).events[0]).toMatchObject({ timestamp: 1717000000273 });
    const none = ok(
      parse({
        object: 'page',
        entry: [
          {
            id: page.accountId,
            messaging: [event({ timestamp: 'soon', message: { mid: 'm', text: 'x' } })],
          },
        ],
      }),
    );
    expect(none.events).toEqual([]);
    expect(none.problems[0]).toMatch(/without a readable timestamp/);
  });

  it('edge 5, 19: unknown event kinds are problems, known quiet ones and unknown fields are not', () => {
    const result = ok(
      parse(
        body(
          event({ message: { mid: 'm_1', text: 'x', nlp: { entities: {} }, seq: 7 }, extra: true }),
          event({ optin: { ref: 'x' } }),
          event({ message_edit: { mid: 'm_1', text: 'y', num_edit: 1 } }),
          event({ teleport: { where: 'mars' } }),
        ),
      ),
    );
    expect(result.events).toHaveLength(1);
    expect(result.problems).toEqual([
      'entry[0].messaging[3]: an event of unknown kind (teleport); skipped',
    ]);
  });
});

describe('parseMessagingWebhook: never throws', () => {
  const scope = page;
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.constantFrom(scope.accountId, psid, 'page', 'instagram', 'message', 'read', 'unreact'),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(
        fc.constantFrom(
          'object',
          'entry',
          'id',
          'time',
          'messaging',
          'standby',
          'changes',
          'field',
          'value',
          'sender',
          'recipient',
          'timestamp',
          'message',
          'postback',
          'reaction',
          'delivery',
          'read',
          'mid',
          'mids',
          'watermark',
          'text',
          'attachments',
          'type',
          'payload',
          'url',
          'quick_reply',
          'reply_to',
          'story',
          'is_echo',
          'is_deleted',
          'action',
          'emoji',
          'coordinates',
          'sticker_id',
        ),
        tie('value'),
        { maxKeys: 6 },
      ),
    ),
  })).value;

  it('property: any JSON, and mutations of a good body, parse to a result', () => {
    fc.assert(
      fc.property(json, (value) => {
        const result = parseMessagingWebhook(bytes(value), scope);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(json, json, (a, b) => {
        const raw = {
          object: 'page',
          entry: [{ id: scope.accountId, time: a, messaging: [b, event({ message: b })] }],
        };
        const result = parseMessagingWebhook(bytes(raw), scope);
        expect(result.ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('property: random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
        expect(typeof parseMessagingWebhook(raw, scope).ok).toBe('boolean');
      }),
    );
  });
});
