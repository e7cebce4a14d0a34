/**
 * `createTestAdapter`: a complete, HTTP-free channel adapter for tests, demos and
 * benchmarks. Webhook bodies are JSON lists of normalised events, signed with HMAC-SHA256
 * (`x-chatloom-signature: sha256=<hex>`, key: the channel's `appSecret` credential); sends
 * are recorded in memory (and handed to `onSend`); `failNext` makes the next sends fail
 * with any error kind.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type WindowRule, windowRules } from '@chatloom/flow-engine';
import {
  AdapterError,
  type AdapterErrorKind,
  type ChannelAdapter,
  type ChannelConfig,
  type ChannelEvent,
  type ContactIdentity,
  type InboundContent,
  type OutboundMessage,
  type ParsedWebhook,
  type SendContext,
  type SendResult,
  type TemplateInfo,
} from './adapter.js';

export const testSignatureHeader = 'x-chatloom-signature';

export interface SentRecord {
  platformMessageId: string;
  channelId: string;
  to: ContactIdentity;
  message: OutboundMessage;
  tag?: 'HUMAN_AGENT';
  /** Real time of the send (ms). */
  at: number;
}

export interface TestAdapterOptions {
  /** Default `test`. */
  platform?: string;
  /** Default WhatsApp's 24 hours. */
  window?: WindowRule;
  /** Default 1000. */
  messagesPerSecond?: number;
  /** Called synchronously for every accepted send, before `send` resolves. */
  onSend?: (record: SentRecord) => void;
  /** Prefix of the platform message ids it makes up (default `out-`), before a per-instance token. */
  idPrefix?: string;
  templates?: TemplateInfo[];
}

export interface TestAdapter extends ChannelAdapter {
  readonly sent: SentRecord[];
  /** The next `times` sends (default 1) fail with `kind`. */
  failNext(
    kind: AdapterErrorKind,
    options?: { times?: number; retryAfterMs?: number; message?: string },
  ): void;
  /** A signed webhook request carrying `events`. */
  webhook(
    events: ChannelEvent[],
    appSecret: string,
  ): { rawBody: Buffer; headers: Record<string, string> };
}

