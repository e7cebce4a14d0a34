/**
 * `createChatloom`: the engine embedders call and the server wraps.
 *
 * Data flow: `handleWebhook` checks the signature, stores the raw body (group commit) and
 * answers; the inbound worker parses stored bodies and runs each batch as one unit of work
 * (dedupe, contact, conversation, window, flow, outbox, timers, snapshot); the dispatcher
 * sends the outbox; the scheduler fires due timers through the same unit of work.
 */
import {
  type ChannelMessage,
  compileFlow,
  type FlowDefinition,
  FlowValidationError,
  messagingWindow,
  type SystemMessages,
  validateSystemMessages,
  windowClosedMessage,
} from '@chatloom/flow-engine';
import {
  type ChannelAdapter,
  type CredentialCheck,
  checkAdapter,
  type NewTemplate,
  type ParsedWebhook,
  type SubscribeOptions,
  type TemplateInfo,
  type WebhookHeaders,
  type WebhookQuery,
} from './adapter.js';
import { CredentialsKeyError } from './crypto.js';
import { channelConfig, Dispatcher, type DispatcherOptions } from './dispatcher.js';
import { newId } from './ids.js';
import {
  type ChatloomEventName,
  type ChatloomEvents,
  type Clock,
  type Contact,
  type Conversation,
  consoleLogger,
  type Logger,
  type Message,
  NotFoundError,
  systemClock,
  type Tenant,
  toContact,
  toConversation,
  toMessage,
  toTenant,
  WindowClosedError,
} from './model.js';
import {
  applyInbound,
  applyTimers,
  type FlowSet,
  inboundUnit,
  type Notifications,
  type ParsedInbound,
  Work,
  type WorkContext,
} from './pipeline.js';
import type { ChannelStatus, ConversationTable } from './schema.js';
import type { ChannelRecord, Loaded, NewInboundEvent, StatusChange, Store } from './store.js';

export interface WebhookRequest {
  method: string;
  query?: WebhookQuery;
  headers: WebhookHeaders;
  /** The body exactly as received (signatures are checked on these bytes). */
  rawBody?: Uint8Array | string;
}

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ChatloomOptions {
  store: Store;
  adapters: ChannelAdapter[];
  clock?: Clock;
  logger?: Logger;
  /** Webhook intake: bodies stored in one transaction per group (default up to 256), size limit (3 MB). */
  ingest?: { maxBatch?: number; maxBodyBytes?: number };
  /**
   * Inbound processing: events per unit of work (default 128), poll interval for other
   * processes' events (default 250 ms), and how often an event is retried after a database
   * error before it is set aside as `failed` (default 10).
   */
  processing?: { batchSize?: number; pollIntervalMs?: number; maxAttempts?: number };
  timers?: { batchSize?: number; pollIntervalMs?: number };
  dispatcher?: DispatcherOptions & { pollIntervalMs?: number };
  /** How long channel and flow lookups are cached (default 5 s); local changes apply at once. */
  cacheTtlMs?: number;
}

export interface DrainResult {
  inbound: number;
  timers: number;
  sent: number;
}

type Listener<E extends ChatloomEventName> = (payload: ChatloomEvents[E]) => void;

export interface Chatloom {
  readonly store: Store;
  /** Handles a webhook request for a channel: GET handshake, POST events. Never throws. */
  handleWebhook(channelId: string, request: WebhookRequest): Promise<WebhookResponse>;
  /** Starts the workers (inbound processing, dispatcher, timers) on intervals and wake-ups. */
  start(): Promise<void>;
  /** Stops the workers, after the work in hand and the pending webhook writes finish. */
  stop(): Promise<void>;
  /** Runs every worker until nothing is due (tests, scripts, a queue-driven deployment). */
  drain(): Promise<DrainResult>;
  processInbound(): Promise<number>;
  fireTimers(): Promise<number>;
  dispatch(): Promise<number>;

