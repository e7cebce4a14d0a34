/** Tools: delayed messages per channel (delete all, Global Admin only) and the API key. */
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import {
  type ApiToken,
  type ApiTokenWithSecret,
  api,
  type Channel,
  type ScheduledMessage,
} from '../api.js';
import { PlatformIcon } from '../channel-card.js';
import { platforms } from '../channel-fields.js';
import type { Session } from '../session.js';
import { Button, Empty, ErrorState, Modal, PageHeader, QueryState } from '../ui.js';

/** `GET /channels/:id/scheduled` answers at most this many. */
const scheduledPage = 200;

/** What a channel is, in a line: its platform and where its set-up stands. */
function channelDescription(channel: Channel): string {
  const platform = platforms[channel.platform]?.label ?? channel.platform;
  const state = { pending: 'not set up yet', good: 'working', invalid: 'credentials refused' };
  return `${platform} channel, ${state[channel.status]}`;
}

export function ToolsPage({ session }: { session: Session }) {
  const tab = ({ isActive }: { isActive: boolean }) =>
    `border-b-2 px-3 py-2 text-sm ${isActive ? 'border-indigo-600 text-indigo-700' : 'border-transparent text-slate-600'}`;
  return (
    <>
      <PageHeader title="Tools" />
      <nav className="flex gap-2 border-b border-slate-200 bg-white px-4" aria-label="Tools">
        <NavLink to="/tools/delayed-messages" className={tab}>
          Delayed messages
        </NavLink>
        {session.can('api-tokens.manage') && (
          <NavLink to="/tools/integrations" className={tab}>
            Integrations
          </NavLink>
        )}
      </nav>
      <Routes>
        <Route index element={<Navigate to="delayed-messages" replace />} />
        <Route path="delayed-messages" element={<DelayedMessages session={session} />} />
        <Route path="integrations" element={<Integrations />} />
      </Routes>
    </>
  );
}

export function deleteScheduledQuestion(channelName: string): string {
  return `Are you sure you want to delete all scheduled messages for ${channelName}?`;
}

function DelayedMessages({ session }: { session: Session }) {
  const client = useQueryClient();
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<Channel[]>('/channels'),
  });
  const pending = useQueries({
    queries: (channels.data ?? []).map((channel) => ({
      queryKey: ['scheduled', channel.id],
      queryFn: () =>
        api.get<ScheduledMessage[]>(`/channels/${channel.id}/scheduled`, { limit: scheduledPage }),
    })),
  });
  const [target, setTarget] = useState<Channel | null>(null);
  const mayDelete = session.can('tools.delete-scheduled');
  const remove = useMutation({
    mutationFn: (channel: Channel) =>
      api.delete<{ deleted: number }>(`/channels/${channel.id}/scheduled`),
    onSuccess: (_, channel) => {
      setTarget(null);
      void client.invalidateQueries({ queryKey: ['scheduled', channel.id] });
    },
  });
  return (
    <QueryState query={channels}>
      {(list) =>
        list.length === 0 ? (
          <Empty>No channels.</Empty>
        ) : (
          <>
            <table className="m-6 text-sm" aria-label="Delayed messages">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="pr-8 pb-2">Channel</th>
                  <th className="pr-8 pb-2">Description</th>
                  <th className="pr-8 pb-2">Pending messages</th>
                  <th className="pb-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((channel, index) => {
                  const query = pending[index];
                  const count = query?.data?.length;
                  return (
                    <tr key={channel.id} className="border-t border-slate-200">
                      <td className="py-2 pr-8">
                        <span className="flex items-center gap-2">
                          <PlatformIcon platform={channel.platform} />
                          {channel.name}
                        </span>
                      </td>
                      <td className="pr-8 text-slate-600">{channelDescription(channel)}</td>
                      <td className="pr-8" data-testid={`pending-${channel.id}`}>
                        {query?.error
                          ? 'error'
                          : count === undefined
                            ? '…'
                            : count >= scheduledPage
                              ? `${count}+`
                              : count}
                      </td>
                      <td>
                        <button
                          type="button"
                          aria-label={`Delete scheduled messages of ${channel.name}`}
                          title="Delete all scheduled messages"
                          className="rounded px-2 py-1 hover:bg-red-50 disabled:opacity-40"
                          disabled={mayDelete && !count}
                          onClick={() => setTarget(channel)}
                        >
                          <TrashIcon />
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <Modal
              open={target !== null}
              onOpenChange={(open) => !open && setTarget(null)}
              title={mayDelete ? 'Delete scheduled messages' : 'No Access'}
            >
              {target &&
                (mayDelete ? (
                  <>
                    <p>{deleteScheduledQuestion(target.name)}</p>
                    {remove.error && <ErrorState error={remove.error} />}
                    <div className="mt-4 flex justify-end gap-2">
                      <Button variant="secondary" onClick={() => setTarget(null)}>
                        Close
                      </Button>
                      <Button
                        variant="danger"
                        disabled={remove.isPending}
                        onClick={() => remove.mutate(target)}
                      >
                        Delete
                      </Button>
                    </div>
                  </>
                ) : (
                  <>
                    <p>Only a Global Admin can delete scheduled messages.</p>
                    <div className="mt-4 flex justify-end">
                      <Button variant="secondary" onClick={() => setTarget(null)}>
                        Close
                      </Button>
                    </div>
                  </>
                ))}
            </Modal>
          </>
        )
      }
    </QueryState>
  );
}

