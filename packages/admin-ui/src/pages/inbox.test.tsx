import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Conversation, Message } from '../api.js';
import { messagesKey } from '../live.js';
import { toSession } from '../session.js';
import { InboxPage } from './inbox.js';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const conversation: Conversation = {
  id: 'c1',
  channelId: 'ch1',
  contactId: 'k1',
  status: 'bot',
  organizerId: null,
  chatbotEnabled: true,
  lastInboundAt: null,
  lastMessageAt: 3,
  createdAt: 1,
  updatedAt: 3,
  contact: { id: 'k1', userId: '5511', phone: '+5511', name: 'Bruno' },
};

const message = (n: number): Message => ({
  id: `m${n}`,
  conversationId: 'c1',
  channelId: 'ch1',
  direction: 'out',
  sender: 'bot',
  agentId: null,
  type: 'text',
  content: { kind: 'text', text: `Message ${n}` },
  status: 'sent',
  error: null,
  starred: false,
  createdAt: n,
  updatedAt: n,
});

let releaseConversation: () => void;
const scrolled = new WeakMap<Element, number>();

beforeEach(() => {
  const conversationLoaded = new Promise<void>((resolve) => {
    releaseConversation = resolve;
  });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      const path = url.split('?')[0];
      if (path === '/api/v1/conversations')
        return json({ items: [conversation], nextCursor: null });
      if (path === '/api/v1/conversations/c1/messages')
        return json({ items: [message(3), message(2), message(1)], nextCursor: null });
      if (path === '/api/v1/conversations/c1') {
        await conversationLoaded;
        return json(conversation);
      }
      return json({ message: `unexpected GET ${url}` }, 500);
    }),
  );
  // jsdom has no layout: the log is 900px tall, and scrolling is recorded.
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get: () => 900,
  });
  Object.defineProperty(HTMLElement.prototype, 'scrollTop', {
    configurable: true,
    get(this: Element) {
      return scrolled.get(this) ?? 0;
    },
    set(this: Element, value: number) {
      scrolled.set(this, value);
    },
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  delete (HTMLElement.prototype as { scrollHeight?: number }).scrollHeight;
  delete (HTMLElement.prototype as { scrollTop?: number }).scrollTop;
});

describe('a conversation', () => {
  test('opens at its newest message when the messages load before the conversation', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const session = toSession({
      user: { id: 'u', email: 'a@example.com', name: 'Ana' },
      tenantId: 't',
      roleId: 'r',
      permissions: ['conversations.read'],
      tenants: [{ id: 't', name: 'T', roleId: 'r', roleName: 'Role' }],
      via: 'session',
    });
    render(
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={['/inbox/c1']}>
          <Routes>
            <Route path="/inbox/:conversationId" element={<InboxPage session={session} />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    // The messages are in (and rendered with) before the conversation answers.
    await waitFor(() => expect(client.getQueryData(messagesKey('c1'))).toBeTruthy());
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(screen.queryByRole('log')).toBeNull();

    releaseConversation();
    const log = await screen.findByRole('log', { name: 'Messages' });
    expect(log.textContent).toContain('Message 3');
    expect(log.scrollTop).toBe(900);
  });
});
