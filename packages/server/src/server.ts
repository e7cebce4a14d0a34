/**
 * `buildServer(config)`: the Fastify app (no `listen`, so tests use `inject`), and
 * `chatloomPlugin`, the same routes for embedders to register in their own Fastify app.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type RawServerDefault,
} from 'fastify';
import { Type } from 'typebox';
import { permissionHook } from './auth.js';
import type { ServerConfig } from './config.js';
import { createServerContext, type ServerContext, type ServerContextOptions } from './context.js';
import { ErrorBody, installErrorHandler } from './http.js';
import { mediaFileRoutes } from './media-files.js';
import type { RoutePermission } from './permissions.js';
import { accountRoutes } from './routes-account.js';
import { channelRoutes } from './routes-channels.js';
import { conversationRoutes } from './routes-conversations.js';
import { flowRoutes } from './routes-flows.js';
import { inboxRoutes } from './routes-inbox.js';
import { liveRoutes } from './routes-live.js';

/** The app type every route module receives. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export const maxWebhookBytes = 3 * 1024 * 1024;
const platforms = ['whatsapp', 'messenger', 'instagram', 'simulator'] as const;

export interface ChatloomPluginOptions {
  context: ServerContext;
}

/**
 * Every route of the reference server: webhooks, health, the REST API under `/api/v1`, its
 * OpenAPI document at `/docs`, live events, and the admin UI when one is built. Register it
 * in your own Fastify app with a context from `createServerContext(config)`; close the
 * context after the app (`buildServer` does both).
 */
export const chatloomPlugin: FastifyPluginAsync<ChatloomPluginOptions> = async (
  parent,
  { context },
) => {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandler(app);
  app.addSchema(ErrorBody);
  const uiDir = context.config.adminUiDir ?? findAdminUi();
  app.addHook('onRoute', (route) => {
    // The docs' own routes are public, and so are the admin UI's files (@fastify/static puts
    // the folder in each file route's config); the UI signs in through the API.
    const staticRoot = (route.config as { rootPath?: unknown } | undefined)?.rootPath;
    const isUiFile =
      uiDir !== undefined &&
      typeof staticRoot === 'string' &&
      resolve(staticRoot) === resolve(uiDir);
    if (route.url.startsWith('/docs') || isUiFile)
      route.config = { ...route.config, permission: 'public' };
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Chatloom API',
        version: '1',
        description:
          'Chatbots and a shared inbox for WhatsApp, Messenger and Instagram. Authenticate with the session cookie (POST /api/v1/auth/login) or `Authorization: Bearer <api token>`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'chatloom_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  app.decorateRequest('principal', null);
  app.addHook('onRequest', permissionHook(context));

  await app.register(webhookRoutes, { context });

  app.get(
    '/health',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness and the database',
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            database: Type.String(),
            pending: Type.Object({
              inbound: Type.Integer(),
              outbox: Type.Integer(),
              timers: Type.Integer(),
            }),
          }),
        },
      },
    },
    async () => ({
      status: 'ok' as const,
      database: context.store.dialect,
      pending: await context.store.countPending(),
    }),
  );

  await app.register(
    async (api) => {
      const typed = api.withTypeProvider<TypeBoxTypeProvider>();
      await accountRoutes(typed, context);
      await channelRoutes(typed, context);
      await flowRoutes(typed, context);
      await conversationRoutes(typed, context);
      await inboxRoutes(typed, context);
      await liveRoutes(typed, context);
    },
    { prefix: '/api/v1' },
  );
  // Uploaded media, public for Meta's fetchers (outside /api/v1: no sign-in).
  await mediaFileRoutes(app, context);

  if (uiDir) {
    await app.register(fastifyStatic, { root: uiDir, wildcard: false });
    app.setNotFoundHandler((request, reply) => {
      // The single-page app routes on the client: unknown GETs outside the API get index.html.
      if (
        request.method === 'GET' &&
        !request.url.startsWith('/api/') &&
        !request.url.startsWith('/webhooks/')
      )
        return reply.sendFile('index.html');
      return reply.status(404).send({
        statusCode: 404,
        error: 'Not Found',
        message: `Route ${request.method}:${request.url} not found`,
      });
    });
  }
};

