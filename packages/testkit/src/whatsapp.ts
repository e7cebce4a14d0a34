import { createHash } from 'node:crypto';
import {
  GraphError,
  invalidValue,
  unknownPath,
  unsupportedRequest,
  whatsAppError,
  whatsAppErrorTitles,
  whatsAppMissing,
  whatsAppParamError,
} from './graph-error.js';
import { type GraphRequest, type GraphResponse, ok } from './graph-request.js';
import type { FakeState, PhoneNumber, Waba } from './state.js';
import { checkTemplateParameters, findSendableTemplate } from './templates.js';
import type {
  MediaRecord,
  UserMessageDelivery,
  WebhookDelivery,
  WhatsAppStatus,
  WhatsAppStatusError,
  WhatsAppUserMessage,
} from './types.js';
import { isHttpUrl, isNonEmptyString, isRecord, type JsonRecord, longerThan } from './values.js';

const day = 24 * 60 * 60 * 1000;
const reEngagementDetails =
  'Message failed to send because more than 24 hours have passed since the customer last replied to this number.';
const mediaKinds = ['image', 'video', 'audio', 'document', 'sticker'] as const;
type MediaKind = (typeof mediaKinds)[number];
const messageTypes = new Set<string>([
  'text',
  ...mediaKinds,
  'interactive',
  'template',
  'location',
  'contacts',
  'reaction',
]);
const interactiveTypes = new Set([
  'button',
  'list',
  'cta_url',
  'flow',
  'product',
  'product_list',
  'catalog_message',
  'location_request_message',
  'call_permission_request',
]);

/** `/{phone-number-id}[/messages|/media]`. */
export function handlePhoneNumberNode(
  state: FakeState,
  req: GraphRequest,
  phone: PhoneNumber,
): GraphResponse {
  if (req.edge === undefined) {
    if (req.method !== 'GET') throw unsupportedRequest(req.method, phone.id);
    return ok(selectFields(phoneInfo(phone), req.query.fields), 'whatsapp');
  }
  if (req.rest.length > 0) throw unknownPath(`${req.edge}/${req.rest.join('/')}`);
  if (req.edge === 'messages' && req.method === 'POST') return sendMessage(state, req, phone);
  if (req.edge === 'media' && req.method === 'POST') return uploadMedia(state, req, phone);
  throw unknownPath(req.edge);
}

function phoneInfo(phone: PhoneNumber): JsonRecord {
  return {
    verified_name: phone.verifiedName,
    code_verification_status: 'VERIFIED',
    display_phone_number: phone.displayPhoneNumber,
    quality_rating: phone.qualityRating,
    platform_type: 'CLOUD_API',
    throughput: { level: 'STANDARD' },
    id: phone.id,
  };
}

/** Keeps the requested `fields` (plus `id`), as Graph does; all when none are asked for. */
export function selectFields(all: JsonRecord, fields: string | undefined): JsonRecord {
  if (fields === undefined) return all;
  const out: JsonRecord = {};
  for (const f of fields.split(',')) {
    const name = f.trim();
    if (all[name] !== undefined) out[name] = all[name];
  }
  out.id = all.id;
  return out;
}

