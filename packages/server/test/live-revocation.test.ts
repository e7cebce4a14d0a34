/**
 * The event stream checks its sign-in again at every heartbeat (SQLite and Postgres): a
 * deactivated user's stream, a revoked token's and a signed-out session's end, and no later
 * event reaches them.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { issueApiToken } from '../src/routes-account.js';
import {
  type Actor,
  actorWithRole,
  eventually,
  startServer,
  storeKinds,
  type TestServer,
} from './helpers.js';

/** Reads an SSE stream: the events' names and data, and whether the server ended it. */
function listen(url: string, headers: Record<string, string>) {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const state = { connected: false, ended: false };
  const controller = new AbortController();
  const done = (async () => {
    const response = await fetch(url, { headers, signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let buffer = '';
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) {
        state.ended = true;
        return;
      }
      buffer += Buffer.from(value).toString('utf8');
      if (buffer.includes(': connected')) state.connected = true;
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        cut = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => {});
  return { events, state, close: () => controller.abort(), done };
}

describe.each(storeKinds)('event stream sign-in checks on $name', (kind) => {
  let t: TestServer;
  let base: string;
  let admin: Actor;
  let channelId: string;
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const response = await t.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: admin.headers,
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    return { status: response.statusCode, body: response.json() };
  };
  /** A simulated user's message, and the text the stream should carry for it. */
  const customerSays = async (text: string) => {
    const sent = await call('POST', `/simulator/${channelId}/messages`, {
      userId: 'live-user',
      text,
    });
    expect(sent.status).toBe(202);
  };
  const texts = (stream: ReturnType<typeof listen>) =>
    stream.events
      .filter((e) => e.event === 'message.received')
      .map((e) => (e.data.message as { content: { text?: string } }).content.text);

  beforeAll(async () => {
    t = await startServer(kind, { config: { liveHeartbeatMs: 50 } });
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}/api/v1`;
    admin = await actorWithRole(t.server, 'global-admin');
    channelId = (await call('POST', '/channels', { platform: 'simulator', name: 'Web' })).body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  test("a deactivated agent's stream ends; no later event reaches it", async () => {
    const agent = await actorWithRole(t.server, 'agent', { tenantId: admin.tenantId });
    const login = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: agent.email, password: agent.password },
    });
    const cookie = login.cookies.find((c) => c.name === 'chatloom_session')!;
    const bySession = listen(`${base}/events`, { cookie: `${cookie.name}=${cookie.value}` });
    const byToken = listen(`${base}/events`, agent.headers);
    try {
      await eventually(() => bySession.state.connected && byToken.state.connected);
      await customerSays('before');
      await eventually(
        () => texts(bySession).includes('before') && texts(byToken).includes('before'),
      );
      // Still open across heartbeats while nothing changed.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(bySession.state.ended || byToken.state.ended).toBe(false);

      expect((await call('POST', `/users/${agent.userId}/deactivate`)).status).toBe(200);
      await eventually(() => bySession.state.ended && byToken.state.ended);
      await customerSays('after');
      await eventually(async () => {
        const page = await call('GET', `/simulator/${channelId}/messages?userId=live-user`);
        return page.body.messages.some(
          (m: { content: { text?: string } }) => m.content.text === 'after',
        );
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(texts(bySession)).not.toContain('after');
      expect(texts(byToken)).not.toContain('after');
    } finally {
      bySession.close();
      byToken.close();
    }
  });

  test("a revoked token's and a signed-out session's streams end; others stay", async () => {
    const agent = await actorWithRole(t.server, 'agent', { tenantId: admin.tenantId });
    const revoked = await issueApiToken(t.server.context, {
      tenantId: admin.tenantId,
      userId: agent.userId,
      name: 'to revoke',
    });
    const login = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: agent.email, password: agent.password },
    });
    const cookie = login.cookies.find((c) => c.name === 'chatloom_session')!;
    const cookieHeader = { cookie: `${cookie.name}=${cookie.value}` };
    const byRevoked = listen(`${base}/events`, { authorization: `Bearer ${revoked.token}` });
    const bySession = listen(`${base}/events`, cookieHeader);
    const byOtherToken = listen(`${base}/events`, agent.headers);
    try {
      await eventually(() => [byRevoked, bySession, byOtherToken].every((s) => s.state.connected));
      await customerSays('hello again');
      await eventually(() =>
        [byRevoked, bySession, byOtherToken].every((s) => texts(s).includes('hello again')),
      );
      expect((await call('DELETE', `/api-tokens/${revoked.id}`)).status).toBe(200);
      await eventually(() => byRevoked.state.ended);
      const logout = await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        cookies: { [cookie.name]: cookie.value },
      });
      expect(logout.statusCode).toBe(200);
      await eventually(() => bySession.state.ended);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(byOtherToken.state.ended).toBe(false);
    } finally {
      byRevoked.close();
      bySession.close();
      byOtherToken.close();
    }
  });
});
