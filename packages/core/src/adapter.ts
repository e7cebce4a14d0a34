/**
 * The channel adapter interface, version 1: everything a platform package (WhatsApp,
 * Messenger, Instagram, or a third party's Telegram) implements for @chatloom/core.
 *
 * Rules every adapter follows:
 * - Pure where it can be: `verifyHandshake`, `verifySignature` and `parseWebhook` are
 *   synchronous and do no I/O. Core calls them on the request path.
 * - Raw bytes in: the signature is checked on the body exactly as received.
 * - Errors out of network calls are `AdapterError`s with a `kind` core acts on; anything
 *   else thrown is treated as retryable and logged as an adapter bug.
 * - Secrets arrive in `channel.credentials` (decrypted by core); never log them.
 *
 * Core checks `adapterApiVersion` when an adapter is registered and throws
 * `UnsupportedAdapterVersionError` for a version it does not know.
 */
import type { ChannelMessage, WindowRule } from '@chatloom/flow-engine';

/** The version of this interface. Adapters declare it as a literal. */
export const adapterApiVersion = 1;
export type AdapterApiVersion = typeof adapterApiVersion;

/** The platforms Chatloom ships adapters for; any other string names a third-party one. */
export type Platform = 'whatsapp' | 'messenger' | 'instagram' | (string & {});

/** A channel as the adapter sees it: one WhatsApp number, one Facebook page, one Instagram account. */
export interface ChannelConfig<
  Settings extends Record<string, unknown> = Record<string, unknown>,
  Credentials extends Record<string, string> = Record<string, string>,
> {
  /** Chatloom's id of the channel (the `:channelId` of the webhook URL). */
  id: string;
  tenantId: string;
  /** Non-secret settings (phone number id, page id, Graph API version, base URL…). */
  settings: Settings;
  /** Secrets (access token, app secret, verify token). Stored encrypted; never log them. */
  credentials: Credentials;
}

/** Query string of a webhook request, as parsed by the HTTP framework. */
export type WebhookQuery = Record<string, string | string[] | undefined>;
/** Request headers with lower-case names (Node's `IncomingMessage.headers` shape). */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** Answer to a platform's verification handshake (Meta's `GET ?hub.mode=subscribe`). */
export type HandshakeResult =
  /** Respond 200 with `challenge` as the plain-text body. */
  | { ok: true; challenge: string }
  /** Respond 403; `reason` is logged, not sent. */
  | { ok: false; reason: string };

// ---------------------------------------------------------------------------------------
// Normalised inbound events
// ---------------------------------------------------------------------------------------

/**
 * Who a message is from (or to). Platforms identify people by a business-scoped user id
 * (PSID, IGSID, WhatsApp BSUID) and/or a phone number; either may be missing, not both.
 * Core keys contacts on `userId` when present, else on `phone`.
 */
export interface ContactIdentity {
  userId?: string;
  /** E.164 digits without `+` (WhatsApp `wa_id`). */
  phone?: string;
  /** The profile name, when the platform sends it. */
  name?: string;
}

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** What an inbound message carries, in no platform's format. */
export type InboundContent =
  | { kind: 'text'; text: string }
  /** A tap on a reply button or list row; `id` is the `Choice.id` core sent. */
  | { kind: 'choice'; id: string; title: string }
  | {
      kind: 'media';
      media: MediaKind;
      /** The platform's media id (fetch it through the platform) or a (possibly expiring) URL. */
      mediaId?: string;
      url?: string;
      mimeType?: string;
      caption?: string;
      filename?: string;
    }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { kind: 'contacts'; contacts: { name: string; phones: string[] }[] }
  /** A reaction to an earlier message; `emoji: null` removes it. */
  | { kind: 'reaction'; emoji: string | null; targetMessageId: string }
  /** A type we do not model (WhatsApp `unsupported`, a new Instagram share type…). Kept, never dropped. */
  | { kind: 'unsupported'; platformType: string; detail?: string };

/**
 * Where a message event comes from. Only `contact` messages can trigger a bot reply:
 * `echo` is a message of the business coming back (sent by us or from the platform's own
 * inbox), `standby` a message received while another app owns the thread (handover).
 */
export type MessageSource = 'contact' | 'echo' | 'standby';

