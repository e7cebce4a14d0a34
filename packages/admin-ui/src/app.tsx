/** The shell: session gate, sidebar with the sections the user's role may see, and the routes. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Lock } from 'lucide-react';
import { lazy, type ReactNode, Suspense, useState } from 'react';
import {
  createBrowserRouter,
  Navigate,
  NavLink,
  Route,
  RouterProvider,
  Routes,
} from 'react-router';
import { api, type Channel } from './api.js';
import { useLiveEvents, useLiveStatus } from './live.js';
import { meKey, type Session, SessionGate } from './session.js';
import { Loading, PageHeader } from './ui.js';

// Each section is its own chunk: the builder's graph and rich text, the dashboard's charts and
// the inbox load only when opened, so signing in downloads the shell alone.
const ChannelsPage = lazy(() =>
  import('./pages/channels.js').then((m) => ({ default: m.ChannelsPage })),
);
const ChatbotSettingsPage = lazy(() =>
  import('./pages/chatbot-settings.js').then((m) => ({ default: m.ChatbotSettingsPage })),
);
const DashboardPage = lazy(() =>
  import('./pages/dashboard.js').then((m) => ({ default: m.DashboardPage })),
);
const FlowsPage = lazy(() => import('./pages/flows.js').then((m) => ({ default: m.FlowsPage })));
const InboxPage = lazy(() => import('./pages/inbox.js').then((m) => ({ default: m.InboxPage })));
const QuickRepliesPage = lazy(() =>
  import('./pages/quick-replies.js').then((m) => ({ default: m.QuickRepliesPage })),
);
const StarredPage = lazy(() =>
  import('./pages/starred.js').then((m) => ({ default: m.StarredPage })),
);
const ToolsPage = lazy(() => import('./pages/tools.js').then((m) => ({ default: m.ToolsPage })));
const UsersPage = lazy(() => import('./pages/users.js').then((m) => ({ default: m.UsersPage })));

interface Section {
  path: string;
  label: string;
  /** Shown when the user has this permission. */
  permission: string;
}

export const sections: readonly Section[] = [
  { path: '/dashboard', label: 'Dashboard', permission: 'dashboard.read' },
  { path: '/channels', label: 'Channels', permission: 'channels.read' },
  { path: '/flows', label: 'Flows', permission: 'flows.read' },
  { path: '/chatbot-settings', label: 'Chatbot settings', permission: 'flows.read' },
  { path: '/inbox', label: 'Inbox', permission: 'conversations.read' },
  { path: '/starred', label: 'Starred', permission: 'conversations.read' },
  { path: '/quick-replies', label: 'Quick replies', permission: 'quick-replies.read' },
  { path: '/tools', label: 'Tools', permission: 'tools.read' },
  { path: '/users', label: 'Users & roles', permission: 'users.read' },
];

/**
 * A data router rather than `<BrowserRouter>`: only a data router can hold a navigation (the
 * flow builder asks before leaving unsaved work, `useBlocker`). One catch-all route renders the
 * session gate and the shell, whose `<Routes>` match the sections as before.
 */
export function App() {
  const [router] = useState(() => createBrowserRouter([{ path: '*', element: <Root /> }]));
  return <RouterProvider router={router} />;
}

function Root() {
  return <SessionGate>{(session) => <Shell session={session} />}</SessionGate>;
}

function Shell({ session }: { session: Session }) {
  useLiveEvents(session.can('conversations.read'));
  const visible = sections.filter((s) => session.can(s.permission));
  // A section the role may not open (a link or a typed URL) says so instead of failing.
  const guarded = (path: string, page: ReactNode) => {
    const section = sections.find((s) => s.path === path);
    return section && !session.can(section.permission) ? <NoAccess section={section} /> : page;
  };
  return (
    <div className="flex h-screen">
      <Sidebar session={session} visible={visible} />
      <main className="flex min-w-0 flex-1 flex-col overflow-auto">
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Landing session={session} />} />
            <Route path="/dashboard" element={guarded('/dashboard', <DashboardPage />)} />
            <Route
              path="/channels"
              element={guarded('/channels', <ChannelsPage session={session} />)}
            />
            <Route path="/flows" element={guarded('/flows', <FlowsPage session={session} />)} />
            <Route
              path="/flows/:flowId"
              element={guarded('/flows', <FlowsPage session={session} />)}
            />
            <Route
              path="/chatbot-settings"
              element={guarded('/chatbot-settings', <ChatbotSettingsPage />)}
            />
            <Route path="/inbox" element={guarded('/inbox', <InboxPage session={session} />)} />
            <Route
              path="/inbox/:conversationId"
              element={guarded('/inbox', <InboxPage session={session} />)}
            />
            <Route path="/starred" element={guarded('/starred', <StarredPage />)} />
            <Route
              path="/quick-replies"
              element={guarded('/quick-replies', <QuickRepliesPage session={session} />)}
            />
            <Route path="/tools/*" element={guarded('/tools', <ToolsPage session={session} />)} />
            <Route path="/users" element={guarded('/users', <UsersPage />)} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}

