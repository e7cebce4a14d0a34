import type { InboundMessageEvent, MessageStatusEvent } from '@chatloom/core/adapter';
import { signWebhookBody } from '@chatloom/testkit';
import { describe, expect, it } from 'vitest';
import {
  appSecret,
  change,
  channel,
  fixture,
  message,
  messagesValue,
  metaBytes,
  ok,
  oneMessage,
  only,
  phoneNumberId,
  signedHeaders,
  user,
  verifyToken,
  wabaId,
  webhook,
} from './__tests__/helpers.js';
import type { WhatsAppInboundMessageEvent, WhatsAppMessageStatusEvent } from './parse-webhook.js';
import { createWhatsAppAdapter } from './whatsapp-adapter.js';

const adapter = createWhatsAppAdapter();
const parse = (payload: unknown) => adapter.parseWebhook(metaBytes(payload), channel());
const parseMessage = (fields: Record<string, unknown>, contact: Record<string, unknown> = {}) =>
  only(parse(oneMessage(fields, contact))) as WhatsAppInboundMessageEvent;
const bytes = (text: string) => new TextEncoder().encode(text);

describe('reference fixtures, signed with a test app secret', () => {
  const names = [
    'whatsapp-text.json',
    'whatsapp-button-reply.json',
    'whatsapp-list-reply.json',
    'whatsapp-status-failed.json',
    'whatsapp-template-status.json',
  ];

  it('the signature over the exact file bytes verifies; another secret or body does not', () => {
    for (const name of names) {
      const body = fixture(name);
      const headers = signedHeaders(body);
      expect(adapter.verifySignature(body, headers, channel())).toBe(true);
      expect(adapter.verifySignature(body, signedHeaders(body, 'other'), channel())).toBe(false);
      const changed = body.slice();
      changed[changed.length - 2] = 0x20;
      expect(adapter.verifySignature(changed, headers, channel())).toBe(false);
      expect(adapter.verifySignature(body, headers, channel({}, { appSecret: '' }))).toBe(false);
      // A pasted secret's trailing new line is not part of it.
      expect(
        adapter.verifySignature(body, headers, channel({}, { appSecret: `${appSecret}\n` })),
      ).toBe(true);
    }
  });

  it('whatsapp-text.json: a text message keyed on the BSUID, with phone and name', () => {
    expect(only(adapter.parseWebhook(fixture('whatsapp-text.json'), channel()))).toEqual({
      type: 'message',
      source: 'contact',
      platformMessageId: 'wamid.TEST_INBOUND_TEXT_0001',
      contact: { userId: 'US.1000000000000000001', phone: '15555550101', name: 'Test User' },
      timestamp: 1_717_000_000_000,
      content: { kind: 'text', text: 'Hi, has my order shipped yet?' },
      whatsapp: { phoneNumberId },
    });
  });

  it('whatsapp-button-reply.json: a choice carrying the id we sent, replying to our message', () => {
    const event = only(adapter.parseWebhook(fixture('whatsapp-button-reply.json'), channel()));
    expect(event).toMatchObject({
      type: 'message',
      platformMessageId: 'wamid.TEST_INBOUND_BUTTON_0002',
      contact: { phone: '15555550101', name: 'Test User' },
      content: { kind: 'choice', id: 'confirm_order', title: 'Confirm' },
      replyToPlatformMessageId: 'wamid.TEST_OUTBOUND_BUTTONS_0001',
      timestamp: 1_717_000_060_000,
    });
    expect((event as InboundMessageEvent).contact.userId).toBeUndefined();
  });

  it('whatsapp-list-reply.json: a list row choice', () => {
    expect(
      only(adapter.parseWebhook(fixture('whatsapp-list-reply.json'), channel())),
    ).toMatchObject({
      content: { kind: 'choice', id: 'ship_express', title: 'Express shipping' },
      replyToPlatformMessageId: 'wamid.TEST_OUTBOUND_LIST_0001',
      contact: { userId: 'US.1000000000000000001', phone: '15555550101' },
    });
  });

  it('whatsapp-status-failed.json: failed with 131047 and its details', () => {
    expect(only(adapter.parseWebhook(fixture('whatsapp-status-failed.json'), channel()))).toEqual({
      type: 'status',
      platformMessageId: 'wamid.TEST_OUTBOUND_TEXT_0009',
      status: 'failed',
      timestamp: 1_717_090_000_000,
      contact: { phone: '15555550101' },
      error: {
        code: '131047',
        message:
          'Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
      whatsapp: {
        status: 'failed',
        errors: [
          {
            code: '131047',
            title: 'Re-engagement message',
            message: 'Re-engagement message',
            details:
              'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
          },
        ],
      },
    });
  });

  it('whatsapp-template-status.json: rejected, with the reason and Meta’s explanation', () => {
    expect(only(adapter.parseWebhook(fixture('whatsapp-template-status.json'), channel()))).toEqual(
      {
        type: 'template-status',
        templateName: 'order_update_test',
        language: 'en_US',
        templateId: '300000000000003',
        status: 'rejected',
        reason:
          'INVALID_FORMAT (Two variables are placed next to each other without text between them. Put descriptive text between the variables.)',
      },
    );
  });
});

describe('verifyHandshake and verifySignature', () => {
  it('answers the GET handshake with the channel’s verify token', () => {
    const query = {
      'hub.mode': 'subscribe',
      'hub.challenge': '42',
      'hub.verify_token': verifyToken,
    };
    expect(adapter.verifyHandshake(query, channel())).toEqual({ ok: true, challenge: '42' });
    expect(adapter.verifyHandshake({ ...query, 'hub.verify_token': 'x' }, channel()).ok).toBe(
      false,
    );
    expect(adapter.verifyHandshake(query, channel({}, { verifyToken: '' })).ok).toBe(false);
  });

  it('edge 1: Meta’s escaping (\\uXXXX, \\/) is signed as sent; re-serialising breaks it', () => {
    const raw = metaBytes(oneMessage({ type: 'text', text: { body: 'Olá 👋 https://x.y/z' } }));
    const headers = signedHeaders(raw);
    expect(adapter.verifySignature(raw, headers, channel())).toBe(true);
    const reserialised = bytes(JSON.stringify(JSON.parse(new TextDecoder().decode(raw))));
    expect(adapter.verifySignature(reserialised, headers, channel())).toBe(false);
    const event = only(adapter.parseWebhook(raw, channel())) as InboundMessageEvent;
    expect(event.content).toEqual({ kind: 'text', text: 'Olá 👋 https://x.y/z' });
  });

  it('edge 12: missing, sha1-only, short, non-hex, upper-case or repeated headers are false, not exceptions', () => {
    const raw = fixture('whatsapp-text.json');
    const good = signWebhookBody(raw, appSecret);
    const hex = good.slice(7);
    for (const header of [
      undefined,
      'sha1=abc',
      `sha256=${hex.slice(1)}`,
      `sha256=${'g'.repeat(64)}`,
      `sha256=${hex.toUpperCase()}`,
      [good, good],
    ]) {
      expect(adapter.verifySignature(raw, { 'x-hub-signature-256': header }, channel())).toBe(
        false,
      );
    }
    expect(adapter.verifySignature(raw, {}, channel())).toBe(false);
    expect(adapter.verifySignature(raw, { 'x-hub-signature-256': [good] }, channel())).toBe(true);
  });
});

describe('inbound messages', () => {
  it('text', () => {
    expect(parseMessage({ type: 'text', text: { body: 'hello' } }).content).toEqual({
      kind: 'text',
      text: 'hello',
    });
  });

  it('a text without text.body is kept as unsupported', () => {
    expect(parseMessage({ type: 'text' }).content).toMatchObject({
      kind: 'unsupported',
      platformType: 'text',
    });
  });

  it('interactive button_reply and list_reply are choices with the id we sent', () => {
    expect(
      parseMessage({
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'menu:pizza', title: 'Pizza' } },
      }).content,
    ).toEqual({ kind: 'choice', id: 'menu:pizza', title: 'Pizza' });
    expect(
      parseMessage({
        type: 'interactive',
        interactive: {
          type: 'list_reply',
          list_reply: { id: 'r1', title: 'Row', description: 'd' },
        },
      }).content,
    ).toEqual({ kind: 'choice', id: 'r1', title: 'Row' });
    expect(
      parseMessage({
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'r1' } },
      }).content,
    ).toEqual({ kind: 'choice', id: 'r1', title: 'r1' });
  });

  it('a template quick-reply button is a choice carrying its payload (or its label without one)', () => {
    expect(
      parseMessage({ type: 'button', button: { payload: 'CONFIRM_123', text: 'Confirm' } }).content,
    ).toEqual({
      kind: 'choice',
      id: 'CONFIRM_123',
      title: 'Confirm',
    });
    expect(parseMessage({ type: 'button', button: { text: 'Stop promotions' } }).content).toEqual({
      kind: 'choice',
      id: 'Stop promotions',
      title: 'Stop promotions',
    });
    expect(parseMessage({ type: 'button', button: {} }).content).toMatchObject({
      kind: 'unsupported',
    });
  });

  it('edge 14: a WhatsApp Flow reply (nfm_reply) keeps response_json, parsed when it is JSON', () => {
    const responseJson = '{"flow_token":"abc","screen_0_name":"Ana","nested":{"a":[1,2]}}';
    const event = parseMessage({
      type: 'interactive',
      interactive: {
        type: 'nfm_reply',
        nfm_reply: { name: 'flow', body: 'Sent', response_json: responseJson },
      },
    });
    expect(event.content).toEqual({
      kind: 'unsupported',
      platformType: 'interactive.nfm_reply',
      detail: `WhatsApp Flow reply (flow): ${responseJson}`,
    });
    expect(event.whatsapp.flowResponse).toEqual({
      flow_token: 'abc',
      screen_0_name: 'Ana',
      nested: { a: [1, 2] },
    });
    const broken = parseMessage({
      type: 'interactive',
      interactive: { type: 'nfm_reply', nfm_reply: { response_json: '{"flow_token":' } },
    });
    expect(broken.content).toMatchObject({
      kind: 'unsupported',
      detail: expect.stringMatching(/not valid JSON/),
    });
    expect(broken.whatsapp.flowResponse).toBeUndefined();
  });

  it('edge 5: interactive without an interactive object, or of a type we do not know, is unsupported', () => {
    expect(parseMessage({ type: 'interactive' }).content).toEqual({
      kind: 'unsupported',
      platformType: 'interactive',
      detail: 'an interactive message without an interactive object',
    });
    expect(
      parseMessage({ type: 'interactive', interactive: { type: 'call_permission_reply' } }).content,
    ).toEqual({
      kind: 'unsupported',
      platformType: 'interactive.call_permission_reply',
    });
  });

  it('media of every kind, by id, with caption, filename, MIME type; voice notes marked', () => {
    const image = parseMessage({
      type: 'image',
      image: { id: '1479537139650973', mime_type: 'image/jpeg', sha256: 'abc=', caption: 'Look' },
    });
    expect(image.content).toEqual({
      kind: 'media',
      media: 'image',
      mediaId: '1479537139650973',
      mimeType: 'image/jpeg',
      caption: 'Look',
    });
    expect(image.whatsapp.mediaSha256).toBe('abc=');
    expect(
      parseMessage({
        type: 'document',
        document: { id: 'd1', filename: 'a.pdf', mime_type: 'application/pdf' },
      }).content,
    ).toMatchObject({ media: 'document', mediaId: 'd1', filename: 'a.pdf' });
    const voice = parseMessage({
      type: 'audio',
      audio: { id: 'a1', mime_type: 'audio/ogg; codecs=opus', voice: true },
    });
    expect(voice.content).toMatchObject({ kind: 'media', media: 'audio', mediaId: 'a1' });
    expect(voice.whatsapp.voice).toBe(true);
    expect(
      parseMessage({ type: 'video', video: { id: 'v1', url: 'https://lookaside.fbsbx.com/v1' } })
        .content,
    ).toMatchObject({
      media: 'video',
      url: 'https://lookaside.fbsbx.com/v1',
    });
    expect(
      parseMessage({ type: 'sticker', sticker: { id: 's1', animated: false } }).content,
    ).toMatchObject({
      media: 'sticker',
    });
    expect(parseMessage({ type: 'image' }).content).toMatchObject({
      kind: 'unsupported',
      platformType: 'image',
    });
    expect(parseMessage({ type: 'image', image: { caption: 'no id' } }).content).toMatchObject({
      kind: 'unsupported',
    });
  });

  it('location: numbers (or numeric strings), optional name and address; nonsense is unsupported', () => {
    expect(
      parseMessage({
        type: 'location',
        location: { latitude: 38.72, longitude: -9.14, name: 'Lisboa', address: 'Praça' },
      }).content,
    ).toEqual({
      kind: 'location',
      latitude: 38.72,
      longitude: -9.14,
      name: 'Lisboa',
      address: 'Praça',
    });
    expect(
      parseMessage({ type: 'location', location: { latitude: '38.72', longitude: '-9.14' } })
        .content,
    ).toEqual({
      kind: 'location',
      latitude: 38.72,
      longitude: -9.14,
    });
    expect(parseMessage({ type: 'location', location: { latitude: 'north' } }).content.kind).toBe(
      'unsupported',
    );
    expect(
      parseMessage({ type: 'location', location: { latitude: 91, longitude: 0 } }).content.kind,
    ).toBe('unsupported');
  });

  it('shared contacts', () => {
    expect(
      parseMessage({
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Ana Lima', first_name: 'Ana' },
            phones: [{ phone: '+351 912 345 678', wa_id: '351912345678' }],
          },
          { name: { first_name: 'Rui', last_name: 'Sá' }, phones: [{ wa_id: '351900000000' }] },
          { org: { company: 'X' } },
        ],
      }).content,
    ).toEqual({
      kind: 'contacts',
      contacts: [
        { name: 'Ana Lima', phones: ['+351 912 345 678'] },
        { name: 'Rui Sá', phones: ['351900000000'] },
        { name: '', phones: [] },
      ],
    });
  });

  it('edge 10: reactions, and their removal with emoji "" or no emoji', () => {
    expect(
      parseMessage({ type: 'reaction', reaction: { message_id: 'wamid.OUT', emoji: '👍' } })
        .content,
    ).toEqual({
      kind: 'reaction',
      emoji: '👍',
      targetMessageId: 'wamid.OUT',
    });
    for (const reaction of [{ message_id: 'wamid.OUT', emoji: '' }, { message_id: 'wamid.OUT' }]) {
      expect(parseMessage({ type: 'reaction', reaction }).content).toEqual({
        kind: 'reaction',
        emoji: null,
        targetMessageId: 'wamid.OUT',
      });
    }
    expect(parseMessage({ type: 'reaction', reaction: { emoji: '👍' } }).content.kind).toBe(
      'unsupported',
    );
  });

  it('edge 5: unsupported, unknown, order and new types are kept as unsupported with their error', () => {
    expect(
      parseMessage({
        type: 'unsupported',
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
      }).content,
    ).toEqual({
      kind: 'unsupported',
      platformType: 'unsupported',
      detail: 'error 131051: Message type unknown — Message type is currently not supported.',
    });
    expect(
      parseMessage({
        type: 'unknown',
        errors: [{ code: 131051, title: 'Unsupported message type' }],
      }).content,
    ).toEqual({
      kind: 'unsupported',
      platformType: 'unknown',
      detail: 'error 131051: Unsupported message type',
    });
    expect(
      parseMessage({ type: 'order', order: { catalog_id: 'c', product_items: [] } }).content,
    ).toEqual({
      kind: 'unsupported',
      platformType: 'order',
    });
    expect(parseMessage({ type: 'hologram', hologram: {} }).content).toEqual({
      kind: 'unsupported',
      platformType: 'hologram',
    });
    expect(parseMessage({}).content).toEqual({ kind: 'unsupported', platformType: 'unknown' });
  });

  it('edge 17: a system user_changed_number names the new wa_id; identity changes are kept', () => {
    const changed = parseMessage({
      type: 'system',
      system: {
        body: 'User A changed from 15555550101 to 15555550199',
        wa_id: '15555550199',
        type: 'user_changed_number',
      },
    });
    expect(changed.content).toEqual({
      kind: 'unsupported',
      platformType: 'system.user_changed_number',
      detail: 'the user changed their number from 15555550101 to 15555550199',
    });
    expect(changed.whatsapp.newWaId).toBe('15555550199');
    expect(changed.contact.phone).toBe(user);
    expect(
      parseMessage({
        type: 'system',
        system: {
          body: "User's security code changed",
          type: 'customer_identity_changed',
          customer: user,
        },
        identity: { acknowledged: true, created_timestamp: 1717000000, hash: 'h' },
      }).content,
    ).toEqual({
      kind: 'unsupported',
      platformType: 'system.customer_identity_changed',
      detail: "User's security code changed",
    });
  });

  it('edge 15: reply context, forwarded flags, product enquiries and click-to-WhatsApp referrals', () => {
    const event = parseMessage({
      type: 'text',
      text: { body: 'is this in stock?' },
      context: {
        from: '15550000000',
        id: 'wamid.OUR_MESSAGE',
        forwarded: true,
        frequently_forwarded: true,
        referred_product: { catalog_id: 'cat1', product_retailer_id: 'sku-9' },
      },
      referral: {
        source_url: 'https://fb.me/ad',
        source_id: 'ad1',
        source_type: 'ad',
        headline: 'Sale',
        body: 'Now',
        media_type: 'image',
        ctwa_clid: 'ARAkLk',
      },
    });
    expect(event.replyToPlatformMessageId).toBe('wamid.OUR_MESSAGE');
    expect(event.whatsapp).toMatchObject({
      forwarded: true,
      frequentlyForwarded: true,
      referredProduct: { catalogId: 'cat1', productRetailerId: 'sku-9' },
      referral: { ctwa_clid: 'ARAkLk', source_type: 'ad' },
    });
    const forwardedOnly = parseMessage({
      type: 'text',
      text: { body: 'fw' },
      context: { forwarded: true },
    });
    expect(forwardedOnly.replyToPlatformMessageId).toBeUndefined();
    expect(forwardedOnly.whatsapp.forwarded).toBe(true);
  });

  it('edge 6: a username-only user (no from, no wa_id) is keyed on user_id; profile may be missing', () => {
    const event = only(
      parse(
        webhook(
          change(
            messagesValue({
              contacts: [
                {
                  user_id: 'US.13491208655302741918',
                  parent_user_id: 'US.ENT.1181',
                  profile: { name: 'Ana', username: '@ana' },
                },
              ],
              messages: [
                { id: 'wamid.B1', timestamp: '1717000000', type: 'text', text: { body: 'hi' } },
              ],
            }),
          ),
        ),
      ),
    ) as WhatsAppInboundMessageEvent;
    expect(event.contact).toEqual({ userId: 'US.13491208655302741918', name: 'Ana' });
    expect(event.whatsapp).toMatchObject({ parentUserId: 'US.ENT.1181', username: '@ana' });
    const noProfile = only(
      parse(
        webhook(
          change(
            messagesValue({
              messages: [
                {
                  from: user,
                  from_user_id: 'US.1',
                  id: 'wamid.B2',
                  timestamp: '1717000000',
                  type: 'text',
                  text: { body: 'hi' },
                },
              ],
            }),
          ),
        ),
      ),
    ) as InboundMessageEvent;
    expect(noProfile.contact).toEqual({ userId: 'US.1', phone: user });
  });

  it('contacts are matched to messages by wa_id or user_id in a batch of several senders', () => {
    const { events } = ok(
      parse(
        webhook(
          change(
            messagesValue({
              contacts: [
                { profile: { name: 'B' }, wa_id: '15555550202', user_id: 'US.2' },
                { profile: { name: 'A' }, wa_id: user, user_id: 'US.1' },
              ],
              messages: [
                message({ type: 'text', text: { body: 'a' } }, 'wamid.A'),
                {
                  ...message({ type: 'text', text: { body: 'b' } }, 'wamid.B'),
                  from: '15555550202',
                },
              ],
            }),
          ),
        ),
      ),
    );
    expect(events.map((e) => (e as InboundMessageEvent).contact)).toEqual([
      { userId: 'US.1', phone: user, name: 'A' },
      { userId: 'US.2', phone: '15555550202', name: 'B' },
    ]);
  });

  it('edge 7: smb_message_echoes (sent from the WhatsApp Business app) are echoes, never replies', () => {
    const event = only(
      parse(
        webhook(
          change(
            messagesValue({
              message_echoes: [
                {
                  from: '15550000000',
                  to: '+1 555-555-0101',
                  id: 'wamid.ECHO',
                  timestamp: '1739321024',
                  type: 'text',
                  text: { body: 'on our way' },
                },
              ],
            }),
            'smb_message_echoes',
          ),
        ),
      ),
    );
    expect(event).toMatchObject({
      type: 'message',
      source: 'echo',
      platformMessageId: 'wamid.ECHO',
      contact: { phone: user },
      content: { kind: 'text', text: 'on our way' },
    });
  });

  it('edge 13: timestamps as strings, numbers or ISO strings; the entry time as a fallback', () => {
    const at = (timestamp: unknown) =>
      parseMessage({ type: 'text', text: { body: 'x' }, timestamp }).timestamp;
    expect(at('1717000000')).toBe(1_717_000_000_000);
    expect(at(1717000000)).toBe(1_717_000_000_000);
    expect(at('2024-05-29T16:26:40Z')).toBe(1_717_000_000_000);
    const body = webhook(
      change(
        messagesValue({
          messages: [{ from: user, id: 'wamid.T', type: 'text', text: { body: 'x' } }],
        }),
      ),
    );
    (body.entry as Record<string, unknown>[])[0]!.time = 1717000100;
    expect((only(parse(body)) as InboundMessageEvent).timestamp).toBe(1_717_000_100_000);
  });
});