/** A message in a conversation. Deduplicated by core on (channel, `platformMessageId`). */
export interface InboundMessageEvent {
  type: 'message';
  source: MessageSource;
  /** The platform's message id (`wamid…`, `mid…`). */
  platformMessageId: string;
  /** The other party: the sender of a `contact`/`standby` message, the recipient of an `echo`. */
  contact: ContactIdentity;
  /** When the platform says the message was sent (epoch ms). */
  timestamp: number;
  content: InboundContent;
  /** The message this one replies to, if the platform says. */
  replyToPlatformMessageId?: string;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** A delivery status of a message we sent. Core moves a message's status forward only. */
export interface MessageStatusEvent {
  type: 'status';
  platformMessageId: string;
  status: DeliveryStatus;
  timestamp: number;
  /** Why it failed, for `failed`. */
  error?: { code: string; message: string };
  contact?: ContactIdentity;
}

/** A template's review status changed (WhatsApp `message_template_status_update`). */
export interface TemplateStatusEvent {
  type: 'template-status';
  templateName: string;
  language?: string;
  templateId?: string;
  /** The platform's status, lower-cased: `approved`, `rejected`, `paused`, `disabled`… */
  status: string;
  reason?: string;
}

/** One normalised event of a webhook body. */
export type ChannelEvent = InboundMessageEvent | MessageStatusEvent | TemplateStatusEvent;

/**
 * The result of parsing one webhook body. A body that is not what the platform sends at all
 * (not JSON, wrong object) is `ok: false`; core keeps it with the error for the operator and
 * still answers 200. Inside a good body, an event the adapter cannot read is skipped and
 * described in `problems` — it must not lose the rest of the batch.
 */
export type ParsedWebhook =
  | { ok: true; events: ChannelEvent[]; problems?: string[] }
  | { ok: false; error: string };

// ---------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------

/**
 * What core asks an adapter to send: a channel-neutral message from the flow engine
 * (`text`, `media`, `buttons`, `list`, `options`) or a `template`. Adapters render each kind
 * as well as the channel can, within `capabilities.limits` (a list becomes quick replies on
 * Messenger, lettered text where nothing else fits).
 */
export type OutboundMessage = ChannelMessage;

export interface SendContext {
  to: ContactIdentity;
  channel: ChannelConfig;
  /**
   * `HUMAN_AGENT`: a person's reply past the standard window, where the channel allows it
   * (Messenger and Instagram, up to 7 days). Core sets it from `capabilities.window`.
   */
  tag?: 'HUMAN_AGENT';
  /** Quote-reply to this platform message id, where supported. */
  replyToPlatformMessageId?: string;
}

export interface SendResult {
  /** The platform's id of the message; status webhooks refer to it. */
  platformMessageId: string;
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/**
 * What core does with a failed call:
 * - `retryable`: try again later with backoff and jitter (5xx, timeouts, transient codes);
 * - `rate-limited`: try again after `retryAfterMs` (and slow the channel down);
 * - `window-closed`: the platform refused a free-form message outside the window; not retried;
 * - `permanent`: bad input, bad credentials, blocked user; not retried.
 */
export type AdapterErrorKind = 'retryable' | 'rate-limited' | 'window-closed' | 'permanent';

const adapterErrorMarker = Symbol.for('chatloom.adapter-error');

export interface AdapterErrorOptions {
  /** The platform's error code (`131047`, `613`…), for logs and decisions. */
  code?: string | number;
  /** For `rate-limited`: wait at least this long before the next attempt. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * The one error class adapters throw. Recognised by a marker symbol (`AdapterError.isInstance`)
 * so it works across duplicated copies of @chatloom/core in node_modules.
 */
export class AdapterError extends Error {
  /** The marker `isInstance` looks for. */
  readonly [adapterErrorMarker] = true;
  readonly kind: AdapterErrorKind;
  readonly code: string | number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(kind: AdapterErrorKind, message: string, options: AdapterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AdapterError';
    this.kind = kind;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Whether core tries the call again. */
  get isRetryable(): boolean {
    return this.kind === 'retryable' || this.kind === 'rate-limited';
  }

  static isInstance(error: unknown): error is AdapterError {
    return typeof error === 'object' && error !== null && adapterErrorMarker in error;
  }
}

// ---------------------------------------------------------------------------------------
// Capabilities, credentials, templates
// ---------------------------------------------------------------------------------------

/** What a channel can show; the flow editor and core's fallbacks read it. Counts are code points. */
export interface AdapterCapabilities {
  limits: {
    textLength: number;
    /** Reply buttons in one message. */
    buttons: number;
    buttonTitle: number;
    /** Rows of one list message, across sections. */
    listRows: number;
    rowTitle: number;
    rowDescription: number;
    caption: number;
  };
  supports: {
    buttons: boolean;
    lists: boolean;
    templates: boolean;
    media: readonly MediaKind[];
    markAsRead: boolean;
  };
  /** The customer-service window (`windowRules.whatsapp` etc. from @chatloom/flow-engine). */
  window: WindowRule;
  /** Default send pace per channel (WhatsApp: 80). Core's token bucket uses it. */
  messagesPerSecond: number;
}

export type CredentialCheck =
  | {
      ok: true /** What the platform says about the account (display name, number…). */;
      details?: Record<string, unknown>;
    }
  | { ok: false; reason: string };

export interface SubscribeOptions {
  /** Where the platform should post webhooks (per-channel override, where supported). */
  callbackUrl?: string;
  verifyToken?: string;
}

export interface TemplateInfo {
  id?: string;
  name: string;
  language: string;
  category?: string;
  /** Lower-cased platform status; only `approved` templates can be sent. */
  status: string;
  /** The platform's component definition, as is. */
  components?: unknown;
}

export interface NewTemplate {
  name: string;
  language: string;
  category: string;
  components: unknown;
}

// ---------------------------------------------------------------------------------------
// The interface
// ---------------------------------------------------------------------------------------

/** A channel adapter, API version 1. See the module comment for the rules. */
export interface ChannelAdapter {
  /** Always the literal `1` for this interface. */
  readonly adapterApiVersion: AdapterApiVersion;
  /** Which platform: channels with this `platform` use this adapter. */
  readonly platform: Platform;
  readonly capabilities: AdapterCapabilities;

