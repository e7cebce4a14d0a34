/**
 * Who is asking, and may they. A request is authenticated by the session cookie (the admin
 * UI) or `Authorization: Bearer <api token>` (integrations); both are looked up by their
 * SHA-256, never stored in the clear. Every route declares a permission in
 * `config.permission`; the `onRequest` hook here refuses a request whose principal's role in
 * the current tenant does not carry it (403), or who is not signed in (401).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ServerContext, sha256 } from './context.js';
import { HttpError } from './http.js';
import { builtInRole, isPermission, type Permission } from './permissions.js';

/** The signed-in user (or token) a request acts as. */
export interface Principal {
  userId: string;
  email: string;
  name: string;
  /** The current tenant: picked after login, or the token's. */
  tenantId: string | null;
  roleId: string | null;
  permissions: ReadonlySet<Permission>;
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: string;
  /** A channel's External API Token is limited to that channel. */
  channelId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const sessionCookie = 'chatloom_session';
const sessionDays = 14;
export const tokenPrefix = 'clt_';

/** A memory-hard hash (Argon2id, OWASP's parameters). */
export const hashPassword = (password: string) =>
  hash(password, { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 });

// A real hash to check against when the email is unknown, so timing does not tell.
let decoyHash: Promise<string> | undefined;

export async function checkPassword(stored: string | undefined, password: string) {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  try {
    return await verify(stored ?? (await decoyHash), password);
  } catch {
    return false;
  }
}

/** A new API token: `clt_` + 43 characters; the hint shows the first and last four. */
export function newApiToken() {
  const token = `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
  return {
    token,
    hash: sha256(token),
    hint: `${token.slice(0, tokenPrefix.length + 4)}…${token.slice(-4)}`,
  };
}

/** The permissions of a role of a tenant (built-in or custom); empty for an unknown role. */
export async function rolePermissions(
  context: ServerContext,
  tenantId: string,
  roleId: string,
): Promise<Set<Permission>> {
  const builtIn = builtInRole(roleId);
  if (builtIn) return new Set(builtIn.permissions);
  const role = await context.db
    .selectFrom('roles')
    .select('permissions')
    .where('id', '=', roleId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!role) return new Set();
  return new Set((JSON.parse(role.permissions) as string[]).filter(isPermission));
}

async function membership(context: ServerContext, userId: string, tenantId: string) {
  // A deactivated member's sessions and tokens no longer reach the tenant.
  return context.db
    .selectFrom('memberships')
    .select('role_id')
    .where('user_id', '=', userId)
    .where('tenant_id', '=', tenantId)
    .where('deactivated_at', 'is', null)
    .executeTakeFirst();
}

async function principalFor(
  context: ServerContext,
  user: { id: string; email: string; name: string },
  tenantId: string | null,
  extra: Pick<Principal, 'via' | 'channelId'> & { sessionId?: string; tokenId?: string },
): Promise<Principal | null> {
  let roleId: string | null = null;
  let permissions = new Set<Permission>();
  if (tenantId) {
    const member = await membership(context, user.id, tenantId);
    if (!member) {
      // A token outlives nothing: its owner left the tenant.
      if (extra.via === 'token') return null;
      tenantId = null;
    } else {
      roleId = member.role_id;
      permissions = await rolePermissions(context, tenantId, roleId);
    }
  }
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    tenantId,
    roleId,
    permissions,
    ...extra,
  };
}

async function fromSession(context: ServerContext, token: string): Promise<Principal | null> {
  return sessionPrincipal(context, sha256(token));
}

/** The principal of a session by its id (the token's SHA-256), if it is still valid. */
async function sessionPrincipal(context: ServerContext, id: string): Promise<Principal | null> {
  const row = await context.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.tenant_id', 'sessions.expires_at', 'users.id', 'users.email', 'users.name'])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
  if (!row || Number(row.expires_at) <= context.clock.now()) return null;
  return principalFor(context, row, row.tenant_id, {
    via: 'session',
    channelId: null,
    sessionId: id,
  });
}

async function fromToken(context: ServerContext, token: string): Promise<Principal | null> {
  if (!token.startsWith(tokenPrefix)) return null;
  return tokenPrincipal(context, { hash: sha256(token) }, true);
}

/** The principal of an unrevoked API token (by its hash or id); `touch` records the use. */
async function tokenPrincipal(
  context: ServerContext,
  by: { hash: string } | { id: string },
  touch: boolean,
): Promise<Principal | null> {
  const row = await context.db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as token_id',
      'api_tokens.tenant_id',
      'api_tokens.channel_id',
      'api_tokens.last_used_at',
      'users.id',
      'users.email',
      'users.name',
    ])
    .where(
      'hash' in by ? 'api_tokens.token_hash' : 'api_tokens.id',
      '=',
      'hash' in by ? by.hash : by.id,
    )
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const now = context.clock.now();
  if (touch && (row.last_used_at === null || now - Number(row.last_used_at) > 60_000)) {
    await context.db
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', '=', row.token_id)
      .execute();
  }
  return principalFor(context, row, row.tenant_id, {
    via: 'token',
    channelId: row.channel_id,
    tokenId: row.token_id,
  });
}

/**
 * The principal as the database has it now, for a request that lasts (the event stream):
 * null once its session expired or was deleted (sign-out, deactivation, new password), its
 * token was revoked, or its membership of the tenant it acts in is gone or deactivated.
 */
export async function currentPrincipal(
  context: ServerContext,
  principal: Principal,
): Promise<Principal | null> {
  const now =
    principal.via === 'session'
      ? principal.sessionId === undefined
        ? null
        : await sessionPrincipal(context, principal.sessionId)
      : principal.tokenId === undefined
        ? null
        : await tokenPrincipal(context, { id: principal.tokenId }, false);
  // A session that lost its tenant (or switched to another) no longer acts in this one.
  return now && now.tenantId === principal.tenantId ? now : null;
}

/** Resolves the request's principal from its bearer token or session cookie. */
export async function authenticate(
  context: ServerContext,
  request: FastifyRequest,
): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.length > 0) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new HttpError(401, 'Authorization must be "Bearer <api token>"');
    const principal = await fromToken(context, match[1]!);
    if (!principal) throw new HttpError(401, 'The API token is unknown or was revoked');
    return principal;
  }
  const cookie = request.cookies[sessionCookie];
  if (cookie) return fromSession(context, cookie);
  return null;
}

/** The `onRequest` hook: authenticates and enforces the route's declared permission. */
export function permissionHook(context: ServerContext) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    request.principal = null;
    if (request.is404) return;
    const permission = request.routeOptions.config.permission;
    if (permission === undefined)
      throw new HttpError(500, `Route ${request.routeOptions.url} declares no permission`);
    if (permission === 'public') return;
    const principal = await authenticate(context, request);
    if (!principal)
      throw new HttpError(401, 'Sign in (POST /api/v1/auth/login) or send an API token');
    request.principal = principal;
    if (permission === 'authenticated') return;
    if (!principal.tenantId)
      throw new HttpError(403, 'Pick a tenant first: POST /api/v1/auth/tenant { tenantId }');
    if (!principal.permissions.has(permission))
      throw new HttpError(403, `Your role does not allow "${permission}"`);
  };
}

/** The principal of a route that declared a permission (so a tenant is set). */
export function actor(request: FastifyRequest): Principal & { tenantId: string } {
  const principal = request.principal;
  if (!principal?.tenantId) throw new HttpError(403, 'Pick a tenant first');
  return principal as Principal & { tenantId: string };
}

export async function createSession(
  context: ServerContext,
  userId: string,
  tenantId: string | null,
): Promise<{ token: string; expiresAt: number }> {
  const token = randomBytes(32).toString('base64url');
  const now = context.clock.now();
  const expiresAt = now + sessionDays * 24 * 3600_000;
  await context.db
    .insertInto('sessions')
    .values({
      id: sha256(token),
      user_id: userId,
      tenant_id: tenantId,
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  // Housekeeping: a user's expired sessions go when they sign in again.
  await context.db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where('expires_at', '<=', now)
    .execute();
  return { token, expiresAt };
}

/** A new user (or the existing one with that email) given a role in a tenant. */
export async function createUser(
  context: ServerContext,
  input: { email: string; name: string; password: string; tenantId: string; roleId: string },
): Promise<{ id: string; created: boolean }> {
  const email = input.email.trim().toLowerCase();
  const existing = await context.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirst();
  const now = context.clock.now();
  let id = existing?.id;
  if (!id) {
    id = randomUUID();
    await context.db
      .insertInto('users')
      .values({
        id,
        email,
        name: input.name,
        password_hash: await hashPassword(input.password),
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  await context.db
    .insertInto('memberships')
    .values({ user_id: id, tenant_id: input.tenantId, role_id: input.roleId, created_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'tenant_id']).doUpdateSet({ role_id: input.roleId }))
    .execute();
  return { id, created: !existing };
}
