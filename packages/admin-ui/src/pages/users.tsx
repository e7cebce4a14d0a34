import { useQuery } from '@tanstack/react-query';
import { api, type Member, type Role } from '../api.js';
import { PageHeader, QueryState } from '../ui.js';

export function UsersPage() {
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.get<Member[]>('/users') });
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => api.get<Role[]>('/roles') });
  return (
    <>
      <PageHeader title="Users & roles" />
      <section className="p-6">
        <h2 className="mb-2 text-sm font-semibold">Users</h2>
        <QueryState query={users}>
          {(list) => (
            <ul className="divide-y divide-slate-200 text-sm">
              {list.map((user) => (
                <li key={user.id} className="py-2">
                  {user.name} <span className="text-slate-500">{user.email}</span> — {user.roleName}
                </li>
              ))}
            </ul>
          )}
        </QueryState>
        <h2 className="mt-6 mb-2 text-sm font-semibold">Roles</h2>
        <QueryState query={roles}>
          {(list) => (
            <ul className="divide-y divide-slate-200 text-sm">
              {list.map((role) => (
                <li key={role.id} className="py-2">
                  <span className="font-medium">{role.name}</span>
                  <span className="ml-2 text-xs text-slate-500">
                    {role.permissions.length} permissions{role.builtIn ? ' · built in' : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </section>
    </>
  );
}
