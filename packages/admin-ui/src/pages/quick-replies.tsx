import { useQuery } from '@tanstack/react-query';
import { api, type Page, type QuickReply } from '../api.js';
import type { Session } from '../session.js';
import { Empty, PageHeader, QueryState } from '../ui.js';

export function QuickRepliesPage({ session: _ }: { session: Session }) {
  const replies = useQuery({
    queryKey: ['quick-replies'],
    queryFn: () => api.get<Page<QuickReply> | QuickReply[]>('/quick-replies'),
  });
  return (
    <>
      <PageHeader title="Quick replies" />
      <QueryState query={replies}>
        {(data) => {
          const list = Array.isArray(data) ? data : data.items;
          return list.length === 0 ? (
            <Empty>No quick replies yet.</Empty>
          ) : (
            <ul className="divide-y divide-slate-200 p-6">
              {list.map((reply) => (
                <li key={reply.id} className="py-2 text-sm">
                  <span className="font-mono text-indigo-700">/{reply.shortcut}</span>{' '}
                  <span>{reply.content}</span>
                </li>
              ))}
            </ul>
          );
        }}
      </QueryState>
    </>
  );
}
