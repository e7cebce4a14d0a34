/** Sign-in, tenants, users, roles and API tokens. */
import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import {
  actor,
  checkPassword,
  createSession,
  createUser,
  hashPassword,
  newApiToken,
  rolePermissions,
  sessionCookie,
} from './auth.js';
import type { ServerContext } from './context.js';
import type { ApiTokenTable, Db } from './database.js';
import { errors, HttpError, IdParams, notFound, Ok } from './http.js';
import { builtInRole, builtInRoles, isPermission, permissions } from './permissions.js';
import type { App } from './server.js';

const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
});
const TenantOfUser = Type.Object({
  id: Type.String(),
  name: Type.String(),
  roleId: Type.String(),
  roleName: Type.String(),
});
const Me = Type.Object({
  user: User,
  tenantId: Type.Union([Type.String(), Type.Null()]),
  roleId: Type.Union([Type.String(), Type.Null()]),
  permissions: Type.Array(Type.String()),
  tenants: Type.Array(TenantOfUser),
  via: Type.Union([Type.Literal('session'), Type.Literal('token')]),
});
const Member = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roleId: Type.String(),
  roleName: Type.String(),
  createdAt: Type.Number(),
  /** False once deactivated: the user cannot sign in to this tenant until reactivated. */
  active: Type.Boolean(),
  deactivatedAt: Type.Union([Type.Number(), Type.Null()]),
});
const Role = Type.Object({
  id: Type.String(),
  name: Type.String(),
  builtIn: Type.Boolean(),
  permissions: Type.Array(Type.String()),
});
const PermissionName = Type.Union(permissions.map((p) => Type.Literal(p)));
export const ApiToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** The token masked: `clt_Ab3d…x9Zq`. */
  masked: Type.String(),
  userId: Type.String(),
  channelId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Number(),
  lastUsedAt: Type.Union([Type.Number(), Type.Null()]),
});
export const ApiTokenWithSecret = Type.Intersect([
  ApiToken,
  Type.Object({ token: Type.String({ description: 'The token in the clear' }) }),
]);

export const toApiToken = (row: ApiTokenTable) => ({
  id: row.id,
  name: row.name,
  masked: row.hint,
  userId: row.user_id,
  channelId: row.channel_id,
  createdAt: Number(row.created_at),
  lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
});

/** A new API token of `userId` in a tenant (optionally a channel's); the clear token is returned once. */
export async function issueApiToken(
  context: ServerContext,
  input: { tenantId: string; userId: string; name: string; channelId?: string },
) {
  const { token, hash, hint } = newApiToken();
  const id = randomUUID();
  const row: ApiTokenTable = {
    id,
    tenant_id: input.tenantId,
    user_id: input.userId,
    channel_id: input.channelId ?? null,
    name: input.name,
    token_hash: hash,
    token_sealed: context.seal(token, id),
    hint,
    created_at: context.clock.now(),
    last_used_at: null,
    revoked_at: null,
  };
  await context.db.insertInto('api_tokens').values(row).execute();
  return { ...toApiToken(row), token };
}

/** Replaces a token's secret; the old one stops working at once. */
export async function rotateApiToken(context: ServerContext, row: ApiTokenTable) {
  const { token, hash, hint } = newApiToken();
  await context.db
    .updateTable('api_tokens')
    .set({ token_hash: hash, token_sealed: context.seal(token, row.id), hint, last_used_at: null })
    .where('id', '=', row.id)
    .execute();
  return { ...toApiToken({ ...row, hint, last_used_at: null }), token };
}

