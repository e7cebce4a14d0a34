/**
 * The inbox: conversations (list, filter, read), messages (paged, searched, starred), and the
 * agent's actions — send, take control, transfer, chatbot switch, star — through core.
 */

import type { ChannelConfig, ConversationTable, Database, MessageTable } from '@chatloom/core';
import { toContact, toConversation, toMessage } from '@chatloom/core';
import type { ChannelMessage } from '@chatloom/flow-engine';
import type { Selectable, SelectQueryBuilder } from 'kysely';
import { Type } from 'typebox';
import { actor, type Principal, rolePermissions } from './auth.js';
import type { ServerContext } from './context.js';
import {
  decodeCursor,
  encodeCursor,
  errors,
  HttpError,
  IdParams,
  Limit,
  likePattern,
  notFound,
  Page,
} from './http.js';
import { safeMediaHeaders } from './media-headers.js';
import { channelOf } from './routes-channels.js';
import type { App } from './server.js';
import { templateView } from './templates.js';

const Conversation = Type.Object({
  id: Type.String(),
  channelId: Type.String(),
  contactId: Type.String(),
  status: Type.Union([Type.Literal('bot'), Type.Literal('waiting'), Type.Literal('agent')]),
  organizerId: Type.Union([Type.String(), Type.Null()]),
  chatbotEnabled: Type.Boolean(),
  lastInboundAt: Type.Union([Type.Number(), Type.Null()]),
  lastMessageAt: Type.Union([Type.Number(), Type.Null()]),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
});
const Contact = Type.Object({
  id: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
});
const ConversationWithContact = Type.Intersect([Conversation, Type.Object({ contact: Contact })]);
export const Message = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  channelId: Type.String(),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  sender: Type.String(),
  agentId: Type.Union([Type.String(), Type.Null()]),
  type: Type.String(),
  content: Type.Unknown(),
  status: Type.String(),
  error: Type.Union([Type.String(), Type.Null()]),
  starred: Type.Boolean(),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
});

const Template = Type.Object({
  id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  language: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: 'lower-cased; only approved templates can be sent' }),
  header: Type.Union([Type.String(), Type.Null()]),
  body: Type.Union([Type.String(), Type.Null()]),
  footer: Type.Union([Type.String(), Type.Null()]),
  buttons: Type.Array(Type.String()),
  placeholders: Type.Array(Type.String(), {
    description: "the body's {{n}} placeholders in order: send one parameter for each",
  }),
});

/** An adapter's optional media fetch (WhatsApp's); not part of the adapter interface. */
type MediaDownloader = (
  channel: ChannelConfig,
  mediaId: string,
) => Promise<{ data: Uint8Array; mimeType: string | undefined }>;

const publicMessage = (m: ReturnType<typeof toMessage>) => {
  const { tenantId: _t, platformMessageId: _p, ...rest } = m;
  return rest;
};

/** A conversation of the principal's tenant (and channel, for a channel token), or 404. */
export async function conversationOf(
  context: ServerContext,
  principal: Principal & { tenantId: string },
  id: string,
): Promise<ConversationTable> {
  const row = await context.store.getConversation(id);
  if (
    !row ||
    row.tenant_id !== principal.tenantId ||
    (principal.channelId !== null && row.channel_id !== principal.channelId)
  )
    throw notFound(`Conversation "${id}"`);
  return row;
}

const Cursor = Type.Optional(Type.String({ description: 'nextCursor of the previous page' }));