function Integrations() {
  const client = useQueryClient();
  const tokens = useQuery({
    queryKey: ['api-tokens'],
    queryFn: () => api.get<ApiToken[]>('/api-tokens'),
  });
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: () => api.post<ApiTokenWithSecret>('/api-tokens', { name: 'API key' }),
    onSuccess: (token) => {
      setRevealed((r) => ({ ...r, [token.id]: token.token }));
      void client.invalidateQueries({ queryKey: ['api-tokens'] });
    },
  });
  const reveal = useMutation({
    mutationFn: (id: string) => api.get<ApiTokenWithSecret>(`/api-tokens/${id}/reveal`),
    onSuccess: (token) => setRevealed((r) => ({ ...r, [token.id]: token.token })),
  });
  const hide = (id: string) =>
    setRevealed((r) => {
      const { [id]: _, ...rest } = r;
      return rest;
    });
  return (
    <section className="p-6" aria-label="API key">
      <h2 className="mb-1 text-sm font-semibold">API key</h2>
      <p className="mb-4 text-xs text-slate-500">
        Send it as <code>Authorization: Bearer …</code>; it acts as you in this workspace.
      </p>
      <QueryState query={tokens}>
        {(list) => (
          <>
            {list.length === 0 && <p className="mb-3 text-sm text-slate-600">No API key yet.</p>}
            <ul className="mb-4 space-y-2">
              {list.map((token) => (
                <li key={token.id} className="flex items-center gap-3 text-sm">
                  <span className="text-slate-600">{token.name}</span>
                  <code className="rounded bg-slate-100 px-2 py-1" data-testid="api-key">
                    {revealed[token.id] ?? token.masked}
                  </code>
                  {revealed[token.id] ? (
                    <Button variant="secondary" onClick={() => hide(token.id)}>
                      Hide
                    </Button>
                  ) : (
                    <Button variant="secondary" onClick={() => reveal.mutate(token.id)}>
                      Show
                    </Button>
                  )}
                </li>
              ))}
            </ul>
            <Button onClick={() => create.mutate()} disabled={create.isPending}>
              Get Token
            </Button>
            {(create.error || reveal.error) && <ErrorState error={create.error ?? reveal.error} />}
          </>
        )}
      </QueryState>
    </section>
  );
}

/** A trash can drawn inline: emoji fonts are not on every machine. */
function TrashIcon() {
  return (
    <svg
      viewBox="0 0 24 24"
      width="16"
      height="16"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
    >
      <path d="M3 6h18M8 6V4h8v2M6 6l1 14h10l1-14M10 11v6M14 11v6" />
    </svg>
  );
}
