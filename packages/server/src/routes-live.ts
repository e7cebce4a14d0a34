/** Live updates (Server-Sent Events per tenant) and the web simulator's API. */

import { toMessage } from '@chatloom/core';
import { Type } from 'typebox';
import { actor } from './auth.js';
import type { ServerContext } from './context.js';
import type { LiveEvent } from './events.js';
import { errors, HttpError } from './http.js';
import { channelOf } from './routes-channels.js';
import { Message } from './routes-conversations.js';
import type { App } from './server.js';
import { simulatorPlatform, simulatorWebhook } from './simulator.js';

const heartbeatMs = 15_000;

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
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), heartbeatMs);
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
        }),
        response: {
          202: Type.Object({ messageId: Type.String(), userId: Type.String() }),
          ...errors(404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const channel = await simulatorChannel(request, request.params.channelId);
      const { text, choice, name, messageId } = request.body;
      if (text === undefined && choice === undefined)
        throw new HttpError(
          422,
          'Send text, or a choice (the id and title of a button or row the bot sent)',
        );
      const userId = request.body.userId ?? defaultUser(actor(request).userId);
      const webhook = simulatorWebhook(
        {
          userId,
          timestamp: context.clock.now(),
          ...(name !== undefined && { name }),
          ...(text !== undefined && { text }),
          ...(choice !== undefined && { choice }),
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
      return reply.status(202).send({ messageId: webhook.messageId, userId });
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
