/** Sign-in, sessions, tenants, API tokens, and the permission declared by every route. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUser } from '../src/auth.js';
import { sha256 } from '../src/context.js';
import { actorWithRole, startServer, storeKinds, type TestServer } from './helpers.js';

const [kind] = storeKinds;

describe('auth', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer(kind!, { workers: false, config: { loginRateLimit: 5 } });
  });
  afterAll(async () => {
    await t.close();
  });

  test('every route declares a permission; only login, webhooks, health, docs, uploaded media files and the admin UI are public', () => {
    const routes = t.server.routeTable;
    expect(routes.length).toBeGreaterThan(50);
    const missing = routes.filter((r) => r.permission === undefined);
    expect(missing, 'routes without config.permission').toEqual([]);
    const publicRoutes = routes.filter((r) => r.permission === 'public').map((r) => r.url);
    const allowed = (url: string) =>
      url === '/api/v1/auth/login' ||
      url.startsWith('/webhooks/') ||
      url === '/health' ||
      url.startsWith('/docs') ||
      // Uploaded media at unguessable addresses, for Meta's fetchers.
      url === '/media-files/:id/:token' ||
      // The admin UI's build, when one is there: index.html at / and Vite's /assets/.
      url === '/' ||
      url === '/index.html' ||
      url.startsWith('/assets/');
    expect(
      publicRoutes.filter((url) => !allowed(url)),
      'public routes',
    ).toEqual([]);
  });

  test('login sets an httpOnly SameSite session cookie; me, logout', async () => {
    const a = await actorWithRole(t.server, 'agent');
    const wrong = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: a.email, password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().message).toBe('Wrong email or password');
    const login = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: a.email.toUpperCase(), password: a.password },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().tenantId).toBe(a.tenantId);
    const cookie = login.cookies.find((c) => c.name === 'chatloom_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.secure).toBeFalsy(); // plain HTTP here; Secure over TLS
    // Only the hash of the session token is stored.
    const rows = await t.server.context.db.selectFrom('sessions').select('id').execute();
    expect(rows.map((r) => r.id)).toContain(sha256(cookie.value));
    const cookies = { chatloom_session: cookie.value };
    const me = await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', cookies });
    expect(me.json().permissions).toContain('conversations.read');
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/conversations', cookies })).statusCode,
    ).toBe(200);
    expect(
      (await t.server.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies })).statusCode,
    ).toBe(200);
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', cookies })).statusCode,
    ).toBe(401);
  });

  test('the session cookie is Secure behind TLS (trusted proxy)', async () => {
    const tls = await startServer(kind!, { workers: false, config: { trustProxy: true } });
    try {
      const a = await actorWithRole(tls.server, 'agent');
      const login = await tls.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { email: a.email, password: a.password },
      });
      expect(login.cookies.find((c) => c.name === 'chatloom_session')?.secure).toBe(true);
    } finally {
      await tls.close();
    }
  });

  test('login is rate-limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'someone@example.com', password: `guess-${i}` },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  test('a user of several tenants picks one after login', async () => {
    const a = await actorWithRole(t.server, 'agent');
    const other = await t.server.context.chatloom.createTenant({ name: 'Second' });
    await createUser(t.server.context, {
      email: a.email,
      name: 'x',
      password: 'ignored',
      tenantId: other.id,
      roleId: 'global-admin',
    });
    const login = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: a.email, password: a.password },
    });
    expect(login.json().tenantId).toBeNull();
    expect(login.json().tenants).toHaveLength(2);
    const cookies = { chatloom_session: login.cookies[0]!.value };
    const before = await t.server.inject({ method: 'GET', url: '/api/v1/conversations', cookies });
    expect(before.statusCode).toBe(403);
    expect(before.json().message).toMatch(/Pick a tenant/);
    expect(
      (
        await t.server.inject({
          method: 'POST',
          url: '/api/v1/auth/tenant',
          cookies,
          payload: { tenantId: 'nope' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await t.server.inject({
          method: 'POST',
          url: '/api/v1/auth/tenant',
          cookies,
          payload: { tenantId: other.id },
        })
      ).statusCode,
    ).toBe(200);
    const me = await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', cookies });
    expect(me.json()).toMatchObject({ tenantId: other.id, roleId: 'global-admin' });
  });

  test('API tokens: generated, masked, shown on request, rotated, revoked, looked up by hash', async () => {
    const admin = await actorWithRole(t.server, 'global-admin');
    const headers = admin.headers;
    const created = await t.server.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers,
      payload: { name: 'CRM' },
    });
    expect(created.statusCode).toBe(201);
    const { id, token, masked } = created.json();
    expect(token).toMatch(/^clt_[A-Za-z0-9_-]{43}$/);
    expect(masked).toBe(`${token.slice(0, 8)}…${token.slice(-4)}`);
    const row = await t.server.context.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(sha256(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const list = await t.server.inject({ method: 'GET', url: '/api/v1/api-tokens', headers });
    expect(JSON.stringify(list.json())).not.toContain(token);
    const shown = await t.server.inject({
      method: 'GET',
      url: `/api/v1/api-tokens/${id}/reveal`,
      headers,
    });
    expect(shown.json().token).toBe(token);
    const bearer = { authorization: `Bearer ${token}` };
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/users', headers: bearer })).statusCode,
    ).toBe(200);
    const rotated = await t.server.inject({
      method: 'POST',
      url: `/api/v1/api-tokens/${id}/rotate`,
      headers,
    });
    expect(rotated.json().token).not.toBe(token);
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/users', headers: bearer })).statusCode,
    ).toBe(401);
    const next = { authorization: `Bearer ${rotated.json().token}` };
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/users', headers: next })).statusCode,
    ).toBe(200);
    expect(
      (await t.server.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${id}`, headers }))
        .statusCode,
    ).toBe(200);
    const revoked = await t.server.inject({ method: 'GET', url: '/api/v1/users', headers: next });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().message).toMatch(/unknown or was revoked/);
    expect(
      (
        await t.server.inject({
          method: 'GET',
          url: '/api/v1/users',
          headers: { authorization: 'Basic x' },
        })
      ).statusCode,
    ).toBe(401);
  });

  test('users and roles: custom roles from any permissions', async () => {
    const admin = await actorWithRole(t.server, 'global-admin');
    const headers = admin.headers;
    const role = await t.server.inject({
      method: 'POST',
      url: '/api/v1/roles',
      headers,
      payload: { name: 'Readers', permissions: ['conversations.read'] },
    });
    expect(role.statusCode).toBe(201);
    const bad = await t.server.inject({
      method: 'POST',
      url: '/api/v1/roles',
      headers,
      payload: { name: 'X', permissions: ['launch.missiles'] },
    });
    expect(bad.statusCode).toBe(400);
    const user = await t.server.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers,
      payload: {
        email: 'reader@example.com',
        name: 'Reader',
        password: 'long enough',
        roleId: role.json().id,
      },
    });
    expect(user.statusCode).toBe(201);
    expect(user.json().roleName).toBe('Readers');
    const login = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'reader@example.com', password: 'long enough' },
    });
    const cookies = { chatloom_session: login.cookies[0]!.value };
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/conversations', cookies })).statusCode,
    ).toBe(200);
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/quick-replies', cookies })).statusCode,
    ).toBe(403);
    const used = await t.server.inject({
      method: 'DELETE',
      url: `/api/v1/roles/${role.json().id}`,
      headers,
    });
    expect(used.statusCode).toBe(409);
    const changed = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/users/${user.json().id}`,
      headers,
      payload: { roleId: 'agent' },
    });
    expect(changed.json().roleName).toBe('Agent');
    expect(
      (await t.server.inject({ method: 'DELETE', url: `/api/v1/roles/${role.json().id}`, headers }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await t.server.inject({
          method: 'PATCH',
          url: '/api/v1/roles/agent',
          headers,
          payload: { name: 'Y' },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (await t.server.inject({ method: 'DELETE', url: `/api/v1/users/${admin.userId}`, headers }))
        .statusCode,
    ).toBe(409);
    expect(
      (await t.server.inject({ method: 'DELETE', url: `/api/v1/users/${user.json().id}`, headers }))
        .statusCode,
    ).toBe(200);
  });
});