describe('statuses', () => {
  const statusBody = (...statuses: Record<string, unknown>[]) =>
    webhook(change(messagesValue({ statuses })));
  const status = (fields: Record<string, unknown>) =>
    only(
      parse(
        statusBody({ id: 'wamid.OUT', recipient_id: user, timestamp: '1750030073', ...fields }),
      ),
    ) as WhatsAppMessageStatusEvent;

  it('sent, delivered and read, with optional pricing, conversation and callback data', () => {
    expect(
      status({
        status: 'sent',
        biz_opaque_callback_data: 'order-7',
        pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'service' },
        conversation: { id: 'c1', origin: { type: 'service' } },
      }),
    ).toEqual({
      type: 'status',
      platformMessageId: 'wamid.OUT',
      status: 'sent',
      timestamp: 1_750_030_073_000,
      contact: { phone: user },
      whatsapp: {
        status: 'sent',
        bizOpaqueCallbackData: 'order-7',
        pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'service' },
        conversationId: 'c1',
      },
    });
    expect(status({ status: 'delivered' }).status).toBe('delivered');
    expect(status({ status: 'read' }).status).toBe('read');
  });

  it('played (a voice note heard) counts as read', () => {
    const event = status({ status: 'played' });
    expect(event.status).toBe('read');
    expect(event.whatsapp.status).toBe('played');
  });

  it('edge 16: failed with full or minimal errors, or none', () => {
    expect(
      status({ status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable' }] })
        .error,
    ).toEqual({
      code: '131026',
      message: 'Message undeliverable',
    });
    expect(
      status({
        status: 'failed',
        errors: [
          {
            code: 130472,
            title: "User's number is part of an experiment",
            message: 'm',
            error_data: { details: 'd' },
            href: 'h',
          },
        ],
      }).error,
    ).toEqual({ code: '130472', message: "User's number is part of an experiment: d" });
    expect(status({ status: 'failed' }).error).toEqual({
      code: 'unknown',
      message: 'WhatsApp reported the message failed without saying why',
    });
  });

  it('edge 6: a status keyed by recipient_user_id, or with contacts[{wa_id}] only', () => {
    expect(
      status({ status: 'read', recipient_id: undefined, recipient_user_id: 'US.9' }).contact,
    ).toEqual({ userId: 'US.9' });
    const event = only(
      parse(
        webhook(
          change(
            messagesValue({
              contacts: [{ wa_id: user, user_id: 'US.1' }],
              statuses: [
                {
                  id: 'wamid.OUT',
                  status: 'delivered',
                  timestamp: '1750030073',
                  recipient_id: user,
                },
              ],
            }),
          ),
        ),
      ),
    ) as MessageStatusEvent;
    expect(event.contact).toEqual({ userId: 'US.1', phone: user });
  });

  it('an unknown status is reported, not guessed', () => {
    const { events, problems } = ok(
      parse(statusBody({ id: 'wamid.OUT', status: 'deleted', timestamp: '1' })),
    );
    expect(events).toEqual([]);
    expect(problems).toEqual([
      expect.stringMatching(
        /statuses\[0\]: status "deleted" of message wamid.OUT is not one we know/,
      ),
    ]);
  });
});

