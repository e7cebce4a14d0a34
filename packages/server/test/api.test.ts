/** The REST API end to end through inject, on SQLite and Postgres: channels, flows, the inbox, the simulator, tools. */
import { windowClosedMessage } from '@chatloom/flow-engine';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Actor,
  actorWithRole,
  echoFlow,
  eventually,
  startServer,
  storeKinds,
  type TestServer,
} from './helpers.js';

describe.each(storeKinds)('API on $name', (kind) => {
  let t: TestServer;
  let admin: Actor;
  let agent: Actor;
  let channelId: string;
  const call = async (
    who: Actor,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ) => {
    const response = await t.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: who.headers,
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    return { status: response.statusCode, body: response.body ? response.json() : undefined };
  };
  const say = async (text: string, userId = 'tester') => {
    const response = await call(admin, 'POST', `/simulator/${channelId}/messages`, {
      userId,
      text,
    });
    expect(response.status).toBe(202);
    return response.body.messageId as string;
  };
  const transcript = async (userId = 'tester') =>
    (await call(admin, 'GET', `/simulator/${channelId}/messages?userId=${userId}`)).body as {
      conversationId: string | null;
      messages: {
        direction: string;
        content: { text?: string; kind: string };
        status: string;
        id: string;
      }[];
    };

  beforeAll(async () => {
    t = await startServer(kind);
    admin = await actorWithRole(t.server, 'global-admin');
    agent = await actorWithRole(t.server, 'agent', { tenantId: admin.tenantId });
    const created = await call(admin, 'POST', '/channels', { platform: 'simulator', name: 'Web' });
    expect(created.status).toBe(201);
    channelId = created.body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  test('channels: secrets never returned; callback URL and verify token for setup; validate', async () => {
    const created = await call(admin, 'POST', '/channels', {
      platform: 'whatsapp',
      name: 'Main number',
      settings: { phoneNumberId: '200000000000002', wabaId: '100000000000001' },
      credentials: { accessToken: 'EAAG-secret', appSecret: 'app-secret-value' },
    });
    expect(created.status).toBe(201);
    const channel = created.body;
    expect(channel.status).toBe('pending');
    expect(channel.callbackUrl).toBe(`http://localhost:80/webhooks/whatsapp/${channel.id}`);
    expect(channel.verifyToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(channel.credentialsSet).toEqual(['accessToken', 'appSecret']);
    const read = await call(admin, 'GET', `/channels/${channel.id}`);
    expect(JSON.stringify(read.body)).not.toMatch(/EAAG-secret|app-secret-value/);
    expect(JSON.stringify((await call(admin, 'GET', '/channels')).body)).not.toMatch(
      /EAAG-secret|app-secret-value/,
    );
    // The Graph API is unreachable in this test: the channel is invalid, with the reason.
    const patched = await call(admin, 'PATCH', `/channels/${channel.id}`, {
      credentials: { accessToken: 'new' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.status).toBe('invalid');
    expect(patched.body.statusDetail).toBeTruthy();
    const stored = await t.server.context.chatloom.getChannel(channel.id);
    expect(stored?.credentials).toMatchObject({
      accessToken: 'new',
      appSecret: 'app-secret-value',
    });
    const sim = await call(admin, 'POST', `/channels/${channelId}/validate`);
    expect(sim.body.status).toBe('good');
    expect((await call(admin, 'POST', `/channels/${channelId}/subscribe`)).status).toBe(409);
    // External API Token of a channel: limited to the channel.
    const token = await call(admin, 'POST', `/channels/${channelId}/api-token`);
    expect(token.status).toBe(200);
    const channelActor = { ...admin, headers: { authorization: `Bearer ${token.body.token}` } };
    const visible = await call(channelActor, 'GET', '/channels');
    expect(visible.body.map((c: { id: string }) => c.id)).toEqual([channelId]);
    expect((await call(channelActor, 'GET', `/channels/${channel.id}`)).status).toBe(404);
    expect((await call(admin, 'GET', `/channels/${channelId}/api-token`)).body.masked).toBe(
      token.body.masked,
    );
  });

  test('flows: validate with diagnostics, create, new versions, publish, deactivate, delete', async () => {
    const invalid = await call(admin, 'POST', '/flows/validate', {
      definition: { ...echoFlow(), startStep: 'nowhere' },
    });
    expect(invalid.body.valid).toBe(false);
    expect(invalid.body.diagnostics.map((d: { code: string }) => d.code)).toContain(
      'flow.start-step-missing',
    );
    const refused = await call(admin, 'POST', '/flows', {
      definition: { ...echoFlow('bad'), startStep: 'nowhere' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.diagnostics.length).toBeGreaterThan(0);
    const created = await call(admin, 'POST', '/flows', { definition: echoFlow('draft') });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'draft',
      latestVersion: 1,
      active: false,
      publishedVersion: null,
    });
    expect((await call(admin, 'POST', '/flows', { definition: echoFlow('draft') })).status).toBe(
      409,
    );
    const v2 = await call(admin, 'PUT', '/flows/draft', {
      definition: { ...echoFlow('draft'), name: 'Echo 2' },
    });
    expect(v2.body).toMatchObject({ latestVersion: 2, versions: [1, 2], name: 'Echo 2' });
    const published = await call(admin, 'POST', '/flows/draft/publish?version=1');
    expect(published.body).toMatchObject({ publishedVersion: 1, active: true });
    const off = await call(admin, 'POST', '/flows/draft/activate', { active: false });
    expect(off.body).toMatchObject({ publishedVersion: null, active: false });
    expect((await call(admin, 'GET', '/flows/draft/versions/2')).body.definition.name).toBe(
      'Echo 2',
    );
    expect((await call(admin, 'DELETE', '/flows/draft')).status).toBe(200);
    expect((await call(admin, 'GET', '/flows/draft')).status).toBe(404);
  });

  test('system messages: set (≤ 3 actions each), read, clear', async () => {
    const tooMany = await call(admin, 'PUT', '/system-messages', {
      invalid: {
        text: { en: 'Sorry?' },
        actions: [1, 2, 3, 4].map((n) => ({ label: { en: `A${n}` }, action: { type: 'end' } })),
      },
    });
    expect(tooMany.status).toBe(422);
    const messages = {
      invalid: { text: { en: 'Please use the buttons' } },
      thankYou: { text: { en: 'Thanks!' } },
      sessionTimeout: { minutes: 10, text: { en: 'Still there?' } },
    };
    expect((await call(admin, 'PUT', '/system-messages', messages)).status).toBe(200);
    expect((await call(admin, 'GET', '/system-messages')).body).toEqual(messages);
    expect((await call(admin, 'DELETE', '/system-messages')).status).toBe(200);
    expect((await call(admin, 'GET', '/system-messages')).body).toBeNull();
  });

  test('the simulator: a flow answers through the pipeline; the inbox sees it; agent actions', async () => {
    expect(
      (await call(admin, 'POST', '/flows', { definition: echoFlow(), publish: true })).status,
    ).toBe(201);
    await say('hello');
    const first = await eventually(async () => {
      const view = await transcript();
      return view.messages.some((m) => m.direction === 'out' && m.status === 'sent') && view;
    });
    expect(first.messages.map((m) => m.content.text)).toEqual(['hello', 'You said: ']);
    const conversationId = first.conversationId!;

    // The same message id twice is one message, one reply.
    const { body } = await call(admin, 'POST', `/simulator/${channelId}/messages`, {
      userId: 'tester',
      text: 'again',
      messageId: 'dup-1',
    });
    await call(admin, 'POST', `/simulator/${channelId}/messages`, {
      userId: 'tester',
      text: 'again',
      messageId: 'dup-1',
    });
    expect(body.messageId).toBe('dup-1');
    const second = await eventually(async () => {
      const view = await transcript();
      return view.messages.length === 4 && view;
    });
    expect(second.messages.map((m) => m.content.text)).toEqual([
      'hello',
      'You said: ',
      'again',
      'You said: again',
    ]);

    // Inbox: list, filter, search, paging.
    const list = await call(agent, 'GET', `/conversations?channelId=${channelId}&q=tester`);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([conversationId]);
    expect((await call(agent, 'GET', '/conversations?status=agent')).body.items).toEqual([]);
    const page1 = await call(agent, 'GET', `/conversations/${conversationId}/messages?limit=3`);
    expect(page1.body.items).toHaveLength(3);
    const page2 = await call(
      agent,
      'GET',
      `/conversations/${conversationId}/messages?limit=3&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    expect([...page2.body.items, ...page1.body.items].length).toBe(4);
    const found = await call(agent, 'GET', '/messages/search?q=AGAIN');
    expect(
      found.body.items.map((m: { content: { text: string } }) => m.content.text).sort(),
    ).toEqual(['You said: again', 'again']);

    // Chatbot switch: only the person in control.
    expect(
      (await call(agent, 'POST', `/conversations/${conversationId}/chatbot`, { enabled: false }))
        .status,
    ).toBe(403);
    const taken = await call(agent, 'POST', `/conversations/${conversationId}/take-control`);
    expect(taken.body).toMatchObject({ status: 'agent', organizerId: agent.userId });
    expect(
      (await call(admin, 'POST', `/conversations/${conversationId}/chatbot`, { enabled: false }))
        .status,
    ).toBe(403);
    const off = await call(agent, 'POST', `/conversations/${conversationId}/chatbot`, {
      enabled: false,
    });
    expect(off.body.chatbotEnabled).toBe(false);
    // The bot is quiet now; the agent answers.
    await say('anyone?');
    const reply = await call(agent, 'POST', `/conversations/${conversationId}/messages`, {
      text: 'Hi, Ana here',
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ sender: 'agent', agentId: agent.userId, status: 'pending' });
    await eventually(async () =>
      (await transcript()).messages.some(
        (m) => m.content.text === 'Hi, Ana here' && m.status === 'sent',
      ),
    );
    expect(
      (await transcript()).messages.filter((m) => m.content.text?.startsWith('You said: anyone')),
    ).toEqual([]);
    // Transfer to another user, then back to the bot.
    const moved = await call(agent, 'POST', `/conversations/${conversationId}/transfer`, {
      userId: admin.userId,
    });
    expect(moved.body.organizerId).toBe(admin.userId);
    expect(
      (
        await call(agent, 'POST', `/conversations/${conversationId}/transfer`, {
          userId: 'stranger',
        })
      ).status,
    ).toBe(422);
    expect(
      (await call(agent, 'POST', `/conversations/${conversationId}/transfer`, { toBot: true })).body
        .status,
    ).toBe('bot');

    // Star and the starred list.
    const messageId = page1.body.items[0].id;
    expect((await call(agent, 'POST', `/messages/${messageId}/star`)).body.starred).toBe(true);
    const starred = await call(agent, 'GET', `/messages/starred?channelId=${channelId}`);
    expect(starred.body.items.map((m: { id: string }) => m.id)).toEqual([messageId]);
    expect(
      (await call(agent, 'GET', `/messages/starred?from=${Date.now() + 60_000}`)).body.items,
    ).toEqual([]);
    expect((await call(agent, 'DELETE', `/messages/${messageId}/star`)).body.starred).toBe(false);

    // Templates: only approved ones of the channel.
    const template = await call(agent, 'POST', `/conversations/${conversationId}/messages`, {
      template: { name: 'hello_world', language: 'en_US' },
    });
    expect(template.status).toBe(201);
    const unknown = await call(agent, 'POST', `/conversations/${conversationId}/messages`, {
      template: { name: 'nope', language: 'en_US' },
    });
    expect(unknown.status).toBe(422);

    // Media from the gallery.
    const media = await call(admin, 'POST', '/media', {
      kind: 'image',
      url: 'https://example.com/menu.png',
      name: 'Menu',
    });
    const sentMedia = await call(agent, 'POST', `/conversations/${conversationId}/messages`, {
      mediaId: media.body.id,
      caption: 'Our menu',
    });
    expect(sentMedia.body.content).toEqual({
      kind: 'media',
      media: 'image',
      url: 'https://example.com/menu.png',
      caption: 'Our menu',
    });
  });

  test('free-form messages outside the 24-hour window are refused with the exact message', async () => {
    await say('hi', 'old-user');
    const view = await eventually(async () => (await transcript('old-user')).conversationId);
    // Move the contact's last message back 25 hours (as if time had passed).
    const { db } = t.server.context;
    await db
      .updateTable('conversations')
      .set({ last_inbound_at: Date.now() - 25 * 3600_000 })
      .where('id', '=', view)
      .execute();
    const refused = await call(agent, 'POST', `/conversations/${view}/messages`, {
      text: 'Hello again',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe(windowClosedMessage);
    expect(windowClosedMessage).toBe(
      'A template message is required outside the 24-hour messaging window.',
    );
    const template = await call(agent, 'POST', `/conversations/${view}/messages`, {
      template: { name: 'hello_world', language: 'en_US' },
    });
    expect(template.status).toBe(201);
  });

  test('quick replies: CRUD, search, channels, bulk delete', async () => {
    const a = await call(agent, 'POST', '/quick-replies', {
      shortcut: '/hours',
      content: 'We open 9 to 5',
      channelIds: [channelId],
    });
    expect(a.status).toBe(201);
    const b = await call(agent, 'POST', '/quick-replies', {
      shortcut: '/thanks',
      content: 'Thank you!',
    });
    expect(
      (await call(agent, 'POST', '/quick-replies', { shortcut: '/thanks', content: 'x' })).status,
    ).toBe(409);
    expect(
      (
        await call(agent, 'POST', '/quick-replies', {
          shortcut: '/x',
          content: 'x',
          channelIds: ['nope'],
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(agent, 'GET', '/quick-replies?q=OPEN')).body.map(
        (q: { shortcut: string }) => q.shortcut,
      ),
    ).toEqual(['/hours']);
    expect(
      (await call(agent, 'GET', '/quick-replies?q=thanks')).body.map(
        (q: { shortcut: string }) => q.shortcut,
      ),
    ).toEqual(['/thanks']);
    expect(
      (await call(agent, 'GET', '/quick-replies?channelId=other')).body.map(
        (q: { shortcut: string }) => q.shortcut,
      ),
    ).toEqual(['/thanks']);
    const patched = await call(agent, 'PATCH', `/quick-replies/${a.body.id}`, {
      content: 'We open 8 to 6',
      channelIds: [],
    });
    expect(patched.body).toMatchObject({ content: 'We open 8 to 6', channelIds: [] });
    const bulk = await call(agent, 'POST', '/quick-replies/bulk-delete', {
      ids: [a.body.id, b.body.id, 'unknown'],
    });
    expect(bulk.body.deleted).toBe(2);
    expect((await call(agent, 'GET', '/quick-replies')).body).toEqual([]);
  });

  test('tools: delayed messages per channel; deleting them is for Global Admins', async () => {
    await say('hi', 'later-user');
    const conversationId = await eventually(
      async () => (await transcript('later-user')).conversationId,
    );
    const at = Date.now() + 3600_000;
    expect(
      (
        await call(agent, 'POST', `/conversations/${conversationId}/messages`, {
          text: 'Reminder',
          at,
        })
      ).status,
    ).toBe(201);
    const channelsAdmin = await actorWithRole(t.server, 'channels-admin', {
      tenantId: admin.tenantId,
    });
    const pending = await call(channelsAdmin, 'GET', `/channels/${channelId}/scheduled`);
    expect(
      pending.body.map((s: { dueAt: number; content: { text: string } }) => [
        s.dueAt,
        s.content.text,
      ]),
    ).toEqual([[at, 'Reminder']]);
    expect((await call(channelsAdmin, 'DELETE', `/channels/${channelId}/scheduled`)).status).toBe(
      403,
    );
    expect((await call(agent, 'DELETE', `/channels/${channelId}/scheduled`)).status).toBe(403);
    expect((await call(admin, 'DELETE', `/channels/${channelId}/scheduled`)).body).toEqual({
      deleted: 1,
    });
    expect((await call(channelsAdmin, 'GET', `/channels/${channelId}/scheduled`)).body).toEqual([]);
    // The cancelled send is a failed message, and a notification.
    const notes = await eventually(async () => {
      const list = await call(agent, 'GET', '/notifications?unread=true');
      return list.body.items.length > 0 && list.body;
    });
    expect(notes.items[0]).toMatchObject({
      kind: 'message.failed',
      body: 'Scheduled message deleted',
    });
    expect((await call(agent, 'POST', '/notifications/read-all')).status).toBe(200);
    expect((await call(agent, 'GET', '/notifications?unread=true')).body.unread).toBe(0);
  });

  test('dashboard figures', async () => {
    const figures = await call(admin, 'GET', '/dashboard');
    expect(figures.status).toBe(200);
    expect(figures.body.messagesIn).toBeGreaterThan(3);
    expect(figures.body.messagesOut).toBeGreaterThan(3);
    expect(figures.body.failed).toBeGreaterThanOrEqual(1);
    expect(figures.body.deliveryRate).toBe(0); // the simulator reports sent only
    expect(figures.body.openConversations).toBeGreaterThanOrEqual(0);
  });
});
