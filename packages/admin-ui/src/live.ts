/**
 * Live updates: one `EventSource` on `/api/v1/events` per signed-in tab. Events patch the
 * react-query caches (a new message appears in its open conversation, ticks move) and mark the
 * lists stale, so nothing polls.
 */
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { apiBase, type Message, type Page } from './api.js';

export const messagesKey = (conversationId: string) => ['messages', conversationId] as const;

type Pages = { pages: Page<Message>[]; pageParams: unknown[] };

/** How far a message got; a status never goes back (events and answers race). */
export function statusRank(status: string): number {
  return ['received', 'pending', 'sent', 'delivered', 'read', 'failed'].indexOf(status);
}

// Status events can arrive before the answer of the POST that sent the message.
const latestStatus = new Map<string, { status: string; error: string | null }>();
function rememberStatus(messageId: string, status: string, error: string | null) {
  const known = latestStatus.get(messageId);
  if (known && statusRank(known.status) >= statusRank(status)) return;
  latestStatus.set(messageId, { status, error });
  if (latestStatus.size > 1000) latestStatus.delete(latestStatus.keys().next().value!);
}

/** Puts a message into its conversation's cached pages (newest first), or replaces it. */
export function upsertMessage(client: QueryClient, incoming: Message): void {
  const known = latestStatus.get(incoming.id);
  const message =
    known && statusRank(known.status) > statusRank(incoming.status)
      ? { ...incoming, ...known }
      : incoming;
  client.setQueryData<Pages>(messagesKey(message.conversationId), (data) => {
    if (!data) return data;
    const exists = data.pages.some((page) => page.items.some((m) => m.id === message.id));
    const pages = data.pages.map((page, index) => {
      if (exists)
        return {
          ...page,
          items: page.items.map((m) =>
            m.id !== message.id
              ? m
              : statusRank(m.status) > statusRank(message.status)
                ? { ...message, status: m.status, error: m.error }
                : message,
          ),
        };
      return index === 0 ? { ...page, items: [message, ...page.items] } : page;
    });
    return { ...data, pages };
  });
}

function patchStatus(
  client: QueryClient,
  event: { messageId: string; conversationId: string; status: string; error: string | null },
) {
  rememberStatus(event.messageId, event.status, event.error);
  client.setQueryData<Pages>(messagesKey(event.conversationId), (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.map((m) =>
              m.id === event.messageId && statusRank(event.status) >= statusRank(m.status)
                ? { ...m, status: event.status, error: event.error }
                : m,
            ),
          })),
        }
      : data,
  );
}

export type LiveStatus = 'connecting' | 'open' | 'closed';
let status: LiveStatus = 'closed';
const listeners = new Set<() => void>();
function setStatus(next: LiveStatus) {
  status = next;
  for (const listener of listeners) listener();
}

/** The stream's state, for the indicator in the sidebar. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => status,
  );
}

/** Opens the stream while mounted (only for users who may read conversations). */
export function useLiveEvents(enabled: boolean): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    setStatus('connecting');
    const source = new EventSource(`${apiBase}/events`);
    const on = (type: string, handle: (data: Record<string, unknown>) => void) =>
      source.addEventListener(type, (event) => {
        handle(JSON.parse((event as MessageEvent<string>).data) as Record<string, unknown>);
      });
    source.onopen = () => setStatus('open');
    source.onerror = () =>
      setStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
    const onMessage = (data: Record<string, unknown>) => {
      const message = data.message as Message;
      upsertMessage(client, { ...message, starred: message.starred ?? false });
      void client.invalidateQueries({ queryKey: ['conversations'] });
    };
    on('message.received', onMessage);
    on('message.created', onMessage);
    on('message.status', (data) =>
      patchStatus(
        client,
        data as { messageId: string; conversationId: string; status: string; error: string | null },
      ),
    );
    on('conversation.updated', () => {
      void client.invalidateQueries({ queryKey: ['conversations'] });
      void client.invalidateQueries({ queryKey: ['conversation'] });
    });
    on('notification', () => void client.invalidateQueries({ queryKey: ['notifications'] }));
    return () => {
      source.close();
      setStatus('closed');
    };
  }, [client, enabled]);
}

// Unread: a conversation is unread when someone wrote after you last opened it (kept per
// browser, as the API has no per-user read marks).
const seenKey = 'chatloom.seen';
function readSeen(): Record<string, number> {
  try {
    return JSON.parse(localStorage.getItem(seenKey) ?? '{}') as Record<string, number>;
  } catch {
    return {};
  }
}
export function markSeen(conversationId: string, at: number): void {
  const seen = readSeen();
  if ((seen[conversationId] ?? 0) >= at) return;
  seen[conversationId] = at;
  localStorage.setItem(seenKey, JSON.stringify(seen));
}
export function isUnread(conversation: { id: string; lastInboundAt: number | null }): boolean {
  return (
    conversation.lastInboundAt !== null &&
    conversation.lastInboundAt > (readSeen()[conversation.id] ?? 0)
  );
}
