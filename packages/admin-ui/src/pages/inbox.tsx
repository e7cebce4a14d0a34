/**
 * The shared inbox: conversations (search, unread), one conversation's messages live over SSE
 * with delivery ticks, the composer, take control, the chatbot switch and stars.
 */
import {
  messagingWindow,
  type WindowRule,
  windowClosedMessage,
  windowRules,
} from '@chatloom/flow-engine';
import * as Switch from '@radix-ui/react-switch';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  api,
  type Channel,
  type Conversation,
  type Message,
  messageText,
  type Page,
} from '../api.js';
import { isUnread, markSeen, messagesKey, upsertMessage } from '../live.js';
import type { Session } from '../session.js';
import { Button, Empty, ErrorState, formatTime, inputClass, Loading, PageHeader } from '../ui.js';

export const contactName = (c: Conversation['contact']) =>
  c.name ?? c.phone ?? c.userId ?? 'Unknown contact';

const statusLabel: Record<Conversation['status'], string> = {
  bot: 'Chatbot',
  waiting: 'Waiting for a person',
  agent: 'With a person',
};

export function InboxPage({ session }: { session: Session }) {
  const { conversationId } = useParams();
  const [search, setSearch] = useState('');
  const [unreadOnly, setUnreadOnly] = useState(false);
  const conversations = useQuery({
    queryKey: ['conversations', { q: search }],
    queryFn: () =>
      api.get<Page<Conversation>>('/conversations', { q: search.trim() || undefined, limit: 100 }),
    placeholderData: (previous) => previous,
  });
  const list = (conversations.data?.items ?? []).filter(
    (c) => !unreadOnly || (isUnread(c) && c.id !== conversationId),
  );
  return (
    <div className="flex h-full min-h-0 flex-1">
      <aside className="flex w-80 shrink-0 flex-col border-r border-slate-200 bg-white">
        <div className="space-y-2 border-b border-slate-200 p-3">
          <input
            className={inputClass}
            type="search"
            placeholder="Search name, phone or id"
            aria-label="Search conversations"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <label className="flex items-center gap-2 text-xs text-slate-600">
            <input
              type="checkbox"
              checked={unreadOnly}
              onChange={(e) => setUnreadOnly(e.target.checked)}
            />
            Unread only
          </label>
        </div>
        {conversations.isPending ? (
          <Loading />
        ) : conversations.error ? (
          <ErrorState error={conversations.error} retry={() => void conversations.refetch()} />
        ) : list.length === 0 ? (
          <Empty>
            {search || unreadOnly ? 'No conversation matches.' : 'No conversations yet.'}
          </Empty>
        ) : (
          <ul className="flex-1 overflow-auto" aria-label="Conversations">
            {list.map((c) => {
              const unread = isUnread(c) && c.id !== conversationId;
              return (
                <li key={c.id}>
                  <Link
                    to={`/inbox/${c.id}`}
                    data-unread={unread}
                    className={`block border-b border-slate-100 px-3 py-2 text-sm hover:bg-slate-50 ${c.id === conversationId ? 'bg-indigo-50' : ''}`}
                  >
                    <div className="flex items-center justify-between">
                      <span className={unread ? 'font-semibold' : ''}>
                        {contactName(c.contact)}
                      </span>
                      {unread && (
                        <span className="h-2 w-2 rounded-full bg-indigo-600" title="Unread" />
                      )}
                    </div>
                    <div className="text-xs text-slate-500">
                      {statusLabel[c.status]} · {formatTime(c.lastMessageAt)}
                    </div>
                  </Link>
                </li>
              );
            })}
          </ul>
        )}
      </aside>
      <section className="flex min-w-0 flex-1 flex-col">
        {conversationId ? (
          <ConversationView key={conversationId} id={conversationId} session={session} />
        ) : (
          <>
            <PageHeader title="Inbox" />
            <Empty>Pick a conversation.</Empty>
          </>
        )}
      </section>
    </div>
  );
}

