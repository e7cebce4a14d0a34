/** Quick replies, the media gallery, tools (delayed messages), notifications and dashboard figures. */
import { randomUUID } from 'node:crypto';
import fastifyMultipart from '@fastify/multipart';
import { sql } from 'kysely';
import { type Static, Type } from 'typebox';
import { actor } from './auth.js';
import type { ServerContext } from './context.js';
import { countAll, type MediaTable, type QuickReplyTable } from './database.js';
import { errors, HttpError, IdParams, Limit, likePattern, notFound, Ok } from './http.js';
import { multipartLimits, receiveUpload, removeMediaFile } from './media-files.js';
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

const dayMs = 24 * 3600_000;
const maxSeriesDays = 366;
/** The day number (days since 1970-01-01 in the viewer's offset) of an instant. */
const localDay = (at: number, offsetMs: number) => Math.floor((at + offsetMs) / dayMs);

const DashboardDay = Type.Object({
  /** YYYY-MM-DD in the viewer's offset. */
  date: Type.String(),
  /** When the day begins, epoch ms. */
  start: Type.Number(),
  messagesIn: Type.Integer(),
  messagesOut: Type.Integer(),
});
const RecentMessage = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  channelId: Type.String(),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  sender: Type.String(),
  status: Type.String(),
  contactName: Type.String(),
  /** The message's text, or its kind in brackets (`[image]`), cut to 140 characters. */
  preview: Type.String(),
  createdAt: Type.Number(),
});
type RecentMessage = Static<typeof RecentMessage>;

/** What a person reads of a stored message (content is JSON of any message kind). */
function previewOf(type: string, content: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    parsed = content;
  }
  let text: string | undefined;
  if (typeof parsed === 'string') text = parsed;
  else if (typeof parsed === 'object' && parsed !== null) {
    const record = parsed as Record<string, unknown>;
    for (const key of ['text', 'caption', 'title', 'body']) {
      if (typeof record[key] === 'string' && record[key] !== '') {
        text = record[key];
        break;
      }
    }
    if (text === undefined && typeof record.name === 'string') text = `Template: ${record.name}`;
  }
  const shown = text ?? `[${type}]`;
  return shown.length > 140 ? `${shown.slice(0, 139)}…` : shown;
}

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

  // Uploads: multipart is parsed only in this scope (the rest of the API takes JSON).
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, { limits: multipartLimits });
    scope.post(
      '/media/upload',
      {
        config: { permission: 'media.manage' },
        schema: {
          tags: ['media'],
          summary:
            'Upload a file (multipart/form-data: file, optional name and caption) to the gallery; it is served at a public unguessable URL under CHATLOOM_PUBLIC_URL for Meta to fetch',
          consumes: ['multipart/form-data'],
          response: { 201: Media, ...errors(400, 409, 413, 415) },
        },
      },
      async (request, reply) => {
        const tenantId = actor(request).tenantId;
        let upload: Awaited<ReturnType<typeof receiveUpload>>;
        try {
          upload = await receiveUpload(request, context.config);
        } catch (error) {
          // A refused upload may be half sent: close the connection after the answer rather
          // than read (or hang on) the rest of a file we will not keep.
          reply.header('connection', 'close');
          throw error;
        }
        const row: MediaTable = {
          ...upload.row,
          tenant_id: tenantId,
          created_at: context.clock.now(),
        };
        try {
          await db.insertInto('media').values(row).execute();
        } catch (error) {
          await upload.discard();
          throw error;
        }
        return reply.status(201).send(toMedia(row));
      },
    );
  });

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
      await removeMediaFile(context, request.params.id);
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
          'Messages in and out (totals and per day), delivery and read rates, open conversations, recent activity (default: today and the 6 days before)',
        querystring: Type.Object({
          from: Type.Optional(Type.Number({ description: 'epoch ms, inclusive' })),
          to: Type.Optional(Type.Number({ description: 'epoch ms, exclusive' })),
          channelId: Type.Optional(Type.String()),
          utcOffsetMinutes: Type.Optional(
            Type.Integer({
              minimum: -840,
              maximum: 840,
              description:
                "The viewer's offset from UTC in minutes (UTC+2 is 120): where the per-day series' days begin. Default 0.",
            }),
          ),
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
            /** One entry per day (in the viewer's offset) from `from` to `to`, oldest first. */
            series: Type.Array(DashboardDay),
            /** The latest messages; null when the role may not read conversations. */
            recent: Type.Union([Type.Array(RecentMessage), Type.Null()]),
          }),
          ...errors(400),
        },
      },
    },
    async (request) => {
      const principal = actor(request);
      const to = request.query.to ?? context.clock.now();
      const offset = (request.query.utcOffsetMinutes ?? 0) * 60_000;
      // By default the week ends today: the start of the local day six days back.
      const from = request.query.from ?? localDay(to - 1, offset) * dayMs - offset - 6 * dayMs;
      if (from >= to) throw new HttpError(400, `from (${from}) must be before to (${to})`);
      const days = localDay(to - 1, offset) - localDay(from, offset) + 1;
      if (days > maxSeriesDays)
        throw new HttpError(
          400,
          `from–to covers ${days} days; the dashboard shows at most ${maxSeriesDays}`,
        );
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

      // Per day: the day number is computed in SQL (integer division on both databases).
      const day = sql<number>`(created_at + ${sql.lit(offset)}) / ${sql.lit(dayMs)}`;
      let perDay = db
        .selectFrom('messages')
        .select([day.as('day'), 'direction', countAll.as('n')])
        .where('tenant_id', '=', principal.tenantId)
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .groupBy([day, 'direction']);
      if (channelId) perDay = perDay.where('channel_id', '=', channelId);
      const firstDay = localDay(from, offset);
      const series = Array.from({ length: days }, (_, i) => ({
        date: new Date((firstDay + i) * dayMs).toISOString().slice(0, 10),
        start: (firstDay + i) * dayMs - offset,
        messagesIn: 0,
        messagesOut: 0,
      }));
      for (const row of await perDay.execute()) {
        const entry = series[Number(row.day) - firstDay];
        if (!entry) continue;
        if (row.direction === 'in') entry.messagesIn += Number(row.n);
        else entry.messagesOut += Number(row.n);
      }

      let recent: RecentMessage[] | null = null;
      if (principal.permissions.has('conversations.read')) {
        let latest = db
          .selectFrom('messages')
          .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
          .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
          .select([
            'messages.id',
            'messages.conversation_id',
            'messages.channel_id',
            'messages.direction',
            'messages.sender',
            'messages.type',
            'messages.content',
            'messages.status',
            'messages.created_at',
            'contacts.name',
            'contacts.phone',
            'contacts.platform_user_id',
          ])
          .where('messages.tenant_id', '=', principal.tenantId)
          .orderBy('messages.created_at', 'desc')
          .orderBy('messages.id', 'desc')
          .limit(8);
        if (channelId) latest = latest.where('messages.channel_id', '=', channelId);
        recent = (await latest.execute()).map((row) => ({
          id: row.id,
          conversationId: row.conversation_id,
          channelId: row.channel_id,
          direction: row.direction,
          sender: row.sender,
          status: row.status,
          contactName: row.name ?? row.phone ?? row.platform_user_id ?? 'Unknown contact',
          preview: previewOf(row.type, row.content),
          createdAt: Number(row.created_at),
        }));
      }
      return {
        from,
        to,
        messagesIn,
        messagesOut,
        deliveryRate: rate(delivered),
        readRate: rate(read),
        failed: count((r) => r.direction === 'out' && r.status === 'failed'),
        openConversations,
        series,
        recent,
      };
    },
  );
}
