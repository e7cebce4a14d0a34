import { useQuery } from '@tanstack/react-query';
import { api } from '../api.js';
import { PageHeader, QueryState } from '../ui.js';

/** The tenant's default system messages (invalid, thank-you, session timeout). */
export function ChatbotSettingsPage() {
  const messages = useQuery({
    queryKey: ['system-messages'],
    queryFn: () => api.get<Record<string, unknown>>('/system-messages'),
  });
  return (
    <>
      <PageHeader title="Chatbot settings" />
      <QueryState query={messages}>
        {(data) => (
          <section className="p-6">
            <h2 className="mb-2 text-sm font-semibold">System messages</h2>
            <pre className="rounded border border-slate-200 bg-white p-4 text-xs">
              {JSON.stringify(data, null, 2)}
            </pre>
          </section>
        )}
      </QueryState>
    </>
  );
}