function useNow(everyMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function ConversationView({ id, session }: { id: string; session: Session }) {
  const client = useQueryClient();
  const conversation = useQuery({
    queryKey: ['conversation', id],
    queryFn: () => api.get<Conversation>(`/conversations/${id}`),
  });
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<Channel[]>('/channels'),
    enabled: session.can('channels.read'),
  });
  const messages = useInfiniteQuery({
    queryKey: messagesKey(id),
    queryFn: ({ pageParam }) =>
      api.get<Page<Message>>(`/conversations/${id}/messages`, { cursor: pageParam, limit: 50 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const now = useNow(30_000);
  const data = conversation.data;
  useEffect(() => {
    if (data?.lastInboundAt) markSeen(id, data.lastInboundAt);
  }, [id, data?.lastInboundAt]);

  const setConversation = (next: Conversation) => {
    client.setQueryData(['conversation', id], next);
    void client.invalidateQueries({ queryKey: ['conversations'] });
  };
  const takeControl = useMutation({
    mutationFn: () => api.post<Conversation>(`/conversations/${id}/take-control`),
    onSuccess: setConversation,
  });
  const chatbot = useMutation({
    mutationFn: (enabled: boolean) =>
      api.post<Conversation>(`/conversations/${id}/chatbot`, { enabled }),
    onSuccess: setConversation,
  });

  const ordered = useMemo(
    () => (messages.data?.pages.flatMap((p) => p.items) ?? []).slice().reverse(),
    [messages.data],
  );

  if (conversation.isPending) return <Loading />;
  if (conversation.error || !data)
    return <ErrorState error={conversation.error} retry={() => void conversation.refetch()} />;

  const platform = channels.data?.find((c) => c.id === data.channelId)?.platform ?? 'whatsapp';
  const rule: WindowRule =
    platform in windowRules
      ? windowRules[platform as keyof typeof windowRules]
      : windowRules.whatsapp;
  const window = messagingWindow(rule, data.lastInboundAt, now, 'agent');
  const inControl = data.organizerId === session.user.id;
  const canManage = session.can('conversations.manage');

  return (
    <>
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-3">
        <div className="mr-auto">
          <h1 className="font-semibold">{contactName(data.contact)}</h1>
          <p className="text-xs text-slate-500" data-testid="conversation-status">
            {statusLabel[data.status]}
            {inControl ? ' · you are in control' : ''}
          </p>
        </div>
        {canManage && !inControl && (
          <Button onClick={() => takeControl.mutate()} disabled={takeControl.isPending}>
            Take control
          </Button>
        )}
        {canManage && (
          <div
            className="flex items-center gap-2 text-sm"
            title={inControl ? '' : 'Only the person in control can switch the chatbot'}
          >
            Chatbot
            <Switch.Root
              aria-label="Chatbot"
              checked={data.chatbotEnabled}
              disabled={!inControl || chatbot.isPending}
              onCheckedChange={(enabled) => chatbot.mutate(enabled)}
              className="relative h-5 w-9 rounded-full bg-slate-300 disabled:opacity-50 data-[state=checked]:bg-indigo-600"
            >
              <Switch.Thumb className="block h-4 w-4 translate-x-0.5 rounded-full bg-white transition-transform data-[state=checked]:translate-x-4" />
            </Switch.Root>
          </div>
        )}
      </header>
      {(takeControl.error || chatbot.error) && (
        <ErrorState error={takeControl.error ?? chatbot.error} />
      )}
      <div className="flex-1 space-y-2 overflow-auto p-4" aria-label="Messages" role="log">
        {messages.hasNextPage && (
          <Button variant="secondary" onClick={() => void messages.fetchNextPage()}>
            Older messages
          </Button>
        )}
        {messages.isPending ? (
          <Loading />
        ) : messages.error ? (
          <ErrorState error={messages.error} />
        ) : ordered.length === 0 ? (
          <Empty>No messages yet.</Empty>
        ) : (
          ordered.map((m) => <MessageBubble key={m.id} message={m} canStar={canManage} />)
        )}
      </div>
      {!window.open && (
        <p
          role="status"
          className="border-t border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900"
          data-testid="window-closed"
        >
          {windowClosedMessage}
        </p>
      )}
      {session.can('conversations.reply') && (
        <Composer conversationId={id} disabled={!window.open} />
      )}
    </>
  );
}

/** ✓ sent, ✓✓ delivered, blue ✓✓ read, ! failed, a clock while it waits to go out. */
export function Ticks({ status }: { status: string }) {
  const [mark, label, className] =
    status === 'read'
      ? ['✓✓', 'Read', 'text-sky-500']
      : status === 'delivered'
        ? ['✓✓', 'Delivered', 'text-slate-400']
        : status === 'sent'
          ? ['✓', 'Sent', 'text-slate-400']
          : status === 'failed'
            ? ['!', 'Failed', 'text-red-600']
            : ['◷', 'Sending', 'text-slate-400'];
  return (
    <span
      className={`ml-1 text-xs ${className}`}
      role="img"
      title={label}
      aria-label={label}
      data-status={status}
    >
      {mark}
    </span>
  );
}

function MessageBubble({ message, canStar }: { message: Message; canStar: boolean }) {
  const client = useQueryClient();
  const star = useMutation({
    mutationFn: (starred: boolean) =>
      starred
        ? api.post<Message>(`/messages/${message.id}/star`)
        : api.delete<Message>(`/messages/${message.id}/star`),
    onSuccess: (updated) => {
      upsertMessage(client, updated);
      void client.invalidateQueries({ queryKey: ['starred'] });
    },
  });
  const out = message.direction === 'out';
  return (
    <div className={`flex ${out ? 'justify-end' : 'justify-start'}`} data-testid="message">
      <div
        className={`group max-w-[70%] rounded-lg px-3 py-2 text-sm shadow-sm ${out ? 'bg-indigo-600 text-white' : 'bg-white'}`}
      >
        <p className="whitespace-pre-wrap">{messageText(message)}</p>
        <div
          className={`mt-1 flex items-center gap-1 text-[11px] ${out ? 'text-indigo-100' : 'text-slate-400'}`}
        >
          <span>{message.sender === 'agent' ? 'Agent' : message.sender}</span>
          <span>· {new Date(message.createdAt).toLocaleTimeString()}</span>
          {out && <Ticks status={message.status} />}
          {canStar && (
            <button
              type="button"
              aria-label={message.starred ? 'Unstar message' : 'Star message'}
              aria-pressed={message.starred}
              className={message.starred ? 'text-amber-400' : 'opacity-60 hover:opacity-100'}
              onClick={() => star.mutate(!message.starred)}
            >
              {message.starred ? '★' : '☆'}
            </button>
          )}
        </div>
        {message.error && <p className="mt-1 text-xs text-red-200">{message.error}</p>}
      </div>
    </div>
  );
}

function Composer({ conversationId, disabled }: { conversationId: string; disabled: boolean }) {
  const client = useQueryClient();
  const [text, setText] = useState('');
  const send = useMutation({
    mutationFn: () => api.post<Message>(`/conversations/${conversationId}/messages`, { text }),
    onSuccess: (message) => {
      setText('');
      upsertMessage(client, message);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim()) send.mutate();
  };
  return (
    <form onSubmit={submit} className="flex gap-2 border-t border-slate-200 bg-white p-3">
      <textarea
        className={`${inputClass} h-16 resize-none`}
        aria-label="Message"
        placeholder={disabled ? 'Outside the messaging window' : 'Write a reply…'}
        maxLength={4096}
        disabled={disabled}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) submit(e);
        }}
      />
      <div className="flex flex-col items-end gap-1">
        <Button type="submit" disabled={disabled || send.isPending || !text.trim()}>
          Send
        </Button>
        {send.error && (
          <span role="alert" className="text-xs text-red-700">
            {send.error.message}
          </span>
        )}
      </div>
    </form>
  );
}
