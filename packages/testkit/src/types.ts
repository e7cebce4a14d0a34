/** Public types of the fake Graph API. */

/** The three Meta channels the fake serves. */
export type Channel = 'whatsapp' | 'messenger' | 'instagram';

/** A WhatsApp business phone number served by the fake. */
export interface WhatsAppPhoneNumberConfig {
  id: string;
  displayPhoneNumber: string;
  wabaId: string;
  verifiedName: string;
  /** `GREEN` unless set. */
  qualityRating?: 'GREEN' | 'YELLOW' | 'RED' | 'NA';
  /** Callback URL for this number's webhooks (Meta's phone-number-level override). */
  webhookUrl?: string;
}

/** A message template to have in a WABA from the start. */
export interface TemplateSeed {
  name: string;
  /** `en_US` unless set. */
  language?: string;
  /** `UTILITY` unless set. */
  category?: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  /** `APPROVED` unless set. */
  status?: TemplateStatus;
  /** Components as in Meta's create call; a body of `Hello {{1}}` unless set. */
  components?: unknown[];
  /** The WABA; the first phone number's unless set. */
  wabaId?: string;
}

/** Template statuses Meta reports. */
export type TemplateStatus =
  | 'APPROVED'
  | 'PENDING'
  | 'REJECTED'
  | 'PAUSED'
  | 'DISABLED'
  | 'IN_APPEAL'
  | 'PENDING_DELETION'
  | 'DELETED'
  | 'ARCHIVED'
  | 'LIMIT_EXCEEDED';

/** Automatic status webhooks for accepted WhatsApp messages. */
export interface AutoStatusOptions {
  /** Send `delivered` after `sent` (default true). */
  delivered?: boolean;
  /** Send `read` after `delivered` (default false). */
  read?: boolean;
  /** Delay before each status webhook, in real milliseconds (default 0). */
  delayMs?: number;
}

/** WhatsApp options of the fake. */
export interface WhatsAppOptions {
  /** Business phone numbers; one number (the fixtures' IDs) unless set. */
  phoneNumbers?: WhatsAppPhoneNumberConfig[];
  /** Templates present from the start; `hello_world` (APPROVED) unless set. */
  templates?: TemplateSeed[];
  /** Newly created templates start APPROVED (a webhook follows) instead of PENDING. */
  autoApproveTemplates?: boolean;
  /**
   * How a free-form message outside the 24-hour window fails: `sync` (default) answers HTTP 400
   * with 131047; `async` accepts it and then sends a `failed` status webhook with 131047, which
   * is what Meta's Cloud API usually does.
   */
  windowErrors?: 'sync' | 'async';
  /** Check the 24-hour window at all (default true). Benchmarks may turn it off. */
  enforceWindow?: boolean;
  /** Send status webhooks for every accepted message (default off). */
  autoStatuses?: boolean | AutoStatusOptions;
}

/** A Facebook Page served by the fake. */
export interface MessengerPageConfig {
  id: string;
  name: string;
  /** A Page access token; the fake's `accessToken` is accepted too. */
  accessToken?: string;
  webhookUrl?: string;
}

/** Messenger options of the fake. */
export interface MessengerOptions {
  pages?: MessengerPageConfig[];
  /** Send API calls per second per Page before code 613 (default 300). */
  callsPerSecond?: number;
}

/** An Instagram professional account served by the fake. */
export interface InstagramAccountConfig {
  id: string;
  username: string;
  /** The linked Facebook Page (setup B, `/me/messages` with a Page token); the first Page unless set. */
  pageId?: string;
  /** An Instagram user access token (setup A); the fake's `accessToken` is accepted too. */
  accessToken?: string;
  webhookUrl?: string;
}

/** Instagram options of the fake. */
export interface InstagramOptions {
  accounts?: InstagramAccountConfig[];
  /** Key that signs Instagram webhooks; the app secret unless set (setup A may use its own). */
  appSecret?: string;
  /** Send API calls per second per account before code 613 (default 100). */
  callsPerSecond?: number;
  /** Text limit in UTF-8 bytes (default 1000; Meta's figure is unverified). */
  maxTextBytes?: number;
}

