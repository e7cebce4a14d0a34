/** Channels: one expandable settings card per channel, and adding a channel. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { api, type Channel } from '../api.js';
import { ChannelCard } from '../channel-card.js';
import { platforms } from '../channel-fields.js';
import type { Session } from '../session.js';
import { Button, Empty, ErrorState, inputClass, Modal, PageHeader, QueryState } from '../ui.js';

export function ChannelsPage({ session }: { session: Session }) {
  const canManage = session.can('channels.manage');
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<Channel[]>('/channels'),
  });
  const [adding, setAdding] = useState(false);
  return (
    <>
      <PageHeader title="Channels">
        {canManage && (
          <Button className="inline-flex items-center gap-1" onClick={() => setAdding(true)}>
            <Plus aria-hidden className="size-4" /> Add channel
          </Button>
        )}
      </PageHeader>
      <QueryState query={channels}>
        {(list) =>
          list.length === 0 ? (
            <Empty>
              No channels yet.{' '}
              {canManage
                ? 'Add one to connect WhatsApp, Messenger or Instagram.'
                : 'An admin who manages channels can add one.'}
            </Empty>
          ) : (
            <div className="mx-auto w-full max-w-4xl space-y-3 p-6">
              {list.every((c) => c.status === 'pending') && (
                <p className="rounded border border-indigo-200 bg-indigo-50 p-3 text-sm text-indigo-900">
                  Welcome! No channel is set up yet: enter each channel's credentials and press
                  Validate & Update to start receiving messages.
                </p>
              )}
              {list.map((channel) => (
                <ChannelCard
                  key={channel.id}
                  channel={channel}
                  canManage={canManage}
                  canTokens={session.can('api-tokens.manage')}
                  defaultOpen={channel.status !== 'good'}
                />
              ))}
            </div>
          )
        }
      </QueryState>
      {canManage && <AddChannel open={adding} onOpenChange={setAdding} />}
    </>
  );
}

function AddChannel({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const client = useQueryClient();
  const [platform, setPlatform] = useState('whatsapp');
  const [name, setName] = useState('');
  const add = useMutation({
    mutationFn: () => api.post<Channel>('/channels', { platform, name: name.trim() }),
    onSuccess: (created) => {
      client.setQueryData<Channel[]>(['channels'], (list) => [...(list ?? []), created]);
      setName('');
      onOpenChange(false);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <Modal
      open={open}
      onOpenChange={(next) => {
        if (!next) add.reset();
        onOpenChange(next);
      }}
      title="Add channel"
    >
      <form onSubmit={submit} className="space-y-3">
        <div className="text-sm">
          <label htmlFor="new-channel-platform">Platform</label>
          <select
            id="new-channel-platform"
            className={inputClass}
            value={platform}
            onChange={(e) => setPlatform(e.target.value)}
          >
            {Object.entries(platforms).map(([value, info]) => (
              <option key={value} value={value}>
                {info.label}
              </option>
            ))}
          </select>
        </div>
        <label className="block text-sm">
          Name
          <input
            className={inputClass}
            value={name}
            required
            maxLength={200}
            placeholder="e.g. Support line"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <p className="text-xs text-slate-500">
          The channel starts as Pending; enter its credentials on its card next.
        </p>
        {add.error && <ErrorState error={add.error} />}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" disabled={add.isPending || name.trim() === ''}>
            {add.isPending ? 'Adding…' : 'Add channel'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
