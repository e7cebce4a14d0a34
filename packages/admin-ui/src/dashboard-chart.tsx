/** The dashboard's messages-per-day chart. */
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { DashboardDay } from './api.js';

/** "Mon 30" for a YYYY-MM-DD day (read as a local date, not UTC midnight). */
export function dayLabel(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  const weekday = new Date(year!, month! - 1, day!).toLocaleDateString(undefined, {
    weekday: 'short',
  });
  return `${weekday} ${day}`;
}

export function MessagesChart({ series }: { series: readonly DashboardDay[] }) {
  const data = series.map((d) => ({
    day: dayLabel(d.date),
    In: d.messagesIn,
    Out: d.messagesOut,
  }));
  const total = series.reduce((sum, d) => sum + d.messagesIn + d.messagesOut, 0);
  return (
    <figure aria-label="Messages per day" data-testid="messages-chart">
      <div className="h-64 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
            <XAxis dataKey="day" tick={{ fontSize: 12, fill: '#64748b' }} tickLine={false} />
            <YAxis
              allowDecimals={false}
              tick={{ fontSize: 12, fill: '#64748b' }}
              tickLine={false}
              axisLine={false}
            />
            <Tooltip cursor={{ fill: '#f1f5f9' }} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="In" name="Received" fill="#6366f1" radius={[3, 3, 0, 0]} />
            <Bar dataKey="Out" name="Sent" fill="#10b981" radius={[3, 3, 0, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="sr-only">
        {total === 0
          ? 'No messages in the last 7 days.'
          : series
              .map((d) => `${dayLabel(d.date)}: ${d.messagesIn} in, ${d.messagesOut} out`)
              .join('; ')}
      </figcaption>
    </figure>
  );
}