export async function conversationRoutes(app: App, context: ServerContext): Promise<void> {
  const { db, chatloom } = context;

  async function withContact(row: ConversationTable) {
    const contact = await context.store.getContact(row.contact_id);
    const { tenantId: _, ...conversation } = toConversation(row);
    const {
      tenantId: _t,
      channelId: _c,
      ...rest
    } = contact
      ? toContact(contact)
      : { id: row.contact_id, tenantId: '', channelId: '', userId: null, phone: null, name: null };
    return { ...conversation, contact: rest };
  }

  async function messageOf(principal: Principal & { tenantId: string }, id: string) {
    const row = await context.store.getMessage(id);
    if (
      !row ||
      row.tenant_id !== principal.tenantId ||
      (principal.channelId !== null && row.channel_id !== principal.channelId)
    )
      throw notFound(`Message "${id}"`);
    return row;
  }

  app.get(
    '/conversations',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['conversations'],
        summary:
          'Conversations, most recent first; filter by status, channel, person in control, contact',
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('bot'), Type.Literal('waiting'), Type.Literal('agent')]),
          ),
          channelId: Type.Optional(Type.String()),
          organizerId: Type.Optional(
            Type.String({ description: 'the person in control; "me" for you' }),
          ),
          q: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'contact name, phone or user id',
            }),
          ),
          limit: Limit,
          cursor: Cursor,
        }),
        response: { 200: Page(ConversationWithContact), ...errors(400) },
      },
    },
    async (request) => {
      const principal = actor(request);
      const { status, channelId, organizerId, q, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      let query = db
        .selectFrom('conversations')
        .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
        .selectAll('conversations')
        .where('conversations.tenant_id', '=', principal.tenantId);
      if (principal.channelId)
        query = query.where('conversations.channel_id', '=', principal.channelId);
      if (status) query = query.where('conversations.status', '=', status);
      if (channelId) query = query.where('conversations.channel_id', '=', channelId);
      if (organizerId)
        query = query.where(
          'conversations.organizer_id',
          '=',
          organizerId === 'me' ? principal.userId : organizerId,
        );
      if (q) {
        const pattern = likePattern(q);
        query = query.where((eb) =>
          eb.or([
            eb(eb.fn('lower', ['contacts.name']), 'like', pattern),
            eb('contacts.phone', 'like', pattern),
            eb(eb.fn('lower', ['contacts.platform_user_id']), 'like', pattern),
          ]),
        );
      }
      const after = decodeCursor(cursor);
      // Sort on (last_message_at, id), newest first; conversations without messages last.
      const sortKey = (row: ConversationTable) => Number(row.last_message_at ?? 0);
      if (after) {
        const [at, id] = after;
        query = query.where((eb) =>
          eb.or([
            eb(eb.fn.coalesce('conversations.last_message_at', eb.lit(0)), '<', at),
            eb.and([
              eb(eb.fn.coalesce('conversations.last_message_at', eb.lit(0)), '=', at),
              eb('conversations.id', '<', id),
            ]),
          ]),
        );
      }
      const rows = await query
        .orderBy((eb) => eb.fn.coalesce('conversations.last_message_at', eb.lit(0)), 'desc')
        .orderBy('conversations.id', 'desc')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: await Promise.all(page.map(withContact)),
        nextCursor: rows.length > limit && last ? encodeCursor(sortKey(last), last.id) : null,
      };
    },
  );

  app.get(
    '/conversations/:id',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['conversations'],
        params: IdParams,
        response: { 200: ConversationWithContact, ...errors(404) },
      },
    },
    async (request) =>
      withContact(await conversationOf(context, actor(request), request.params.id)),
  );

  app.get(
    '/conversations/:id/messages',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['conversations'],
        summary: 'Messages, newest first, a page at a time',
        params: IdParams,
        querystring: Type.Object({ limit: Limit, cursor: Cursor }),
        response: { 200: Page(Message), ...errors(400, 404) },
      },
    },
    async (request) => {
      const conversation = await conversationOf(context, actor(request), request.params.id);
      const limit = request.query.limit ?? 50;
      const query = db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversation.id);
      return messagePage(query, request.query.cursor, limit);
    },
  );

  app.post(
    '/conversations/:id/messages',
    {
      config: { permission: 'conversations.reply' },
      schema: {
        tags: ['conversations'],
        summary:
          'Send text, a media item of the gallery, or an approved template. Free-form messages outside the 24-hour window are refused (422).',
        params: IdParams,
        body: Type.Union([
          Type.Object({
            text: Type.String({ minLength: 1, maxLength: 4096 }),
            at: Type.Optional(Type.Number()),
          }),
          Type.Object({
            mediaId: Type.String({ description: 'an item of the gallery (GET /media)' }),
            caption: Type.Optional(Type.String({ maxLength: 1024 })),
            at: Type.Optional(Type.Number()),
          }),
          Type.Object({
            template: Type.Object({
              name: Type.String({ minLength: 1 }),
              language: Type.String({ minLength: 2 }),
              parameters: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
            }),
            at: Type.Optional(Type.Number()),
          }),
        ]),
        response: { 201: Message, ...errors(404, 409, 422) },
      },
    },
    async (request, reply) => {
      const principal = actor(request);
      const conversation = await conversationOf(context, principal, request.params.id);
      const body = request.body;
      const options = { agentId: principal.userId, ...(body.at !== undefined && { at: body.at }) };
      let sent: ReturnType<typeof toMessage>;
      if ('template' in body) {
        const templates = await chatloom
          .listTemplates(conversation.channel_id)
          .catch(() => undefined);
        const found = templates?.find(
          (t) => t.name === body.template.name && t.language === body.template.language,
        );
        if (found?.status !== 'approved')
          throw new HttpError(
            422,
            `Template "${body.template.name}" (${body.template.language}) is not an approved template of this channel`,
          );
        // The platform would refuse a send whose parameters do not match the body's {{n}}s.
        const view = templateView(found);
        const given = body.template.parameters ?? [];
        if (view.body !== null && given.length !== view.placeholders.length)
          throw new HttpError(
            422,
            `Template "${found.name}" (${found.language}) takes ${view.placeholders.length} parameter(s) (${view.placeholders.map((p) => `{{${p}}}`).join(', ') || 'none'}); got ${given.length}`,
          );
        sent = await chatloom.sendTemplate(conversation.id, body.template, options);
      } else {
        let message: ChannelMessage;
        if ('mediaId' in body) {
          const media = await db
            .selectFrom('media')
            .selectAll()
            .where('id', '=', body.mediaId)
            .where('tenant_id', '=', principal.tenantId)
            .executeTakeFirst();
          if (!media) throw notFound(`Media "${body.mediaId}"`);
          const caption = body.caption ?? media.caption;
          message = {
            kind: 'media',
            media: media.kind,
            url: media.url,
            ...(caption && { caption }),
            ...(media.filename && { filename: media.filename }),
          };
        } else message = { kind: 'text', text: body.text };
        sent = await chatloom.sendMessage(conversation.id, message, options);
      }
      return reply.status(201).send(publicMessage(sent));
    },
  );

  const conversationAction = (summary: string) => ({
    tags: ['conversations'],
    summary,
    params: IdParams,
    response: { 200: ConversationWithContact, ...errors(403, 404, 422) },
  });

  app.post(
    '/conversations/:id/take-control',
    {
      config: { permission: 'conversations.manage' },
      schema: conversationAction('Take the conversation: the bot stops'),
    },
    async (request) => {
      const principal = actor(request);
      const conversation = await conversationOf(context, principal, request.params.id);
      await chatloom.takeControl(conversation.id, principal.userId);
      return withContact((await context.store.getConversation(conversation.id))!);
    },
  );

  app.post(
    '/conversations/:id/transfer',
    {
      config: { permission: 'conversations.manage' },
      schema: {
        ...conversationAction(
          'Hand the conversation to another user of the tenant, or back to the bot',
        ),
        body: Type.Union([
          Type.Object({ userId: Type.String() }),
          Type.Object({ toBot: Type.Literal(true) }),
        ]),
      },
    },
    async (request) => {
      const principal = actor(request);
      const conversation = await conversationOf(context, principal, request.params.id);
      if ('userId' in request.body) {
        const member = await db
          .selectFrom('memberships')
          .innerJoin('users', 'users.id', 'memberships.user_id')
          .select(['users.name', 'memberships.deactivated_at'])
          .where('memberships.tenant_id', '=', principal.tenantId)
          .where('memberships.user_id', '=', request.body.userId)
          .executeTakeFirst();
        if (!member)
          throw new HttpError(422, `User "${request.body.userId}" is not a user of this tenant`);
        // They could not sign in to answer: the conversation would wait on nobody.
        if (member.deactivated_at !== null)
          throw new HttpError(
            422,
            `${member.name} is deactivated in this tenant; hand the conversation to an active user`,
          );
        await chatloom.transfer(conversation.id, { agentId: request.body.userId });
      } else await chatloom.transfer(conversation.id, { bot: true });
      return withContact((await context.store.getConversation(conversation.id))!);
    },
  );

  app.post(
    '/conversations/:id/chatbot',
    {
      config: { permission: 'conversations.manage' },
      schema: {
        ...conversationAction('Switch the chatbot on or off (only the person in control)'),
        body: Type.Object({ enabled: Type.Boolean() }),
      },
    },
    async (request) => {
      const principal = actor(request);
      const conversation = await conversationOf(context, principal, request.params.id);
      if (conversation.organizer_id !== principal.userId)
        throw new HttpError(
          403,
          'Only the person in control of this conversation can switch its chatbot; take control first',
        );
      await chatloom.setChatbotEnabled(conversation.id, request.body.enabled);
      return withContact((await context.store.getConversation(conversation.id))!);
    },
  );

  // Who a conversation can be handed to: active users whose role handles conversations.
  app.get(
    '/conversations/transfer-targets',
    {
      config: { permission: 'conversations.manage' },
      schema: {
        tags: ['conversations'],
        summary:
          'Users of the tenant a conversation can be transferred to (active, with conversations.manage)',
        response: {
          200: Type.Array(
            Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
          ),
        },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      const rows = await db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['users.id', 'users.name', 'users.email', 'memberships.role_id'])
        .where('memberships.tenant_id', '=', tenantId)
        .where('memberships.deactivated_at', 'is', null)
        .execute();
      const targets = [];
      for (const row of rows)
        if ((await rolePermissions(context, tenantId, row.role_id)).has('conversations.manage'))
          targets.push({ id: row.id, name: row.name, email: row.email });
      return targets.sort((a, b) => a.name.localeCompare(b.name));
    },
  );

  // Templates of a channel, for the "Send template" picker outside the window -----------------

  app.get(
    '/channels/:id/templates',
    {
      config: { permission: 'conversations.reply' },
      schema: {
        tags: ['conversations'],
        summary:
          "The channel's message templates with their texts and the body's {{n}} placeholders; status=approved for those that can be sent",
        params: IdParams,
        querystring: Type.Object({
          status: Type.Optional(
            Type.String({ minLength: 1, description: 'only this status, e.g. approved' }),
          ),
        }),
        response: { 200: Type.Array(Template), ...errors(404, 422, 502) },
      },
    },
    async (request) => {
      const channel = await channelOf(context, actor(request), request.params.id);
      if (!context.adapters.get(channel.platform)?.listTemplates)
        throw new HttpError(
          422,
          `Channel "${channel.name}" (${channel.platform}) has no message templates`,
        );
      let templates: Awaited<ReturnType<typeof chatloom.listTemplates>>;
      try {
        templates = await chatloom.listTemplates(channel.id);
      } catch (error) {
        throw new HttpError(
          502,
          `Could not list the templates of channel "${channel.name}": ${(error as Error).message}`,
        );
      }
      const { status } = request.query;
      return templates
        .filter((t) => status === undefined || t.status === status.toLowerCase())
        .map(templateView);
    },
  );

  // The file of a media message: its URL, or the platform's copy fetched for the browser.
  app.get(
    '/messages/:id/media',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['messages'],
        summary:
          "A media message's file: a redirect to its URL, or the bytes fetched from the platform by media id",
        params: IdParams,
        response: {
          200: Type.Unknown({ description: 'the file, with its content type' }),
          ...errors(404, 502),
        },
      },
    },
    async (request, reply) => {
      const row = await messageOf(actor(request), request.params.id);
      const content: unknown = JSON.parse(row.content);
      const media =
        typeof content === 'object' &&
        content !== null &&
        (content as { kind?: unknown }).kind === 'media'
          ? (content as {
              url?: unknown;
              mediaId?: unknown;
              mimeType?: unknown;
              filename?: unknown;
            })
          : undefined;
      if (!media) throw notFound(`Media of message "${row.id}"`);
      if (typeof media.url === 'string' && /^https?:\/\//.test(media.url))
        return reply.redirect(media.url);
      const channel = await context.store.getChannel(row.channel_id);
      // Only some adapters can fetch a platform's media (WhatsApp's `downloadMedia`).
      const adapter = channel ? context.adapters.get(channel.platform) : undefined;
      const download =
        adapter && 'downloadMedia' in adapter && typeof adapter.downloadMedia === 'function'
          ? (adapter.downloadMedia as MediaDownloader).bind(adapter)
          : undefined;
      if (!channel || typeof media.mediaId !== 'string' || !download)
        throw notFound(`Media of message "${row.id}"`);
      let file: Awaited<ReturnType<MediaDownloader>>;
      try {
        file = await download(
          {
            id: channel.id,
            tenantId: channel.tenantId,
            settings: channel.settings,
            credentials: channel.credentials,
          },
          media.mediaId,
        );
      } catch (error) {
        throw new HttpError(502, `Could not fetch the media: ${(error as Error).message}`);
      }
      const type =
        file.mimeType ??
        (typeof media.mimeType === 'string' ? media.mimeType : 'application/octet-stream');
      // A customer's file on the admin origin: never a page of ours (see media-headers.ts).
      return reply
        .headers(
          safeMediaHeaders(
            type,
            typeof media.filename === 'string' ? media.filename : undefined,
            `media-${row.id}`,
          ),
        )
        .header('cache-control', 'private, max-age=300')
        .send(Buffer.from(file.data));
    },
  );

  // Messages across conversations ----------------------------------------------------------

  const star =
    (starred: boolean) =>
    async (request: { params: { id: string } } & Parameters<typeof actor>[0]) => {
      const principal = actor(request);
      const row = await messageOf(principal, request.params.id);
      return publicMessage(await chatloom.star(row.id, starred));
    };
  app.post(
    '/messages/:id/star',
    {
      config: { permission: 'conversations.manage' },
      schema: {
        tags: ['messages'],
        summary: 'Star a message',
        params: IdParams,
        response: { 200: Message, ...errors(404) },
      },
    },
    star(true),
  );
  app.delete(
    '/messages/:id/star',
    {
      config: { permission: 'conversations.manage' },
      schema: {
        tags: ['messages'],
        summary: 'Unstar a message',
        params: IdParams,
        response: { 200: Message, ...errors(404) },
      },
    },
    star(false),
  );

  const MessageWithConversation = Type.Intersect([
    Message,
    Type.Object({ conversationId: Type.String() }),
  ]);

  app.get(
    '/messages/starred',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['messages'],
        summary: 'Starred messages across conversations, newest first; by date range and channel',
        querystring: Type.Object({
          channelId: Type.Optional(Type.String()),
          from: Type.Optional(Type.Number({ description: 'epoch ms, inclusive' })),
          to: Type.Optional(Type.Number({ description: 'epoch ms, exclusive' })),
          limit: Limit,
          cursor: Cursor,
        }),
        response: { 200: Page(MessageWithConversation), ...errors(400) },
      },
    },
    async (request) => {
      const principal = actor(request);
      const { channelId, from, to, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      let query = db
        .selectFrom('messages')
        .selectAll()
        .where('tenant_id', '=', principal.tenantId)
        .where('starred', '=', 1);
      if (principal.channelId) query = query.where('channel_id', '=', principal.channelId);
      if (channelId) query = query.where('channel_id', '=', channelId);
      if (from !== undefined) query = query.where('created_at', '>=', from);
      if (to !== undefined) query = query.where('created_at', '<', to);
      return messagePage(query, cursor, limit);
    },
  );

  app.get(
    '/messages/search',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['messages'],
        summary: 'Search message text across conversations, newest first',
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 200 }),
          channelId: Type.Optional(Type.String()),
          conversationId: Type.Optional(Type.String()),
          limit: Limit,
          cursor: Cursor,
        }),
        response: { 200: Page(MessageWithConversation), ...errors(400) },
      },
    },
    async (request) => {
      const principal = actor(request);
      const { q, channelId, conversationId, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      // Content is JSON text: match the words inside it, case-insensitively.
      const pattern = likePattern(JSON.stringify(q).slice(1, -1));
      let query = db
        .selectFrom('messages')
        .selectAll()
        .where('tenant_id', '=', principal.tenantId)
        .where((eb) => eb(eb.fn('lower', ['content']), 'like', pattern));
      if (principal.channelId) query = query.where('channel_id', '=', principal.channelId);
      if (channelId) query = query.where('channel_id', '=', channelId);
      if (conversationId) query = query.where('conversation_id', '=', conversationId);
      return messagePage(query, cursor, limit);
    },
  );
}

/** A page of messages, newest first, after the keyset cursor `created_at:id`. */
async function messagePage(
  query: SelectQueryBuilder<Database, 'messages', Selectable<MessageTable>>,
  cursor: string | undefined,
  limit: number,
) {
  const after = decodeCursor(cursor);
  if (after) {
    const [at, id] = after;
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => publicMessage(toMessage(row))),
    nextCursor: rows.length > limit && last ? encodeCursor(Number(last.created_at), last.id) : null,
  };
}
