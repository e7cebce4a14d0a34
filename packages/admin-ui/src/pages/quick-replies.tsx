import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Pencil, Plus, Search, Trash2 } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { api, type Channel, type QuickReply } from '../api.js';
import { Markup } from '../markup.js';
import { QuickReplyDialog } from '../quick-reply-dialog.js';
import type { Session } from '../session.js';
import {
  Button,
  Empty,
  ErrorState,
  formatTime,
  inputClass,
  Loading,
  Modal,
  PageHeader,
} from '../ui.js';

/** Waits for typing to pause before searching, so each keystroke is not a request. */
function useDebounced(value: string, ms = 250): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function QuickRepliesPage({ session }: { session: Session }) {
  const client = useQueryClient();
  const canManage = session.can('quick-replies.manage');
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim());
  const replies = useQuery({
    queryKey: ['quick-replies', { q }],
    queryFn: () => api.get<QuickReply[]>('/quick-replies', { q: q || undefined }),
    placeholderData: keepPreviousData,
  });
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<Channel[]>('/channels'),
    enabled: session.can('channels.read'),
  });
  const channelName = new Map((channels.data ?? []).map((c) => [c.id, c.name]));

  const [editing, setEditing] = useState<QuickReply | undefined>();
  const [dialogOpen, setDialogOpen] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const list = replies.data ?? [];
  // Selection only counts rows still listed (a search or a delete may hide some).
  const visibleSelected = list.filter((r) => selected.has(r.id));
  const allChecked = list.length > 0 && visibleSelected.length === list.length;
  const headerBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (headerBox.current)
      headerBox.current.indeterminate = visibleSelected.length > 0 && !allChecked;
  });

  const remove = useMutation({
    mutationFn: (ids: string[]) =>
      api.post<{ deleted: number }>('/quick-replies/bulk-delete', { ids }),
    onSuccess: async () => {
      setSelected(new Set());
      setConfirming(false);
      await client.invalidateQueries({ queryKey: ['quick-replies'] });
    },
  });

  const open = (reply: QuickReply | undefined) => {
    setEditing(reply);
    setDialogOpen(true);
  };
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <>
      <PageHeader title="Quick replies">
        {canManage && (
          <Button onClick={() => open(undefined)} className="inline-flex items-center gap-1">
            <Plus aria-hidden size={15} /> New quick reply
          </Button>
        )}
      </PageHeader>
      <div className="space-y-3 p-6">
        {!canManage && (
          <p className="rounded border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
            You can use these replies in conversations. Adding or changing them needs the{' '}
            <code>quick-replies.manage</code> permission.
          </p>
        )}
        <div className="flex flex-wrap items-center gap-3">
          <div className="relative w-80">
            <Search
              aria-hidden
              size={15}
              className="pointer-events-none absolute top-1/2 left-2 -translate-y-1/2 text-slate-400"
            />
            <input
              type="search"
              aria-label="Search quick replies"
              placeholder="Search by shortcut or message"
              className={`${inputClass} pl-7`}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          {replies.isFetching && !replies.isPending && (
            <span role="status" className="text-xs text-slate-500">
              Searching…
            </span>
          )}
          {canManage && visibleSelected.length > 0 && (
            <div className="ml-auto flex items-center gap-2 rounded bg-indigo-50 px-3 py-1 text-sm">
              <span data-testid="selection-count">{visibleSelected.length} selected</span>
              <Button
                variant="danger"
                className="inline-flex items-center gap-1"
                onClick={() => setConfirming(true)}
              >
                <Trash2 aria-hidden size={14} /> Delete selected
              </Button>
            </div>
          )}
        </div>

        {replies.isPending ? (
          <Loading label="Loading quick replies…" />
        ) : replies.error ? (
          <ErrorState error={replies.error} retry={() => void replies.refetch()} />
        ) : list.length === 0 ? (
          // Empty's own margin would indent it from the search box above.
          <div className="[&>div]:m-0">
            {q ? (
              <Empty>No quick replies match “{q}”.</Empty>
            ) : (
              <Empty>
                <p>No quick replies yet.</p>
                <p className="mt-1">
                  Save answers you send often and insert them in a conversation by typing / and a
                  shortcut.
                </p>
                {canManage && (
                  <Button className="mt-3" onClick={() => open(undefined)}>
                    Create the first one
                  </Button>
                )}
              </Empty>
            )}
          </div>
        ) : (
          <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm">
            <thead className="bg-slate-50 text-left text-xs text-slate-600 uppercase">
              <tr>
                {canManage && (
                  <th className="w-10 px-3 py-2">
                    <input
                      ref={headerBox}
                      type="checkbox"
                      aria-label="Select all quick replies"
                      className="size-4 accent-indigo-600"
                      checked={allChecked}
                      onChange={(e) =>
                        setSelected(e.target.checked ? new Set(list.map((r) => r.id)) : new Set())
                      }
                    />
                  </th>
                )}
                <th className="px-3 py-2 font-medium">Shortcut</th>
                <th className="px-3 py-2 font-medium">Message</th>
                <th className="px-3 py-2 font-medium">Channels</th>
                <th className="px-3 py-2 font-medium">Updated</th>
                {canManage && (
                  <th className="w-12 px-3 py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {list.map((reply) => (
                <tr
                  key={reply.id}
                  className={selected.has(reply.id) ? 'bg-indigo-50/50' : 'hover:bg-slate-50'}
                >
                  {canManage && (
                    <td className="px-3 py-2 align-top">
                      <input
                        type="checkbox"
                        aria-label={`Select /${reply.shortcut}`}
                        className="size-4 accent-indigo-600"
                        checked={selected.has(reply.id)}
                        onChange={(e) => toggle(reply.id, e.target.checked)}
                      />
                    </td>
                  )}
                  <td className="px-3 py-2 align-top font-mono whitespace-nowrap text-indigo-700">
                    /{reply.shortcut}
                  </td>
                  <td className="max-w-xl px-3 py-2 align-top">
                    <div className="line-clamp-3">
                      <Markup text={reply.content} />
                    </div>
                  </td>
                  <td className="px-3 py-2 align-top text-slate-600">
                    {reply.channelIds.length === 0
                      ? 'All channels'
                      : reply.channelIds.map((id) => channelName.get(id) ?? id).join(', ')}
                  </td>
                  <td className="px-3 py-2 align-top whitespace-nowrap text-slate-500">
                    {formatTime(reply.updatedAt)}
                  </td>
                  {canManage && (
                    <td className="px-3 py-2 align-top">
                      <button
                        type="button"
                        aria-label={`Edit /${reply.shortcut}`}
                        title="Edit"
                        onClick={() => open(reply)}
                        className="rounded p-1.5 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500"
                      >
                        <Pencil aria-hidden size={14} />
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      {canManage && (
        <QuickReplyDialog
          open={dialogOpen}
          onOpenChange={setDialogOpen}
          reply={editing}
          channels={channels.data}
        />
      )}
      <Modal
        open={confirming}
        onOpenChange={(next) => {
          setConfirming(next);
          if (!next) remove.reset();
        }}
        title={`Delete ${visibleSelected.length} quick ${visibleSelected.length === 1 ? 'reply' : 'replies'}?`}
      >
        <p>
          {visibleSelected
            .slice(0, 5)
            .map((r) => `/${r.shortcut}`)
            .join(', ')}
          {visibleSelected.length > 5 && ` and ${visibleSelected.length - 5} more`} will be deleted
          for everyone. This cannot be undone.
        </p>
        {remove.error && (
          <p role="alert" className="mt-2 text-red-700">
            {remove.error.message}
          </p>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
          <Button
            variant="danger"
            disabled={remove.isPending}
            onClick={() => remove.mutate(visibleSelected.map((r) => r.id))}
          >
            {remove.isPending ? 'Deleting…' : 'Delete'}
          </Button>
        </div>
      </Modal>
    </>
  );
}
