/**
 * Webhooks of the Messenger Platform family — `object: "page"` (Messenger) and
 * `object: "instagram"` (Instagram messaging) — as core's normalised events. Both send
 * `entry[].messaging[]` events of the same shapes; what differs is which appear (Messenger's
 * delivery and read watermarks, Instagram's `read.mid`, unsends and story replies), so one
 * parser reads both. Synchronous, no I/O, never throws: a body that is not the platform's is
 * `{ ok: false }`; inside a good body every entry and event is read on its own, and one that
 * cannot be read is skipped and described in `problems` (webhook-edge-cases.md §3–§5, §7–§10,
 * §13, §18, §19).
 */
import type {
  ChannelEvent,
  DeliveryStatus,
  InboundContent,
  InboundMessageEvent,
  MessageSource,
  MessageStatusEvent,
  ParsedWebhook,
} from '@chatloom/core/adapter';
import {
  finiteNumber,
  isRecord,
  type JsonRecord,
  nonEmptyString,
  parseJsonBody,
  stringOrNumber,
} from './json.js';
import { parseTimestamp } from './timestamps.js';

/** Which channel a body is parsed for. */
export interface MessagingWebhookScope {
  /** The webhook `object`: `page` (Messenger) or `instagram`. */
  object: 'page' | 'instagram';
  /** The platform's name in errors and problems (`Messenger`). */
  platform: string;
  /** The `entry[].id` this channel owns: the Page id, or the Instagram professional account id. */
  accountId: string;
  /** The key events carry their details under (`messenger`, `instagram`). */
  detailsKey: string;
}

/** What the platform says about an event beyond core's event. */
export interface MessagingEventDetails {
  /** `entry[].id`: the Page or Instagram account the event arrived for. */
  accountId: string;
  /** From `entry[].standby[]`: another app owns the thread (handover protocol). */
  standby?: boolean;
  /**
   * Delivery and read receipts of Messenger are watermarks (epoch ms): every message sent
   * before it is delivered or read. A receipt without message ids is one status event whose
   * `platformMessageId` is `watermark:<status>:<contact>:<watermark>` — it matches no message —
   * with this watermark (see the adapter READMEs).
   */
  watermark?: number;
  /** Echoes: the app that sent the message (absent when a person sent it from the Page's inbox). */
  appId?: string;
  /** Echoes: the `metadata` sent with the message. */
  metadata?: string;
  /** The attachment's own type (`image`, `share`, `story_mention`, `ig_reel`, `like_heart`, `fallback` …). */
  attachmentType?: string;
  /** The attachment's URL, when it has one (Instagram's CDN URLs are signed and expire). */
  url?: string;
  /** A shared link's or reel's title. */
  title?: string;
  /** Messenger stickers: `payload.sticker_id`. */
  stickerId?: string;
  /** Instagram: a reply to a story (`reply_to.story`). */
  replyToStory?: { id?: string; url?: string };
  /** `referral` of a message or postback (ads, m.me / ig.me links), as sent. */
  referral?: JsonRecord;
  /** Reactions: Meta's name of the reaction (`love`) and the action. */
  reaction?: string;
  reactionAction?: string;
  /** Instagram unsends (`is_deleted`): the id of the message the person took back. */
  deletedMessageId?: string;
}

