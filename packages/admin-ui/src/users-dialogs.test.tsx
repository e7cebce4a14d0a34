import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Role } from './api.js';
import { meKey } from './session.js';
import { RoleDialog } from './users-dialogs.js';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const agent: Role = {
  id: 'agent',
  name: 'Agent',
  builtIn: false,
  permissions: ['conversations.read'],
};

beforeAll(() => {
  // Radix's checkbox measures itself; jsdom has no layout.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});

beforeEach(() => {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      if (init?.method === 'PATCH' && url === '/api/v1/roles/agent')
        return json({ ...agent, ...body });
      return json({ message: `unexpected ${init?.method ?? 'GET'} ${url}` }, 500);
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('editing a role', () => {
  test('refreshes the roles, the users and the signed-in session', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    client.setQueryData(['roles'], [agent]);
    client.setQueryData(['users'], []);
    client.setQueryData(meKey, null);
    const onClose = vi.fn();
    render(
      <QueryClientProvider client={client}>
        <RoleDialog
          role={agent}
          permissions={['conversations.read', 'conversations.reply']}
          onClose={onClose}
        />
      </QueryClientProvider>,
    );
    const dialog = screen.getByRole('dialog', { name: 'Edit role Agent' });
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Reply' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save role' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const invalidated = (key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated;
    expect(invalidated(['roles'])).toBe(true);
    expect(invalidated(['users'])).toBe(true);
    expect(invalidated(meKey)).toBe(true);
  });
});