  createTenant(input: { id?: string; name: string }): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | undefined>;
  /**
   * Sets the tenant's system messages (invalid, thank-you, session timeout), the defaults of
   * every flow of the tenant; `null` clears them. Throws `FlowValidationError` with every
   * diagnostic for invalid messages.
   */
  setSystemMessages(tenantId: string, messages: SystemMessages | null): Promise<Tenant>;
  /**
   * Cancels the channel's delayed messages no send was tried for yet (`sendMessage` with a
   * later `at`): they become `failed` with `reason`. Returns how many.
   */
  cancelScheduledMessages(channelId: string, reason?: string): Promise<number>;
  createChannel(input: {
    id?: string;
    tenantId: string;
    platform: string;
    name?: string;
    settings?: Record<string, unknown>;
    credentials: Record<string, string>;
  }): Promise<ChannelRecord>;
  updateChannel(
    id: string,
    patch: {
      name?: string;
      settings?: Record<string, unknown>;
      credentials?: Record<string, string>;
    },
  ): Promise<ChannelRecord>;
  getChannel(id: string): Promise<ChannelRecord | undefined>;
  /** Checks the channel's credentials with the platform; the channel becomes `good` or `invalid`. */
  validateChannel(id: string): Promise<CredentialCheck>;
  subscribeChannel(id: string, options?: SubscribeOptions): Promise<void>;
  /** Validates (throws `FlowValidationError`) and stores a flow version; `publish` makes it the live one. */
  saveFlow(
    tenantId: string,
    definition: FlowDefinition | unknown,
    options?: { publish?: boolean },
  ): Promise<void>;
  publishFlow(tenantId: string, flowId: string, version: number | null): Promise<void>;
  /** Deletes every version of a flow; its sessions end at their next message. Returns how many versions. */
  deleteFlow(tenantId: string, flowId: string): Promise<number>;

  listTemplates(channelId: string): Promise<TemplateInfo[]>;
  createTemplate(channelId: string, template: NewTemplate): Promise<TemplateInfo>;
  deleteTemplate(channelId: string, template: { name: string; id?: string }): Promise<void>;

  /** A person's free-form message. Throws `WindowClosedError` when the window is closed now. */
  sendMessage(
    conversationId: string,
    message: ChannelMessage,
    options?: { agentId?: string; at?: number },
  ): Promise<Message>;
  sendTemplate(
    conversationId: string,
    template: { name: string; language: string; parameters?: string[] },
    options?: { agentId?: string; at?: number },
  ): Promise<Message>;
  /** A person takes the conversation: the bot stops (its session ends). */
  takeControl(conversationId: string, agentId: string): Promise<Conversation>;
  /** Hands the conversation to another person, or back to the bot. */
  transfer(conversationId: string, to: { agentId: string } | { bot: true }): Promise<Conversation>;
  setChatbotEnabled(conversationId: string, enabled: boolean): Promise<Conversation>;
  star(messageId: string, starred?: boolean): Promise<Message>;

  getConversation(id: string): Promise<Conversation | undefined>;
  findConversation(
    channelId: string,
    contact: { userId?: string; phone?: string },
  ): Promise<Conversation | undefined>;
  listConversations(tenantId: string, limit?: number): Promise<Conversation[]>;
  getContact(id: string): Promise<Contact | undefined>;
  listMessages(conversationId: string): Promise<Message[]>;

  on<E extends ChatloomEventName>(event: E, listener: Listener<E>): () => void;
}

const text = (
  status: number,
  body: string,
  extra: Record<string, string> = {},
): WebhookResponse => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...extra },
  body,
});

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** An error from applying inbound events (core's pipeline or a flow), not from the database. */
class ApplyError extends Error {
  constructor(cause: unknown) {
    super(message(cause), { cause });
    this.name = 'ApplyError';
  }
}

/**
 * A value cached for a while, refreshed on demand. Misses (`undefined`) are not kept, so
 * requests for ids that do not exist cannot grow it; it holds at most `maxEntries`.
 */
export class Cache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly load: (key: string) => Promise<V>,
    private readonly maxEntries = 10_000,
  ) {}
  get size() {
    return this.entries.size;
  }
  async get(key: string): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > performance.now()) return hit.value;
    const value = await this.load(key);
    this.entries.delete(key);
    if (value === undefined) return value;
    if (this.entries.size >= this.maxEntries) {
      // Oldest first (insertion order): expired and least recently loaded entries go.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, until: performance.now() + this.ttlMs });
    return value;
  }
  forget(key: string) {
    this.entries.delete(key);
  }
}

/** Webhook bodies waiting for their group commit. */
class IngestQueue {
  private waiting: {
    event: NewInboundEvent;
    resolve: () => void;
    reject: (error: unknown) => void;
  }[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly maxBatch: number,
    private readonly onStored: () => void,
  ) {}

