/**
 * The web simulator channel: an in-process adapter (`platform: 'simulator'`) so a flow can be
 * tried from the browser or the API without Meta credentials. A simulated user's message is
 * a signed webhook body handed to core's `handleWebhook`, exactly like a platform's; the bot's
 * replies are the conversation's outbound messages (read them from the API or the live
 * events), so it works the same with several processes.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type {
  ChannelAdapter,
  ChannelEvent,
  InboundContent,
  ParsedWebhook,
  TemplateInfo,
} from '@chatloom/core';
import { type FlowDefinition, windowRules } from '@chatloom/flow-engine';

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
  // With WhatsApp's component definition, so the inbox can show and fill the body.
  {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    status: 'approved',
    components: [
      {
        type: 'BODY',
        text: 'Hi {{1}}, your order {{2}} is on its way. Reply to this message to chat with us.',
      },
      { type: 'FOOTER', text: "Luigi's Pizza" },
    ],
  },
  {
    name: 'spring_offer',
    language: 'en_US',
    category: 'MARKETING',
    status: 'pending',
    components: [{ type: 'BODY', text: 'Two pizzas for the price of one, {{1}}!' }],
  },
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

// Previews -----------------------------------------------------------------------------------
//
// Core runs only published flows, picked by trigger. To chat with one saved version of a flow
// (published or not) without touching what customers get, the simulator publishes a copy of
// that version under its own id whose only triggers are an unguessable token per language,
// and sends the token as the simulated user's first message. The copy is content-addressed,
// so a version is copied once; copies of the flow's other versions are deleted then.

/** Ids of the simulator's preview copies; not the tenant's own flows (lists hide them). */
export const previewFlowPrefix = 'chatloom-preview-';
export const isPreviewFlow = (flowId: string) => flowId.startsWith(previewFlowPrefix);

const digest = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/** The prefix shared by every preview copy of one flow. */
export const previewFamily = (flowId: string) => `${previewFlowPrefix}${digest(flowId, 10)}-`;

/** The id of the preview copy of one stored version (its definition JSON). */
export const previewFlowId = (flowId: string, storedDefinition: string) =>
  `${previewFamily(flowId)}${digest(storedDefinition, 12)}`;

/**
 * The first message that starts a preview copy in `language`: readable where it shows (the
 * Inbox), and no customer types the token.
 */
export const previewTriggerText = (token: string, version: number, language: string) =>
  `Preview of version ${version} (${language}) · ${token}`;

/** The token of a stored preview copy (from its first trigger), if it has one. */
export function previewToken(copy: FlowDefinition): string | undefined {
  const match = /^Preview of version \d+ \(.+\) · ([0-9a-f]{16})$/.exec(
    copy.triggers?.[0]?.keyword ?? '',
  );
  return match?.[1];
}

/**
 * The token of a preview copy: derived from the server key and the copy's id, not random, so
 * requests previewing the same version at once agree on it (a random one per request would
 * overwrite the other's, and its first message would start nothing). Unguessable without the key.
 */
export const previewTokenOf = (secretKey: string, copyId: string) =>
  createHmac('sha256', secretKey).update(`preview:${copyId}`).digest('hex').slice(0, 16);

/** The preview copy of `source` (a stored version): same steps, only the token triggers. */
export function previewDefinition(
  source: FlowDefinition,
  copyId: string,
  sourceVersion: number,
  token: string,
): FlowDefinition {
  // The copy runs under its own id: an option starting the source flow by its id restarts
  // the copy (as it restarts the source), instead of leaving the preview for the live flow.
  const own = JSON.parse(JSON.stringify(source), (_key, value) =>
    value?.type === 'start' && value.flow === source.id ? { type: 'start' } : value,
  ) as FlowDefinition;
  return {
    ...own,
    id: copyId,
    version: 1,
    name: `${source.name} (preview of version ${sourceVersion})`,
    triggers: source.languages.map((language) => ({
      language,
      match: 'exact' as const,
      keyword: previewTriggerText(token, sourceVersion, language),
    })),
  };
}
