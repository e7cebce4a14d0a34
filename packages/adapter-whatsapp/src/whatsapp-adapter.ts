/**
 * `createWhatsAppAdapter(settings)`: the WhatsApp Business Cloud API as a Chatloom channel
 * adapter (`@chatloom/core/adapter`, version 1). One adapter serves every WhatsApp channel;
 * what differs per channel (phone number id, WABA id, tokens) arrives in each call's
 * `ChannelConfig`.
 */
import { createHash } from 'node:crypto';
import {
  AdapterError,
  adapterApiVersion,
  type ChannelAdapter,
  type ChannelConfig,
  type ContactIdentity,
  type CredentialCheck,
  type NewTemplate,
  type OutboundMessage,
  type SendContext,
  type SendResult,
  type SubscribeOptions,
  type TemplateInfo,
} from '@chatloom/core/adapter';
import {
  createGraphClient,
  type GraphClient,
  graphErrorInfo,
  graphPath,
  headerValue,
  isRecord,
  nonEmptyString,
  stringOrNumber,
  verifyHubHandshake,
  verifyHubSignature,
} from '@chatloom/meta-graph';
import { whatsAppCapabilities } from './capabilities.js';
import { whatsAppErrorTable } from './errors.js';
import { parseWhatsAppWebhook } from './parse-webhook.js';
import { renderWhatsAppMessage, type WhatsAppRendering } from './render-message.js';
import {
  optionalCredential,
  optionalSetting,
  requireCredential,
  requireSetting,
} from './settings.js';

/** Settings of {@link createWhatsAppAdapter}; all optional. */
export interface WhatsAppAdapterSettings {
  /** Graph API base URL (default `https://graph.facebook.com`; tests use the fake's URL). */
  graphApiBaseUrl?: string;
  /** Graph API version (default `v23.0`). */
  apiVersion?: string;
  /** A `fetch` implementation (default the global one). */
  fetch?: typeof globalThis.fetch;
  /** Timeout of one Graph call in ms (default 30 000). */
  timeoutMs?: number;
  /** Label of the list button when reply buttons degrade to a list (default `☰`). */
  listButtonLabel?: string;
  /** Largest media download in bytes (default 100 MB, WhatsApp's document limit). */
  maxMediaBytes?: number;
}

/** A file to upload to WhatsApp's media store. */
export interface WhatsAppUpload {
  data: Uint8Array | Blob;
  /** `image/jpeg`, `audio/ogg`, `application/pdf` … */
  mimeType: string;
  filename?: string;
}

/** Media downloaded from WhatsApp. */
export interface WhatsAppDownload {
  data: Uint8Array;
  mimeType: string | undefined;
  /** Hex SHA-256 Meta reported (checked against the bytes). */
  sha256: string | undefined;
  fileSize: number | undefined;
}

/** The WhatsApp adapter: core's interface, every optional member, and media helpers. */
export interface WhatsAppAdapter extends ChannelAdapter {
  readonly platform: 'whatsapp';
  markAsRead(platformMessageId: string, context: SendContext): Promise<void>;
  validateCredentials(channel: ChannelConfig): Promise<CredentialCheck>;
  subscribe(channel: ChannelConfig, options: SubscribeOptions): Promise<void>;
  listTemplates(channel: ChannelConfig): Promise<TemplateInfo[]>;
  createTemplate(channel: ChannelConfig, template: NewTemplate): Promise<TemplateInfo>;
  deleteTemplate(channel: ChannelConfig, template: { name: string; id?: string }): Promise<void>;
  /** What `send` would post for a message (no I/O): the payload, its form, and what was cut. */
  render(message: OutboundMessage): WhatsAppRendering;
  /** Uploads a file (`POST /{phone-number-id}/media`); its id can be sent or used in templates. */
  uploadMedia(channel: ChannelConfig, file: WhatsAppUpload): Promise<{ mediaId: string }>;
  /** Downloads an inbound message's media (`GET /{media-id}`, then its short-lived URL). */
  downloadMedia(channel: ChannelConfig, mediaId: string): Promise<WhatsAppDownload>;
}

const templateName = /^[a-z0-9_]{1,512}$/;

/** Who a message goes to: a phone number (`to`) or, for username-only users, a BSUID (`recipient`). */
function recipientOf(to: ContactIdentity): { to: string } | { recipient: string } {
  const phone = to.phone?.replace(/\D/g, '');
  if (phone !== undefined && phone !== '') return { to: phone };
  if (to.userId !== undefined && to.userId !== '') return { recipient: to.userId };
  throw new AdapterError(
    'permanent',
    '[WhatsApp] the recipient has neither a phone number nor a user id',
    {
      code: 'no-recipient',
    },
  );
}

