/** The app itself: webhooks (raw body, limits), health, OpenAPI, shutdown — on SQLite and Postgres. */
import { readFileSync } from 'node:fs';
import { signWebhookBody } from '@chatloom/testkit';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { simulatorWebhook } from '../src/index.js';
import { simulatorCredentials } from '../src/simulator.js';
import { startServer, storeKinds, type TestServer } from './helpers.js';

const fixture = readFileSync(
  new URL('../../../../shared/reference/fixtures/whatsapp-text.json', import.meta.url),
);

describe.each(storeKinds)('server on $name', (kind) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startServer(kind, { workers: false });
  });
  afterEach(async () => {
    await t.close();
  });

  async function whatsappChannel() {
    const { chatloom } = t.server.context;
    const tenant = await chatloom.createTenant({ name: 'Luigi' });
    return chatloom.createChannel({
      tenantId: tenant.id,
      platform: 'whatsapp',
      settings: { phoneNumberId: '200000000000002', wabaId: '100000000000001' },
      credentials: { accessToken: 'token', appSecret: 'app-secret', verifyToken: 'verify-me' },
    });
  }
  const stored = async () => (await t.server.context.store.listInboundEvents()).length;

  test('a signed WhatsApp webhook is stored and acknowledged; a bad signature is 401, nothing stored', async () => {
    const channel = await whatsappChannel();
    const url = `/webhooks/whatsapp/${channel.id}`;
    const bad = await t.server.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhookBody(fixture, 'wrong'),
      },
      payload: fixture,
    });
    expect(bad.statusCode).toBe(401);
    const missing = await t.server.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: fixture,
    });
    expect(missing.statusCode).toBe(401);
    expect(await stored()).toBe(0);
    const good = await t.server.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhookBody(fixture, 'app-secret'),
      },
      payload: fixture,
    });
    expect(good.statusCode).toBe(200);
    expect(await stored()).toBe(1);
    // The exact bytes were stored, not a re-serialised object.
    const [event] = await t.server.context.store.listInboundEvents();
    expect(Buffer.from(event!.raw_body).equals(fixture)).toBe(true);
  });

  test('the GET handshake echoes the challenge with the verify token, 403 without', async () => {
    const channel = await whatsappChannel();
    const ok = await t.server.inject({
      method: 'GET',
      url: `/webhooks/whatsapp/${channel.id}?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444`,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('1158201444');
    const refused = await t.server.inject({
      method: 'GET',
      url: `/webhooks/whatsapp/${channel.id}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
    });
    expect(refused.statusCode).toBe(403);
  });

  test('a body over 3 MB is 413 and nothing is stored; other content types stay raw', async () => {
    const channel = await whatsappChannel();
    const big = Buffer.alloc(4 * 1024 * 1024, 'a');
    const response = await t.server.inject({
      method: 'POST',
      url: `/webhooks/whatsapp/${channel.id}`,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhookBody(big, 'app-secret'),
      },
      payload: big,
    });
    expect(response.statusCode).toBe(413);
    expect(await stored()).toBe(0);
    const text = await t.server.inject({
      method: 'POST',
      url: `/webhooks/whatsapp/${channel.id}`,
      headers: {
        'content-type': 'text/plain',
        'x-hub-signature-256': signWebhookBody(fixture, 'app-secret'),
      },
      payload: fixture,
    });
    expect(text.statusCode).toBe(200);
    expect(await stored()).toBe(1);
  });

  test('unknown channel 404, unknown platform 400, other methods refused', async () => {
    expect(
      (await t.server.inject({ method: 'POST', url: '/webhooks/whatsapp/nope', payload: '{}' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await t.server.inject({ method: 'POST', url: '/webhooks/telegram/x', payload: '{}' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await t.server.inject({ method: 'PUT', url: '/webhooks/whatsapp/x', payload: '{}' }))
        .statusCode,
    ).toBe(404);
  });

  test('the simulator channel takes signed webhooks through the same route', async () => {
    const { chatloom } = t.server.context;
    const tenant = await chatloom.createTenant({ name: 'Sim' });
    const credentials = simulatorCredentials();
    const channel = await chatloom.createChannel({
      tenantId: tenant.id,
      platform: 'simulator',
      credentials,
    });
    const { rawBody, headers } = simulatorWebhook(
      { userId: 'u1', text: 'hi', timestamp: Date.now() },
      credentials.appSecret,
    );
    const response = await t.server.inject({
      method: 'POST',
      url: `/webhooks/simulator/${channel.id}`,
      headers,
      payload: rawBody,
    });
    expect(response.statusCode).toBe(200);
    await chatloom.drain();
    const conversation = await chatloom.findConversation(channel.id, { userId: 'u1' });
    expect(conversation).toBeDefined();
  });

  test('health answers with the database and pending work', async () => {
    const response = await t.server.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ok',
      database: kind.name,
      pending: { inbound: 0, outbox: 0, timers: 0 },
    });
  });

  test('OpenAPI at /docs, every API route documented with its schemas', async () => {
    const html = await t.server.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(html.statusCode);
    const spec = (await t.server.inject({ method: 'GET', url: '/docs/json' })).json() as {
      openapi: string;
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.paths['/webhooks/{platform}/{channelId}']).toBeDefined();
    expect(spec.paths['/api/v1/auth/login']?.post?.responses?.['200']).toBeDefined();
  });

  test('unauthenticated API calls are 401 with a way forward', async () => {
    const response = await t.server.inject({ method: 'GET', url: '/api/v1/users' });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toMatch(/Sign in/);
  });
});

describe('graceful shutdown', () => {
  test('close() stops the workers and closes the database', async () => {
    const [kind] = storeKinds;
    const t = await startServer(kind!);
    const { store } = t.server.context;
    await t.close();
    await expect(store.getTenant('x')).rejects.toThrow();
  });
});
