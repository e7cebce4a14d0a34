import { randomBytes } from 'node:crypto';
import type { StoredTemplate } from './templates.js';
import type {
  Channel,
  FakeGraphApiOptions,
  FakeStats,
  MediaRecord,
  RecordedRequest,
  SentMessage,
  WebhookDelivery,
} from './types.js';
import { postWebhook } from './webhooks.js';

/** Sliding one-second window over the last `limit` calls, in O(1) per call. */
export class RateLimiter {
  private readonly stamps: Float64Array | undefined;
  private next = 0;

  constructor(limit: number) {
    this.stamps =
      Number.isFinite(limit) && limit > 0
        ? new Float64Array(Math.floor(limit)).fill(Number.NEGATIVE_INFINITY)
        : undefined;
  }

  /** Takes a slot at `now` (ms), or returns false when `limit` calls fell in the last second. */
  tryAcquire(now: number): boolean {
    const stamps = this.stamps;
    if (stamps === undefined) return true;
    if (now - (stamps[this.next] ?? Number.NEGATIVE_INFINITY) < 1000) return false;
    stamps[this.next] = now;
    this.next = (this.next + 1) % stamps.length;
    return true;
  }
}

export interface PhoneNumber {
  id: string;
  displayPhoneNumber: string;
  wabaId: string;
  verifiedName: string;
  qualityRating: 'GREEN' | 'YELLOW' | 'RED' | 'NA';
  limiter: RateLimiter;
}

export interface Waba {
  id: string;
  subscribed: boolean;
  overrideCallbackUri: string | undefined;
}

export interface Page {
  id: string;
  name: string;
  accessToken: string | undefined;
  /** undefined: the app is not subscribed to the Page. */
  subscribedFields: string[] | undefined;
  limiter: RateLimiter;
}

export interface InstagramAccount {
  id: string;
  username: string;
  pageId: string | undefined;
  accessToken: string | undefined;
  subscribedFields: string[] | undefined;
  limiter: RateLimiter;
}

/** What the fake remembers of an accepted WhatsApp message, for status webhooks. */
export interface OutboundWhatsApp {
  phoneNumberId: string;
  recipient: string;
  waId: string | undefined;
  bizOpaqueCallbackData: string | undefined;
  /** Template category (lowercase) for pricing; undefined for free-form. */
  templateCategory: string | undefined;
}

/** Who a token belongs to. */
export type Principal =
  | { kind: 'system' }
  | { kind: 'page'; pageId: string }
  | { kind: 'instagram'; accountId: string };

const defaultPageFields = [
  'messages',
  'messaging_postbacks',
  'message_deliveries',
  'message_reads',
  'message_echoes',
  'message_reactions',
  'messaging_seen',
];

/** All mutable state of one fake, plus the helpers the handlers share. */
export class FakeState {
  readonly appSecret: string;
  readonly accessToken: string;
  readonly apiVersion: string;
  readonly appId: string;
  readonly instagramSecret: string;
  readonly webhookTimeoutMs: number;
  readonly maxRecorded: number;
  readonly enforceWindow: boolean;
  readonly windowErrors: 'sync' | 'async';
  readonly autoApproveTemplates: boolean;
  readonly autoStatuses: { delivered: boolean; read: boolean; delayMs: number } | undefined;
  readonly instagramMaxTextBytes: number;
  baseUrl = '';

  private readonly clock: () => number;
  private clockOffset = 0;
  private readonly nonce = randomBytes(4).toString('hex');
  private sequence = 0;

  phoneNumbers = new Map<string, PhoneNumber>();
  wabas = new Map<string, Waba>();
  pages = new Map<string, Page>();
  instagramAccounts = new Map<string, InstagramAccount>();
  /** `${channel}|${owner}|${user}` → fake-clock ms of the user's last message. */
  windows = new Map<string, number>();
  outbound = new Map<string, OutboundWhatsApp>();
  /** Inbound wamid → phone number ID and arrival, for mark-as-read. */
  inbound = new Map<string, { phoneNumberId: string; at: number }>();
  /** `${phoneNumberId}|${user}` → last wamid sent to the user, the default context of replies. */
  lastOutbound = new Map<string, string>();
  templates: StoredTemplate[] = [];
  media = new Map<string, MediaRecord>();
  requests: RecordedRequest[] = [];
  sentMessages: SentMessage[] = [];
  stats: FakeStats = emptyStats();
  /** Webhook URLs by phone number / WABA / Page / account ID; kept across reset(). */
  webhookUrlsById = new Map<string, string>();
  webhookUrlsByChannel = new Map<Channel, string>();
  defaultWebhookUrl: string | undefined;
  pending = new Set<Promise<unknown>>();
  timers = new Set<NodeJS.Timeout>();