/** The parser's result, with the details on every event under `scope.detailsKey`. */
export function parseMessagingWebhook(
  rawBody: Uint8Array,
  scope: MessagingWebhookScope,
): ParsedWebhook {
  try {
    return parseBody(rawBody, scope);
  } catch (error) {
    // A bug of ours, never the body's fault alone: report it rather than lose the request.
    return {
      ok: false,
      error: `${scope.platform} webhook could not be parsed (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

class Collector {
  readonly events: ChannelEvent[] = [];
  readonly problems: string[] = [];
  problem(where: string, what: string): void {
    if (this.problems.length < 1000) this.problems.push(`${where}: ${what}`);
    else if (this.problems.length === 1000) this.problems.push('… more problems not listed');
  }
}

/** Event keys we know and do not turn into events (opt-ins, referrals, handover, edits …). */
const quietEvents = [
  'optin',
  'referral',
  'account_linking',
  'pass_thread_control',
  'take_thread_control',
  'request_thread_control',
  'app_roles',
  'policy_enforcement',
  'message_edit',
  'response_feedback',
  'messaging_feedback',
  'game_play',
  'checkout_update',
  'payment',
  'pre_checkout',
];

/** `changes[]` fields of comments, mentions and insights: not direct messages. */
const quietFields = new Set([
  'comments',
  'live_comments',
  'mentions',
  'story_insights',
  'feed',
  'message_template_status_update',
]);

/** Meta's reaction names, for reactions sent without an emoji. */
const reactionEmoji: Readonly<Record<string, string>> = {
  love: '❤️',
  like: '👍',
  smile: '😆',
  wow: '😮',
  sad: '😢',
  angry: '😠',
};

function parseBody(rawBody: Uint8Array, scope: MessagingWebhookScope): ParsedWebhook {
  const label = `${scope.platform} webhook`;
  const json = parseJsonBody(rawBody);
  if (!json.ok) return { ok: false, error: `${label}: ${json.error}` };
  const body = json.value;
  if (!isRecord(body)) return { ok: false, error: `${label}: the body is not a JSON object` };
  if (body.object !== undefined && body.object !== scope.object) {
    return {
      ok: false,
      error: `${label}: object is ${JSON.stringify(body.object)?.slice(0, 60)}, not "${scope.object}"`,
    };
  }
  let entries: unknown[];
  if (Array.isArray(body.entry)) entries = body.entry;
  else if (typeof body.field === 'string' && body.value !== undefined) {
    // A dashboard test payload: a bare `{ field, value }` (webhook-edge-cases.md §9).
    entries = [{ changes: [{ field: body.field, value: body.value }] }];
  } else {
    return { ok: false, error: `${label}: the body has no entry[] array` };
  }

  const out = new Collector();
  for (const [e, entry] of entries.entries()) {
    const where = `entry[${e}]`;
    if (!isRecord(entry)) {
      out.problem(where, 'not an object');
      continue;
    }
    const entryId = stringOrNumber(entry.id);
    if (entryId !== undefined && entryId !== scope.accountId) {
      out.problem(
        where,
        `for ${scope.object === 'page' ? 'Page' : 'account'} ${entryId.slice(0, 40)}, not this channel's ${scope.accountId}; skipped`,
      );
      continue;
    }
    const entryTime = parseTimestamp(entry.time);
    const lists: { key: string; events: unknown[]; standby: boolean }[] = [];
    if (Array.isArray(entry.messaging))
      lists.push({ key: 'messaging', events: entry.messaging, standby: false });
    if (Array.isArray(entry.standby))
      lists.push({ key: 'standby', events: entry.standby, standby: true });
    if (Array.isArray(entry.changes)) {
      // Dashboard test payloads put one messaging event in a change's value.
      const events: unknown[] = [];
      for (const [c, change] of entry.changes.entries()) {
        const field = isRecord(change) ? nonEmptyString(change.field) : undefined;
        if (field !== undefined && quietFields.has(field)) continue;
        if (isRecord(change) && isRecord(change.value)) events.push(change.value);
        else out.problem(`${where}.changes[${c}]`, 'not a messaging event; skipped');
      }
      lists.push({ key: 'changes', events, standby: false });
    }
    if (lists.length === 0) {
      out.problem(where, 'no messaging[], standby[] or changes[] array');
      continue;
    }
    for (const list of lists) {
      for (const [i, event] of list.events.entries()) {
        const at = `${where}.${list.key}[${i}]`;
        try {
          const skipped = parseEvent(event, {
            scope,
            standby: list.standby,
            entryTime,
            addressed: entryId !== undefined,
            out,
          });
          if (skipped !== undefined) out.problem(at, skipped);
        } catch (error) {
          out.problem(
            at,
            `could not be read (${error instanceof Error ? error.message : String(error)})`,
          );
        }
      }
    }
  }
  return out.problems.length > 0
    ? { ok: true, events: out.events, problems: out.problems }
    : { ok: true, events: out.events };
}

