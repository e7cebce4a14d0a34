/**
 * The builder's live preview: a phone-like chat with THIS flow's saved latest version through
 * the simulator channel (the server starts that version for a fresh simulated user, whatever
 * flows are live; see the server's simulator.ts). Messages go through the real pipeline, so
 * the conversation also shows in the Inbox. Replies arrive over the live events.
 */
import type { ChannelMessage, Choice } from '@chatloom/flow-engine';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { List, RotateCcw, SendHorizontal } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, apiBase, type Channel, type Message } from './api.js';
import { Markup } from './markup.js';
import { Button, ErrorState, inputClass, Loading } from './ui.js';

/** The simulator's answer to GET /simulator/:channelId/messages. */
interface SimulatorTranscript {
  conversationId: string | null;
  messages: Message[];
}

/** The server's first message of a preview (its start token): shown as a note, not a bubble. */
const previewStart = /^Preview of version \d+ \(.+\) · [0-9a-f]{16}$/;

const simulatorKey = (channelId: string, userId: string) => ['simulator', channelId, userId];

interface PreviewProps {
  flowId: string;
  flowName: string;
  latestVersion: number;
  languages: string[];
  defaultLanguage: string;
  /** The draft has unsaved changes: the preview runs the saved version. */
  dirty: boolean;
  userName: string;
  /** The user may open the live event stream (else the preview polls). */
  liveEvents: boolean;
}

export function FlowPreview(props: PreviewProps) {
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<Channel[]>('/channels'),
  });
  if (channels.isPending) return <Loading label="Finding the simulator channel…" />;
  if (channels.error)
    return <ErrorState error={channels.error} retry={() => void channels.refetch()} />;
  const simulator = channels.data.find((c) => c.platform === 'simulator');
  if (!simulator)
    return (
      <div className="m-4 space-y-2 rounded border border-dashed border-slate-300 p-4 text-sm text-slate-600">
        <p className="font-medium text-slate-800">No simulator channel</p>
        <p>
          The preview chats through a web simulator channel, and this workspace has none. Add one in{' '}
          <Link to="/channels" className="text-indigo-700 underline">
            Channels
          </Link>{' '}
          (platform “Web simulator”).
        </p>
      </div>
    );
  return <PreviewChat channelId={simulator.id} {...props} />;
}

