/** The public domain objects (camelCase views of the stored rows), events, clock and logger. */
import type { ChannelMessage, SystemMessages } from '@chatloom/flow-engine';
import type { InboundContent } from './adapter.js';
import type {
  ContactTable,
  ConversationStatus,
  ConversationTable,
  MessageDirection,
  MessageSender,
  MessageStatus,
  MessageTable,
  TenantTable,
} from './schema.js';
import type { StatusChange } from './store.js';

export type { ConversationStatus, MessageDirection, MessageSender, MessageStatus };

export interface Tenant {
  id: string;
  name: string;
  createdAt: number;
  /** The tenant's system messages: defaults for every flow (a flow's own override them). */
  systemMessages: SystemMessages | null;
}

export interface Contact {
  id: string;
  tenantId: string;
  channelId: string;
  /** The platform's (business-scoped) user id, when known. */
  userId: string | null;
  phone: string | null;
  name: string | null;
}

export interface Conversation {
  id: string;
  tenantId: string;
  channelId: string;
  contactId: string;
  /** `bot`: the chatbot answers; `waiting`: handed off, no person yet; `agent`: a person has control. */
  status: ConversationStatus;
  /** The person handling it (takeControl/transfer). */
  organizerId: string | null;
  chatbotEnabled: boolean;
  /** The contact's last message (epoch ms): the messaging window runs from here. */
  lastInboundAt: number | null;
  lastMessageAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface Message {
  id: string;
  tenantId: string;
  channelId: string;
  conversationId: string;
  direction: MessageDirection;
  sender: MessageSender;
  agentId: string | null;
  type: string;
  /** `InboundContent` for inbound messages, `ChannelMessage` for outbound ones. */
  content: InboundContent | ChannelMessage;
  status: MessageStatus;
  error: string | null;
  starred: boolean;
  platformMessageId: string | null;
  createdAt: number;
  updatedAt: number;
}

export const toTenant = (row: TenantTable): Tenant => ({
  id: row.id,
  name: row.name,
  createdAt: Number(row.created_at),
  systemMessages: row.system_messages ? (JSON.parse(row.system_messages) as SystemMessages) : null,
});

export const toContact = (row: ContactTable): Contact => ({
  id: row.id,
  tenantId: row.tenant_id,
  channelId: row.channel_id,
  userId: row.platform_user_id,
  phone: row.phone,
  name: row.name,
});

const num = (value: number | null) => (value === null ? null : Number(value));

export const toConversation = (row: ConversationTable): Conversation => ({
  id: row.id,
  tenantId: row.tenant_id,
  channelId: row.channel_id,
  contactId: row.contact_id,
  status: row.status,
  organizerId: row.organizer_id,
  chatbotEnabled: Number(row.chatbot_enabled) === 1,
  lastInboundAt: num(row.last_inbound_at),
  lastMessageAt: num(row.last_message_at),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

export const toMessage = (row: MessageTable): Message => ({
  id: row.id,
  tenantId: row.tenant_id,
  channelId: row.channel_id,
  conversationId: row.conversation_id,
  direction: row.direction,
  sender: row.sender,
  agentId: row.agent_id,
  type: row.type,
  content: JSON.parse(row.content) as InboundContent | ChannelMessage,
  status: row.status,
  error: row.error,
  starred: Number(row.starred) === 1,
  platformMessageId: row.platform_message_id,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

/** Events for live views. Emitted by the process that did the work, after its commit. */
export interface ChatloomEvents {
  /** A message from a contact was recorded (never twice for one platform message). */
  'message.received': { message: Message; conversation: Conversation };
  /** An outbound message (bot or agent) was queued. */
  'message.created': { message: Message };
  /** A message's delivery status moved forward (sent, delivered, read, failed). */
  'message.status': StatusChange;
  /** A conversation changed: new, window moved, handoff, control, chatbot switch. */
  'conversation.updated': { conversation: Conversation };
  /** A template's review status changed on the platform. */
  'template.status': {
    channelId: string;
    templateName: string;
    language?: string;
    status: string;
    reason?: string;
  };
}

export type ChatloomEventName = keyof ChatloomEvents;

/** Where time comes from; tests pass a clock they move by hand. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

const levels = ['debug', 'info', 'warn', 'error'] as const;

/** A logger writing one JSON line per entry to stderr, from `level` up. */
export function consoleLogger(level: (typeof levels)[number] = 'warn'): Logger {
  const from = levels.indexOf(level);
  const make =
    (name: (typeof levels)[number]) => (message: string, data?: Record<string, unknown>) => {
      if (levels.indexOf(name) < from) return;
      process.stderr.write(
        `${JSON.stringify({ level: name, time: new Date().toISOString(), message, ...data })}\n`,
      );
    };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}

/** A thing asked for does not exist. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** A free-form message was asked for outside the messaging window. */
export class WindowClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WindowClosedError';
  }
}
