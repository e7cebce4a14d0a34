/**
 * Who is signed in: `GET /auth/me` through react-query. The login page, the tenant picker, and
 * `useSession` for the pages (permissions decide what the sidebar and the actions show).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type FormEvent, useContext, useState } from 'react';
import { ApiError, api, type Me } from './api.js';
import { Button, ErrorState, inputClass, Loading } from './ui.js';

export const meKey = ['me'] as const;

export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: async (): Promise<Me | null> => {
      try {
        return await api.get<Me>('/auth/me');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** The signed-in user in a tenant; only rendered below the session gate. */
export interface Session extends Me {
  tenantId: string;
  can: (permission: string) => boolean;
  roleName: string;
  tenantName: string;
}

export function toSession(me: Me & { tenantId: string }): Session {
  const tenant = me.tenants.find((t) => t.id === me.tenantId);
  return {
    ...me,
    can: (permission) => me.permissions.includes(permission),
    roleName: tenant?.roleName ?? me.roleId ?? '',
    tenantName: tenant?.name ?? me.tenantId,
  };
}

export function LoginPage() {
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () => api.post<Me>('/auth/login', { email, password }),
    onSuccess: (me) => client.setQueryData(meKey, me),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  return (
    <main className="flex min-h-screen items-center justify-center">
      <form
        onSubmit={submit}
        className="w-80 space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
        aria-label="Sign in"
      >
        <h1 className="text-xl font-semibold">Chatloom</h1>
        <label className="block text-sm">
          Email
          <input
            className={inputClass}
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label className="block text-sm">
          Password
          <input
            className={inputClass}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {login.error && (
          <p role="alert" className="text-sm text-red-700">
            {login.error.message}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}

export function TenantPicker({ me }: { me: Me }) {
  const client = useQueryClient();
  const pick = useMutation({
    mutationFn: (tenantId: string) => api.post('/auth/tenant', { tenantId }),
    onSuccess: () => client.invalidateQueries(),
  });
  return (
    <main className="flex min-h-screen items-center justify-center">
      <section className="w-96 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="mb-1 text-lg font-semibold">Choose a workspace</h1>
        <p className="mb-4 text-sm text-slate-600">Signed in as {me.user.email}</p>
        {me.tenants.length === 0 && (
          <p className="text-sm text-slate-600">You are not a member of any tenant yet.</p>
        )}
        <ul className="space-y-2">
          {me.tenants.map((tenant) => (
            <li key={tenant.id}>
              <button
                type="button"
                className="w-full rounded border border-slate-200 px-3 py-2 text-left hover:bg-slate-50"
                onClick={() => pick.mutate(tenant.id)}
                disabled={pick.isPending}
              >
                <span className="font-medium">{tenant.name}</span>
                <span className="ml-2 text-xs text-slate-500">{tenant.roleName}</span>
              </button>
            </li>
          ))}
        </ul>
        {pick.error && <ErrorState error={pick.error} />}
      </section>
    </main>
  );
}

export function SessionGate({ children }: { children: (session: Session) => React.ReactNode }) {
  const me = useMe();
  if (me.isPending) return <Loading label="Loading your session…" />;
  if (me.error) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  if (!me.data) return <LoginPage />;
  const { tenantId } = me.data;
  if (tenantId === null) return <TenantPicker me={me.data} />;
  const session = toSession({ ...me.data, tenantId });
  return <SessionContext.Provider value={session}>{children(session)}</SessionContext.Provider>;
}

const SessionContext = createContext<Session | null>(null);

/** The signed-in session, for any component below the gate (pages need no `session` prop). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession is only available below <SessionGate>');
  return session;
}
