/** Users & roles: the tenant's users (add, edit, deactivate, reactivate) and its roles. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Lock, Pencil, Plus, Trash2, UserCheck, UserX } from 'lucide-react';
import { useState } from 'react';
import { api, type Member, type Role } from '../api.js';
import { useSession } from '../session.js';
import { Button, Empty, formatTime, PageHeader, QueryState } from '../ui.js';
import {
  Confirm,
  groupPermissions,
  PermissionGroup,
  RoleDialog,
  UserDialog,
} from '../users-dialogs.js';

export function UsersPage() {
  return (
    <>
      <PageHeader title="Users & roles" />
      <div className="mx-auto w-full max-w-5xl space-y-8 p-6">
        <UsersSection />
        <RolesSection />
      </div>
    </>
  );
}

function UsersSection() {
  const session = useSession();
  const canManage = session.can('users.manage');
  const client = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.get<Member[]>('/users') });
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => api.get<Role[]>('/roles') });
  const [editing, setEditing] = useState<Member | 'new' | null>(null);
  const [deactivating, setDeactivating] = useState<Member | null>(null);
  const setActive = useMutation({
    mutationFn: ({ user, active }: { user: Member; active: boolean }) =>
      api.post<Member>(`/users/${user.id}/${active ? 'reactivate' : 'deactivate'}`),
    onSuccess: (updated) => {
      client.setQueryData<Member[]>(['users'], (list) =>
        list?.map((u) => (u.id === updated.id ? updated : u)),
      );
      setDeactivating(null);
    },
  });
  return (
    <section aria-labelledby="users-heading">
      <div className="mb-3 flex items-center justify-between">
        <h2 id="users-heading" className="text-base font-semibold">
          Users
        </h2>
        {canManage && (
          <Button
            className="inline-flex items-center gap-1"
            disabled={!roles.data}
            onClick={() => setEditing('new')}
          >
            <Plus aria-hidden className="size-4" /> Add user
          </Button>
        )}
      </div>
      {setActive.error && !deactivating && (
        <p role="alert" className="mb-2 rounded bg-red-50 p-2 text-sm text-red-800">
          {setActive.error.message}
        </p>
      )}
      <QueryState query={users}>
        {(list) =>
          list.length === 0 ? (
            <Empty>No users yet.</Empty>
          ) : (
            <div className="overflow-hidden rounded-lg border border-slate-200 bg-white">
              <table className="w-full text-sm">
                <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th className="px-4 py-2 font-medium">Name</th>
                    <th className="px-4 py-2 font-medium">Email</th>
                    <th className="px-4 py-2 font-medium">Role</th>
                    <th className="px-4 py-2 font-medium">Status</th>
                    <th className="px-4 py-2 font-medium">Added</th>
                    {canManage && (
                      <th className="px-4 py-2">
                        <span className="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-200">
                  {list.map((user) => (
                    <tr key={user.id} className={user.active ? '' : 'bg-slate-50 text-slate-500'}>
                      <td className="px-4 py-2 font-medium">
                        {user.name}
                        {user.id === session.user.id && (
                          <span className="ml-1 text-xs font-normal text-slate-500">(you)</span>
                        )}
                      </td>
                      <td className="px-4 py-2">{user.email}</td>
                      <td className="px-4 py-2">{user.roleName}</td>
                      <td className="px-4 py-2">
                        {user.active ? (
                          <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800">
                            Active
                          </span>
                        ) : (
                          <span
                            className="rounded-full bg-slate-200 px-2 py-0.5 text-xs text-slate-700"
                            title={`Since ${formatTime(user.deactivatedAt)}`}
                          >
                            Deactivated
                          </span>
                        )}
                      </td>
                      <td className="px-4 py-2 text-xs">{formatTime(user.createdAt)}</td>
                      {canManage && (
                        <td className="px-4 py-2">
                          <div className="flex justify-end gap-1">
                            <Button
                              variant="secondary"
                              className="inline-flex items-center gap-1"
                              aria-label={`Edit ${user.name}`}
                              disabled={!roles.data}
                              onClick={() => setEditing(user)}
                            >
                              <Pencil aria-hidden className="size-3.5" /> Edit
                            </Button>
                            {user.id !== session.user.id &&
                              (user.active ? (
                                <Button
                                  variant="secondary"
                                  className="inline-flex items-center gap-1"
                                  aria-label={`Deactivate ${user.name}`}
                                  onClick={() => {
                                    setActive.reset();
                                    setDeactivating(user);
                                  }}
                                >
                                  <UserX aria-hidden className="size-3.5" /> Deactivate
                                </Button>
                              ) : (
                                <Button
                                  variant="secondary"
                                  className="inline-flex items-center gap-1"
                                  aria-label={`Reactivate ${user.name}`}
                                  disabled={setActive.isPending}
                                  onClick={() => setActive.mutate({ user, active: true })}
                                >
                                  <UserCheck aria-hidden className="size-3.5" /> Reactivate
                                </Button>
                              ))}
                          </div>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
      {editing && roles.data && (
        <UserDialog
          user={editing === 'new' ? null : editing}
          roles={roles.data}
          selfId={session.user.id}
          onClose={() => setEditing(null)}
        />
      )}
      {deactivating && (
        <Confirm
          title={`Deactivate ${deactivating.name}?`}
          action="Deactivate"
          pending={setActive.isPending}
          error={setActive.error}
          onConfirm={() => setActive.mutate({ user: deactivating, active: false })}
          onClose={() => setDeactivating(null)}
        >
          {deactivating.name} is signed out of this workspace at once and cannot sign in to it, nor
          use their API tokens here, until reactivated. Their conversations and history stay.
        </Confirm>
      )}
    </section>
  );
}

function RolesSection() {
  const session = useSession();
  const canManage = session.can('roles.manage');
  const client = useQueryClient();
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => api.get<Role[]>('/roles') });
  const permissions = useQuery({
    queryKey: ['permissions'],
    queryFn: () => api.get<string[]>('/permissions'),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const [expanded, setExpanded] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (role: Role) => api.delete(`/roles/${role.id}`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['roles'] });
      setDeleting(null);
    },
  });
  return (
    <section aria-labelledby="roles-heading">
      <div className="mb-3 flex items-center justify-between">
        <h2 id="roles-heading" className="text-base font-semibold">
          Roles
        </h2>
        {canManage && (
          <Button
            className="inline-flex items-center gap-1"
            disabled={!permissions.data}
            onClick={() => setEditing('new')}
          >
            <Plus aria-hidden className="size-4" /> Create role
          </Button>
        )}
      </div>
      <QueryState query={roles}>
        {(list) => (
          <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
            {list.map((role) => (
              <li key={role.id} className="px-4 py-3" aria-label={`Role ${role.name}`}>
                <div className="flex items-center gap-3">
                  <span className="font-medium">{role.name}</span>
                  {role.builtIn ? (
                    <span className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">
                      <Lock aria-hidden className="size-3" /> Built in, read-only
                    </span>
                  ) : (
                    <span className="rounded-full bg-indigo-50 px-2 py-0.5 text-xs text-indigo-700">
                      Custom
                    </span>
                  )}
                  <button
                    type="button"
                    className="text-xs text-slate-500 underline"
                    aria-expanded={expanded === role.id}
                    onClick={() => setExpanded(expanded === role.id ? null : role.id)}
                  >
                    {role.permissions.length} permission{role.permissions.length === 1 ? '' : 's'}
                  </button>
                  <span className="flex-1" />
                  {canManage && !role.builtIn && (
                    <>
                      <Button
                        variant="secondary"
                        className="inline-flex items-center gap-1"
                        aria-label={`Edit role ${role.name}`}
                        disabled={!permissions.data}
                        onClick={() => setEditing(role)}
                      >
                        <Pencil aria-hidden className="size-3.5" /> Edit
                      </Button>
                      <Button
                        variant="secondary"
                        className="inline-flex items-center gap-1 text-red-700"
                        aria-label={`Delete role ${role.name}`}
                        onClick={() => {
                          remove.reset();
                          setDeleting(role);
                        }}
                      >
                        <Trash2 aria-hidden className="size-3.5" /> Delete
                      </Button>
                    </>
                  )}
                </div>
                {expanded === role.id && (
                  <div className="mt-2 grid gap-2 md:grid-cols-2">
                    {groupPermissions(role.permissions).map((group) => (
                      <PermissionGroup key={group.area} label={group.label}>
                        {group.permissions.map((p) => (
                          <span key={p.name} className="text-sm" title={p.name}>
                            {p.label}
                          </span>
                        ))}
                      </PermissionGroup>
                    ))}
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      {permissions.error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          Permissions could not be loaded: {permissions.error.message}
        </p>
      )}
      {editing && permissions.data && (
        <RoleDialog
          role={editing === 'new' ? null : editing}
          permissions={permissions.data}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && (
        <Confirm
          title={`Delete role ${deleting.name}?`}
          action="Delete role"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(deleting)}
          onClose={() => setDeleting(null)}
        >
          The role is removed for good. A role given to users cannot be deleted: change their role
          first.
        </Confirm>
      )}
    </section>
  );
}
