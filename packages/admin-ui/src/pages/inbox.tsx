/**
 * The shared inbox: conversations (search by contact name or phone, unread marks), one
 * conversation's messages live over SSE with delivery ticks and rendered by kind, the composer
 * (quick replies, media, templates when the 24-hour window is closed), take control, transfer,
 * the chatbot switch for the person in control, and stars on a message's menu.
 */
import {
  messagingWindow,
  type WindowRule,
  windowClosedMessage,
  windowRules,
} from '@chatloom/flow-engine';
import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import * as Tooltip from '@radix-ui/react-tooltip';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Bot, BotOff, ChevronDown, EllipsisVertical, Search, Star, StarOff } from 'lucide-react';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import {
  api,
  type Channel,
  type Conversation,
  type Message,
  type Page,
  type TransferTarget,
} from '../api.js';
import { Composer } from '../composer-box.js';
import { useTemplates } from '../composer-template.js';
import { contactName } from '../inbox-api.js';
import { isUnread, markSeen, messagesKey, upsertMessage } from '../live.js';
import { MessageContent } from '../message-content.js';
import type { Session } from '../session.js';
import { Button, Empty, ErrorState, inputClass, Loading, PageHeader } from '../ui.js';

export { contactName };

const statusLabel: Record<Conversation['status'], string> = {
  bot: 'Chatbot',
  waiting: 'Waiting for a person',
  agent: 'With a person',
};

