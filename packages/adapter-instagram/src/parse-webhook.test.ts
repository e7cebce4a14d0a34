/**
 * Instagram webhooks through the adapter: the reference fixture signed with a test secret, the
 * configurable signing secret, and every case of ../shared/reference/webhook-edge-cases.md that
 * applies to `object: "instagram"` (§8 in particular: Instagram is not Messenger).
 */
import { describe, expect, it } from 'vitest';
import {
  accountBody,
  accountId,
  appSecret,
  channel,
  fixture,
  fromUser,
  igsid,
  instagramAppSecret,
  metaBytes,
  ok,
  only,
  signedHeaders,
} from './__tests__/helpers.js';
import { createInstagramAdapter } from './instagram-adapter.js';

const adapter = createInstagramAdapter({ host: 'instagram' });
/** Parses a body the way core does: Meta's bytes, signed with the test secret, checked first. */
function parse(payload: unknown) {
  const raw = metaBytes(payload);
  expect(adapter.verifySignature(raw, signedHeaders(raw), channel())).toBe(true);
  return adapter.parseWebhook(raw, channel());
}

describe('the reference fixture', () => {
  it('instagram-text.json, signed with the app secret', () => {
    const raw = fixture('instagram-text.json');
    expect(adapter.verifySignature(raw, signedHeaders(raw), channel())).toBe(true);
    expect(only(adapter.parseWebhook(raw, channel()))).toEqual({
      type: 'message',
      source: 'contact',
      platformMessageId: 'ig_mid.TEST_INSTAGRAM_TEXT_0001',
      contact: { userId: igsid },
      timestamp: 1717000000123,
      content: { kind: 'text', text: 'Do you ship to Portugal?' },
      instagram: { accountId },
    });
  });
});

describe('the signing secret is configurable (Meta app secret or Instagram app secret)', () => {
  const raw = fixture('instagram-text.json');
  const both = { instagramAppSecret };

  it('by default either configured secret verifies', () => {
    expect(adapter.verifySignature(raw, signedHeaders(raw), channel({}, both))).toBe(true);
    expect(
      adapter.verifySignature(raw, signedHeaders(raw, instagramAppSecret), channel({}, both)),
    ).toBe(true);
    expect(adapter.verifySignature(raw, signedHeaders(raw, 'other'), channel({}, both))).toBe(
      false,
    );
  });

  it('settings.signingSecret pins one', () => {
    const pinned = channel({ signingSecret: 'instagramAppSecret' }, both);
    expect(adapter.verifySignature(raw, signedHeaders(raw, instagramAppSecret), pinned)).toBe(true);
    expect(adapter.verifySignature(raw, signedHeaders(raw, appSecret), pinned)).toBe(false);
    const app = channel({ signingSecret: 'appSecret' }, both);
    expect(adapter.verifySignature(raw, signedHeaders(raw, appSecret), app)).toBe(true);
    expect(adapter.verifySignature(raw, signedHeaders(raw, instagramAppSecret), app)).toBe(false);
  });

  it('only the Instagram app secret configured; no secret at all never verifies', () => {
    const igOnly = channel({}, { appSecret: '', instagramAppSecret });
    expect(adapter.verifySignature(raw, signedHeaders(raw, instagramAppSecret), igOnly)).toBe(true);
    const none = channel({}, { appSecret: '' });
    expect(adapter.verifySignature(raw, signedHeaders(raw, ''), none)).toBe(false);
  });

  it('edge 12: malformed headers are false, never an exception', () => {
    const hex = signedHeaders(raw)['x-hub-signature-256'].slice(7);
    for (const header of [
      undefined,
      '',
      `sha1=${hex}`,
      `sha256=${hex.toUpperCase()}`,
      [hex, hex],
    ]) {
      const headers = header === undefined ? {} : { 'x-hub-signature-256': header };
      expect(adapter.verifySignature(raw, headers, channel({}, both))).toBe(false);
    }
  });
});