/** `sha256=<hex>` of the body under `appSecret`. */
export function signTestBody(rawBody: Uint8Array, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** A text message event from `from`. */
export function textEvent(input: {
  id: string;
  from: ContactIdentity;
  text: string;
  timestamp?: number;
}): ChannelEvent {
  return {
    type: 'message',
    source: 'contact',
    platformMessageId: input.id,
    contact: input.from,
    timestamp: input.timestamp ?? Date.now(),
    content: { kind: 'text', text: input.text },
  };
}

/** A message event with any content. */
export function messageEvent(input: {
  id: string;
  from: ContactIdentity;
  content: InboundContent;
  timestamp?: number;
  source?: 'contact' | 'echo' | 'standby';
}): ChannelEvent {
  return {
    type: 'message',
    source: input.source ?? 'contact',
    platformMessageId: input.id,
    contact: input.from,
    timestamp: input.timestamp ?? Date.now(),
    content: input.content,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function readEvent(value: unknown): ChannelEvent | string {
  if (!isRecord(value)) return 'an event is not an object';
  switch (value.type) {
    case 'message':
      if (
        typeof value.platformMessageId !== 'string' ||
        !isRecord(value.contact) ||
        !isRecord(value.content)
      ) {
        return 'a message event lacks platformMessageId, contact or content';
      }
      return value as unknown as ChannelEvent;
    case 'status':
      if (typeof value.platformMessageId !== 'string' || typeof value.status !== 'string') {
        return 'a status event lacks platformMessageId or status';
      }
      return value as unknown as ChannelEvent;
    case 'template-status':
      if (typeof value.templateName !== 'string' || typeof value.status !== 'string') {
        return 'a template-status event lacks templateName or status';
      }
      return value as unknown as ChannelEvent;
    default:
      return `unknown event type "${String(value.type)}"`;
  }
}

export function createTestAdapter(options: TestAdapterOptions = {}): TestAdapter {
  const sent: SentRecord[] = [];
  const failures: { kind: AdapterErrorKind; retryAfterMs?: number; message?: string }[] = [];
  let counter = 0;
  // Unique across processes and restarts, like a platform's ids.
  const prefix = `${options.idPrefix ?? 'out-'}${randomBytes(4).toString('hex')}-`;
  const secretOf = (channel: ChannelConfig) => channel.credentials.appSecret ?? '';

  return {
    adapterApiVersion: 1,
    platform: options.platform ?? 'test',
    capabilities: {
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
        media: ['image', 'video', 'audio', 'document'],
        markAsRead: false,
      },
      window: options.window ?? windowRules.whatsapp,
      messagesPerSecond: options.messagesPerSecond ?? 1000,
    },
    sent,

    verifyHandshake(query, channel) {
      const token = query['hub.verify_token'];
      const challenge = query['hub.challenge'];
      const expected = channel.credentials.verifyToken ?? '';
      if (
        query['hub.mode'] !== 'subscribe' ||
        typeof token !== 'string' ||
        typeof challenge !== 'string'
      ) {
        return { ok: false, reason: 'not a subscribe request' };
      }
      const a = Buffer.from(token);
      const b = Buffer.from(expected);
      if (expected === '' || a.length !== b.length || !timingSafeEqual(a, b))
        return { ok: false, reason: 'verify token mismatch' };
      return { ok: true, challenge };
    },

    verifySignature(rawBody, headers, channel) {
      const header = headers[testSignatureHeader];
      if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
      const secret = secretOf(channel);
      if (secret === '') return false;
      const expected = Buffer.from(signTestBody(rawBody, secret));
      const given = Buffer.from(header);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },

    parseWebhook(rawBody): ParsedWebhook {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(rawBody).toString('utf8'));
      } catch (error) {
        return {
          ok: false,
          error: `The body is not JSON: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      if (!isRecord(body) || !Array.isArray(body.events))
        return { ok: false, error: 'The body has no "events" array' };
      const events: ChannelEvent[] = [];
      const problems: string[] = [];
      for (const value of body.events) {
        const event = readEvent(value);
        if (typeof event === 'string') problems.push(event);
        else events.push(event);
      }
      return problems.length > 0 ? { ok: true, events, problems } : { ok: true, events };
    },

    async send(message: OutboundMessage, context: SendContext): Promise<SendResult> {
      const failure = failures.shift();
      if (failure) {
        throw new AdapterError(
          failure.kind,
          failure.message ?? `test adapter: ${failure.kind} failure`,
          {
            code: failure.kind,
            ...(failure.retryAfterMs !== undefined && { retryAfterMs: failure.retryAfterMs }),
          },
        );
      }
      if (!context.to.userId && !context.to.phone)
        throw new AdapterError('permanent', 'No recipient');
      const record: SentRecord = {
        platformMessageId: `${prefix}${++counter}`,
        channelId: context.channel.id,
        to: context.to,
        message,
        ...(context.tag && { tag: context.tag }),
        at: Date.now(),
      };
      options.onSend?.(record);
      sent.push(record);
      return { platformMessageId: record.platformMessageId };
    },

    async validateCredentials(channel) {
      return secretOf(channel) === '' ? { ok: false, reason: 'appSecret is empty' } : { ok: true };
    },

    async subscribe() {},

    async listTemplates() {
      return options.templates ?? [];
    },

    failNext(kind, failOptions = {}) {
      for (let i = 0; i < (failOptions.times ?? 1); i++) {
        failures.push({
          kind,
          ...(failOptions.retryAfterMs !== undefined && { retryAfterMs: failOptions.retryAfterMs }),
          ...(failOptions.message !== undefined && { message: failOptions.message }),
        });
      }
    },

    webhook(events, appSecret) {
      const rawBody = Buffer.from(JSON.stringify({ object: 'chatloom-test', events }));
      return {
        rawBody,
        headers: {
          'content-type': 'application/json',
          [testSignatureHeader]: signTestBody(rawBody, appSecret),
        },
      };
    },
  };
}