/** `POST /{phone-number-id}/messages`: validation in Meta's order, then window and acceptance. */
function sendMessage(state: FakeState, req: GraphRequest, phone: PhoneNumber): GraphResponse {
  const now = state.now();
  if (!phone.limiter.tryAcquire(now)) {
    throw whatsAppError(130429, 'Cloud API message throughput has been reached.');
  }
  const p = req.params;
  if (p.messaging_product === undefined) throw whatsAppMissing('messaging_product');
  if (p.messaging_product !== 'whatsapp') {
    throw whatsAppParamError(
      `Param messaging_product must be one of {WHATSAPP} - got "${String(p.messaging_product)}".`,
    );
  }
  if (p.status !== undefined) return markAsRead(state, p, phone, now);

  const recipientType = p.recipient_type ?? 'individual';
  if (recipientType !== 'individual' && recipientType !== 'group') {
    throw whatsAppParamError(
      `Param recipient_type must be one of {GROUP, INDIVIDUAL} - got "${String(recipientType)}".`,
    );
  }
  let recipient: string;
  let waId: string | undefined;
  if (typeof p.to === 'string' && p.to.length > 0) {
    recipient = p.to;
    if (recipientType === 'individual') {
      waId = p.to.replace(/[\s+\-().]/g, '');
      if (!/^\d{5,15}$/.test(waId)) {
        throw new GraphError(100, '(#100) Invalid parameter', {
          details: `Param to is not a valid phone number: "${p.to}"`,
        });
      }
    }
  } else if (typeof p.recipient === 'string' && p.recipient.length > 0) {
    recipient = p.recipient; // business-scoped user ID (BSUID)
  } else {
    throw whatsAppMissing('to');
  }
  const type = p.type === undefined ? 'text' : p.type;
  if (typeof type !== 'string' || !messageTypes.has(type)) {
    throw whatsAppParamError(
      `Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO} - got "${String(type)}".`,
    );
  }
  if (
    p.context !== undefined &&
    (!isRecord(p.context) || !isNonEmptyString(p.context.message_id))
  ) {
    throw whatsAppMissing("context['message_id']");
  }
  const opaque = p.biz_opaque_callback_data;
  if (opaque !== undefined && (typeof opaque !== 'string' || longerThan(opaque, 512))) {
    throw invalidValue('biz_opaque_callback_data length invalid. Max length: 512');
  }

  let templateCategory: string | undefined;
  switch (type) {
    case 'text':
      validateText(p.text);
      break;
    case 'interactive':
      validateInteractive(state, p.interactive);
      break;
    case 'template': {
      const template = validateTemplateSend(state, p.template, phone);
      templateCategory = template.category.toLowerCase();
      break;
    }
    case 'location':
      validateLocation(p.location);
      break;
    case 'contacts':
      validateContacts(p.contacts);
      break;
    case 'reaction':
      validateReaction(p.reaction);
      break;
    default:
      validateMedia(state, type as MediaKind, p[type], type, {
        caption: type !== 'audio' && type !== 'sticker',
      });
  }

  let windowClosed = false;
  if (templateCategory === undefined && recipientType === 'individual' && state.enforceWindow) {
    const last = state.lastInbound('whatsapp', phone.id, waId ?? recipient);
    windowClosed = last === undefined || now - last > day;
    if (windowClosed && state.windowErrors === 'sync') {
      throw whatsAppError(131047, reEngagementDetails);
    }
  }

  const id = state.wamid(waId ?? recipient);
  state.remember(state.outbound, id, {
    phoneNumberId: phone.id,
    recipient,
    waId,
    bizOpaqueCallbackData: typeof opaque === 'string' ? opaque : undefined,
    templateCategory,
  });
  state.lastOutbound.set(`${phone.id}|${waId ?? recipient}`, id);
  state.recordSent({
    channel: 'whatsapp',
    id,
    to: recipient,
    from: phone.id,
    type,
    body: p,
    at: now,
  });

  if (windowClosed) {
    state.background(() =>
      sendWhatsAppStatus(state, id, 'failed', {
        code: 131047,
        details: reEngagementDetails,
      }),
    );
  } else if (state.autoStatuses !== undefined) {
    const auto = state.autoStatuses;
    state.background(async () => {
      await sendWhatsAppStatus(state, id, 'sent');
      if (auto.delivered) {
        await state.sleep(auto.delayMs);
        await sendWhatsAppStatus(state, id, 'delivered');
        if (auto.read) {
          await state.sleep(auto.delayMs);
          await sendWhatsAppStatus(state, id, 'read');
        }
      }
    }, auto.delayMs);
  }

  const contact =
    p.to === undefined
      ? { input: recipient, user_id: recipient }
      : { input: recipient, wa_id: waId ?? recipient };
  const message = templateCategory === undefined ? { id } : { id, message_status: 'accepted' };
  return ok(
    { messaging_product: 'whatsapp', contacts: [contact], messages: [message] },
    'whatsapp',
  );
}

function markAsRead(
  state: FakeState,
  p: JsonRecord,
  phone: PhoneNumber,
  now: number,
): GraphResponse {
  if (p.status !== 'read') {
    throw whatsAppParamError(`Param status must be one of {READ} - got "${String(p.status)}".`);
  }
  if (!isNonEmptyString(p.message_id)) throw whatsAppMissing('message_id');
  const inbound = state.inbound.get(p.message_id);
  if (inbound === undefined || inbound.phoneNumberId !== phone.id) {
    throw invalidValue(
      `Invalid message_id: no message ${p.message_id} was received by this phone number`,
    );
  }
  if (now - inbound.at > 30 * day) {
    throw invalidValue('Message is older than 30 days and can no longer be marked as read');
  }
  const typing = p.typing_indicator;
  if (typing !== undefined && (!isRecord(typing) || typing.type !== 'text')) {
    throw whatsAppParamError(`Param typing_indicator['type'] must be one of {TEXT}.`);
  }
  return ok({ success: true }, 'whatsapp');
}

