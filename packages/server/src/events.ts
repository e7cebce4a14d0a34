/**
 * Live updates per tenant. Core emits its events in the process that did the work; the hub
 * hands them to the tenant's Server-Sent Events clients on every process: on SQLite (one
 * process) directly, on Postgres through `NOTIFY` on a channel of this schema, which every
 * process (this one included) `LISTEN`s to and fans out.
 */
import type { Chatloom, Conversation, Message } from '@chatloom/core';
import { toConversation, toMessage } from '@chatloom/core';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from './database.js';

/** What SSE clients receive. */
export type LiveEvent =
  | { type: 'message.received'; tenantId: string; message: Message; conversation: Conversation }
  | { type: 'message.created'; tenantId: string; message: Message }
  | {
      type: 'message.status';
      tenantId: string;
      messageId: string;
      conversationId: string;
      status: string;
      error: string | null;
    }
  | { type: 'conversation.updated'; tenantId: string; conversation: Conversation }
  | { type: 'notification'; tenantId: string; notification: Record<string, unknown> };

type Listener = (event: LiveEvent) => void;

export interface EventHub {
  /** Receives the tenant's events until the returned function is called. */
  subscribe(tenantId: string, listener: Listener): () => void;
  publish(event: LiveEvent): void;
  /** Connects (Postgres LISTEN). */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Clients connected to this process. */
  readonly clients: number;
}

// NOTIFY payloads are limited to 8000 bytes; a larger event travels as a reference.
const maxPayload = 7000;

/** An event too large for a NOTIFY payload: the listener reads the message back. */
interface Reference {
  ref: 'message.received' | 'message.created';
  tenantId: string;
  messageId: string;
  conversationId: string;
}

export function createEventHub(options: {
  db: Db;
  postgres?: { connectionString: string; schema?: string };
  onError?: (error: unknown) => void;
}): EventHub {
  const byTenant = new Map<string, Set<Listener>>();
  let clients = 0;
  const channel =
    `chatloom_events${options.postgres?.schema ? `_${options.postgres.schema}` : ''}`.slice(0, 63);
  let listener: pg.Client | undefined;
  let closed = false;
  let sending: Promise<void> = Promise.resolve();
  /** Payloads (JSON events) waiting for the next flush. */
  let queued: string[] = [];

  /**
   * Sends the events published in this event-loop turn: packed into JSON arrays of at most
   * `maxPayload` bytes, all in one statement. One NOTIFY query per event (four or so per
   * message) took more round trips than the message's own work.
   */
  function flush() {
    const events = queued;
    queued = [];
    if (events.length === 0) return;
    const payloads: string[] = [];
    let current: string[] = [];
    let size = 2;
    for (const event of events) {
      const bytes = Buffer.byteLength(event) + 1;
      if (current.length > 0 && size + bytes > maxPayload) {
        payloads.push(`[${current.join(',')}]`);
        current = [];
        size = 2;
      }
      current.push(event);
      size += bytes;
    }
    if (current.length > 0) payloads.push(`[${current.join(',')}]`);
    // One at a time: parallel pool connections would reorder this process's events.
    sending = sending
      .then(() =>
        sql`select pg_notify(${channel}, p) from unnest(${payloads}::text[]) as p`.execute(
          options.db,
        ),
      )
      .then(
        () => {},
        (error: unknown) => options.onError?.(error),
      );
  }

  function deliver(event: LiveEvent) {
    for (const listen of byTenant.get(event.tenantId) ?? []) {
      try {
        listen(event);
      } catch (error) {
        options.onError?.(error);
      }
    }
  }

  async function resolveReference(reference: Reference): Promise<LiveEvent | undefined> {
    const row = await options.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', reference.messageId)
      .executeTakeFirst();
    if (!row) return undefined;
    const message = toMessage(row);
    if (reference.ref === 'message.created')
      return { type: 'message.created', tenantId: reference.tenantId, message };
    const conversation = await options.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', reference.conversationId)
      .executeTakeFirst();
    if (!conversation) return undefined;
    return {
      type: 'message.received',
      tenantId: reference.tenantId,
      message,
      conversation: toConversation(conversation),
    };
  }

  async function connect() {
    if (!options.postgres || closed) return;
    const client = new pg.Client({ connectionString: options.postgres.connectionString });
    client.on('notification', (note) => {
      if (note.channel !== channel || !note.payload) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(note.payload);
      } catch (error) {
        options.onError?.(error);
        return;
      }
      // A payload carries the events of one flush, in order (see `flush`).
      for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
        const event = item as LiveEvent | Reference;
        if ('ref' in event) {
          resolveReference(event).then(
            (resolved) => resolved && deliver(resolved),
            (error: unknown) => options.onError?.(error),
          );
        } else deliver(event);
      }
    });
    client.on('error', (error) => {
      options.onError?.(error);
      // Reconnect: events are a convenience for live views; a gap is refilled by a reload.
      if (listener === client) listener = undefined;
      client.end().catch(() => {});
      if (!closed) setTimeout(() => void connect().catch(options.onError), 1000).unref();
    });
    await client.connect();
    await client.query(`listen "${channel}"`);
    listener = client;
  }

  return {
    get clients() {
      return clients;
    },
    subscribe(tenantId, listen) {
      let set = byTenant.get(tenantId);
      if (!set) {
        set = new Set();
        byTenant.set(tenantId, set);
      }
      set.add(listen);
      clients++;
      return () => {
        if (set.delete(listen)) clients--;
        if (set.size === 0) byTenant.delete(tenantId);
      };
    },
    publish(event) {
      if (!options.postgres) {
        deliver(event);
        return;
      }
      let payload = JSON.stringify(event);
      if (Buffer.byteLength(payload) > maxPayload) {
        if (event.type === 'message.received' || event.type === 'message.created') {
          payload = JSON.stringify({
            ref: event.type,
            tenantId: event.tenantId,
            messageId: event.message.id,
            conversationId: event.message.conversationId,
          } satisfies Reference);
        } else return;
      }
      queued.push(payload);
      if (queued.length === 1) setImmediate(flush);
    },
    async start() {
      await connect();
    },
    async close() {
      closed = true;
      flush(); // events published in this turn still go out
      await sending;
      const client = listener;
      listener = undefined;
      await client?.end().catch(() => {});
      byTenant.clear();
    },
  };
}

/** Forwards core's events to the hub. */
export function bridgeCoreEvents(chatloom: Chatloom, hub: EventHub): () => void {
  const offs = [
    chatloom.on('message.received', ({ message, conversation }) =>
      hub.publish({ type: 'message.received', tenantId: message.tenantId, message, conversation }),
    ),
    chatloom.on('message.created', ({ message }) =>
      hub.publish({ type: 'message.created', tenantId: message.tenantId, message }),
    ),
    chatloom.on('message.status', (change) =>
      hub.publish({
        type: 'message.status',
        tenantId: change.tenantId,
        messageId: change.messageId,
        conversationId: change.conversationId,
        status: change.status,
        error: change.error,
      }),
    ),
    chatloom.on('conversation.updated', ({ conversation }) =>
      hub.publish({ type: 'conversation.updated', tenantId: conversation.tenantId, conversation }),
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}