interface EventContext {
  scope: MessagingWebhookScope;
  standby: boolean;
  entryTime: number | undefined;
  /** The entry named its account (checked); otherwise the event's own ids must name it. */
  addressed: boolean;
  out: Collector;
}

const idOf = (party: unknown): string | undefined =>
  isRecord(party) ? stringOrNumber(party.id) : undefined;

/** Reads one messaging event; returns why it was skipped, if it was. */
function parseEvent(raw: unknown, ctx: EventContext): string | undefined {
  if (!isRecord(raw)) return 'not an object; skipped';
  const { scope } = ctx;
  const sender = idOf(raw.sender);
  const recipient = idOf(raw.recipient);
  if (!ctx.addressed && sender !== scope.accountId && recipient !== scope.accountId) {
    return `not addressed to this channel's ${scope.accountId} (recipient ${JSON.stringify(recipient ?? null)}); skipped`;
  }
  const kind = ['message', 'postback', 'reaction', 'delivery', 'read'].find((k) =>
    isRecord(raw[k]),
  );
  if (kind === undefined) {
    const quiet = quietEvents.find((k) => raw[k] !== undefined);
    if (quiet !== undefined) return undefined;
    const keys = Object.keys(raw)
      .filter((k) => !['sender', 'recipient', 'timestamp'].includes(k))
      .slice(0, 5);
    return `an event of unknown kind (${keys.join(', ') || 'no keys'}); skipped`;
  }
  const timestamp = parseTimestamp(raw.timestamp) ?? ctx.entryTime;
  if (timestamp === undefined) {
    return `a ${kind} event without a readable timestamp (${JSON.stringify(raw.timestamp)?.slice(0, 40)}); skipped`;
  }
  // The business's own actions come back with the business as the sender.
  const fromBusiness = sender === scope.accountId;
  const details: MessagingEventDetails = { accountId: scope.accountId };
  if (ctx.standby) details.standby = true;
  const emit = (
    event: InboundMessageEvent | MessageStatusEvent,
    extra: Partial<MessagingEventDetails> = {},
  ) => {
    ctx.out.events.push({ ...event, [scope.detailsKey]: { ...details, ...extra } } as ChannelEvent);
  };
  /** Why an event without the contact's id is skipped. */
  const noContact = (what: string) => {
    const userRef = isRecord(raw.sender) ? nonEmptyString(raw.sender.user_ref) : undefined;
    return userRef === undefined
      ? `a ${what} without a ${fromBusiness ? 'recipient' : 'sender'} id; skipped`
      : `a ${what} from a user_ref (checkbox plugin), not a person's id; skipped`;
  };

  switch (kind) {
    case 'message': {
      const message = raw.message as JsonRecord;
      const mid = stringOrNumber(message.mid);
      if (mid === undefined) return 'a message without a mid; skipped';
      const echo = message.is_echo === true || fromBusiness;
      const contactId = echo ? recipient : sender;
      if (contactId === undefined) return noContact(`message ${mid.slice(0, 80)}`);
      const source: MessageSource = echo ? 'echo' : ctx.standby ? 'standby' : 'contact';
      if (echo) {
        const appId = stringOrNumber(message.app_id);
        if (appId !== undefined) details.appId = appId;
        const metadata = nonEmptyString(message.metadata);
        if (metadata !== undefined) details.metadata = metadata;
      }
      if (isRecord(message.referral)) details.referral = message.referral;
      const replyTo = isRecord(message.reply_to) ? message.reply_to : undefined;
      const replyToId = replyTo === undefined ? undefined : stringOrNumber(replyTo.mid);
      if (replyTo !== undefined && isRecord(replyTo.story)) {
        const id = stringOrNumber(replyTo.story.id);
        const url = nonEmptyString(replyTo.story.url);
        details.replyToStory = {
          ...(id !== undefined && { id }),
          ...(url !== undefined && { url }),
        };
      }
      const base = {
        type: 'message' as const,
        source,
        contact: { userId: contactId },
        timestamp,
        ...(replyToId !== undefined && { replyToPlatformMessageId: replyToId }),
      };
      if (message.is_deleted === true) {
        // An unsend carries the mid of the message it takes back; a mid of its own keeps it
        // from being dropped as a duplicate of that message.
        details.deletedMessageId = mid;
        emit({
          ...base,
          platformMessageId: `${mid}#deleted`,
          content: {
            kind: 'unsupported',
            platformType: 'message_deleted',
            detail: `the contact unsent message ${mid}`,
          },
        });
        return undefined;
      }
      // A message with text and attachments, or several attachments, is one event per part:
      // `mid`, `mid#2` … (core keeps one content per message).
      messageParts(message).forEach((part, i) => {
        emit(
          { ...base, platformMessageId: i === 0 ? mid : `${mid}#${i + 1}`, content: part.content },
          part.details,
        );
      });
      return undefined;
    }
    case 'postback': {
      const postback = raw.postback as JsonRecord;
      const contactId = fromBusiness ? recipient : sender;
      if (contactId === undefined) return noContact('postback');
      // Older postbacks have no mid; the sender and time name the tap stably across retries.
      const mid = stringOrNumber(postback.mid) ?? `postback:${contactId}:${timestamp}`;
      const payload = stringOrNumber(postback.payload);
      const title = nonEmptyString(postback.title);
      if (isRecord(postback.referral)) details.referral = postback.referral;
      emit({
        type: 'message',
        source: fromBusiness ? 'echo' : ctx.standby ? 'standby' : 'contact',
        platformMessageId: mid,
        contact: { userId: contactId },
        timestamp,
        content:
          payload === undefined
            ? {
                kind: 'unsupported',
                platformType: 'postback',
                detail: 'a postback without a payload',
              }
            : { kind: 'choice', id: payload, title: title ?? payload },
      });
      return undefined;
    }
    case 'reaction': {
      const reaction = raw.reaction as JsonRecord;
      const target = stringOrNumber(reaction.mid);
      if (target === undefined) return 'a reaction without the mid it reacts to; skipped';
      const contactId = fromBusiness ? recipient : sender;
      if (contactId === undefined) return noContact('reaction');
      const action = nonEmptyString(reaction.action) ?? 'react';
      const name = nonEmptyString(reaction.reaction);
      if (name !== undefined) details.reaction = name;
      details.reactionAction = action;
      const emoji =
        action === 'unreact'
          ? null
          : (nonEmptyString(reaction.emoji) ??
            (name === undefined ? undefined : (reactionEmoji[name] ?? name)));
      if (emoji === undefined)
        return `a reaction to ${target.slice(0, 80)} without an emoji; skipped`;
      emit({
        type: 'message',
        source: fromBusiness ? 'echo' : ctx.standby ? 'standby' : 'contact',
        // Reactions have no id of their own: who, on what, when and how name one stably.
        platformMessageId: `reaction:${target}:${contactId}:${timestamp}:${action}`,
        contact: { userId: contactId },
        timestamp,
        content: { kind: 'reaction', emoji, targetMessageId: target },
      });
      return undefined;
    }
    case 'delivery':
    case 'read': {
      // Receipts come from the person; the business's own read of a thread is not one.
      if (fromBusiness) return undefined;
      if (sender === undefined) return noContact(`${kind} receipt`);
      const receipt = raw[kind] as JsonRecord;
      const status: DeliveryStatus = kind === 'delivery' ? 'delivered' : 'read';
      const mids = [
        ...(Array.isArray(receipt.mids) ? receipt.mids : []),
        ...(receipt.mid === undefined ? [] : [receipt.mid]),
      ]
        .map(stringOrNumber)
        .filter((m): m is string => m !== undefined);
      const watermark = parseTimestamp(receipt.watermark) ?? finiteNumber(receipt.watermark);
      if (watermark !== undefined) details.watermark = watermark;
      if (mids.length === 0 && watermark === undefined) {
        return `a ${kind} receipt with neither message ids nor a watermark; skipped`;
      }
      const status0 = { type: 'status' as const, status, timestamp, contact: { userId: sender } };
      if (mids.length === 0 && watermark !== undefined) {
        // A watermark names no message: the id names the receipt (it matches no message), and
        // `watermark` says what it covers — marking the earlier messages is core's to do.
        emit({ ...status0, platformMessageId: `watermark:${status}:${sender}:${watermark}` });
      }
      for (const mid of mids) emit({ ...status0, platformMessageId: mid });
      return undefined;
    }
  }
  return undefined;
}