function validateText(text: unknown): void {
  if (!isRecord(text) || !isNonEmptyString(text.body)) throw whatsAppMissing("text['body']");
  if (longerThan(text.body, 4096)) {
    throw whatsAppParamError("Param text['body'] must be at most 4096 characters long.");
  }
  if (text.preview_url !== undefined && typeof text.preview_url !== 'boolean') {
    throw whatsAppParamError("Param text['preview_url'] must be a boolean.");
  }
}

function validateMedia(
  state: FakeState,
  kind: MediaKind,
  media: unknown,
  path: string,
  allow: { caption: boolean },
): void {
  if (!isRecord(media)) throw whatsAppMissing(path);
  const hasId = media.id !== undefined;
  const hasLink = media.link !== undefined;
  if (!hasId && !hasLink)
    throw whatsAppError(131008, `Parameter ${path} requires either an id or a link`);
  if (hasId && hasLink) throw invalidValue(`Parameter ${path} must have only one of id and link`);
  if (hasId) {
    if (typeof media.id !== 'string' || !state.media.has(media.id)) {
      throw whatsAppParamError(
        `Param ${path}['id'] is not a valid whatsapp business account media attachment ID`,
      );
    }
  } else if (!isHttpUrl(media.link)) {
    throw invalidValue(`Parameter ${path}['link'] must be an http or https URL`);
  }
  if (media.caption !== undefined) {
    if (!allow.caption)
      throw whatsAppParamError(`Param ${path}['caption'] is not supported for ${kind} messages.`);
    if (typeof media.caption !== 'string')
      throw whatsAppParamError(`Param ${path}['caption'] must be a string.`);
    if (longerThan(media.caption, 1024)) {
      throw whatsAppParamError(`Param ${path}['caption'] must be at most 1024 characters long.`);
    }
  }
  if (media.filename !== undefined && typeof media.filename !== 'string') {
    throw whatsAppParamError(`Param ${path}['filename'] must be a string.`);
  }
}

function checkLength(value: unknown, max: number, details: string, missingName: string): string {
  if (value === undefined) throw whatsAppMissing(missingName);
  if (typeof value !== 'string' || value.length === 0 || longerThan(value, max))
    throw invalidValue(details);
  return value;
}

/** Reply-button and list messages get Meta's documented limits; other interactive types a shape check. */
function validateInteractive(state: FakeState, interactive: unknown): void {
  if (!isRecord(interactive)) throw whatsAppMissing('interactive');
  const kind = interactive.type;
  if (kind === undefined) throw whatsAppMissing("interactive['type']");
  if (typeof kind !== 'string' || !interactiveTypes.has(kind)) {
    throw whatsAppParamError(
      `Param interactive['type'] must be one of {BUTTON, CALL_PERMISSION_REQUEST, CATALOG_MESSAGE, CTA_URL, FLOW, LIST, LOCATION_REQUEST_MESSAGE, PRODUCT, PRODUCT_LIST} - got "${String(kind)}".`,
    );
  }
  const action = interactive.action;
  if (kind !== 'button' && kind !== 'list') {
    if (kind !== 'location_request_message' && !isRecord(action))
      throw whatsAppMissing("interactive['action']");
    return;
  }
  const body = interactive.body;
  if (body === undefined) throw whatsAppMissing("interactive['body']");
  if (!isRecord(body) || !isNonEmptyString(body.text))
    throw whatsAppMissing("interactive['body']['text']");
  const bodyMax = kind === 'list' ? 4096 : 1024;
  if (longerThan(body.text, bodyMax)) {
    throw invalidValue(`Body text length invalid. Min length: 1, Max length: ${bodyMax}`);
  }
  const header = interactive.header;
  if (header !== undefined) {
    if (!isRecord(header) || header.type === undefined)
      throw whatsAppMissing("interactive['header']['type']");
    if (kind === 'list' && header.type !== 'text') {
      throw invalidValue('Header type invalid. List messages support only text headers');
    }
    if (header.type === 'text') {
      checkLength(
        header.text,
        60,
        'Header text length invalid. Min length: 1, Max length: 60',
        "interactive['header']['text']",
      );
    } else if (header.type === 'image' || header.type === 'video' || header.type === 'document') {
      validateMedia(
        state,
        header.type,
        header[header.type],
        `interactive['header']['${header.type}']`,
        { caption: false },
      );
    } else {
      throw whatsAppParamError(
        `Param interactive['header']['type'] must be one of {DOCUMENT, IMAGE, TEXT, VIDEO} - got "${String(header.type)}".`,
      );
    }
  }
  const footer = interactive.footer;
  if (footer !== undefined) {
    if (!isRecord(footer)) throw whatsAppMissing("interactive['footer']['text']");
    checkLength(
      footer.text,
      60,
      'Footer text length invalid. Min length: 1, Max length: 60',
      "interactive['footer']['text']",
    );
  }
  if (!isRecord(action)) throw whatsAppMissing("interactive['action']");
  if (kind === 'button') validateReplyButtons(action);
  else validateListAction(action);
}

