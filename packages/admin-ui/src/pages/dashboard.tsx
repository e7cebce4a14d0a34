/** The dashboard: the last 7 days' figures, messages per day, and the latest messages. */
import { useQuery } from '@tanstack/react-query';
import { ArrowDownLeft, ArrowUpRight } from 'lucide-react';
import { Link } from 'react-router';
import { api, type Dashboard } from '../api.js';
import { MessagesChart } from '../dashboard-chart.js';
import { Markup } from '../markup.js';
import { Empty, formatTime, PageHeader, QueryState } from '../ui.js';

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);

export function DashboardPage() {
  // Days begin at the viewer's midnight (getTimezoneOffset is minutes behind UTC).
  const utcOffsetMinutes = -new Date().getTimezoneOffset();
  const dashboard = useQuery({
    queryKey: ['dashboard', utcOffsetMinutes],
    queryFn: () => api.get<Dashboard>('/dashboard', { utcOffsetMinutes }),
  });
  return (
    <>
      <PageHeader title="Dashboard">
        <span className="text-sm text-slate-500">Last 7 days</span>
      </PageHeader>
      <QueryState query={dashboard}>
        {(d) => (
          <div className="mx-auto w-full max-w-6xl space-y-6 p-6">
            <section
              className="grid grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-6"
              aria-label="Figures"
            >
              <Figure label="Messages in" value={d.messagesIn} />
              <Figure label="Messages out" value={d.messagesOut} />
              <Figure
                label="Delivered"
                value={percent(d.deliveryRate)}
                hint="of messages the platform took"
              />
              <Figure
                label="Read"
                value={percent(d.readRate)}
                hint="of messages the platform took"
              />
              <Figure label="Failed" value={d.failed} warn={d.failed > 0} />
              <Figure
                label="Open conversations"
                value={d.openConversations}
                hint="waiting or with an agent"
              />
            </section>
            <section
              aria-labelledby="chart-heading"
              className="rounded-lg border border-slate-200 bg-white p-4"
            >
              <h2 id="chart-heading" className="mb-2 text-sm font-semibold">
                Messages per day
              </h2>
              <MessagesChart series={d.series} />
            </section>
            {d.recent && (
              <section
                aria-labelledby="recent-heading"
                className="rounded-lg border border-slate-200 bg-white"
              >
                <h2
                  id="recent-heading"
                  className="border-b border-slate-200 px-4 py-3 text-sm font-semibold"
                >
                  Recent activity
                </h2>
                {d.recent.length === 0 ? (
                  <Empty>No messages yet.</Empty>
                ) : (
                  <ul className="divide-y divide-slate-100">
                    {d.recent.map((m) => (
                      <li key={m.id}>
                        <Link
                          to={`/inbox/${m.conversationId}`}
                          className="flex items-center gap-3 px-4 py-2 text-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-500"
                        >
                          {m.direction === 'in' ? (
                            <ArrowDownLeft
                              aria-label="Received"
                              className="size-4 text-indigo-500"
                            />
                          ) : (
                            <ArrowUpRight aria-label="Sent" className="size-4 text-emerald-600" />
                          )}
                          <span className="w-40 shrink-0 truncate font-medium">
                            {m.contactName}
                          </span>
                          <span className="min-w-0 flex-1 truncate text-slate-600">
                            {m.direction === 'out' && (
                              <span className="text-slate-400">{m.sender}: </span>
                            )}
                            <Markup text={m.preview.replace(/\s+/g, ' ')} />
                          </span>
                          {m.status === 'failed' && (
                            <span className="rounded bg-red-100 px-1.5 text-xs text-red-700">
                              failed
                            </span>
                          )}
                          <span className="shrink-0 text-xs text-slate-400">
                            {formatTime(m.createdAt)}
                          </span>
                        </Link>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            )}
          </div>
        )}
      </QueryState>
    </>
  );
}

function Figure({
  label,
  value,
  hint,
  warn,
}: {
  label: string;
  value: string | number;
  hint?: string;
  warn?: boolean;
}) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="text-xs uppercase tracking-wide text-slate-500">{label}</div>
      <div className={`mt-1 text-2xl font-semibold ${warn ? 'text-red-700' : ''}`}>{value}</div>
      {hint && <div className="mt-0.5 text-xs text-slate-400">{hint}</div>}
    </div>
  );
}
