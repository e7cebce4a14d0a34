import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { MediaItem } from './api.js';
import { Composer } from './composer-box.js';
import { type Session, toSession } from './session.js';

interface Call {
  method: string;
  url: string;
  body: unknown;
}
let calls: Call[];

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const logo: MediaItem = {
  id: 'm1',
  kind: 'image',
  url: 'https://cdn.example.com/logo.png',
  name: 'Logo',
  filename: null,
  caption: null,
  createdAt: 1,
};

const sent = (body: unknown) => ({
  id: `msg-${calls.length}`,
  conversationId: 'c1',
  channelId: 'ch1',
  direction: 'out',
  sender: 'agent',
  agentId: 'u',
  type: 'text',
  content: body,
  status: 'pending',
  error: null,
  starred: false,
  createdAt: 1,
  updatedAt: 1,
});

beforeEach(() => {
  calls = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method, url, body });
      if (method === 'GET' && url === '/api/v1/media') return json([logo]);
      if (method === 'POST' && url === '/api/v1/media')
        return json({ ...logo, id: 'm2', name: body.name, url: body.url }, 201);
      if (method === 'POST' && url === '/api/v1/conversations/c1/messages')
        return json(sent(body), 201);
      return json({ message: `unexpected ${method} ${url}` }, 500);
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const session: Session = toSession({
  user: { id: 'u', email: 'a@example.com', name: 'Ana' },
  tenantId: 't',
  roleId: 'r',
  permissions: ['conversations.reply', 'media.read', 'media.manage'],
  tenants: [{ id: 't', name: 'T', roleId: 'r', roleName: 'Role' }],
  via: 'session',
});

function setup(windowOpen = true) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const ui = (open: boolean) => (
    <QueryClientProvider client={client}>
      <Composer conversationId="c1" channelId="ch1" windowOpen={open} session={session} />
    </QueryClientProvider>
  );
  const view = render(ui(windowOpen));
  return { rerender: (open: boolean) => view.rerender(ui(open)) };
}

const messagePosts = () =>
  calls.filter((c) => c.method === 'POST' && c.url === '/api/v1/conversations/c1/messages');
// `hidden`: while a dialog is open, the page behind it is hidden from the accessibility tree.
const box = () =>
  screen.getByRole('combobox', { name: 'Message', hidden: true }) as HTMLTextAreaElement;

describe('the media picker and the reply box', () => {
  test('sending media sends the media only, and the typed reply stays', async () => {
    setup();
    fireEvent.change(box(), { target: { value: 'Half-written reply' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send media' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send media' });
    fireEvent.click(await within(dialog).findByRole('radio', { name: 'Logo' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send image' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(messagePosts().map((c) => c.body)).toEqual([{ mediaId: 'm1' }]);
    expect(box().value).toBe('Half-written reply');
  });

  test('adding a file by URL sends nothing to the customer', async () => {
    setup();
    fireEvent.change(box(), { target: { value: 'Half-written reply' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send media' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send media' });
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Add by URL' }));
    const form = within(dialog).getByRole('form', { name: 'Add by URL' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Menu' } });
    fireEvent.change(within(form).getByLabelText('Public URL'), {
      target: { value: 'https://cdn.example.com/menu.png' },
    });
    fireEvent.submit(form);
    // The new file is picked in the gallery, ready to send.
    await waitFor(() =>
      expect(within(dialog).getByRole('radio', { name: 'Menu' }).getAttribute('aria-checked')).toBe(
        'true',
      ),
    );
    expect(calls.some((c) => c.method === 'POST' && c.url === '/api/v1/media')).toBe(true);
    expect(messagePosts()).toEqual([]);
    expect(box().value).toBe('Half-written reply');
  });

  test('the reply box still sends on Enter and with its button', async () => {
    setup();
    fireEvent.change(box(), { target: { value: 'Hello' } });
    fireEvent.keyDown(box(), { key: 'Enter' });
    await waitFor(() => expect(messagePosts().map((c) => c.body)).toEqual([{ text: 'Hello' }]));
    await waitFor(() => expect(box().value).toBe(''));
    fireEvent.change(box(), { target: { value: 'Again' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(messagePosts()).toHaveLength(2));
  });
});

describe('the 24-hour window', () => {
  test('the typed reply survives the window closing and opening again', () => {
    const { rerender } = setup(true);
    fireEvent.change(box(), { target: { value: 'Thanks for waiting, your order' } });
    rerender(false);
    expect(screen.queryByRole('combobox', { name: 'Message' })).toBeNull();
    expect(screen.getByTestId('window-closed')).toBeTruthy();
    rerender(true);
    expect(box().value).toBe('Thanks for waiting, your order');
  });
});