  /** Answers the platform's webhook verification (GET). Compare tokens in constant time. */
  verifyHandshake(query: WebhookQuery, channel: ChannelConfig): HandshakeResult;

  /**
   * Whether `rawBody` carries a valid signature (e.g. `X-Hub-Signature-256`). Computed on
   * the raw bytes, compared in constant time; a missing or malformed header is `false`,
   * never an exception.
   */
  verifySignature(rawBody: Uint8Array, headers: WebhookHeaders, channel: ChannelConfig): boolean;

  /** Parses a (signature-checked) body into normalised events. Synchronous, no I/O. */
  parseWebhook(rawBody: Uint8Array, channel: ChannelConfig): ParsedWebhook;

  /** Sends one message. Throws `AdapterError` on failure. */
  send(message: OutboundMessage, context: SendContext): Promise<SendResult>;

  /** Marks an inbound message as read (blue ticks), where supported. */
  markAsRead?(platformMessageId: string, context: SendContext): Promise<void>;

  /** Checks the channel's credentials against the platform (sets the channel's status). */
  validateCredentials?(channel: ChannelConfig): Promise<CredentialCheck>;

  /** Subscribes the platform's webhooks for this channel (WhatsApp `subscribed_apps`, page subscriptions). */
  subscribe?(channel: ChannelConfig, options: SubscribeOptions): Promise<void>;

  /** Templates, where the platform has them (WhatsApp). */
  listTemplates?(channel: ChannelConfig): Promise<TemplateInfo[]>;
  createTemplate?(channel: ChannelConfig, template: NewTemplate): Promise<TemplateInfo>;
  deleteTemplate?(channel: ChannelConfig, template: { name: string; id?: string }): Promise<void>;
}

/** An adapter declares an interface version this core does not implement. */
export class UnsupportedAdapterVersionError extends Error {
  constructor(platform: string, version: unknown) {
    super(
      `Adapter "${platform}" implements adapter API version ${String(version)}; this @chatloom/core supports version ${adapterApiVersion}. Upgrade @chatloom/core or use an adapter built for version ${adapterApiVersion}.`,
    );
    this.name = 'UnsupportedAdapterVersionError';
  }
}

/** Checks an adapter before core uses it: its version and the required members. */
export function checkAdapter(adapter: ChannelAdapter): ChannelAdapter {
  const candidate = adapter as Partial<ChannelAdapter> & { adapterApiVersion?: unknown };
  const platform = typeof candidate.platform === 'string' ? candidate.platform : '?';
  if (candidate.adapterApiVersion !== adapterApiVersion) {
    throw new UnsupportedAdapterVersionError(platform, candidate.adapterApiVersion);
  }
  const required = ['verifyHandshake', 'verifySignature', 'parseWebhook', 'send'] as const;
  const missing = required.filter((name) => typeof candidate[name] !== 'function');
  if (platform === '?') missing.unshift('platform' as never);
  if (!candidate.capabilities) missing.push('capabilities' as never);
  if (missing.length > 0) {
    throw new TypeError(`Adapter "${platform}" lacks required members: ${missing.join(', ')}`);
  }
  return adapter;
}
