/**
 * Webhook bodies of the three Meta platforms for the conformance suite: every kind the
 * platform sends (the reference fixtures of shared/reference/fixtures among them), batches at
 * every level, a batch with unreadable items, and bodies that are not webhooks at all. Bodies
 * are serialised like Meta (`toMetaJson`: `\uXXXX`, `\/`), so they are the bytes Meta signs.
 */
import type { ParsedWebhook } from '@chatloom/core/adapter';
import { toMetaJson } from '../webhooks.js';
import type { BatchCase, BrokenBatchCase, MalformedBodyCase, WebhookCase } from './harness.js';

type Json = Record<string, unknown>;

/** The ids of the fake's default WhatsApp number, Page and Instagram account (and their users). */
export const metaIds = {
  whatsapp: {
    phoneNumberId: '200000000000002',
    displayPhoneNumber: '15550000000',
    wabaId: '100000000000001',
    user: '15555550101',
    userId: 'US.1000000000000000001',
  },
  messenger: { pageId: '300000000000011', psid: '400000000000012' },
  instagram: {
    accountId: '17840000000000021',
    pageId: '300000000000011',
    igsid: '500000000000022',
  },
} as const;

/** The platform's webhook cases, batches and bad bodies. */
export interface MetaWebhookSet {
  webhooks: WebhookCase[];
  batches: BatchCase[];
  brokenBatch: BrokenBatchCase;
  malformedBodies: MalformedBodyCase[];
}

const encoder = new TextEncoder();
const bytes = (payload: unknown): Uint8Array => encoder.encode(toMetaJson(payload));

/** A case built from one platform item; `item` is what batches combine. */
interface Piece<Item> {
  id: string;
  description: string;
  item: Item;
  events?: WebhookCase['events'];
  check?: (result: ParsedWebhook) => void;
  notFromContact?: boolean;
  escaped?: boolean;
}

function toCase<Item>(piece: Piece<Item>, envelope: (items: Item[]) => unknown): WebhookCase {
  const { item, ...rest } = piece;
  return { ...rest, rawBody: bytes(envelope([item])) };
}

function fail(message: string): never {
  throw new Error(message);
}

/** Checks a result for the cases whose events are the adapter's choice. */
function expectOk(result: ParsedWebhook): Extract<ParsedWebhook, { ok: true }> {
  if (!result.ok) fail(`expected { ok: true }, got { ok: false, error: ${result.error} }`);
  return result;
}

function malformed(object: string, otherObject: string): MalformedBodyCase[] {
  const text = (id: string, description: string, body: string): MalformedBodyCase => ({
    id,
    description,
    rawBody: encoder.encode(body),
  });
  return [
    text('empty', 'an empty body', ''),
    text('not-json', 'a body cut off in the middle', `{"object":"${object}","entry":[{"id":"1",`),
    {
      id: 'not-utf8',
      description: 'bytes that are not UTF-8',
      rawBody: new Uint8Array([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0x7d]),
    },
    text('json-array', 'a JSON array', '[]'),
    text('json-null', 'JSON null', 'null'),
    text('json-string', 'a JSON string', '"object"'),
    text(
      'wrong-object',
      `another product's webhook (object "${otherObject}")`,
      toMetaJson({ object: otherObject, entry: [] }),
    ),
    text('no-entry', 'an object without entry[]', toMetaJson({ object })),
    text(
      'entry-not-array',
      'entry that is not an array',
      toMetaJson({ object, entry: { id: '1' } }),
    ),
  ];
}

// ---------------------------------------------------------------------------------------
// WhatsApp

interface WhatsAppItem {
  field: string;
  value: Json;
}

const wa = metaIds.whatsapp;
const waMetadata = {
  display_phone_number: wa.displayPhoneNumber,
  phone_number_id: wa.phoneNumberId,
};
const waContact = { profile: { name: 'Test User' }, wa_id: wa.user, user_id: wa.userId };
const waIdentity = { phone: wa.user, userId: wa.userId, name: 'Test User' };

function waEnvelope(entries: { id?: string; time?: number; changes: WhatsAppItem[] }[]): Json {
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((e) => ({
      id: e.id ?? wa.wabaId,
      ...(e.time !== undefined && { time: e.time }),
      changes: e.changes,
    })),
  };
}

const waOneEntry = (items: WhatsAppItem[]) => waEnvelope([{ changes: items }]);