/** The admin UI's build, when `@chatloom/admin-ui` is installed and built. */
function findAdminUi(): string | undefined {
  const candidates: string[] = [];
  try {
    const require = createRequire(import.meta.url);
    candidates.push(join(dirname(require.resolve('@chatloom/admin-ui/package.json')), 'dist'));
  } catch {
    // Not installed next to the server: try the workspace layout below.
  }
  // In this repository (src/ or dist/ of packages/server), the UI is built in packages/admin-ui/dist.
  candidates.push(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'admin-ui', 'dist'));
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * `/webhooks/{whatsapp|messenger|instagram}/:channelId`: GET handshake, POST events. The body
 * stays raw bytes (signatures are checked on them) and is refused over 3 MB before anything is
 * stored. Core answers: 200 once stored, 401 for a bad signature, 503 if the store failed.
 */
const webhookRoutes: FastifyPluginAsync<ChatloomPluginOptions> = async (parent, { context }) => {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: maxWebhookBytes },
    (_r, body, done) => done(null, body),
  );
  const Params = Type.Object({
    platform: Type.Union(platforms.map((p) => Type.Literal(p))),
    channelId: Type.String({ minLength: 1, maxLength: 100 }),
  });
  app.route({
    method: ['GET', 'POST'],
    url: '/webhooks/:platform/:channelId',
    bodyLimit: maxWebhookBytes,
    config: { permission: 'public' },
    schema: {
      tags: ['webhooks'],
      summary:
        "GET: the platform's webhook verification (hub.challenge). POST: events (raw body, signature-checked, at most 3 MB)",
      params: Params,
    },
    handler: async (request, reply) => {
      const answer = await context.chatloom.handleWebhook(request.params.channelId, {
        method: request.method,
        query: request.query as Record<string, string>,
        headers: request.headers,
        rawBody: Buffer.isBuffer(request.body) ? request.body : new Uint8Array(),
      });
      return reply.status(answer.status).headers(answer.headers).send(answer.body);
    },
  });
};

/** A registered route and the permission it declared. */
export interface RouteInfo {
  method: string;
  url: string;
  permission: RoutePermission | undefined;
}

export type ChatloomServer = App & {
  readonly context: ServerContext;
  /** Every route, as registered (the permission walker test reads it). */
  readonly routeTable: readonly RouteInfo[];
};

export interface BuildServerOptions extends ServerContextOptions {
  /** Give a context made elsewhere (it is closed with the server). */
  context?: ServerContext;
}

/**
 * The reference server's Fastify app: opens the database, migrates, starts the workers and
 * registers every route. `listen` is the caller's (the CLI's) business; tests use `inject`.
 * `close()` stops taking requests, lets in-flight ones finish, then stops the workers and
 * closes the database.
 */
export async function buildServer(
  config: ServerConfig,
  options: BuildServerOptions = {},
): Promise<ChatloomServer> {
  const fastify = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // SSE streams and keep-alive sockets must not hold a shutdown forever.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  const log = fastify.log;
  const context =
    options.context ??
    (await createServerContext(config, {
      ...options,
      logger: options.logger ?? {
        debug: (message, data) => log.debug(data ?? {}, message),
        info: (message, data) => log.info(data ?? {}, message),
        warn: (message, data) => log.warn(data ?? {}, message),
        error: (message, data) => log.error(data ?? {}, message),
      },
    }));
  const routeTable: RouteInfo[] = [];
  fastify.addHook('onRoute', (route) => {
    // Read later: hooks of the plugin (docs) may still set the permission.
    for (const method of [route.method].flat())
      routeTable.push({
        method,
        url: route.url,
        get permission() {
          return route.config?.permission;
        },
      });
  });
  const server = Object.assign(fastify, { context, routeTable }) as ChatloomServer;
  server.addHook('onClose', async () => {
    await context.close();
  });
  await server.register(chatloomPlugin, { context });
  return server;
}