describe('batches and bad events (edges 2, 3, 4, 9, 11, 19)', () => {
  it('edge 3: every entry, change, message and status is read, in order', () => {
    const value = (n: number) =>
      messagesValue({
        contacts: [{ wa_id: user }],
        messages: [
          message({ type: 'text', text: { body: `m${n}a` } }, `wamid.${n}a`),
          message({ type: 'text', text: { body: `m${n}b` } }, `wamid.${n}b`),
        ],
        statuses: [
          { id: `wamid.out${n}`, status: 'sent', timestamp: '1', recipient_id: user },
          { id: `wamid.out${n}`, status: 'delivered', timestamp: '2', recipient_id: user },
        ],
      });
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        { id: wabaId, changes: [change(value(1)), change(value(2))] },
        { id: wabaId, changes: [change(value(3)), change(value(4))] },
      ],
    };
    const { events, problems } = ok(parse(body));
    expect(problems).toEqual([]);
    expect(events).toHaveLength(16);
    expect(
      events.map((e) => (e.type === 'template-status' ? '' : `${e.type}:${e.platformMessageId}`)),
    ).toEqual(
      [1, 2, 3, 4].flatMap((n) => [
        `message:wamid.${n}a`,
        `message:wamid.${n}b`,
        `status:wamid.out${n}`,
        `status:wamid.out${n}`,
      ]),
    );
  });

  it('edge 4: one bad event is reported with where it was; the rest of the batch is kept', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        'not an entry',
        { id: wabaId, changes: 'nope' },
        {
          id: wabaId,
          changes: [
            null,
            { field: 'messages', value: 7 },
            change(
              messagesValue({
                contacts: [{ wa_id: user }],
                messages: [
                  message({ type: 'text', text: { body: 'kept 1' } }, 'wamid.K1'),
                  { from: user, timestamp: '1717000000', type: 'text', text: { body: 'no id' } },
                  {
                    from: user,
                    id: 'wamid.NOTIME',
                    timestamp: 'later',
                    type: 'text',
                    text: { body: 'x' },
                  },
                  42,
                  message({ type: 'image', image: { id: 'm1' } }, 'wamid.K2'),
                ],
                statuses: [
                  'x',
                  { id: 'wamid.S', status: 'read', timestamp: '1717000000', recipient_id: user },
                ],
              }),
            ),
            { field: 'messages', value: messagesValue({ messages: { not: 'an array' } }) },
            change(
              messagesValue({
                messages: [
                  {
                    id: 'wamid.NOBODY',
                    timestamp: '1717000000',
                    type: 'text',
                    text: { body: 'who?' },
                  },
                ],
              }),
            ),
          ],
        },
      ],
    };
    const { events, problems } = ok(parse(body));
    expect(events.map((e) => (e.type === 'template-status' ? '' : e.platformMessageId))).toEqual([
      'wamid.K1',
      'wamid.K2',
      'wamid.S',
    ]);
    expect(problems).toEqual([
      'entry[0]: not an object',
      'entry[1]: no changes[] array',
      'entry[2].changes[0]: not an object',
      'entry[2].changes[1]: value is not an object',
      'entry[2].changes[2].value.messages[1]: a message without an id; skipped',
      'entry[2].changes[2].value.messages[2]: message wamid.NOTIME has no readable timestamp ("later"); skipped',
      'entry[2].changes[2].value.messages[3]: not an object',
      'entry[2].changes[2].value.statuses[0]: not an object',
      'entry[2].changes[3].value.messages: not an array',
      'entry[2].changes[4].value.messages[0]: message wamid.NOBODY names no sender (no from, user id or matching contact); skipped',
    ]);
  });

  it('edge 4: messages, statuses and a template update in one POST are each routed by their own type', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: wabaId,
          changes: [
            change(
              messagesValue({
                contacts: [{ wa_id: user }],
                messages: [message({ type: 'text', text: { body: 'x' } })],
                statuses: [
                  { id: 'wamid.OUT', status: 'read', timestamp: '1717000000', recipient_id: user },
                ],
              }),
            ),
            change(
              {
                event: 'APPROVED',
                message_template_id: 1,
                message_template_name: 'hello',
                message_template_language: 'en_US',
                reason: 'NONE',
              },
              'message_template_status_update',
            ),
          ],
        },
      ],
    };
    expect(ok(parse(body)).events.map((e) => e.type)).toEqual([
      'message',
      'status',
      'template-status',
    ]);
    expect(ok(parse(body)).events[2]).toEqual({
      type: 'template-status',
      templateName: 'hello',
      language: 'en_US',
      templateId: '1',
      status: 'approved',
    });
  });

  it('edge 2: a re-delivered message keeps its wamid, so core can deduplicate it', () => {
    const body = webhook(
      change(
        messagesValue({
          contacts: [{ wa_id: user }],
          messages: [message({ type: 'text', text: { body: 'x' } }, 'wamid.DUP')],
        }),
      ),
      change(
        messagesValue({
          contacts: [{ wa_id: user }],
          messages: [message({ type: 'text', text: { body: 'x' } }, 'wamid.DUP')],
        }),
      ),
    );
    const { events } = ok(parse(body));
    expect(events.map((e) => (e as InboundMessageEvent).platformMessageId)).toEqual([
      'wamid.DUP',
      'wamid.DUP',
    ]);
    expect(ok(parse(body))).toEqual(ok(parse(body)));
  });

  it('events of another phone number or WABA are skipped and reported (never given to this channel)', () => {
    const body = webhook(
      change(
        messagesValue(
          {
            contacts: [{ wa_id: user }],
            messages: [message({ type: 'text', text: { body: 'x' } })],
          },
          '999',
        ),
      ),
      change({
        messaging_product: 'whatsapp',
        messages: [message({ type: 'text', text: { body: 'y' } })],
      }),
    );
    const { events, problems } = ok(parse(body));
    expect(events).toEqual([]);
    expect(problems).toEqual([
      "entry[0].changes[0]: for phone number 999, not this channel's (200000000000002); skipped",
      'entry[0].changes[1]: no metadata.phone_number_id: cannot tell which number it is for; skipped',
    ]);
    const otherWaba = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '777',
          changes: [
            change(
              { event: 'APPROVED', message_template_name: 'x' },
              'message_template_status_update',
            ),
          ],
        },
      ],
    };
    expect(ok(parse(otherWaba)).problems).toEqual([
      "entry[0].changes[0]: template update for WABA 777, not this channel's (100000000000001); skipped",
    ]);
  });

  it('value.errors (out-of-band errors) reach the operator as problems', () => {
    const { events, problems } = ok(
      parse(
        webhook(
          change(
            messagesValue({
              errors: [
                {
                  code: 131000,
                  title: 'Something went wrong',
                  message: 'Something went wrong',
                  error_data: { details: 'Unknown error' },
                },
              ],
            }),
          ),
        ),
      ),
    );
    expect(events).toEqual([]);
    expect(problems).toEqual([
      'entry[0].changes[0].value.errors[0]: WhatsApp reported error 131000: Something went wrong — Unknown error',
    ]);
  });

  it('edge 19: unknown extra fields anywhere are tolerated; known quiet fields add no problems', () => {
    const body = oneMessage(
      { type: 'text', text: { body: 'x', nlp: { entities: [] } }, seq: 9, brand_new: { a: 1 } },
      { app_id: 'z' },
    );
    Object.assign(body, { app_id: '1', unexpected: [1, 2] });
    expect((only(parse(body)) as InboundMessageEvent).content).toEqual({ kind: 'text', text: 'x' });
    const quiet = webhook(
      change({ event: 'FLAGGED', message_template_id: 1 }, 'message_template_quality_update'),
      change(
        { display_phone_number: '1', current_limit: 'TIER_1K' },
        'phone_number_quality_update',
      ),
      change({ phone_number: '1', event: 'VERIFIED_ACCOUNT' }, 'account_update'),
    );
    expect(ok(parse(quiet))).toEqual({ events: [], problems: [] });
    expect(ok(parse(webhook(change({ a: 1 }, 'brand_new_field')))).problems).toEqual([
      'entry[0].changes[0]: change field "brand_new_field" is not handled; ignored',
    ]);
  });

  it('edge 9: dashboard test payloads (a bare {field, value}, entry id "0", another number) answer ok', () => {
    const sample = {
      field: 'messages',
      value: messagesValue({
        contacts: [{ profile: { name: 'test user name' }, wa_id: '16315551181' }],
        messages: [
          {
            from: '16315551181',
            id: 'ABGGFlA5Fpa',
            timestamp: '1504902988',
            type: 'text',
            text: { body: 'this is a text message' },
          },
        ],
      }),
    };
    expect(only(parse(sample))).toMatchObject({
      platformMessageId: 'ABGGFlA5Fpa',
      contact: { phone: '16315551181' },
    });
    const dashboard = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '0',
          changes: [
            {
              ...sample,
              value: {
                ...sample.value,
                metadata: { display_phone_number: '16505551111', phone_number_id: '123456123' },
              },
            },
          ],
        },
      ],
    };
    const result = ok(parse(dashboard));
    expect(result.events).toEqual([]);
    expect(result.problems).toEqual([expect.stringMatching(/for phone number 123456123/)]);
  });

  it('edge 11: a 3 MB body of 7,500 messages parses, every message kept', () => {
    const messages = Array.from({ length: 7500 }, (_, i) =>
      message(
        {
          type: 'text',
          text: { body: `Olá número ${i} — ${'🍕'.repeat(20)} https://example.com/${i}` },
        },
        `wamid.BIG_${i}`,
      ),
    );
    const raw = metaBytes(
      webhook(change(messagesValue({ contacts: [{ wa_id: user }], messages }))),
    );
    expect(raw.byteLength).toBeGreaterThan(2_500_000);
    expect(raw.byteLength).toBeLessThan(3 * 1024 * 1024);
    expect(adapter.verifySignature(raw, signedHeaders(raw), channel())).toBe(true);
    const started = performance.now();
    const { events, problems } = ok(adapter.parseWebhook(raw, channel()));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(problems).toEqual([]);
    expect(events).toHaveLength(7500);
    expect((events[7499] as InboundMessageEvent).content).toEqual({
      kind: 'text',
      text: `Olá número 7499 — ${'🍕'.repeat(20)} https://example.com/7499`,
    });
  });
});