/** A `messages` change with one inbound message from the test user. */
function waMessage(
  id: string,
  seconds: number,
  fields: Json,
  contact: Json = waContact,
): WhatsAppItem {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: waMetadata,
      contacts: [contact],
      messages: [{ from: wa.user, id, timestamp: String(seconds), ...fields }],
    },
  };
}

function waStatus(id: string, status: string, seconds: number, extra: Json = {}): WhatsAppItem {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: waMetadata,
      statuses: [
        {
          id,
          status,
          timestamp: String(seconds),
          recipient_id: wa.user,
          ...(status !== 'failed' &&
            status !== 'read' && {
              pricing: {
                billable: true,
                pricing_model: 'PMP',
                category: 'utility',
                type: 'regular',
              },
            }),
          ...extra,
        },
      ],
    },
  };
}

const message = (
  id: string,
  seconds: number,
  content: Json,
  extra: Json = {},
): WebhookCase['events'] => [
  {
    type: 'message',
    source: 'contact',
    platformMessageId: id,
    contact: waIdentity,
    timestamp: seconds * 1000,
    content,
    ...extra,
  },
];

function whatsAppPieces(): Piece<WhatsAppItem>[] {
  return [
    {
      id: 'text',
      description: 'a text message (fixture whatsapp-text.json)',
      item: waMessage('wamid.TEST_INBOUND_TEXT_0001', 1717000000, {
        type: 'text',
        text: { body: 'Hi, has my order shipped yet?' },
      }),
      events: message('wamid.TEST_INBOUND_TEXT_0001', 1717000000, {
        kind: 'text',
        text: 'Hi, has my order shipped yet?',
      }),
    },
    {
      id: 'button-reply',
      description: 'a reply button tap (fixture whatsapp-button-reply.json)',
      item: waMessage(
        'wamid.TEST_INBOUND_BUTTON_0002',
        1717000060,
        {
          context: { from: wa.displayPhoneNumber, id: 'wamid.TEST_OUTBOUND_BUTTONS_0001' },
          type: 'interactive',
          interactive: {
            type: 'button_reply',
            button_reply: { id: 'confirm_order', title: 'Confirm' },
          },
        },
        { profile: { name: 'Test User' }, wa_id: wa.user },
      ),
      events: [
        {
          type: 'message',
          source: 'contact',
          platformMessageId: 'wamid.TEST_INBOUND_BUTTON_0002',
          contact: { phone: wa.user, name: 'Test User' },
          timestamp: 1717000060000,
          content: { kind: 'choice', id: 'confirm_order', title: 'Confirm' },
          replyToPlatformMessageId: 'wamid.TEST_OUTBOUND_BUTTONS_0001',
        },
      ],
    },
    {
      id: 'list-reply',
      description: 'a list row tap (fixture whatsapp-list-reply.json)',
      item: waMessage('wamid.TEST_INBOUND_LIST_0003', 1717000120, {
        context: { from: wa.displayPhoneNumber, id: 'wamid.TEST_OUTBOUND_LIST_0001' },
        type: 'interactive',
        interactive: {
          type: 'list_reply',
          list_reply: {
            id: 'ship_express',
            title: 'Express shipping',
            description: 'Next day, fee applies',
          },
        },
      }),
      events: message(
        'wamid.TEST_INBOUND_LIST_0003',
        1717000120,
        { kind: 'choice', id: 'ship_express', title: 'Express shipping' },
        { replyToPlatformMessageId: 'wamid.TEST_OUTBOUND_LIST_0001' },
      ),
    },
    {
      id: 'template-button',
      description: "a tap on a template's quick-reply button (type button)",
      item: waMessage('wamid.IN_TEMPLATE_BUTTON', 1717000180, {
        context: { from: wa.displayPhoneNumber, id: 'wamid.OUT_TEMPLATE' },
        type: 'button',
        button: { payload: 'TRACK_ORDER', text: 'Track my order' },
      }),
      events: message('wamid.IN_TEMPLATE_BUTTON', 1717000180, {
        kind: 'choice',
        id: 'TRACK_ORDER',
        title: 'Track my order',
      }),
    },
    {
      id: 'image',
      description: 'an image with a caption',
      item: waMessage('wamid.IN_IMAGE', 1717000240, {
        type: 'image',
        image: {
          caption: 'My receipt',
          mime_type: 'image/jpeg',
          sha256: 'ZmFrZS1zaGEyNTY=',
          id: '1000000000000101',
        },
      }),
      events: message('wamid.IN_IMAGE', 1717000240, {
        kind: 'media',
        media: 'image',
        mediaId: '1000000000000101',
        mimeType: 'image/jpeg',
        caption: 'My receipt',
      }),
    },
    {
      id: 'video',
      description: 'a video',
      item: waMessage('wamid.IN_VIDEO', 1717000250, {
        type: 'video',
        video: { mime_type: 'video/mp4', sha256: 'dmlkZW8=', id: '1000000000000102' },
      }),
      events: message('wamid.IN_VIDEO', 1717000250, {
        kind: 'media',
        media: 'video',
        mediaId: '1000000000000102',
      }),
    },
    {
      id: 'document',
      description: 'a document with a file name',
      item: waMessage('wamid.IN_DOCUMENT', 1717000260, {
        type: 'document',
        document: {
          filename: 'invoice-42.pdf',
          mime_type: 'application/pdf',
          sha256: 'ZG9j',
          id: '1000000000000103',
        },
      }),
      events: message('wamid.IN_DOCUMENT', 1717000260, {
        kind: 'media',
        media: 'document',
        mediaId: '1000000000000103',
        filename: 'invoice-42.pdf',
      }),
    },
    {
      id: 'voice-note',
      description: 'a voice note (audio, voice: true)',
      item: waMessage('wamid.IN_AUDIO', 1717000270, {
        type: 'audio',
        audio: {
          mime_type: 'audio/ogg; codecs=opus',
          sha256: 'YXVkaW8=',
          id: '1000000000000104',
          voice: true,
        },
      }),
      events: message('wamid.IN_AUDIO', 1717000270, {
        kind: 'media',
        media: 'audio',
        mediaId: '1000000000000104',
      }),
    },
    {
      id: 'sticker',
      description: 'a sticker',
      item: waMessage('wamid.IN_STICKER', 1717000280, {
        type: 'sticker',
        sticker: {
          mime_type: 'image/webp',
          sha256: 'c3RpY2tlcg==',
          id: '1000000000000105',
          animated: false,
        },
      }),
      events: message('wamid.IN_STICKER', 1717000280, {
        kind: 'media',
        media: 'sticker',
        mediaId: '1000000000000105',
      }),
    },
    {
      id: 'location',
      description: 'a shared location',
      item: waMessage('wamid.IN_LOCATION', 1717000300, {
        type: 'location',
        location: {
          latitude: 38.7223,
          longitude: -9.1393,
          name: 'Praça do Comércio',
          address: 'Lisboa',
        },
      }),
      events: message('wamid.IN_LOCATION', 1717000300, {
        kind: 'location',
        latitude: 38.7223,
        longitude: -9.1393,
        name: 'Praça do Comércio',
        address: 'Lisboa',
      }),
    },
    {
      id: 'contacts',
      description: 'a shared contact card',
      item: waMessage('wamid.IN_CONTACTS', 1717000310, {
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Ada Lovelace', first_name: 'Ada', last_name: 'Lovelace' },
            phones: [{ phone: '+1 555 555 0123', type: 'CELL', wa_id: '15555550123' }],
          },
        ],
      }),
      events: message('wamid.IN_CONTACTS', 1717000310, { kind: 'contacts' }),
      check(result) {
        const event = expectOk(result).events[0];
        const content = event?.type === 'message' ? event.content : undefined;
        if (content?.kind !== 'contacts' || content.contacts[0]?.name !== 'Ada Lovelace') {
          fail(`expected a contacts message naming "Ada Lovelace", got ${JSON.stringify(content)}`);
        }
        if (content.contacts[0].phones.length !== 1) {
          fail(`expected one phone number, got ${JSON.stringify(content.contacts[0].phones)}`);
        }
      },
    },
    {
      id: 'reaction',
      description: 'a reaction to one of our messages (an emoji, so escaped)',
      item: waMessage('wamid.IN_REACTION', 1717000320, {
        type: 'reaction',
        reaction: { message_id: 'wamid.OUT_REACTED', emoji: '👍' },
      }),
      events: message('wamid.IN_REACTION', 1717000320, {
        kind: 'reaction',
        emoji: '👍',
        targetMessageId: 'wamid.OUT_REACTED',
      }),
    },
    {
      id: 'reaction-removed',
      description: 'a reaction removed (emoji "")',
      item: waMessage('wamid.IN_UNREACTION', 1717000330, {
        type: 'reaction',
        reaction: { message_id: 'wamid.OUT_REACTED', emoji: '' },
      }),
      events: message('wamid.IN_UNREACTION', 1717000330, {
        kind: 'reaction',
        emoji: null,
        targetMessageId: 'wamid.OUT_REACTED',
      }),
    },
    {
      id: 'unsupported',
      description: 'a message type the Cloud API does not support (131051)',
      item: waMessage('wamid.IN_UNSUPPORTED', 1717000340, {
        type: 'unsupported',
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
      }),
      events: message('wamid.IN_UNSUPPORTED', 1717000340, { kind: 'unsupported' }),
    },
    {
      id: 'username-only',
      description: 'a user known only by a business-scoped user id (no from, no wa_id)',
      item: {
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: waMetadata,
          contacts: [{ profile: { name: 'Sam' }, user_id: 'US.2000000000000000002' }],
          messages: [
            {
              id: 'wamid.IN_USERNAME_ONLY',
              timestamp: '1717000350',
              type: 'text',
              text: { body: 'hello' },
            },
          ],
        },
      },
      events: [
        {
          type: 'message',
          source: 'contact',
          platformMessageId: 'wamid.IN_USERNAME_ONLY',
          contact: { userId: 'US.2000000000000000002', name: 'Sam' },
          content: { kind: 'text', text: 'hello' },
        },
      ],
    },
    {
      id: 'escaped-text',
      description: "a text with an emoji, accents and a URL, in Meta's escaping",
      item: waMessage('wamid.IN_ESCAPED', 1717000360, {
        type: 'text',
        text: { body: 'Olá! 👋 Track it at https://example.com/o/123 — obrigado' },
      }),
      events: message('wamid.IN_ESCAPED', 1717000360, {
        kind: 'text',
        text: 'Olá! 👋 Track it at https://example.com/o/123 — obrigado',
      }),
      escaped: true,
    },
    {
      id: 'echo',
      description:
        'a message the business sent from the WhatsApp Business app (smb_message_echoes)',
      item: {
        field: 'smb_message_echoes',
        value: {
          messaging_product: 'whatsapp',
          metadata: waMetadata,
          message_echoes: [
            {
              from: wa.displayPhoneNumber,
              to: wa.user,
              id: 'wamid.ECHO_1',
              timestamp: '1717000370',
              type: 'text',
              text: { body: 'On our way!' },
            },
          ],
        },
      },
      events: [
        {
          type: 'message',
          source: 'echo',
          platformMessageId: 'wamid.ECHO_1',
          contact: { phone: wa.user },
          content: { kind: 'text', text: 'On our way!' },
        },
      ],
      notFromContact: true,
    },
    ...(['sent', 'delivered', 'read'] as const).map(
      (status, i): Piece<WhatsAppItem> => ({
        id: `status-${status}`,
        description: `a "${status}" status`,
        item: waStatus(`wamid.OUT_STATUS_${i}`, status, 1717000400 + i),
        events: [
          {
            type: 'status',
            platformMessageId: `wamid.OUT_STATUS_${i}`,
            status,
            timestamp: (1717000400 + i) * 1000,
          },
        ],
      }),
    ),
    {
      id: 'status-failed',
      description: 'a "failed" status with its error (fixture whatsapp-status-failed.json)',
      item: waStatus('wamid.TEST_OUTBOUND_TEXT_0009', 'failed', 1717090000, {
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            message: 'Re-engagement message',
            error_data: {
              details:
                'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
            },
            href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
          },
        ],
      }),
      events: [
        {
          type: 'status',
          platformMessageId: 'wamid.TEST_OUTBOUND_TEXT_0009',
          status: 'failed',
          timestamp: 1717090000000,
          error: { code: '131047' },
        },
      ],
    },
    {
      id: 'template-status',
      description: 'a template rejected in review (fixture whatsapp-template-status.json)',
      item: {
        field: 'message_template_status_update',
        value: {
          event: 'REJECTED',
          message_template_id: 300000000000003,
          message_template_name: 'order_update_test',
          message_template_language: 'en_US',
          reason: 'INVALID_FORMAT',
          message_template_category: 'UTILITY',
          rejection_info: {
            reason: 'Two variables are placed next to each other without text between them.',
            recommendation: 'Put descriptive text between the variables.',
          },
        },
      },
      events: [
        {
          type: 'template-status',
          templateName: 'order_update_test',
          language: 'en_US',
          templateId: '300000000000003',
          status: 'rejected',
        },
      ],
    },
  ];
}

