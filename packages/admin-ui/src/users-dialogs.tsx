/** The Users & roles dialogs: add or edit a user, create or edit a custom role, confirm. */
import * as Checkbox from '@radix-ui/react-checkbox';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Check } from 'lucide-react';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { api, type Member, type Role } from './api.js';
import { meKey } from './session.js';
import { Button, ErrorState, inputClass, Modal } from './ui.js';

/** A user as `GET /users` answers: with whether they are deactivated in this tenant. */

const areaLabels: Record<string, string> = {
  channels: 'Channels',
  'api-tokens': 'API tokens',
  tools: 'Tools',
  flows: 'Flows',
  conversations: 'Conversations',
  'quick-replies': 'Quick replies',
  media: 'Media',
  users: 'Users',
  roles: 'Roles',
  tenants: 'Tenants',
  notifications: 'Notifications',
  dashboard: 'Dashboard',
  simulator: 'Simulator',
};
const actionLabels: Record<string, string> = {
  read: 'View',
  manage: 'Manage',
  reply: 'Reply',
  'delete-scheduled': 'Delete scheduled messages',
  use: 'Use',
};

export interface PermissionArea {
  area: string;
  label: string;
  permissions: { name: string; label: string }[];
}

/** Permissions grouped by their area (the part before the dot), in the server's order. */
export function groupPermissions(names: readonly string[]): PermissionArea[] {
  const areas: PermissionArea[] = [];
  for (const name of names) {
    const dot = name.indexOf('.');
    const area = dot === -1 ? name : name.slice(0, dot);
    const action = dot === -1 ? name : name.slice(dot + 1);
    let group = areas.find((g) => g.area === area);
    if (!group) {
      group = { area, label: areaLabels[area] ?? area, permissions: [] };
      areas.push(group);
    }
    group.permissions.push({ name, label: actionLabels[action] ?? action });
  }
  return areas;
}

function DialogButtons({
  pending,
  submit,
  onCancel,
}: {
  pending: boolean;
  submit: string;
  onCancel: () => void;
}) {
  return (
    <div className="flex justify-end gap-2 pt-1">
      <Button variant="secondary" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" disabled={pending}>
        {pending ? 'Saving…' : submit}
      </Button>
    </div>
  );
}