function PreviewChat({
  channelId,
  flowId,
  flowName,
  latestVersion,
  languages,
  defaultLanguage,
  dirty,
  userName,
  liveEvents,
}: PreviewProps & { channelId: string }) {
  const client = useQueryClient();
  const ids = useId();
  const [language, setLanguage] = useState(defaultLanguage);
  const [session, setSession] = useState<{ userId: string; version: number } | null>(null);
  const [text, setText] = useState('');
  const end = useRef<HTMLDivElement>(null);

  const start = useMutation({
    mutationFn: () =>
      api.post<{ userId: string; version: number }>(`/simulator/${channelId}/messages`, {
        flowId,
        language,
        name: `Preview · ${userName}`,
      }),
    onSuccess: (started) => setSession({ userId: started.userId, version: started.version }),
  });
  const send = useMutation({
    mutationFn: (body: { text: string } | { choice: Choice }) =>
      api.post(`/simulator/${channelId}/messages`, { userId: session?.userId, ...body }),
    onSuccess: () => {
      if (session)
        void client.invalidateQueries({ queryKey: simulatorKey(channelId, session.userId) });
    },
  });
  const transcript = useQuery({
    queryKey: simulatorKey(channelId, session?.userId ?? ''),
    queryFn: () =>
      api.get<SimulatorTranscript>(`/simulator/${channelId}/messages`, {
        userId: session?.userId,
      }),
    enabled: session !== null,
    // Without the live stream, ask again every second.
    refetchInterval: liveEvents ? false : 1000,
  });

  // The bot answers asynchronously (inbound queue, outbox): refetch when the live stream says
  // a message of this channel came or went.
  const userId = session?.userId;
  useEffect(() => {
    if (!liveEvents || !userId || typeof EventSource === 'undefined') return;
    const source = new EventSource(`${apiBase}/events`);
    const refresh = (event: MessageEvent<string>) => {
      const data = JSON.parse(event.data) as { message?: { channelId?: string } };
      if (data.message?.channelId === channelId)
        void client.invalidateQueries({ queryKey: simulatorKey(channelId, userId) });
    };
    source.addEventListener('message.created', refresh);
    source.addEventListener('message.received', refresh);
    source.addEventListener(
      'message.status',
      () => void client.invalidateQueries({ queryKey: simulatorKey(channelId, userId) }),
    );
    return () => source.close();
  }, [client, channelId, userId, liveEvents]);

  const messages = transcript.data?.messages ?? [];
  const count = messages.length;
  useEffect(() => {
    if (count > 0) end.current?.scrollIntoView?.({ block: 'end' });
  }, [count]);

  const choose = (choice: Choice) =>
    send.mutate({ choice: { id: choice.id, title: choice.title } });
  const error = start.error ?? send.error;

  return (
    <section aria-label="Preview" className="flex h-full flex-col gap-2 p-4 text-sm">
      {dirty && (
        <p
          role="note"
          className="rounded border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900"
        >
          You have unsaved changes. Save to preview them; the preview runs saved version{' '}
          {latestVersion}.
        </p>
      )}
      {session && session.version !== latestVersion && (
        <p role="note" className="rounded border border-sky-300 bg-sky-50 p-2 text-xs text-sky-900">
          Version {latestVersion} is saved; restart to chat with it.
        </p>
      )}
      <div className="flex min-h-0 flex-1 flex-col overflow-hidden rounded-2xl border-4 border-slate-800 bg-[#efeae2] shadow-inner">
        <div className="flex items-center gap-2 bg-emerald-800 px-3 py-2 text-white">
          <div className="min-w-0 flex-1">
            <p className="truncate font-medium">{flowName}</p>
            <p className="text-xs text-emerald-100">
              {session ? `Preview of version ${session.version}` : 'Preview'}
            </p>
          </div>
          {languages.length > 1 && (
            <select
              aria-label="Preview language"
              className="rounded bg-emerald-900 px-1 py-0.5 text-xs"
              value={language}
              onChange={(e) => setLanguage(e.target.value)}
            >
              {languages.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          )}
          {session && (
            <button
              type="button"
              className="flex items-center gap-1 rounded px-1.5 py-0.5 text-xs hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-white"
              onClick={() => {
                setSession(null);
                start.mutate();
              }}
              disabled={start.isPending}
            >
              <RotateCcw className="size-3.5" aria-hidden /> Restart
            </button>
          )}
        </div>
        <div
          className="flex min-h-48 flex-1 flex-col gap-2 overflow-y-auto p-3"
          role="log"
          aria-label="Preview chat"
          aria-live="polite"
        >
          {!session && (
            <div className="m-auto max-w-60 text-center text-xs text-slate-600">
              <p className="mb-2">
                Chat with saved version {latestVersion} as a new customer would, whatever flows are
                live. The chat also appears in the Inbox.
              </p>
              <Button onClick={() => start.mutate()} disabled={start.isPending}>
                {start.isPending ? 'Starting…' : 'Start chat'}
              </Button>
            </div>
          )}
          {session && transcript.isPending && <Loading label="Starting the chat…" />}
          {messages.map((message) => (
            <Bubble
              key={message.id}
              message={message}
              onChoose={choose}
              disabled={send.isPending}
            />
          ))}
          {session && messages.length > 0 && messages.at(-1)?.direction === 'in' && (
            <p
              className="self-start rounded-lg bg-white/70 px-2 py-1 text-xs text-slate-500"
              role="status"
            >
              typing…
            </p>
          )}
          <div ref={end} />
        </div>
        <form
          className="flex gap-2 bg-slate-100 p-2"
          onSubmit={(event) => {
            event.preventDefault();
            const typed = text.trim();
            if (!typed || !session) return;
            send.mutate({ text: typed }, { onSuccess: () => setText('') });
          }}
        >
          <label htmlFor={`${ids}-text`} className="sr-only">
            Message
          </label>
          <input
            id={`${ids}-text`}
            className={`${inputClass} rounded-full bg-white`}
            placeholder={session ? 'Type a message' : 'Start the chat first'}
            value={text}
            disabled={!session}
            onChange={(e) => setText(e.target.value)}
          />
          <button
            type="submit"
            aria-label="Send"
            disabled={!session || send.isPending || text.trim() === ''}
            className="rounded-full bg-emerald-700 p-2 text-white disabled:opacity-50"
          >
            <SendHorizontal className="size-4" aria-hidden />
          </button>
        </form>
      </div>
      {error && (
        <p role="alert" className="text-xs text-red-700">
          {error.message}
        </p>
      )}
    </section>
  );
}

function Bubble({
  message,
  onChoose,
  disabled,
}: {
  message: Message;
  onChoose: (choice: Choice) => void;
  disabled: boolean;
}) {
  if (message.direction === 'in') {
    const content = message.content as { kind?: string; text?: string; title?: string };
    if (typeof content.text === 'string' && previewStart.test(content.text))
      return (
        <p className="self-center rounded bg-white/70 px-2 py-0.5 text-xs text-slate-500">
          Preview started
        </p>
      );
    return (
      <div className="ml-10 self-end rounded-lg rounded-tr-none bg-[#d9fdd3] px-2.5 py-1.5 shadow-sm">
        <Markup text={content.kind === 'choice' ? (content.title ?? '') : (content.text ?? '')} />
      </div>
    );
  }
  const content = message.content as ChannelMessage;
  const failed = message.status === 'failed';
  return (
    <div
      className="mr-10 flex max-w-[85%] flex-col gap-1 self-start"
      data-testid="preview-bot-message"
    >
      <div className="rounded-lg rounded-tl-none bg-white px-2.5 py-1.5 shadow-sm">
        <BotBody content={content} />
        {failed && <p className="mt-1 text-xs text-red-700">Not sent: {message.error}</p>}
      </div>
      {content.kind === 'buttons' &&
        content.buttons.map((button) => (
          <button
            key={button.id}
            type="button"
            disabled={disabled}
            onClick={() => onChoose(button)}
            className="rounded-lg bg-white px-2 py-1.5 text-center font-medium text-sky-700 shadow-sm hover:bg-sky-50 focus-visible:outline-2 focus-visible:outline-sky-600"
          >
            {button.title}
          </button>
        ))}
      {content.kind === 'list' && (
        <ListChoices content={content} onChoose={onChoose} disabled={disabled} />
      )}
    </div>
  );
}

function BotBody({ content }: { content: ChannelMessage }) {
  switch (content.kind) {
    case 'text':
    case 'buttons':
    case 'list':
      return <Markup text={content.text} />;
    case 'options':
      return (
        <>
          <Markup text={content.text} />
          {content.groups.map((group, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: groups are positional
            <div key={index} className="mt-1">
              {group.title && <p className="text-xs font-medium text-slate-500">{group.title}</p>}
              {group.options.map((option) => (
                <p key={option.id}>
                  {option.key}. {option.title}
                </p>
              ))}
            </div>
          ))}
        </>
      );
    case 'media':
      return (
        <>
          <p className="text-xs text-slate-500">[{content.media}]</p>
          {content.caption && <Markup text={content.caption} />}
        </>
      );
    case 'template':
      return <p className="text-xs text-slate-500">Template: {content.name}</p>;
  }
}

/** A list message: the button opens the rows, like the phone's sheet; a row tap answers. */
function ListChoices({
  content,
  onChoose,
  disabled,
}: {
  content: Extract<ChannelMessage, { kind: 'list' }>;
  onChoose: (choice: Choice) => void;
  disabled: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
        className="flex items-center justify-center gap-1 rounded-lg bg-white px-2 py-1.5 font-medium text-sky-700 shadow-sm hover:bg-sky-50 focus-visible:outline-2 focus-visible:outline-sky-600"
      >
        <List className="size-4" aria-hidden /> {content.buttonLabel}
      </button>
      {open && (
        <div className="rounded-lg bg-white p-1 shadow-sm">
          {content.sections.map((section, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: sections are positional
            <div key={index}>
              {section.title && (
                <p className="px-2 pt-1 text-xs font-medium text-emerald-700">{section.title}</p>
              )}
              {section.rows.map((row) => (
                <button
                  key={row.id}
                  type="button"
                  disabled={disabled}
                  onClick={() => {
                    setOpen(false);
                    onChoose(row);
                  }}
                  className="block w-full rounded px-2 py-1 text-left hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-600"
                >
                  <span className="block">{row.title}</span>
                  {row.description && (
                    <span className="block text-xs text-slate-500">{row.description}</span>
                  )}
                </button>
              ))}
            </div>
          ))}
        </div>
      )}
    </>
  );
}
