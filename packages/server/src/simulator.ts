/**
 * The web simulator channel: an in-process adapter (`platform: 'simulator'`) so a flow can be
 * tried from the browser or the API without Meta credentials. A simulated user's message is
 * a signed webhook body handed to core's `handleWebhook`, exactly like a platform's; the bot's
 * replies are the conversation's outbound messages (read them from the API or the live
 * events), so it works the same with several processes.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type {
  ChannelAdapter,
  ChannelEvent,
  InboundContent,
  ParsedWebhook,
  TemplateInfo,
} from '@chatloom/core';
import { windowRules } from '@chatloom/flow-engine';

export const simulatorPlatform = 'simulator';
export const simulatorSignatureHeader = 'x-chatloom-simulator-signature';

/** One message typed or tapped in the simulator. */
export interface SimulatorInput {
  /** Who is typing (a simulated contact); default `web-user`. */
  userId: string;
  name?: string;
  text?: string;
  /** A tapped button or list row: the choice id the bot sent, and its title. */
  choice?: { id: string; title: string };
  /** Default: a new id. Send the same id twice to see deduplication. */
  messageId?: string;
  timestamp: number;
}

const sign = (rawBody: Uint8Array, secret: string) =>
  `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;

/** New credentials for a simulator channel. */
export const simulatorCredentials = () => ({
  appSecret: randomBytes(24).toString('base64url'),
  verifyToken: randomBytes(12).toString('base64url'),
});

/** A signed webhook request for the simulator channel (what a platform would post). */
export function simulatorWebhook(
  input: SimulatorInput,
  appSecret: string,
): { rawBody: Buffer; headers: Record<string, string>; messageId: string } {
  const messageId = input.messageId ?? `sim-in-${randomUUID()}`;
  const content: InboundContent = input.choice
    ? { kind: 'choice', id: input.choice.id, title: input.choice.title }
    : { kind: 'text', text: input.text ?? '' };
  const rawBody = Buffer.from(
    JSON.stringify({
      object: 'chatloom-simulator',
      events: [
        {
          type: 'message',
          id: messageId,
          userId: input.userId,
          ...(input.name !== undefined && { name: input.name }),
          timestamp: input.timestamp,
          content,
        },
      ],
    }),
  );
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      [simulatorSignatureHeader]: sign(rawBody, appSecret),
    },
    messageId,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const templates: TemplateInfo[] = [
  { name: 'hello_world', language: 'en_US', category: 'UTILITY', status: 'approved' },
];

/** The simulator's adapter: WhatsApp's limits and window, nothing leaves the process. */
export function createSimulatorAdapter(): ChannelAdapter {
  return {
    adapterApiVersion: 1,
    platform: simulatorPlatform,
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
      window: windowRules.whatsapp,
      messagesPerSecond: 1000,
    },

    verifyHandshake(query, channel) {
      const token = query['hub.verify_token'];
      const challenge = query['hub.challenge'];
      const expected = Buffer.from(channel.credentials.verifyToken ?? '');
      if (
        query['hub.mode'] !== 'subscribe' ||
        typeof token !== 'string' ||
        typeof challenge !== 'string'
      )
        return { ok: false, reason: 'not a subscribe request' };
      const given = Buffer.from(token);
      if (
        expected.length === 0 ||
        given.length !== expected.length ||
        !timingSafeEqual(given, expected)
      )
        return { ok: false, reason: 'verify token mismatch' };
      return { ok: true, challenge };
    },

    verifySignature(rawBody, headers, channel) {
      const header = headers[simulatorSignatureHeader];
      const secret = channel.credentials.appSecret ?? '';
      if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(header) || secret === '')
        return false;
      const expected = Buffer.from(sign(rawBody, secret));
      const given = Buffer.from(header);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },

    parseWebhook(rawBody): ParsedWebhook {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(rawBody).toString('utf8'));
      } catch (error) {
        return { ok: false, error: `The body is not JSON: ${(error as Error).message}` };
      }
      if (!isRecord(body) || body.object !== 'chatloom-simulator' || !Array.isArray(body.events))
        return {
          ok: false,
          error: 'Not a simulator webhook (object "chatloom-simulator", events[])',
        };
      const events: ChannelEvent[] = [];
      const problems: string[] = [];
      body.events.forEach((event: unknown, index: number) => {
        if (
          !isRecord(event) ||
          typeof event.id !== 'string' ||
          typeof event.userId !== 'string' ||
          !isRecord(event.content)
        ) {
          problems.push(`events[${index}]: needs id, userId and content; skipped`);
          return;
        }
        events.push({
          type: 'message',
          source: 'contact',
          platformMessageId: event.id,
          contact: {
            userId: event.userId,
            ...(typeof event.name === 'string' && { name: event.name }),
          },
          timestamp: typeof event.timestamp === 'number' ? event.timestamp : Date.now(),
          content: event.content as InboundContent,
        });
      });
      return problems.length > 0 ? { ok: true, events, problems } : { ok: true, events };
    },

    async send() {
      return { platformMessageId: `sim-out-${randomUUID()}` };
    },

    async validateCredentials(channel) {
      return channel.credentials.appSecret
        ? { ok: true, details: { simulator: true } }
        : { ok: false, reason: 'The simulator channel lost its signing secret; create a new one' };
    },

    async listTemplates() {
      return templates;
    },
  };
}