function mergeValues(items: WhatsAppItem[]): WhatsAppItem {
  const value: Json = { messaging_product: 'whatsapp', metadata: waMetadata };
  const contacts = new Map<string, unknown>();
  for (const { value: v } of items) {
    for (const key of ['messages', 'statuses'] as const) {
      const list = v[key];
      if (Array.isArray(list)) value[key] = [...((value[key] as unknown[]) ?? []), ...list];
    }
    for (const contact of (v.contacts as Json[] | undefined) ?? []) {
      contacts.set(JSON.stringify(contact), contact);
    }
  }
  if (contacts.size > 0) value.contacts = [...contacts.values()];
  return { field: 'messages', value };
}

export function whatsAppWebhooks(): MetaWebhookSet {
  const pieces = whatsAppPieces();
  const item = (id: string) =>
    pieces.find((p) => p.id === id)?.item ?? fail(`no WhatsApp piece "${id}"`);
  const batch = (id: string, description: string, parts: string[], body: Json): BatchCase => ({
    id,
    description,
    parts,
    rawBody: bytes(body),
  });
  const broken = mergeValues([item('text'), item('document')]);
  const messages = broken.value.messages as Json[];
  broken.value.messages = [
    messages[0],
    { from: wa.user, timestamp: '1717000500', type: 'text', text: { body: 'I have no id' } },
    'not a message',
    messages[1],
  ];
  broken.value.statuses = [{ status: 'delivered', timestamp: '1717000500', recipient_id: wa.user }];
  return {
    webhooks: pieces.map((p) => toCase(p, waOneEntry)),
    batches: [
      batch(
        'several-entries',
        'three entries (a message, a status, a template update)',
        ['text', 'status-delivered', 'template-status'],
        waEnvelope([
          { changes: [item('text')] },
          { changes: [item('status-delivered')] },
          { changes: [item('template-status')], time: 1717100000 },
        ]),
      ),
      batch(
        'several-changes',
        'one entry, three changes (a message, a status, an echo)',
        ['image', 'status-read', 'echo'],
        waOneEntry([item('image'), item('status-read'), item('echo')]),
      ),
      batch(
        'several-messages',
        'one change with several messages[] and statuses[]',
        ['location', 'reaction', 'voice-note', 'status-sent', 'status-failed'],
        waOneEntry([
          mergeValues([
            item('location'),
            item('reaction'),
            item('voice-note'),
            item('status-sent'),
            item('status-failed'),
          ]),
        ]),
      ),
    ],
    brokenBatch: {
      description:
        'messages[] with a message without an id and a string between two good ones; a status without an id',
      parts: ['text', 'document'],
      rawBody: bytes(waOneEntry([broken])),
    },
    malformedBodies: malformed('whatsapp_business_account', 'page'),
  };
}