/** Options of {@link createFakeGraphApi}. */
export interface FakeGraphApiOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Host to listen on (default `127.0.0.1`). */
  host?: string;
  /** App secret that signs webhooks (`X-Hub-Signature-256`). */
  appSecret: string;
  /** The access token every endpoint accepts (system-user / business token). */
  accessToken: string;
  /** Graph API version used in generated URLs and webhooks (default `v23.0`); requests may use any `vNN.N`. */
  apiVersion?: string;
  /** The Meta app's ID (default `1000000000000001`). */
  appId?: string;
  /** Messages per second per WhatsApp phone number before 130429 (default 80; 0 or Infinity: no limit). */
  messagesPerSecond?: number;
  /** The fake's clock in milliseconds (default `Date.now`). Windows, rate limits and timestamps use it. */
  now?: () => number;
  /** Default callback URL for every channel's webhooks. */
  webhookUrl?: string;
  /** Timeout of one webhook delivery in real milliseconds (default 10000). */
  webhookTimeoutMs?: number;
  /** How many requests and sent messages to keep in memory (default 10000, oldest dropped). */
  maxRecorded?: number;
  whatsapp?: WhatsAppOptions;
  messenger?: MessengerOptions;
  instagram?: InstagramOptions;
}

/** One request the fake received, accepted or rejected. */
export interface RecordedRequest {
  /** Sequence number, from 1. */
  seq: number;
  method: string;
  /** Path without the query string, version included (`/v23.0/123/messages`). */
  path: string;
  /** Graph API version of the path, if it had one. */
  version: string | undefined;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed body: JSON, form fields, or `{ fields, files }` for multipart. */
  body: unknown;
  /** HTTP status answered; 0 when the connection was dropped or left hanging. */
  status: number;
  /** Body answered (parsed JSON, or a description for binary downloads). */
  response: unknown;
  /** The fake accepted it (2xx), also when an injected fault then lost the answer. */
  accepted: boolean;
  /** The Graph error code when rejected. */
  errorCode?: number;
  /** The channel the request belonged to, when known. */
  channel?: Channel;
  /** The request met an injected fault. */
  injected?: boolean;
  /** Things Meta would silently change (truncated quick-reply titles …). */
  warnings?: string[];
  /** Fake-clock time of arrival (ms). */
  at: number;
}

/** An outbound message the fake accepted. */
export interface SentMessage {
  channel: Channel;
  /** wamid / mid. */
  id: string;
  /** Recipient as sent (phone number, BSUID, PSID or IGSID). */
  to: string;
  /** Sender: phone number ID, Page ID or Instagram account ID. */
  from: string;
  /** WhatsApp `type` (`text`, `template`, …); Messenger/Instagram: `text`, `attachment`, `sender_action`. */
  type: string;
  /** The request body. */
  body: unknown;
  /** Fake-clock time (ms). */
  at: number;
}

/** Filter of {@link FakeGraphApi.sent}. */
export interface SentFilter {
  channel?: Channel;
  to?: string;
  from?: string;
  type?: string;
}

/** Where a webhook URL applies: a channel, or one phone number / Page / Instagram account. */
export interface WebhookTarget {
  channel?: Channel;
  /** Phone number ID, WABA ID, Page ID or Instagram account ID. */
  id?: string;
}

/** Result of one webhook POST. */
export interface WebhookDelivery {
  /** A callback URL was configured and answered (any status). */
  delivered: boolean;
  url: string | undefined;
  /** HTTP status of the callback; 0 when not delivered. */
  status: number;
  /** Body the callback answered. */
  responseBody: string;
  /** The payload object. */
  payload: unknown;
  /** The exact bytes sent (Meta's escaping), as a string. */
  rawBody: string;
  /** `sha256=<hex>` sent in `X-Hub-Signature-256`. */
  signature: string;
  /** Why it was not delivered (no URL, app not subscribed, network error). */
  error?: string;
}

/** Result of a simulated user message: the webhook delivery plus the new message's ID. */
export interface UserMessageDelivery extends WebhookDelivery {
  messageId: string;
}