function validateReplyButtons(action: JsonRecord): void {
  const buttons = action.buttons;
  if (!Array.isArray(buttons)) throw whatsAppMissing("interactive['action']['buttons']");
  if (buttons.length < 1 || buttons.length > 3) {
    throw invalidValue('Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3');
  }
  const ids = new Set<string>();
  const titles = new Set<string>();
  for (const [i, button] of buttons.entries()) {
    const path = `interactive['action']['buttons'][${i}]`;
    if (!isRecord(button) || button.type === undefined) throw whatsAppMissing(`${path}['type']`);
    if (button.type !== 'reply') {
      throw whatsAppParamError(
        `Param ${path}['type'] must be one of {REPLY} - got "${String(button.type)}".`,
      );
    }
    const reply = button.reply;
    if (!isRecord(reply)) throw whatsAppMissing(`${path}['reply']`);
    const id = checkLength(
      reply.id,
      256,
      'Button id length invalid. Min length: 1, Max length: 256',
      `${path}['reply']['id']`,
    );
    if (id.trim() !== id) throw invalidValue('Button id cannot have leading or trailing spaces');
    const title = checkLength(
      reply.title,
      20,
      'Button title length invalid. Min length: 1, Max length: 20',
      `${path}['reply']['title']`,
    );
    if (ids.has(id)) throw invalidValue('Duplicate button id');
    if (titles.has(title)) throw invalidValue('Duplicate button title');
    ids.add(id);
    titles.add(title);
  }
}

function validateListAction(action: JsonRecord): void {
  checkLength(
    action.button,
    20,
    'Button text length invalid. Min length: 1, Max length: 20',
    "interactive['action']['button']",
  );
  const sections = action.sections;
  if (!Array.isArray(sections)) throw whatsAppMissing("interactive['action']['sections']");
  if (sections.length < 1 || sections.length > 10) {
    throw invalidValue('Invalid sections count. Min allowed sections: 1, Max allowed sections: 10');
  }
  let rows = 0;
  for (const section of sections)
    if (isRecord(section) && Array.isArray(section.rows)) rows += section.rows.length;
  if (rows > 10) throw invalidValue('Total row count exceed max allowed count: 10');
  const rowIds = new Set<string>();
  for (const [s, section] of sections.entries()) {
    const path = `interactive['action']['sections'][${s}]`;
    if (!isRecord(section)) throw whatsAppMissing(`${path}['rows']`);
    if (section.title === undefined) {
      if (sections.length > 1)
        throw invalidValue('Section title is required when a list has more than one section');
    } else if (
      typeof section.title !== 'string' ||
      section.title.length === 0 ||
      longerThan(section.title, 24)
    ) {
      throw invalidValue('Section title length invalid. Min length: 1, Max length: 24');
    }
    if (!Array.isArray(section.rows)) throw whatsAppMissing(`${path}['rows']`);
    if (section.rows.length === 0)
      throw invalidValue('Section rows count invalid. Min allowed rows: 1');
    for (const [r, row] of section.rows.entries()) {
      const rowPath = `${path}['rows'][${r}]`;
      if (!isRecord(row)) throw whatsAppMissing(`${rowPath}['id']`);
      const id = checkLength(
        row.id,
        200,
        'Row id is too long. Max length is 200',
        `${rowPath}['id']`,
      );
      checkLength(row.title, 24, 'Row title is too long. Max length is 24', `${rowPath}['title']`);
      if (
        row.description !== undefined &&
        (typeof row.description !== 'string' || longerThan(row.description, 72))
      ) {
        throw invalidValue('Row description is too long. Max length is 72');
      }
      if (rowIds.has(id)) throw invalidValue('Duplicate row id');
      rowIds.add(id);
    }
  }
}