// ---------------------------------------------------------------------------------------
// Messenger and Instagram

/** One `messaging[]` (or `standby[]`) event. */
interface PageItem {
  event: Json;
  /** Where it goes in the entry. */
  list?: 'messaging' | 'standby';
}

function pageEnvelope(object: 'page' | 'instagram', ownerId: string) {
  return (entries: PageItem[][]): Json => ({
    object,
    entry: entries.map((items) => {
      const entry: Json = { id: ownerId, time: 1717000000273 };
      for (const { event, list = 'messaging' } of items) {
        entry[list] = [...((entry[list] as unknown[]) ?? []), event];
      }
      return entry;
    }),
  });
}

/** Cases shared by Messenger and Instagram (same Messenger Platform shapes). */
function pagePieces(
  platform: 'messenger' | 'instagram',
  ownerId: string,
  userId: string,
  midPrefix: string,
): Piece<PageItem>[] {
  const at = (n: number) => 1717000000123 + n * 1000;
  const fromUser = (n: number, fields: Json): PageItem => ({
    event: { sender: { id: userId }, recipient: { id: ownerId }, timestamp: at(n), ...fields },
  });
  const contactMessage = (mid: string, n: number, content: Json, extra: Json = {}) => [
    {
      type: 'message' as const,
      source: 'contact' as const,
      platformMessageId: mid,
      contact: { userId },
      timestamp: at(n),
      content,
      ...extra,
    },
  ];
  const name = platform === 'messenger' ? 'Messenger' : 'Instagram';
  const fixture = platform === 'messenger';
  const textMid = fixture ? 'm_TEST_MESSENGER_TEXT_0001' : 'ig_mid.TEST_INSTAGRAM_TEXT_0001';
  const textBody = fixture ? 'Hello, are you open on Sunday?' : 'Do you ship to Portugal?';
  const mid = (suffix: string) => `${midPrefix}${suffix}`;
  return [
    {
      id: 'text',
      description: `a text message (fixture ${platform}-text.json)`,
      item: fromUser(0, { message: { mid: textMid, text: textBody } }),
      events: contactMessage(textMid, 0, { kind: 'text', text: textBody }),
    },
    {
      id: 'quick-reply',
      description: `a quick reply tap${fixture ? ' (fixture messenger-quick-reply.json)' : ''}`,
      item: fromUser(60, {
        message: {
          mid: fixture ? 'm_TEST_MESSENGER_QR_0002' : mid('QUICK_REPLY'),
          text: 'Red',
          quick_reply: { payload: 'COLOR_RED' },
        },
      }),
      events: contactMessage(fixture ? 'm_TEST_MESSENGER_QR_0002' : mid('QUICK_REPLY'), 60, {
        kind: 'choice',
        id: 'COLOR_RED',
        title: 'Red',
      }),
    },
    {
      id: 'postback',
      description: `a postback button tap${fixture ? ' (fixture messenger-postback.json)' : ''}`,
      item: fromUser(120, {
        postback: {
          mid: fixture ? 'm_TEST_MESSENGER_POSTBACK_0003' : mid('POSTBACK'),
          title: 'Talk to an agent',
          payload: 'TALK_TO_AGENT',
        },
      }),
      events: contactMessage(fixture ? 'm_TEST_MESSENGER_POSTBACK_0003' : mid('POSTBACK'), 120, {
        kind: 'choice',
        id: 'TALK_TO_AGENT',
        title: 'Talk to an agent',
      }),
    },
    {
      id: 'image',
      description: 'an image attachment (its URL has escaped slashes)',
      item: fromUser(180, {
        message: {
          mid: mid('IMAGE'),
          attachments: [
            {
              type: 'image',
              payload: {
                url: 'https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg?_nc_cat=1&oh=abc',
              },
            },
          ],
        },
      }),
      events: contactMessage(mid('IMAGE'), 180, {
        kind: 'media',
        media: 'image',
        url: 'https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg?_nc_cat=1&oh=abc',
      }),
    },
    {
      id: 'reply-to',
      description: 'a text that quotes an earlier message (reply_to.mid)',
      item: fromUser(200, {
        message: { mid: mid('REPLY'), text: 'This one', reply_to: { mid: mid('OUT_QUOTED') } },
      }),
      events: contactMessage(
        mid('REPLY'),
        200,
        { kind: 'text', text: 'This one' },
        { replyToPlatformMessageId: mid('OUT_QUOTED') },
      ),
    },
    {
      id: 'reaction',
      description: 'a reaction to one of our messages',
      item: fromUser(240, {
        reaction: { mid: mid('OUT_REACTED'), action: 'react', reaction: 'love', emoji: '❤️' },
      }),
      events: [
        {
          type: 'message',
          source: 'contact',
          contact: { userId },
          content: { kind: 'reaction', emoji: '❤️', targetMessageId: mid('OUT_REACTED') },
        },
      ],
    },
    {
      id: 'reaction-removed',
      description: 'a reaction removed (action "unreact", no emoji)',
      item: fromUser(250, { reaction: { mid: mid('OUT_REACTED'), action: 'unreact' } }),
      events: [
        {
          type: 'message',
          source: 'contact',
          contact: { userId },
          content: { kind: 'reaction', emoji: null, targetMessageId: mid('OUT_REACTED') },
        },
      ],
    },
    {
      id: 'unknown-attachment',
      description: 'an attachment type no adapter knows yet: kept as unsupported',
      item: fromUser(260, {
        message: {
          mid: mid('UNKNOWN_ATTACHMENT'),
          attachments: [{ type: 'hologram_2031', payload: { url: 'https://example.com/h' } }],
        },
      }),
      events: contactMessage(mid('UNKNOWN_ATTACHMENT'), 260, { kind: 'unsupported' }),
    },
    {
      id: 'escaped-text',
      description: "a text with an emoji, accents and a URL, in Meta's escaping",
      item: fromUser(300, {
        message: { mid: mid('ESCAPED'), text: 'Olá! 👋 See https://example.com/a/b — obrigado' },
      }),
      events: contactMessage(mid('ESCAPED'), 300, {
        kind: 'text',
        text: 'Olá! 👋 See https://example.com/a/b — obrigado',
      }),
      escaped: true,
    },
    {
      id: 'echo',
      description: `a message of the ${name} account coming back (is_echo)`,
      item: {
        event: {
          sender: { id: ownerId },
          recipient: { id: userId },
          timestamp: at(360),
          message: {
            mid: mid('ECHO'),
            is_echo: true,
            text: 'Thanks, we will get back to you',
            ...(platform === 'messenger' && { app_id: 1000000000000001, metadata: 'chatloom' }),
          },
        },
      },
      events: [
        {
          type: 'message',
          source: 'echo',
          platformMessageId: mid('ECHO'),
          contact: { userId },
          content: { kind: 'text', text: 'Thanks, we will get back to you' },
        },
      ],
      notFromContact: true,
    },
  ];
}

