/**
 * What `runAdapterConformance` needs of a platform: a harness. It describes the platform's
 * webhooks (known when the tests are registered, so each gets its own test) and starts a
 * double of the platform's API that the adapter under test talks to and that reports back what
 * reached it. `metaHarness` is the harness of WhatsApp, Messenger and Instagram; a harness for
 * another platform implements these two interfaces (see the README).
 */
import type {
  ChannelConfig,
  ChannelEvent,
  ContactIdentity,
  ParsedWebhook,
  WebhookHeaders,
  WebhookQuery,
} from '@chatloom/core/adapter';

/** `T` with every property optional, recursively: what an expected event may leave out. */
export type Expected<T> = T extends readonly (infer U)[]
  ? readonly Expected<U>[]
  : T extends object
    ? { [K in keyof T]?: Expected<T[K]> }
    : T;

/** An event a webhook must parse to; extra properties of the adapter's event are allowed. */
export type ExpectedEvent = Expected<ChannelEvent>;

/** One webhook body the platform sends, and what it must parse to. */
export interface WebhookCase {
  /** Test id suffix: the test is `parse/webhook/<id>`. Lower-case words and dashes. */
  id: string;
  /** What it is, for the test title. */
  description: string;
  /** The exact bytes the platform sends (its own serialisation and escaping). */
  rawBody: Uint8Array;
  /** The events it parses to, in order, matched with `toMatchObject` (the adapter may add fields). */
  events?: readonly ExpectedEvent[];
  /** Further checks of the result, for bodies whose events are the adapter's choice. */
  check?: (result: ParsedWebhook) => void;
  /**
   * The body holds only the business's own messages coming back (echoes) or messages of a
   * thread another app owns (standby): none of its events may be a `contact` message.
   */
  notFromContact?: boolean;
  /**
   * The body uses the platform's escaping (`\uXXXX` for non-ASCII, `\/`), so re-serialising it
   * changes its bytes; the signature tests use the first such case.
   */
  escaped?: boolean;
}

/** Several webhook cases in one body: at every level the platform batches. */
export interface BatchCase {
  /** Test id suffix: `parse/batch/<id>`. */
  id: string;
  description: string;
  rawBody: Uint8Array;
  /** Ids of the `WebhookCase`s whose events together are this body's events (any order). */
  parts: readonly string[];
}

/** A body holding good events and items the adapter cannot read. */
export interface BrokenBatchCase {
  description: string;
  rawBody: Uint8Array;
  /** Ids of the `WebhookCase`s whose events must all still come out. */
  parts: readonly string[];
}

/** A body that is not a webhook of the platform at all: it must parse to `{ ok: false }`. */
export interface MalformedBodyCase {
  /** Test id suffix: `parse/malformed/<id>`. */
  id: string;
  description: string;
  rawBody: Uint8Array;
}

/** A signature header the adapter must refuse (built from the right headers of a body). */
export interface MalformedSignatureCase {
  /** Test id suffix: `signature/<id>`. */
  id: string;
  description: string;
  headers: (rawBody: Uint8Array, rightHeaders: WebhookHeaders) => WebhookHeaders;
}

/** A handshake query the adapter must refuse. */
export interface RefusedHandshakeCase {
  /** Test id suffix: `handshake/<id>`. */
  id: string;
  description: string;
  query: WebhookQuery;
}

/** The failures a conformance run makes the platform double produce. */
export type ConformanceFault =
  /** The platform answers a 5xx. Expected: `retryable`. */
  | 'server-error'
  /** The platform never answers. Expected: `retryable` once the adapter's timeout passes. */
  | 'timeout'
  /** The connection is dropped without an answer. Expected: `retryable`. */
  | 'dropped-connection'
  /** The platform's rate limit. Expected: `rate-limited` with a `retryAfterMs`. */
  | 'rate-limited'
  /** The access token is refused. Expected: `permanent`. */
  | 'bad-token'
  /** The contact's messaging window is closed. Expected: `window-closed`. */
  | 'window-closed';

/** A choice of a message as it reached the platform. */
export interface DeliveredChoice {
  /** The platform's value that comes back when the contact taps it (reply id, payload). */
  id: string;
  title: string;
  description?: string;
}

