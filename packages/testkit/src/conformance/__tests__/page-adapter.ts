/**
 * A small Messenger/Instagram adapter, only for testing the conformance suite and
 * `metaHarness('messenger' | 'instagram')` before the real adapters exist. It implements the
 * interface plainly; it is not a reference for production code.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type AdapterCapabilities,
  AdapterError,
  type ChannelAdapter,
  type ChannelConfig,
  type ChannelEvent,
  type InboundContent,
  type OutboundMessage,
  type ParsedWebhook,
  type SendContext,
} from '@chatloom/core/adapter';
import { windowRules } from '@chatloom/flow-engine';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

function credential(channel: ChannelConfig, name: string): string {
  return channel.credentials[name] ?? '';
}

/** Cuts to `max` code points (or UTF-8 bytes), with an ellipsis. */
function cut(text: string, max: number, bytes = false): string {
  const size = (t: string) => (bytes ? Buffer.byteLength(t) : [...t].length);
  if (size(text) <= max) return text;
  const chars = [...text];
  while (chars.length > 0 && size(`${chars.join('')}…`) > max) chars.pop();
  return `${chars.join('')}…`;
}

export function createPageAdapter(
  platform: 'messenger' | 'instagram',
  settings: { baseUrl: string; timeoutMs: number },
): ChannelAdapter {
  const textLength = platform === 'messenger' ? 2000 : 1000;
  const capabilities: AdapterCapabilities = {
    limits: {
      textLength,
      buttons: 3,
      buttonTitle: 20,
      listRows: 0,
      rowTitle: 0,
      rowDescription: 0,
      caption: 0,
    },
    supports: {
      buttons: true,
      lists: false,
      templates: false,
      media: ['image', 'video', 'audio', 'document'],
      markAsRead: true,
    },
    window: windowRules[platform],
    messagesPerSecond: 100,
  };
  const fitText = (text: string) => cut(text, textLength, platform === 'instagram');
  const ownerId = (channel: ChannelConfig) =>
    String(
      platform === 'messenger' ? channel.settings.pageId : channel.settings.instagramAccountId,
    );

  async function call(
    channel: ChannelConfig,
    method: string,
    path: string,
    body?: Json,
  ): Promise<Json> {
    let response: Response;
    try {
      response = await fetch(`${settings.baseUrl}/v23.0/${path}`, {
        method,
        headers: {
          authorization: `Bearer ${credential(channel, 'accessToken')}`,
          'content-type': 'application/json',
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (error) {
      const timeout = error instanceof Error && error.name === 'TimeoutError';
      throw new AdapterError('retryable', `[page] ${method} ${path}: ${String(error)}`, {
        code: timeout ? 'timeout' : 'network',
        cause: error,
      });
    }
    const answer = (await response.json().catch(() => ({}))) as Json;
    if (response.ok) return answer;
    const error = isRecord(answer.error) ? answer.error : {};
    const code = typeof error.code === 'number' ? error.code : undefined;
    const message = `[page] ${method} ${path}: HTTP ${response.status} ${String(error.message)}`;
    if (code === 613 || code === 4) {
      throw new AdapterError('rate-limited', message, { code, retryAfterMs: 60_000 });
    }
    if (code === 10 && (error.error_subcode === 2018278 || error.error_subcode === 2534022)) {
      throw new AdapterError('window-closed', message, { code });
    }
    if (response.status >= 500 || error.is_transient === true || code === 1 || code === 2) {
      throw new AdapterError('retryable', message, { code: code ?? response.status });
    }
    throw new AdapterError('permanent', message, { code: code ?? response.status });
  }

  const post = (context: SendContext, payload: Json) =>
    call(context.channel, 'POST', `${ownerId(context.channel)}/messages`, {
      recipient: { id: context.to.userId },
      ...payload,
    });

  function lettered(message: Extract<OutboundMessage, { kind: 'buttons' | 'list' | 'options' }>) {
    const lines = [message.text];
    let i = 0;
    const add = (title: string, key?: string) => {
      lines.push(`${key ?? (i < 26 ? String.fromCharCode(65 + i) : `Z${i - 25}`)}. ${title}`);
      i++;
    };
    if (message.kind === 'buttons') for (const b of message.buttons) add(b.title);
    if (message.kind === 'list') {
      for (const s of message.sections) {
        if (s.title) lines.push(`*${s.title}*`);
        for (const r of s.rows) add(r.title);
      }
    }
    if (message.kind === 'options') {
      for (const g of message.groups) {
        if (g.title) lines.push(`*${g.title}*`);
        for (const o of g.options) add(o.title, o.key);
      }
    }
    return { text: fitText(lines.join('\n')) };
  }

  async function send(message: OutboundMessage, context: SendContext) {
    const base = { messaging_type: 'RESPONSE' };
    const bodies: Json[] = [];
    switch (message.kind) {
      case 'text':
        bodies.push({ message: { text: fitText(message.text) } });
        break;
      case 'media':
        bodies.push({
          message: {
            attachment: {
              type: message.media === 'document' ? 'file' : message.media,
              payload: { url: message.url },
            },
          },
        });
        if (message.caption) bodies.push({ message: { text: fitText(message.caption) } });
        break;
      case 'template':
        throw new AdapterError('permanent', `[page] ${platform} has no templates`, {
          code: 'no-templates',
        });
      case 'buttons':
      case 'list': {
        const choices =
          message.kind === 'buttons' ? message.buttons : message.sections.flatMap((s) => s.rows);
        if (message.kind === 'buttons' && choices.length <= 3 && [...message.text].length <= 640) {
          bodies.push({
            message: {
              attachment: {
                type: 'template',
                payload: {
                  template_type: 'button',
                  text: message.text,
                  buttons: choices.map((c) => ({
                    type: 'postback',
                    title: cut(c.title, 20),
                    payload: c.id,
                  })),
                },
              },
            },
          });
        } else if (choices.length <= 13) {
          bodies.push({
            message: {
              text: fitText(message.text),
              quick_replies: choices.map((c) => ({
                content_type: 'text',
                title: cut(c.title, 20),
                payload: c.id,
              })),
            },
          });
        } else bodies.push({ message: lettered(message) });
        break;
      }
      case 'options':
        bodies.push({ message: lettered(message) });
        break;
    }
    let first: string | undefined;
    for (const body of bodies) {
      const answer = await post(context, { ...base, ...body });
      first ??= str(answer.message_id);
    }
    if (first === undefined) throw new AdapterError('retryable', '[page] no message id');
    return { platformMessageId: first };
  }

  function parseWebhook(rawBody: Uint8Array, _channel: ChannelConfig): ParsedWebhook {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
    } catch (error) {
      return { ok: false, error: `not JSON: ${String(error)}` };
    }
    const object = platform === 'messenger' ? 'page' : 'instagram';
    if (!isRecord(body) || body.object !== object || !Array.isArray(body.entry)) {
      return { ok: false, error: `not a ${object} webhook` };
    }
    const events: ChannelEvent[] = [];
    const problems: string[] = [];
    for (const [e, entry] of body.entry.entries()) {
      if (!isRecord(entry)) {
        problems.push(`entry[${e}] is not an object`);
        continue;
      }
      for (const list of ['messaging', 'standby'] as const) {
        const items = entry[list];
        if (items === undefined) continue;
        if (!Array.isArray(items)) {
          problems.push(`entry[${e}].${list} is not an array`);
          continue;
        }
        for (const [i, item] of items.entries()) {
          const result = readEvent(item, list === 'standby');
          if (typeof result === 'string') problems.push(`entry[${e}].${list}[${i}]: ${result}`);
          else events.push(...result);
        }
      }
    }
    return problems.length > 0 ? { ok: true, events, problems } : { ok: true, events };
  }

  function readEvent(item: unknown, standby: boolean): ChannelEvent[] | string {
    if (!isRecord(item)) return 'not an object';
    const sender = isRecord(item.sender) ? str(item.sender.id) : undefined;
    const recipient = isRecord(item.recipient) ? str(item.recipient.id) : undefined;
    const timestamp =
      typeof item.timestamp === 'number' && Number.isFinite(item.timestamp)
        ? item.timestamp
        : undefined;
    if (sender === undefined || timestamp === undefined) return 'no sender or timestamp';
    if (isRecord(item.delivery)) {
      const mids = Array.isArray(item.delivery.mids)
        ? item.delivery.mids.filter((m) => str(m))
        : [];
      return mids.map((mid) => ({
        type: 'status',
        platformMessageId: String(mid),
        status: 'delivered',
        timestamp,
      }));
    }
    if (isRecord(item.read)) {
      const mid = str(item.read.mid);
      return mid === undefined
        ? []
        : [{ type: 'status', platformMessageId: mid, status: 'read', timestamp }];
    }
    if (isRecord(item.reaction)) {
      const target = str(item.reaction.mid);
      if (target === undefined) return 'a reaction without a mid';
      const emoji = item.reaction.action === 'unreact' ? null : (str(item.reaction.emoji) ?? null);
      return [
        {
          type: 'message',
          source: standby ? 'standby' : 'contact',
          platformMessageId: `reaction:${target}:${sender}:${timestamp}`,
          contact: { userId: sender },
          timestamp,
          content: { kind: 'reaction', emoji, targetMessageId: target },
        },
      ];
    }
    const postback = isRecord(item.postback) ? item.postback : undefined;
    const message = isRecord(item.message) ? item.message : undefined;
    if (item.message !== undefined && message === undefined) return 'message is not an object';
    const mid = str(postback?.mid) ?? str(message?.mid);
    if (postback === undefined && message === undefined) return [];
    if (mid === undefined) return 'a message without a mid';
    const echo = message?.is_echo === true;
    const contact = echo ? recipient : sender;
    if (contact === undefined) return 'no recipient for an echo';
    let content: InboundContent;
    if (postback !== undefined) {
      content = {
        kind: 'choice',
        id: String(postback.payload ?? ''),
        title: String(postback.title ?? ''),
      };
      if (content.id === '') content = { kind: 'unsupported', platformType: 'postback' };
    } else if (message?.is_deleted === true) {
      content = { kind: 'unsupported', platformType: 'deleted' };
    } else if (isRecord(message?.quick_reply) && str(message.quick_reply.payload)) {
      content = {
        kind: 'choice',
        id: String(message.quick_reply.payload),
        title: String(message.text ?? ''),
      };
    } else if (typeof message?.text === 'string') {
      content = { kind: 'text', text: message.text };
    } else {
      const attachment = Array.isArray(message?.attachments) ? message.attachments[0] : undefined;
      const type = isRecord(attachment) ? str(attachment.type) : undefined;
      const url =
        isRecord(attachment) && isRecord(attachment.payload)
          ? str(attachment.payload.url)
          : undefined;
      const media = { image: 'image', video: 'video', audio: 'audio', file: 'document' } as const;
      content =
        type !== undefined && type in media && url !== undefined
          ? { kind: 'media', media: media[type as keyof typeof media], url }
          : { kind: 'unsupported', platformType: type ?? 'message' };
    }
    const replyTo = isRecord(message?.reply_to) ? str(message.reply_to.mid) : undefined;
    return [
      {
        type: 'message',
        source: echo ? 'echo' : standby ? 'standby' : 'contact',
        platformMessageId: mid,
        contact: { userId: contact },
        timestamp,
        content,
        ...(replyTo !== undefined && { replyToPlatformMessageId: replyTo }),
      },
    ];
  }

  return {
    adapterApiVersion: 1,
    platform,
    capabilities,
    verifyHandshake(query, channel) {
      const token = query['hub.verify_token'];
      const challenge = query['hub.challenge'];
      const expected = Buffer.from(credential(channel, 'verifyToken'));
      const given = Buffer.from(typeof token === 'string' ? token : '');
      const same =
        expected.length > 0 && expected.length === given.length && timingSafeEqual(expected, given);
      return query['hub.mode'] === 'subscribe' && same && typeof challenge === 'string'
        ? { ok: true, challenge }
        : { ok: false, reason: 'bad handshake' };
    },
    verifySignature(rawBody, headers, channel) {
      const header = headers['x-hub-signature-256'];
      if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
      const expected = `sha256=${createHmac('sha256', credential(channel, 'appSecret')).update(rawBody).digest('hex')}`;
      return timingSafeEqual(Buffer.from(expected), Buffer.from(header));
    },
    parseWebhook,
    send,
    async markAsRead(_id, context) {
      await post(context, { sender_action: 'mark_seen' });
    },
    async validateCredentials(channel) {
      try {
        await call(channel, 'GET', ownerId(channel));
        return { ok: true };
      } catch (error) {
        if (AdapterError.isInstance(error) && !error.isRetryable)
          return { ok: false, reason: error.message };
        throw error;
      }
    },
  };
}