export async function roleName(context: ServerContext, tenantId: string, roleId: string) {
  const builtIn = builtInRole(roleId);
  if (builtIn) return builtIn.name;
  const row = await context.db
    .selectFrom('roles')
    .select('name')
    .where('id', '=', roleId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row?.name ?? roleId;
}

async function tenantsOf(context: ServerContext, userId: string) {
  const rows = await context.db
    .selectFrom('memberships')
    .innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
    .select(['tenants.id', 'tenants.name', 'memberships.role_id'])
    .where('memberships.user_id', '=', userId)
    .where('memberships.deactivated_at', 'is', null)
    .orderBy('tenants.name')
    .execute();
  return Promise.all(
    rows.map(async (row) => ({
      id: row.id,
      name: row.name,
      roleId: row.role_id,
      roleName: await roleName(context, row.id, row.role_id),
    })),
  );
}

/** Whether the user has memberships, all deactivated (so sign-in says why it is refused). */
async function deactivatedAnywhere(context: ServerContext, userId: string): Promise<boolean> {
  const row = await context.db
    .selectFrom('memberships')
    .select('tenant_id')
    .where('user_id', '=', userId)
    .where('deactivated_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Refuses a change that would leave the tenant without an active Global Admin: nobody could
 * then manage users, roles or tenants there. Reads the memberships as they are now (`lock`:
 * and locks the active Global Admins' rows until the transaction ends).
 */
async function keepAGlobalAdmin(
  db: Db,
  tenantId: string,
  user: { id: string; name: string },
  change: string,
  lock: boolean,
) {
  let query = db
    .selectFrom('memberships')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where('role_id', '=', 'global-admin')
    .where('deactivated_at', 'is', null)
    .orderBy('user_id');
  if (lock) query = query.forUpdate();
  const admins = (await query.execute()).map((row) => row.user_id);
  if (admins.includes(user.id) && admins.length === 1)
    throw new HttpError(
      409,
      `${user.name} is the last active Global Admin of this tenant and cannot be ${change}; make another user Global Admin first`,
    );
}

/** Per tenant, the Global Admin change running in this process (the next one waits on it). */
const adminChanges = new Map<string, Promise<void>>();

/**
 * Changes a user's membership (`write`) only if the tenant keeps an active Global Admin, the
 * check and the write as one: two admins deactivating each other at once must not both
 * succeed. Postgres: one transaction that first locks the tenant's active Global Admin rows,
 * so a change in another process waits and then sees this one. SQLite (one process, and core
 * shares the connection, so no Kysely transaction here): a queue per tenant in this process.
 */
async function keepingAGlobalAdmin<T>(
  context: ServerContext,
  tenantId: string,
  user: { id: string; name: string },
  change: string,
  write: (db: Db) => Promise<T>,
): Promise<T> {
  const run = () =>
    context.store.dialect === 'postgres'
      ? context.db.transaction().execute(async (trx) => {
          await keepAGlobalAdmin(trx, tenantId, user, change, true);
          return write(trx);
        })
      : keepAGlobalAdmin(context.db, tenantId, user, change, false).then(() => write(context.db));
  const result = (adminChanges.get(tenantId) ?? Promise.resolve()).then(run);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  adminChanges.set(tenantId, settled);
  try {
    return await result;
  } finally {
    if (adminChanges.get(tenantId) === settled) adminChanges.delete(tenantId);
  }
}

async function requireRole(context: ServerContext, tenantId: string, roleId: string) {
  if (builtInRole(roleId)) return;
  const found = await context.db
    .selectFrom('roles')
    .select('id')
    .where('id', '=', roleId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!found) throw new HttpError(422, `Role "${roleId}" does not exist in this tenant`);
}

async function tokenRow(context: ServerContext, tenantId: string, id: string) {
  const row = await context.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound(`API token "${id}"`);
  return row;
}

export async function accountRoutes(app: App, context: ServerContext): Promise<void> {
  const { db } = context;

  // Sign-in -------------------------------------------------------------------------------

  app.post(
    '/auth/login',
    {
      config: {
        permission: 'public',
        rateLimit: {
          max: context.config.loginRateLimit,
          timeWindow: 60_000,
          // After parsing: the key holds the email.
          hook: 'preHandler',
          keyGenerator: (request) => {
            const body = request.body as { email?: unknown } | undefined;
            const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
            return `${request.ip}|${email}`;
          },
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password; sets the session cookie',
        security: [],
        body: Type.Object({
          email: Type.String({ minLength: 3, maxLength: 320 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
          tenantId: Type.Optional(Type.String()),
        }),
        response: { 200: Me, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      const user = await db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email)
        .executeTakeFirst();
      const ok = await checkPassword(user?.password_hash, request.body.password);
      if (!user || !ok) throw new HttpError(401, 'Wrong email or password');
      const tenants = await tenantsOf(context, user.id);
      if (tenants.length === 0 && (await deactivatedAnywhere(context, user.id)))
        throw new HttpError(
          401,
          'Your account has been deactivated; ask an administrator to reactivate it',
        );
      let tenantId: string | null = tenants.length === 1 ? tenants[0]!.id : null;
      if (request.body.tenantId) {
        if (!tenants.some((t) => t.id === request.body.tenantId))
          throw new HttpError(401, 'You are not a member of that tenant');
        tenantId = request.body.tenantId;
      }
      const session = await createSession(context, user.id, tenantId);
      reply.setCookie(sessionCookie, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: context.config.secureCookies ?? request.protocol === 'https',
        expires: new Date(session.expiresAt),
      });
      const member = tenants.find((t) => t.id === tenantId);
      return {
        user: { id: user.id, email: user.email, name: user.name },
        tenantId,
        roleId: member?.roleId ?? null,
        permissions: member ? [...(await rolePermissions(context, member.id, member.roleId))] : [],
        tenants,
        via: 'session' as const,
      };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['auth'], summary: 'Sign out (ends the session)', response: { 200: Ok } },
    },
    async (request, reply) => {
      const principal = request.principal!;
      if (principal.sessionId)
        await db.deleteFrom('sessions').where('id', '=', principal.sessionId).execute();
      reply.clearCookie(sessionCookie, { path: '/' });
      return { ok: true };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Who you are, your tenants and permissions',
        response: { 200: Me },
      },
    },
    async (request) => {
      const principal = request.principal!;
      return {
        user: { id: principal.userId, email: principal.email, name: principal.name },
        tenantId: principal.tenantId,
        roleId: principal.roleId,
        permissions: [...principal.permissions],
        tenants: await tenantsOf(context, principal.userId),
        via: principal.via,
      };
    },
  );

  app.post(
    '/auth/tenant',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Pick the tenant to work in (users of several tenants)',
        body: Type.Object({ tenantId: Type.String() }),
        response: { 200: Ok, ...errors(400, 404) },
      },
    },
    async (request) => {
      const principal = request.principal!;
      if (!principal.sessionId) throw new HttpError(400, 'An API token belongs to one tenant');
      const member = await db
        .selectFrom('memberships')
        .select('tenant_id')
        .where('user_id', '=', principal.userId)
        .where('tenant_id', '=', request.body.tenantId)
        .where('deactivated_at', 'is', null)
        .executeTakeFirst();
      if (!member) throw notFound(`Tenant "${request.body.tenantId}"`);
      await db
        .updateTable('sessions')
        .set({ tenant_id: request.body.tenantId })
        .where('id', '=', principal.sessionId)
        .execute();
      return { ok: true };
    },
  );

  // Tenants ---------------------------------------------------------------------------------

  app.get(
    '/tenants',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['tenants'],
        summary: 'Your tenants',
        response: { 200: Type.Array(TenantOfUser) },
      },
    },
    async (request) => tenantsOf(context, request.principal!.userId),
  );

  app.post(
    '/tenants',
    {
      config: { permission: 'tenants.manage' },
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant; you become its Global Admin',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 201: Type.Object({ id: Type.String(), name: Type.String() }) },
      },
    },
    async (request, reply) => {
      const tenant = await context.chatloom.createTenant({ name: request.body.name });
      await db
        .insertInto('memberships')
        .values({
          user_id: request.principal!.userId,
          tenant_id: tenant.id,
          role_id: 'global-admin',
          created_at: context.clock.now(),
        })
        .execute();
      return reply.status(201).send({ id: tenant.id, name: tenant.name });
    },
  );

  // Users -----------------------------------------------------------------------------------

  async function member(tenantId: string, userId: string) {
    const row = await db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select([
        'users.id',
        'users.email',
        'users.name',
        'memberships.role_id',
        'memberships.created_at',
        'memberships.deactivated_at',
      ])
      .where('memberships.tenant_id', '=', tenantId)
      .where('memberships.user_id', '=', userId)
      .executeTakeFirst();
    if (!row) throw notFound(`User "${userId}"`);
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      roleId: row.role_id,
      roleName: await roleName(context, tenantId, row.role_id),
      createdAt: Number(row.created_at),
      active: row.deactivated_at === null,
      deactivatedAt: row.deactivated_at === null ? null : Number(row.deactivated_at),
    };
  }

  app.get(
    '/users',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['users'],
        summary: "The tenant's users",
        response: { 200: Type.Array(Member) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      const rows = await db
        .selectFrom('memberships')
        .select('user_id')
        .where('tenant_id', '=', tenantId)
        .execute();
      const members = await Promise.all(rows.map((row) => member(tenantId, row.user_id)));
      return members.sort((a, b) => a.name.localeCompare(b.name));
    },
  );

  app.post(
    '/users',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: 'Add a user to the tenant (a new account, or an existing one by email)',
        body: Type.Object({
          email: Type.String({ format: 'email', maxLength: 320 }),
          name: Type.String({ minLength: 1, maxLength: 200 }),
          password: Type.String({ minLength: 8, maxLength: 1024 }),
          roleId: Type.String(),
        }),
        response: { 201: Member, ...errors(409, 422) },
      },
    },
    async (request, reply) => {
      const { tenantId } = actor(request);
      await requireRole(context, tenantId, request.body.roleId);
      const email = request.body.email.trim().toLowerCase();
      const existing = await db
        .selectFrom('users')
        .innerJoin('memberships', 'memberships.user_id', 'users.id')
        .select(['users.id', 'memberships.deactivated_at'])
        .where('users.email', '=', email)
        .where('memberships.tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (existing)
        throw new HttpError(
          409,
          existing.deactivated_at === null
            ? `${email} is already a user of this tenant`
            : `${email} is a deactivated user of this tenant; reactivate them instead`,
        );
      const { id } = await createUser(context, { ...request.body, tenantId });
      return reply.status(201).send(await member(tenantId, id));
    },
  );

  app.get(
    '/users/:id',
    {
      config: { permission: 'users.read' },
      schema: { tags: ['users'], params: IdParams, response: { 200: Member, ...errors(404) } },
    },
    async (request) => member(actor(request).tenantId, request.params.id),
  );

  app.patch(
    '/users/:id',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: "Change a user's name, role or password",
        params: IdParams,
        body: Type.Object({
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          roleId: Type.Optional(Type.String()),
          password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
        }),
        response: { 200: Member, ...errors(404, 409, 422) },
      },
    },
    async (request) => {
      const principal = actor(request);
      const { tenantId } = principal;
      const current = await member(tenantId, request.params.id);
      const { name, roleId, password } = request.body;
      if (roleId !== undefined && roleId !== current.roleId) {
        await requireRole(context, tenantId, roleId);
        if (current.id === principal.userId)
          throw new HttpError(409, 'You cannot change your own role; ask another admin');
        const give = (to: Db) =>
          to
            .updateTable('memberships')
            .set({ role_id: roleId })
            .where('tenant_id', '=', tenantId)
            .where('user_id', '=', current.id)
            .execute();
        if (roleId === 'global-admin') await give(db);
        else await keepingAGlobalAdmin(context, tenantId, current, 'given another role', give);
      }
      if (name !== undefined || password !== undefined) {
        await db
          .updateTable('users')
          .set({
            ...(name !== undefined && { name }),
            ...(password !== undefined && { password_hash: await hashPassword(password) }),
            updated_at: context.clock.now(),
          })
          .where('id', '=', current.id)
          .execute();
        // A new password signs the user out everywhere.
        if (password !== undefined)
          await db.deleteFrom('sessions').where('user_id', '=', current.id).execute();
      }
      return member(tenantId, current.id);
    },
  );

  app.delete(
    '/users/:id',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: 'Remove a user from the tenant (their API tokens here are revoked)',
        params: IdParams,
        response: { 200: Ok, ...errors(404, 409) },
      },
    },
    async (request) => {
      const principal = actor(request);
      const current = await member(principal.tenantId, request.params.id);
      if (current.id === principal.userId) throw new HttpError(409, 'You cannot remove yourself');
      await keepingAGlobalAdmin(context, principal.tenantId, current, 'removed', async (db) => {
        await db
          .updateTable('api_tokens')
          .set({ revoked_at: context.clock.now() })
          .where('tenant_id', '=', principal.tenantId)
          .where('user_id', '=', current.id)
          .where('revoked_at', 'is', null)
          .execute();
        await db
          .deleteFrom('memberships')
          .where('tenant_id', '=', principal.tenantId)
          .where('user_id', '=', current.id)
          .execute();
      });
      return { ok: true };
    },
  );

  app.post(
    '/users/:id/deactivate',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        summary:
          'Deactivate a user in this tenant: signed out here at once, sign-in and their API tokens refused until reactivated',
        params: IdParams,
        response: { 200: Member, ...errors(404, 409) },
      },
    },
    async (request) => {
      const principal = actor(request);
      const current = await member(principal.tenantId, request.params.id);
      if (current.id === principal.userId)
        throw new HttpError(409, 'You cannot deactivate yourself');
      if (!current.active) return current;
      await keepingAGlobalAdmin(context, principal.tenantId, current, 'deactivated', async (db) => {
        await db
          .updateTable('memberships')
          .set({ deactivated_at: context.clock.now() })
          .where('tenant_id', '=', principal.tenantId)
          .where('user_id', '=', current.id)
          .execute();
        await db
          .deleteFrom('sessions')
          .where('user_id', '=', current.id)
          .where('tenant_id', '=', principal.tenantId)
          .execute();
      });
      return member(principal.tenantId, current.id);
    },
  );

  app.post(
    '/users/:id/reactivate',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: 'Reactivate a deactivated user: they can sign in again, with the same role',
        params: IdParams,
        response: { 200: Member, ...errors(404) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      const current = await member(tenantId, request.params.id);
      await db
        .updateTable('memberships')
        .set({ deactivated_at: null })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', current.id)
        .execute();
      return member(tenantId, current.id);
    },
  );

  // Roles -----------------------------------------------------------------------------------

  app.get(
    '/permissions',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['roles'],
        summary: 'Every permission a role can hold',
        response: { 200: Type.Array(Type.String()) },
      },
    },
    async () => [...permissions],
  );

  async function customRole(tenantId: string, id: string) {
    const row = await db
      .selectFrom('roles')
      .selectAll()
      .where('id', '=', id)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (!row) {
      if (builtInRole(id)) throw new HttpError(409, 'Built-in roles cannot be changed');
      throw notFound(`Role "${id}"`);
    }
    return row;
  }
  const toRole = (row: { id: string; name: string; permissions: string }) => ({
    id: row.id,
    name: row.name,
    builtIn: false,
    permissions: (JSON.parse(row.permissions) as string[]).filter(isPermission),
  });
  const RoleBody = Type.Object({
    name: Type.String({ minLength: 1, maxLength: 100 }),
    permissions: Type.Array(PermissionName, { uniqueItems: true }),
  });
  const nameTaken = async (tenantId: string, name: string, except?: string) => {
    if (builtInRoles.some((r) => r.name.toLowerCase() === name.toLowerCase()))
      throw new HttpError(409, `"${name}" is the name of a built-in role`);
    let query = db
      .selectFrom('roles')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name);
    if (except) query = query.where('id', '!=', except);
    if (await query.executeTakeFirst()) throw new HttpError(409, `A role named "${name}" exists`);
  };

  app.get(
    '/roles',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['roles'],
        summary: 'Built-in and custom roles',
        response: { 200: Type.Array(Role) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      const custom = await db
        .selectFrom('roles')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('name')
        .execute();
      return [
        ...builtInRoles.map((r) => ({
          id: r.id,
          name: r.name,
          builtIn: true,
          permissions: [...r.permissions],
        })),
        ...custom.map(toRole),
      ];
    },
  );

  app.post(
    '/roles',
    {
      config: { permission: 'roles.manage' },
      schema: {
        tags: ['roles'],
        summary: 'A custom role from any set of permissions',
        body: RoleBody,
        response: { 201: Role, ...errors(409) },
      },
    },
    async (request, reply) => {
      const { tenantId } = actor(request);
      await nameTaken(tenantId, request.body.name);
      const now = context.clock.now();
      const row = {
        id: randomUUID(),
        tenant_id: tenantId,
        name: request.body.name,
        permissions: JSON.stringify(request.body.permissions),
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('roles').values(row).execute();
      return reply.status(201).send(toRole(row));
    },
  );

  app.patch(
    '/roles/:id',
    {
      config: { permission: 'roles.manage' },
      schema: {
        tags: ['roles'],
        params: IdParams,
        body: Type.Partial(RoleBody),
        response: { 200: Role, ...errors(404, 409) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      const row = await customRole(tenantId, request.params.id);
      if (request.body.name !== undefined) await nameTaken(tenantId, request.body.name, row.id);
      const next = {
        ...row,
        ...(request.body.name !== undefined && { name: request.body.name }),
        ...(request.body.permissions !== undefined && {
          permissions: JSON.stringify(request.body.permissions),
        }),
        updated_at: context.clock.now(),
      };
      await db
        .updateTable('roles')
        .set({ name: next.name, permissions: next.permissions, updated_at: next.updated_at })
        .where('id', '=', row.id)
        .execute();
      return toRole(next);
    },
  );

  app.delete(
    '/roles/:id',
    {
      config: { permission: 'roles.manage' },
      schema: { tags: ['roles'], params: IdParams, response: { 200: Ok, ...errors(404, 409) } },
    },
    async (request) => {
      const { tenantId } = actor(request);
      const row = await customRole(tenantId, request.params.id);
      const used = await db
        .selectFrom('memberships')
        .select('user_id')
        .where('tenant_id', '=', tenantId)
        .where('role_id', '=', row.id)
        .executeTakeFirst();
      if (used)
        throw new HttpError(409, `Role "${row.name}" is given to users; change their role first`);
      await db.deleteFrom('roles').where('id', '=', row.id).execute();
      return { ok: true };
    },
  );

  // API tokens ------------------------------------------------------------------------------

  app.get(
    '/api-tokens',
    {
      config: { permission: 'api-tokens.manage' },
      schema: {
        tags: ['api tokens'],
        summary: "The tenant's API tokens, masked",
        response: { 200: Type.Array(ApiToken) },
      },
    },
    async (request) => {
      const rows = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('tenant_id', '=', actor(request).tenantId)
        .where('revoked_at', 'is', null)
        .orderBy('created_at')
        .execute();
      return rows.map(toApiToken);
    },
  );

  app.post(
    '/api-tokens',
    {
      config: { permission: 'api-tokens.manage' },
      schema: {
        tags: ['api tokens'],
        summary:
          'Generate an API token acting as you in this tenant (shown in the clear once here)',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 201: ApiTokenWithSecret },
      },
    },
    async (request, reply) => {
      const principal = actor(request);
      return reply.status(201).send(
        await issueApiToken(context, {
          tenantId: principal.tenantId,
          userId: principal.userId,
          name: request.body.name,
        }),
      );
    },
  );

  app.get(
    '/api-tokens/:id/reveal',
    {
      config: { permission: 'api-tokens.manage' },
      schema: {
        tags: ['api tokens'],
        summary: 'Show a token in the clear (the "show" of show/hide)',
        params: IdParams,
        response: { 200: ApiTokenWithSecret, ...errors(404) },
      },
    },
    async (request) => {
      const row = await tokenRow(context, actor(request).tenantId, request.params.id);
      return { ...toApiToken(row), token: context.open(row.token_sealed, row.id) };
    },
  );

  app.post(
    '/api-tokens/:id/rotate',
    {
      config: { permission: 'api-tokens.manage' },
      schema: {
        tags: ['api tokens'],
        summary: 'Replace the token with a new one; the old one stops working',
        params: IdParams,
        response: { 200: ApiTokenWithSecret, ...errors(404) },
      },
    },
    async (request) =>
      rotateApiToken(context, await tokenRow(context, actor(request).tenantId, request.params.id)),
  );

  app.delete(
    '/api-tokens/:id',
    {
      config: { permission: 'api-tokens.manage' },
      schema: {
        tags: ['api tokens'],
        summary: 'Revoke a token',
        params: IdParams,
        response: { 200: Ok, ...errors(404) },
      },
    },
    async (request) => {
      const row = await tokenRow(context, actor(request).tenantId, request.params.id);
      await db
        .updateTable('api_tokens')
        .set({ revoked_at: context.clock.now() })
        .where('id', '=', row.id)
        .execute();
      return { ok: true };
    },
  );
}
