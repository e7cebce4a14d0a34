/** The simulator's preview: chat with one saved version of a flow, whatever flows are live (SQLite and Postgres). */
import type { FlowDefinition } from '@chatloom/flow-engine';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { previewFamily } from '../src/simulator.js';
import {
  type Actor,
  actorWithRole,
  echoFlow,
  eventually,
  startServer,
  storeKinds,
  type TestServer,
} from './helpers.js';

/** A flow no trigger starts: only a preview can. */
const shopFlow = (greeting: string): FlowDefinition => ({
  format: 'chatloom.flow/v1',
  id: 'shop',
  version: 1,
  name: 'Shop',
  languages: ['en', 'es'],
  defaultLanguage: 'en',
  startStep: 'welcome',
  steps: [
    {
      id: 'welcome',
      message: { type: 'text', text: { en: greeting, es: `ES ${greeting}` } },
      options: {
        type: 'buttons',
        buttons: [
          {
            id: 'menu',
            label: { en: 'Menu', es: 'Carta' },
            action: { type: 'goto', step: 'menu' },
          },
          { id: 'bye', label: { en: 'Bye', es: 'Adiós' }, action: { type: 'end' } },
        ],
      },
    },
    {
      id: 'menu',
      message: { type: 'text', text: { en: 'Our menu', es: 'Nuestra carta' } },
      options: { type: 'none', next: { type: 'end' } },
      terminal: true,
    },
  ],
});

interface Transcript {
  conversationId: string | null;
  messages: { direction: string; content: { text?: string; kind: string } }[];
}

