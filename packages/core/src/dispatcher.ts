/**
 * The outbox dispatcher: claims due rows (the oldest of each conversation), checks the
 * messaging window at send time, paces each channel with a token bucket, sends through the
 * adapter, and records the outcome: the platform's id, a retry with backoff and jitter, or
 * a final failure. Delivery to the platform is at least once: a crash between the
 * platform's answer and the commit of the outcome sends that message again after restart.
 */
import { type ChannelMessage, messagingWindow, windowClosedMessage } from '@chatloom/flow-engine';
import {
  AdapterError,
  type ChannelAdapter,
  type ChannelConfig,
  type SendContext,
} from './adapter.js';
import { CredentialsKeyError } from './crypto.js';
import type { Clock, Logger } from './model.js';
import type { ChannelRecord, OutboxJob, OutboxOutcome, StatusChange, Store } from './store.js';

export interface DispatcherOptions {
  /** Rows claimed per round (default 64). */
  batchSize?: number;
  /**
   * Sends in flight at once (default 8). Also the most messages a crash can send twice: a
   * send the platform accepted but whose outcome was not yet committed goes out again.
   */
  concurrency?: number;
  /** How long a claim holds before another process may take the row (default 60 s). */
  leaseMs?: number;
  /** Attempts before a retryable failure becomes final (default 8). */
  maxAttempts?: number;
  /** First retry delay (default 1 s), doubled per attempt up to `maxBackoffMs` (default 5 min). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Overrides the adapters' `capabilities.messagesPerSecond` for every channel. */
  messagesPerSecond?: number;
  /** Random source for jitter, in [0, 1). */
  random?: () => number;
}

/** A token bucket on real (monotonic) time: pacing is about the platform's clock, not the test's. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly perSecond: number,
    private readonly burst = Math.max(1, perSecond),
  ) {
    this.tokens = this.burst;
  }

  private refill() {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }

  /** Resolves when a message may go out. */
  take(): Promise<void> | undefined {
    if (!Number.isFinite(this.perSecond)) return undefined;
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  private schedule() {
    if (this.timer) return;
    this.refill();
    const wait = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.perSecond) * 1000;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiters.shift()?.();
      }
      if (this.waiters.length > 0) this.schedule();
    }, Math.ceil(wait));
  }
}

export interface DispatchDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  adapterFor(platform: string): ChannelAdapter | undefined;
  channel(id: string): Promise<ChannelRecord | undefined>;
  onStatus(changes: StatusChange[]): void;
  /**
   * The pace claims are sized for (messages a second; default: the slowest adapter's): a
   * round claims no more than this pace sends within half the lease.
   */
  claimPace?: number;
}

export function channelConfig(channel: ChannelRecord): ChannelConfig {
  return {
    id: channel.id,
    tenantId: channel.tenantId,
    settings: channel.settings,
    credentials: channel.credentials,
  };
}

export class Dispatcher {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Channels the platform rate-limited, until when (clock time). */
  private readonly pausedUntil = new Map<string, number>();
  private readonly options: Required<Omit<DispatcherOptions, 'messagesPerSecond'>> & {
    messagesPerSecond?: number;
  };

  constructor(
    private readonly deps: DispatchDeps,
    options: DispatcherOptions = {},
  ) {
    this.options = {
      batchSize: options.batchSize ?? 64,
      concurrency: options.concurrency ?? 8,
      leaseMs: options.leaseMs ?? 60_000,
      maxAttempts: options.maxAttempts ?? 8,
      baseBackoffMs: options.baseBackoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 300_000,
      random: options.random ?? Math.random,
      ...(options.messagesPerSecond !== undefined && {
        messagesPerSecond: options.messagesPerSecond,
      }),
    };
  }

  /** How many rows a round claims: no more than the pace sends within half the lease. */
  private claimLimit(): number {
    const pace = this.options.messagesPerSecond ?? this.deps.claimPace;
    if (pace === undefined || !Number.isFinite(pace) || pace <= 0) return this.options.batchSize;
    const withinLease = Math.floor((pace * this.options.leaseMs) / 2000);
    return Math.max(1, Math.min(this.options.batchSize, withinLease));
  }

  private rounds = 0;
  private roundsDone: (() => void)[] = [];