function validateTemplateSend(state: FakeState, template: unknown, phone: PhoneNumber) {
  if (!isRecord(template)) throw whatsAppMissing('template');
  if (!isNonEmptyString(template.name)) throw whatsAppMissing("template['name']");
  const language = template.language;
  if (!isRecord(language)) throw whatsAppMissing("template['language']");
  if (!isNonEmptyString(language.code)) throw whatsAppMissing("template['language']['code']");
  if (language.policy !== undefined && String(language.policy).toLowerCase() !== 'deterministic') {
    throw whatsAppParamError(
      "The parameter template['language']['policy'] must be one of {DETERMINISTIC}.",
    );
  }
  const stored = findSendableTemplate(state, phone.wabaId, template.name, language.code);
  checkTemplateParameters(state, stored, template.components);
  return stored;
}

function validateLocation(location: unknown): void {
  if (!isRecord(location)) throw whatsAppMissing('location');
  for (const axis of ['latitude', 'longitude'] as const) {
    const value = location[axis];
    if (value === undefined) throw whatsAppMissing(`location['${axis}']`);
    if (!Number.isFinite(Number(value)))
      throw whatsAppParamError(`Param location['${axis}'] must be a number.`);
  }
}

function validateContacts(contacts: unknown): void {
  if (!Array.isArray(contacts) || contacts.length === 0) throw whatsAppMissing('contacts');
  for (const [i, contact] of contacts.entries()) {
    if (
      !isRecord(contact) ||
      !isRecord(contact.name) ||
      !isNonEmptyString(contact.name.formatted_name)
    ) {
      throw whatsAppMissing(`contacts[${i}]['name']['formatted_name']`);
    }
  }
}

function validateReaction(reaction: unknown): void {
  if (!isRecord(reaction) || !isNonEmptyString(reaction.message_id))
    throw whatsAppMissing("reaction['message_id']");
  if (typeof reaction.emoji !== 'string') throw whatsAppMissing("reaction['emoji']");
}

const uploadTypes: Record<string, number> = {
  'audio/aac': 16,
  'audio/amr': 16,
  'audio/mpeg': 16,
  'audio/mp4': 16,
  'audio/ogg': 16,
  'image/jpeg': 5,
  'image/png': 5,
  'image/webp': 0.5,
  'video/mp4': 16,
  'video/3gpp': 16,
  'text/plain': 100,
  'application/pdf': 100,
  'application/msword': 100,
  'application/vnd.ms-excel': 100,
  'application/vnd.ms-powerpoint': 100,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 100,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 100,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 100,
};

function uploadMedia(state: FakeState, req: GraphRequest, phone: PhoneNumber): GraphResponse {
  if (req.params.messaging_product === undefined) throw whatsAppMissing('messaging_product');
  if (req.params.messaging_product !== 'whatsapp') {
    throw whatsAppParamError('Param messaging_product must be one of {WHATSAPP}.');
  }
  const file = req.files.find((f) => f.field === 'file');
  if (file === undefined) throw whatsAppMissing('file');
  const type =
    (typeof req.params.type === 'string' ? req.params.type : file.type).split(';')[0]?.trim() ?? '';
  const maxMb = uploadTypes[type];
  if (maxMb === undefined) {
    throw whatsAppError(
      131053,
      `Param file must be a file with one of the following types: ${Object.keys(uploadTypes).join(', ')}. Received file of type '${type}'.`,
    );
  }
  if (file.data.length > maxMb * 1024 * 1024) {
    throw whatsAppError(
      131053,
      `File is too big: ${file.data.length} bytes, max ${maxMb} MB for ${type}`,
    );
  }
  const id = state.numericId();
  state.media.set(id, mediaRecord(id, phone.id, type, file.data, file.filename));
  return ok({ id }, 'whatsapp');
}