/** Fault to inject into matching requests. */
export interface FaultSpec {
  /** Delay before answering (real milliseconds). Alone, the request is then handled normally. */
  latencyMs?: number;
  /** Answer this 5xx status with Meta's transient error body (`true` means 500). */
  status5xx?: number | true;
  /** Never answer; the socket stays open until the client gives up or the fake closes. */
  timeout?: boolean;
  /** Destroy the connection without an answer. */
  dropConnection?: boolean;
  /**
   * With `timeout` or `dropConnection`: handle the request first (a message is accepted and
   * recorded) and lose only the answer, the ambiguous case retries must survive.
   */
  afterHandling?: boolean;
  /** Answer a Meta error with this code (HTTP status 400 unless set). */
  error?: {
    code: number;
    status?: number;
    message?: string;
    subcode?: number;
    details?: string;
    isTransient?: boolean;
  };
  /** How many matching requests it applies to (default 1; Infinity for all). */
  times?: number;
  /** Which requests: a path substring, a regular expression on the path, or a predicate. */
  match?: string | RegExp | ((request: FaultRequest) => boolean);
}

/** What a fault predicate sees of a request. */
export interface FaultRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** Handle of an injected fault. */
export interface FaultHandle {
  /** Matching requests it has met so far. */
  readonly hits: number;
  /** Matching requests it will still meet. */
  readonly remaining: number;
  remove(): void;
}

/** Counters since the start or the last reset (not capped like the records). */
export interface FakeStats {
  requests: number;
  accepted: number;
  rejected: number;
  sent: Record<Channel, number>;
  webhooks: { delivered: number; failed: number };
}

/** WhatsApp status error for a `failed` status webhook. */
export interface WhatsAppStatusError {
  code: number;
  title?: string;
  message?: string;
  details?: string;
}

/** WhatsApp statuses a status webhook can carry. */
export type WhatsAppStatus = 'sent' | 'delivered' | 'read' | 'failed' | 'played';

/** Fields shared by every simulated WhatsApp user message. */
export interface WhatsAppUserCommon {
  /** The user's phone number (digits; `+` is dropped). Leave out for a username-only user. */
  from?: string;
  /** Business-scoped user ID (`US.…`), sent as `contacts[].user_id`. */
  userId?: string;
  /** Profile name (default `Test User`). */
  name?: string;
  /** Business phone number that receives it (default: the first). */
  phoneNumberId?: string;
  /** wamid to use (default: a new one). */
  id?: string;
  /** Quote/reply context; button and list replies default to the last interactive message sent to the user. */
  context?: { id: string; from?: string };
  /** Fake-clock time in ms (default now). */
  timestamp?: number;
}

/** The content of a simulated WhatsApp user message. */
export type WhatsAppUserContent =
  | { text: string }
  | { buttonReply: { id: string; title: string } }
  | { listReply: { id: string; title: string; description?: string } }
  /** Tap on a template's quick-reply button (`type: "button"`). */
  | { templateButton: { payload: string; text: string } }
  | {
      media: {
        kind: 'image' | 'video' | 'audio' | 'document' | 'sticker';
        mimeType?: string;
        /** Bytes served at the media URL (a few placeholder bytes unless set). */
        data?: Uint8Array | string;
        caption?: string;
        filename?: string;
        voice?: boolean;
      };
    }
  | {
      location: {
        latitude: number;
        longitude: number;
        name?: string;
        address?: string;
        url?: string;
      };
    }
  | { reaction: { messageId: string; emoji?: string } }
  | { contacts: unknown[] }
  /** Any message object (`type` plus its payload), for edge cases; `from`, `id`, `timestamp` are added. */
  | { message: Record<string, unknown> };

/** A simulated WhatsApp user message. */
export type WhatsAppUserMessage = WhatsAppUserCommon & WhatsAppUserContent;

/** Content of a simulated Messenger or Instagram user event. */
export type PageUserContent =
  | { text: string }
  | { quickReply: { payload: string; title: string } }
  | { postback: { payload: string; title: string } }
  | { attachments: Array<{ type: string; url: string }> };

/** A simulated Messenger user event. */
export type MessengerUserMessage = PageUserContent & {
  /** Page-scoped user ID. */
  psid: string;
  /** The Page (default: the first). */
  pageId?: string;
  mid?: string;
  /** Fake-clock time in ms (default now). */
  timestamp?: number;
};

/** A simulated Instagram user event. */
export type InstagramUserMessage = PageUserContent & {
  /** Instagram-scoped user ID. */
  igsid: string;
  /** The Instagram account (default: the first). */
  accountId?: string;
  mid?: string;
  timestamp?: number;
};

/** A media object held by the fake. */
export interface MediaRecord {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  sha256: string;
  data: Buffer;
  filename?: string;
}

/** A message template held by the fake. */
export interface TemplateRecord {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  status: TemplateStatus;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: unknown[];
  rejectedReason?: string;
}
