/**
 * What the inbox's composer needs beyond text, on SQLite and Postgres: a channel's templates
 * (texts and `{{n}}` placeholders) from the WhatsApp adapter against the fake Graph API and from
 * the simulator, template sends checked against them, and a media message's file (a redirect to
 * its URL, or the platform's copy fetched by media id).
 */
import { createFakeGraphApi, type FakeGraphApi } from '@chatloom/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Actor,
  actorWithRole,
  eventually,
  startServer,
  storeKinds,
  type TestServer,
  whatsappChannelOnFake,
} from './helpers.js';

const appSecret = 'inbox-templates-secret';
const accessToken = 'inbox-templates-token';

describe.each(storeKinds)('templates and media for the inbox on $name', (kind) => {
  let t: TestServer;
  let fake: FakeGraphApi;
  let admin: Actor;
  let agent: Actor;
  let whatsappId: string;
  let simulatorId: string;
  const call = async (
    who: Actor,
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    payload?: unknown,
  ) => {
    const response = await t.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: who.headers,
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      raw: response.rawPayload,
      body: response.headers['content-type']?.toString().startsWith('application/json')
        ? response.json()
        : undefined,
    };
  };

  beforeAll(async () => {
    fake = await createFakeGraphApi({ appSecret, accessToken, messagesPerSecond: 0 });
    fake.templates.add({
      name: 'order_update',
      components: [
        {
          type: 'BODY',
          text: 'Hi {{1}}, order {{2}} is ready.',
          example: { body_text: [['Ana', '4711']] },
        },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Thanks' }] },
      ],
    });
    fake.templates.add({ name: 'later', status: 'PENDING' });
    t = await startServer(kind, { config: { graphApiBaseUrl: fake.url } });
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    admin = await actorWithRole(t.server, 'global-admin');
    agent = await actorWithRole(t.server, 'agent', { tenantId: admin.tenantId });
    whatsappId = await whatsappChannelOnFake(t, admin, fake, { accessToken, appSecret });
    const simulator = await call(admin, 'POST', '/channels', {
      platform: 'simulator',
      name: 'Web',
    });
    simulatorId = simulator.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  test("lists a WhatsApp channel's templates with their texts and placeholders", async () => {
    const all = await call(agent, 'GET', `/channels/${whatsappId}/templates`);
    expect(all.status).toBe(200);
    expect(all.body.map((x: { name: string; status: string }) => [x.name, x.status])).toEqual(
      expect.arrayContaining([
        ['hello_world', 'approved'],
        ['order_update', 'approved'],
        ['later', 'pending'],
      ]),
    );
    const approved = await call(agent, 'GET', `/channels/${whatsappId}/templates?status=approved`);
    expect(approved.body.map((x: { name: string }) => x.name).sort()).toEqual([
      'hello_world',
      'order_update',
    ]);
    const hello = approved.body.find((x: { name: string }) => x.name === 'hello_world');
    expect(hello).toMatchObject({
      language: 'en_US',
      header: 'Hello World',
      footer: 'WhatsApp Business Platform sample message',
      placeholders: [],
    });
    expect(hello.body).toMatch(/^Welcome and congratulations!!/);
    expect(approved.body.find((x: { name: string }) => x.name === 'order_update')).toMatchObject({
      body: 'Hi {{1}}, order {{2}} is ready.',
      placeholders: ['1', '2'],
      buttons: ['Thanks'],
      header: null,
    });
  });

  test("lists the simulator's templates; another tenant's channel is not found", async () => {
    const list = await call(agent, 'GET', `/channels/${simulatorId}/templates?status=approved`);
    expect(list.status).toBe(200);
    expect(list.body.find((x: { name: string }) => x.name === 'order_update')).toMatchObject({
      placeholders: ['1', '2'],
    });
    const stranger = await actorWithRole(t.server, 'global-admin');
    const hidden = await call(stranger, 'GET', `/channels/${simulatorId}/templates`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.message).toBe(`Channel "${simulatorId}" not found`);
  });

  test('a template send needs one parameter per placeholder, and is stored with them', async () => {
    // The simulated user wrote 25 hours ago: the window is closed.
    const wrote = Date.now() - 25 * 3600_000;
    const said = await call(admin, 'POST', `/simulator/${simulatorId}/messages`, {
      userId: 'tpl-user',
      text: 'hello',
      timestamp: wrote,
    });
    expect(said.status).toBe(202);
    const conversationId = await eventually(
      async () =>
        (await call(admin, 'GET', `/simulator/${simulatorId}/messages?userId=tpl-user`)).body
          .conversationId as string | null,
    );
    expect((await call(agent, 'GET', `/conversations/${conversationId}`)).body.lastInboundAt).toBe(
      wrote,
    );
    const text = await call(agent, 'POST', `/conversations/${conversationId}/messages`, {
      text: 'Are you there?',
    });
    expect(text.status).toBe(422);
    expect(text.body.message).toBe(
      'A template message is required outside the 24-hour messaging window.',
    );
    const short = await call(agent, 'POST', `/conversations/${conversationId}/messages`, {
      template: { name: 'order_update', language: 'en_US', parameters: ['Ana'] },
    });
    expect(short.status).toBe(422);
    expect(short.body.message).toBe(
      'Template "order_update" (en_US) takes 2 parameter(s) ({{1}}, {{2}}); got 1',
    );
    const pending = await call(agent, 'POST', `/conversations/${conversationId}/messages`, {
      template: { name: 'spring_offer', language: 'en_US', parameters: ['Ana'] },
    });
    expect(pending.status).toBe(422);
    expect(pending.body.message).toBe(
      'Template "spring_offer" (en_US) is not an approved template of this channel',
    );
    const sent = await call(agent, 'POST', `/conversations/${conversationId}/messages`, {
      template: { name: 'order_update', language: 'en_US', parameters: ['Ana', '4711'] },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.content).toEqual({
      kind: 'template',
      name: 'order_update',
      language: 'en_US',
      parameters: ['Ana', '4711'],
    });
  });

  test("a customer's HTML or SVG file is a download, never a page on our origin", async () => {
    const html = '<script>fetch("/api/v1/users")</script>';
    for (const [mimeType, filename] of [
      ['text/html', "../inv'oice (1).html"],
      ['image/svg+xml', undefined],
    ] as const) {
      const from = mimeType === 'text/html' ? '15550004321' : '15550004322';
      await fake.whatsapp.userSends({
        from,
        media: {
          kind: mimeType === 'text/html' ? 'document' : 'image',
          mimeType,
          data: html,
          ...(filename !== undefined && { filename }),
        },
      });
      const message = await eventually(async () => {
        const page = await call(agent, 'GET', `/conversations?q=${from}`);
        const conversation = page.body.items[0] as { id: string } | undefined;
        if (!conversation) return undefined;
        const messages = await call(agent, 'GET', `/conversations/${conversation.id}/messages`);
        return (messages.body.items as { id: string; type: string }[]).find(
          (m) => m.type === 'media',
        );
      });
      const file = await call(agent, 'GET', `/messages/${message.id}/media`);
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe('application/octet-stream');
      expect(file.headers['content-disposition']).toBe(
        filename === undefined
          ? `attachment; filename*=UTF-8''media-${message.id}`
          : "attachment; filename*=UTF-8''inv%27oice%20%281%29.html",
      );
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(file.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
      expect(file.raw.toString()).toBe(html);
    }
  });

  test('transfer targets: active users whose role handles conversations', async () => {
    const channels = await actorWithRole(t.server, 'channels-admin', { tenantId: admin.tenantId });
    const targets = await call(agent, 'GET', '/conversations/transfer-targets');
    expect(targets.status).toBe(200);
    const ids = targets.body.map((u: { id: string }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([admin.userId, agent.userId]));
    expect(ids).not.toContain(channels.userId);
    expect(targets.body[0]).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      email: expect.stringContaining('@'),
    });
    expect((await call(channels, 'GET', '/conversations/transfer-targets')).status).toBe(403);
  });

  test('a conversation is not handed to a deactivated user', async () => {
    const away = await actorWithRole(t.server, 'agent', { tenantId: admin.tenantId });
    await call(admin, 'PATCH', `/users/${away.userId}`, { name: 'Away Agent' });
    expect((await call(admin, 'POST', `/users/${away.userId}/deactivate`)).status).toBe(200);
    await call(admin, 'POST', `/simulator/${simulatorId}/messages`, {
      userId: 'transfer-user',
      text: 'hello',
    });
    const conversationId = await eventually(
      async () =>
        (await call(admin, 'GET', `/simulator/${simulatorId}/messages?userId=transfer-user`)).body
          .conversationId as string | null,
    );
    const refused = await call(agent, 'POST', `/conversations/${conversationId}/transfer`, {
      userId: away.userId,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe(
      'Away Agent is deactivated in this tenant; hand the conversation to an active user',
    );
    const conversation = await call(agent, 'GET', `/conversations/${conversationId}`);
    expect(conversation.body.organizerId).toBeNull();

    expect((await call(admin, 'POST', `/users/${away.userId}/reactivate`)).status).toBe(200);
    const moved = await call(agent, 'POST', `/conversations/${conversationId}/transfer`, {
      userId: away.userId,
    });
    expect(moved.status).toBe(200);
    expect(moved.body.organizerId).toBe(away.userId);
  });

  test("a media message's file: its URL, or the platform's copy; other messages have none", async () => {
    // An inbound WhatsApp image: only a media id, fetched through the Graph API.
    await fake.whatsapp.userSends({
      from: '15550001234',
      media: { kind: 'image', mimeType: 'image/png', data: 'PNG-BYTES', caption: 'my pizza' },
    });
    const conversation = await eventually(async () => {
      const page = await call(agent, 'GET', `/conversations?channelId=${whatsappId}&q=15550001234`);
      return page.body.items[0] as { id: string } | undefined;
    });
    const image = await eventually(async () => {
      const page = await call(agent, 'GET', `/conversations/${conversation.id}/messages`);
      return (page.body.items as { id: string; type: string }[]).find((m) => m.type === 'media');
    });
    const file = await call(agent, 'GET', `/messages/${image.id}/media`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['content-disposition']).toBe(`inline; filename*=UTF-8''media-${image.id}`);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(file.raw.toString()).toBe('PNG-BYTES');

    // An outbound gallery item: a redirect to its URL.
    const media = await call(admin, 'POST', '/media', {
      kind: 'document',
      url: 'https://example.com/menu.pdf',
      name: 'Menu',
      filename: 'menu.pdf',
    });
    const sent = await call(agent, 'POST', `/conversations/${conversation.id}/messages`, {
      mediaId: media.body.id,
    });
    expect(sent.status).toBe(201);
    const redirect = await call(agent, 'GET', `/messages/${sent.body.id}/media`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('https://example.com/menu.pdf');

    const text = await call(agent, 'POST', `/conversations/${conversation.id}/messages`, {
      text: 'Looks great',
    });
    const none = await call(agent, 'GET', `/messages/${text.body.id}/media`);
    expect(none.status).toBe(404);
    expect(none.body.message).toBe(`Media of message "${text.body.id}" not found`);
  });
});