/** A media object with its SHA-256. */
export function mediaRecord(
  id: string,
  phoneNumberId: string,
  mimeType: string,
  data: Buffer,
  filename?: string,
): MediaRecord {
  const record: MediaRecord = {
    id,
    phoneNumberId,
    mimeType,
    sha256: createHash('sha256').update(data).digest('hex'),
    data,
  };
  if (filename !== undefined) record.filename = filename;
  return record;
}

/** `GET|DELETE /{media-id}`. */
export function handleMediaNode(
  state: FakeState,
  req: GraphRequest,
  media: MediaRecord,
): GraphResponse {
  if (req.edge !== undefined) throw unknownPath(req.edge);
  const owner = req.query.phone_number_id;
  if (owner !== undefined && owner !== media.phoneNumberId) {
    throw whatsAppParamError(`Media ${media.id} does not belong to phone number ${owner}.`);
  }
  if (req.method === 'DELETE') {
    state.media.delete(media.id);
    return ok({ success: true }, 'whatsapp');
  }
  if (req.method !== 'GET') throw unsupportedRequest(req.method, media.id);
  const expires = Math.floor(state.now() / 1000) + 300;
  const hash = createHash('sha256')
    .update(`${media.id}:${expires}:${state.appSecret}`)
    .digest('hex')
    .slice(0, 20);
  return ok(
    {
      url: `${state.baseUrl}/whatsapp_business/attachments/?mid=${media.id}&ext=${expires}&hash=${hash}`,
      mime_type: media.mimeType,
      sha256: media.sha256,
      file_size: media.data.length,
      id: media.id,
      messaging_product: 'whatsapp',
    },
    'whatsapp',
  );
}

/** The media download URL: needs the bearer token and expires after 5 minutes (fake clock). */
export function downloadMedia(state: FakeState, query: Record<string, string>): GraphResponse {
  const media = state.media.get(query.mid ?? '');
  const expires = Number(query.ext);
  if (media === undefined || !Number.isFinite(expires)) {
    return { status: 404, body: { error: { message: 'Media not found', code: 100 } } };
  }
  if (Math.floor(state.now() / 1000) > expires) {
    return { status: 404, body: { error: { message: 'URL signature expired', code: 100 } } };
  }
  return {
    status: 200,
    body: { mediaId: media.id, bytes: media.data.length },
    raw: { data: media.data, contentType: media.mimeType },
    channel: 'whatsapp',
  };
}

/** `/{waba-id}[/subscribed_apps|/message_templates|/phone_numbers]` (templates are routed elsewhere). */
export async function handleWabaNode(
  state: FakeState,
  req: GraphRequest,
  waba: Waba,
): Promise<GraphResponse> {
  if (req.edge === undefined) {
    if (req.method !== 'GET') throw unsupportedRequest(req.method, waba.id);
    const info = {
      id: waba.id,
      name: 'Chatloom Test WABA',
      currency: 'USD',
      timezone_id: '1',
      message_template_namespace: `ns_${waba.id}`,
    };
    return ok(selectFields(info, req.query.fields), 'whatsapp');
  }
  if (req.edge === 'phone_numbers' && req.method === 'GET') {
    const data = [...state.phoneNumbers.values()]
      .filter((p) => p.wabaId === waba.id)
      .map(phoneInfo);
    return ok({ data, paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } }, 'whatsapp');
  }
  if (req.edge === 'subscribed_apps') return wabaSubscribedApps(state, req, waba);
  throw unknownPath(req.edge);
}

async function wabaSubscribedApps(
  state: FakeState,
  req: GraphRequest,
  waba: Waba,
): Promise<GraphResponse> {
  const app = {
    link: `https://www.facebook.com/games/?app_id=${state.appId}`,
    name: 'Chatloom Test App',
    id: state.appId,
  };
  if (req.method === 'GET') {
    const data = waba.subscribed
      ? [
          waba.overrideCallbackUri === undefined
            ? { whatsapp_business_api_data: app }
            : { whatsapp_business_api_data: app, override_callback_uri: waba.overrideCallbackUri },
        ]
      : [];
    return ok({ data }, 'whatsapp');
  }
  if (req.method === 'DELETE') {
    waba.subscribed = false;
    waba.overrideCallbackUri = undefined;
    return ok({ success: true }, 'whatsapp');
  }
  if (req.method !== 'POST') throw unsupportedRequest(req.method, waba.id);
  const override = req.params.override_callback_uri;
  if (override !== undefined) {
    if (!isHttpUrl(override) || override.length > 200) {
      throw new GraphError(
        100,
        '(#100) Param override_callback_uri must be a valid URL of at most 200 characters',
      );
    }
    const verifyToken = req.params.verify_token;
    if (!isNonEmptyString(verifyToken))
      throw new GraphError(100, '(#100) The parameter verify_token is required');
    await verifyCallback(override, verifyToken);
    waba.overrideCallbackUri = override;
  }
  waba.subscribed = true;
  return ok({ success: true }, 'whatsapp');
}

