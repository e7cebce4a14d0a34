import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, type Message, messageText, type Page } from '../api.js';
import { Empty, formatTime, PageHeader, QueryState } from '../ui.js';

export function StarredPage() {
  const starred = useQuery({
    queryKey: ['starred'],
    queryFn: () => api.get<Page<Message>>('/messages/starred', { limit: 100 }),
  });
  return (
    <>
      <PageHeader title="Starred" />
      <QueryState query={starred}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No starred messages. Star a message in a conversation to keep it here.</Empty>
          ) : (
            <ul className="divide-y divide-slate-200 p-6" aria-label="Starred messages">
              {page.items.map((m) => (
                <li key={m.id} className="py-2 text-sm">
                  <Link to={`/inbox/${m.conversationId}`} className="hover:underline">
                    <span className="text-amber-500">★</span> {messageText(m)}
                  </Link>
                  <span className="ml-2 text-xs text-slate-500">{formatTime(m.createdAt)}</span>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </>
  );
}
