/** The tenant's system messages against the active flows, on SQLite and Postgres. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Actor,
  actorWithRole,
  echoFlow,
  startServer,
  storeKinds,
  type TestServer,
} from './helpers.js';

describe.each(storeKinds)('system messages on $name', (kind) => {
  let t: TestServer;
  let admin: Actor;
  const put = async (payload: unknown) => {
    const response = await t.server.inject({
      method: 'PUT',
      url: '/api/v1/system-messages',
      headers: admin.headers,
      payload: payload as Record<string, unknown>,
    });
    return { status: response.statusCode, body: response.json() };
  };
  const goto = (step: string) => ({
    text: { en: 'Sorry?' },
    actions: [
      { label: { en: 'Menu' }, action: { type: 'start' } },
      { label: { en: 'Ask again' }, action: { type: 'goto', step } },
    ],
  });

  beforeAll(async () => {
    t = await startServer(kind);
    admin = await actorWithRole(t.server, 'global-admin');
    const created = await t.server.inject({
      method: 'POST',
      url: '/api/v1/flows',
      headers: admin.headers,
      payload: { definition: echoFlow(), publish: true },
    });
    expect(created.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  test('"go to step" must name a step of every active flow that uses the message', async () => {
    const refused = await put({ invalid: goto('nowhere') });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe(
      'invalid: action 2 goes to step "nowhere", which the active flow "Echo" does not have',
    );
    expect((await put({ invalid: goto('ask') })).status).toBe(200);
  });

  test('a flow that sets the message itself does not constrain it', async () => {
    const own = { ...echoFlow('own'), systemMessages: { thankYou: { text: { en: 'Bye' } } } };
    const created = await t.server.inject({
      method: 'POST',
      url: '/api/v1/flows',
      headers: admin.headers,
      payload: { definition: own, publish: true },
    });
    expect(created.statusCode).toBe(201);
    // "Echo" (no thank-you of its own) has no step "elsewhere": still refused because of it.
    expect((await put({ thankYou: goto('elsewhere') })).status).toBe(422);
    const off = await t.server.inject({
      method: 'POST',
      url: '/api/v1/flows/echo/activate',
      headers: admin.headers,
      payload: { active: false },
    });
    expect(off.statusCode).toBe(200);
    expect((await put({ thankYou: goto('elsewhere') })).status).toBe(200);
  });

  test('a flow lacking a step the tenant messages go to cannot go live', async () => {
    // The tenant's thank-you goes to "elsewhere" (previous test); echo has no such step.
    const on = await t.server.inject({
      method: 'POST',
      url: '/api/v1/flows/echo/activate',
      headers: admin.headers,
      payload: { active: true },
    });
    expect(on.statusCode).toBe(422);
    expect(on.json().message).toBe(
      'Flow "Echo" version 1 has no step "elsewhere", which action 2 of the tenant\'s thankYou message goes to; add that step or change the action in Chatbot settings',
    );
    const publish = await t.server.inject({
      method: 'POST',
      url: '/api/v1/flows/echo/publish',
      headers: admin.headers,
    });
    expect(publish.statusCode).toBe(422);
    // Nothing went live.
    const flows = await t.server.inject({
      method: 'GET',
      url: '/api/v1/flows',
      headers: admin.headers,
    });
    expect(flows.json().find((f: { id: string }) => f.id === 'echo').active).toBe(false);
    // Pointing the action at a step echo has lets it go live.
    expect((await put({ thankYou: goto('ask') })).status).toBe(200);
    const again = await t.server.inject({
      method: 'POST',
      url: '/api/v1/flows/echo/activate',
      headers: admin.headers,
      payload: { active: true },
    });
    expect(again.statusCode).toBe(200);
  });

  test("the simulator's preview copies are not active flows here", async () => {
    const owner = await actorWithRole(t.server, 'global-admin');
    const as = (method: 'POST' | 'PUT', url: string, payload: unknown) =>
      t.server.inject({
        method,
        url: `/api/v1${url}`,
        headers: owner.headers,
        payload: payload as Record<string, unknown>,
      });
    expect((await as('POST', '/flows', { definition: echoFlow(), publish: true })).statusCode).toBe(
      201,
    );
    // A draft without the step "ask", previewed: its copy is published under a hidden id.
    const draft = JSON.parse(
      JSON.stringify({ ...echoFlow('draft'), name: 'Draft' }).replaceAll('"ask"', '"other"'),
    ) as ReturnType<typeof echoFlow>;
    expect((await as('POST', '/flows', { definition: draft })).statusCode).toBe(201);
    const channel = await as('POST', '/channels', { platform: 'simulator', name: 'Web' });
    const preview = await as('POST', `/simulator/${channel.json().id}/messages`, {
      flowId: 'draft',
    });
    expect(preview.statusCode).toBe(202);
    const saved = await as('PUT', '/system-messages', { invalid: goto('ask') });
    expect(saved.json()).toMatchObject({ invalid: { text: { en: 'Sorry?' } } });
    expect(saved.statusCode).toBe(200);
  });
});