  /** Whether a round (claim, sends, outcomes) is under way in this process. */
  get busy(): boolean {
    return this.rounds > 0;
  }

  /** Resolves once no round is under way. */
  idle(): Promise<void> {
    if (this.rounds === 0) return Promise.resolve();
    return new Promise((resolve) => this.roundsDone.push(resolve));
  }

  /** Claims and sends one batch; resolves with how many rows it handled (sent, retried or failed). */
  async runOnce(): Promise<number> {
    this.rounds++;
    try {
      return await this.round();
    } finally {
      this.rounds--;
      if (this.rounds === 0) for (const done of this.roundsDone.splice(0)) done();
    }
  }

  private async round(): Promise<number> {
    const { store, clock } = this.deps;
    const jobs = await store.claimOutbox(clock.now(), this.claimLimit(), this.options.leaseMs);
    if (jobs.length === 0) return 0;
    const recorder = new OutcomeRecorder(this.deps);
    let next = 0;
    let handled = 0;
    const lane = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        // A lane sends its next message only once this outcome is committed: at most
        // `concurrency` messages are ever accepted by the platform but not yet recorded.
        const outcome = await this.sendOne(job);
        if (outcome.outcome !== 'release') handled++;
        await recorder.add(outcome);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.options.concurrency, jobs.length) }, lane),
    );
    await recorder.settled();
    return handled;
  }

  private bucket(channel: ChannelRecord, adapter: ChannelAdapter): TokenBucket {
    let bucket = this.buckets.get(channel.id);
    if (!bucket) {
      const setting = channel.settings.messagesPerSecond;
      const rate =
        this.options.messagesPerSecond ??
        (typeof setting === 'number' && setting > 0
          ? setting
          : adapter.capabilities.messagesPerSecond);
      bucket = new TokenBucket(rate > 0 ? rate : Number.POSITIVE_INFINITY);
      this.buckets.set(channel.id, bucket);
    }
    return bucket;
  }

  private backoff(attempts: number): number {
    const exponential = Math.min(
      this.options.maxBackoffMs,
      this.options.baseBackoffMs * 2 ** Math.max(0, attempts - 1),
    );
    // Equal jitter: at least half the delay, so retries spread out but never bunch at zero.
    return Math.round(exponential / 2 + this.options.random() * (exponential / 2));
  }

  private async sendOne(job: OutboxJob): Promise<OutboxOutcome> {
    const { logger, clock } = this.deps;
    const base = { seq: job.seq, messageId: job.messageId, claimToken: job.claimToken };
    let channel: ChannelRecord | undefined;
    try {
      channel = await this.deps.channel(job.channelId);
    } catch (error) {
      if (error instanceof CredentialsKeyError) {
        // This channel only: its row fails with the reason, the others go on.
        logger.error('chatloom: a channel cannot be used', {
          channelId: job.channelId,
          error: error.message,
        });
        return { ...base, outcome: 'failed', error: error.message };
      }
      logger.error('chatloom: loading a channel failed', {
        channelId: job.channelId,
        error: error instanceof Error ? error.message : String(error),
      });
      return { ...base, outcome: 'release' };
    }
    if (!channel)
      return { ...base, outcome: 'failed', error: `Channel "${job.channelId}" does not exist` };
    const adapter = this.deps.adapterFor(channel.platform);
    if (!adapter)
      return { ...base, outcome: 'failed', error: `No adapter for platform "${channel.platform}"` };
    const message = JSON.parse(job.content) as ChannelMessage;
    const context: SendContext = {
      to: {
        ...(job.contact.userId !== null && { userId: job.contact.userId }),
        ...(job.contact.phone !== null && { phone: job.contact.phone }),
        ...(job.contact.name !== null && { name: job.contact.name }),
      },
      channel: channelConfig(channel),
    };
    const windowOpen = () => {
      if (message.kind === 'template') return true;
      const window = messagingWindow(
        adapter.capabilities.window,
        job.lastInboundAt,
        clock.now(),
        job.sender === 'agent' ? 'agent' : 'bot',
      );
      if (window.open && window.humanAgentTag) context.tag = 'HUMAN_AGENT';
      return window.open;
    };
    if (!windowOpen()) return { ...base, outcome: 'failed', error: windowClosedMessage };
    const paused = this.pausedUntil.get(channel.id);
    if (paused !== undefined && paused > clock.now()) {
      // The platform asked the channel to slow down: leave the row for later, no attempt spent.
      return {
        ...base,
        outcome: 'retry',
        nextAttemptAt: paused,
        error: 'channel rate-limited',
        attemptSpent: false,
      };
    }
    const bucket = this.bucket(channel, adapter);
    const wait = bucket.take();
    if (wait) {
      await wait;
      // Time passed: the window may have closed, and the claim must still hold long enough
      // for the send and its outcome (else another process may take the row: a double send).
      if (!windowOpen()) return { ...base, outcome: 'failed', error: windowClosedMessage };
      if (job.claimedUntil - clock.now() < this.options.leaseMs / 4) {
        logger.debug('chatloom: claim too close to its lease end; released', {
          messageId: job.messageId,
        });
        return { ...base, outcome: 'release' };
      }
    }
    const startedAt = performance.now();
    try {
      const { platformMessageId } = await adapter.send(message, context);
      logger.debug('chatloom: sent', {
        channelId: channel.id,
        messageId: job.messageId,
        platformMessageId,
        ms: Math.round(performance.now() - startedAt),
      });
      return { ...base, outcome: 'sent', channelId: channel.id, platformMessageId };
    } catch (thrown) {
      const error = AdapterError.isInstance(thrown)
        ? thrown
        : new AdapterError('retryable', thrown instanceof Error ? thrown.message : String(thrown), {
            cause: thrown,
          });
      logger.warn('chatloom: send failed', {
        channelId: channel.id,
        platform: channel.platform,
        messageId: job.messageId,
        attempt: job.attempts,
        kind: error.kind,
        code: error.code,
        error: error.message,
        adapterBug: !AdapterError.isInstance(thrown),
      });
      const now = clock.now();
      switch (error.kind) {
        case 'window-closed':
          return { ...base, outcome: 'failed', error: windowClosedMessage };
        case 'permanent':
          return { ...base, outcome: 'failed', error: error.message };
        case 'rate-limited': {
          const retryAfter = Math.max(error.retryAfterMs ?? 0, this.backoff(job.attempts));
          this.pausedUntil.set(
            channel.id,
            now + (error.retryAfterMs ?? this.options.baseBackoffMs),
          );
          if (job.attempts >= this.options.maxAttempts)
            return { ...base, outcome: 'failed', error: error.message };
          return {
            ...base,
            outcome: 'retry',
            nextAttemptAt: now + retryAfter,
            error: error.message,
          };
        }
        case 'retryable':
          if (job.attempts >= this.options.maxAttempts)
            return { ...base, outcome: 'failed', error: error.message };
          return {
            ...base,
            outcome: 'retry',
            nextAttemptAt: now + this.backoff(job.attempts),
            error: error.message,
          };
      }
    }
  }
}

