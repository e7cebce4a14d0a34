/**
 * The Messenger Platform's Send API, which Messenger and Instagram share: the request body
 * (`recipient`, `messaging_type`, `tag`, `message`), the error codes both answer with, and
 * posting a rendered message (messenger-platform.md §2, §3, §5; instagram-messaging.md §3, §4).
 */
import {
  type AdapterCapabilities,
  AdapterError,
  type ContactIdentity,
  type CredentialCheck,
  type SendContext,
  type SendResult,
} from '@chatloom/core/adapter';
import type { ChannelProfile } from '@chatloom/flow-engine';
import {
  defineGraphErrorTable,
  type GraphErrorRule,
  type GraphErrorTable,
  graphErrorInfo,
} from './errors.js';
import { type GraphClient, graphPath } from './graph-client.js';
import { isRecord, nonEmptyString } from './json.js';

/** A quick reply under a text (`content_type: "text"`; we never send the e-mail/phone kinds). */
export interface SendApiQuickReply {
  content_type: 'text';
  title: string;
  /** Comes back as `message.quick_reply.payload` when tapped: the `Choice.id`. */
  payload: string;
}

/** A postback button of a button or generic template. */
export interface SendApiPostbackButton {
  type: 'postback';
  title: string;
  /** Comes back as `postback.payload` when tapped: the `Choice.id`. */
  payload: string;
}

/** One card of a generic template. */
export interface SendApiElement {
  title: string;
  subtitle?: string;
  buttons: SendApiPostbackButton[];
}

/** Media by URL (`file` is a document). */
export interface SendApiMediaAttachment {
  type: 'image' | 'video' | 'audio' | 'file';
  payload: { url: string };
}

export interface SendApiButtonTemplate {
  type: 'template';
  payload: { template_type: 'button'; text: string; buttons: SendApiPostbackButton[] };
}

export interface SendApiGenericTemplate {
  type: 'template';
  payload: { template_type: 'generic'; elements: SendApiElement[] };
}

/** The `message` of a Send API call: a text (with quick replies) or one attachment. */
export type SendApiMessage =
  | { text: string; quick_replies?: SendApiQuickReply[] }
  | { attachment: SendApiMediaAttachment | SendApiButtonTemplate | SendApiGenericTemplate };

/** The tag core asks for past the standard window (`SendContext.tag`). */
export type SendApiTag = 'HUMAN_AGENT';

/** A Send API request body. */
export type SendApiRequest =
  | {
      recipient: { id: string };
      messaging_type: 'RESPONSE';
      message: SendApiMessage;
    }
  | {
      recipient: { id: string };
      messaging_type: 'MESSAGE_TAG';
      tag: SendApiTag;
      message: SendApiMessage;
    };

/**
 * The body of `POST /{page-id|ig-id|me}/messages`. Without a tag the message is a `RESPONSE`
 * (a reply inside the 24-hour window); `HUMAN_AGENT` makes it a `MESSAGE_TAG` send, which
 * Meta allows for a person's reply up to 7 days after the user's last message.
 */
export function sendApiBody(
  recipientId: string,
  message: SendApiMessage,
  options: { tag?: SendApiTag | undefined } = {},
): SendApiRequest {
  const recipient = { id: recipientId };
  return options.tag === undefined
    ? { recipient, messaging_type: 'RESPONSE', message }
    : { recipient, messaging_type: 'MESSAGE_TAG', tag: options.tag, message };
}

