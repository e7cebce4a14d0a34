import { useQuery } from '@tanstack/react-query';
import { api, type Channel } from '../api.js';
import type { Session } from '../session.js';
import { Empty, PageHeader, QueryState } from '../ui.js';

const statusClass: Record<Channel['status'], string> = {
  pending: 'bg-amber-100 text-amber-800',
  good: 'bg-emerald-100 text-emerald-800',
  invalid: 'bg-red-100 text-red-800',
};

export function ChannelsPage({ session }: { session: Session }) {
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<Channel[]>('/channels'),
  });
  return (
    <>
      <PageHeader title="Channels" />
      <QueryState query={channels}>
        {(list) =>
          list.length === 0 ? (
            <Empty>
              No channels yet.{' '}
              {session.can('channels.manage') && 'Add one through the API (POST /api/v1/channels).'}
            </Empty>
          ) : (
            <table className="m-6 w-auto text-sm">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="pr-6 pb-2">Name</th>
                  <th className="pr-6 pb-2">Platform</th>
                  <th className="pr-6 pb-2">Status</th>
                  <th className="pb-2">Callback URL</th>
                </tr>
              </thead>
              <tbody>
                {list.map((channel) => (
                  <tr key={channel.id} className="border-t border-slate-200">
                    <td className="py-2 pr-6 font-medium">{channel.name}</td>
                    <td className="pr-6">{channel.platform}</td>
                    <td className="pr-6">
                      <span
                        className={`rounded px-2 py-0.5 text-xs ${statusClass[channel.status]}`}
                      >
                        {channel.status}
                      </span>
                      {channel.statusDetail && (
                        <span className="ml-2 text-xs text-slate-500">{channel.statusDetail}</span>
                      )}
                    </td>
                    <td className="font-mono text-xs">{channel.callbackUrl}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
    </>
  );
}
