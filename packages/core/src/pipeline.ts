/**
 * What happens to a conversation, written once and run inside the store's unit of work:
 * synchronous, no I/O. Given the loaded rows, it records inbound messages, moves the window,
 * advances the flow session and returns the rows to write (messages, outbox, timers,
 * snapshot) plus the events to emit after commit.
 */
import {
  type AdvanceResult,
  advance,
  type ChannelMessage,
  type CompiledFlow,
  type FlowDefinition,
  type FlowInput,
  matchTrigger,
  type SessionSnapshot,
  start,
} from '@chatloom/flow-engine';
import type {
  ChannelEvent,
  ContactIdentity,
  InboundContent,
  InboundMessageEvent,
  ParsedWebhook,
} from './adapter.js';
import { followSwitches } from './flow-switch.js';
import { newId } from './ids.js';
import type { Logger } from './model.js';
import type {
  ContactTable,
  ConversationTable,
  FlowSessionTable,
  MessageTable,
  TimerTable,
} from './schema.js';
import type {
  Changes,
  ChannelRecord,
  ContactLookup,
  Loaded,
  MessageKey,
  NewOutboxRow,
  StatusUpdate,
} from './store.js';

/** The published flows of one tenant, compiled. */
export interface FlowSet {
  definitions: FlowDefinition[];
  byId: ReadonlyMap<string, CompiledFlow>;
}

export interface WorkContext {
  now: number;
  logger: Logger;
  /** Published flows of a tenant; warmed before the unit of work runs. */
  flows(tenantId: string): FlowSet;
}

/** Rows to emit as events after commit. */
export interface Notifications {
  received: { message: MessageTable; conversation: ConversationTable }[];
  created: MessageTable[];
  conversations: Map<string, ConversationTable>;
  templates: {
    channelId: string;
    templateName: string;
    language?: string;
    status: string;
    reason?: string;
  }[];
  /** Outbox rows written (wake the dispatcher). */
  outbox: number;
  /** Earliest timer armed, if any (wake the scheduler). */
  timerDue: number | null;
  /** Timers dropped as stale (version moved on, session gone, person in control). */
  staleTimers: number;
  firedTimers: number;
}

const key = (a: string, b: string) => `${a}\u0000${b}`;
const sessionTimerId = (conversationId: string) => `session:${conversationId}`;

/** The in-memory state of one unit of work and the changes it accumulates. */
export class Work {
  private readonly byUser = new Map<string, ContactTable>();
  private readonly byPhone = new Map<string, ContactTable>();
  private readonly contactsById = new Map<string, ContactTable>();
  private readonly conversationsByContact = new Map<string, ConversationTable>();
  readonly conversations = new Map<string, ConversationTable>();
  private readonly sessions = new Map<string, FlowSessionTable | null>();
  private readonly seen = new Set<string>();
  readonly messagesById = new Map<string, MessageTable>();

  private readonly dirtyContacts = new Map<string, ContactTable>();
  private readonly dirtyConversations = new Map<string, ConversationTable>();
  private readonly dirtySessions = new Set<string>();
  private readonly timers = new Map<string, TimerTable | null>();
  private readonly messages: MessageTable[] = [];
  private readonly outbox: NewOutboxRow[] = [];
  readonly changes: Changes = {};
  readonly notes: Notifications = {
    received: [],
    created: [],
    conversations: new Map(),
    templates: [],
    outbox: 0,
    timerDue: null,
    staleTimers: 0,
    firedTimers: 0,
  };

  constructor(
    private readonly ctx: WorkContext,
    loaded: Loaded,
  ) {
    for (const contact of loaded.contacts) this.indexContact(contact);
    for (const conversation of loaded.conversations) {
      this.conversations.set(conversation.id, conversation);
      this.conversationsByContact.set(conversation.contact_id, conversation);
    }
    for (const session of loaded.sessions) this.sessions.set(session.conversation_id, session);
    for (const message of loaded.messages) {
      this.messagesById.set(message.id, message);
      if (message.platform_message_id)
        this.seen.add(key(message.channel_id, message.platform_message_id));
    }
  }

  get now() {
    return this.ctx.now;
  }

  private indexContact(contact: ContactTable) {
    this.contactsById.set(contact.id, contact);
    if (contact.platform_user_id)
      this.byUser.set(key(contact.channel_id, contact.platform_user_id), contact);
    if (contact.phone) this.byPhone.set(key(contact.channel_id, contact.phone), contact);
  }