function RoleSelect({
  roles,
  value,
  onChange,
  disabled,
}: {
  roles: readonly Role[];
  value: string;
  onChange: (roleId: string) => void;
  disabled?: boolean;
}) {
  const id = useId();
  // A label beside (not around) the select: wrapped, its name would include the chosen option.
  return (
    <div className="text-sm">
      <label htmlFor={id}>Role</label>
      <select
        id={id}
        className={inputClass}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
      >
        {roles.map((role) => (
          <option key={role.id} value={role.id}>
            {role.name}
            {role.builtIn ? '' : ' (custom)'}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Add a user (name, email, password, role) or edit one (name, role). */
export function UserDialog({
  user,
  roles,
  selfId,
  onClose,
}: {
  /** Null: a new user. */
  user: Member | null;
  roles: readonly Role[];
  selfId: string;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const [name, setName] = useState(user?.name ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [roleId, setRoleId] = useState(user?.roleId ?? 'agent');
  const save = useMutation({
    mutationFn: () =>
      user
        ? api.patch<Member>(`/users/${user.id}`, {
            name: name.trim(),
            ...(roleId !== user.roleId && { roleId }),
          })
        : api.post<Member>('/users', {
            name: name.trim(),
            email: email.trim(),
            password,
            roleId,
          }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['users'] });
      onClose();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const own = user?.id === selfId;
  return (
    <Modal
      open
      onOpenChange={(open) => !open && onClose()}
      title={user ? `Edit ${user.name}` : 'Add user'}
    >
      <form onSubmit={submit} className="space-y-3">
        <label className="block text-sm">
          Name
          <input
            className={inputClass}
            value={name}
            required
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        {user ? (
          <p className="text-sm text-slate-600">{user.email}</p>
        ) : (
          <>
            <label className="block text-sm">
              Email
              <input
                className={inputClass}
                type="email"
                value={email}
                required
                autoComplete="off"
                onChange={(e) => setEmail(e.target.value)}
              />
            </label>
            <label className="block text-sm">
              Password
              <input
                className={inputClass}
                type="password"
                value={password}
                required
                minLength={8}
                autoComplete="new-password"
                aria-describedby="new-user-password-help"
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
            <p id="new-user-password-help" className="-mt-2 text-xs text-slate-500">
              At least 8 characters. An existing account keeps its own password.
            </p>
          </>
        )}
        <RoleSelect roles={roles} value={roleId} onChange={setRoleId} disabled={own} />
        {own && <p className="text-xs text-slate-500">You cannot change your own role.</p>}
        {save.error && <ErrorState error={save.error} />}
        <DialogButtons
          pending={save.isPending}
          submit={user ? 'Save' : 'Add user'}
          onCancel={onClose}
        />
      </form>
    </Modal>
  );
}

/** Create a custom role, or edit one: a name and permissions grouped by area. */
export function RoleDialog({
  role,
  permissions,
  onClose,
}: {
  /** Null: a new role. */
  role: Role | null;
  permissions: readonly string[];
  onClose: () => void;
}) {
  const client = useQueryClient();
  const [name, setName] = useState(role?.name ?? '');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(role?.permissions ?? []));
  const save = useMutation({
    mutationFn: () => {
      const body = { name: name.trim(), permissions: permissions.filter((p) => chosen.has(p)) };
      return role ? api.patch<Role>(`/roles/${role.id}`, body) : api.post<Role>('/roles', body);
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['roles'] });
      // The users list shows each member's role, and the signed-in user may hold this role: the
      // session's permissions (hence the sidebar and the actions) follow the change.
      void client.invalidateQueries({ queryKey: ['users'] });
      void client.invalidateQueries({ queryKey: meKey });
      onClose();
    },
  });
  const toggle = (permission: string, on: boolean) =>
    setChosen((current) => {
      const next = new Set(current);
      if (on) next.add(permission);
      else next.delete(permission);
      return next;
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Modal
      open
      size="lg"
      onOpenChange={(open) => !open && onClose()}
      title={role ? `Edit role ${role.name}` : 'Create role'}
    >
      <form onSubmit={submit} className="space-y-3">
        <label className="block text-sm">
          Role name
          <input
            className={inputClass}
            value={name}
            required
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <div className="grid gap-2 sm:grid-cols-2">
          {groupPermissions(permissions).map((group) => (
            <PermissionGroup key={group.area} label={group.label}>
              {group.permissions.map((p) => (
                <PermissionCheckbox
                  key={p.name}
                  name={p.name}
                  label={p.label}
                  checked={chosen.has(p.name)}
                  onChange={(on) => toggle(p.name, on)}
                />
              ))}
            </PermissionGroup>
          ))}
        </div>
        <p className="text-xs text-slate-500">{chosen.size} selected</p>
        {save.error && <ErrorState error={save.error} />}
        <DialogButtons
          pending={save.isPending}
          submit={role ? 'Save role' : 'Create role'}
          onCancel={onClose}
        />
      </form>
    </Modal>
  );
}

export function PermissionGroup({ label, children }: { label: string; children: ReactNode }) {
  return (
    <fieldset className="rounded border border-slate-200 px-3 py-2">
      <legend className="px-1 text-xs font-semibold uppercase tracking-wide text-slate-500">
        {label}
      </legend>
      <div className="flex flex-wrap gap-x-4 gap-y-1">{children}</div>
    </fieldset>
  );
}

function PermissionCheckbox({
  name,
  label,
  checked,
  onChange,
}: {
  name: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = `permission-${name}`;
  return (
    <div className="flex items-center gap-2 text-sm" title={name}>
      <Checkbox.Root
        id={id}
        checked={checked}
        onCheckedChange={(value) => onChange(value === true)}
        className="flex size-4 items-center justify-center rounded border border-slate-400 bg-white focus-visible:outline-2 focus-visible:outline-indigo-500 data-[state=checked]:border-indigo-600 data-[state=checked]:bg-indigo-600"
      >
        <Checkbox.Indicator>
          <Check className="size-3 text-white" />
        </Checkbox.Indicator>
      </Checkbox.Root>
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** A yes/no question before something that takes effect at once. */
export function Confirm({
  title,
  children,
  action,
  onConfirm,
  onClose,
  pending,
  error,
}: {
  title: string;
  children: ReactNode;
  action: string;
  onConfirm: () => void;
  onClose: () => void;
  pending: boolean;
  error: unknown;
}) {
  return (
    <Modal open onOpenChange={(open) => !open && onClose()} title={title}>
      <div className="space-y-3">
        <div>{children}</div>
        {error ? <ErrorState error={error} /> : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" disabled={pending} onClick={onConfirm}>
            {pending ? 'Working…' : action}
          </Button>
        </div>
      </div>
    </Modal>
  );
}
