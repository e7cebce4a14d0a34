/** Core's rows as core's public objects, for the reads the server makes itself. */
import type {
  Contact,
  ContactTable,
  Conversation,
  ConversationTable,
  Message,
  MessageTable,
} from '@chatloom/core';

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
  content: JSON.parse(row.content) as Message['content'],
  status: row.status,
  error: row.error,
  starred: Number(row.starred) === 1,
  platformMessageId: row.platform_message_id,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

export const toContact = (row: ContactTable): Contact => ({
  id: row.id,
  tenantId: row.tenant_id,
  channelId: row.channel_id,
  userId: row.platform_user_id,
  phone: row.phone,
  name: row.name,
});
