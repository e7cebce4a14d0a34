/** Channels: create, list, read (secrets never returned), update and validate, subscribe, External API Token. */
import { randomBytes } from 'node:crypto';
import type { ChannelRecord } from '@chatloom/core';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actor, type Principal } from './auth.js';
import type { ServerContext } from './context.js';
import { errors, HttpError, IdParams, notFound } from './http.js';
import {
  ApiToken,
  ApiTokenWithSecret,
  issueApiToken,
  rotateApiToken,
  toApiToken,
} from './routes-account.js';
import type { App } from './server.js';
import { simulatorCredentials, simulatorPlatform } from './simulator.js';

const platforms = ['whatsapp', 'messenger', 'instagram', simulatorPlatform] as const;

export const Channel = Type.Object({
  id: Type.String(),
  platform: Type.String(),
  name: Type.String(),
  settings: Type.Record(Type.String(), Type.Unknown()),
  status: Type.Union([Type.Literal('pending'), Type.Literal('good'), Type.Literal('invalid')]),
  statusDetail: Type.Union([Type.String(), Type.Null()]),
  subscribed: Type.Boolean(),
  /** Where the platform posts webhooks: paste it in the app's webhook setup. */
  callbackUrl: Type.String(),
  /** The string the platform's setup asks for with the callback URL. */
  verifyToken: Type.Union([Type.String(), Type.Null()]),
  /** Names of the secrets that are set; their values are never returned. */
  credentialsSet: Type.Array(Type.String()),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
});

/** The base URL people and Meta reach this server at. */
export function publicBaseUrl(context: ServerContext, request: FastifyRequest): string {
  return context.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

export function toChannel(context: ServerContext, request: FastifyRequest, channel: ChannelRecord) {
  return {
    id: channel.id,
    platform: channel.platform,
    name: channel.name,
    settings: channel.settings,
    status: channel.status,
    statusDetail: channel.statusDetail,
    subscribed: channel.subscribed,
    callbackUrl: `${publicBaseUrl(context, request)}/webhooks/${channel.platform}/${channel.id}`,
    verifyToken: channel.credentials.verifyToken ?? null,
    credentialsSet: Object.keys(channel.credentials)
      .filter((name) => name !== 'verifyToken' && channel.credentials[name] !== '')
      .sort(),
    createdAt: channel.createdAt,
    updatedAt: channel.updatedAt,
  };
}

/** A channel of the principal's tenant (and, for a channel token, its channel), or 404. */
export async function channelOf(
  context: ServerContext,
  principal: Principal & { tenantId: string },
  id: string,
): Promise<ChannelRecord> {
  const channel = await context.chatloom.getChannel(id);
  if (
    !channel ||
    channel.tenantId !== principal.tenantId ||
    (principal.channelId !== null && principal.channelId !== channel.id)
  )
    throw notFound(`Channel "${id}"`);
  return channel;
}

const Settings = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'Non-secret settings: WhatsApp phoneNumberId, wabaId; Messenger pageId; Instagram instagramAccountId (pageId, host)',
});
const Credentials = Type.Record(Type.String(), Type.String({ maxLength: 4096 }), {
  description:
    'Secrets: accessToken, appSecret (Instagram: instagramAppSecret), verifyToken (generated when left out). Stored encrypted, never returned.',
});