  constructor(readonly options: FakeGraphApiOptions) {
    this.appSecret = options.appSecret;
    this.accessToken = options.accessToken;
    this.apiVersion = options.apiVersion ?? 'v23.0';
    this.appId = options.appId ?? '1000000000000001';
    this.instagramSecret = options.instagram?.appSecret ?? options.appSecret;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 10_000;
    this.maxRecorded = options.maxRecorded ?? 10_000;
    this.clock = options.now ?? Date.now;
    const whatsapp = options.whatsapp ?? {};
    this.enforceWindow = whatsapp.enforceWindow ?? true;
    this.windowErrors = whatsapp.windowErrors ?? 'sync';
    this.autoApproveTemplates = whatsapp.autoApproveTemplates ?? false;
    const auto = whatsapp.autoStatuses;
    this.autoStatuses =
      auto === undefined || auto === false
        ? undefined
        : {
            delivered: auto === true ? true : (auto.delivered ?? true),
            read: auto === true ? false : (auto.read ?? false),
            delayMs: auto === true ? 0 : (auto.delayMs ?? 0),
          };
    this.instagramMaxTextBytes = options.instagram?.maxTextBytes ?? 1000;
    this.defaultWebhookUrl = options.webhookUrl;
    for (const p of whatsapp.phoneNumbers ?? []) {
      if (p.webhookUrl !== undefined) this.webhookUrlsById.set(p.id, p.webhookUrl);
    }
    for (const p of options.messenger?.pages ?? []) {
      if (p.webhookUrl !== undefined) this.webhookUrlsById.set(p.id, p.webhookUrl);
    }
    for (const a of options.instagram?.accounts ?? []) {
      if (a.webhookUrl !== undefined) this.webhookUrlsById.set(a.id, a.webhookUrl);
    }
    this.resetEntities();
  }

  /** Phone numbers, Pages and accounts as configured; everything they accumulated dropped. */
  resetEntities(): void {
    const o = this.options;
    const mps = o.messagesPerSecond ?? 80;
    this.phoneNumbers.clear();
    this.wabas.clear();
    const numbers = o.whatsapp?.phoneNumbers ?? [
      {
        id: '200000000000002',
        displayPhoneNumber: '15550000000',
        wabaId: '100000000000001',
        verifiedName: 'Chatloom Test',
      },
    ];
    for (const p of numbers) {
      this.phoneNumbers.set(p.id, {
        id: p.id,
        displayPhoneNumber: p.displayPhoneNumber,
        wabaId: p.wabaId,
        verifiedName: p.verifiedName,
        qualityRating: p.qualityRating ?? 'GREEN',
        limiter: new RateLimiter(mps),
      });
      if (!this.wabas.has(p.wabaId)) {
        this.wabas.set(p.wabaId, {
          id: p.wabaId,
          subscribed: true,
          overrideCallbackUri: undefined,
        });
      }
    }
    this.pages.clear();
    const pages = o.messenger?.pages ?? [{ id: '300000000000011', name: 'Chatloom Test Page' }];
    for (const p of pages) {
      this.pages.set(p.id, {
        id: p.id,
        name: p.name,
        accessToken: p.accessToken,
        subscribedFields: [...defaultPageFields],
        limiter: new RateLimiter(o.messenger?.callsPerSecond ?? 300),
      });
    }
    this.instagramAccounts.clear();
    const accounts = o.instagram?.accounts ?? [
      { id: '17840000000000021', username: 'chatloom_test' },
    ];
    for (const a of accounts) {
      this.instagramAccounts.set(a.id, {
        id: a.id,
        username: a.username,
        pageId: a.pageId ?? pages[0]?.id,
        accessToken: a.accessToken,
        subscribedFields: [...defaultPageFields],
        limiter: new RateLimiter(o.instagram?.callsPerSecond ?? 100),
      });
    }
    this.windows.clear();
    this.outbound.clear();
    this.inbound.clear();
    this.lastOutbound.clear();
    this.media.clear();
    this.requests = [];
    this.sentMessages = [];
    this.stats = emptyStats();
    this.clockOffset = 0;
  }

  now(): number {
    return this.clock() + this.clockOffset;
  }

  advanceTime(ms: number): void {
    this.clockOffset += ms;
  }

  /** A process-unique sequence number. */
  nextSeq(): number {
    return ++this.sequence;
  }

  /** A numeric Graph-style ID (15–16 digits). */
  numericId(): string {
    return String(1_000_000_000_000_000 + this.nextSeq() * 7919 + Math.floor(Math.random() * 7919));
  }

  wamid(recipient: string): string {
    return `wamid.${Buffer.from(`HBgL${recipient}FQIAERgS${this.nonce}${this.nextSeq().toString(16).toUpperCase()}`).toString('base64')}`;
  }

  mid(channel: 'messenger' | 'instagram', owner: string): string {
    const raw = `${channel === 'instagram' ? 'ig_item' : 'm'}:1:${owner}:${this.nonce}:${this.nextSeq()}`;
    return channel === 'instagram'
      ? Buffer.from(raw).toString('base64url')
      : `m_${Buffer.from(raw).toString('base64url')}`;
  }