  /** Finds or creates the contact of `identity` on `channel`, filling in what it learns. */
  contactFor(channel: ChannelRecord, identity: ContactIdentity): ContactTable | undefined {
    const userId = identity.userId || undefined;
    const phone = identity.phone || undefined;
    if (!userId && !phone) return undefined;
    const byUser = userId ? this.byUser.get(key(channel.id, userId)) : undefined;
    const byPhone = phone ? this.byPhone.get(key(channel.id, phone)) : undefined;
    const found = byUser ?? byPhone;
    const now = this.now;
    if (!found) {
      const contact: ContactTable = {
        id: newId(),
        tenant_id: channel.tenantId,
        channel_id: channel.id,
        platform_user_id: userId ?? null,
        phone: phone ?? null,
        name: identity.name ?? null,
        created_at: now,
        updated_at: now,
      };
      this.indexContact(contact);
      this.dirtyContacts.set(contact.id, contact);
      return contact;
    }
    const next = { ...found };
    if (userId && !next.platform_user_id) next.platform_user_id = userId;
    // A phone another contact already holds stays with that contact (unique per channel).
    if (phone && !next.phone && !byPhone) next.phone = phone;
    if (identity.name && identity.name !== next.name) next.name = identity.name;
    if (
      next.platform_user_id !== found.platform_user_id ||
      next.phone !== found.phone ||
      next.name !== found.name
    ) {
      next.updated_at = now;
      this.indexContact(next);
      this.dirtyContacts.set(next.id, next);
      return next;
    }
    return found;
  }

  conversationFor(contact: ContactTable): ConversationTable {
    const existing = this.conversationsByContact.get(contact.id);
    if (existing) return existing;
    const now = this.now;
    const conversation: ConversationTable = {
      id: newId(),
      tenant_id: contact.tenant_id,
      channel_id: contact.channel_id,
      contact_id: contact.id,
      status: 'bot',
      organizer_id: null,
      chatbot_enabled: 1,
      last_inbound_at: null,
      last_message_at: null,
      created_at: now,
      updated_at: now,
    };
    this.putConversation(conversation);
    return conversation;
  }

  getContact(id: string): ContactTable | undefined {
    return this.contactsById.get(id);
  }

  /** Replaces a conversation row (rows are treated as immutable values). */
  putConversation(conversation: ConversationTable) {
    conversation.updated_at = this.now;
    this.conversations.set(conversation.id, conversation);
    this.conversationsByContact.set(conversation.contact_id, conversation);
    this.dirtyConversations.set(conversation.id, conversation);
    this.notes.conversations.set(conversation.id, conversation);
  }

  update(conversation: ConversationTable, patch: Partial<ConversationTable>): ConversationTable {
    const next = { ...conversation, ...patch };
    this.putConversation(next);
    return next;
  }

  isDuplicate(channelId: string, platformMessageId: string): boolean {
    return this.seen.has(key(channelId, platformMessageId));
  }

  recordMessage(
    row: Omit<MessageTable, 'id' | 'created_at' | 'updated_at' | 'starred'>,
  ): MessageTable {
    const message: MessageTable = {
      ...row,
      id: newId(),
      starred: 0,
      created_at: this.now,
      updated_at: this.now,
    };
    if (message.platform_message_id)
      this.seen.add(key(message.channel_id, message.platform_message_id));
    this.messages.push(message);
    this.messagesById.set(message.id, message);
    return message;
  }

  /** Queues an outbound message: a message row and an outbox row, in one commit. */
  queueSend(
    conversation: ConversationTable,
    message: ChannelMessage,
    sender: 'bot' | 'agent',
    agentId: string | null,
    at?: number,
  ): MessageTable {
    const row = this.recordMessage({
      tenant_id: conversation.tenant_id,
      channel_id: conversation.channel_id,
      conversation_id: conversation.id,
      direction: 'out',
      sender,
      agent_id: agentId,
      type: message.kind,
      content: JSON.stringify(message),
      status: 'pending',
      error: null,
      platform_message_id: null,
    });
    this.outbox.push({
      tenant_id: conversation.tenant_id,
      message_id: row.id,
      conversation_id: conversation.id,
      channel_id: conversation.channel_id,
      next_attempt_at: at ?? this.now,
      attempts: 0,
      claimed_until: null,
      last_error: null,
    });
    this.notes.created.push(row);
    this.notes.outbox++;
    const current = this.conversations.get(conversation.id) ?? conversation;
    this.update(current, { last_message_at: this.now });
    return row;
  }

