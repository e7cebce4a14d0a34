import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { FlowPreview } from './flow-preview.js';

interface Call {
  method: string;
  url: string;
  body: unknown;
}

let calls: Call[];
let channels: unknown[];
let transcript: unknown[];

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  calls = [];
  channels = [];
  transcript = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method, url: input, body });
      if (input === '/api/v1/channels') return json(channels);
      if (method === 'POST' && input.startsWith('/api/v1/simulator/')) {
        if ((body as { flowId?: string }).flowId === 'broken')
          return json(
            { statusCode: 404, error: 'Not Found', message: 'Flow "broken" not found' },
            404,
          );
        return json({ messageId: 'm', userId: 'preview-1', version: 3 }, 202);
      }
      if (input.startsWith('/api/v1/simulator/'))
        return json({ conversationId: 'c1', messages: transcript });
      return json({ message: `unexpected ${method} ${input}` }, 500);
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const message = (id: string, direction: 'in' | 'out', content: unknown) => ({
  id,
  conversationId: 'c1',
  channelId: 'sim',
  direction,
  sender: direction === 'in' ? 'contact' : 'bot',
  agentId: null,
  type: (content as { kind: string }).kind,
  content,
  status: direction === 'in' ? 'received' : 'sent',
  error: null,
  starred: false,
  createdAt: 1,
  updatedAt: 1,
});

function setup(props: { dirty?: boolean; flowId?: string } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <FlowPreview
          flowId={props.flowId ?? 'support'}
          flowName="Support"
          latestVersion={3}
          languages={['en', 'es']}
          defaultLanguage="en"
          dirty={props.dirty ?? false}
          userName="Ana"
          liveEvents={false}
        />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const simulator = { id: 'sim', platform: 'simulator', name: 'Web' };
const posts = () => calls.filter((c) => c.method === 'POST').map((c) => c.body);

describe('flow preview', () => {
  test('without a simulator channel it says so and points to Channels', async () => {
    channels = [{ id: 'wa', platform: 'whatsapp', name: 'WA' }];
    setup();
    expect(await screen.findByText('No simulator channel')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Channels' }).getAttribute('href')).toBe('/channels');
  });

  test('starts THIS flow, draws the bot like a phone, and taps, rows and text answer', async () => {
    channels = [{ id: 'wa', platform: 'whatsapp', name: 'WA' }, simulator];
    setup();
    fireEvent.change(await screen.findByLabelText('Preview language'), {
      target: { value: 'es' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Start chat' }));
    await waitFor(() =>
      expect(posts()).toEqual([{ flowId: 'support', language: 'es', name: 'Preview · Ana' }]),
    );
    transcript = [
      message('1', 'in', { kind: 'text', text: 'Preview of version 3 (es) · 0a1b2c3d4e5f6a7b' }),
      message('2', 'out', {
        kind: 'buttons',
        text: 'Hi *there*',
        buttons: [{ id: 'welcome:menu', title: 'Menu' }],
      }),
      message('3', 'out', {
        kind: 'list',
        text: 'Pick one',
        buttonLabel: 'Pizzas',
        sections: [{ title: 'Classic', rows: [{ id: 'menu:marg', title: 'Margherita' }] }],
      }),
    ];
    const chat = await screen.findByRole('log', { name: 'Preview chat' });
    await within(chat).findByText('Preview started', {}, { timeout: 3000 });
    expect(screen.getByText('Preview of version 3')).toBeTruthy();
    // Markup: *there* is bold, as on WhatsApp.
    expect(within(chat).getByText('there').className).toContain('font-semibold');

    fireEvent.click(within(chat).getByRole('button', { name: 'Menu' }));
    await waitFor(() =>
      expect(posts().at(-1)).toEqual({
        userId: 'preview-1',
        choice: { id: 'welcome:menu', title: 'Menu' },
      }),
    );
    fireEvent.click(within(chat).getByRole('button', { name: 'Pizzas' }));
    fireEvent.click(within(chat).getByRole('button', { name: 'Margherita' }));
    await waitFor(() =>
      expect(posts().at(-1)).toEqual({
        userId: 'preview-1',
        choice: { id: 'menu:marg', title: 'Margherita' },
      }),
    );
    const box = screen.getByLabelText('Message');
    fireEvent.change(box, { target: { value: 'hello there' } });
    fireEvent.submit(box.closest('form')!);
    await waitFor(() =>
      expect(posts().at(-1)).toEqual({ userId: 'preview-1', text: 'hello there' }),
    );
    await waitFor(() => expect((box as HTMLInputElement).value).toBe(''));

    // Restart: a new preview session.
    fireEvent.click(screen.getByRole('button', { name: 'Restart' }));
    await waitFor(() =>
      expect(posts().at(-1)).toEqual({ flowId: 'support', language: 'es', name: 'Preview · Ana' }),
    );
  });

  test('unsaved changes are named; a server error is shown as its message', async () => {
    channels = [simulator];
    setup({ dirty: true, flowId: 'broken' });
    expect((await screen.findByRole('note')).textContent).toContain(
      'You have unsaved changes. Save to preview them',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Start chat' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Flow "broken" not found');
  });
});
