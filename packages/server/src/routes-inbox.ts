/** Quick replies, the media gallery, tools (delayed messages), notifications and dashboard figures. */
import { randomUUID } from 'node:crypto';

import { Type } from 'typebox';
import { actor } from './auth.js';
import type { ServerContext } from './context.js';
import { countAll, type MediaTable, type QuickReplyTable } from './database.js';
import { errors, HttpError, IdParams, Limit, likePattern, notFound, Ok } from './http.js';
import { toNotification } from './notifications.js';
import { channelOf } from './routes-channels.js';
import type { App } from './server.js';

const QuickReply = Type.Object({
  id: Type.String(),
  shortcut: Type.String(),
  content: Type.String(),
  /** Channels it is offered on; empty means every channel. */
  channelIds: Type.Array(Type.String()),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
});
const QuickReplyBody = Type.Object({
  shortcut: Type.String({ minLength: 1, maxLength: 50, pattern: '^\\S+$' }),
  content: Type.String({ minLength: 1, maxLength: 4096 }),
  channelIds: Type.Optional(Type.Array(Type.String(), { uniqueItems: true })),
});
const Media = Type.Object({
  id: Type.String(),
  kind: Type.Union([
    Type.Literal('image'),
    Type.Literal('video'),
    Type.Literal('document'),
    Type.Literal('audio'),
  ]),
  url: Type.String(),
  name: Type.String(),
  filename: Type.Union([Type.String(), Type.Null()]),
  caption: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Number(),
});
const Notification = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  body: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.Number(),
  read: Type.Boolean(),
});
const Scheduled = Type.Object({
  messageId: Type.String(),
  conversationId: Type.String(),
  channelId: Type.String(),
  dueAt: Type.Number(),
  type: Type.String(),
  content: Type.Unknown(),
  createdAt: Type.Number(),
});

const toMedia = (row: MediaTable) => ({
  id: row.id,
  kind: row.kind,
  url: row.url,
  name: row.name,
  filename: row.filename,
  caption: row.caption,
  createdAt: Number(row.created_at),
});

