/** What an Instagram channel (one professional account) carries in core's `ChannelConfig`. */
import type {
  ChannelConfig,
  InboundMessageEvent,
  MessageStatusEvent,
} from '@chatloom/core/adapter';
import type { MessagingEventDetails } from '@chatloom/meta-graph';

/**
 * Which Graph host an account is reached through (instagram-messaging.md §1):
 * - `instagram`: setup A, the Instagram API with Instagram Login — `graph.instagram.com` and an
 *   Instagram user token; no Facebook Page needed;
 * - `facebook`: setup B, Instagram messaging through the Messenger Platform —
 *   `graph.facebook.com` and the Page access token of the Page linked to the account.
 * A token of one kind is refused by the other host, so host and token go together.
 */
export type InstagramHost = 'facebook' | 'instagram';

/** Which configured secret signs the account's webhooks. */
export type InstagramSigningSecret = 'appSecret' | 'instagramAppSecret';

/** Non-secret settings of an Instagram channel. */
export interface InstagramChannelSettings {
  /** The Instagram professional account's id: `entry[].id` of its webhooks; setup A sends from it. */
  instagramAccountId: string;
  /** Setup B: the linked Facebook Page (sends and the webhook subscription go through it). */
  pageId?: string;
  /** Overrides the adapter's `host` for this account. */
  host?: InstagramHost;
  /**
   * Which secret checks webhook signatures. Default: either configured secret. Meta's docs do
   * not settle whether setup A signs with the Meta app secret or the Instagram app secret;
   * pin it once the dashboard's "Test" button has shown which.
   */
  signingSecret?: InstagramSigningSecret;
}

/** Secrets of an Instagram channel. */
export interface InstagramCredentials {
  /** Setup A: an Instagram user token (`instagram_business_manage_messages`); setup B: the Page access token. */
  accessToken: string;
  /** The Meta app's secret. */
  appSecret?: string;
  /** The Instagram app secret (App Dashboard → Instagram → API setup with Instagram login). */
  instagramAppSecret?: string;
  /** Our string for the GET handshake on the callback URL. */
  verifyToken: string;
}

/** A channel as core hands it to this adapter. */
export type InstagramChannelConfig = ChannelConfig<
  InstagramChannelSettings & Record<string, unknown>,
  InstagramCredentials & Record<string, string>
>;

/** What Instagram says about an event beyond core's (carried on `event.instagram`). */
export type { MessagingEventDetails as InstagramEventDetails } from '@chatloom/meta-graph';

/** A message event with Instagram's details. Assignable to core's `InboundMessageEvent`. */
export interface InstagramInboundMessageEvent extends InboundMessageEvent {
  instagram: MessagingEventDetails;
}

/** A status event (a `read` of one message) with Instagram's details. */
export interface InstagramMessageStatusEvent extends MessageStatusEvent {
  instagram: MessagingEventDetails;
}
