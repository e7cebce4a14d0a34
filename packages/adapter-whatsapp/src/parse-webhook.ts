/**
 * WhatsApp webhook bodies → core's normalised events. Synchronous, no I/O, never throws: a
 * body that is not WhatsApp's is `{ ok: false }`; inside a good body every `entry[]`,
 * `changes[]`, `messages[]` and `statuses[]` item is read on its own, and one that cannot be
 * read is skipped and described in `problems` (webhook-edge-cases.md §3, §4).
 */
import type {
  ChannelEvent,
  ContactIdentity,
  InboundContent,
  InboundMessageEvent,
  MediaKind,
  MessageStatusEvent,
  ParsedWebhook,
  TemplateStatusEvent,
} from '@chatloom/core/adapter';
import {
  finiteNumber,
  isRecord,
  type JsonRecord,
  nonEmptyString,
  parseJsonBody,
  parseTimestamp,
  stringOrNumber,
} from '@chatloom/meta-graph';

/** What WhatsApp says about a message beyond core's event (carried on `event.whatsapp`). */
export interface WhatsAppMessageDetails {
  /** `context.forwarded` / `context.frequently_forwarded`. */
  forwarded?: boolean;
  frequentlyForwarded?: boolean;
  /** `context.referred_product`: the user asked about a catalog product. */
  referredProduct?: { catalogId?: string; productRetailerId?: string };
  /** Click-to-WhatsApp ad data (`referral`, with `ctwa_clid`), as sent. */
  referral?: JsonRecord;
  /** `audio.voice`: a voice note. */
  voice?: boolean;
  /** `audio`/`image`… `sha256` of the media. */
  mediaSha256?: string;
  /** `contacts[].parent_user_id` (linked business portfolios). */
  parentUserId?: string;
  /** `contacts[].profile.username` (WhatsApp usernames, 2026). */
  username?: string;
  /** `system` `user_changed_number`: the user's new `wa_id`. */
  newWaId?: string;
  /** `interactive.nfm_reply` (WhatsApp Flows): `response_json`, parsed; undefined if it was not JSON. */
  flowResponse?: unknown;
  /** The phone number id that received it (`metadata.phone_number_id`). */
  phoneNumberId?: string;
}

/** A message event with WhatsApp's extra details. Assignable to core's `InboundMessageEvent`. */
export interface WhatsAppInboundMessageEvent extends InboundMessageEvent {
  whatsapp: WhatsAppMessageDetails;
}

/** What WhatsApp says about a status beyond core's event. */
export interface WhatsAppStatusDetails {
  /** The raw status: `played` is reported to core as `read`. */
  status: string;
  /** `biz_opaque_callback_data` echoed from the send. */
  bizOpaqueCallbackData?: string;
  /** `pricing`, as sent (optional since v24). */
  pricing?: JsonRecord;
  conversationId?: string;
  /** All of `errors[]`, for `failed`. */
  errors?: { code: string; title?: string; message?: string; details?: string }[];
}

export interface WhatsAppMessageStatusEvent extends MessageStatusEvent {
  whatsapp: WhatsAppStatusDetails;
}

/** Which channel a body is parsed for: events of other numbers or WABAs are skipped. */
export interface WhatsAppWebhookScope {
  phoneNumberId: string;
  /** Template updates are per WABA; without it they are kept whatever their WABA. */
  wabaId?: string;
}

/** Change fields we know and do not turn into events (quality, account and history updates). */
const quietFields = new Set([
  'message_template_quality_update',
  'message_template_components_update',
  'template_category_update',
  'phone_number_quality_update',
  'phone_number_name_update',
  'account_update',
  'account_review_update',
  'account_alerts',
  'account_settings_update',
  'business_capability_update',
  'business_status_update',
  'security',
  'user_preferences',
  'user_id_update',
  'history',
  'smb_app_state_sync',
  'flows',
  'calls',
  'partner_solutions',
  'payment_configuration_update',
  'automatic_events',
  'tracking_events',
]);

const mediaKinds: readonly MediaKind[] = ['image', 'video', 'audio', 'document', 'sticker'];
const phoneLike = /^\+?[\d\s\-().]{5,24}$/;

/**
 * Digits of a phone number (`+1 650-555-1234` → `16505551234`), or undefined if it is not one:
 * E.164 numbers have at most 15 digits (`from: 1e20` is not a phone).
 */