describe('edge 8: Instagram is not Messenger', () => {
  it('a seen event carries read.mid: a read status of that one message', () => {
    expect(only(parse(accountBody(fromUser({ read: { mid: 'ig_mid.OUT_1' } }))))).toEqual({
      type: 'status',
      status: 'read',
      platformMessageId: 'ig_mid.OUT_1',
      timestamp: 1717000000123,
      contact: { userId: igsid },
      instagram: { accountId },
    });
  });

  it('reply_to.story: the text, with the story in the details', () => {
    expect(
      only(
        parse(
          accountBody(
            fromUser({
              message: {
                mid: 'ig_mid.SR',
                text: 'Love this!',
                reply_to: {
                  story: { url: 'https://lookaside.fbsbx.com/s?asset_id=1', id: '1800' },
                },
              },
            }),
          ),
        ),
      ),
    ).toMatchObject({
      content: { kind: 'text', text: 'Love this!' },
      instagram: { replyToStory: { id: '1800', url: 'https://lookaside.fbsbx.com/s?asset_id=1' } },
    });
  });

  it('is_deleted (an unsend): an unsupported event of its own id, never a text to answer', () => {
    const event = only(
      parse(accountBody(fromUser({ message: { mid: 'ig_mid.GONE', is_deleted: true } }))),
    );
    expect(event).toEqual({
      type: 'message',
      source: 'contact',
      platformMessageId: 'ig_mid.GONE#deleted',
      contact: { userId: igsid },
      timestamp: 1717000000123,
      content: {
        kind: 'unsupported',
        platformType: 'message_deleted',
        detail: 'the contact unsent message ig_mid.GONE',
      },
      instagram: { accountId, deletedMessageId: 'ig_mid.GONE' },
    });
  });

  it('story_mention, share, ig_reel, reel, ig_post: kept as unsupported with their URL', () => {
    const types = ['story_mention', 'share', 'ig_reel', 'reel', 'ig_post'];
    const events = ok(
      parse(
        accountBody(
          ...types.map((type, i) =>
            fromUser({
              message: {
                mid: `ig_mid.${i}`,
                attachments: [
                  {
                    type,
                    payload: {
                      url: `https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=${i}`,
                      ...(type === 'ig_reel' && { title: 'My reel', reel_video_id: '1' }),
                    },
                  },
                ],
              },
            }),
          ),
        ),
      ),
    ).events;
    expect(events.map((e) => e.type === 'message' && e.content)).toEqual(
      types.map((type, i) => ({
        kind: 'unsupported',
        platformType: type,
        detail: `${type === 'ig_reel' ? 'My reel — ' : ''}https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=${i}`,
      })),
    );
    expect(events.every((e) => e.type === 'message' && e.source === 'contact')).toBe(true);
  });

  it('like_heart is kept (it has no media); images (stickers too), audio, video and files are media', () => {
    const events = ok(
      parse(
        accountBody(
          fromUser({
            message: {
              mid: 'ig_mid.M',
              attachments: [
                { type: 'like_heart' },
                { type: 'image', payload: { url: 'https://lookaside.fbsbx.com/i' } },
                { type: 'audio', payload: { url: 'https://lookaside.fbsbx.com/a' } },
                { type: 'video', payload: { url: 'https://lookaside.fbsbx.com/v' } },
                { type: 'file', payload: { url: 'https://lookaside.fbsbx.com/f' } },
              ],
            },
          }),
        ),
      ),
    ).events;
    expect(events.map((e) => e.type === 'message' && e.content)).toEqual([
      { kind: 'unsupported', platformType: 'like_heart', detail: '❤️ (the heart sticker)' },
      { kind: 'media', media: 'image', url: 'https://lookaside.fbsbx.com/i' },
      { kind: 'media', media: 'audio', url: 'https://lookaside.fbsbx.com/a' },
      { kind: 'media', media: 'video', url: 'https://lookaside.fbsbx.com/v' },
      { kind: 'media', media: 'document', url: 'https://lookaside.fbsbx.com/f' },
    ]);
    expect(events[0]).toMatchObject({ instagram: { attachmentType: 'like_heart' } });
  });

  it('is_unsupported: media the API cannot show is kept', () => {
    expect(
      only(parse(accountBody(fromUser({ message: { mid: 'ig_mid.U', is_unsupported: true } })))),
    ).toMatchObject({ content: { kind: 'unsupported', platformType: 'is_unsupported' } });
  });

  it('edge 10: reactions react / unreact (no emoji on unreact)', () => {
    const events = ok(
      parse(
        accountBody(
          fromUser({
            reaction: { mid: 'ig_mid.OUT', action: 'react', reaction: 'love', emoji: '❤️' },
          }),
          fromUser({ reaction: { mid: 'ig_mid.OUT', action: 'unreact' } }, 1717000000999),
        ),
      ),
    ).events;
    expect(events.map((e) => e.type === 'message' && e.content)).toEqual([
      { kind: 'reaction', emoji: '❤️', targetMessageId: 'ig_mid.OUT' },
      { kind: 'reaction', emoji: null, targetMessageId: 'ig_mid.OUT' },
    ]);
  });
});