function messengerPieces(): Piece<PageItem>[] {
  const { pageId, psid } = metaIds.messenger;
  const pieces = pagePieces('messenger', pageId, psid, 'm_');
  const at = (n: number) => 1717000000123 + n * 1000;
  return [
    ...pieces,
    {
      id: 'file',
      description: 'a file attachment (a document)',
      item: {
        event: {
          sender: { id: psid },
          recipient: { id: pageId },
          timestamp: at(400),
          message: {
            mid: 'm_FILE',
            attachments: [
              { type: 'file', payload: { url: 'https://cdn.fbsbx.com/v/t59/invoice.pdf?dl=1' } },
            ],
          },
        },
      },
      events: [
        {
          type: 'message',
          source: 'contact',
          platformMessageId: 'm_FILE',
          contact: { userId: psid },
          content: {
            kind: 'media',
            media: 'document',
            url: 'https://cdn.fbsbx.com/v/t59/invoice.pdf?dl=1',
          },
        },
      ],
    },
    {
      id: 'standby',
      description: 'a message in a thread another app owns (standby[], handover)',
      item: {
        list: 'standby',
        event: {
          sender: { id: psid },
          recipient: { id: pageId },
          timestamp: at(420),
          message: { mid: 'm_STANDBY', text: 'Are you still there?' },
        },
      },
      events: [
        {
          type: 'message',
          source: 'standby',
          platformMessageId: 'm_STANDBY',
          contact: { userId: psid },
          content: { kind: 'text', text: 'Are you still there?' },
        },
      ],
      notFromContact: true,
    },
    {
      id: 'delivery',
      description: 'a delivery receipt naming our messages (mids and watermark)',
      item: {
        event: {
          sender: { id: psid },
          recipient: { id: pageId },
          timestamp: at(440),
          delivery: { mids: ['m_OUT_DELIVERED'], watermark: at(439) },
        },
      },
      events: [{ type: 'status', platformMessageId: 'm_OUT_DELIVERED', status: 'delivered' }],
    },
    {
      id: 'read',
      description: 'a read receipt (a watermark, no message id)',
      item: {
        event: {
          sender: { id: psid },
          recipient: { id: pageId },
          timestamp: at(460),
          read: { watermark: at(459) },
        },
      },
      check(result) {
        for (const event of expectOk(result).events) {
          if (event.type !== 'status' || event.status !== 'read') {
            fail(`a read watermark may only give read statuses, got ${JSON.stringify(event)}`);
          }
        }
      },
    },
  ];
}

