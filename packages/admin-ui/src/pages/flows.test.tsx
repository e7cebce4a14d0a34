import { validateFlow } from '@chatloom/flow-engine';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { FlowSummary } from '../api.js';
import { type Session, toSession } from '../session.js';
import { FlowsPage, newFlowId, starterFlow } from './flows.js';

const summary = (over: Partial<FlowSummary>): FlowSummary => ({
  id: 'support',
  name: 'Support',
  latestVersion: 2,
  publishedVersion: 1,
  active: true,
  versions: [1, 2],
  updatedAt: 0,
  ...over,
});

let flows: FlowSummary[];
let calls: { method: string; url: string; body: unknown }[];

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  calls = [];
  flows = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method, url, body });
      if (method === 'GET' && url === '/api/v1/flows') return json(flows);
      if (method === 'POST' && url === '/api/v1/flows')
        return json({ statusCode: 409, error: 'Conflict', message: 'Flow "x" exists' }, 409);
      if (method === 'DELETE') {
        flows = flows.filter((f) => !url.endsWith(`/${f.id}`));
        return json({ ok: true });
      }
      if (method === 'POST' && url.endsWith('/publish')) {
        flows = flows.map((f) => ({ ...f, publishedVersion: f.latestVersion, active: true }));
        return json({ ...flows[0], definition: {} });
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

function renderList(permissions = ['flows.read', 'flows.manage']) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={['/flows']}>
        <Routes>
          <Route path="/flows" element={<FlowsPage session={session(permissions)} />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe('a new flow', () => {
  test('starts valid in every language it names', () => {
    const flow = starterFlow({
      id: 'orders',
      name: 'Orders',
      languages: ['en', 'pt-BR'],
      defaultLanguage: 'pt-BR',
    });
    expect(validateFlow(flow).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(flow.steps[0]?.message).toMatchObject({
      text: { en: expect.any(String), 'pt-BR': expect.any(String) },
    });
  });

  test('gets an id from its name that no flow has', () => {
    expect(newFlowId('Pizza Orders!', [])).toBe('pizza-orders');
    expect(newFlowId('Pizza orders', ['pizza-orders', 'pizza-orders-2'])).toBe('pizza-orders-3');
    expect(newFlowId('Café', [])).toBe('cafe');
    expect(newFlowId('¿¿', [])).toBe('flow');
  });
});

describe('the flow list', () => {
  test('empty: says how to start', async () => {
    renderList();
    expect((await screen.findByText(/No flows yet/)).textContent).toContain('New flow');
  });

  test('versions and state per flow; publish the latest', async () => {
    flows = [summary({})];
    renderList();
    const table = await screen.findByRole('table', { name: 'Flows' });
    expect(within(table).getAllByRole('row')).toHaveLength(2); // the header and Support
    expect(within(table).getByText('Live: version 1 (latest is 2)')).toBeTruthy();
    expect(
      within(table).getByRole('switch', { name: 'Support active' }).getAttribute('aria-checked'),
    ).toBe('true');
    fireEvent.click(within(table).getByRole('button', { name: 'Publish version 2 of Support' }));
    await waitFor(() =>
      expect(
        calls.some((c) => c.method === 'POST' && c.url === '/api/v1/flows/support/publish'),
      ).toBe(true),
    );
    await within(table).findByText('Live: version 2');
  });

  test('delete asks first', async () => {
    flows = [summary({})];
    renderList();
    fireEvent.click(await screen.findByRole('button', { name: 'Delete Support' }));
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('All 2 versions go. The flow is live');
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete flow' }));
    await screen.findByText(/No flows yet/);
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual([
      '/api/v1/flows/support',
    ]);
  });

  test('create: bad input named before sending; the server message after', async () => {
    renderList();
    fireEvent.click(await screen.findByRole('button', { name: 'New flow' }));
    const dialog = screen.getByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Languages'), {
      target: { value: 'en, EN_us' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create flow' }));
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent).toContain('Give the flow a name.');
    expect(alert.textContent).toContain('Not a language code: EN_us');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'Orders' } });
    fireEvent.change(within(dialog).getByLabelText('Languages'), { target: { value: 'en, es' } });
    fireEvent.change(within(dialog).getByLabelText('Default language'), {
      target: { value: 'es' },
    });
    fireEvent.submit(within(dialog).getByRole('form', { name: 'New flow' }));
    expect(await within(dialog).findByText('Flow "x" exists')).toBeTruthy();
    const sent = calls.find((c) => c.method === 'POST')?.body as {
      definition: { id: string; languages: string[]; defaultLanguage: string };
    };
    expect(sent.definition).toMatchObject({
      id: 'orders',
      languages: ['en', 'es'],
      defaultLanguage: 'es',
    });
  });

  test('read-only roles see the flows but no actions', async () => {
    flows = [summary({})];
    renderList(['flows.read']);
    const table = await screen.findByRole('table', { name: 'Flows' });
    expect(screen.queryByRole('button', { name: 'New flow' })).toBeNull();
    expect(within(table).queryByRole('button', { name: /Delete|Publish/ })).toBeNull();
    expect(within(table).getByRole('switch', { name: 'Support active' })).toHaveProperty(
      'disabled',
      true,
    );
  });
});