interface MessagePart {
  content: InboundContent;
  details: Partial<MessagingEventDetails>;
}

/** The contents of one `message`: a tapped quick reply, its text, then each attachment. */
function messageParts(message: JsonRecord): MessagePart[] {
  const text = typeof message.text === 'string' && message.text !== '' ? message.text : undefined;
  const quickReply = isRecord(message.quick_reply) ? message.quick_reply : undefined;
  const payload = quickReply === undefined ? undefined : stringOrNumber(quickReply.payload);
  if (payload !== undefined) {
    return [{ content: { kind: 'choice', id: payload, title: text ?? payload }, details: {} }];
  }
  const parts: MessagePart[] = [];
  if (text !== undefined) parts.push({ content: { kind: 'text', text }, details: {} });
  const attachments = Array.isArray(message.attachments) ? message.attachments : [];
  for (const attachment of attachments) parts.push(attachmentPart(attachment));
  if (message.is_unsupported === true && parts.length === 0) {
    parts.push({
      content: {
        kind: 'unsupported',
        platformType: 'is_unsupported',
        detail: 'media the API cannot show',
      },
      details: {},
    });
  }
  if (parts.length === 0) {
    parts.push({
      content: {
        kind: 'unsupported',
        platformType: 'empty',
        detail: 'a message without text or attachments',
      },
      details: {},
    });
  }
  return parts;
}

