/**
 * `metaHarness(platform)`: the conformance harness of WhatsApp, Messenger and Instagram, built
 * on the fake Graph API of this package. It knows how Meta signs and batches webhooks, what
 * each platform sends, how to make the fake fail like Meta, and how to read what reached it.
 */
import { createHmac } from 'node:crypto';
import type { ChannelConfig, ContactIdentity } from '@chatloom/core/adapter';
import { createFakeGraphApi, type FakeGraphApi } from '../fake-graph-api.js';
import type { SentMessage } from '../types.js';
import { isRecord, type JsonRecord } from '../values.js';
import { signWebhookBody, toMetaJson } from '../webhooks.js';
import type {
  ConformanceFault,
  ConformanceHarness,
  DeliveredChoice,
  DeliveredMessage,
  MalformedSignatureCase,
  PlatformDouble,
  PlatformRequest,
} from './harness.js';
import {
  instagramWebhooks,
  type MetaWebhookSet,
  messengerWebhooks,
  metaIds,
  whatsAppWebhooks,
} from './meta-webhooks.js';

/** The Meta platforms `metaHarness` plays. */
export type MetaPlatform = 'whatsapp' | 'messenger' | 'instagram';

/** Options of {@link metaHarness}. */
export interface MetaHarnessOptions {
  /**
   * Settings of the channel handed to the adapter, merged over the defaults: WhatsApp
   * `{ phoneNumberId, wabaId }`, Messenger `{ pageId }`, Instagram `{ instagramAccountId, pageId }`.
   */
  settings?: Record<string, unknown>;
  /**
   * Credentials, merged over the defaults `{ accessToken, appSecret, verifyToken }` (the
   * fake's token, the secret that signs the webhooks, the handshake's token).
   */
  credentials?: Record<string, string>;
}

/** The secrets of a conformance run: the fake accepts this token and signs with this secret. */
export const metaHarnessSecrets = {
  accessToken: 'conformance-access-token',
  appSecret: 'conformance-app-secret',
  verifyToken: 'conformance-verify-token',
} as const;

const day = 24 * 60 * 60 * 1000;
const encoder = new TextEncoder();

function webhookSet(platform: MetaPlatform): MetaWebhookSet {
  if (platform === 'whatsapp') return whatsAppWebhooks();
  if (platform === 'messenger') return messengerWebhooks();
  return instagramWebhooks();
}

function defaultSettings(platform: MetaPlatform): Record<string, unknown> {
  if (platform === 'whatsapp') {
    return { phoneNumberId: metaIds.whatsapp.phoneNumberId, wabaId: metaIds.whatsapp.wabaId };
  }
  if (platform === 'messenger') return { pageId: metaIds.messenger.pageId };
  return {
    instagramAccountId: metaIds.instagram.accountId,
    pageId: metaIds.instagram.pageId,
  };
}

function contactOf(platform: MetaPlatform): ContactIdentity {
  if (platform === 'whatsapp') return { phone: metaIds.whatsapp.user };
  if (platform === 'messenger') return { userId: metaIds.messenger.psid };
  return { userId: metaIds.instagram.igsid };
}