describe('bodies that are not WhatsApp webhooks → { ok: false, error }', () => {
  const error = (raw: Uint8Array) => {
    const result = adapter.parseWebhook(raw, channel());
    if (result.ok) throw new Error('expected an error');
    return result.error;
  };

  it('names what is wrong', () => {
    expect(error(new Uint8Array())).toMatch(/empty/);
    expect(error(bytes('{"object":'))).toMatch(/not JSON/);
    expect(error(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toMatch(/not valid UTF-8/);
    expect(error(bytes('[1,2]'))).toMatch(/not a JSON object/);
    expect(error(bytes('"text"'))).toMatch(/not a JSON object/);
    expect(error(bytes('{"object":"page","entry":[]}'))).toMatch(/object is "page"/);
    expect(error(bytes('{"object":"whatsapp_business_account"}'))).toMatch(/no entry\[\]/);
    expect(error(bytes('{"object":"whatsapp_business_account","entry":{}}'))).toMatch(
      /no entry\[\]/,
    );
    expect(error(bytes(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toMatch(
      /not a JSON object|not JSON/,
    );
  });

  it('a channel without a phone number id cannot claim events', () => {
    const result = adapter.parseWebhook(
      fixture('whatsapp-text.json'),
      channel({ phoneNumberId: undefined }),
    );
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/no settings.phoneNumberId/),
    });
  });

  it('an empty entry list is a good, empty batch', () => {
    expect(
      adapter.parseWebhook(bytes('{"object":"whatsapp_business_account","entry":[]}'), channel()),
    ).toEqual({
      ok: true,
      events: [],
    });
  });
});