function instagramPieces(): Piece<PageItem>[] {
  const { accountId, igsid } = metaIds.instagram;
  const pieces = pagePieces('instagram', accountId, igsid, 'ig_mid.');
  const at = (n: number) => 1717000000123 + n * 1000;
  const fromUser = (n: number, fields: Json): PageItem => ({
    event: { sender: { id: igsid }, recipient: { id: accountId }, timestamp: at(n), ...fields },
  });
  const oneContactMessage = (what: string) => (result: ParsedWebhook) => {
    const events = expectOk(result).events;
    if (events.length !== 1 || events[0]?.type !== 'message' || events[0].source !== 'contact') {
      fail(`${what}: expected one message from the contact, got ${JSON.stringify(events)}`);
    }
  };
  return [
    ...pieces,
    {
      id: 'seen',
      description: 'a seen receipt naming one of our messages (read.mid)',
      item: fromUser(400, { read: { mid: 'ig_mid.OUT_SEEN' } }),
      events: [{ type: 'status', platformMessageId: 'ig_mid.OUT_SEEN', status: 'read' }],
    },
    {
      id: 'story-reply',
      description: 'a text replying to a story (reply_to.story)',
      item: fromUser(420, {
        message: {
          mid: 'ig_mid.STORY_REPLY',
          text: 'Love this!',
          reply_to: {
            story: {
              url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1',
              id: '18000000000000001',
            },
          },
        },
      }),
      events: [
        {
          type: 'message',
          source: 'contact',
          platformMessageId: 'ig_mid.STORY_REPLY',
          contact: { userId: igsid },
          content: { kind: 'text', text: 'Love this!' },
        },
      ],
    },
    {
      id: 'story-mention',
      description:
        'a story mention (attachment story_mention): kept, in a form of the adapter’s choice',
      item: fromUser(440, {
        message: {
          mid: 'ig_mid.STORY_MENTION',
          attachments: [
            {
              type: 'story_mention',
              payload: { url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2' },
            },
          ],
        },
      }),
      check: oneContactMessage('story mention'),
    },
    {
      id: 'share',
      description: 'a shared post (attachment share): kept, in a form of the adapter’s choice',
      item: fromUser(460, {
        message: {
          mid: 'ig_mid.SHARE',
          attachments: [
            { type: 'share', payload: { url: 'https://www.instagram.com/p/C0000000000/' } },
          ],
        },
      }),
      check: oneContactMessage('share'),
    },
    {
      id: 'deleted',
      description: 'a message the user unsent (is_deleted): never a text to answer',
      item: fromUser(480, { message: { mid: 'ig_mid.DELETED', is_deleted: true } }),
      check(result) {
        for (const event of expectOk(result).events) {
          if (event.type === 'message' && event.content.kind === 'text') {
            fail(`an unsent message became a text: ${JSON.stringify(event)}`);
          }
        }
      },
    },
  ];
}

function pageWebhooks(
  object: 'page' | 'instagram',
  ownerId: string,
  userId: string,
  pieces: Piece<PageItem>[],
  batches: { id: string; description: string; entries: string[][] }[],
): MetaWebhookSet {
  const envelope = pageEnvelope(object, ownerId);
  const item = (id: string) =>
    pieces.find((p) => p.id === id)?.item ?? fail(`no ${object} piece "${id}"`);
  const brokenEvents: PageItem[] = [
    item('text'),
    {
      event: {
        recipient: { id: ownerId },
        timestamp: 1717000900123,
        message: { mid: 'x', text: 'no sender' },
      },
    },
    {
      event: {
        sender: { id: userId },
        recipient: { id: ownerId },
        timestamp: 1717000900123,
        message: { text: 'no mid' },
      },
    },
    {
      event: {
        sender: { id: userId },
        recipient: { id: ownerId },
        timestamp: 1717000900123,
        message: 'not an object',
      },
    },
    item('postback'),
  ];
  return {
    webhooks: pieces.map((p) => toCase(p, (items) => envelope([items]))),
    batches: batches.map((b) => ({
      id: b.id,
      description: b.description,
      parts: b.entries.flat(),
      rawBody: bytes(envelope(b.entries.map((ids) => ids.map(item)))),
    })),
    brokenBatch: {
      description:
        'messaging[] with an event without a sender, a message without a mid and a message that is a string',
      parts: ['text', 'postback'],
      rawBody: bytes(envelope([brokenEvents])),
    },
    malformedBodies: malformed(object, object === 'page' ? 'instagram' : 'page'),
  };
}

export function messengerWebhooks(): MetaWebhookSet {
  const { pageId, psid } = metaIds.messenger;
  return pageWebhooks('page', pageId, psid, messengerPieces(), [
    {
      id: 'several-entries',
      description: 'three entries (a text, an image, a delivery receipt)',
      entries: [['text'], ['image'], ['delivery']],
    },
    {
      id: 'several-events',
      description: 'one entry, several messaging[] events (a quick reply, a postback, a reaction)',
      entries: [['quick-reply', 'postback', 'reaction']],
    },
    {
      id: 'messaging-and-standby',
      description: 'one entry with messaging[] and standby[] events, and an echo',
      entries: [['text', 'standby', 'echo']],
    },
  ]);
}

export function instagramWebhooks(): MetaWebhookSet {
  const { accountId, igsid } = metaIds.instagram;
  return pageWebhooks('instagram', accountId, igsid, instagramPieces(), [
    {
      id: 'several-entries',
      description: 'three entries (a text, an image, a seen receipt)',
      entries: [['text'], ['image'], ['seen']],
    },
    {
      id: 'echo-and-seen',
      description: 'an echo, a seen event and a quick reply in one POST',
      entries: [['echo', 'seen', 'quick-reply']],
    },
  ]);
}