function hex(rawBody: Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** Meta's signature headers and the ways a header can be malformed (webhook-edge-cases.md §12). */
const malformedSignatures: MalformedSignatureCase[] = [
  {
    id: 'sha1-only',
    description: 'only X-Hub-Signature (sha1=), no X-Hub-Signature-256',
    headers: (_raw, right) => {
      const { 'x-hub-signature-256': _, ...rest } = right;
      return rest;
    },
  },
  {
    id: 'wrong-length',
    description: 'sha256= with 62 hex digits',
    headers: (raw, right) => ({
      ...right,
      'x-hub-signature-256': `sha256=${hex(raw, metaHarnessSecrets.appSecret).slice(0, 62)}`,
    }),
  },
  {
    id: 'non-hex',
    description: 'sha256= with non-hex digits',
    headers: (raw, right) => ({
      ...right,
      'x-hub-signature-256': `sha256=${hex(raw, metaHarnessSecrets.appSecret).slice(0, 62)}zz`,
    }),
  },
  {
    id: 'upper-case-hex',
    description: 'the right digest in upper-case hex (Meta sends lower case)',
    headers: (raw, right) => ({
      ...right,
      'x-hub-signature-256': `sha256=${hex(raw, metaHarnessSecrets.appSecret).toUpperCase()}`,
    }),
  },
  {
    id: 'no-prefix',
    description: 'the right digest without sha256=',
    headers: (raw, right) => ({
      ...right,
      'x-hub-signature-256': hex(raw, metaHarnessSecrets.appSecret),
    }),
  },
  {
    id: 'wrong-prefix',
    description: 'the right sha256 digest behind sha1=',
    headers: (raw, right) => ({
      ...right,
      'x-hub-signature-256': `sha1=${hex(raw, metaHarnessSecrets.appSecret)}`,
    }),
  },
  {
    id: 'empty-header',
    description: 'an empty X-Hub-Signature-256',
    headers: (_raw, right) => ({ ...right, 'x-hub-signature-256': '' }),
  },
];

/**
 * The conformance harness of a Meta platform: webhook bodies of every kind Meta sends, signed
 * like Meta; the fake Graph API as the platform double.
 */
export function metaHarness(
  platform: MetaPlatform,
  options: MetaHarnessOptions = {},
): ConformanceHarness {
  if (platform !== 'whatsapp' && platform !== 'messenger' && platform !== 'instagram') {
    throw new TypeError(
      `metaHarness: unknown platform "${String(platform)}"; use "whatsapp", "messenger" or "instagram"`,
    );
  }
  const set = webhookSet(platform);
  const { verifyToken } = metaHarnessSecrets;
  return {
    platform,
    signatureHeaders: ['x-hub-signature-256', 'x-hub-signature'],
    sign(rawBody, signOptions = {}) {
      const secret =
        signOptions.wrongSecret === true ? 'not-the-app-secret' : metaHarnessSecrets.appSecret;
      return {
        'content-type': 'application/json',
        'user-agent': 'facebookexternalua',
        'x-hub-signature': `sha1=${createHmac('sha1', secret).update(rawBody).digest('hex')}`,
        'x-hub-signature-256': signWebhookBody(rawBody, secret),
      };
    },
    malformedSignatures,
    handshake: {
      accepted: (challenge) => ({
        'hub.mode': 'subscribe',
        'hub.verify_token': verifyToken,
        'hub.challenge': challenge,
      }),
      refused: [
        {
          id: 'wrong-token',
          description: 'another verify token',
          query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'not-ours', 'hub.challenge': '42' },
        },
        {
          id: 'longer-token',
          description: 'the verify token with a character more',
          query: {
            'hub.mode': 'subscribe',
            'hub.verify_token': `${verifyToken}x`,
            'hub.challenge': '42',
          },
        },
        {
          id: 'empty-token',
          description: 'an empty verify token',
          query: { 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': '42' },
        },
        {
          id: 'missing-token',
          description: 'no hub.verify_token',
          query: { 'hub.mode': 'subscribe', 'hub.challenge': '42' },
        },
        {
          id: 'wrong-mode',
          description: 'hub.mode=unsubscribe with the right token',
          query: {
            'hub.mode': 'unsubscribe',
            'hub.verify_token': verifyToken,
            'hub.challenge': '42',
          },
        },
        {
          id: 'missing-mode',
          description: 'no hub.mode, the right token',
          query: { 'hub.verify_token': verifyToken, 'hub.challenge': '42' },
        },
      ],
    },
    webhooks: set.webhooks,
    batches: set.batches,
    brokenBatch: set.brokenBatch,
    malformedBodies: set.malformedBodies,
    start: () => startMetaDouble(platform, options),
  };
}

async function startMetaDouble(
  platform: MetaPlatform,
  options: MetaHarnessOptions,
): Promise<PlatformDouble> {
  const fake = await createFakeGraphApi({
    appSecret: metaHarnessSecrets.appSecret,
    accessToken: metaHarnessSecrets.accessToken,
    // Property runs send hundreds of messages a second; rate limits are injected instead.
    messagesPerSecond: 0,
    maxRecorded: 100_000,
    messenger: { callsPerSecond: 0 },
    instagram: { callsPerSecond: 0 },
  });
  const contact = contactOf(platform);
  const user = contact.phone ?? contact.userId ?? '';
  const channel = (
    overrides: { settings?: Record<string, unknown>; credentials?: Record<string, string> } = {},
  ): ChannelConfig => ({
    id: `conformance-${platform}`,
    tenantId: 'conformance',
    settings: { ...defaultSettings(platform), ...options.settings, ...overrides.settings },
    credentials: {
      ...metaHarnessSecrets,
      ...options.credentials,
      ...overrides.credentials,
    },
  });
  const openWindow = (at = fake.now()) => {
    if (platform === 'whatsapp') fake.whatsapp.openWindow(user, { at });
    else if (platform === 'messenger') fake.messenger.openWindow(user, { at });
    else fake.instagram.openWindow(user, { at });
  };
  let tapSeq = 0;

  const double: PlatformDouble = {
    baseUrl: fake.url,
    contact,
    channel,
    reset() {
      fake.reset();
      openWindow();
    },
    requests: () => fake.requests.map(platformRequest),
    delivered() {
      const warnings = new Map<string, string[]>();
      for (const request of fake.requests) {
        const id = responseMessageId(request.response);
        if (id !== undefined && request.warnings !== undefined) warnings.set(id, request.warnings);
      }
      return fake.sent({ channel: platform }).map((sent) => ({
        ...(platform === 'whatsapp' ? whatsAppDelivered(sent) : pageDelivered(sent)),
        warnings: warnings.get(sent.id) ?? [],
      }));
    },
    tapWebhook(message, choice) {
      tapSeq++;
      const body =
        platform === 'whatsapp'
          ? whatsAppTap(message, choice, tapSeq, Math.floor(fake.now() / 1000))
          : pageTap(platform, message, choice, tapSeq, fake.now());
      return encoder.encode(toMetaJson(body));
    },
    inject(fault: ConformanceFault) {
      const post = (r: { method: string }) => r.method === 'POST';
      switch (fault) {
        case 'server-error':
          fake.inject({ status5xx: true, match: post });
          return undefined;
        case 'timeout':
          fake.inject({ timeout: true, match: post });
          return undefined;
        case 'dropped-connection':
          fake.inject({ dropConnection: true, match: post });
          return undefined;
        case 'rate-limited':
          fake.inject({
            match: post,
            error:
              platform === 'whatsapp'
                ? { code: 130429, details: 'Cloud API message throughput has been reached.' }
                : { code: 613, message: '(#613) Calls to this api have exceeded the rate limit.' },
          });
          return undefined;
        case 'bad-token':
          return {
            channel: channel({ credentials: { accessToken: 'conformance-revoked-token' } }),
          };
        case 'window-closed':
          if (platform === 'whatsapp') fake.whatsapp.closeWindow(user);
          else openWindow(fake.now() - day - 60_000);
          return undefined;
      }
    },
    async inboundMessageId() {
      const delivery =
        platform === 'whatsapp'
          ? await fake.whatsapp.userSends({ from: user, text: 'Hello' })
          : platform === 'messenger'
            ? await fake.messenger.userSends({ psid: user, text: 'Hello' })
            : await fake.instagram.userSends({ igsid: user, text: 'Hello' });
      return delivery.messageId;
    },
    close: () => fake.close(),
  };
  if (platform === 'whatsapp') {
    return {
      ...double,
      knownTemplates: [{ name: 'hello_world', language: 'en_US' }],
      prepareTemplate: (template) => prepareTemplate(fake, template),
    };
  }
  return double;
}

function prepareTemplate(
  fake: FakeGraphApi,
  template: { name: string; language: string; parameters: number },
): void {
  if (fake.templates.get(template.name, { language: template.language }) !== undefined) return;
  const n = template.parameters;
  fake.templates.add({
    name: template.name,
    language: template.language,
    components: [
      {
        type: 'BODY',
        text: `Hello${Array.from({ length: n }, (_, i) => ` {{${i + 1}}}`).join(',')}`,
        ...(n > 0 && { example: { body_text: [Array.from({ length: n }, () => 'x')] } }),
      },
    ],
  });
}

function platformRequest(request: FakeGraphApi['requests'][number]): PlatformRequest {
  const out: PlatformRequest = {
    method: request.method,
    path: request.path,
    accepted: request.accepted,
  };
  if (!request.accepted) {
    const error = isRecord(request.response) ? request.response.error : undefined;
    out.error =
      request.status === 0
        ? 'no answer (injected fault)'
        : isRecord(error)
          ? `HTTP ${request.status}, code ${String(error.code)}: ${String(error.message)}${
              isRecord(error.error_data) ? ` (${String(error.error_data.details)})` : ''
            }`
          : `HTTP ${request.status}`;
  }
  return out;
}

function responseMessageId(response: unknown): string | undefined {
  if (!isRecord(response)) return undefined;
  if (typeof response.message_id === 'string') return response.message_id;
  const first = Array.isArray(response.messages) ? response.messages[0] : undefined;
  return isRecord(first) && typeof first.id === 'string' ? first.id : undefined;
}

const record = (value: unknown): JsonRecord => (isRecord(value) ? value : {});
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** Form-encoded bodies carry JSON objects as strings. */
function jsonish(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[{[]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function choice(id: unknown, title: unknown, description?: unknown): DeliveredChoice {
  const out: DeliveredChoice = { id: String(id), title: String(title ?? '') };
  if (typeof description === 'string') out.description = description;
  return out;
}

type DeliveredShape = Omit<DeliveredMessage, 'warnings'>;

function whatsAppDelivered(sent: SentMessage): DeliveredShape {
  const p = record(sent.body);
  const base = { id: sent.id, body: sent.body, choices: [] as DeliveredChoice[] };
  const type = text(p.type) ?? 'text';
  if (type === 'text') {
    const body = text(record(p.text).body);
    return { ...base, form: 'text', ...(body !== undefined && { text: body }) };
  }
  if (['image', 'video', 'audio', 'document', 'sticker'].includes(type)) {
    const caption = text(record(p[type]).caption);
    return { ...base, form: 'media', media: type, ...(caption !== undefined && { caption }) };
  }
  if (type === 'template') {
    const t = record(p.template);
    return {
      ...base,
      form: 'template',
      template: { name: String(t.name), language: String(record(t.language).code) },
    };
  }
  if (type === 'interactive') {
    const i = record(p.interactive);
    const body = text(record(i.body).text);
    const action = record(i.action);
    if (i.type === 'button') {
      const buttons = Array.isArray(action.buttons) ? action.buttons : [];
      return {
        ...base,
        form: 'buttons',
        ...(body !== undefined && { text: body }),
        choices: buttons.map((b) => {
          const reply = record(record(b).reply);
          return choice(reply.id, reply.title);
        }),
      };
    }
    if (i.type === 'list') {
      const sections = (Array.isArray(action.sections) ? action.sections : []).map((s) => {
        const section = record(s);
        const rows = Array.isArray(section.rows) ? section.rows : [];
        const title = text(section.title);
        return {
          ...(title !== undefined && { title }),
          choices: rows.map((r) => {
            const row = record(r);
            return choice(row.id, row.title, row.description);
          }),
        };
      });
      const label = text(action.button);
      return {
        ...base,
        form: 'list',
        ...(body !== undefined && { text: body }),
        ...(label !== undefined && { buttonLabel: label }),
        sections,
        choices: sections.flatMap((s) => s.choices),
      };
    }
  }
  return { ...base, form: 'other' };
}

function pageDelivered(sent: SentMessage): DeliveredShape {
  const p = record(sent.body);
  const message = record(jsonish(p.message));
  const base = { id: sent.id, body: sent.body, choices: [] as DeliveredChoice[] };
  const body = text(message.text);
  if (body !== undefined) {
    const quick = jsonish(message.quick_replies);
    if (Array.isArray(quick) && quick.length > 0) {
      return {
        ...base,
        form: 'quick-replies',
        text: body,
        choices: quick
          .map(record)
          .filter((q) => q.content_type === 'text')
          .map((q) => choice(q.payload, q.title)),
      };
    }
    return { ...base, form: 'text', text: body };
  }
  const attachment = record(message.attachment);
  const payload = record(attachment.payload);
  const type = text(attachment.type);
  if (type === 'image' || type === 'video' || type === 'audio' || type === 'file') {
    return { ...base, form: 'media', media: type === 'file' ? 'document' : type };
  }
  const postbacks = (buttons: unknown): DeliveredChoice[] =>
    (Array.isArray(buttons) ? buttons : [])
      .map(record)
      .filter((b) => b.type === 'postback')
      .map((b) => choice(b.payload, b.title));
  if (type === 'template' && payload.template_type === 'button') {
    const t = text(payload.text);
    return {
      ...base,
      form: 'buttons',
      ...(t !== undefined && { text: t }),
      choices: postbacks(payload.buttons),
    };
  }
  if (type === 'template' && payload.template_type === 'generic') {
    const sections = (Array.isArray(payload.elements) ? payload.elements : []).map((e) => {
      const element = record(e);
      const title = text(element.title);
      return { ...(title !== undefined && { title }), choices: postbacks(element.buttons) };
    });
    return { ...base, form: 'carousel', sections, choices: sections.flatMap((s) => s.choices) };
  }
  return { ...base, form: 'other' };
}

function whatsAppTap(
  message: DeliveredMessage,
  tapped: DeliveredChoice,
  seq: number,
  seconds: number,
): JsonRecord {
  const { phoneNumberId, displayPhoneNumber, wabaId, user } = metaIds.whatsapp;
  const interactive =
    message.form === 'list'
      ? {
          type: 'list_reply',
          list_reply: {
            id: tapped.id,
            title: tapped.title,
            ...(tapped.description !== undefined && { description: tapped.description }),
          },
        }
      : { type: 'button_reply', button_reply: { id: tapped.id, title: tapped.title } };
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: displayPhoneNumber,
                phone_number_id: phoneNumberId,
              },
              contacts: [{ profile: { name: 'Test User' }, wa_id: user }],
              messages: [
                {
                  context: { from: displayPhoneNumber, id: message.id },
                  from: user,
                  id: `wamid.CONFORMANCE_TAP_${seq}`,
                  timestamp: String(seconds),
                  type: 'interactive',
                  interactive,
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

function pageTap(
  platform: 'messenger' | 'instagram',
  message: DeliveredMessage,
  tapped: DeliveredChoice,
  seq: number,
  now: number,
): JsonRecord {
  const owner = platform === 'messenger' ? metaIds.messenger.pageId : metaIds.instagram.accountId;
  const user = platform === 'messenger' ? metaIds.messenger.psid : metaIds.instagram.igsid;
  const mid = `${platform === 'messenger' ? 'm_' : 'ig_mid.'}CONFORMANCE_TAP_${seq}`;
  const event =
    message.form === 'quick-replies'
      ? { message: { mid, text: tapped.title, quick_reply: { payload: tapped.id } } }
      : { postback: { mid, title: tapped.title, payload: tapped.id } };
  return {
    object: platform === 'messenger' ? 'page' : 'instagram',
    entry: [
      {
        id: owner,
        time: now,
        messaging: [{ sender: { id: user }, recipient: { id: owner }, timestamp: now, ...event }],
      },
    ],
  };
}