/** A sender action (sent alone): `mark_seen` marks the thread as seen. */
export function senderActionBody(
  recipientId: string,
  action: 'mark_seen' | 'typing_on' | 'typing_off',
): { recipient: { id: string }; sender_action: string } {
  return { recipient: { id: recipientId }, sender_action: action };
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

const permanent = (why: string): GraphErrorRule => ({ kind: 'permanent', why });
const outsideWindow: GraphErrorRule = {
  kind: 'window-closed',
  why: 'outside the messaging window: the person last wrote more than 24 hours ago (7 days for a HUMAN_AGENT reply); wait for them to write again',
};

/** Send API codes both platforms answer with, on top of the Graph-wide ones. */
export const sendApiErrorCodes: Readonly<Record<number, GraphErrorRule>> = {
  105: permanent('too many quick replies, buttons or template elements'),
  194: permanent('an empty list of quick replies, buttons or template elements'),
  551: permanent(
    'this person is not available right now (they blocked the account, deactivated it, or turned messages off)',
  ),
  1200: { kind: 'retryable', why: 'temporary send failure' },
};

/** Code/subcode pairs of the Send API; they win over the code alone. */
export const sendApiErrorSubcodes: GraphErrorTable['subcodes'] = {
  '10/2018278': outsideWindow,
  // Reported for Instagram (secondhand); the fake answers it.
  '10/2534022': outsideWindow,
  '100/2018001': permanent(
    'no matching user: the recipient id is not someone who wrote to this account',
  ),
  '551/1545041': permanent('this person is not available right now'),
  // Marketing-message frequency limits: Meta asks to skip, not to retry.
  '4/2018354': permanent('marketing message frequency limit for this person; skipped'),
  '9/2018352': permanent('marketing message frequency limit for this person; skipped'),
};

/** A platform's Send API error table: the Graph codes, the Send API's, then its own. */
export function defineSendApiErrorTable(
  platform: string,
  codes: Readonly<Record<number, GraphErrorRule>> = {},
  subcodes: GraphErrorTable['subcodes'] = {},
): GraphErrorTable {
  return defineGraphErrorTable(platform, { ...sendApiErrorCodes, ...codes }, [], {
    ...sendApiErrorSubcodes,
    ...subcodes,
  });
}

// ---------------------------------------------------------------------------------------
// Posting
// ---------------------------------------------------------------------------------------

/** Where and as whom a Send API call goes. */
export interface SendApiTarget {
  client: GraphClient;
  /** `/{page-id}/messages`, `/{ig-id}/messages` or `/me/messages` (built with `graphPath`). */
  path: string;
  accessToken: string;
  /** The platform's name in error messages (`Messenger`). */
  platform: string;
}

/** Posts one Send API body; resolves with the `message_id` Meta gave. */
export async function postSendApi(target: SendApiTarget, body: SendApiRequest): Promise<string> {
  const answer = await target.client.request({
    method: 'POST',
    path: target.path,
    accessToken: target.accessToken,
    json: body,
  });
  const id = isRecord(answer) ? nonEmptyString(answer.message_id) : undefined;
  if (id === undefined) {
    throw new AdapterError(
      'retryable',
      `[${target.platform}] Meta accepted the message but returned no message_id; it may have been sent (a retry can duplicate it)`,
      { code: 'invalid-response' },
    );
  }
  return id;
}

/**
 * Posts the messages of one rendering in order (a media and its caption; a carousel's text
 * and the carousel) and resolves with the id of `messages[primary]`. When a later message
 * fails after an earlier one went out, the error is thrown as is: a retry of the whole send
 * repeats the earlier message (documented; the Send API has no idempotency key).
 */
export async function postSendApiMessages(
  target: SendApiTarget,
  recipientId: string,
  messages: readonly SendApiMessage[],
  options: { tag?: SendApiTag | undefined; primary?: number } = {},
): Promise<string> {
  const ids: string[] = [];
  for (const message of messages) {
    ids.push(await postSendApi(target, sendApiBody(recipientId, message, options)));
  }
  const id = ids[options.primary ?? ids.length - 1];
  if (id === undefined) {
    throw new AdapterError('permanent', `[${target.platform}] nothing to send`, {
      code: 'invalid-message',
    });
  }
  return id;
}

// ---------------------------------------------------------------------------------------
// What both adapters do with a rendering, a contact, a subscription
// ---------------------------------------------------------------------------------------

/** The person a Send API message goes to: their PSID or IGSID (`ContactIdentity.userId`). */
export function sendApiRecipient(to: ContactIdentity, platform: string): string {
  const id = to.userId?.trim();
  if (id === undefined || id === '') {
    throw new AdapterError(
      'permanent',
      `[${platform}] the contact has no user id (PSID/IGSID) to send to; ${platform} does not message phone numbers`,
      { code: 'no-recipient' },
    );
  }
  return id;
}

/** Sends a rendering to the contact of `context`, tagged `HUMAN_AGENT` when core says so. */
export async function sendApiSend(
  target: SendApiTarget,
  rendering: { messages: readonly SendApiMessage[]; primary: number },
  context: SendContext,
): Promise<SendResult> {
  const recipient = sendApiRecipient(context.to, target.platform);
  const platformMessageId = await postSendApiMessages(target, recipient, rendering.messages, {
    tag: context.tag,
    primary: rendering.primary,
  });
  return { platformMessageId };
}

/** `mark_seen`: the Send API marks the whole thread as seen, not one message. */
export async function sendApiMarkSeen(target: SendApiTarget, to: ContactIdentity): Promise<void> {
  await target.client.request({
    method: 'POST',
    path: target.path,
    accessToken: target.accessToken,
    json: senderActionBody(sendApiRecipient(to, target.platform), 'mark_seen'),
  });
}

/** `POST /{node}/subscribed_apps?subscribed_fields=…`; Meta answers `{ success: true }`. */
export async function subscribeApp(
  target: Omit<SendApiTarget, 'path'> & { node: string },
  fields: readonly string[],
): Promise<void> {
  const answer = await target.client.request({
    method: 'POST',
    path: graphPath(target.node, 'subscribed_apps'),
    accessToken: target.accessToken,
    query: { subscribed_fields: fields.join(',') },
  });
  if (!isRecord(answer) || answer.success !== true) {
    throw new AdapterError(
      'retryable',
      `[${target.platform}] subscribed_apps did not confirm: ${JSON.stringify(answer)?.slice(0, 200)}`,
      { code: 'invalid-response' },
    );
  }
}

/** What to tell an operator when Graph refuses a credential check. */
export interface CredentialHints {
  platform: string;
  /** The token to create again, and with what (`a Page access token with pages_messaging`). */
  token: string;
  /** The id that was not found and where to copy it from. */
  notFound: string;
  /** The permissions to grant. */
  permissions: string;
}

/**
 * A credential check's verdict for a failed Graph call: a bad token (190, 102), an unknown id
 * (100), a missing permission (10, 200–299) or Meta's message. A retryable error (an outage)
 * is thrown again: it says nothing about the credentials.
 */
export function credentialRefusal(error: unknown, hints: CredentialHints): CredentialCheck {
  if (!AdapterError.isInstance(error) || error.isRetryable) throw error;
  const info = graphErrorInfo(error);
  const said =
    info === undefined ? error.message : `Graph error ${info.code ?? info.status}: ${info.message}`;
  const code = info?.code;
  if (code === 190 || code === 102) {
    return {
      ok: false,
      reason: `The access token was refused (${said}): it is invalid, expired or revoked. Create ${hints.token}.`,
    };
  }
  if (code === 100) return { ok: false, reason: `${hints.notFound} (${said}).` };
  if (code !== undefined && (code === 10 || (code >= 200 && code <= 299))) {
    return {
      ok: false,
      reason: `The token lacks a permission (${said}). Grant ${hints.permissions}.`,
    };
  }
  return { ok: false, reason: error.message };
}

/**
 * Core's capabilities of a Send API channel, derived from its flow-engine profile: reply
 * buttons are the button template's; a list's rows are quick replies (the form that keeps
 * the most choices tappable); captions go as a text of their own; choice descriptions are
 * shown only in lettered text (0).
 */
export function sendApiCapabilities(
  profile: ChannelProfile,
  options: { messagesPerSecond: number },
): AdapterCapabilities {
  const quick = profile.quickReplies ?? { max: 0, title: 0 };
  return {
    limits: {
      textLength: profile.text,
      buttons: profile.buttons.max,
      buttonTitle: profile.buttons.title,
      listRows: quick.max,
      rowTitle: quick.title,
      rowDescription: 0,
      caption: profile.caption ?? profile.text,
    },
    supports: {
      buttons: true,
      lists: quick.max > 0,
      templates: profile.templates,
      media: ['image', 'video', 'audio', 'document'],
      markAsRead: true,
    },
    window: profile.window,
    messagesPerSecond: options.messagesPerSecond,
  };
}