/** The search box's text once typing pauses, so each key does not query the server. */
function useDebounced(value: string, ms: number) {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('') || '?';

export function InboxPage({ session }: { session: Session }) {
  const { conversationId } = useParams();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const conversations = useQuery({
    queryKey: ['conversations', { q }],
    queryFn: () => api.get<Page<Conversation>>('/conversations', { q: q || undefined, limit: 100 }),
    placeholderData: (previous) => previous,
  });
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<Channel[]>('/channels'),
    enabled: session.can('channels.read'),
  });
  // With several channels, each conversation says which one it came in on.
  const channelName = (id: string) =>
    (channels.data?.length ?? 0) > 1 ? channels.data?.find((ch) => ch.id === id)?.name : undefined;
  const all = conversations.data?.items ?? [];
  const unreadCount = all.filter((c) => isUnread(c) && c.id !== conversationId).length;
  const list = all.filter((c) => !unreadOnly || (isUnread(c) && c.id !== conversationId));
  return (
    <div className="flex h-full min-h-0 flex-1">
      <aside className="flex w-80 shrink-0 flex-col border-r border-slate-200 bg-white">
        <div className="space-y-2 border-b border-slate-200 p-3">
          <div className="relative">
            <Search
              aria-hidden
              className="pointer-events-none absolute top-2 left-2 h-4 w-4 text-slate-400"
            />
            <input
              className={`${inputClass} pl-8`}
              type="search"
              placeholder="Search name or phone"
              aria-label="Search conversations"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          <label className="flex items-center gap-2 text-xs text-slate-600">
            <input
              type="checkbox"
              checked={unreadOnly}
              onChange={(e) => setUnreadOnly(e.target.checked)}
            />
            Unread only{unreadCount > 0 ? ` (${unreadCount})` : ''}
          </label>
        </div>
        {conversations.isPending ? (
          <Loading />
        ) : conversations.error ? (
          <ErrorState error={conversations.error} retry={() => void conversations.refetch()} />
        ) : list.length === 0 ? (
          <Empty>{q || unreadOnly ? 'No conversation matches.' : 'No conversations yet.'}</Empty>
        ) : (
          <ul className="flex-1 overflow-auto" aria-label="Conversations">
            {list.map((c) => {
              const unread = isUnread(c) && c.id !== conversationId;
              const name = contactName(c.contact);
              return (
                <li key={c.id}>
                  <Link
                    to={`/inbox/${c.id}`}
                    data-unread={unread}
                    aria-current={c.id === conversationId ? 'page' : undefined}
                    className={`flex items-center gap-3 border-b border-slate-100 px-3 py-2 text-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500 ${c.id === conversationId ? 'bg-indigo-50' : ''}`}
                  >
                    <span
                      aria-hidden
                      className="flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-slate-200 text-xs font-semibold text-slate-600"
                    >
                      {initials(name)}
                    </span>
                    <span className="min-w-0 flex-1">
                      <span className="flex items-center justify-between gap-2">
                        <span className={`truncate ${unread ? 'font-semibold' : ''}`}>{name}</span>
                        <span className="shrink-0 text-[11px] text-slate-400">
                          {shortTime(c.lastMessageAt)}
                        </span>
                      </span>
                      <span className="flex items-center justify-between gap-2 text-xs text-slate-500">
                        <span className="truncate">
                          {channelName(c.channelId) ? `${channelName(c.channelId)} · ` : ''}
                          {c.contact.name && c.contact.phone ? `${c.contact.phone} · ` : ''}
                          {statusLabel[c.status]}
                        </span>
                        {unread && (
                          <span
                            className="h-2.5 w-2.5 shrink-0 rounded-full bg-indigo-600"
                            title="Unread"
                          >
                            <span className="sr-only">Unread</span>
                          </span>
                        )}
                      </span>
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
        )}
      </aside>
      <section className="flex min-w-0 flex-1 flex-col bg-slate-50">
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

/** Today: the time; before: the date. */
function shortTime(ms: number | null): string {
  if (ms === null) return '';
  const date = new Date(ms);
  return date.toDateString() === new Date().toDateString()
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString();
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
  const [params] = useSearchParams();
  const highlight = params.get('message');
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
  const transfer = useMutation({
    mutationFn: (to: { userId: string } | { toBot: true }) =>
      api.post<Conversation>(`/conversations/${id}/transfer`, to),
    onSuccess: setConversation,
  });

  const ordered = useMemo(
    () => (messages.data?.pages.flatMap((p) => p.items) ?? []).slice().reverse(),
    [messages.data],
  );
  const canReply = session.can('conversations.reply');
  const hasTemplates = ordered.some(
    (m) => typeof m.content === 'object' && (m.content as { kind?: unknown })?.kind === 'template',
  );
  const templates = useTemplates(data?.channelId ?? '', Boolean(data) && canReply && hasTemplates);

  // Jump to a message (from Starred): load older pages until it is there, then scroll to it.
  const log = useRef<HTMLDivElement>(null);
  const found = highlight !== null && ordered.some((m) => m.id === highlight);
  useEffect(() => {
    if (highlight && !found && messages.hasNextPage && !messages.isFetchingNextPage)
      void messages.fetchNextPage();
  }, [highlight, found, messages]);
  useEffect(() => {
    if (!found || !highlight) return;
    log.current
      ?.querySelector(`[data-message-id="${CSS.escape(highlight)}"]`)
      ?.scrollIntoView({ block: 'center' });
  }, [found, highlight]);
  // Otherwise stay at the newest message as messages arrive (unless reading older ones). The log
  // is only there once the conversation has loaded, which may be after its messages.
  const newest = ordered.at(-1)?.id;
  const logShown = Boolean(data);
  const pinned = useRef(true);
  useLayoutEffect(() => {
    if (highlight || !newest || !logShown || !log.current || !pinned.current) return;
    log.current.scrollTop = log.current.scrollHeight;
  }, [newest, highlight, logShown]);

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
  const actionError = takeControl.error ?? chatbot.error ?? transfer.error;

  return (
    <>
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-3">
        <div className="mr-auto min-w-0">
          <h1 className="truncate font-semibold">{contactName(data.contact)}</h1>
          <p className="text-xs text-slate-500" data-testid="conversation-status">
            {data.contact.phone && data.contact.name ? `${data.contact.phone} · ` : ''}
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
          <TransferMenu
            organizerId={data.organizerId}
            status={data.status}
            disabled={transfer.isPending}
            onTransfer={(to) => transfer.mutate(to)}
          />
        )}
        {canManage && inControl && (
          <ChatbotToggle
            enabled={data.chatbotEnabled}
            disabled={chatbot.isPending}
            onChange={(enabled) => chatbot.mutate(enabled)}
          />
        )}
      </header>
      {actionError && <ErrorState error={actionError} />}
      <div
        ref={log}
        className="flex-1 space-y-2 overflow-auto p-4"
        aria-label="Messages"
        role="log"
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
      >
        {messages.hasNextPage && (
          <div className="text-center">
            <Button
              variant="secondary"
              disabled={messages.isFetchingNextPage}
              onClick={() => void messages.fetchNextPage()}
            >
              {messages.isFetchingNextPage ? 'Loading…' : 'Older messages'}
            </Button>
          </div>
        )}
        {messages.isPending ? (
          <Loading />
        ) : messages.error ? (
          <ErrorState error={messages.error} retry={() => void messages.refetch()} />
        ) : ordered.length === 0 ? (
          <Empty>No messages yet.</Empty>
        ) : (
          ordered.map((m, index) => (
            <MessageRow
              key={m.id}
              message={m}
              previous={ordered[index - 1]}
              canStar={canManage}
              highlighted={m.id === highlight}
              templates={templates.data}
            />
          ))
        )}
      </div>
      {!canReply && !window.open && (
        <p
          role="status"
          data-testid="window-closed"
          className="border-t border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
        >
          {windowClosedMessage}
        </p>
      )}
      {canReply && (
        <Composer
          conversationId={id}
          channelId={data.channelId}
          windowOpen={window.open}
          session={session}
        />
      )}
    </>
  );
}

/** The chatbot switch, only for the person in control: a green bot when on, a gray one off. */
function ChatbotToggle({
  enabled,
  disabled,
  onChange,
}: {
  enabled: boolean;
  disabled: boolean;
  onChange: (enabled: boolean) => void;
}) {
  const Icon = enabled ? Bot : BotOff;
  return (
    <Tooltip.Provider delayDuration={200}>
      <Tooltip.Root>
        <Tooltip.Trigger asChild>
          <button
            type="button"
            role="switch"
            aria-checked={enabled}
            aria-label="Chatbot"
            data-testid="chatbot-toggle"
            disabled={disabled}
            onClick={() => onChange(!enabled)}
            className={`rounded-full p-2 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-50 ${enabled ? 'bg-emerald-50 text-emerald-600 hover:bg-emerald-100' : 'bg-slate-100 text-slate-400 hover:bg-slate-200'}`}
          >
            <Icon className="h-5 w-5" />
          </button>
        </Tooltip.Trigger>
        <Tooltip.Portal>
          <Tooltip.Content
            side="bottom"
            sideOffset={6}
            className="z-50 max-w-64 rounded bg-slate-900 px-2 py-1.5 text-xs text-white shadow"
          >
            {enabled
              ? 'Chatbot on: it keeps answering this customer while you are in control. Click to switch it off.'
              : 'Chatbot off: only people answer this customer. Click to let the chatbot answer again.'}
            <Tooltip.Arrow className="fill-slate-900" />
          </Tooltip.Content>
        </Tooltip.Portal>
      </Tooltip.Root>
    </Tooltip.Provider>
  );
}

const menuItemClass =
  'flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm outline-none select-none data-[highlighted]:bg-indigo-50 data-[disabled]:cursor-default data-[disabled]:opacity-50';
const menuClass = 'z-50 min-w-48 rounded-md border border-slate-200 bg-white p-1 shadow-lg';

/** Hand the conversation to another person who handles conversations, or back to the bot. */
function TransferMenu({
  organizerId,
  status,
  disabled,
  onTransfer,
}: {
  organizerId: string | null;
  status: Conversation['status'];
  disabled: boolean;
  onTransfer: (to: { userId: string } | { toBot: true }) => void;
}) {
  const [open, setOpen] = useState(false);
  const targets = useQuery({
    queryKey: ['transfer-targets'],
    queryFn: () => api.get<TransferTarget[]>('/conversations/transfer-targets'),
    enabled: open,
    staleTime: 60_000,
  });
  const others = (targets.data ?? []).filter((t) => t.id !== organizerId);
  return (
    <DropdownMenu.Root open={open} onOpenChange={setOpen}>
      <DropdownMenu.Trigger asChild>
        <Button variant="secondary" disabled={disabled} className="inline-flex items-center gap-1">
          Transfer
          <ChevronDown aria-hidden className="h-4 w-4" />
        </Button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content align="end" sideOffset={4} className={menuClass}>
          <DropdownMenu.Label className="px-2 py-1 text-[11px] font-semibold text-slate-500 uppercase">
            Transfer to
          </DropdownMenu.Label>
          {targets.isPending ? (
            <DropdownMenu.Item disabled className={menuItemClass}>
              Loading…
            </DropdownMenu.Item>
          ) : targets.error ? (
            <DropdownMenu.Item disabled className={`${menuItemClass} text-red-700`}>
              {targets.error.message}
            </DropdownMenu.Item>
          ) : others.length === 0 ? (
            <DropdownMenu.Item disabled className={menuItemClass}>
              No one else handles conversations
            </DropdownMenu.Item>
          ) : (
            others.map((t) => (
              <DropdownMenu.Item
                key={t.id}
                className={menuItemClass}
                onSelect={() => onTransfer({ userId: t.id })}
              >
                <span className="flex flex-col">
                  <span>{t.name}</span>
                  <span className="text-xs text-slate-500">{t.email}</span>
                </span>
              </DropdownMenu.Item>
            ))
          )}
          <DropdownMenu.Separator className="my-1 h-px bg-slate-200" />
          <DropdownMenu.Item
            className={menuItemClass}
            disabled={status === 'bot'}
            onSelect={() => onTransfer({ toBot: true })}
          >
            <Bot aria-hidden className="h-4 w-4 text-emerald-600" />
            Back to the chatbot
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

/** ✓ sent, ✓✓ delivered, blue ✓✓ read, ! failed, a clock while it waits to go out. */
export function Ticks({ status }: { status: string }) {
  const [mark, label, className] =
    status === 'read'
      ? ['✓✓', 'Read', 'text-sky-300']
      : status === 'delivered'
        ? ['✓✓', 'Delivered', 'opacity-80']
        : status === 'sent'
          ? ['✓', 'Sent', 'opacity-80']
          : status === 'failed'
            ? ['!', 'Failed', 'font-bold text-red-300']
            : ['◷', 'Sending', 'opacity-80'];
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

const senderLabels: Record<string, string> = {
  agent: 'Agent',
  contact: 'Customer',
  bot: 'Chatbot',
  echo: 'Business app',
};
const senderLabel = (m: Message) => senderLabels[m.sender] ?? m.sender;

function MessageRow({
  message,
  previous,
  canStar,
  highlighted,
  templates,
}: {
  message: Message;
  previous: Message | undefined;
  canStar: boolean;
  highlighted: boolean;
  templates: Parameters<typeof MessageContent>[0]['templates'];
}) {
  const day = new Date(message.createdAt).toDateString();
  const newDay = !previous || new Date(previous.createdAt).toDateString() !== day;
  return (
    <>
      {newDay && (
        <p className="py-1 text-center text-[11px] font-medium text-slate-500">
          {new Date(message.createdAt).toLocaleDateString(undefined, {
            weekday: 'short',
            year: 'numeric',
            month: 'short',
            day: 'numeric',
          })}
        </p>
      )}
      <MessageBubble
        message={message}
        canStar={canStar}
        highlighted={highlighted}
        templates={templates}
      />
    </>
  );
}

function MessageBubble({
  message,
  canStar,
  highlighted,
  templates,
}: {
  message: Message;
  canStar: boolean;
  highlighted: boolean;
  templates: Parameters<typeof MessageContent>[0]['templates'];
}) {
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
    <div
      className={`flex ${out ? 'justify-end' : 'justify-start'}`}
      data-testid="message"
      data-message-id={message.id}
      data-highlighted={highlighted || undefined}
    >
      <div
        className={`group relative max-w-[70%] rounded-lg px-3 py-2 text-sm shadow-sm ${out ? 'bg-indigo-600 text-white' : 'bg-white'} ${highlighted ? 'ring-4 ring-amber-400' : ''}`}
      >
        <MessageContent message={message} templates={templates} />
        <div
          className={`mt-1 flex items-center justify-end gap-1 text-[11px] ${out ? 'text-indigo-100' : 'text-slate-400'}`}
        >
          {message.starred && (
            <span role="img" aria-label="Starred" title="Starred">
              <Star aria-hidden className="h-3 w-3 fill-amber-400 text-amber-400" />
            </span>
          )}
          <span>{senderLabel(message)}</span>
          <span>
            ·{' '}
            {new Date(message.createdAt).toLocaleTimeString([], {
              hour: '2-digit',
              minute: '2-digit',
            })}
          </span>
          {out && <Ticks status={message.status} />}
          {canStar && (
            <DropdownMenu.Root>
              <DropdownMenu.Trigger
                aria-label="Message actions"
                className={`rounded p-0.5 opacity-60 group-hover:opacity-100 hover:opacity-100 focus-visible:opacity-100 focus-visible:outline-2 focus-visible:outline-indigo-300 data-[state=open]:opacity-100 ${out ? 'hover:bg-white/20' : 'hover:bg-slate-100'}`}
              >
                <EllipsisVertical className="h-3.5 w-3.5" />
              </DropdownMenu.Trigger>
              <DropdownMenu.Portal>
                <DropdownMenu.Content align="end" sideOffset={4} className={menuClass}>
                  <DropdownMenu.Item
                    className={menuItemClass}
                    disabled={star.isPending}
                    onSelect={() => star.mutate(!message.starred)}
                  >
                    {message.starred ? (
                      <>
                        <StarOff aria-hidden className="h-4 w-4" /> Unstar message
                      </>
                    ) : (
                      <>
                        <Star aria-hidden className="h-4 w-4 text-amber-500" /> Star message
                      </>
                    )}
                  </DropdownMenu.Item>
                </DropdownMenu.Content>
              </DropdownMenu.Portal>
            </DropdownMenu.Root>
          )}
        </div>
        {message.error && (
          <p className={`mt-1 text-xs ${out ? 'text-red-200' : 'text-red-700'}`}>{message.error}</p>
        )}
        {star.error && (
          <p role="alert" className={`mt-1 text-xs ${out ? 'text-red-200' : 'text-red-700'}`}>
            {star.error.message}
          </p>
        )}
      </div>
    </div>
  );
}