  push(event: NewInboundEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ event, resolve, reject });
      if (this.running) return; // the running flush picks it up
      if (this.waiting.length >= this.maxBatch) {
        void this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
    });
  }

  private async flush() {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          await this.store.appendInboundEvents(batch.map((w) => w.event));
          for (const w of batch) w.resolve();
          this.onStored();
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  async idle() {
    while (this.running || this.scheduled || this.waiting.length > 0)
      await new Promise((r) => setImmediate(r));
  }
}

/** A worker loop: runs `once` while it finds work, then sleeps until woken or the next poll. */
class Loop {
  private running = false;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly name: string,
    private readonly once: () => Promise<number>,
    private readonly delay: () => Promise<number>,
    private readonly logger: Logger,
  ) {}

  start() {
    if (this.running) return;
    this.running = true;
    this.done = this.run();
  }

  wake() {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop() {
    this.running = false;
    this.wakeUp?.();
    await this.done;
  }

  private async run() {
    while (this.running) {
      let handled = 0;
      try {
        this.woken = false;
        handled = await this.once();
      } catch (error) {
        this.logger.error(`chatloom: ${this.name} failed`, { error: message(error) });
      }
      if (!this.running) break;
      if (handled > 0 || this.woken) {
        await new Promise((resolve) => setImmediate(resolve)); // let requests in between batches
        continue;
      }
      let wait = 1000;
      try {
        wait = await this.delay();
      } catch (error) {
        this.logger.error(`chatloom: ${this.name} failed`, { error: message(error) });
      }
      if (!this.running || this.woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, wait));
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }
}

