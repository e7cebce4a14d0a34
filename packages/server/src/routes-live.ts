/** Live updates (Server-Sent Events per tenant) and the web simulator's API. */

import { randomUUID } from 'node:crypto';
import { toMessage } from '@chatloom/core';
import type { FlowDefinition } from '@chatloom/flow-engine';
import { Type } from 'typebox';
import { actor, currentPrincipal } from './auth.js';
import type { ServerContext } from './context.js';
import type { LiveEvent } from './events.js';
import { errors, HttpError, notFound } from './http.js';
import { channelOf } from './routes-channels.js';
import { Message } from './routes-conversations.js';
import type { App } from './server.js';
import {
  previewDefinition,
  previewFamily,
  previewFlowId,
  previewToken,
  previewTokenOf,
  previewTriggerText,
  simulatorPlatform,
  simulatorWebhook,
} from './simulator.js';

const defaultHeartbeatMs = 15_000;

export async function liveRoutes(app: App, context: ServerContext): Promise<void> {
  const open = new Set<() => void>();
  // A shutdown ends the streams, or they would hold it forever.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    '/events',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['live'],
        summary:
          'Server-Sent Events of the tenant: message.received, message.created, message.status, conversation.updated, notification (from every server process)',
        produces: ['text/event-stream'],
      },
    },
    (request, reply) => {
      const principal = actor(request);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(`retry: 2000\n: connected\n\n`);
      let id = 0;
      const send = (event: LiveEvent) => {
        if (principal.channelId !== null) {
          const channelId =
            'message' in event
              ? event.message.channelId
              : 'conversation' in event
                ? event.conversation.channelId
                : undefined;
          if (channelId !== undefined && channelId !== principal.channelId) return;
        }
        const { tenantId: _, ...data } = event;
        raw.write(`id: ${++id}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const unsubscribe = context.events.subscribe(principal.tenantId, send);
      // The principal was checked at connect only; a stream lasts. Each heartbeat checks the
      // session or token and the membership again (in the database, so a sign-out or a
      // deactivation on another server process counts too) and ends the stream once they fail.
      let checking = false;
      const recheck = async () => {
        if (checking) return;
        checking = true;
        try {
          const now = await currentPrincipal(context, principal);
          if (!now?.permissions.has('conversations.read')) end();
          else if (!raw.writableEnded) raw.write(': ping\n\n');
        } catch (error) {
          // A database hiccup is not a sign-out: try again at the next heartbeat.
          request.log.warn({ err: error }, 'event stream: could not check the sign-in again');
        } finally {
          checking = false;
        }
      };
      const heartbeat = setInterval(
        () => void recheck(),
        context.config.liveHeartbeatMs ?? defaultHeartbeatMs,
      );
      heartbeat.unref();
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        if (!raw.writableEnded) raw.end();
      };
      open.add(end);
      request.raw.on('close', end);
    },
  );

  // The simulator ---------------------------------------------------------------------------

  const SimParams = Type.Object({ channelId: Type.String() });
  async function simulatorChannel(request: Parameters<typeof actor>[0], id: string) {
    const channel = await channelOf(context, actor(request), id);
    if (channel.platform !== simulatorPlatform)
      throw new HttpError(409, `Channel "${id}" is a ${channel.platform} channel, not a simulator`);
    return channel;
  }
  const defaultUser = (userId: string) => `web-${userId}`;

  /**
   * Makes sure the preview copy of a saved version is live (see simulator.ts) and returns
   * the text that starts it.
   */
  async function startPreview(
    tenantId: string,
    flowId: string,
    version: number | undefined,
    language: string | undefined,
  ): Promise<{ text: string; version: number }> {
    const rows = await context.store.listFlows(tenantId);
    const versions = rows.filter((r) => r.flow_id === flowId);
    if (versions.length === 0) throw notFound(`Flow "${flowId}"`);
    const row =
      version === undefined
        ? versions.at(-1)!
        : versions.find((r) => Number(r.version) === version);
    if (!row) throw notFound(`Version ${version} of flow "${flowId}"`);
    const source = JSON.parse(row.definition) as FlowDefinition;
    const chosen = language ?? source.defaultLanguage;
    if (!source.languages.includes(chosen))
      throw new HttpError(
        422,
        `Flow "${flowId}" has no language "${chosen}"; it has ${source.languages.join(', ')}`,
      );
    const copyId = previewFlowId(flowId, row.definition);
    const copy = rows.find((r) => r.flow_id === copyId && Number(r.published) === 1);
    let token = copy && previewToken(JSON.parse(copy.definition) as FlowDefinition);
    if (!token) {
      // A new version to preview: the copies of older ones go (their previews end).
      const family = previewFamily(flowId);
      for (const old of new Set(rows.map((r) => r.flow_id).filter((id) => id.startsWith(family))))
        await context.chatloom.deleteFlow(tenantId, old);
      token = previewTokenOf(context.config.secretKey, copyId);
      // A request previewing the same version at once may have saved the copy meanwhile:
      // saving it again would unpublish it for a moment (and the token is the same anyway).
      const saved = (await context.store.listFlows(tenantId)).some(
        (r) => r.flow_id === copyId && Number(r.published) === 1,
      );
      if (!saved)
        await context.chatloom.saveFlow(
          tenantId,
          previewDefinition(source, copyId, Number(row.version), token),
          { publish: true },
        );
    }
    return {
      text: previewTriggerText(token, Number(row.version), chosen),
      version: Number(row.version),
    };
  }

  app.post(
    '/simulator/:channelId/messages',
    {
      config: { permission: 'simulator.use' },
      schema: {
        tags: ['simulator'],
        summary:
          'Send a message as a simulated user of a simulator channel; it goes through the same pipeline as a real webhook',
        params: SimParams,
        body: Type.Object({
          userId: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 100,
              description: 'default: one per signed-in user',
            }),
          ),
          name: Type.Optional(Type.String({ maxLength: 100 })),
          text: Type.Optional(Type.String({ maxLength: 4096 })),
          choice: Type.Optional(Type.Object({ id: Type.String(), title: Type.String() })),
          messageId: Type.Optional(Type.String({ maxLength: 200 })),
          timestamp: Type.Optional(
            Type.Number({
              minimum: 1,
              description:
                'when the user wrote (epoch ms, default now): an earlier time shows the 24-hour window closing',
            }),
          ),
          flowId: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                'Preview: start this flow for the simulated user (a saved version, published or not, whatever flows are live); text and choice are not needed',
            }),
          ),
          version: Type.Optional(
            Type.Integer({ minimum: 1, description: 'With flowId: the version (default latest)' }),
          ),
          language: Type.Optional(
            Type.String({ description: "With flowId: the flow's language (default its default)" }),
          ),
        }),
        response: {
          202: Type.Object({
            messageId: Type.String(),
            userId: Type.String(),
            version: Type.Optional(
              Type.Integer({ description: 'With flowId: the version previewed' }),
            ),
          }),
          ...errors(404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const channel = await simulatorChannel(request, request.params.channelId);
      const { choice, name, messageId, flowId, version, language } = request.body;
      let text = request.body.text;
      if (flowId === undefined && (version !== undefined || language !== undefined))
        throw new HttpError(422, 'version and language need flowId (the flow to preview)');
      if (flowId === undefined && text === undefined && choice === undefined)
        throw new HttpError(
          422,
          'Send text, or a choice (the id and title of a button or row the bot sent)',
        );
      // A preview is a fresh simulated user unless told otherwise.
      const userId =
        request.body.userId ??
        (flowId === undefined ? defaultUser(actor(request).userId) : `preview-${randomUUID()}`);
      let preview: { text: string; version: number } | undefined;
      if (flowId !== undefined) {
        // The token starts the copy only where no session or person holds the conversation.
        const existing = await context.store.findConversation(channel.id, { userId });
        if (
          existing &&
          (existing.status !== 'bot' ||
            Number(existing.chatbot_enabled) !== 1 ||
            (await context.store.getSession(existing.id)))
        )
          throw new HttpError(
            409,
            `Simulated user "${userId}" is in a conversation already; preview with a new userId`,
          );
        preview = await startPreview(actor(request).tenantId, flowId, version, language);
        text = preview.text;
      }
      const webhook = simulatorWebhook(
        {
          userId,
          timestamp: request.body.timestamp ?? context.clock.now(),
          ...(name !== undefined && { name }),
          ...(text !== undefined && { text }),
          ...(choice !== undefined && !preview && { choice }),
          ...(messageId !== undefined && { messageId }),
        },
        channel.credentials.appSecret ?? '',
      );
      const answer = await context.chatloom.handleWebhook(channel.id, {
        method: 'POST',
        headers: webhook.headers,
        rawBody: webhook.rawBody,
      });
      if (answer.status !== 200) throw new HttpError(answer.status, answer.body);
      return reply.status(202).send({
        messageId: webhook.messageId,
        userId,
        ...(preview && { version: preview.version }),
      });
    },
  );

  app.get(
    '/simulator/:channelId/messages',
    {
      config: { permission: 'simulator.use' },
      schema: {
        tags: ['simulator'],
        summary:
          "The simulated user's conversation: what they sent and the bot's replies, oldest first",
        params: SimParams,
        querystring: Type.Object({ userId: Type.Optional(Type.String()) }),
        response: {
          200: Type.Object({
            conversationId: Type.Union([Type.String(), Type.Null()]),
            messages: Type.Array(Message),
          }),
          ...errors(404, 409),
        },
      },
    },
    async (request) => {
      const channel = await simulatorChannel(request, request.params.channelId);
      const userId = request.query.userId ?? defaultUser(actor(request).userId);
      const conversation = await context.store.findConversation(channel.id, { userId });
      if (!conversation) return { conversationId: null, messages: [] };
      const rows = await context.store.listMessages(conversation.id);
      return {
        conversationId: conversation.id,
        messages: rows.map((row) => {
          const { tenantId: _t, platformMessageId: _p, ...rest } = toMessage(row);
          return rest;
        }),
      };
    },
  );
}