/** A message as it reached the platform, in no platform's format. */
export interface DeliveredMessage {
  /** The platform's message id (what `send` must return for the message). */
  id: string;
  /**
   * The form it took: `buttons` (reply buttons, a button template), `list` (an interactive
   * list), `quick-replies`, `carousel` (elements with buttons), `media`, `template`, `text`
   * (lettered choices included) or `other`.
   */
  form: 'text' | 'media' | 'buttons' | 'list' | 'quick-replies' | 'carousel' | 'template' | 'other';
  /** The text, or the text above the choices. */
  text?: string;
  caption?: string;
  /** For `media`: core's media kind (`image`, `video`, `audio`, `document`, `sticker`). */
  media?: string;
  /** For `list`: the label of the button that opens it. */
  buttonLabel?: string;
  /** For `list` and `carousel`: the sections (elements) with their titles and choices. */
  sections?: { title?: string; choices: DeliveredChoice[] }[];
  /** Every choice, across sections. */
  choices: DeliveredChoice[];
  /** For `template`. */
  template?: { name: string; language: string };
  /** What the platform would change on its own (e.g. quick-reply titles it truncates). */
  warnings: string[];
  /** The request body as sent, for error messages. */
  body: unknown;
}

/** A request that reached the platform double. */
export interface PlatformRequest {
  method: string;
  path: string;
  /** The platform accepted it. */
  accepted: boolean;
  /** The platform's error, when it refused it. */
  error?: string;
}

/** A running double of the platform's API, started once per conformance run. */
export interface PlatformDouble {
  /** The base URL the adapter must call instead of the platform's. */
  readonly baseUrl: string;
  /** Someone the adapter can message: after `reset()` their messaging window is open. */
  readonly contact: ContactIdentity;
  /** A channel set up on the double, with the right credentials. */
  channel(overrides?: {
    settings?: Record<string, unknown>;
    credentials?: Record<string, string>;
  }): ChannelConfig;
  /** Before every test: forget requests and faults, reopen the contact's window. */
  reset(): void | Promise<void>;
  /** Requests since the last reset, oldest first. */
  requests(): readonly PlatformRequest[];
  /** Messages the platform accepted since the last reset, oldest first. */
  delivered(): readonly DeliveredMessage[];
  /** The webhook body the platform sends when the contact taps `choice` of `message`. */
  tapWebhook(message: DeliveredMessage, choice: DeliveredChoice): Uint8Array;
  /**
   * Makes the next send fail this way. Answers the channel to send with when the fault lives
   * in the channel (a bad token); otherwise the usual channel is used.
   */
  inject(fault: ConformanceFault): { channel?: ChannelConfig } | undefined;
  /** Makes a template sendable (platforms with templates): approved, with this many body parameters. */
  prepareTemplate?(template: { name: string; language: string; parameters: number }): void;
  /** Templates the platform has from the start (approved), for `listTemplates`. */
  readonly knownTemplates?: readonly { name: string; language: string }[];
  /** The id of a message the contact just sent (for `markAsRead`). */
  inboundMessageId?(): Promise<string>;
  close(): Promise<void>;
}

/** A platform, as the conformance suite sees it. */
export interface ConformanceHarness {
  /** The platform the double plays; must equal the adapter's `platform`. */
  readonly platform: string;
  /** Lower-case names of the headers that carry the webhook signature. */
  readonly signatureHeaders: readonly string[];
  /** Headers the platform sends with `rawBody`, signed with the channel's secret (or a wrong one). */
  sign(rawBody: Uint8Array, options?: { wrongSecret?: boolean }): WebhookHeaders;
  /** Signature headers that must be refused (Meta: `sha1=` only, wrong length, non-hex …). */
  readonly malformedSignatures: readonly MalformedSignatureCase[];
  /** The verification handshake; leave it out when the platform has none (and skip `handshake/*`). */
  readonly handshake?: {
    /** The query of a right handshake carrying `challenge`. */
    accepted(challenge: string): WebhookQuery;
    refused: readonly RefusedHandshakeCase[];
  };
  /** Every kind of webhook body the platform sends, with what it must parse to. */
  readonly webhooks: readonly WebhookCase[];
  readonly batches: readonly BatchCase[];
  readonly brokenBatch: BrokenBatchCase;
  readonly malformedBodies: readonly MalformedBodyCase[];
  /** Starts the double; the suite calls it once, before its tests, and closes it after them. */
  start(): Promise<PlatformDouble>;
}