export async function channelRoutes(app: App, context: ServerContext): Promise<void> {
  const { chatloom } = context;

  app.get(
    '/channels',
    {
      config: { permission: 'channels.read' },
      schema: {
        tags: ['channels'],
        summary: "The tenant's channels",
        response: { 200: Type.Array(Channel) },
      },
    },
    async (request) => {
      const principal = actor(request);
      const channels = await context.store.listChannels(principal.tenantId);
      return channels
        .filter((c) => principal.channelId === null || c.id === principal.channelId)
        .map((c) => toChannel(context, request, c));
    },
  );

  app.post(
    '/channels',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags: ['channels'],
        summary: 'Add a channel (status pending until validated)',
        body: Type.Object({
          platform: Type.Union(platforms.map((p) => Type.Literal(p))),
          name: Type.String({ minLength: 1, maxLength: 200 }),
          settings: Type.Optional(Settings),
          credentials: Type.Optional(Credentials),
        }),
        response: { 201: Channel, ...errors(400, 422) },
      },
    },
    async (request, reply) => {
      const { tenantId } = actor(request);
      const { platform, name } = request.body;
      const credentials =
        platform === simulatorPlatform
          ? simulatorCredentials()
          : {
              verifyToken: randomBytes(16).toString('base64url'),
              ...request.body.credentials,
            };
      const channel = await chatloom.createChannel({
        tenantId,
        platform,
        name,
        settings: request.body.settings ?? {},
        credentials,
      });
      return reply.status(201).send(toChannel(context, request, channel));
    },
  );

  app.get(
    '/channels/:id',
    {
      config: { permission: 'channels.read' },
      schema: { tags: ['channels'], params: IdParams, response: { 200: Channel, ...errors(404) } },
    },
    async (request) =>
      toChannel(context, request, await channelOf(context, actor(request), request.params.id)),
  );

  app.patch(
    '/channels/:id',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags: ['channels'],
        summary:
          'Change a channel; new settings or credentials are checked with the platform at once (status good, or invalid with its reason)',
        params: IdParams,
        body: Type.Object({
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          settings: Type.Optional(Settings),
          credentials: Type.Optional(Credentials),
        }),
        response: { 200: Channel, ...errors(404) },
      },
    },
    async (request) => {
      const channel = await channelOf(context, actor(request), request.params.id);
      const { name, settings, credentials } = request.body;
      await chatloom.updateChannel(channel.id, {
        ...(name !== undefined && { name }),
        ...(settings !== undefined && { settings: { ...channel.settings, ...settings } }),
        // Secrets left out keep their values: the client never sees them to send them back.
        ...(credentials !== undefined && {
          credentials: { ...channel.credentials, ...credentials },
        }),
      });
      if (settings !== undefined || credentials !== undefined)
        await chatloom.validateChannel(channel.id);
      return toChannel(context, request, (await chatloom.getChannel(channel.id))!);
    },
  );

  app.post(
    '/channels/:id/validate',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags: ['channels'],
        summary: "Check the channel's credentials with the platform",
        params: IdParams,
        response: { 200: Channel, ...errors(404) },
      },
    },
    async (request) => {
      const channel = await channelOf(context, actor(request), request.params.id);
      await chatloom.validateChannel(channel.id);
      return toChannel(context, request, (await chatloom.getChannel(channel.id))!);
    },
  );

  app.post(
    '/channels/:id/subscribe',
    {
      config: { permission: 'channels.manage' },
      schema: {
        tags: ['channels'],
        summary:
          "Subscribe the platform's webhooks to this server (WhatsApp subscribed_apps, Page subscriptions)",
        params: IdParams,
        querystring: Type.Object({
          overrideCallbackUrl: Type.Optional(
            Type.Boolean({
              description: 'Ask the platform to post to this channel’s callback URL (default true)',
            }),
          ),
        }),
        response: { 200: Channel, ...errors(404, 409, 502) },
      },
    },
    async (request) => {
      const channel = await channelOf(context, actor(request), request.params.id);
      const adapter = context.adapters.get(channel.platform);
      if (!adapter?.subscribe)
        throw new HttpError(409, `${channel.platform} channels have no webhook subscription`);
      const view = toChannel(context, request, channel);
      try {
        await chatloom.subscribeChannel(
          channel.id,
          request.query.overrideCallbackUrl === false
            ? {}
            : {
                callbackUrl: view.callbackUrl,
                ...(view.verifyToken && { verifyToken: view.verifyToken }),
              },
        );
      } catch (error) {
        throw new HttpError(
          502,
          `The platform refused the subscription: ${(error as Error).message}`,
        );
      }
      return toChannel(context, request, (await chatloom.getChannel(channel.id))!);
    },
  );

  // The channel's External API Token: an API token limited to this channel.
  const tokenOf = (tenantId: string, channelId: string) =>
    context.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('channel_id', '=', channelId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();

  app.get(
    '/channels/:id/api-token',
    {
      config: { permission: 'api-tokens.manage' },
      schema: {
        tags: ['channels'],
        summary: "The channel's External API Token, masked (null when none)",
        params: IdParams,
        response: { 200: Type.Union([ApiToken, Type.Null()]), ...errors(404) },
      },
    },
    async (request) => {
      const principal = actor(request);
      const channel = await channelOf(context, principal, request.params.id);
      const row = await tokenOf(principal.tenantId, channel.id);
      return row ? toApiToken(row) : null;
    },
  );

  app.post(
    '/channels/:id/api-token',
    {
      config: { permission: 'api-tokens.manage' },
      schema: {
        tags: ['channels'],
        summary: 'Generate the channel’s External API Token (or rotate the existing one)',
        params: IdParams,
        response: { 200: ApiTokenWithSecret, ...errors(404) },
      },
    },
    async (request) => {
      const principal = actor(request);
      const channel = await channelOf(context, principal, request.params.id);
      const existing = await tokenOf(principal.tenantId, channel.id);
      if (existing) return rotateApiToken(context, existing);
      return issueApiToken(context, {
        tenantId: principal.tenantId,
        userId: principal.userId,
        channelId: channel.id,
        name: `${channel.name} External API Token`,
      });
    },
  );
}
