/**
 * Notifications for a tenant's people: template status changes, failed sends, broadcast
 * completion. Made from core's events by the process that did the work (core emits each
 * event once, after commit), stored, and pushed to live clients.
 */
import { randomUUID } from 'node:crypto';
import type { ServerContext } from './context.js';
import type { NotificationTable } from './database.js';

export interface NewNotification {
  tenantId: string;
  kind: NotificationTable['kind'];
  title: string;
  body: string;
  data?: Record<string, unknown>;
}

export const toNotification = (row: NotificationTable) => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  body: row.body,
  data: JSON.parse(row.data) as Record<string, unknown>,
  createdAt: Number(row.created_at),
  read: row.read_at !== null,
});

export async function notify(context: ServerContext, input: NewNotification): Promise<void> {
  const row: NotificationTable = {
    id: randomUUID(),
    tenant_id: input.tenantId,
    kind: input.kind,
    title: input.title,
    body: input.body,
    data: JSON.stringify(input.data ?? {}),
    created_at: context.clock.now(),
    read_at: null,
  };
  await context.db.insertInto('notifications').values(row).execute();
  context.events.publish({
    type: 'notification',
    tenantId: input.tenantId,
    notification: toNotification(row),
  });
}

/** Turns core's events into notifications; returns the function that stops it. */
export function recordNotifications(context: ServerContext): () => void {
  const failed = (error: unknown) =>
    context.logger.warn('chatloom: a notification was not recorded', {
      error: error instanceof Error ? error.message : String(error),
    });
  const offs = [
    context.chatloom.on('template.status', (event) => {
      void (async () => {
        const channel = await context.chatloom.getChannel(event.channelId);
        if (!channel) return;
        await notify(context, {
          tenantId: channel.tenantId,
          kind: 'template.status',
          title: `Template "${event.templateName}" is ${event.status}`,
          body: event.reason
            ? `${event.templateName} (${event.language ?? 'all languages'}) on ${channel.name}: ${event.status} — ${event.reason}`
            : `${event.templateName} (${event.language ?? 'all languages'}) on ${channel.name}: ${event.status}`,
          data: { ...event },
        });
      })().catch(failed);
    }),
    context.chatloom.on('message.status', (change) => {
      if (change.status !== 'failed') return;
      notify(context, {
        tenantId: change.tenantId,
        kind: 'message.failed',
        title: 'A message was not delivered',
        body: change.error ?? 'The platform refused the message',
        data: { messageId: change.messageId, conversationId: change.conversationId },
      }).catch(failed);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
