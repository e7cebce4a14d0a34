/**
 * Builds a `Store` from the shared operations (queries.ts) and a driver's way of running
 * them. Both drivers use it, so the two can only differ in how a query reaches the database.
 */

import type { Op, QueryContext } from './queries.js';
import * as q from './queries.js';
import type { Store } from './store.js';

/**
 * `durable`: the commit reaches the disk before the call resolves (the default).
 * `relaxed`: it may not yet; a crash of the machine (not of the process) can lose it, and
 * the next durable commit makes it durable too (SQLite's WAL and Postgres' WAL are each one
 * log, flushed in order). For writes that are safe to redo after such a crash.
 */
export type Durability = 'durable' | 'relaxed';

export interface Runner {
  /** Runs an operation; `transaction: true` runs it in one transaction. */
  run<R>(op: Op<R>, transaction: boolean, durability?: Durability): Promise<R>;
}

export function buildStore(
  ctx: QueryContext,
  runner: Runner,
  driver: Pick<
    Store,
    'dialect' | 'singleProcess' | 'migrate' | 'close' | 'kysely' | 'migrateExtra'
  >,
): Store {
  const read = <R>(op: Op<R>) => runner.run(op, false);
  const write = <R>(op: Op<R>) => runner.run(op, true);
  return {
    ...driver,
    insertTenant: (row) => write(q.insertTenant(ctx, row)),
    getTenant: (id) => read(q.getTenant(ctx, id)),
    setTenantSystemMessages: (id, systemMessages) =>
      write(q.setTenantSystemMessages(ctx, id, systemMessages)),
    cancelScheduled: (channelId, now, error) =>
      write(q.cancelScheduled(ctx, channelId, now, error)),
    saveChannel: (channel) => write(q.saveChannel(ctx, channel)),
    getChannel: (id) => read(q.getChannel(ctx, id)),
    listChannels: (tenantId) => read(q.listChannels(ctx, tenantId)),
    saveFlow: (row) => write(q.saveFlow(ctx, row)),
    publishFlow: (tenantId, flowId, version, at) =>
      write(q.publishFlow(ctx, tenantId, flowId, version, at)),
    listFlows: (tenantId, options) => read(q.listFlows(ctx, tenantId, options?.published)),
    deleteFlow: (tenantId, flowId) => write(q.deleteFlow(ctx, tenantId, flowId)),
    // One statement is atomic on its own: no begin and commit around it (two round trips on
    // Postgres per group of webhooks).
    appendInboundEvents: (events) =>
      runner.run(q.appendInboundEvents(ctx, events), events.length > q.inboundInsertChunk),
    pendingInboundEvents: (limit) => read(q.pendingInboundEvents(ctx, limit)),
    recordInboundAttempt: (id) => write(q.recordInboundAttempt(ctx, id)),
    dueTimers: (now, limit) => read(q.dueTimers(ctx, now, limit)),
    nextTimerDue: () => read(q.nextTimerDue(ctx)),
    transact: (unit, apply) => write(q.transact(ctx, unit, apply)),
    // Claims and send outcomes commit without waiting for the disk (an fsync each cost more
    // than the rest of a message's work on SQLite, and the dispatcher commits outcomes a few at
    // a time). A machine crash can lose the last of them: a lost claim is taken again, a lost
    // outcome sends its message again, which is the dispatcher's at-least-once delivery.
    claimOutbox: (now, limit, leaseMs) =>
      runner.run(q.claimOutbox(ctx, now, limit, leaseMs), ctx.dialect === 'sqlite', 'relaxed'),
    completeOutbox: (outcomes, now) =>
      runner.run(q.completeOutbox(ctx, outcomes, now), true, 'relaxed'),
    nextOutboxAttempt: (now) => read(q.nextOutboxAttempt(ctx, now)),
    releaseOutboxClaims: () => write(q.releaseOutboxClaims(ctx)),
    getConversation: (id) => read(q.getConversation(ctx, id)),
    findConversation: (channelId, contact) => read(q.findConversation(ctx, channelId, contact)),
    listConversations: (tenantId, limit = 100) => read(q.listConversations(ctx, tenantId, limit)),
    getContact: (id) => read(q.getContact(ctx, id)),
    getMessage: (id) => read(q.getMessage(ctx, id)),
    listMessages: (conversationId) => read(q.listMessages(ctx, conversationId)),
    getSession: (conversationId) => read(q.getSession(ctx, conversationId)),
    listTimers: (conversationId) => read(q.listTimers(ctx, conversationId)),
    listInboundEvents: (options) =>
      read(q.listInboundEvents(ctx, options?.state, options?.limit ?? 1000)),
    countPending: () => read(q.countPending(ctx)),
  };
}