function attachmentPart(raw: unknown): MessagePart {
  if (!isRecord(raw)) {
    return {
      content: { kind: 'unsupported', platformType: 'attachment', detail: 'not an object' },
      details: {},
    };
  }
  const type = nonEmptyString(raw.type) ?? 'unknown';
  const payload = isRecord(raw.payload) ? raw.payload : {};
  const url = nonEmptyString(payload.url);
  const title = nonEmptyString(payload.title) ?? nonEmptyString(raw.title);
  const details: Partial<MessagingEventDetails> = {
    attachmentType: type,
    ...(url !== undefined && { url }),
    ...(title !== undefined && { title }),
  };
  const unsupported = (why?: string): MessagePart => {
    // Shares, story mentions, reels, posts, link previews (`fallback`), templates, media
    // without a URL and types we have never seen: kept as unsupported, with what they point at.
    const detail = [why, title, url].filter((s) => s !== undefined).join(' — ');
    return {
      content: {
        kind: 'unsupported',
        platformType: type,
        ...(detail !== '' && { detail: detail.slice(0, 1000) }),
      },
      details,
    };
  };
  const media = (kind: 'image' | 'video' | 'audio' | 'document' | 'sticker'): MessagePart =>
    url === undefined
      ? unsupported(`${kind} without a URL`)
      : { content: { kind: 'media', media: kind, url }, details };
  switch (type) {
    case 'image': {
      const sticker = stringOrNumber(payload.sticker_id);
      if (sticker !== undefined) {
        details.stickerId = sticker;
        return media('sticker');
      }
      return media('image');
    }
    case 'video':
    case 'audio':
      return media(type);
    case 'file':
      return media('document');
    case 'sticker':
      return media('sticker');
    case 'like_heart':
      // Instagram's heart sticker carries no media to show.
      return unsupported('❤️ (the heart sticker)');
    case 'location': {
      const coordinates = isRecord(payload.coordinates) ? payload.coordinates : {};
      const latitude = finiteNumber(coordinates.lat);
      const longitude = finiteNumber(coordinates.long);
      if (latitude !== undefined && longitude !== undefined) {
        return {
          content: {
            kind: 'location',
            latitude,
            longitude,
            ...(title !== undefined && { name: title }),
          },
          details,
        };
      }
      break;
    }
    default:
      break;
  }
  return unsupported();
}