export function createWhatsAppAdapter(settings: WhatsAppAdapterSettings = {}): WhatsAppAdapter {
  const client: GraphClient = createGraphClient({
    ...(settings.graphApiBaseUrl !== undefined && { baseUrl: settings.graphApiBaseUrl }),
    apiVersion: settings.apiVersion ?? 'v23.0',
    ...(settings.fetch !== undefined && { fetch: settings.fetch }),
    ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
    errors: whatsAppErrorTable,
  });
  const renderOptions =
    settings.listButtonLabel === undefined ? {} : { listButtonLabel: settings.listButtonLabel };
  const render = (message: OutboundMessage) => renderWhatsAppMessage(message, renderOptions);

  async function postMessage(
    channel: ChannelConfig,
    body: Record<string, unknown>,
    rateLimitScope?: string,
  ): Promise<unknown> {
    const phoneNumberId = requireSetting(channel, 'phoneNumberId');
    return client.request({
      method: 'POST',
      path: graphPath(phoneNumberId, 'messages'),
      accessToken: requireCredential(channel, 'accessToken'),
      json: body,
      ...(rateLimitScope !== undefined && { rateLimitScope: `${phoneNumberId}|${rateLimitScope}` }),
    });
  }

  async function send(message: OutboundMessage, context: SendContext): Promise<SendResult> {
    const recipient = recipientOf(context.to);
    const { content } = render(message);
    const body: Record<string, unknown> = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      ...recipient,
      ...content,
    };
    if (context.replyToPlatformMessageId !== undefined && context.replyToPlatformMessageId !== '') {
      body.context = { message_id: context.replyToPlatformMessageId };
    }
    const answer = await postMessage(
      context.channel,
      body,
      'to' in recipient ? recipient.to : recipient.recipient,
    );
    const messages = isRecord(answer) && Array.isArray(answer.messages) ? answer.messages : [];
    const first = messages[0];
    const id = isRecord(first) ? nonEmptyString(first.id) : undefined;
    if (id === undefined) {
      throw new AdapterError(
        'retryable',
        '[WhatsApp] Meta accepted the message but returned no message id; it may have been sent (a retry can duplicate it)',
        { code: 'invalid-response' },
      );
    }
    return { platformMessageId: id };
  }

  async function markAsRead(platformMessageId: string, context: SendContext): Promise<void> {
    await postMessage(context.channel, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: platformMessageId,
    });
  }

  async function validateCredentials(channel: ChannelConfig): Promise<CredentialCheck> {
    const missing = (['accessToken', 'appSecret', 'verifyToken'] as const).filter(
      (name) => optionalCredential(channel, name) === undefined,
    );
    const missingSettings = (['phoneNumberId', 'wabaId'] as const).filter(
      (name) => optionalSetting(channel, name) === undefined,
    );
    if (missing.length > 0 || missingSettings.length > 0) {
      return {
        ok: false,
        reason: `Missing ${[...missingSettings.map((n) => `settings.${n}`), ...missing.map((n) => `credentials.${n}`)].join(', ')}`,
      };
    }
    const phoneNumberId = requireSetting(channel, 'phoneNumberId');
    const wabaId = requireSetting(channel, 'wabaId');
    const accessToken = requireCredential(channel, 'accessToken');
    const refused = (error: unknown, what: 'phone' | 'waba'): CredentialCheck => {
      if (!AdapterError.isInstance(error) || error.isRetryable) throw error;
      const info = graphErrorInfo(error);
      const said =
        info === undefined
          ? error.message
          : `Graph error ${info.code ?? info.status}: ${info.message}`;
      if (info?.code === 190 || info?.code === 102) {
        return {
          ok: false,
          reason: `The access token was refused (${said}): it is invalid, expired or revoked. Create a new system-user token with whatsapp_business_messaging and whatsapp_business_management.`,
        };
      }
      if (info?.code === 100) {
        return {
          ok: false,
          reason:
            what === 'phone'
              ? `Phone number id "${phoneNumberId}" was not found, or this token cannot see it (${said}). Copy the phone number id from WhatsApp Manager → API Setup.`
              : `WhatsApp Business Account id "${wabaId}" was not found, or this token cannot see it (${said}).`,
        };
      }
      const code = info?.code;
      if (code !== undefined && (code === 10 || (code >= 200 && code <= 299))) {
        return {
          ok: false,
          reason: `The token lacks a permission (${said}). Grant whatsapp_business_messaging and whatsapp_business_management.`,
        };
      }
      return { ok: false, reason: error.message };
    };
    let phone: unknown;
    try {
      phone = await client.request({
        path: graphPath(phoneNumberId),
        accessToken,
        query: { fields: 'id,display_phone_number,verified_name,quality_rating' },
      });
    } catch (error) {
      return refused(error, 'phone');
    }
    const numbers: string[] = [];
    try {
      for await (const item of client.paginate({
        path: graphPath(wabaId, 'phone_numbers'),
        accessToken,
        query: { fields: 'id', limit: 100 },
      })) {
        const id = isRecord(item) ? stringOrNumber(item.id) : undefined;
        if (id !== undefined) numbers.push(id);
      }
    } catch (error) {
      return refused(error, 'waba');
    }
    if (!numbers.includes(phoneNumberId)) {
      return {
        ok: false,
        reason: `Phone number id "${phoneNumberId}" does not belong to WhatsApp Business Account "${wabaId}" (its numbers: ${numbers.join(', ') || 'none'}).`,
      };
    }
    const p = isRecord(phone) ? phone : {};
    const details: Record<string, unknown> = { phoneNumberId, wabaId };
    for (const [from, to] of [
      ['display_phone_number', 'displayPhoneNumber'],
      ['verified_name', 'verifiedName'],
      ['quality_rating', 'qualityRating'],
    ] as const) {
      if (typeof p[from] === 'string') details[to] = p[from];
    }
    return { ok: true, details };
  }

  async function subscribe(channel: ChannelConfig, options: SubscribeOptions): Promise<void> {
    const wabaId = requireSetting(channel, 'wabaId');
    const json: Record<string, string> = {};
    if (options.callbackUrl !== undefined) {
      const verifyToken = options.verifyToken ?? optionalCredential(channel, 'verifyToken');
      if (verifyToken === undefined) {
        throw new AdapterError(
          'permanent',
          '[WhatsApp] a callback URL needs a verify token (options.verifyToken or credentials.verifyToken): Meta runs the handshake on it first',
          { code: 'missing-verifyToken' },
        );
      }
      json.override_callback_uri = options.callbackUrl;
      json.verify_token = verifyToken;
    }
    const answer = await client.request({
      method: 'POST',
      path: graphPath(wabaId, 'subscribed_apps'),
      accessToken: requireCredential(channel, 'accessToken'),
      json,
    });
    if (!isRecord(answer) || answer.success !== true) {
      throw new AdapterError(
        'retryable',
        `[WhatsApp] subscribed_apps did not confirm: ${JSON.stringify(answer)?.slice(0, 200)}`,
        {
          code: 'invalid-response',
        },
      );
    }
  }

  const templateInfo = (item: unknown): TemplateInfo | undefined => {
    if (!isRecord(item)) return undefined;
    const name = nonEmptyString(item.name);
    const language = nonEmptyString(item.language);
    const status = nonEmptyString(item.status);
    if (name === undefined || language === undefined || status === undefined) return undefined;
    const id = stringOrNumber(item.id);
    const category = nonEmptyString(item.category);
    return {
      name,
      language,
      status: status.toLowerCase(),
      ...(id !== undefined && { id }),
      ...(category !== undefined && { category }),
      ...(item.components !== undefined && { components: item.components }),
    };
  };

  async function listTemplates(channel: ChannelConfig): Promise<TemplateInfo[]> {
    const templates: TemplateInfo[] = [];
    for await (const item of client.paginate({
      path: graphPath(requireSetting(channel, 'wabaId'), 'message_templates'),
      accessToken: requireCredential(channel, 'accessToken'),
      query: { fields: 'id,name,language,status,category,components', limit: 100 },
    })) {
      const info = templateInfo(item);
      if (info !== undefined) templates.push(info);
    }
    return templates;
  }

  async function createTemplate(
    channel: ChannelConfig,
    template: NewTemplate,
  ): Promise<TemplateInfo> {
    if (!templateName.test(template.name)) {
      throw new AdapterError(
        'permanent',
        `[WhatsApp] template name "${template.name.slice(0, 100)}": use lowercase letters, digits and "_" (at most 512)`,
        { code: 'invalid-template' },
      );
    }
    const answer = await client.request({
      method: 'POST',
      path: graphPath(requireSetting(channel, 'wabaId'), 'message_templates'),
      accessToken: requireCredential(channel, 'accessToken'),
      json: {
        name: template.name,
        language: template.language,
        category: template.category,
        components: template.components,
      },
    });
    const a = isRecord(answer) ? answer : {};
    const id = stringOrNumber(a.id);
    return {
      name: template.name,
      language: template.language,
      category: nonEmptyString(a.category) ?? template.category,
      status: (nonEmptyString(a.status) ?? 'PENDING').toLowerCase(),
      components: template.components,
      ...(id !== undefined && { id }),
    };
  }

  async function deleteTemplate(
    channel: ChannelConfig,
    template: { name: string; id?: string },
  ): Promise<void> {
    await client.request({
      method: 'DELETE',
      path: graphPath(requireSetting(channel, 'wabaId'), 'message_templates'),
      accessToken: requireCredential(channel, 'accessToken'),
      query: { name: template.name, hsm_id: template.id },
    });
  }

  async function uploadMedia(
    channel: ChannelConfig,
    file: WhatsAppUpload,
  ): Promise<{ mediaId: string }> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.mimeType);
    const blob =
      file.data instanceof Blob ? file.data : new Blob([file.data], { type: file.mimeType });
    form.set('file', blob, file.filename ?? 'file');
    const answer = await client.request({
      method: 'POST',
      path: graphPath(requireSetting(channel, 'phoneNumberId'), 'media'),
      accessToken: requireCredential(channel, 'accessToken'),
      form,
    });
    const mediaId = isRecord(answer) ? stringOrNumber(answer.id) : undefined;
    if (mediaId === undefined) {
      throw new AdapterError('retryable', '[WhatsApp] the media upload returned no id', {
        code: 'invalid-response',
      });
    }
    return { mediaId };
  }

  async function downloadMedia(channel: ChannelConfig, mediaId: string): Promise<WhatsAppDownload> {
    const accessToken = requireCredential(channel, 'accessToken');
    const phoneNumberId = optionalSetting(channel, 'phoneNumberId');
    const meta = await client.request({
      path: graphPath(mediaId),
      accessToken,
      query: { phone_number_id: phoneNumberId },
    });
    const m = isRecord(meta) ? meta : {};
    const url = nonEmptyString(m.url);
    if (url === undefined) {
      throw new AdapterError(
        'retryable',
        `[WhatsApp] media ${mediaId} came without a download URL`,
        {
          code: 'invalid-response',
        },
      );
    }
    const file = await client.download(url, {
      accessToken,
      ...(settings.maxMediaBytes !== undefined && { maxBytes: settings.maxMediaBytes }),
    });
    const sha256 = nonEmptyString(m.sha256);
    if (
      sha256 !== undefined &&
      createHash('sha256').update(file.data).digest('hex') !== sha256.toLowerCase()
    ) {
      throw new AdapterError(
        'retryable',
        `[WhatsApp] media ${mediaId}: the download does not match its SHA-256`,
        {
          code: 'corrupt-media',
        },
      );
    }
    const size = m.file_size;
    return {
      data: file.data,
      mimeType: nonEmptyString(m.mime_type) ?? file.contentType,
      sha256,
      fileSize:
        typeof size === 'number' ? size : typeof size === 'string' ? Number(size) : undefined,
    };
  }

  return {
    adapterApiVersion,
    platform: 'whatsapp',
    capabilities: whatsAppCapabilities,
    verifyHandshake: (query, channel) =>
      verifyHubHandshake(query, optionalCredential(channel, 'verifyToken')),
    verifySignature: (rawBody, headers, channel) =>
      verifyHubSignature(
        rawBody,
        headerValue(headers, 'x-hub-signature-256'),
        optionalCredential(channel, 'appSecret') ?? '',
      ),
    parseWebhook(rawBody, channel) {
      const phoneNumberId = optionalSetting(channel, 'phoneNumberId');
      if (phoneNumberId === undefined) {
        return {
          ok: false,
          error: `channel "${channel.id}" has no settings.phoneNumberId; cannot tell its webhooks apart`,
        };
      }
      const wabaId = optionalSetting(channel, 'wabaId');
      return parseWhatsAppWebhook(rawBody, {
        phoneNumberId,
        ...(wabaId !== undefined && { wabaId }),
      });
    },
    send,
    markAsRead,
    validateCredentials,
    subscribe,
    listTemplates,
    createTemplate,
    deleteTemplate,
    render,
    uploadMedia,
    downloadMedia,
  };
}
