import { useQuery } from '@tanstack/react-query';
import { api, type Dashboard } from '../api.js';
import { PageHeader, QueryState } from '../ui.js';

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);

export function DashboardPage() {
  const dashboard = useQuery({
    queryKey: ['dashboard'],
    queryFn: () => api.get<Dashboard>('/dashboard'),
  });
  return (
    <>
      <PageHeader title="Dashboard" />
      <QueryState query={dashboard}>
        {(d) => (
          <section className="grid grid-cols-2 gap-4 p-6 md:grid-cols-3" aria-label="Last 7 days">
            <Figure label="Messages in" value={d.messagesIn} />
            <Figure label="Messages out" value={d.messagesOut} />
            <Figure label="Open conversations" value={d.openConversations} />
            <Figure label="Delivered" value={percent(d.deliveryRate)} />
            <Figure label="Read" value={percent(d.readRate)} />
            <Figure label="Failed" value={d.failed} />
          </section>
        )}
      </QueryState>
    </>
  );
}

function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="text-xs uppercase tracking-wide text-slate-500">{label}</div>
      <div className="mt-1 text-2xl font-semibold">{value}</div>
    </div>
  );
}