/** Meta's verification handshake on a callback URL before it is accepted. */
export async function verifyCallback(url: string, verifyToken: string): Promise<void> {
  const challenge = String(Math.floor(Math.random() * 1e9));
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.challenge', challenge);
  target.searchParams.set('hub.verify_token', verifyToken);
  let detail: string;
  try {
    const response = await fetch(target, { signal: AbortSignal.timeout(5000) });
    const text = await response.text();
    if (response.status === 200 && text === challenge) return;
    detail =
      response.status === 200
        ? 'The URL couldn\'t be validated. Response does not match challenge, expected value="' +
          challenge +
          '", received="' +
          text.slice(0, 100) +
          '"'
        : `The URL couldn't be validated. Callback verification failed with the following errors: HTTP Status Code = ${response.status}; HTTP Message = ${response.statusText}`;
  } catch (error) {
    detail = `The URL couldn't be validated. ${error instanceof Error ? error.message : String(error)}`;
  }
  throw new GraphError(
    2200,
    `(#2200) Callback verification failed with the following errors: ${detail}`,
  );
}

function whatsAppWebhookUrl(state: FakeState, phone: PhoneNumber): string | undefined {
  return (
    state.webhookUrlsById.get(phone.id) ??
    state.wabas.get(phone.wabaId)?.overrideCallbackUri ??
    state.webhookUrlFor('whatsapp', [phone.wabaId])
  );
}

async function deliverWhatsApp(
  state: FakeState,
  phone: PhoneNumber,
  payload: unknown,
): Promise<WebhookDelivery> {
  const url = whatsAppWebhookUrl(state, phone);
  if (state.wabas.get(phone.wabaId)?.subscribed === false) {
    return state.undelivered(
      url,
      payload,
      `the app is not subscribed to WABA ${phone.wabaId} (POST /${phone.wabaId}/subscribed_apps)`,
    );
  }
  return state.deliver(url, payload);
}

function envelope(phone: PhoneNumber, value: JsonRecord): JsonRecord {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: phone.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: phone.displayPhoneNumber,
                phone_number_id: phone.id,
              },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

const defaultMime: Record<MediaKind, string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/ogg; codecs=opus',
  document: 'application/pdf',
  sticker: 'image/webp',
};