export function createChatloom(options: ChatloomOptions): Chatloom {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger('warn');
  const ttl = options.cacheTtlMs ?? 5000;
  const maxBodyBytes = options.ingest?.maxBodyBytes ?? 3 * 1024 * 1024;
  const inboundBatch = options.processing?.batchSize ?? 128;
  const inboundPoll = options.processing?.pollIntervalMs ?? 250;
  const timerBatch = options.timers?.batchSize ?? 128;
  const timerPoll = options.timers?.pollIntervalMs ?? 1000;
  const dispatchPoll = options.dispatcher?.pollIntervalMs ?? 1000;
  const inboundMaxAttempts = options.processing?.maxAttempts ?? 10;

  const adapters = new Map<string, ChannelAdapter>();
  for (const adapter of options.adapters) {
    checkAdapter(adapter);
    if (adapters.has(adapter.platform))
      throw new Error(`Two adapters for platform "${adapter.platform}"`);
    adapters.set(adapter.platform, adapter);
  }

  const listeners = new Map<ChatloomEventName, Set<(payload: never) => void>>();
  function emit<E extends ChatloomEventName>(event: E, payload: ChatloomEvents[E]) {
    for (const listener of listeners.get(event) ?? []) {
      try {
        (listener as Listener<E>)(payload);
      } catch (error) {
        logger.error(`chatloom: a "${event}" listener threw`, { error: message(error) });
      }
    }
  }

  const channels = new Cache<ChannelRecord | undefined>(ttl, (id) => store.getChannel(id));
  const flowSets = new Cache<FlowSet>(ttl, async (tenantId) => {
    const rows = await store.listFlows(tenantId, { published: true });
    const tenant = rows.length > 0 ? await store.getTenant(tenantId) : undefined;
    const systemMessages = tenant?.system_messages
      ? (JSON.parse(tenant.system_messages) as SystemMessages)
      : undefined;
    const definitions: FlowDefinition[] = [];
    const byId = new Map<string, ReturnType<typeof compileFlow>>();
    for (const row of rows) {
      try {
        const compiled = compileFlow(
          JSON.parse(row.definition),
          systemMessages ? { systemMessages } : {},
        );
        definitions.push(compiled.definition);
        byId.set(compiled.id, compiled);
      } catch (error) {
        logger.error('chatloom: a published flow does not compile', {
          tenantId,
          flowId: row.flow_id,
          error: message(error),
        });
      }
    }
    return { definitions, byId };
  });
  const noFlows: FlowSet = { definitions: [], byId: new Map() };
  /**
   * The unit of work reads flows synchronously: load the tenants' flows first and hold on
   * to them (a cache entry could expire while the transaction's queries are awaited).
   */
  async function workContext(now: number, tenantIds: Iterable<string>): Promise<WorkContext> {
    const sets = new Map<string, FlowSet>();
    for (const tenantId of tenantIds) sets.set(tenantId, await flowSets.get(tenantId));
    return { now, logger, flows: (tenantId) => sets.get(tenantId) ?? noFlows };
  }

  function requireAdapter(platform: string): ChannelAdapter {
    const adapter = adapters.get(platform);
    if (!adapter)
      throw new Error(
        `No adapter for platform "${platform}": pass one to createChatloom({ adapters })`,
      );
    return adapter;
  }

  // Workers ------------------------------------------------------------------------------

  const loops: Loop[] = [];
  const wake = {
    inbound: () => {},
    dispatch: () => {},
    timers: () => {},
  };

  function publish(notes: Notifications, statusChanges: StatusChange[]) {
    for (const { message: row, conversation } of notes.received) {
      emit('message.received', {
        message: toMessage(row),
        conversation: toConversation(conversation),
      });
    }
    for (const row of notes.created) emit('message.created', { message: toMessage(row) });
    for (const conversation of notes.conversations.values())
      emit('conversation.updated', { conversation: toConversation(conversation) });
    for (const change of statusChanges) emit('message.status', change);
    for (const template of notes.templates) emit('template.status', template);
    if (notes.outbox > 0) wake.dispatch();
    if (notes.timerDue !== null) wake.timers();
  }

  function parse(
    channelId: string,
    channel: ChannelRecord | undefined,
    rawBody: Uint8Array,
  ): ParsedWebhook {
    if (!channel) return { ok: false, error: `Channel "${channelId}" does not exist` };
    const adapter = adapters.get(channel.platform);
    if (!adapter) return { ok: false, error: `No adapter for platform "${channel.platform}"` };
    try {
      return adapter.parseWebhook(rawBody, channelConfig(channel));
    } catch (error) {
      logger.error('chatloom: parseWebhook threw (an adapter bug)', {
        platform: channel.platform,
        error: message(error),
      });
      return {
        ok: false,
        error: `The ${channel.platform} adapter could not parse the body: ${message(error)}`,
      };
    }
  }

  async function processBatch(batch: ParsedInbound[]): Promise<number> {
    const unit = inboundUnit(batch);
    const context = await workContext(
      clock.now(),
      new Set(batch.flatMap((b) => (b.channel ? [b.channel.tenantId] : []))),
    );
    const result = await store.transact(
      {
        inboundEventIds: batch.map((b) => b.id),
        contacts: unit.contacts,
        messageKeys: unit.messageKeys,
      },
      (loaded: Loaded) => {
        try {
          const work = applyInbound({ ...context, now: clock.now() }, batch, loaded);
          return { changes: work.changes, result: work.notes };
        } catch (error) {
          throw new ApplyError(error);
        }
      },
    );
    if (!result) return 0; // another process holds the inbound turn
    publish(result.result, result.statusChanges);
    return batch.length;
  }

  async function markFailed(id: number, error: string) {
    await store.transact({ inboundEventIds: [id] }, () => ({
      changes: { inboundResults: [{ id, state: 'failed', error, at: clock.now() }] },
      result: null,
    }));
  }

  /**
   * One event on its own. An error of the event itself (its parsing or applying it) sets it
   * aside as `failed`; a database error leaves it pending, counts the attempt, and stops the
   * round (`retry`): the next round tries again, and only after `inboundMaxAttempts` alone
   * does it fail for good (a row the database refuses every time must not block the rest).
   */
  async function processAlone(item: ParsedInbound): Promise<'done' | 'retry'> {
    try {
      await processBatch([item]);
      return 'done';
    } catch (error) {
      if (error instanceof ApplyError) {
        logger.error('chatloom: an inbound event failed', {
          eventId: item.id,
          error: message(error.cause),
        });
        await markFailed(item.id, message(error.cause));
        return 'done';
      }
      const attempts = await store.recordInboundAttempt(item.id).catch(() => undefined);
      logger.error('chatloom: processing an inbound event hit a database error; will retry', {
        eventId: item.id,
        attempts,
        error: message(error),
      });
      if (attempts !== undefined && attempts >= inboundMaxAttempts) {
        await markFailed(
          item.id,
          `Gave up after ${attempts} attempts, each failing on a database error: ${message(error)}`,
        ).catch(() => undefined);
        return 'done';
      }
      return 'retry';
    }
  }

  async function processInbound(): Promise<number> {
    const events = await store.pendingInboundEvents(inboundBatch);
    if (events.length === 0) return 0;
    const batch: ParsedInbound[] = [];
    for (const event of events) {
      let channel: ChannelRecord | undefined;
      let parsed: ParsedWebhook;
      try {
        channel = await channels.get(event.channel_id);
        parsed = parse(event.channel_id, channel, event.raw_body);
      } catch (error) {
        if (!(error instanceof CredentialsKeyError)) throw error; // the database: next round
        // This channel's events only: they fail with the reason, other tenants go on.
        channel = undefined;
        parsed = { ok: false, error: error.message };
      }
      batch.push({ id: Number(event.id), channel, channelId: event.channel_id, parsed });
    }
    if (batch.length === 1) return (await processAlone(batch[0]!)) === 'done' ? 1 : 0;
    try {
      return await processBatch(batch);
    } catch (error) {
      logger.warn('chatloom: an inbound batch failed; processing its events one by one', {
        error: message(error instanceof ApplyError ? error.cause : error),
      });
    }
    // Find the culprit: one event per unit of work, in order.
    let done = 0;
    for (const item of batch) {
      if ((await processAlone(item)) === 'retry') break;
      done++;
    }
    return done;
  }

  async function fireTimers(): Promise<number> {
    const now = clock.now();
    const due = await store.dueTimers(now, timerBatch);
    if (due.length === 0) return 0;
    const context = await workContext(now, new Set(due.map((t) => t.tenant_id)));
    const result = await store.transact(
      { timerIds: due.map((t) => t.id), now, lock: 'skip' },
      (loaded) => {
        const work = applyTimers(context, loaded);
        return { changes: work.changes, result: work.notes };
      },
    );
    if (!result) return 0;
    publish(result.result, result.statusChanges);
    return result.result.firedTimers + result.result.staleTimers;
  }

  const dispatcher = new Dispatcher(
    {
      store,
      clock,
      logger,
      adapterFor: (platform) => adapters.get(platform),
      channel: (id) => channels.get(id),
      onStatus: (changes) => {
        for (const change of changes) emit('message.status', change);
      },
      claimPace: Math.min(
        ...options.adapters.map((adapter) =>
          adapter.capabilities.messagesPerSecond > 0
            ? adapter.capabilities.messagesPerSecond
            : Number.POSITIVE_INFINITY,
        ),
      ),
    },
    options.dispatcher,
  );
  const dispatch = () => dispatcher.runOnce();

  const ingest = new IngestQueue(store, options.ingest?.maxBatch ?? 256, () => wake.inbound());

  /**
   * How long a worker sleeps after a round that found nothing to do: until the next row is
   * due, at most `poll`. Something already due that the round could not take (claimed or
   * locked by another process) waits the whole `poll`: no busy loop.
   */
  const untilNext = async (next: number | null, poll: number) => {
    if (next === null) return poll;
    const wait = next - clock.now();
    return wait <= 0 ? poll : Math.min(poll, wait);
  };

  /** start() and stop() run one after the other, in call order. */
  let lifecycleChain: Promise<void> = Promise.resolve();
  function lifecycle(step: () => Promise<void>): Promise<void> {
    const next = lifecycleChain.then(step, step);
    lifecycleChain = next.catch(() => undefined);
    return next;
  }

  // Conversation actions -----------------------------------------------------------------

  async function onConversation<T>(
    conversationId: string,
    act: (work: Work, conversation: ConversationTable) => T,
    extra: { messageIds?: string[] } = {},
  ): Promise<T> {
    // Agent actions never advance a flow.
    const context: WorkContext = { now: clock.now(), logger, flows: () => noFlows };
    const result = await store.transact(
      { conversationIds: [conversationId], ...extra },
      (loaded) => {
        const work = new Work(context, loaded);
        const conversation = work.conversations.get(conversationId);
        if (!conversation)
          throw new NotFoundError(`Conversation "${conversationId}" does not exist`);
        const value = act(work, conversation);
        work.finish();
        return { changes: work.changes, result: { value, notes: work.notes } };
      },
    );
    if (!result) throw new Error('unreachable: conversation units never yield');
    publish(result.result.notes, result.statusChanges);
    return result.result.value;
  }

  async function windowFor(conversationId: string) {
    const row = await store.getConversation(conversationId);
    if (!row) throw new NotFoundError(`Conversation "${conversationId}" does not exist`);
    const channel = await channels.get(row.channel_id);
    if (!channel) throw new NotFoundError(`Channel "${row.channel_id}" does not exist`);
    return { row, adapter: requireAdapter(channel.platform) };
  }

  async function queueAgentMessage(
    conversationId: string,
    outbound: ChannelMessage,
    options: { agentId?: string; at?: number },
  ) {
    if (outbound.kind !== 'template') {
      const { row, adapter } = await windowFor(conversationId);
      const window = messagingWindow(
        adapter.capabilities.window,
        row.last_inbound_at === null ? null : Number(row.last_inbound_at),
        clock.now(),
        'agent',
      );
      if (!window.open) throw new WindowClosedError(windowClosedMessage);
    }
    return toMessage(
      await onConversation(conversationId, (work, conversation) =>
        work.queueSend(conversation, outbound, 'agent', options.agentId ?? null, options.at),
      ),
    );
  }

  async function channelOrThrow(id: string): Promise<ChannelRecord> {
    const channel = await store.getChannel(id);
    if (!channel) throw new NotFoundError(`Channel "${id}" does not exist`);
    return channel;
  }

  async function setChannelStatus(
    channel: ChannelRecord,
    patch: { status?: ChannelStatus; statusDetail?: string | null; subscribed?: boolean },
  ) {
    const next = { ...channel, ...patch, updatedAt: clock.now() };
    await store.saveChannel(next);
    channels.forget(channel.id);
    return next;
  }

  const instance: Chatloom = {
    store,

    async handleWebhook(channelId, request) {
      try {
        const method = request.method.toUpperCase();
        if (method !== 'GET' && method !== 'POST')
          return text(405, 'Method Not Allowed', { allow: 'GET, POST' });
        const channel = await channels.get(channelId);
        if (!channel) return text(404, `Unknown channel "${channelId}"`);
        const adapter = adapters.get(channel.platform);
        if (!adapter) return text(404, `No adapter for platform "${channel.platform}"`);
        const config = channelConfig(channel);
        if (method === 'GET') {
          const answer = adapter.verifyHandshake(request.query ?? {}, config);
          if (answer.ok) return text(200, answer.challenge);
          logger.warn('chatloom: webhook handshake refused', { channelId, reason: answer.reason });
          return text(403, 'Forbidden');
        }
        const raw = request.rawBody ?? new Uint8Array();
        const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
        if (body.byteLength > maxBodyBytes)
          return text(413, `Body larger than ${maxBodyBytes} bytes`);
        const headers: WebhookHeaders = {};
        for (const [name, value] of Object.entries(request.headers))
          headers[name.toLowerCase()] = value;
        let valid = false;
        try {
          valid = adapter.verifySignature(body, headers, config);
        } catch (error) {
          logger.error('chatloom: verifySignature threw (an adapter bug)', {
            platform: channel.platform,
            error: message(error),
          });
        }
        if (!valid) return text(401, 'Invalid signature');
        // Copy: the caller may reuse its buffer once we answer.
        await ingest.push({ channelId, rawBody: Buffer.from(body), receivedAt: clock.now() });
        return text(200, 'EVENT_RECEIVED');
      } catch (error) {
        // Not stored: a non-200 makes the platform deliver it again.
        logger.error('chatloom: webhook not stored', { channelId, error: message(error) });
        return text(503, 'Service Unavailable', { 'retry-after': '1' });
      }
    },

    start() {
      return lifecycle(async () => {
        if (loops.length > 0) return;
        // Claims a crashed run left (SQLite: one process) go back at once; never while a
        // dispatcher of this process is sending (its claims are live).
        if (store.singleProcess && !dispatcher.busy) await store.releaseOutboxClaims();
        const inbound = new Loop(
          'inbound processing',
          processInbound,
          async () => inboundPoll,
          logger,
        );
        const timers = new Loop(
          'timers',
          fireTimers,
          async () => untilNext(await store.nextTimerDue(), timerPoll),
          logger,
        );
        const sender = new Loop(
          'dispatcher',
          dispatch,
          async () => untilNext(await store.nextOutboxAttempt(clock.now()), dispatchPoll),
          logger,
        );
        wake.inbound = () => inbound.wake();
        wake.timers = () => timers.wake();
        wake.dispatch = () => sender.wake();
        loops.push(inbound, timers, sender);
        for (const loop of loops) loop.start();
      });
    },

    stop() {
      return lifecycle(async () => {
        await ingest.idle();
        const running = loops.splice(0);
        wake.inbound = wake.timers = wake.dispatch = () => {};
        await Promise.all(running.map((loop) => loop.stop()));
      });
    },

    async drain() {
      const total: DrainResult = { inbound: 0, timers: 0, sent: 0 };
      await ingest.idle();
      for (;;) {
        const inbound = await processInbound();
        const timers = await fireTimers();
        const sent = await dispatch();
        total.inbound += inbound;
        total.timers += timers;
        total.sent += sent;
        if (inbound + timers + sent === 0) return total;
      }
    },
    processInbound,
    fireTimers,
    dispatch,

    async createTenant(input) {
      const row = { id: input.id ?? newId(), name: input.name, created_at: clock.now() };
      await store.insertTenant(row);
      return toTenant(row);
    },

    async getTenant(id) {
      const row = await store.getTenant(id);
      return row && toTenant(row);
    },

    async setSystemMessages(tenantId, messages) {
      if (messages !== null) {
        const result = validateSystemMessages(messages);
        if (!result.valid) throw new FlowValidationError('system messages', result.diagnostics);
      }
      const found = await store.setTenantSystemMessages(
        tenantId,
        messages === null ? null : JSON.stringify(messages),
      );
      if (!found) throw new NotFoundError(`Tenant "${tenantId}" does not exist`);
      flowSets.forget(tenantId);
      const row = await store.getTenant(tenantId);
      return toTenant(row!);
    },

    async cancelScheduledMessages(channelId, reason = 'Scheduled message deleted') {
      const changes = await store.cancelScheduled(channelId, clock.now(), reason);
      for (const change of changes) emit('message.status', change);
      return changes.length;
    },

    async createChannel(input) {
      requireAdapter(input.platform);
      if (!(await store.getTenant(input.tenantId)))
        throw new NotFoundError(`Tenant "${input.tenantId}" does not exist`);
      const now = clock.now();
      const channel: ChannelRecord = {
        id: input.id ?? newId(),
        tenantId: input.tenantId,
        platform: input.platform,
        name: input.name ?? input.platform,
        settings: input.settings ?? {},
        credentials: input.credentials,
        status: 'pending',
        statusDetail: null,
        subscribed: false,
        createdAt: now,
        updatedAt: now,
      };
      await store.saveChannel(channel);
      channels.forget(channel.id);
      return channel;
    },

    async updateChannel(id, patch) {
      const channel = await channelOrThrow(id);
      const next: ChannelRecord = {
        ...channel,
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.settings !== undefined && { settings: patch.settings }),
        // New credentials have not been checked yet.
        ...(patch.credentials !== undefined && {
          credentials: patch.credentials,
          status: 'pending',
          statusDetail: null,
        }),
        updatedAt: clock.now(),
      };
      await store.saveChannel(next);
      channels.forget(id);
      return next;
    },

    getChannel: (id) => store.getChannel(id),

    async validateChannel(id) {
      const channel = await channelOrThrow(id);
      const adapter = requireAdapter(channel.platform);
      if (!adapter.validateCredentials) return { ok: true, details: { checked: false } };
      let check: CredentialCheck;
      try {
        check = await adapter.validateCredentials(channelConfig(channel));
      } catch (error) {
        check = { ok: false, reason: message(error) };
      }
      await setChannelStatus(
        channel,
        check.ok
          ? { status: 'good', statusDetail: null }
          : { status: 'invalid', statusDetail: check.reason },
      );
      return check;
    },

    async subscribeChannel(id, subscribeOptions = {}) {
      const channel = await channelOrThrow(id);
      const adapter = requireAdapter(channel.platform);
      if (!adapter.subscribe)
        throw new Error(`The ${channel.platform} adapter does not subscribe webhooks`);
      await adapter.subscribe(channelConfig(channel), subscribeOptions);
      await setChannelStatus(channel, { subscribed: true });
    },

    async saveFlow(tenantId, definition, saveOptions = {}) {
      const compiled = compileFlow(definition);
      const now = clock.now();
      await store.saveFlow({
        tenant_id: tenantId,
        flow_id: compiled.id,
        version: compiled.version,
        definition: JSON.stringify(compiled.definition),
        published: 0,
        created_at: now,
        updated_at: now,
      });
      if (saveOptions.publish)
        await store.publishFlow(tenantId, compiled.id, compiled.version, now);
      flowSets.forget(tenantId);
    },

    async publishFlow(tenantId, flowId, version) {
      await store.publishFlow(tenantId, flowId, version, clock.now());
      flowSets.forget(tenantId);
    },

    async deleteFlow(tenantId, flowId) {
      const deleted = await store.deleteFlow(tenantId, flowId);
      flowSets.forget(tenantId);
      return deleted;
    },

    async listTemplates(channelId) {
      const channel = await channelOrThrow(channelId);
      const adapter = requireAdapter(channel.platform);
      if (!adapter.listTemplates)
        throw new Error(`The ${channel.platform} adapter has no templates`);
      return adapter.listTemplates(channelConfig(channel));
    },
    async createTemplate(channelId, template) {
      const channel = await channelOrThrow(channelId);
      const adapter = requireAdapter(channel.platform);
      if (!adapter.createTemplate)
        throw new Error(`The ${channel.platform} adapter has no templates`);
      return adapter.createTemplate(channelConfig(channel), template);
    },
    async deleteTemplate(channelId, template) {
      const channel = await channelOrThrow(channelId);
      const adapter = requireAdapter(channel.platform);
      if (!adapter.deleteTemplate)
        throw new Error(`The ${channel.platform} adapter has no templates`);
      await adapter.deleteTemplate(channelConfig(channel), template);
    },

    sendMessage: (conversationId, outbound, sendOptions = {}) =>
      queueAgentMessage(conversationId, outbound, sendOptions),
    sendTemplate: (conversationId, template, sendOptions = {}) =>
      queueAgentMessage(
        conversationId,
        {
          kind: 'template',
          name: template.name,
          language: template.language,
          parameters: template.parameters ?? [],
        },
        sendOptions,
      ),

    async takeControl(conversationId, agentId) {
      return toConversation(
        await onConversation(conversationId, (work, conversation) => {
          work.endSession(conversation.id);
          return work.update(conversation, { status: 'agent', organizer_id: agentId });
        }),
      );
    },

    async transfer(conversationId, to) {
      return toConversation(
        await onConversation(conversationId, (work, conversation) =>
          'agentId' in to
            ? work.update(conversation, { status: 'agent', organizer_id: to.agentId })
            : work.update(conversation, { status: 'bot', organizer_id: null }),
        ),
      );
    },

    async setChatbotEnabled(conversationId, enabled) {
      return toConversation(
        await onConversation(conversationId, (work, conversation) => {
          if (!enabled) work.endSession(conversation.id);
          return work.update(conversation, { chatbot_enabled: enabled ? 1 : 0 });
        }),
      );
    },

    async star(messageId, starred = true) {
      const row = await store.getMessage(messageId);
      if (!row) throw new NotFoundError(`Message "${messageId}" does not exist`);
      const now = clock.now();
      await store.transact({ messageIds: [messageId] }, () => ({
        changes: { starred: [{ id: messageId, starred: starred ? 1 : 0, at: now }] },
        result: null,
      }));
      return toMessage({ ...row, starred: starred ? 1 : 0, updated_at: now });
    },

    async getConversation(id) {
      const row = await store.getConversation(id);
      return row && toConversation(row);
    },
    async findConversation(channelId, contact) {
      const row = await store.findConversation(channelId, contact);
      return row && toConversation(row);
    },
    async listConversations(tenantId, limit) {
      return (await store.listConversations(tenantId, limit)).map(toConversation);
    },
    async getContact(id) {
      const row = await store.getContact(id);
      return row && toContact(row);
    },
    async listMessages(conversationId) {
      return (await store.listMessages(conversationId)).map(toMessage);
    },

    on(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const entry = listener as (payload: never) => void;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
  };
  return instance;
}
