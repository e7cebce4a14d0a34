/**
 * Quick replies in the composer: type `/` (then part of a shortcut or of the text) for
 * suggestions above the message box, or open the picker with its button and search. Picking
 * one puts its text into the message; nothing is sent until the agent sends.
 */
import * as Popover from '@radix-ui/react-popover';
import { useQuery } from '@tanstack/react-query';
import { Zap } from 'lucide-react';
import { useState } from 'react';
import { api, type QuickReply } from './api.js';
import { Markup } from './markup.js';
import { inputClass } from './ui.js';

export function useQuickReplies(channelId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['quick-replies', { channelId }],
    queryFn: () => api.get<QuickReply[]>('/quick-replies', { channelId }),
    enabled,
    staleTime: 60_000,
  });
}

const bare = (shortcut: string) => shortcut.replace(/^\//, '');

/** Those whose shortcut or text contains the query (case-insensitive); shortcut matches first. */
export function filterQuickReplies(list: QuickReply[], query: string): QuickReply[] {
  const q = query.trim().toLowerCase();
  if (!q) return list;
  const byShortcut = list.filter((r) => bare(r.shortcut).toLowerCase().includes(q));
  const byContent = list.filter(
    (r) => !byShortcut.includes(r) && r.content.toLowerCase().includes(q),
  );
  return [...byShortcut, ...byContent];
}

/** The `/query` being typed at the end of the text, if any. */
export function slashQuery(text: string): string | null {
  const match = /(?:^|\s)\/([^\s/]*)$/.exec(text);
  return match ? match[1]! : null;
}

/** The text with the trailing `/query` replaced by the quick reply's content. */
export function insertQuickReply(text: string, content: string): string {
  return slashQuery(text) === null
    ? text
      ? `${text}${/\s$/.test(text) ? '' : ' '}${content}`
      : content
    : text.replace(/\/[^\s/]*$/, content);
}

export function QuickReplyOptions({
  id,
  items,
  active,
  onPick,
  onHover,
  empty,
}: {
  id: string;
  items: QuickReply[];
  active: number;
  onPick: (reply: QuickReply) => void;
  onHover: (index: number) => void;
  empty: string;
}) {
  if (items.length === 0) return <p className="px-3 py-2 text-xs text-slate-500">{empty}</p>;
  return (
    <div id={id} role="listbox" aria-label="Quick replies" className="max-h-60 overflow-auto py-1">
      {items.map((reply, index) => (
        // Options are picked with the keyboard from the box that owns the list (aria-activedescendant).
        <div
          key={reply.id}
          id={`${id}-${index}`}
          role="option"
          aria-selected={index === active}
          tabIndex={-1}
          className={`cursor-pointer px-3 py-1.5 text-sm ${index === active ? 'bg-indigo-50' : ''}`}
          onMouseDown={(e) => e.preventDefault()}
          onMouseEnter={() => onHover(index)}
          onClick={() => onPick(reply)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onPick(reply);
          }}
        >
          <span className="font-mono text-xs text-indigo-700">/{bare(reply.shortcut)}</span>
          <span className="line-clamp-2 block text-slate-700">
            <Markup text={reply.content} />
          </span>
        </div>
      ))}
    </div>
  );
}

/** Arrow keys, Enter/Tab to pick and Escape for a list driven from a text box. */
export function listKeys(
  event: { key: string; preventDefault(): void },
  count: number,
  active: number,
  setActive: (index: number) => void,
  pick: () => void,
  close: () => void,
): boolean {
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    if (count > 0)
      setActive((active + (event.key === 'ArrowDown' ? 1 : count - 1)) % Math.max(count, 1));
    return true;
  }
  if ((event.key === 'Enter' || event.key === 'Tab') && count > 0) {
    event.preventDefault();
    pick();
    return true;
  }
  if (event.key === 'Escape') {
    event.preventDefault();
    close();
    return true;
  }
  return false;
}

/** The button that opens the searchable picker. */
export function QuickReplyPicker({
  channelId,
  disabled,
  onPick,
}: {
  channelId: string;
  disabled: boolean;
  onPick: (reply: QuickReply) => void;
}) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [active, setActive] = useState(0);
  const replies = useQuickReplies(channelId, open);
  const items = filterQuickReplies(replies.data ?? [], search);
  const pick = (reply: QuickReply) => {
    onPick(reply);
    setOpen(false);
    setSearch('');
  };
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger
        type="button"
        disabled={disabled}
        aria-label="Quick replies"
        title="Quick replies (or type /)"
        className="rounded p-1.5 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-40"
      >
        <Zap className="h-5 w-5" />
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          side="top"
          align="start"
          sideOffset={6}
          className="z-50 w-96 rounded-lg border border-slate-200 bg-white shadow-lg"
        >
          <div className="border-b border-slate-200 p-2">
            <input
              className={inputClass}
              type="search"
              // biome-ignore lint/a11y/noAutofocus: the picker opens to be searched
              autoFocus
              placeholder="Search shortcut or text"
              aria-label="Search quick replies"
              aria-controls="quick-reply-picker"
              aria-activedescendant={items.length ? `quick-reply-picker-${active}` : undefined}
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setActive(0);
              }}
              onKeyDown={(e) =>
                listKeys(
                  e,
                  items.length,
                  active,
                  setActive,
                  () => items[active] && pick(items[active]),
                  () => setOpen(false),
                )
              }
            />
          </div>
          {replies.isPending ? (
            <p className="px-3 py-2 text-xs text-slate-500">Loading…</p>
          ) : replies.error ? (
            <p role="alert" className="px-3 py-2 text-xs text-red-700">
              {replies.error.message}
            </p>
          ) : (
            <QuickReplyOptions
              id="quick-reply-picker"
              items={items}
              active={active}
              onPick={pick}
              onHover={setActive}
              empty={
                replies.data?.length
                  ? 'No quick reply matches.'
                  : 'No quick replies for this channel yet.'
              }
            />
          )}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
