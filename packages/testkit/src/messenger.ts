import { GraphError, sendApiError, unknownPath, unsupportedRequest } from './graph-error.js';
import { type GraphRequest, type GraphResponse, ok } from './graph-request.js';
import type { FakeState, InstagramAccount, Page } from './state.js';
import type {
  InstagramUserMessage,
  MessengerUserMessage,
  PageUserContent,
  UserMessageDelivery,
  WebhookDelivery,
} from './types.js';
import {
  isHttpUrl,
  isNonEmptyString,
  isRecord,
  type JsonRecord,
  longerThan,
  utf8Length,
} from './values.js';
import { selectFields } from './whatsapp.js';

const day = 24 * 60 * 60 * 1000;
const outsideWindow =
  'This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview';
const messengerTags = [
  'ACCOUNT_UPDATE',
  'CONFIRMED_EVENT_UPDATE',
  'CUSTOMER_FEEDBACK',
  'HUMAN_AGENT',
  'POST_PURCHASE_UPDATE',
];
const messengerButtonTypes = [
  'web_url',
  'postback',
  'phone_number',
  'account_link',
  'account_unlink',
  'game_play',
];

type Owner =
  | { channel: 'messenger'; page: Page }
  | { channel: 'instagram'; account: InstagramAccount };

function ownerId(owner: Owner): string {
  return owner.channel === 'messenger' ? owner.page.id : owner.account.id;
}

/** `/{page-id}` and `/me` with a Page token. */
export async function handlePageNode(
  state: FakeState,
  req: GraphRequest,
  page: Page,
): Promise<GraphResponse> {
  if (req.edge === undefined) {
    if (req.method !== 'GET') throw unsupportedRequest(req.method, page.id);
    return ok(selectFields({ name: page.name, id: page.id }, req.query.fields), 'messenger');
  }
  if (req.rest.length > 0) throw unknownPath(`${req.edge}/${req.rest.join('/')}`);
  if (req.edge === 'messages' && req.method === 'POST') {
    // Setup B of Instagram: the linked Page sends to an IGSID through /me/messages.
    const recipient = parseJsonish(req.params.recipient);
    const id = isRecord(recipient) && typeof recipient.id === 'string' ? recipient.id : undefined;
    if (id !== undefined) {
      for (const account of state.instagramAccounts.values()) {
        if (
          account.pageId === page.id &&
          state.lastInbound('instagram', account.id, id) !== undefined
        ) {
          return sendApi(state, req, { channel: 'instagram', account });
        }
      }
    }
    return sendApi(state, req, { channel: 'messenger', page });
  }
  if (req.edge === 'subscribed_apps') return subscribedApps(state, req, page, 'messenger');
  throw unknownPath(req.edge);
}

/** `/{ig-account-id}` and `/me` with an Instagram token (setup A). */
export async function handleInstagramNode(
  state: FakeState,
  req: GraphRequest,
  account: InstagramAccount,
): Promise<GraphResponse> {
  if (req.edge === undefined) {
    if (req.method !== 'GET') throw unsupportedRequest(req.method, account.id);
    const info = {
      id: account.id,
      user_id: account.id,
      username: account.username,
      name: account.username,
    };
    return ok(selectFields(info, req.query.fields), 'instagram');
  }
  if (req.rest.length > 0) throw unknownPath(`${req.edge}/${req.rest.join('/')}`);
  if (req.edge === 'messages' && req.method === 'POST')
    return sendApi(state, req, { channel: 'instagram', account });
  if (req.edge === 'subscribed_apps') return subscribedApps(state, req, account, 'instagram');
  throw unknownPath(req.edge);
}

function subscribedApps(
  state: FakeState,
  req: GraphRequest,
  target: Page | InstagramAccount,
  channel: 'messenger' | 'instagram',
): GraphResponse {
  if (req.method === 'GET') {
    const data =
      target.subscribedFields === undefined
        ? []
        : [
            {
              category: 'Business',
              link: `https://www.facebook.com/games/?app_id=${state.appId}`,
              name: 'Chatloom Test App',
              id: state.appId,
              subscribed_fields: target.subscribedFields,
            },
          ];
    return ok({ data }, channel);
  }
  if (req.method === 'DELETE') {
    target.subscribedFields = undefined;
    return ok({ success: true }, channel);
  }
  if (req.method !== 'POST') throw unsupportedRequest(req.method, target.id);
  const fields = req.params.subscribed_fields;
  const list = Array.isArray(fields)
    ? fields.map(String)
    : typeof fields === 'string'
      ? fields
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean)
      : [];
  if (list.length === 0)
    throw new GraphError(100, '(#100) The parameter subscribed_fields is required');
  target.subscribedFields = list;
  return ok({ success: true }, channel);
}