export async function inboxRoutes(app: App, context: ServerContext): Promise<void> {
  const { db } = context;

  // Quick replies ---------------------------------------------------------------------------

  async function quickReplies(rows: QuickReplyTable[]) {
    const links =
      rows.length === 0
        ? []
        : await db
            .selectFrom('quick_reply_channels')
            .selectAll()
            .where(
              'quick_reply_id',
              'in',
              rows.map((r) => r.id),
            )
            .execute();

    return rows.map((row) => ({
      id: row.id,
      shortcut: row.shortcut,
      content: row.content,
      channelIds: links
        .filter((l) => l.quick_reply_id === row.id)
        .map((l) => l.channel_id)
        .sort(),
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    }));
  }
  async function quickReplyRow(tenantId: string, id: string) {
    const row = await db
      .selectFrom('quick_replies')
      .selectAll()
      .where('id', '=', id)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (!row) throw notFound(`Quick reply "${id}"`);
    return row;
  }
  async function checkChannels(
    principal: ReturnType<typeof actor>,
    channelIds: string[] | undefined,
  ) {
    for (const id of channelIds ?? []) await channelOf(context, principal, id);
  }
  async function setChannels(id: string, channelIds: string[] | undefined) {
    if (channelIds === undefined) return;
    await db.deleteFrom('quick_reply_channels').where('quick_reply_id', '=', id).execute();
    if (channelIds.length > 0)
      await db
        .insertInto('quick_reply_channels')
        .values(channelIds.map((channel_id) => ({ quick_reply_id: id, channel_id })))
        .execute();
  }
  async function shortcutFree(tenantId: string, shortcut: string, except?: string) {
    let query = db
      .selectFrom('quick_replies')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('shortcut', '=', shortcut);
    if (except) query = query.where('id', '!=', except);
    if (await query.executeTakeFirst())
      throw new HttpError(409, `The shortcut "${shortcut}" is taken`);
  }

  app.get(
    '/quick-replies',
    {
      config: { permission: 'quick-replies.read' },
      schema: {
        tags: ['quick replies'],
        summary: 'Quick replies; search by shortcut or content, filter by channel',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          channelId: Type.Optional(
            Type.String({
              description: 'those offered on this channel (assigned to it, or to every channel)',
            }),
          ),
        }),
        response: { 200: Type.Array(QuickReply) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      let query = db.selectFrom('quick_replies').selectAll().where('tenant_id', '=', tenantId);
      if (request.query.q) {
        const pattern = likePattern(request.query.q);
        query = query.where((eb) =>
          eb.or([
            eb(eb.fn('lower', ['shortcut']), 'like', pattern),
            eb(eb.fn('lower', ['content']), 'like', pattern),
          ]),
        );
      }
      const all = await quickReplies(await query.orderBy('shortcut').execute());
      const channelId = request.query.channelId;
      return channelId
        ? all.filter((q) => q.channelIds.length === 0 || q.channelIds.includes(channelId))
        : all;
    },
  );

  app.post(
    '/quick-replies',
    {
      config: { permission: 'quick-replies.manage' },
      schema: {
        tags: ['quick replies'],
        body: QuickReplyBody,
        response: { 201: QuickReply, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      const principal = actor(request);
      await checkChannels(principal, request.body.channelIds);
      await shortcutFree(principal.tenantId, request.body.shortcut);
      const now = context.clock.now();
      const row: QuickReplyTable = {
        id: randomUUID(),
        tenant_id: principal.tenantId,
        shortcut: request.body.shortcut,
        content: request.body.content,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('quick_replies').values(row).execute();
      await setChannels(row.id, request.body.channelIds ?? []);
      return reply.status(201).send((await quickReplies([row]))[0]!);
    },
  );

  app.get(
    '/quick-replies/:id',
    {
      config: { permission: 'quick-replies.read' },
      schema: {
        tags: ['quick replies'],
        params: IdParams,
        response: { 200: QuickReply, ...errors(404) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      return (await quickReplies([await quickReplyRow(tenantId, request.params.id)]))[0]!;
    },
  );

  app.patch(
    '/quick-replies/:id',
    {
      config: { permission: 'quick-replies.manage' },
      schema: {
        tags: ['quick replies'],
        params: IdParams,
        body: Type.Partial(QuickReplyBody),
        response: { 200: QuickReply, ...errors(404, 409) },
      },
    },
    async (request) => {
      const principal = actor(request);
      const row = await quickReplyRow(principal.tenantId, request.params.id);
      await checkChannels(principal, request.body.channelIds);
      if (request.body.shortcut !== undefined)
        await shortcutFree(principal.tenantId, request.body.shortcut, row.id);
      const next = {
        ...row,
        ...(request.body.shortcut !== undefined && { shortcut: request.body.shortcut }),
        ...(request.body.content !== undefined && { content: request.body.content }),
        updated_at: context.clock.now(),
      };
      await db
        .updateTable('quick_replies')
        .set({ shortcut: next.shortcut, content: next.content, updated_at: next.updated_at })
        .where('id', '=', row.id)
        .execute();
      await setChannels(row.id, request.body.channelIds);
      return (await quickReplies([next]))[0]!;
    },
  );

  async function deleteQuickReplies(tenantId: string, ids: string[]) {
    const found = await db
      .selectFrom('quick_replies')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .execute();
    const mine = found.map((r) => r.id);
    if (mine.length === 0) return 0;
    await db.deleteFrom('quick_reply_channels').where('quick_reply_id', 'in', mine).execute();
    await db.deleteFrom('quick_replies').where('id', 'in', mine).execute();
    return mine.length;
  }

  app.delete(
    '/quick-replies/:id',
    {
      config: { permission: 'quick-replies.manage' },
      schema: { tags: ['quick replies'], params: IdParams, response: { 200: Ok, ...errors(404) } },
    },
    async (request) => {
      const { tenantId } = actor(request);
      await quickReplyRow(tenantId, request.params.id);
      await deleteQuickReplies(tenantId, [request.params.id]);
      return { ok: true };
    },
  );

  app.post(
    '/quick-replies/bulk-delete',
    {
      config: { permission: 'quick-replies.manage' },
      schema: {
        tags: ['quick replies'],
        summary: 'Delete several quick replies; ids of other tenants or unknown ones are ignored',
        body: Type.Object({ ids: Type.Array(Type.String(), { minItems: 1, maxItems: 500 }) }),
        response: { 200: Type.Object({ deleted: Type.Integer() }) },
      },
    },
    async (request) => ({
      deleted: await deleteQuickReplies(actor(request).tenantId, request.body.ids),
    }),
  );

  // Media gallery ---------------------------------------------------------------------------

  app.get(
    '/media',
    {
      config: { permission: 'media.read' },
      schema: {
        tags: ['media'],
        summary: 'The media gallery',
        response: { 200: Type.Array(Media) },
      },
    },
    async (request) =>
      (
        await db
          .selectFrom('media')
          .selectAll()
          .where('tenant_id', '=', actor(request).tenantId)
          .orderBy('created_at', 'desc')
          .execute()
      ).map(toMedia),
  );

  app.post(
    '/media',
    {
      config: { permission: 'media.manage' },
      schema: {
        tags: ['media'],
        summary: 'Add a media item (by its public https URL) to the gallery',
        body: Type.Object({
          kind: Type.Union([
            Type.Literal('image'),
            Type.Literal('video'),
            Type.Literal('document'),
            Type.Literal('audio'),
          ]),
          url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
          name: Type.String({ minLength: 1, maxLength: 200 }),
          filename: Type.Optional(Type.String({ maxLength: 240 })),
          caption: Type.Optional(Type.String({ maxLength: 1024 })),
        }),
        response: { 201: Media },
      },
    },
    async (request, reply) => {
      const row: MediaTable = {
        id: randomUUID(),
        tenant_id: actor(request).tenantId,
        kind: request.body.kind,
        url: request.body.url,
        name: request.body.name,
        filename: request.body.filename ?? null,
        caption: request.body.caption ?? null,
        created_at: context.clock.now(),
      };
      await db.insertInto('media').values(row).execute();
      return reply.status(201).send(toMedia(row));
    },
  );

  app.delete(
    '/media/:id',
    {
      config: { permission: 'media.manage' },
      schema: { tags: ['media'], params: IdParams, response: { 200: Ok, ...errors(404) } },
    },
    async (request) => {
      const result = await db
        .deleteFrom('media')
        .where('id', '=', request.params.id)
        .where('tenant_id', '=', actor(request).tenantId)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound(`Media "${request.params.id}"`);
      return { ok: true };
    },
  );

  // Tools: delayed messages -------------------------------------------------------------------

  app.get(
    '/channels/:id/scheduled',
    {
      config: { permission: 'tools.read' },
      schema: {
        tags: ['tools'],
        summary: "The channel's delayed messages still waiting to be sent",
        params: IdParams,
        querystring: Type.Object({ limit: Limit }),
        response: { 200: Type.Array(Scheduled), ...errors(404) },
      },
    },
    async (request) => {
      const channel = await channelOf(context, actor(request), request.params.id);
      const rows = await db
        .selectFrom('outbox')
        .innerJoin('messages', 'messages.id', 'outbox.message_id')
        .select([
          'outbox.message_id',
          'outbox.conversation_id',
          'outbox.channel_id',
          'outbox.next_attempt_at',
          'messages.type',
          'messages.content',
          'messages.created_at',
        ])
        .where('outbox.channel_id', '=', channel.id)
        .where('outbox.next_attempt_at', '>', context.clock.now())
        .where('outbox.attempts', '=', 0)
        .orderBy('outbox.next_attempt_at')
        .limit(request.query.limit ?? 50)
        .execute();
      return rows.map((row) => ({
        messageId: row.message_id,
        conversationId: row.conversation_id,
        channelId: row.channel_id,
        dueAt: Number(row.next_attempt_at),
        type: row.type,
        content: JSON.parse(row.content) as unknown,
        createdAt: Number(row.created_at),
      }));
    },
  );

  app.delete(
    '/channels/:id/scheduled',
    {
      config: { permission: 'tools.delete-scheduled' },
      schema: {
        tags: ['tools'],
        summary: "Delete all of the channel's pending delayed messages (Global Admin)",
        params: IdParams,
        response: { 200: Type.Object({ deleted: Type.Integer() }), ...errors(403, 404) },
      },
    },
    async (request) => {
      const channel = await channelOf(context, actor(request), request.params.id);
      return { deleted: await context.chatloom.cancelScheduledMessages(channel.id) };
    },
  );

  // Notifications -----------------------------------------------------------------------------

  app.get(
    '/notifications',
    {
      config: { permission: 'notifications.read' },
      schema: {
        tags: ['notifications'],
        summary: 'Template status changes, broadcast completions, failed sends; newest first',
        querystring: Type.Object({ unread: Type.Optional(Type.Boolean()), limit: Limit }),
        response: { 200: Type.Object({ items: Type.Array(Notification), unread: Type.Integer() }) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      let query = db.selectFrom('notifications').selectAll().where('tenant_id', '=', tenantId);
      if (request.query.unread) query = query.where('read_at', 'is', null);
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(request.query.limit ?? 50)
        .execute();
      const unread = await db
        .selectFrom('notifications')
        .select(countAll.as('n'))
        .where('tenant_id', '=', tenantId)
        .where('read_at', 'is', null)
        .executeTakeFirst();
      return { items: rows.map(toNotification), unread: Number(unread?.n ?? 0) };
    },
  );

  app.post(
    '/notifications/:id/read',
    {
      config: { permission: 'notifications.read' },
      schema: { tags: ['notifications'], params: IdParams, response: { 200: Ok, ...errors(404) } },
    },
    async (request) => {
      const result = await db
        .updateTable('notifications')
        .set({ read_at: context.clock.now() })
        .where('id', '=', request.params.id)
        .where('tenant_id', '=', actor(request).tenantId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0)
        throw notFound(`Notification "${request.params.id}"`);
      return { ok: true };
    },
  );

  app.post(
    '/notifications/read-all',
    {
      config: { permission: 'notifications.read' },
      schema: { tags: ['notifications'], response: { 200: Ok } },
    },
    async (request) => {
      await db
        .updateTable('notifications')
        .set({ read_at: context.clock.now() })
        .where('tenant_id', '=', actor(request).tenantId)
        .where('read_at', 'is', null)
        .execute();
      return { ok: true };
    },
  );

  // Dashboard ---------------------------------------------------------------------------------

  app.get(
    '/dashboard',
    {
      config: { permission: 'dashboard.read' },
      schema: {
        tags: ['dashboard'],
        summary:
          'Messages in and out, delivery and read rates, open conversations (default: the last 7 days)',
        querystring: Type.Object({
          from: Type.Optional(Type.Number({ description: 'epoch ms, inclusive' })),
          to: Type.Optional(Type.Number({ description: 'epoch ms, exclusive' })),
          channelId: Type.Optional(Type.String()),
        }),
        response: {
          200: Type.Object({
            from: Type.Number(),
            to: Type.Number(),
            messagesIn: Type.Integer(),
            messagesOut: Type.Integer(),
            /** Of outbound messages the platform took: delivered or read. */
            deliveryRate: Type.Union([Type.Number(), Type.Null()]),
            readRate: Type.Union([Type.Number(), Type.Null()]),
            failed: Type.Integer(),
            /** Conversations waiting for a person or handled by one. */
            openConversations: Type.Integer(),
          }),
        },
      },
    },
    async (request) => {
      const principal = actor(request);
      const to = request.query.to ?? context.clock.now();
      const from = request.query.from ?? to - 7 * 24 * 3600_000;
      const channelId = request.query.channelId ?? principal.channelId ?? undefined;
      let query = db
        .selectFrom('messages')
        .select(['direction', 'status', countAll.as('n')])
        .where('tenant_id', '=', principal.tenantId)
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .groupBy(['direction', 'status']);
      if (channelId) query = query.where('channel_id', '=', channelId);
      const rows = await query.execute();
      const count = (predicate: (row: (typeof rows)[number]) => boolean) =>
        rows.filter(predicate).reduce((sum, row) => sum + Number(row.n), 0);
      const messagesIn = count((r) => r.direction === 'in');
      const messagesOut = count((r) => r.direction === 'out');
      const taken = count(
        (r) => r.direction === 'out' && ['sent', 'delivered', 'read'].includes(r.status),
      );
      const delivered = count(
        (r) => r.direction === 'out' && ['delivered', 'read'].includes(r.status),
      );
      const read = count((r) => r.direction === 'out' && r.status === 'read');
      let open = db
        .selectFrom('conversations')
        .select(countAll.as('n'))
        .where('tenant_id', '=', principal.tenantId)
        .where('status', 'in', ['waiting', 'agent']);
      if (channelId) open = open.where('channel_id', '=', channelId);
      const openConversations = Number((await open.executeTakeFirst())?.n ?? 0);
      const rate = (part: number) =>
        taken === 0 ? null : Math.round((part / taken) * 1000) / 1000;
      return {
        from,
        to,
        messagesIn,
        messagesOut,
        deliveryRate: rate(delivered),
        readRate: rate(read),
        failed: count((r) => r.direction === 'out' && r.status === 'failed'),
        openConversations,
      };
    },
  );
}
