/**
 * Starred messages across conversations, newest first, grouped by day, filtered by channel,
 * more loaded as the end of the list scrolls into view (the cursor of `GET /messages/starred`).
 * Each says who wrote to whom ("You ▸ Ana", "Ana ▸ You"); a click opens the conversation on
 * that message.
 */
import { useInfiniteQuery, useQueries, useQuery } from '@tanstack/react-query';
import { Star } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, type Channel, type Conversation, type Message, type Page } from '../api.js';
import { contactName } from '../inbox-api.js';
import { Markup } from '../markup.js';
import { messageSummary } from '../message-content.js';
import { useSession } from '../session.js';
import { Empty, ErrorState, inputClass, Loading, PageHeader } from '../ui.js';

const pageSize = 30;

function dayLabel(ms: number): string {
  const date = new Date(ms);
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString(undefined, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
}

export function StarredPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [channelId, setChannelId] = useState('');
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<Channel[]>('/channels'),
    enabled: session.can('channels.read'),
  });
  const starred = useInfiniteQuery({
    queryKey: ['starred', { channelId }],
    queryFn: ({ pageParam }) =>
      api.get<Page<Message>>('/messages/starred', {
        channelId: channelId || undefined,
        cursor: pageParam,
        limit: pageSize,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = starred.data?.pages.flatMap((p) => p.items) ?? [];

  // Who the other side is: each conversation once (shared with the inbox's cache).
  const conversationIds = [...new Set(items.map((m) => m.conversationId))];
  const conversations = useQueries({
    queries: conversationIds.map((id) => ({
      queryKey: ['conversation', id],
      queryFn: () => api.get<Conversation>(`/conversations/${id}`),
      staleTime: 60_000,
    })),
  });
  const contactOf = new Map(
    conversations.flatMap((q) => (q.data ? [[q.data.id, contactName(q.data.contact)]] : [])),
  );

  // Infinite scroll: the sentinel after the list asks for the next page when it shows.
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = starred;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const groups: { day: string; messages: Message[] }[] = [];
  for (const message of items) {
    const day = dayLabel(message.createdAt);
    const last = groups.at(-1);
    if (last?.day === day) last.messages.push(message);
    else groups.push({ day, messages: [message] });
  }
  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <PageHeader title="Starred">
        {channels.data && channels.data.length > 0 && (
          <label className="flex items-center gap-2 text-sm text-slate-600">
            Channel
            <select
              className={`${inputClass} w-48`}
              value={channelId}
              onChange={(e) => setChannelId(e.target.value)}
            >
              <option value="">All channels</option>
              {channels.data.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </PageHeader>
      <div className="flex-1 overflow-auto">
        {starred.isPending ? (
          <Loading />
        ) : starred.error ? (
          <ErrorState error={starred.error} retry={() => void starred.refetch()} />
        ) : items.length === 0 ? (
          <Empty>
            {channelId
              ? 'No starred messages on this channel.'
              : 'No starred messages. Star a message from its menu in a conversation to keep it here.'}
          </Empty>
        ) : (
          <div className="mx-auto max-w-3xl space-y-6 p-6">
            {groups.map((group) => (
              <section key={group.day} aria-label={group.day}>
                <h2 className="sticky top-0 z-10 bg-slate-50/95 py-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
                  {group.day}
                </h2>
                <ul
                  aria-label="Starred messages"
                  className="mt-1 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white"
                >
                  {group.messages.map((m) => {
                    const contact = contactOf.get(m.conversationId) ?? 'Contact';
                    const out = m.direction === 'out';
                    const open = () =>
                      navigate(`/inbox/${m.conversationId}?message=${encodeURIComponent(m.id)}`);
                    return (
                      <li key={m.id}>
                        <button
                          type="button"
                          onClick={open}
                          data-testid="starred-message"
                          className="flex w-full gap-3 px-4 py-3 text-left text-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500"
                        >
                          <Star
                            aria-hidden
                            className="mt-0.5 h-4 w-4 shrink-0 fill-amber-400 text-amber-400"
                          />
                          <span className="min-w-0 flex-1">
                            <span className="flex items-center justify-between gap-2 text-xs text-slate-500">
                              <span className="font-medium text-slate-700">
                                {out ? `You ▸ ${contact}` : `${contact} ▸ You`}
                              </span>
                              <span>
                                {channelName(m.channelId) && `${channelName(m.channelId)} · `}
                                {new Date(m.createdAt).toLocaleTimeString([], {
                                  hour: '2-digit',
                                  minute: '2-digit',
                                })}
                              </span>
                            </span>
                            <span className="mt-0.5 line-clamp-3 block text-slate-800">
                              <Markup text={messageSummary(m)} />
                            </span>
                          </span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </section>
            ))}
            <div ref={sentinel} aria-hidden className="h-4" />
            {isFetchingNextPage && <Loading label="Loading more…" />}
            {!hasNextPage && items.length > pageSize && (
              <p className="text-center text-xs text-slate-400">That is every starred message.</p>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
