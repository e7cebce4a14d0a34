/** Publishing a flow whose options start another flow, on SQLite and Postgres. */
import type { FlowDefinition } from '@chatloom/flow-engine';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { previewDefinition } from '../src/simulator.js';
import {
  type Actor,
  actorWithRole,
  echoFlow,
  startServer,
  storeKinds,
  type TestServer,
} from './helpers.js';

/** A menu whose "book" button starts flow `target`. */
const menu = (target: string): FlowDefinition => ({
  format: 'chatloom.flow/v1',
  id: 'menu',
  version: 1,
  name: 'Menu',
  languages: ['en'],
  defaultLanguage: 'en',
  startStep: 'welcome',
  steps: [
    {
      id: 'welcome',
      message: { type: 'text', text: { en: 'Hi!' } },
      options: {
        type: 'buttons',
        buttons: [
          { id: 'book', label: { en: 'Book' }, action: { type: 'start', flow: target } },
          { id: 'again', label: { en: 'Again' }, action: { type: 'start', flow: 'menu' } },
        ],
      },
    },
  ],
});

describe.each(storeKinds)('flows that start flows on $name', (kind) => {
  let t: TestServer;
  let admin: Actor;
  const call = async (
    method: 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: Record<string, unknown>,
  ) => {
    const response = await t.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: admin.headers,
      ...(payload !== undefined && { payload }),
    });
    return { status: response.statusCode, body: response.json() };
  };

  beforeAll(async () => {
    t = await startServer(kind);
    admin = await actorWithRole(t.server, 'global-admin');
  });
  afterAll(async () => {
    await t.close();
  });

  test('a draft may start a flow that does not exist yet; going live needs that flow', async () => {
    // Saving the draft is fine: designers build B after A.
    const draft = await call('POST', '/flows', { definition: menu('booking') });
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({ id: 'menu', active: false });

    const publish = await call('POST', '/flows/menu/publish', {});
    expect(publish.status).toBe(422);
    expect(publish.body.message).toBe(
      'Flow "Menu" version 1 cannot go live: option "book" of step "welcome" starts flow "booking", which this tenant does not have; create that flow first or change the option',
    );
    const activate = await call('POST', '/flows/menu/activate', { active: true });
    expect(activate.status).toBe(422);
    expect(activate.body.message).toContain('starts flow "booking"');
    // Saving a new version and publishing it at once is refused the same way, and saves nothing.
    const put = await call('PUT', '/flows/menu', { definition: menu('booking'), publish: true });
    expect(put.status).toBe(422);
    expect(put.body.message).toContain('option "book" of step "welcome" starts flow "booking"');
    expect((await call('POST', '/flows/menu/activate', { active: false })).body).toMatchObject({
      versions: [1],
      active: false,
    });

    // Once "booking" exists (even as a draft), the menu can go live.
    expect((await call('POST', '/flows', { definition: echoFlow('booking') })).status).toBe(201);
    const live = await call('POST', '/flows/menu/publish', {});
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ active: true, publishedVersion: 1 });
  });

  test('creating a flow published at once is refused when it starts a missing flow', async () => {
    const created = await call('POST', '/flows', {
      definition: { ...menu('nowhere'), id: 'menu-2', name: 'Menu 2' },
      publish: true,
    });
    expect(created.status).toBe(422);
    expect(created.body.message).toBe(
      'Flow "Menu 2" version 1 cannot go live: option "book" of step "welcome" starts flow "nowhere", which this tenant does not have; create that flow first or change the option',
    );
    // Nothing was saved.
    const flows = (await t.server.inject({ url: '/api/v1/flows', headers: admin.headers })).json();
    expect(flows.map((f: { id: string }) => f.id)).not.toContain('menu-2');
    // Starting itself by id is a restart, never a missing flow.
    const own = await call('POST', '/flows', {
      definition: { ...menu('menu-3'), id: 'menu-3', name: 'Menu 3' },
      publish: true,
    });
    expect(own.status).toBe(201);
  });

  test('a flow a live flow starts cannot be deleted until that flow changes or goes off', async () => {
    // From the first test: "menu" is live and starts "booking".
    const refused = await call('DELETE', '/flows/booking');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(
      'Flow "booking" is started by the live flow "Menu" (option "book" of step "welcome"); change that option or turn "Menu" off first',
    );
    expect((await call('POST', '/flows/menu/activate', { active: false })).status).toBe(200);
    expect((await call('DELETE', '/flows/booking')).status).toBe(200);
  });
});

describe('a preview copy', () => {
  test('restarts itself where the source starts itself by id; other flows stay', () => {
    const copy = previewDefinition(menu('booking'), 'chatloom-preview-x', 1, 'abc');
    const options = copy.steps[0]!.options;
    expect(options.type === 'buttons' && options.buttons.map((b) => b.action)).toEqual([
      { type: 'start', flow: 'booking' },
      { type: 'start' },
    ]);
  });
});