describe('batches, echoes and test payloads', () => {
  it('edge 4, 7: an echo and a seen event in one POST — each routed by its own type', () => {
    const result = ok(
      parse(
        accountBody(
          {
            sender: { id: accountId },
            recipient: { id: igsid },
            timestamp: 1717000000500,
            message: { mid: 'ig_mid.ECHO', is_echo: true, text: 'We ship to Portugal' },
          },
          fromUser({ read: { mid: 'ig_mid.ECHO' } }, 1717000000600),
          fromUser({
            message: { mid: 'ig_mid.QR', text: 'Yes', quick_reply: { payload: 'ship:yes' } },
          }),
        ),
      ),
    );
    expect(result.problems).toEqual([]);
    expect(result.events).toMatchObject([
      {
        type: 'message',
        source: 'echo',
        contact: { userId: igsid },
        platformMessageId: 'ig_mid.ECHO',
      },
      { type: 'status', status: 'read', platformMessageId: 'ig_mid.ECHO' },
      {
        type: 'message',
        source: 'contact',
        content: { kind: 'choice', id: 'ship:yes', title: 'Yes' },
      },
    ]);
  });

  it('edge 3: several entries of the account, each read', () => {
    const result = ok(
      parse({
        object: 'instagram',
        entry: [1, 2, 3].map((n) => ({
          id: accountId,
          time: 1,
          messaging: [fromUser({ message: { mid: `ig_mid.${n}`, text: `${n}` } })],
        })),
      }),
    );
    expect(result.events).toHaveLength(3);
  });

  it('edge 9: the dashboard’s test payloads (entry id "0", changes[], bare {field, value}) are answered, not read as ours', () => {
    const sample = {
      sender: { id: '12334' },
      recipient: { id: '23245' },
      timestamp: '1527459824',
      message: { mid: 'random_mid', text: 'random_text' },
    };
    expect(
      ok(
        parse({
          object: 'instagram',
          entry: [{ id: '0', time: 1, changes: [{ field: 'messages', value: sample }] }],
        }),
      ).events,
    ).toEqual([]);
    expect(ok(parse({ field: 'messages', value: sample })).events).toEqual([]);
    // Comments and mentions arrive as changes[] too; a DM adapter ignores them quietly.
    expect(
      ok(
        parse({
          object: 'instagram',
          entry: [
            {
              id: accountId,
              time: 1,
              changes: [{ field: 'comments', value: { id: '1', text: 'Nice', from: { id: '2' } } }],
            },
          ],
        }),
      ),
    ).toEqual({ events: [], problems: [] });
  });

  it('a Page webhook is not an Instagram one; a channel without an account id parses nothing', () => {
    expect(parse({ object: 'page', entry: [] })).toEqual({
      ok: false,
      error: 'Instagram webhook: object is "page", not "instagram"',
    });
    expect(
      adapter.parseWebhook(fixture('instagram-text.json'), { ...channel(), settings: {} }).ok,
    ).toBe(false);
  });
});