describe.each(storeKinds)('simulator preview on $name', (kind) => {
  let t: TestServer;
  let admin: Actor;
  let channelId: string;
  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ) => {
    const response = await t.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: admin.headers,
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    return { status: response.statusCode, body: response.body ? response.json() : undefined };
  };
  /** The stored preview copies of a flow (the API never lists them). */
  const copiesOf = async (flowId: string) => [
    ...new Set(
      (await t.server.context.store.listFlows(admin.tenantId))
        .map((r) => r.flow_id)
        .filter((id) => id.startsWith(previewFamily(flowId))),
    ),
  ];
  const send = (body: Record<string, unknown>) =>
    call('POST', `/simulator/${channelId}/messages`, body);
  const botTexts = async (userId: string, count: number) =>
    eventually(async () => {
      const view = (await call('GET', `/simulator/${channelId}/messages?userId=${userId}`))
        .body as Transcript;
      const out = view.messages.filter((m) => m.direction === 'out');
      return out.length >= count && out.map((m) => m.content.text);
    });

  beforeAll(async () => {
    t = await startServer(kind);
    admin = await actorWithRole(t.server, 'global-admin');
    channelId = (await call('POST', '/channels', { platform: 'simulator', name: 'Web' })).body.id;
    // A live catch-all flow: a preview must not land in it.
    expect((await call('POST', '/flows', { definition: echoFlow(), publish: true })).status).toBe(
      201,
    );
    expect((await call('POST', '/flows', { definition: shopFlow('Welcome v1') })).status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('starts the unpublished latest version for a fresh simulated user; taps move it', async () => {
    const started = await send({ flowId: 'shop', name: 'Preview' });
    expect(started.status).toBe(202);
    expect(started.body.version).toBe(1);
    const userId = started.body.userId as string;
    expect(userId).toMatch(/^preview-/);
    expect(await botTexts(userId, 1)).toEqual(['Welcome v1']);
    // The message that started it reads as what it is (in the Inbox too).
    const view = (await call('GET', `/simulator/${channelId}/messages?userId=${userId}`))
      .body as Transcript;
    expect(view.messages[0]?.content.text).toMatch(/^Preview of version 1 \(en\) · [0-9a-f]{16}$/);

    await send({ userId, choice: { id: 'welcome:menu', title: 'Menu' } });
    expect(await botTexts(userId, 2)).toEqual(['Welcome v1', 'Our menu']);

    // Each preview is a new conversation.
    const again = await send({ flowId: 'shop' });
    expect(again.body.userId).not.toBe(userId);

    // The shop flow itself stays off; customers still get the live flow.
    const flows = (await call('GET', '/flows')).body as { id: string; active: boolean }[];
    expect(flows.find((f) => f.id === 'shop')?.active).toBe(false);
    await send({ userId: 'customer', text: 'Welcome v1' });
    expect(await botTexts('customer', 1)).toEqual(['You said: ']);
  });

  test('a chosen version and language; a new version replaces the old copy', async () => {
    expect((await call('PUT', '/flows/shop', { definition: shopFlow('Welcome v2') })).status).toBe(
      200,
    );
    const latest = await send({ flowId: 'shop' });
    expect(latest.body.version).toBe(2);
    expect(await botTexts(latest.body.userId, 1)).toEqual(['Welcome v2']);

    const old = await send({ flowId: 'shop', version: 1, language: 'es' });
    expect(old.body.version).toBe(1);
    expect(await botTexts(old.body.userId, 1)).toEqual(['ES Welcome v1']);

    // One copy per flow at a time, and previewing the same version again reuses it.
    await send({ flowId: 'shop', version: 1 });
    expect(await copiesOf('shop')).toHaveLength(1);
  });

  test('copies are not the tenant flows: hidden from the list, ids reserved, deleted with their flow', async () => {
    await send({ flowId: 'shop' });
    expect(await copiesOf('shop')).toHaveLength(1);
    const listed = (await call('GET', '/flows')).body as { id: string }[];
    expect(listed.map((f) => f.id).sort()).toEqual(['echo', 'shop']);
    const reserved = { ...shopFlow('x'), id: `${previewFamily('shop')}abc` };
    expect(await call('POST', '/flows', { definition: reserved })).toMatchObject({
      status: 422,
      body: {
        message:
          'Flow ids starting with "chatloom-preview-" are reserved for the simulator\'s previews',
      },
    });
    expect((await call('DELETE', '/flows/shop')).status).toBe(200);
    expect(await copiesOf('shop')).toEqual([]);
    expect((await call('POST', '/flows', { definition: shopFlow('Welcome v1') })).status).toBe(201);
  });

  test('bad requests name what is wrong', async () => {
    expect(await send({ flowId: 'nope' })).toMatchObject({
      status: 404,
      body: { message: 'Flow "nope" not found' },
    });
    expect(await send({ flowId: 'shop', version: 9 })).toMatchObject({
      status: 404,
      body: { message: 'Version 9 of flow "shop" not found' },
    });
    expect(await send({ flowId: 'shop', language: 'fr' })).toMatchObject({
      status: 422,
      body: { message: 'Flow "shop" has no language "fr"; it has en, es' },
    });
    expect(await send({ text: 'hi', version: 1 })).toMatchObject({
      status: 422,
      body: { message: 'version and language need flowId (the flow to preview)' },
    });
    // A simulated user inside a flow already cannot start a preview.
    await send({ userId: 'busy', text: 'hello' });
    await botTexts('busy', 1);
    expect(await send({ userId: 'busy', flowId: 'shop' })).toMatchObject({
      status: 409,
      body: {
        message: 'Simulated user "busy" is in a conversation already; preview with a new userId',
      },
    });
  });

  test('previews of one new version started at once both start it', async () => {
    const flow = { ...shopFlow('Welcome twins'), id: 'twins', name: 'Twins' };
    expect((await call('POST', '/flows', { definition: flow })).status).toBe(201);
    const started = await Promise.all([send({ flowId: 'twins' }), send({ flowId: 'twins' })]);
    expect(started.map((s) => s.status)).toEqual([202, 202]);
    for (const { body } of started)
      expect(await botTexts(body.userId as string, 1)).toEqual(['Welcome twins']);
    expect(await copiesOf('twins')).toHaveLength(1);
  });
});
