/** What a Messenger channel (one Facebook Page) carries in core's `ChannelConfig`. */
import type {
  ChannelConfig,
  InboundMessageEvent,
  MessageStatusEvent,
} from '@chatloom/core/adapter';
import type { MessagingEventDetails } from '@chatloom/meta-graph';

/** Non-secret settings of a Messenger channel. */
export interface MessengerChannelSettings {
  /** The Facebook Page's id: `entry[].id` of its webhooks, and where messages are sent from. */
  pageId: string;
}

/** Secrets of a Messenger channel. */
export interface MessengerCredentials {
  /** A Page access token with `pages_messaging` (and `pages_manage_metadata` to subscribe). */
  accessToken: string;
  /** The Meta app's secret: it signs webhooks (`X-Hub-Signature-256`). */
  appSecret: string;
  /** Our string for the GET handshake on the callback URL. */
  verifyToken: string;
}

/** A channel as core hands it to this adapter. */
export type MessengerChannelConfig = ChannelConfig<
  MessengerChannelSettings & Record<string, unknown>,
  MessengerCredentials & Record<string, string>
>;

/** What Messenger says about an event beyond core's (carried on `event.messenger`). */
export type { MessagingEventDetails as MessengerEventDetails } from '@chatloom/meta-graph';

/** A message event with Messenger's details. Assignable to core's `InboundMessageEvent`. */
export interface MessengerInboundMessageEvent extends InboundMessageEvent {
  messenger: MessagingEventDetails;
}

/** A status event with Messenger's details; `messenger.watermark` on receipts. */
export interface MessengerMessageStatusEvent extends MessageStatusEvent {
  messenger: MessagingEventDetails;
}