  session(conversationId: string): FlowSessionTable | undefined {
    return this.sessions.get(conversationId) ?? undefined;
  }

  /** Ends the conversation's flow session (and its timeout) without a message. */
  endSession(conversationId: string) {
    if (this.sessions.get(conversationId)) {
      this.sessions.set(conversationId, null);
      this.dirtySessions.add(conversationId);
    }
    this.timers.set(sessionTimerId(conversationId), null);
  }

  dropTimer(timerId: string) {
    this.timers.set(timerId, null);
  }

  /**
   * Feeds an input to the conversation's flow session, or starts a flow whose trigger
   * `triggerText` matches when there is no session. Writes the outputs. When the flow starts
   * another one, that flow starts here too (see `switchFlows`). Returns the problems to record
   * (a flow started that is not live), which leave the conversation without a flow.
   */
  runFlow(
    conversation: ConversationTable,
    contact: ContactTable | undefined,
    input: FlowInput | undefined,
    triggerText: string | undefined,
  ): string[] {
    const flows = this.ctx.flows(conversation.tenant_id);
    const row = this.session(conversation.id);
    let result: AdvanceResult | undefined;
    let flow: CompiledFlow | undefined;
    if (row) {
      flow = flows.byId.get(row.flow_id);
      if (!flow) {
        // The flow was unpublished: its sessions stop.
        this.endSession(conversation.id);
      } else if (input) {
        result = advance(flow, JSON.parse(row.snapshot) as SessionSnapshot, input, this.now);
      } else {
        return [];
      }
    }
    if (!result && triggerText !== undefined && !(row && flow)) {
      const match = matchTrigger(flows.definitions, triggerText);
      flow = match && flows.byId.get(match.flow.id);
      if (match && flow) {
        result = start(flow, {
          now: this.now,
          language: match.language,
          vars: { name: contact?.name ?? '' },
        });
      }
    }
    if (!result || !flow) return [];
    const next = this.applyOutputs(conversation, flow, result);
    if (next === undefined) return [];
    const problem = this.switchFlows(conversation, contact, flow.id, next, result.snapshot);
    if (problem === undefined) return [];
    this.ctx.logger.warn('chatloom: a flow could not start another', {
      conversationId: conversation.id,
      problem,
    });
    return [problem];
  }

  /**
   * `from` ended by starting flow `to` (a published flow of the tenant): start it for the same
   * conversation, in the ending session's language and with its variables, so its first
   * messages follow the ending flow's last ones in this unit of work.
   */
  private switchFlows(
    conversation: ConversationTable,
    contact: ContactTable | undefined,
    from: string,
    to: string,
    ended: SessionSnapshot,
  ): string | undefined {
    const flows = this.ctx.flows(conversation.tenant_id);
    let previous = ended;
    return followSwitches({ from, to }, (flowId) => {
      const flow = flows.byId.get(flowId);
      if (!flow) return { live: false };
      const started = start(flow, {
        now: this.now,
        language: previous.context.language,
        vars: { name: contact?.name ?? '', ...previous.context.vars },
      });
      previous = started.snapshot;
      const next = this.applyOutputs(conversation, flow, started);
      return next === undefined ? { live: true } : { live: true, next };
    });
  }

  /** Writes a flow's outputs and its session; returns the flow it starts, if it starts one. */
  private applyOutputs(
    conversation: ConversationTable,
    flow: CompiledFlow,
    result: AdvanceResult,
  ): string | undefined {
    const { snapshot, outputs } = result;
    let current = conversation;
    let startsFlow: string | undefined;
    const timerId = sessionTimerId(conversation.id);
    for (const output of outputs) {
      switch (output.type) {
        case 'send':
          this.queueSend(
            this.conversations.get(current.id) ?? current,
            output.message,
            'bot',
            null,
          );
          break;
        case 'schedule-timer': {
          const timer: TimerTable = {
            id: timerId,
            tenant_id: conversation.tenant_id,
            conversation_id: conversation.id,
            kind: output.purpose,
            timer_key: output.timerId,
            session_version: snapshot.context.seq,
            due_at: output.at,
            created_at: this.now,
          };
          this.timers.set(timerId, timer);
          if (this.notes.timerDue === null || output.at < this.notes.timerDue)
            this.notes.timerDue = output.at;
          break;
        }
        case 'cancel-timer': {
          const armed = this.timers.get(timerId);
          if (armed === undefined || armed === null || armed.timer_key === output.timerId)
            this.timers.set(timerId, null);
          break;
        }
        case 'handoff':
          current = this.conversations.get(current.id) ?? current;
          current = this.update(current, { status: 'waiting', organizer_id: null });
          break;
        case 'start-flow':
          startsFlow = output.flowId;
          break;
        case 'set-variable':
        case 'end':
          break;
      }
    }
    if (snapshot.state === 'ended') {
      this.sessions.set(conversation.id, null);
    } else {
      this.sessions.set(conversation.id, {
        conversation_id: conversation.id,
        tenant_id: conversation.tenant_id,
        flow_id: flow.id,
        flow_version: flow.version,
        snapshot: JSON.stringify(snapshot),
        version: snapshot.context.seq,
        state: snapshot.state,
        updated_at: this.now,
      });
    }
    this.dirtySessions.add(conversation.id);
    return startsFlow;
  }

