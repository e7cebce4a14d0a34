import type { FlowDefinition } from '@chatloom/flow-engine';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { createMemoryRouter, Link, RouterProvider } from 'react-router';
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { sampleFlow } from '../__fixtures__/flows.js';
import type { FlowDetail } from '../api.js';
import { type Session, toSession } from '../session.js';
import { FlowsPage } from './flows.js';

interface Call {
  method: string;
  url: string;
  body: unknown;
}
let calls: Call[];
let detail: FlowDetail;
/** Answers of PUT /flows/support wait for the test to let them through. */
let pendingSaves: (() => void)[];

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});

beforeEach(() => {
  calls = [];
  pendingSaves = [];
  detail = {
    id: 'support',
    name: 'Support',
    latestVersion: 2,
    publishedVersion: 1,
    active: true,
    versions: [1, 2],
    updatedAt: 0,
    definition: { ...sampleFlow(), version: 2 },
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method, url, body });
      if (method === 'GET' && url === '/api/v1/flows') return json([{ ...detail }]);
      if (method === 'GET' && url === '/api/v1/flows/support') return json(detail);
      if (method === 'GET' && url === '/api/v1/channels') return json([]);
      if (method === 'PUT' && url === '/api/v1/flows/support') {
        await new Promise<void>((resolve) => pendingSaves.push(resolve));
        const version = detail.latestVersion + 1;
        const definition = body.definition as FlowDefinition;
        detail = {
          ...detail,
          name: definition.name,
          latestVersion: version,
          versions: [...detail.versions, version],
          definition: { ...definition, version },
        };
        return json(detail);
      }
      return json({ message: `unexpected ${method} ${url}` }, 500);
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function session(permissions: string[]): Session {
  return toSession({
    user: { id: 'u', email: 'a@example.com', name: 'Ana' },
    tenantId: 't',
    roleId: 'r',
    permissions,
    tenants: [{ id: 't', name: 'T', roleId: 'r', roleName: 'Role' }],
    via: 'session',
  });
}

const allPermissions = ['flows.read', 'flows.manage', 'simulator.use', 'channels.read'];

/** The builder in a data router (as in the app), with a link elsewhere like the sidebar's. */
function renderBuilder(permissions = allPermissions) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const page = <FlowsPage session={session(permissions)} />;
  const router = createMemoryRouter(
    [
      { path: '/flows', element: page },
      {
        path: '/flows/:flowId',
        element: (
          <>
            <nav>
              <Link to="/inbox">Inbox</Link>
            </nav>
            {page}
          </>
        ),
      },
      { path: '/inbox', element: <h1>The inbox</h1> },
    ],
    { initialEntries: ['/flows/support'] },
  );
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

const nameField = () => screen.getByRole('textbox', { name: 'Name' }) as HTMLInputElement;
const saveButton = () => screen.getByRole('button', { name: /^Sav(e|ing…)$/ }) as HTMLButtonElement;
const type = (value: string) => fireEvent.change(nameField(), { target: { value } });
/** The builder's save state: "Saving…", "Unsaved changes" or "Saved". */
const saveState = () =>
  screen.getByText(/^(Saving…|Unsaved changes|Saved)$/, { selector: '[role=status]' }).textContent;
const puts = () => calls.filter((c) => c.method === 'PUT');
/** The flow name the nth save sent. */
const sentName = (n: number) =>
  (puts()[n]?.body as { definition: FlowDefinition } | undefined)?.definition.name;
const letSaveThrough = () => act(async () => pendingSaves.shift()?.());

describe('saving in the builder', () => {
  test('what is typed while a save is in flight stays, as unsaved changes over the new version', async () => {
    renderBuilder();
    await screen.findByRole('form', { name: 'Flow builder' });
    type('Support desk');
    fireEvent.click(saveButton());
    await waitFor(() => expect(puts()).toHaveLength(1));
    expect(saveState()).toBe('Saving…');

    type('Support desk 24/7');
    // Enter (a second submit) while the save is in flight sends nothing more.
    fireEvent.submit(screen.getByRole('form', { name: 'Flow builder' }));
    await letSaveThrough();
    await screen.findByText('Version 3', undefined, { timeout: 5000 });
    expect(puts()).toHaveLength(1);
    expect(sentName(0)).toBe('Support desk');
    expect(nameField().value).toBe('Support desk 24/7');
    await waitFor(() => expect(saveState()).toBe('Unsaved changes'));

    fireEvent.click(saveButton());
    await waitFor(() => expect(puts()).toHaveLength(2), { timeout: 5000 });
    await letSaveThrough();
    await screen.findByText('Version 4', undefined, { timeout: 5000 });
    expect(sentName(1)).toBe('Support desk 24/7');
    expect(nameField().value).toBe('Support desk 24/7');
    await waitFor(() => expect(saveState()).toBe('Saved'));
  });
});

describe('leaving the builder', () => {
  test('with unsaved changes asks first; Stay keeps the work, Leave goes', async () => {
    const router = renderBuilder();
    await screen.findByRole('form', { name: 'Flow builder' });
    type('Support desk');
    fireEvent.click(screen.getByRole('link', { name: 'Inbox' }));
    const dialog = await screen.findByRole('dialog', { name: 'Leave without saving?' });
    expect(router.state.location.pathname).toBe('/flows/support');

    fireEvent.click(within(dialog).getByRole('button', { name: 'Stay' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(router.state.location.pathname).toBe('/flows/support');
    expect(nameField().value).toBe('Support desk');

    // The breadcrumb back to the list asks too.
    fireEvent.click(screen.getByRole('link', { name: 'Flows' }));
    fireEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Leave without saving',
      }),
    );
    await waitFor(() => expect(router.state.location.pathname).toBe('/flows'));
  });

  test('with nothing unsaved goes at once', async () => {
    const router = renderBuilder();
    await screen.findByRole('form', { name: 'Flow builder' });
    fireEvent.click(screen.getByRole('link', { name: 'Inbox' }));
    await screen.findByRole('heading', { name: 'The inbox' });
    expect(router.state.location.pathname).toBe('/inbox');
  });
});

describe('the preview tab', () => {
  test('needs the simulator and reading channels; says which is missing', async () => {
    renderBuilder(['flows.read', 'flows.manage', 'simulator.use']);
    await screen.findByRole('form', { name: 'Flow builder' });
    const tab = screen.getByRole('tabpanel', { name: 'Preview' });
    expect(tab.textContent).toContain('“view channels” permission');
    expect(tab.textContent).not.toContain('use the simulator');
    expect(calls.some((c) => c.url === '/api/v1/channels')).toBe(false);
  });

  test('with both permissions it looks for the simulator channel', async () => {
    renderBuilder();
    await screen.findByText('No simulator channel');
  });
});