/** Builds, signs and posts an inbound-message webhook; opens the user's window. */
export async function whatsAppUserSends(
  state: FakeState,
  input: WhatsAppUserMessage,
): Promise<UserMessageDelivery> {
  const phone = state.phoneNumber(input.phoneNumberId);
  const from = input.from?.replace(/\D/g, '');
  const userKey = from ?? input.userId;
  if (userKey === undefined)
    throw new Error('[chatloom/testkit] whatsapp.userSends needs `from` or `userId`');
  const at = input.timestamp ?? state.now();
  const id = input.id ?? state.wamid(userKey);
  if (from !== undefined) state.openWindow('whatsapp', phone.id, from, at);
  if (input.userId !== undefined) state.openWindow('whatsapp', phone.id, input.userId, at);
  state.remember(state.inbound, id, { phoneNumberId: phone.id, at });

  const message: JsonRecord = {};
  const replyContext = input.context ?? contextFor(state, phone, userKey, input);
  if (replyContext !== undefined) {
    message.context = { from: replyContext.from ?? phone.displayPhoneNumber, id: replyContext.id };
  }
  if (from !== undefined) message.from = from;
  message.id = id;
  message.timestamp = String(Math.floor(at / 1000));
  if ('text' in input) {
    message.type = 'text';
    message.text = { body: input.text };
  } else if ('buttonReply' in input) {
    message.type = 'interactive';
    message.interactive = { type: 'button_reply', button_reply: { ...input.buttonReply } };
  } else if ('listReply' in input) {
    message.type = 'interactive';
    message.interactive = { type: 'list_reply', list_reply: { ...input.listReply } };
  } else if ('templateButton' in input) {
    message.type = 'button';
    message.button = { payload: input.templateButton.payload, text: input.templateButton.text };
  } else if ('media' in input) {
    const m = input.media;
    const mimeType =
      m.mimeType ?? (m.voice === true ? 'audio/ogg; codecs=opus' : defaultMime[m.kind]);
    const data =
      m.data === undefined
        ? Buffer.from(`fake ${m.kind} bytes`)
        : Buffer.from(typeof m.data === 'string' ? m.data : m.data);
    const mediaId = state.numericId();
    const record = mediaRecord(mediaId, phone.id, mimeType, data, m.filename);
    state.media.set(mediaId, record);
    const payload: JsonRecord = {};
    if (m.caption !== undefined) payload.caption = m.caption;
    if (m.filename !== undefined) payload.filename = m.filename;
    payload.mime_type = mimeType;
    payload.sha256 = record.sha256;
    payload.id = mediaId;
    if (m.kind === 'audio') payload.voice = m.voice === true;
    message.type = m.kind;
    message[m.kind] = payload;
  } else if ('location' in input) {
    message.type = 'location';
    message.location = { ...input.location };
  } else if ('reaction' in input) {
    message.type = 'reaction';
    message.reaction =
      input.reaction.emoji === undefined
        ? { message_id: input.reaction.messageId }
        : { message_id: input.reaction.messageId, emoji: input.reaction.emoji };
  } else if ('contacts' in input) {
    message.type = 'contacts';
    message.contacts = input.contacts;
  } else {
    Object.assign(message, input.message);
  }

  const contact: JsonRecord = { profile: { name: input.name ?? 'Test User' } };
  if (from !== undefined) contact.wa_id = from;
  if (input.userId !== undefined) contact.user_id = input.userId;
  const payload = envelope(phone, { contacts: [contact], messages: [message] });
  return { ...(await deliverWhatsApp(state, phone, payload)), messageId: id };
}

function contextFor(
  state: FakeState,
  phone: PhoneNumber,
  userKey: string,
  input: WhatsAppUserMessage,
): { id: string; from?: string } | undefined {
  if (!('buttonReply' in input) && !('listReply' in input) && !('templateButton' in input))
    return undefined;
  const last = state.lastOutbound.get(`${phone.id}|${userKey}`);
  return last === undefined ? undefined : { id: last };
}

/** Posts a status webhook for an accepted outbound message. */
export async function sendWhatsAppStatus(
  state: FakeState,
  wamid: string,
  status: WhatsAppStatus,
  error?: WhatsAppStatusError,
): Promise<WebhookDelivery> {
  const out = state.outbound.get(wamid);
  if (out === undefined)
    throw new Error(`[chatloom/testkit] no outbound WhatsApp message ${wamid}`);
  const phone = state.phoneNumber(out.phoneNumberId);
  const entry: JsonRecord = {
    id: wamid,
    status,
    timestamp: String(Math.floor(state.now() / 1000)),
    recipient_id: out.waId ?? out.recipient,
  };
  if (out.bizOpaqueCallbackData !== undefined)
    entry.biz_opaque_callback_data = out.bizOpaqueCallbackData;
  if (status === 'sent' || status === 'delivered') {
    const billable =
      out.templateCategory === 'marketing' || out.templateCategory === 'authentication';
    if (Number(state.apiVersion.slice(1)) < 24) {
      entry.conversation = {
        id: createHash('md5').update(`${phone.id}|${entry.recipient_id}`).digest('hex'),
        origin: { type: out.templateCategory ?? 'service' },
      };
    }
    entry.pricing = {
      billable,
      pricing_model: 'PMP',
      category: out.templateCategory ?? 'service',
      type: billable ? 'regular' : 'free_customer_service',
    };
  }
  if (status === 'failed') {
    const code = error?.code ?? 131000;
    const title = error?.title ?? whatsAppErrorTitles[code] ?? 'Something went wrong';
    entry.errors = [
      {
        code,
        title,
        message: error?.message ?? title,
        error_data: { details: error?.details ?? title },
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      },
    ];
  }
  return deliverWhatsApp(state, phone, envelope(phone, { statuses: [entry] }));
}