  firstPhoneNumber(): PhoneNumber {
    const first = this.phoneNumbers.values().next().value;
    if (first === undefined)
      throw new Error('[chatloom/testkit] the fake has no WhatsApp phone number');
    return first;
  }

  phoneNumber(id: string | undefined): PhoneNumber {
    if (id === undefined) return this.firstPhoneNumber();
    const phone = this.phoneNumbers.get(id);
    if (phone === undefined)
      throw new Error(`[chatloom/testkit] unknown WhatsApp phone number ID "${id}"`);
    return phone;
  }

  page(id: string | undefined): Page {
    const page = id === undefined ? this.pages.values().next().value : this.pages.get(id);
    if (page === undefined)
      throw new Error(`[chatloom/testkit] unknown Messenger Page "${id ?? '(first)'}"`);
    return page;
  }

  instagramAccount(id: string | undefined): InstagramAccount {
    const account =
      id === undefined
        ? this.instagramAccounts.values().next().value
        : this.instagramAccounts.get(id);
    if (account === undefined) {
      throw new Error(`[chatloom/testkit] unknown Instagram account "${id ?? '(first)'}"`);
    }
    return account;
  }

  /** Resolves a token to its owner, or undefined for an unknown token. */
  principal(token: string): Principal | undefined {
    if (token === this.accessToken) return { kind: 'system' };
    for (const page of this.pages.values()) {
      if (page.accessToken === token) return { kind: 'page', pageId: page.id };
    }
    for (const account of this.instagramAccounts.values()) {
      if (account.accessToken === token) return { kind: 'instagram', accountId: account.id };
    }
    return undefined;
  }

  windowKey(channel: Channel, owner: string, user: string): string {
    return `${channel}|${owner}|${user}`;
  }

  openWindow(channel: Channel, owner: string, user: string, at: number): void {
    this.windows.set(this.windowKey(channel, owner, user), at);
  }

  lastInbound(channel: Channel, owner: string, user: string): number | undefined {
    return this.windows.get(this.windowKey(channel, owner, user));
  }

  /** Sets a key in a per-message map, forgetting the oldest beyond 10 × maxRecorded (long benchmarks). */
  remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.set(key, value);
    if (map.size > Math.max(100_000, this.maxRecorded * 10)) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  }

  recordRequest(request: RecordedRequest): void {
    this.stats.requests++;
    if (request.accepted) this.stats.accepted++;
    else this.stats.rejected++;
    pushCapped(this.requests, request, this.maxRecorded);
  }

  recordSent(message: SentMessage): void {
    this.stats.sent[message.channel]++;
    pushCapped(this.sentMessages, message, this.maxRecorded);
  }

  webhookUrlFor(channel: Channel, ids: Array<string | undefined>): string | undefined {
    for (const id of ids) {
      if (id === undefined) continue;
      const url = this.webhookUrlsById.get(id);
      if (url !== undefined) return url;
    }
    return this.webhookUrlsByChannel.get(channel) ?? this.defaultWebhookUrl;
  }

  /** Signs and POSTs a webhook, counting the outcome. */
  async deliver(
    url: string | undefined,
    payload: unknown,
    secret = this.appSecret,
  ): Promise<WebhookDelivery> {
    const delivery = await postWebhook(url, payload, secret, this.webhookTimeoutMs);
    if (delivery.delivered) this.stats.webhooks.delivered++;
    else if (url !== undefined) this.stats.webhooks.failed++;
    return delivery;
  }

  /** A delivery that is not attempted (app not subscribed …), shaped like a real one. */
  undelivered(url: string | undefined, payload: unknown, reason: string): WebhookDelivery {
    return {
      delivered: false,
      url,
      status: 0,
      responseBody: '',
      payload,
      rawBody: '',
      signature: '',
      error: reason,
    };
  }

  /** A delay whose timer close() clears. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Runs background work (automatic webhooks) that `idle()` waits for. */
  background(work: () => Promise<unknown>, delayMs = 0): void {
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        work().then(
          () => resolve(),
          () => resolve(),
        );
      }, delayMs);
      this.timers.add(timer);
    });
    this.pending.add(promise);
    void promise.then(() => this.pending.delete(promise));
  }
}

function pushCapped<T>(list: T[], item: T, max: number): void {
  list.push(item);
  // Drop in batches so the hot path does not shift a large array on every call.
  if (list.length > max + 1024) list.splice(0, list.length - max);
}

function emptyStats(): FakeStats {
  return {
    requests: 0,
    accepted: 0,
    rejected: 0,
    sent: { whatsapp: 0, messenger: 0, instagram: 0 },
    webhooks: { delivered: 0, failed: 0 },
  };
}