function phoneDigits(value: unknown): string | undefined {
  const text = stringOrNumber(value);
  if (text === undefined || !phoneLike.test(text)) return undefined;
  const digits = text.replace(/\D/g, '');
  return digits.length >= 5 && digits.length <= 15 ? digits : undefined;
}

class Collector {
  readonly events: ChannelEvent[] = [];
  readonly problems: string[] = [];
  problem(where: string, what: string): void {
    if (this.problems.length < 1000) this.problems.push(`${where}: ${what}`);
    else if (this.problems.length === 1000) this.problems.push('… more problems not listed');
  }
}

/** Parses a WhatsApp webhook body for one channel. Never throws. */
export function parseWhatsAppWebhook(
  rawBody: Uint8Array,
  scope: WhatsAppWebhookScope,
): ParsedWebhook {
  try {
    return parseBody(rawBody, scope);
  } catch (error) {
    // A bug of ours, never the body's fault alone: report it rather than lose the request.
    return {
      ok: false,
      error: `WhatsApp webhook could not be parsed (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

function parseBody(rawBody: Uint8Array, scope: WhatsAppWebhookScope): ParsedWebhook {
  const json = parseJsonBody(rawBody);
  if (!json.ok) return { ok: false, error: `WhatsApp webhook: ${json.error}` };
  const body = json.value;
  if (!isRecord(body))
    return { ok: false, error: 'WhatsApp webhook: the body is not a JSON object' };
  if (body.object !== undefined && body.object !== 'whatsapp_business_account') {
    return {
      ok: false,
      error: `WhatsApp webhook: object is ${JSON.stringify(body.object)?.slice(0, 60)}, not "whatsapp_business_account"`,
    };
  }
  let entries: unknown[];
  if (Array.isArray(body.entry)) entries = body.entry;
  else if (typeof body.field === 'string' && body.value !== undefined) {
    // A dashboard test payload: a bare `{ field, value }` (webhook-edge-cases.md §9).
    entries = [{ changes: [{ field: body.field, value: body.value }] }];
  } else {
    return { ok: false, error: 'WhatsApp webhook: the body has no entry[] array' };
  }

  const out = new Collector();
  for (const [e, entry] of entries.entries()) {
    const where = `entry[${e}]`;
    if (!isRecord(entry)) {
      out.problem(where, 'not an object');
      continue;
    }
    if (!Array.isArray(entry.changes)) {
      out.problem(where, 'no changes[] array');
      continue;
    }
    const entryTime = parseTimestamp(entry.time);
    for (const [c, change] of entry.changes.entries()) {
      const at = `${where}.changes[${c}]`;
      try {
        const skipped = parseChange(change, entry, entryTime, scope, at, out);
        if (skipped !== undefined) out.problem(at, skipped);
      } catch (error) {
        out.problem(
          at,
          `could not be read (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    }
  }
  return out.problems.length > 0
    ? { ok: true, events: out.events, problems: out.problems }
    : { ok: true, events: out.events };
}

function parseChange(
  change: unknown,
  entry: JsonRecord,
  entryTime: number | undefined,
  scope: WhatsAppWebhookScope,
  at: string,
  out: Collector,
): string | undefined {
  if (!isRecord(change)) return 'not an object';
  const field = change.field;
  const value = change.value;
  if (typeof field !== 'string') return 'no field';
  if (field === 'message_template_status_update') {
    if (!isRecord(value)) return 'value is not an object';
    const waba = stringOrNumber(entry.id);
    if (scope.wabaId !== undefined && waba !== undefined && waba !== scope.wabaId) {
      return `template update for WABA ${waba}, not this channel's (${scope.wabaId}); skipped`;
    }
    const event = templateStatus(value);
    if (typeof event === 'string') return event;
    out.events.push(event);
    return undefined;
  }
  if (field !== 'messages' && field !== 'smb_message_echoes') {
    return quietFields.has(field)
      ? undefined
      : `change field "${field.slice(0, 80)}" is not handled; ignored`;
  }
  if (!isRecord(value)) return 'value is not an object';
  const metadata = isRecord(value.metadata) ? value.metadata : undefined;
  const phoneNumberId = stringOrNumber(metadata?.phone_number_id);
  if (phoneNumberId === undefined) {
    return 'no metadata.phone_number_id: cannot tell which number it is for; skipped';
  }
  if (phoneNumberId !== scope.phoneNumberId) {
    return `for phone number ${phoneNumberId.slice(0, 40)}, not this channel's (${scope.phoneNumberId}); skipped`;
  }
  const contacts = Array.isArray(value.contacts) ? value.contacts.filter(isRecord) : [];
  const lists: [string, (item: unknown) => ChannelEvent | string][] =
    field === 'messages'
      ? [
          ['messages', (m) => inboundMessage(m, contacts, entryTime, phoneNumberId, 'contact')],
          ['statuses', (s) => statusEvent(s, contacts, entryTime)],
        ]
      : [['message_echoes', (m) => inboundMessage(m, contacts, entryTime, phoneNumberId, 'echo')]];
  for (const [name, read] of lists) {
    const items = value[name];
    if (items === undefined) continue;
    if (!Array.isArray(items)) {
      out.problem(`${at}.value.${name}`, 'not an array');
      continue;
    }
    for (const [i, item] of items.entries()) {
      const where = `${at}.value.${name}[${i}]`;
      try {
        const result = read(item);
        if (typeof result === 'string') out.problem(where, result);
        else out.events.push(result);
      } catch (error) {
        out.problem(
          where,
          `could not be read (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    }
  }
  // Out-of-band errors: no event type in core; the operator sees them as problems.
  if (Array.isArray(value.errors)) {
    for (const [i, error] of value.errors.entries()) {
      out.problem(`${at}.value.errors[${i}]`, `WhatsApp reported ${describeError(error)}`);
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Messages

function matchContact(
  contacts: readonly JsonRecord[],
  phone: string | undefined,
  userId: string | undefined,
): JsonRecord | undefined {
  const found = contacts.find(
    (c) =>
      (phone !== undefined && phoneDigits(c.wa_id) === phone) ||
      (userId !== undefined && nonEmptyString(c.user_id) === userId),
  );
  if (found !== undefined) return found;
  return contacts.length === 1 && phone === undefined && userId === undefined
    ? contacts[0]
    : undefined;
}

function identity(
  contacts: readonly JsonRecord[],
  rawPhone: unknown,
  rawUserId: unknown,
  details: WhatsAppMessageDetails,
): ContactIdentity | undefined {
  let phone = phoneDigits(rawPhone);
  // A `from` that is not a phone number is a business-scoped user id.
  let userId =
    nonEmptyString(rawUserId) ?? (phone === undefined ? nonEmptyString(rawPhone) : undefined);
  const contact = matchContact(contacts, phone, userId);
  if (contact !== undefined) {
    phone ??= phoneDigits(contact.wa_id);
    userId ??= nonEmptyString(contact.user_id);
    const parent = nonEmptyString(contact.parent_user_id);
    if (parent !== undefined) details.parentUserId = parent;
  }
  if (phone === undefined && userId === undefined) return undefined;
  const profile = contact !== undefined && isRecord(contact.profile) ? contact.profile : undefined;
  const name = nonEmptyString(profile?.name);
  const username = nonEmptyString(profile?.username);
  if (username !== undefined) details.username = username;
  return {
    ...(userId !== undefined && { userId }),
    ...(phone !== undefined && { phone }),
    ...(name !== undefined && { name }),
  };
}

function inboundMessage(
  raw: unknown,
  contacts: readonly JsonRecord[],
  entryTime: number | undefined,
  phoneNumberId: string,
  source: 'contact' | 'echo',
): WhatsAppInboundMessageEvent | string {
  if (!isRecord(raw)) return 'not an object';
  const id = stringOrNumber(raw.id);
  if (id === undefined) return 'a message without an id; skipped';
  const timestamp = parseTimestamp(raw.timestamp) ?? entryTime;
  if (timestamp === undefined) {
    return `message ${id.slice(0, 100)} has no readable timestamp (${JSON.stringify(raw.timestamp)?.slice(0, 40)}); skipped`;
  }
  const details: WhatsAppMessageDetails = { phoneNumberId };
  // An echo is ours, sent from the WhatsApp Business app: the contact is its recipient.
  const contact =
    source === 'echo'
      ? identity(contacts, raw.to, raw.to_user_id, details)
      : identity(contacts, raw.from, raw.from_user_id, details);
  if (contact === undefined) {
    return `message ${id.slice(0, 100)} names no sender (no from, user id or matching contact); skipped`;
  }
  const content = messageContent(raw, details);
  const event: WhatsAppInboundMessageEvent = {
    type: 'message',
    source,
    platformMessageId: id,
    contact,
    timestamp,
    content,
    whatsapp: details,
  };
  if (isRecord(raw.context)) {
    const context = raw.context;
    const replyTo = nonEmptyString(context.id) ?? nonEmptyString(context.message_id);
    if (replyTo !== undefined) event.replyToPlatformMessageId = replyTo;
    if (context.forwarded === true) details.forwarded = true;
    if (context.frequently_forwarded === true) details.frequentlyForwarded = true;
    if (isRecord(context.referred_product)) {
      const catalogId = stringOrNumber(context.referred_product.catalog_id);
      const productRetailerId = stringOrNumber(context.referred_product.product_retailer_id);
      details.referredProduct = {
        ...(catalogId !== undefined && { catalogId }),
        ...(productRetailerId !== undefined && { productRetailerId }),
      };
    }
  }
  if (isRecord(raw.referral)) details.referral = raw.referral;
  return event;
}

const unsupported = (platformType: string, detail?: string): InboundContent =>
  detail === undefined
    ? { kind: 'unsupported', platformType }
    : { kind: 'unsupported', platformType, detail };

function messageContent(m: JsonRecord, details: WhatsAppMessageDetails): InboundContent {
  const type = nonEmptyString(m.type) ?? 'unknown';
  if ((mediaKinds as readonly string[]).includes(type))
    return mediaContent(type as MediaKind, m, details);
  switch (type) {
    case 'text': {
      const body = isRecord(m.text) ? m.text.body : undefined;
      return typeof body === 'string'
        ? { kind: 'text', text: body }
        : unsupported('text', 'a text message without text.body');
    }
    case 'interactive':
      return interactiveContent(m.interactive, details);
    case 'button': {
      // A tap on a template's quick-reply button: `payload` is what we set when sending.
      const button = isRecord(m.button) ? m.button : undefined;
      const payload = stringOrNumber(button?.payload);
      const text = nonEmptyString(button?.text);
      const id = payload ?? text;
      if (id === undefined)
        return unsupported('button', 'a template button reply without payload or text');
      return { kind: 'choice', id, title: text ?? id };
    }
    case 'location': {
      const location = isRecord(m.location) ? m.location : undefined;
      const latitude = finiteNumber(location?.latitude);
      const longitude = finiteNumber(location?.longitude);
      if (
        latitude === undefined ||
        longitude === undefined ||
        Math.abs(latitude) > 90 ||
        Math.abs(longitude) > 180
      ) {
        return unsupported('location', 'a location without valid latitude and longitude');
      }
      const name = nonEmptyString(location?.name);
      const address = nonEmptyString(location?.address);
      return {
        kind: 'location',
        latitude,
        longitude,
        ...(name !== undefined && { name }),
        ...(address !== undefined && { address }),
      };
    }
    case 'contacts': {
      if (!Array.isArray(m.contacts))
        return unsupported('contacts', 'a contacts message without contacts[]');
      return { kind: 'contacts', contacts: m.contacts.filter(isRecord).map(sharedContact) };
    }
    case 'reaction': {
      const reaction = isRecord(m.reaction) ? m.reaction : undefined;
      const target = nonEmptyString(reaction?.message_id);
      if (target === undefined) return unsupported('reaction', 'a reaction without message_id');
      // Removal: `emoji: ""` or no emoji at all (webhook-edge-cases.md §10).
      return {
        kind: 'reaction',
        emoji: nonEmptyString(reaction?.emoji) ?? null,
        targetMessageId: target,
      };
    }
    case 'system':
      return systemContent(m, details);
    default:
      // unsupported, unknown, order, request_welcome … kept, never dropped (§5).
      return unsupported(type.slice(0, 100), errorsDetail(m.errors));
  }
}

function mediaContent(
  kind: MediaKind,
  m: JsonRecord,
  details: WhatsAppMessageDetails,
): InboundContent {
  const media = m[kind];
  if (!isRecord(media)) return unsupported(kind, `a ${kind} message without its ${kind} object`);
  const mediaId = stringOrNumber(media.id);
  const url = nonEmptyString(media.url) ?? nonEmptyString(media.link);
  if (mediaId === undefined && url === undefined)
    return unsupported(kind, `a ${kind} without a media id or URL`);
  const mimeType = nonEmptyString(media.mime_type);
  const caption = nonEmptyString(media.caption);
  const filename = nonEmptyString(media.filename);
  if (media.voice === true) details.voice = true;
  const sha256 = nonEmptyString(media.sha256);
  if (sha256 !== undefined) details.mediaSha256 = sha256;
  return {
    kind: 'media',
    media: kind,
    ...(mediaId !== undefined && { mediaId }),
    ...(url !== undefined && { url }),
    ...(mimeType !== undefined && { mimeType }),
    ...(caption !== undefined && { caption }),
    ...(filename !== undefined && { filename }),
  };
}

function interactiveContent(raw: unknown, details: WhatsAppMessageDetails): InboundContent {
  if (!isRecord(raw))
    return unsupported('interactive', 'an interactive message without an interactive object');
  const type = nonEmptyString(raw.type) ?? 'unknown';
  if (type === 'button_reply' || type === 'list_reply') {
    const reply = isRecord(raw[type]) ? (raw[type] as JsonRecord) : undefined;
    const id = stringOrNumber(reply?.id);
    if (id === undefined) return unsupported(`interactive.${type}`, `a ${type} without an id`);
    return { kind: 'choice', id, title: nonEmptyString(reply?.title) ?? id };
  }
  if (type === 'nfm_reply') {
    // A WhatsApp Flow's answer: `response_json` is JSON inside a JSON string (§14).
    const reply = isRecord(raw.nfm_reply) ? raw.nfm_reply : undefined;
    const json = typeof reply?.response_json === 'string' ? reply.response_json : undefined;
    let valid = false;
    if (json !== undefined) {
      try {
        details.flowResponse = JSON.parse(json) as unknown;
        valid = true;
      } catch {
        valid = false;
      }
    }
    const name = nonEmptyString(reply?.name);
    const label = `WhatsApp Flow reply${name === undefined ? '' : ` (${name})`}`;
    return unsupported(
      'interactive.nfm_reply',
      json === undefined
        ? `${label} without response_json`
        : valid
          ? `${label}: ${json}`
          : `${label}; response_json is not valid JSON: ${json.slice(0, 200)}`,
    );
  }
  return unsupported(`interactive.${type.slice(0, 80)}`);
}

function systemContent(m: JsonRecord, details: WhatsAppMessageDetails): InboundContent {
  const system = isRecord(m.system) ? m.system : undefined;
  const type = nonEmptyString(system?.type) ?? 'unknown';
  const body = nonEmptyString(system?.body);
  if (type === 'user_changed_number' || type === 'customer_changed_number') {
    const newWaId = phoneDigits(system?.wa_id) ?? phoneDigits(system?.new_wa_id);
    if (newWaId !== undefined) details.newWaId = newWaId;
    const from = phoneDigits(m.from);
    return unsupported(
      `system.${type}`,
      newWaId !== undefined
        ? `the user changed their number${from === undefined ? '' : ` from ${from}`} to ${newWaId}`
        : (body ?? 'the user changed their number'),
    );
  }
  return unsupported(`system.${type.slice(0, 80)}`, body);
}

function sharedContact(c: JsonRecord): { name: string; phones: string[] } {
  const name = isRecord(c.name) ? c.name : undefined;
  const formatted =
    nonEmptyString(name?.formatted_name) ??
    [name?.first_name, name?.middle_name, name?.last_name]
      .filter((p) => typeof p === 'string' && p !== '')
      .join(' ');
  const phones = Array.isArray(c.phones)
    ? c.phones
        .filter(isRecord)
        .map((p) => nonEmptyString(p.phone) ?? stringOrNumber(p.wa_id))
        .filter((p): p is string => p !== undefined)
    : [];
  return { name: formatted, phones };
}

function describeError(error: unknown): string {
  if (!isRecord(error)) return 'an error it did not describe';
  const code = stringOrNumber(error.code) ?? 'without a code';
  const title = nonEmptyString(error.title) ?? nonEmptyString(error.message);
  const details = isRecord(error.error_data) ? nonEmptyString(error.error_data.details) : undefined;
  return `error ${code}${title === undefined ? '' : `: ${title}`}${details === undefined || details === title ? '' : ` — ${details}`}`;
}

function errorsDetail(errors: unknown): string | undefined {
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return describeError(errors[0]);
}

// ---------------------------------------------------------------------------------------
// Statuses

const statusMap: Record<string, MessageStatusEvent['status']> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  // First playback of a voice note: it has been heard, so at least read.
  played: 'read',
};

function statusEvent(
  raw: unknown,
  contacts: readonly JsonRecord[],
  entryTime: number | undefined,
): WhatsAppMessageStatusEvent | string {
  if (!isRecord(raw)) return 'not an object';
  const id = stringOrNumber(raw.id);
  if (id === undefined) return 'a status without a message id; skipped';
  const rawStatus = nonEmptyString(raw.status);
  const status = rawStatus === undefined ? undefined : statusMap[rawStatus.toLowerCase()];
  if (status === undefined) {
    return `status ${JSON.stringify(raw.status)?.slice(0, 40)} of message ${id.slice(0, 100)} is not one we know; skipped`;
  }
  const timestamp = parseTimestamp(raw.timestamp) ?? entryTime;
  if (timestamp === undefined)
    return `status of message ${id.slice(0, 100)} has no readable timestamp; skipped`;
  const details: WhatsAppStatusDetails = { status: rawStatus as string };
  const event: WhatsAppMessageStatusEvent = {
    type: 'status',
    platformMessageId: id,
    status,
    timestamp,
    whatsapp: details,
  };
  const ignored: WhatsAppMessageDetails = {};
  const contact = identity(contacts, raw.recipient_id, raw.recipient_user_id, ignored);
  if (contact !== undefined) event.contact = contact;
  const opaque = nonEmptyString(raw.biz_opaque_callback_data);
  if (opaque !== undefined) details.bizOpaqueCallbackData = opaque;
  if (isRecord(raw.pricing)) details.pricing = raw.pricing;
  if (isRecord(raw.conversation)) {
    const conversationId = stringOrNumber(raw.conversation.id);
    if (conversationId !== undefined) details.conversationId = conversationId;
  }
  const errors = Array.isArray(raw.errors) ? raw.errors.filter(isRecord) : [];
  if (errors.length > 0) {
    details.errors = errors.map((e) => {
      const title = nonEmptyString(e.title);
      const message = nonEmptyString(e.message);
      const errorDetails = isRecord(e.error_data)
        ? nonEmptyString(e.error_data.details)
        : undefined;
      return {
        code: stringOrNumber(e.code) ?? 'unknown',
        ...(title !== undefined && { title }),
        ...(message !== undefined && { message }),
        ...(errorDetails !== undefined && { details: errorDetails }),
      };
    });
  }
  if (status === 'failed') {
    const first = details.errors?.[0];
    event.error =
      first === undefined
        ? { code: 'unknown', message: 'WhatsApp reported the message failed without saying why' }
        : {
            code: first.code,
            message:
              first.details !== undefined
                ? `${first.title ?? first.message ?? 'Failed'}: ${first.details}`
                : (first.message ?? first.title ?? 'Failed'),
          };
  }
  return event;
}

// ---------------------------------------------------------------------------------------
// Templates

function templateStatus(value: JsonRecord): TemplateStatusEvent | string {
  const name = nonEmptyString(value.message_template_name);
  const event = nonEmptyString(value.event);
  if (name === undefined || event === undefined) {
    return 'a template status update without message_template_name or event; skipped';
  }
  const language = nonEmptyString(value.message_template_language);
  const templateId = stringOrNumber(value.message_template_id);
  const reasonCode = nonEmptyString(value.reason);
  const rejection = isRecord(value.rejection_info) ? value.rejection_info : undefined;
  const explanation = [nonEmptyString(rejection?.reason), nonEmptyString(rejection?.recommendation)]
    .filter((p) => p !== undefined)
    .join(' ');
  const reason =
    reasonCode !== undefined && reasonCode !== 'NONE'
      ? `${reasonCode}${explanation === '' ? '' : ` (${explanation})`}`
      : explanation !== ''
        ? explanation
        : undefined;
  return {
    type: 'template-status',
    templateName: name,
    status: event.toLowerCase(),
    ...(language !== undefined && { language }),
    ...(templateId !== undefined && { templateId }),
    ...(reason !== undefined && { reason }),
  };
}