  /** The changes to write. */
  finish(): Changes {
    const changes = this.changes;
    if (this.dirtyContacts.size > 0) changes.contacts = [...this.dirtyContacts.values()];
    if (this.dirtyConversations.size > 0)
      changes.conversations = [...this.dirtyConversations.values()];
    if (this.messages.length > 0) changes.messages = this.messages;
    const sessionDeletes: string[] = [];
    const sessions: FlowSessionTable[] = [];
    for (const id of this.dirtySessions) {
      const session = this.sessions.get(id);
      if (session) sessions.push(session);
      else sessionDeletes.push(id);
    }
    if (sessionDeletes.length > 0) changes.sessionDeletes = sessionDeletes;
    if (sessions.length > 0) changes.sessions = sessions;
    const timerDeletes: string[] = [];
    const timers: TimerTable[] = [];
    for (const [id, timer] of this.timers) {
      if (timer) timers.push(timer);
      else timerDeletes.push(id);
    }
    if (timerDeletes.length > 0) changes.timerDeletes = timerDeletes;
    if (timers.length > 0) changes.timers = timers;
    if (this.outbox.length > 0) changes.outbox = this.outbox;
    return changes;
  }
}

/** What a flow makes of an inbound message: an input, and text that may start a flow. */
export function flowInput(content: InboundContent): { input?: FlowInput; triggerText?: string } {
  switch (content.kind) {
    case 'text':
      return { input: { type: 'text', text: content.text }, triggerText: content.text };
    case 'choice':
      return { input: { type: 'choice', id: content.id }, triggerText: content.title };
    case 'media':
      return content.caption
        ? { input: { type: 'text', text: content.caption }, triggerText: content.caption }
        : {};
    default:
      // Locations, contact cards, reactions and unsupported types do not move a flow.
      return {};
  }
}

// ---------------------------------------------------------------------------------------
// Inbound events
// ---------------------------------------------------------------------------------------

export interface ParsedInbound {
  id: number;
  channel: ChannelRecord | undefined;
  channelId: string;
  parsed: ParsedWebhook;
}

/** What to load for a batch of parsed inbound events. */
export function inboundUnit(batch: ParsedInbound[]): {
  contacts: ContactLookup[];
  messageKeys: MessageKey[];
} {
  const contacts: ContactLookup[] = [];
  const messageKeys: MessageKey[] = [];
  for (const item of batch) {
    if (!item.parsed.ok) continue;
    for (const event of item.parsed.events) {
      if (event.type !== 'message') continue;
      contacts.push({
        channelId: item.channelId,
        userId: event.contact.userId,
        phone: event.contact.phone,
      });
      messageKeys.push({ channelId: item.channelId, platformMessageId: event.platformMessageId });
    }
  }
  return { contacts, messageKeys };
}

export function applyInbound(ctx: WorkContext, batch: ParsedInbound[], loaded: Loaded): Work {
  const work = new Work(ctx, loaded);
  const results: NonNullable<Changes['inboundResults']> = [];
  const statusUpdates: StatusUpdate[] = [];
  for (const item of batch) {
    if (!loaded.pendingEventIds.has(item.id)) continue; // done by an earlier run
    const at = ctx.now;
    if (!item.channel) {
      results.push({
        id: item.id,
        state: 'failed',
        error: item.parsed.ok ? `Channel "${item.channelId}" does not exist` : item.parsed.error,
        at,
      });
      continue;
    }
    if (!item.parsed.ok) {
      results.push({ id: item.id, state: 'failed', error: item.parsed.error, at });
      continue;
    }
    const problems = [...(item.parsed.problems ?? [])];
    for (const event of item.parsed.events) {
      try {
        handleEvent(work, item.channel, event, statusUpdates, problems);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        problems.push(`${event.type} event: ${text}`);
        ctx.logger.error('chatloom: an inbound event failed', {
          eventId: item.id,
          channelId: item.channelId,
          error: text,
        });
      }
    }
    results.push({
      id: item.id,
      state: 'processed',
      error: problems.length > 0 ? problems.join('; ') : null,
      at,
    });
  }
  work.finish();
  work.changes.inboundResults = results;
  if (statusUpdates.length > 0) work.changes.statusUpdates = statusUpdates;
  return work;
}

