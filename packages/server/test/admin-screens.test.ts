/**
 * What the admin screens rely on, on SQLite and Postgres: deactivating and reactivating users,
 * the tenant always keeping an active Global Admin, and the dashboard's per-day series and
 * recent activity.
 */
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

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

describe.each(storeKinds)('admin screens on $name', (kind) => {
  let t: TestServer;
  let admin: Actor;
  const call = async (who: Actor | null, method: Method, url: string, payload?: unknown) => {
    const response = await t.server.inject({
      method,
      url: `/api/v1${url}`,
      ...(who && { headers: who.headers }),
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    return { status: response.statusCode, body: response.body ? response.json() : undefined };
  };
  const login = (email: string, password: string) =>
    t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

  beforeAll(async () => {
    t = await startServer(kind);
    admin = await actorWithRole(t.server, 'global-admin');
  });
  afterAll(async () => {
    await t.close();
  });

  test('a deactivated user cannot sign in, loses sessions and tokens, and is reactivated', async () => {
    const created = await call(admin, 'POST', '/users', {
      email: 'dee@example.com',
      name: 'Dee',
      password: 'long enough password',
      roleId: 'agent',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ active: true, deactivatedAt: null, roleName: 'Agent' });
    const id = created.body.id as string;
    const signedIn = await login('dee@example.com', 'long enough password');
    expect(signedIn.statusCode).toBe(200);
    const cookies = {
      chatloom_session: signedIn.cookies.find((c) => c.name === 'chatloom_session')!.value,
    };
    const { issueApiToken } = await import('../src/routes-account.js');
    const { token } = await issueApiToken(t.server.context, {
      tenantId: admin.tenantId,
      userId: id,
      name: 'Dee token',
    });
    const dee = { ...admin, headers: { authorization: `Bearer ${token}` } };
    expect((await call(dee, 'GET', '/conversations')).status).toBe(200);

    const off = await call(admin, 'POST', `/users/${id}/deactivate`);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(off.body.deactivatedAt).toEqual(expect.any(Number));
    // Signed out at once, and the token stops working.
    const me = await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', cookies });
    expect(me.statusCode).toBe(401);
    expect((await call(dee, 'GET', '/conversations')).status).toBe(401);
    const refused = await login('dee@example.com', 'long enough password');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().message).toMatch(/deactivated/);
    // A wrong password still says only that.
    expect((await login('dee@example.com', 'wrong password')).json().message).toBe(
      'Wrong email or password',
    );
    // Listed, marked inactive; adding the same email again points to reactivation.
    const list = await call(admin, 'GET', '/users');
    expect(list.body.find((u: { id: string }) => u.id === id)).toMatchObject({ active: false });
    const again = await call(admin, 'POST', '/users', {
      email: 'dee@example.com',
      name: 'Dee',
      password: 'long enough password',
      roleId: 'agent',
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/reactivate/);

    const on = await call(admin, 'POST', `/users/${id}/reactivate`);
    expect(on.body).toMatchObject({ active: true, deactivatedAt: null, roleId: 'agent' });
    expect((await login('dee@example.com', 'long enough password')).statusCode).toBe(200);
    expect((await call(dee, 'GET', '/conversations')).status).toBe(200);
  });

  test('deactivation is per tenant: the user still signs in to their other tenant', async () => {
    const other = await actorWithRole(t.server, 'agent');
    const here = await call(admin, 'POST', '/users', {
      email: other.email,
      name: 'Two tenants',
      password: 'ignored for an existing account',
      roleId: 'agent',
    });
    expect(here.status).toBe(201);
    expect((await call(admin, 'POST', `/users/${here.body.id}/deactivate`)).status).toBe(200);
    const signedIn = await login(other.email, other.password);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().tenantId).toBe(other.tenantId);
    expect(signedIn.json().tenants.map((x: { id: string }) => x.id)).toEqual([other.tenantId]);
    // Picking the deactivated tenant is refused.
    const cookies = {
      chatloom_session: signedIn.cookies.find((c) => c.name === 'chatloom_session')!.value,
    };
    const pick = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/tenant',
      cookies,
      payload: { tenantId: admin.tenantId },
    });
    expect(pick.statusCode).toBe(404);
  });

  test('the tenant keeps an active Global Admin; nobody deactivates themselves', async () => {
    expect((await call(admin, 'POST', `/users/${admin.userId}/deactivate`)).body.message).toBe(
      'You cannot deactivate yourself',
    );
    // A user manager who is not a Global Admin tries to take the last one away.
    const role = await call(admin, 'POST', '/roles', {
      name: 'User manager',
      permissions: ['users.read', 'users.manage'],
    });
    expect(role.status).toBe(201);
    const manager = await actorWithRole(t.server, role.body.id, { tenantId: admin.tenantId });
    for (const [method, url, payload] of [
      ['PATCH', `/users/${admin.userId}`, { roleId: 'agent' }],
      ['POST', `/users/${admin.userId}/deactivate`, undefined],
      ['DELETE', `/users/${admin.userId}`, undefined],
    ] as const) {
      const refused = await call(manager, method, url, payload);
      expect(refused.status, `${method} ${url}`).toBe(409);
      expect(refused.body.message).toMatch(/last active Global Admin/);
    }
    // A second Global Admin, once deactivated, does not count.
    const second = await actorWithRole(t.server, 'global-admin', { tenantId: admin.tenantId });
    expect((await call(manager, 'POST', `/users/${second.userId}/deactivate`)).status).toBe(200);
    expect(
      (await call(manager, 'PATCH', `/users/${admin.userId}`, { roleId: 'agent' })).status,
    ).toBe(409);
    // Reactivated, the admin may be given another role.
    expect((await call(manager, 'POST', `/users/${second.userId}/reactivate`)).status).toBe(200);
    const changed = await call(manager, 'PATCH', `/users/${admin.userId}`, { roleId: 'agent' });
    expect(changed.status).toBe(200);
    expect(changed.body.roleName).toBe('Agent');
    expect(
      (await call(second, 'PATCH', `/users/${admin.userId}`, { roleId: 'global-admin' })).status,
    ).toBe(200);
  });

  test('two Global Admins deactivating each other at once: one succeeds, the other is refused', async () => {
    for (let round = 0; round < 3; round++) {
      const first = await actorWithRole(t.server, 'global-admin');
      const second = await actorWithRole(t.server, 'global-admin', { tenantId: first.tenantId });
      const answers = await Promise.all([
        call(first, 'POST', `/users/${second.userId}/deactivate`),
        call(second, 'POST', `/users/${first.userId}/deactivate`),
      ]);
      // One succeeds. The other is refused by the guard (409), or, when the first committed
      // before it was even authenticated, because its author is deactivated already (401).
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses[0]).toBe(200);
      expect([401, 409]).toContain(statuses[1]);
      const guarded = answers.find((a) => a.status === 409);
      if (guarded) expect(guarded.body.message).toMatch(/last active Global Admin/);
      const users = await call(answers[0]!.status === 200 ? first : second, 'GET', '/users');
      expect(
        (users.body as { roleId: string; active: boolean }[]).filter(
          (u) => u.roleId === 'global-admin' && u.active,
        ),
      ).toHaveLength(1);
    }
    // A user manager removing and demoting the only two at once: one of them stays.
    const first = await actorWithRole(t.server, 'global-admin');
    const second = await actorWithRole(t.server, 'global-admin', { tenantId: first.tenantId });
    const role = await call(first, 'POST', '/roles', {
      name: 'User manager',
      permissions: ['users.read', 'users.manage'],
    });
    const manager = await actorWithRole(t.server, role.body.id, { tenantId: first.tenantId });
    const answers = await Promise.all([
      call(manager, 'DELETE', `/users/${first.userId}`),
      call(manager, 'PATCH', `/users/${second.userId}`, { roleId: 'agent' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
  });

  test('dashboard: messages per day in the viewer offset, and recent activity by permission', async () => {
    const owner = await actorWithRole(t.server, 'global-admin');
    const channel = await call(owner, 'POST', '/channels', { platform: 'simulator', name: 'Web' });
    const channelId = channel.body.id as string;
    await call(owner, 'POST', '/flows', { definition: echoFlow(), publish: true });
    const say = async (text: string, count: number) => {
      await call(owner, 'POST', `/simulator/${channelId}/messages`, {
        userId: 'day-user',
        name: 'Day User',
        text,
      });
      return eventually(async () => {
        const view = (await call(owner, 'GET', `/simulator/${channelId}/messages?userId=day-user`))
          .body as { messages: { id: string; direction: string }[] };
        return view.messages.length >= count && view.messages;
      });
    };
    await say('hi', 2);
    const messages = await say('again', 4);
    expect(messages.map((m) => m.direction)).toEqual(['in', 'out', 'in', 'out']);

    // Place the four messages around midnight UTC of 2026-01-10/11.
    const day = 24 * 3600_000;
    const base = Date.UTC(2026, 0, 10);
    const at = [base + 3600_000, base + 3601_000, base + 23.5 * 3600_000, base + 24.5 * 3600_000];
    for (const [i, message] of messages.entries())
      await t.server.context.db
        .updateTable('messages')
        .set({ created_at: at[i]! })
        .where('id', '=', message.id)
        .execute();

    const utc = await call(owner, 'GET', `/dashboard?from=${base}&to=${base + 3 * day}`);
    expect(utc.status).toBe(200);
    expect(utc.body).toMatchObject({ messagesIn: 2, messagesOut: 2 });
    expect(utc.body.series).toEqual([
      { date: '2026-01-10', start: base, messagesIn: 2, messagesOut: 1 },
      { date: '2026-01-11', start: base + day, messagesIn: 0, messagesOut: 1 },
      { date: '2026-01-12', start: base + 2 * day, messagesIn: 0, messagesOut: 0 },
    ]);
    // UTC+1: the 23:30 message is on the 11th; UTC-2: the 01:00 pair is on the 9th.
    const plusOne = await call(
      owner,
      'GET',
      `/dashboard?from=${base - 3600_000}&to=${base - 3600_000 + 2 * day}&utcOffsetMinutes=60`,
    );
    expect(plusOne.body.series).toEqual([
      { date: '2026-01-10', start: base - 3600_000, messagesIn: 1, messagesOut: 1 },
      { date: '2026-01-11', start: base - 3600_000 + day, messagesIn: 1, messagesOut: 1 },
    ]);
    const minusTwo = await call(
      owner,
      'GET',
      `/dashboard?from=${base - day + 2 * 3600_000}&to=${base + day + 2 * 3600_000}&utcOffsetMinutes=-120`,
    );
    expect(
      minusTwo.body.series.map((d: { date: string; messagesIn: number; messagesOut: number }) => [
        d.date,
        d.messagesIn,
        d.messagesOut,
      ]),
    ).toEqual([
      ['2026-01-09', 1, 1],
      ['2026-01-10', 1, 1],
    ]);

    // By default: seven days ending today.
    const week = await call(owner, 'GET', '/dashboard');
    expect(week.body.series).toHaveLength(7);
    expect(week.body.series.at(-1).date).toBe(new Date().toISOString().slice(0, 10));
    expect(week.body.messagesIn).toBe(0); // the messages were moved to 2026-01

    // Recent activity: newest first, with the contact and the text.
    expect(week.body.recent).toHaveLength(4);
    expect(week.body.recent[0]).toMatchObject({ direction: 'out', contactName: 'Day User' });
    expect(week.body.recent[1]).toMatchObject({
      direction: 'in',
      preview: 'again',
      conversationId: expect.any(String),
      channelId,
    });
    // A role without conversations.read sees figures, not messages.
    const channelsAdmin = await actorWithRole(t.server, 'channels-admin', {
      tenantId: owner.tenantId,
    });
    const figures = await call(channelsAdmin, 'GET', '/dashboard');
    expect(figures.status).toBe(200);
    expect(figures.body.recent).toBeNull();
    expect(figures.body.series).toHaveLength(7);

    const backwards = await call(owner, 'GET', `/dashboard?from=${base}&to=${base}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body.message).toMatch(/must be before/);
    const tooLong = await call(owner, 'GET', `/dashboard?from=${base - 400 * day}&to=${base}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toMatch(/at most 366/);
  });
});
