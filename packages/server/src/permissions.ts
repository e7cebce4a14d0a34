/**
 * Permissions and the built-in roles. Every route declares the permission it needs in its
 * `config.permission` (a test walks every route and fails on one without); a role is a set of
 * permissions, built in or made by a tenant from any of them.
 */

/** What a role can be given. */
export const permissions = [
  'channels.read',
  'channels.manage',
  'api-tokens.manage',
  'tools.read',
  'tools.delete-scheduled',
  'flows.read',
  'flows.manage',
  'conversations.read',
  'conversations.reply',
  'conversations.manage',
  'quick-replies.read',
  'quick-replies.manage',
  'media.read',
  'media.manage',
  'users.read',
  'users.manage',
  'roles.manage',
  'tenants.manage',
  'notifications.read',
  'dashboard.read',
  'simulator.use',
] as const;

export type Permission = (typeof permissions)[number];

/**
 * What a route asks for: a permission; `authenticated` (any signed-in user or token, e.g.
 * logout, profile); `public` (login, webhooks, health and docs only).
 */
export type RoutePermission = Permission | 'authenticated' | 'public';

export const isPermission = (value: string): value is Permission =>
  (permissions as readonly string[]).includes(value);

export interface BuiltInRole {
  id: string;
  name: string;
  permissions: readonly Permission[];
}

/** The roles every tenant has. */
export const builtInRoles: readonly BuiltInRole[] = [
  { id: 'global-admin', name: 'Global Admin', permissions },
  {
    id: 'channels-admin',
    name: 'Channels Admin',
    permissions: [
      'channels.read',
      'channels.manage',
      'api-tokens.manage',
      'tools.read',
      'flows.read',
      'media.read',
      'notifications.read',
      'dashboard.read',
      'simulator.use',
    ],
  },
  {
    id: 'agent',
    name: 'Agent',
    permissions: [
      'channels.read',
      'conversations.read',
      'conversations.reply',
      'conversations.manage',
      'quick-replies.read',
      'quick-replies.manage',
      'media.read',
      'notifications.read',
    ],
  },
];

export const builtInRole = (id: string) => builtInRoles.find((role) => role.id === id);