/**
 * Records outcomes as they come in, grouped per event-loop turn: an outcome is committed
 * right after its send returns (keeping the window for a duplicate small) while sends that
 * finish together share one transaction.
 */
class OutcomeRecorder {
  private queue: { outcome: OutboxOutcome; done: () => void }[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: unknown;

  constructor(private readonly deps: DispatchDeps) {}

  /** Resolves once the outcome is committed (or its batch failed; see `settled`). */
  add(outcome: OutboxOutcome): Promise<void> {
    return new Promise<void>((done) => {
      this.queue.push({ outcome, done });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        // The batch is cut when the previous write is done, not now: outcomes that come in
        // while a commit is under way (several round trips on Postgres) share the next one.
        this.flushing = this.flushing.then(() => {
          this.scheduled = false;
          const batch = this.queue;
          this.queue = [];
          return this.write(batch);
        });
      });
    });
  }

  private async write(batch: { outcome: OutboxOutcome; done: () => void }[]) {
    try {
      const changes = await this.deps.store.completeOutbox(
        batch.map((b) => b.outcome),
        this.deps.clock.now(),
      );
      this.deps.onStatus(changes);
    } catch (error) {
      // The rows stay claimed until their lease runs out, then go out again (at least once).
      this.failure = error;
      this.deps.logger.error('chatloom: recording send outcomes failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      for (const b of batch) b.done();
    }
  }

  async settled() {
    await this.flushing;
    if (this.failure) throw this.failure;
  }
}