function parseJsonish(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[{[]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The Send API for both channels: validation, then the window, then acceptance. */
function sendApi(state: FakeState, req: GraphRequest, owner: Owner): GraphResponse {
  const channel = owner.channel;
  const limiter = channel === 'messenger' ? owner.page.limiter : owner.account.limiter;
  const now = state.now();
  if (!limiter.tryAcquire(now))
    throw sendApiError(613, 'Calls to this api have exceeded the rate limit.');
  const p = req.params;
  const recipient = parseJsonish(p.recipient);
  const message = parseJsonish(p.message);
  const senderAction = p.sender_action;
  if (!isRecord(recipient)) throw sendApiError(100, 'The parameter recipient is required');
  if (message === undefined && senderAction === undefined) {
    throw sendApiError(100, 'Must send either message or state', 2018015);
  }
  const recipientId = typeof recipient.id === 'string' ? recipient.id : undefined;
  const privateReply = recipient.comment_id !== undefined;
  if (recipientId === undefined && !privateReply && recipient.user_ref === undefined) {
    throw sendApiError(100, 'The parameter recipient[id] is required');
  }

  const warnings: string[] = [];
  let allowedAge = day;
  let type: string;
  if (senderAction !== undefined) {
    if (message !== undefined)
      throw sendApiError(100, 'sender_action cannot be sent together with message');
    if (
      senderAction !== 'typing_on' &&
      senderAction !== 'typing_off' &&
      senderAction !== 'mark_seen'
    ) {
      throw sendApiError(
        100,
        `Param sender_action must be one of {MARK_SEEN, TYPING_OFF, TYPING_ON} - got "${String(senderAction)}".`,
      );
    }
    type = 'sender_action';
  } else {
    const messagingType = p.messaging_type;
    if (messagingType === undefined)
      throw sendApiError(100, 'The parameter messaging_type is required');
    if (
      messagingType !== 'RESPONSE' &&
      messagingType !== 'UPDATE' &&
      messagingType !== 'MESSAGE_TAG'
    ) {
      throw sendApiError(
        100,
        `Param messaging_type must be one of {MESSAGE_TAG, RESPONSE, UPDATE} - got "${String(messagingType)}".`,
      );
    }
    if (messagingType === 'MESSAGE_TAG') {
      const tags = channel === 'instagram' ? ['HUMAN_AGENT'] : messengerTags;
      if (p.tag === undefined)
        throw sendApiError(100, 'The parameter tag is required for messaging_type MESSAGE_TAG');
      if (typeof p.tag !== 'string' || !tags.includes(p.tag)) {
        throw sendApiError(
          100,
          `Param tag must be one of {${tags.join(', ')}} - got "${String(p.tag)}".`,
        );
      }
      allowedAge = p.tag === 'HUMAN_AGENT' ? 7 * day : Number.POSITIVE_INFINITY;
    }
    type = validateMessage(state, channel, message, warnings);
  }

  if (recipientId !== undefined && !privateReply) {
    const last = state.lastInbound(channel, ownerId(owner), recipientId);
    if (last === undefined) throw sendApiError(100, 'No matching user found', 2018001);
    if (now - last > allowedAge) {
      throw sendApiError(10, outsideWindow, channel === 'instagram' ? 2534022 : 2018278);
    }
  }

  const to = recipientId ?? String(recipient.comment_id ?? recipient.user_ref);
  const body: JsonRecord = recipientId === undefined ? {} : { recipient_id: recipientId };
  if (type !== 'sender_action') {
    const mid = state.mid(channel, ownerId(owner));
    body.message_id = mid;
    state.recordSent({ channel, id: mid, to, from: ownerId(owner), type, body: p, at: now });
  }
  const response: GraphResponse = { status: 200, body, channel };
  if (warnings.length > 0) response.warnings = warnings;
  return response;
}

function lengthError(path: string, max: number): GraphError {
  return sendApiError(100, `Length of param ${path} must be less than or equal to ${max}`);
}

/** Checks `message` and returns its kind (`text` or `attachment`). */
function validateMessage(
  state: FakeState,
  channel: 'messenger' | 'instagram',
  message: unknown,
  warnings: string[],
): string {
  if (!isRecord(message)) throw sendApiError(100, 'Param message must be a JSON object');
  const hasText = message.text !== undefined;
  const hasAttachment = message.attachment !== undefined;
  if ((!hasText && !hasAttachment) || (hasText && !isNonEmptyString(message.text))) {
    throw sendApiError(
      100,
      'Message cannot be empty, must provide valid attachment or text',
      2018034,
    );
  }
  if (hasText && hasAttachment)
    throw sendApiError(100, 'Only one of message[text] and message[attachment] can be set');
  if (typeof message.text === 'string') {
    if (channel === 'instagram') {
      if (utf8Length(message.text) > state.instagramMaxTextBytes) {
        throw lengthError('message[text]', state.instagramMaxTextBytes);
      }
    } else if (longerThan(message.text, 2000)) {
      throw lengthError('message[text]', 2000);
    }
  }
  if (
    message.metadata !== undefined &&
    (typeof message.metadata !== 'string' || longerThan(message.metadata, 1000))
  ) {
    throw lengthError('message[metadata]', 1000);
  }
  if (message.quick_replies !== undefined) validateQuickReplies(message.quick_replies, warnings);
  if (hasAttachment) validateAttachment(channel, message.attachment);
  return hasText ? 'text' : 'attachment';
}

function validateQuickReplies(quickReplies: unknown, warnings: string[]): void {
  if (!Array.isArray(quickReplies))
    throw sendApiError(100, 'Param message[quick_replies] must be an array');
  if (quickReplies.length === 0)
    throw sendApiError(194, 'param message[quick_replies] has too few elements.');
  if (quickReplies.length > 13)
    throw sendApiError(105, 'param message[quick_replies] has too many elements.');
  for (const [i, qr] of quickReplies.entries()) {
    const path = `message[quick_replies][${i}]`;
    if (!isRecord(qr) || qr.content_type === undefined)
      throw sendApiError(100, `The parameter ${path}[content_type] is required`);
    if (qr.content_type === 'user_phone_number' || qr.content_type === 'user_email') continue;
    if (qr.content_type !== 'text') {
      throw sendApiError(
        100,
        `Param ${path}[content_type] must be one of {TEXT, USER_EMAIL, USER_PHONE_NUMBER} - got "${String(qr.content_type)}".`,
      );
    }
    if (!isNonEmptyString(qr.title) && qr.image_url === undefined) {
      throw sendApiError(100, 'Title is required for this quick reply content type', 2018098);
    }
    if (qr.payload === undefined || qr.payload === '') {
      throw sendApiError(100, 'Payload is required for this quick reply content type', 2018099);
    }
    if (typeof qr.payload !== 'string' && typeof qr.payload !== 'number') {
      throw sendApiError(100, `Param ${path}[payload] must be a string`);
    }
    if (longerThan(String(qr.payload), 1000)) throw lengthError(`${path}[payload]`, 1000);
    // Meta documents that longer titles are cut, not refused.
    if (typeof qr.title === 'string' && longerThan(qr.title, 20)) {
      warnings.push(`${path}[title] has more than 20 characters; Meta truncates it`);
    }
  }
}

function validateAttachment(channel: 'messenger' | 'instagram', attachment: unknown): void {
  if (!isRecord(attachment) || attachment.type === undefined) {
    throw sendApiError(100, 'The parameter message[attachment][type] is required');
  }
  if (attachment.payload === undefined)
    throw sendApiError(100, 'The parameter message[attachment][payload] is required');
  const payload = attachment.payload;
  if (!isRecord(payload))
    throw sendApiError(100, 'Param message[attachment][payload] must be a JSON object');
  const type = attachment.type;
  if (type === 'image' || type === 'audio' || type === 'video' || type === 'file') {
    if (payload.attachment_id !== undefined) return;
    if (!isHttpUrl(payload.url))
      throw sendApiError(100, 'Param message[attachment][payload][url] must be a valid URL');
    return;
  }
  if (type !== 'template') {
    throw sendApiError(
      100,
      `Param message[attachment][type] must be one of {AUDIO, FILE, IMAGE, TEMPLATE, VIDEO} - got "${String(type)}".`,
    );
  }
  const templateType = payload.template_type;
  if (templateType === 'button') validateButtonTemplate(channel, payload);
  else if (templateType === 'generic') validateGenericTemplate(channel, payload);
  else if (
    channel === 'instagram' ||
    !['media', 'receipt', 'product', 'customer_feedback'].includes(String(templateType))
  ) {
    throw sendApiError(100, 'Invalid template type');
  }
}

function validateButtonTemplate(channel: 'messenger' | 'instagram', payload: JsonRecord): void {
  if (!isNonEmptyString(payload.text))
    throw sendApiError(100, 'The parameter name_placeholder[text] is required');
  if (longerThan(payload.text, 640)) throw lengthError('name_placeholder[text]', 640);
  const buttons = payload.buttons;
  if (buttons === undefined)
    throw sendApiError(100, 'The parameter name_placeholder[buttons] is required');
  if (!Array.isArray(buttons) || buttons.length === 0)
    throw sendApiError(100, 'param name_placeholder[buttons] must be non-empty.');
  if (buttons.length > 3)
    throw sendApiError(105, 'param name_placeholder[buttons] has too many elements.');
  for (const [i, b] of buttons.entries())
    validateButton(channel, b, `name_placeholder[buttons][${i}]`);
}

function validateGenericTemplate(channel: 'messenger' | 'instagram', payload: JsonRecord): void {
  const elements = payload.elements;
  if (elements === undefined)
    throw sendApiError(100, 'The parameter name_placeholder[elements] is required');
  if (!Array.isArray(elements) || elements.length === 0) {
    throw sendApiError(194, 'param name_placeholder[elements] has too few elements.');
  }
  if (elements.length > 10)
    throw sendApiError(105, 'param name_placeholder[elements] has too many elements.');
  for (const [i, element] of elements.entries()) {
    const path = `name_placeholder[elements][${i}]`;
    if (!isRecord(element) || !isNonEmptyString(element.title)) {
      throw sendApiError(100, `Param ${path}[title] must be a non-empty UTF-8 encoded string`);
    }
    if (longerThan(element.title, 80)) throw lengthError(`${path}[title]`, 80);
    if (
      element.subtitle !== undefined &&
      (typeof element.subtitle !== 'string' || longerThan(element.subtitle, 80))
    ) {
      throw lengthError(`${path}[subtitle]`, 80);
    }
    const buttons = element.buttons;
    if (
      !isNonEmptyString(element.subtitle) &&
      !isNonEmptyString(element.image_url) &&
      element.default_action === undefined &&
      !(Array.isArray(buttons) && buttons.length > 0)
    ) {
      throw sendApiError(
        100,
        'Incomplete element data: title and at least one other field (image url, subtitle or buttons) is required with non-empty value',
        2018035,
      );
    }
    if (buttons !== undefined) {
      if (!Array.isArray(buttons) || buttons.length === 0) {
        throw sendApiError(194, `param ${path}[buttons] has too few elements.`);
      }
      if (buttons.length > 3)
        throw sendApiError(105, `param ${path}[buttons] has too many elements.`);
      for (const [j, b] of buttons.entries()) validateButton(channel, b, `${path}[buttons][${j}]`);
    }
  }
}

function validateButton(channel: 'messenger' | 'instagram', button: unknown, path: string): void {
  if (!isRecord(button) || button.type === undefined)
    throw sendApiError(100, `The parameter ${path}[type] is required`);
  const types = channel === 'instagram' ? ['web_url', 'postback'] : messengerButtonTypes;
  if (typeof button.type !== 'string' || !types.includes(button.type)) {
    throw sendApiError(
      100,
      `Param ${path}[type] must be one of {${types.map((t) => t.toUpperCase()).join(', ')}} - got "${String(button.type)}".`,
    );
  }
  if (button.type !== 'account_unlink') {
    if (!isNonEmptyString(button.title))
      throw sendApiError(100, 'Element button title cannot be empty.', 2018053);
    if (longerThan(button.title, 20)) throw lengthError(`${path}[title]`, 20);
  }
  if (button.type === 'postback' || button.type === 'phone_number') {
    if (!isNonEmptyString(button.payload))
      throw sendApiError(100, 'Payload cannot be empty for postback type button', 2018040);
    if (longerThan(button.payload, 1000)) throw lengthError(`${path}[payload]`, 1000);
  }
  if (button.type === 'web_url' || button.type === 'account_link') {
    if (button.url === undefined || button.url === '') {
      throw sendApiError(100, 'Web url cannot be empty for url type button', 2018041);
    }
    if (!isHttpUrl(button.url))
      throw sendApiError(100, `${path}[url] should represent a valid URL`);
  }
}

function eventContent(
  content: PageUserContent,
  mid: string,
): { key: 'message' | 'postback'; value: JsonRecord; field: string } {
  if ('postback' in content) {
    return {
      key: 'postback',
      value: { mid, title: content.postback.title, payload: content.postback.payload },
      field: 'messaging_postbacks',
    };
  }
  if ('quickReply' in content) {
    return {
      key: 'message',
      value: {
        mid,
        text: content.quickReply.title,
        quick_reply: { payload: content.quickReply.payload },
      },
      field: 'messages',
    };
  }
  if ('attachments' in content) {
    return {
      key: 'message',
      value: {
        mid,
        attachments: content.attachments.map((a) => ({ type: a.type, payload: { url: a.url } })),
      },
      field: 'messages',
    };
  }
  return { key: 'message', value: { mid, text: content.text }, field: 'messages' };
}

function pageEnvelope(
  object: 'page' | 'instagram',
  id: string,
  at: number,
  event: JsonRecord,
): JsonRecord {
  return { object, entry: [{ id, time: at, messaging: [event] }] };
}

async function deliverPageEvent(
  state: FakeState,
  channel: 'messenger' | 'instagram',
  target: Page | InstagramAccount,
  field: string,
  payload: JsonRecord,
): Promise<WebhookDelivery> {
  const url = state.webhookUrlFor(channel, [target.id]);
  if (target.subscribedFields === undefined || !target.subscribedFields.includes(field)) {
    return state.undelivered(
      url,
      payload,
      `the app is not subscribed to field "${field}" of ${target.id}`,
    );
  }
  return state.deliver(
    url,
    payload,
    channel === 'instagram' ? state.instagramSecret : state.appSecret,
  );
}

/** A Messenger user writes to (or taps a button of) a Page. */
export async function messengerUserSends(
  state: FakeState,
  input: MessengerUserMessage,
): Promise<UserMessageDelivery> {
  const page = state.page(input.pageId);
  const at = input.timestamp ?? state.now();
  const mid = input.mid ?? state.mid('messenger', input.psid);
  state.openWindow('messenger', page.id, input.psid, at);
  const { key, value, field } = eventContent(input, mid);
  const event = {
    sender: { id: input.psid },
    recipient: { id: page.id },
    timestamp: at,
    [key]: value,
  };
  const delivery = await deliverPageEvent(
    state,
    'messenger',
    page,
    field,
    pageEnvelope('page', page.id, at, event),
  );
  return { ...delivery, messageId: mid };
}

/** An Instagram user writes to (or taps a button of) a professional account. */
export async function instagramUserSends(
  state: FakeState,
  input: InstagramUserMessage,
): Promise<UserMessageDelivery> {
  const account = state.instagramAccount(input.accountId);
  const at = input.timestamp ?? state.now();
  const mid = input.mid ?? state.mid('instagram', input.igsid);
  state.openWindow('instagram', account.id, input.igsid, at);
  const { key, value, field } = eventContent(input, mid);
  const event = {
    sender: { id: input.igsid },
    recipient: { id: account.id },
    timestamp: at,
    [key]: value,
  };
  const payload = pageEnvelope('instagram', account.id, at, event);
  const delivery = await deliverPageEvent(state, 'instagram', account, field, payload);
  return { ...delivery, messageId: mid };
}

/** `message_deliveries` (watermark) or `message_reads` for a Messenger user. */
export function messengerReceipt(
  state: FakeState,
  kind: 'delivery' | 'read',
  psid: string,
  options: { pageId?: string; mids?: string[]; watermark?: number },
): Promise<WebhookDelivery> {
  const page = state.page(options.pageId);
  const at = state.now();
  const watermark = options.watermark ?? at;
  const value: JsonRecord =
    kind === 'delivery' && options.mids !== undefined
      ? { mids: options.mids, watermark }
      : { watermark };
  const event = { sender: { id: psid }, recipient: { id: page.id }, timestamp: at, [kind]: value };
  const field = kind === 'delivery' ? 'message_deliveries' : 'message_reads';
  return deliverPageEvent(
    state,
    'messenger',
    page,
    field,
    pageEnvelope('page', page.id, at, event),
  );
}

/** `messaging_seen` for an Instagram user (`read.mid`). */
export function instagramSeen(
  state: FakeState,
  igsid: string,
  mid: string,
  options: { accountId?: string },
): Promise<WebhookDelivery> {
  const account = state.instagramAccount(options.accountId);
  const at = state.now();
  const event = {
    sender: { id: igsid },
    recipient: { id: account.id },
    timestamp: at,
    read: { mid },
  };
  return deliverPageEvent(
    state,
    'instagram',
    account,
    'messaging_seen',
    pageEnvelope('instagram', account.id, at, event),
  );
}