function NoAccess({ section }: { section: Section }) {
  return (
    <>
      <PageHeader title={section.label} />
      <div
        role="alert"
        className="m-6 flex items-start gap-3 rounded border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900"
      >
        <Lock aria-hidden className="mt-0.5 size-4 shrink-0" />
        <div>
          <p className="font-semibold">No Access</p>
          <p>
            Your role does not include “{section.permission}”. Ask a Global Admin if you need{' '}
            {section.label}.
          </p>
        </div>
      </div>
    </>
  );
}

/** `/`: the dashboard, or Channels while no channel is set up yet (all pending). */
function Landing({ session }: { session: Session }) {
  const canChannels = session.can('channels.read');
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<Channel[]>('/channels'),
    enabled: canChannels,
  });
  if (canChannels && channels.isPending) return <Loading />;
  const all = channels.data ?? [];
  if (canChannels && all.length > 0 && all.every((c) => c.status === 'pending'))
    return <Navigate to="/channels" replace />;
  const first = sections.find((s) => session.can(s.permission));
  if (session.can('dashboard.read')) return <Navigate to="/dashboard" replace />;
  return <Navigate to={first?.path ?? '/inbox'} replace />;
}

function Sidebar({ session, visible }: { session: Session; visible: readonly Section[] }) {
  const client = useQueryClient();
  const live = useLiveStatus();
  const logout = useMutation({
    mutationFn: () => api.post('/auth/logout'),
    onSettled: () => {
      // Signed out: the gate shows the login page; nothing of the old session stays cached.
      client.setQueryData(meKey, null);
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== meKey[0] });
    },
  });
  const switchTenant = useMutation({
    mutationFn: (tenantId: string) => api.post('/auth/tenant', { tenantId }),
    onSuccess: () => client.invalidateQueries(),
  });
  return (
    <nav
      aria-label="Sections"
      className="flex w-56 shrink-0 flex-col border-r border-slate-200 bg-slate-900 text-slate-100"
    >
      <div className="px-4 py-4 text-lg font-semibold">Chatloom</div>
      {session.tenants.length > 1 ? (
        <select
          aria-label="Tenant"
          className="mx-3 mb-3 rounded bg-slate-800 px-2 py-1 text-sm"
          value={session.tenantId}
          onChange={(e) => switchTenant.mutate(e.target.value)}
        >
          {session.tenants.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      ) : (
        <div className="px-4 pb-3 text-xs text-slate-400">{session.tenantName}</div>
      )}
      <ul className="flex-1 space-y-0.5 px-2">
        {visible.map((section) => (
          <li key={section.path}>
            <NavLink
              to={section.path}
              className={({ isActive }) =>
                `block rounded px-3 py-1.5 text-sm ${isActive ? 'bg-indigo-600 text-white' : 'hover:bg-slate-800'}`
              }
            >
              {section.label}
            </NavLink>
          </li>
        ))}
      </ul>
      <div className="border-t border-slate-700 p-4 text-sm" data-testid="signed-in-user">
        <div className="font-medium">{session.user.name}</div>
        <div className="text-xs text-slate-400">{session.user.email}</div>
        <div className="text-xs text-indigo-300" data-testid="signed-in-role">
          {session.roleName}
        </div>
        <div className="mt-1 text-xs text-slate-500" title="Live updates">
          {live === 'open' ? '● live' : live === 'connecting' ? '○ connecting…' : ''}
        </div>
        <button
          type="button"
          className="mt-2 text-xs text-slate-300 underline"
          onClick={() => logout.mutate()}
        >
          Sign out
        </button>
      </div>
    </nav>
  );
}