function handleEvent(
  work: Work,
  channel: ChannelRecord,
  event: ChannelEvent,
  statusUpdates: StatusUpdate[],
  problems: string[],
) {
  switch (event.type) {
    case 'status':
      statusUpdates.push({
        channelId: channel.id,
        platformMessageId: event.platformMessageId,
        status: event.status,
        error: event.error ? `${event.error.code}: ${event.error.message}` : null,
        at: work.now,
      });
      return;
    case 'template-status':
      work.notes.templates.push({
        channelId: channel.id,
        templateName: event.templateName,
        status: event.status,
        ...(event.language !== undefined && { language: event.language }),
        ...(event.reason !== undefined && { reason: event.reason }),
      });
      return;
    case 'message':
      handleMessage(work, channel, event, problems);
      return;
  }
}

function handleMessage(
  work: Work,
  channel: ChannelRecord,
  event: InboundMessageEvent,
  problems: string[],
) {
  if (work.isDuplicate(channel.id, event.platformMessageId)) return;
  const contact = work.contactFor(channel, event.contact);
  if (!contact) {
    problems.push(
      `message ${event.platformMessageId}: no user id or phone to identify the contact`,
    );
    return;
  }
  let conversation = work.conversationFor(contact);
  if (event.source === 'echo') {
    work.recordMessage({
      tenant_id: channel.tenantId,
      channel_id: channel.id,
      conversation_id: conversation.id,
      direction: 'out',
      sender: 'echo',
      agent_id: null,
      type: event.content.kind,
      content: JSON.stringify(event.content),
      status: 'sent',
      error: null,
      platform_message_id: event.platformMessageId,
    });
    work.update(conversation, { last_message_at: work.now });
    return;
  }
  const sentAt =
    Number.isFinite(event.timestamp) && event.timestamp > 0
      ? Math.min(event.timestamp, work.now)
      : work.now;
  conversation = work.update(conversation, {
    last_inbound_at: Math.max(Number(conversation.last_inbound_at ?? 0), sentAt),
    last_message_at: work.now,
  });
  const message = work.recordMessage({
    tenant_id: channel.tenantId,
    channel_id: channel.id,
    conversation_id: conversation.id,
    direction: 'in',
    sender: 'contact',
    agent_id: null,
    type: event.content.kind,
    content: JSON.stringify(event.content),
    status: 'received',
    error: null,
    platform_message_id: event.platformMessageId,
  });
  work.notes.received.push({ message, conversation });
  if (event.source !== 'contact') return; // standby: another app owns the thread
  if (Number(conversation.chatbot_enabled) !== 1 || conversation.status !== 'bot') return;
  const { input, triggerText } = flowInput(event.content);
  try {
    for (const problem of work.runFlow(conversation, contact, input, triggerText))
      problems.push(`flow for message ${event.platformMessageId}: ${problem}`);
  } catch (error) {
    // The message stays recorded; the session is left as it was.
    problems.push(
      `flow for message ${event.platformMessageId}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------------

export function applyTimers(ctx: WorkContext, loaded: Loaded): Work {
  const work = new Work(ctx, loaded);
  for (const timer of loaded.timers) {
    work.dropTimer(timer.id);
    const conversation = work.conversations.get(timer.conversation_id);
    const session = work.session(timer.conversation_id);
    const live =
      conversation !== undefined &&
      session !== undefined &&
      Number(session.version) === Number(timer.session_version) &&
      Number(conversation.chatbot_enabled) === 1 &&
      conversation.status === 'bot';
    if (!live) {
      work.notes.staleTimers++;
      continue;
    }
    work.notes.firedTimers++;
    try {
      // A timer's own problems (a flow started that is not live) were logged by runFlow.
      work.runFlow(
        conversation,
        work.getContact(conversation.contact_id),
        { type: 'timer', timerId: timer.timer_key },
        undefined,
      );
    } catch (error) {
      ctx.logger.error('chatloom: a timer failed', {
        timerId: timer.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  work.finish();
  return work;
}
