/**
 * The REST client: every call goes to `/api/v1` with the session cookie (same origin), and an
 * error answer becomes an `ApiError` carrying the server's message, which the UI shows as is.
 */

export const apiBase = '/api/v1';

/** An answer other than 2xx, with the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const response = await fetch(`${apiBase}${withQuery(path, query)}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const message =
      typeof parsed === 'object' && parsed !== null && 'message' in parsed
        ? String((parsed as { message: unknown }).message)
        : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, parsed);
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T>(path: string, body: unknown = {}, query?: Query) =>
    request<T>('POST', path, body, query),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

// What the API answers (see the OpenAPI document at /docs) --------------------------------------

export interface TenantOfUser {
  id: string;
  name: string;
  roleId: string;
  roleName: string;
}

export interface Me {
  user: { id: string; email: string; name: string };
  tenantId: string | null;
  roleId: string | null;
  permissions: string[];
  tenants: TenantOfUser[];
  via: 'session' | 'token';
}

export interface Channel {
  id: string;
  platform: string;
  name: string;
  status: 'pending' | 'good' | 'invalid';
  statusDetail: string | null;
  subscribed: boolean;
  callbackUrl: string;
  verifyToken: string | null;
  credentialsSet: string[];
  /** The platform's non-secret settings (ids, host); secrets are write-only. */
  settings: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export type ConversationStatus = 'bot' | 'waiting' | 'agent';

export interface Conversation {
  id: string;
  channelId: string;
  contactId: string;
  status: ConversationStatus;
  organizerId: string | null;
  chatbotEnabled: boolean;
  lastInboundAt: number | null;
  lastMessageAt: number | null;
  createdAt: number;
  updatedAt: number;
  contact: { id: string; userId: string | null; phone: string | null; name: string | null };
}

export interface Message {
  id: string;
  conversationId: string;
  channelId: string;
  direction: 'in' | 'out';
  sender: string;
  agentId: string | null;
  type: string;
  content: unknown;
  status: string;
  error: string | null;
  starred: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface FlowSummary {
  id: string;
  name: string;
  latestVersion: number;
  publishedVersion: number | null;
  active: boolean;
  versions: number[];
  updatedAt: number;
}

export interface FlowDetail extends FlowSummary {
  definition: unknown;
}

export interface Dashboard {
  from: number;
  to: number;
  messagesIn: number;
  messagesOut: number;
  deliveryRate: number | null;
  readRate: number | null;
  failed: number;
  openConversations: number;
  series: DashboardDay[];
  /** Null when the role may not read conversations. */
  recent: RecentMessage[] | null;
}

export interface DashboardDay {
  /** YYYY-MM-DD in the viewer's time zone. */
  date: string;
  start: number;
  messagesIn: number;
  messagesOut: number;
}

export interface RecentMessage {
  id: string;
  conversationId: string;
  channelId: string;
  direction: 'in' | 'out';
  sender: string;
  status: string;
  contactName: string;
  preview: string;
  createdAt: number;
}

export interface ScheduledMessage {
  messageId: string;
  conversationId: string;
  channelId: string;
  dueAt: number;
  type: string;
  content: unknown;
  createdAt: number;
}

export interface ApiToken {
  id: string;
  name: string;
  masked: string;
  userId: string;
  channelId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface ApiTokenWithSecret extends ApiToken {
  token: string;
}

export interface QuickReply {
  id: string;
  shortcut: string;
  content: string;
  channelIds: string[];
  createdAt: number;
  updatedAt: number;
}

export interface Member {
  id: string;
  email: string;
  name: string;
  roleId: string;
  roleName: string;
  /** False once deactivated in this tenant (signed out, tokens refused). */
  active: boolean;
  deactivatedAt: number | null;
  createdAt: number;
}

export interface Role {
  id: string;
  name: string;
  builtIn: boolean;
  permissions: string[];
}

export interface Template {
  id: string | null;
  name: string;
  language: string;
  category: string | null;
  status: string;
  header: string | null;
  body: string | null;
  footer: string | null;
  buttons: string[];
  /** The body's placeholders in order (`1`, `2`…): one parameter each. */
  placeholders: string[];
}

export interface MediaItem {
  id: string;
  kind: 'image' | 'video' | 'document' | 'audio';
  url: string;
  name: string;
  filename: string | null;
  caption: string | null;
  createdAt: number;
}

export interface TransferTarget {
  id: string;
  name: string;
  email: string;
}
