/**
 * Pure checks of the conformance suite: each returns what is wrong (empty when nothing is), so
 * the suite's failures name every problem at once and the checks are tested on their own.
 */
import type { AdapterCapabilities, MediaKind } from '@chatloom/core/adapter';
import { codePointLength } from '@chatloom/flow-engine';
import type { DeliveredMessage } from './harness.js';

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';
const optionalString = (value: unknown) => value === undefined || typeof value === 'string';
const show = (value: unknown) => JSON.stringify(value)?.slice(0, 300) ?? String(value);

export const mediaKinds: readonly MediaKind[] = ['image', 'video', 'audio', 'document', 'sticker'];

/** Epoch milliseconds of a plausible date (2001 … 2100): catches seconds passed as milliseconds. */
function plausibleMs(value: number): boolean {
  return value > 1e12 && value < 4.2e12;
}

function identityProblems(identity: unknown, where: string): string[] {
  if (!isRecord(identity)) return [`${where} is not an object`];
  const problems: string[] = [];
  if (!nonEmpty(identity.userId) && !nonEmpty(identity.phone)) {
    problems.push(`${where} has neither a userId nor a phone`);
  }
  for (const key of ['userId', 'phone', 'name'] as const) {
    if (!optionalString(identity[key])) problems.push(`${where}.${key} is not a string`);
  }
  if (typeof identity.phone === 'string' && !/^\d{5,15}$/.test(identity.phone)) {
    problems.push(`${where}.phone "${identity.phone}" is not E.164 digits without "+"`);
  }
  return problems;
}

function contentProblems(content: unknown): string[] {
  if (!isRecord(content)) return ['content is not an object'];
  const p: string[] = [];
  switch (content.kind) {
    case 'text':
      if (typeof content.text !== 'string') p.push('text content without a string text');
      break;
    case 'choice':
      if (!nonEmpty(content.id)) p.push('choice content without an id');
      if (typeof content.title !== 'string') p.push('choice content without a string title');
      break;
    case 'media':
      if (!mediaKinds.includes(content.media as MediaKind)) {
        p.push(`media content of kind ${show(content.media)}`);
      }
      if (!nonEmpty(content.mediaId) && !nonEmpty(content.url)) {
        p.push('media content with neither a mediaId nor a url');
      }
      for (const key of ['mimeType', 'caption', 'filename'] as const) {
        if (!optionalString(content[key])) p.push(`media content ${key} is not a string`);
      }
      break;
    case 'location':
      if (!Number.isFinite(content.latitude) || !Number.isFinite(content.longitude)) {
        p.push('location content without finite latitude and longitude');
      }
      break;
    case 'contacts':
      if (
        !Array.isArray(content.contacts) ||
        !content.contacts.every(
          (c) =>
            isRecord(c) &&
            typeof c.name === 'string' &&
            Array.isArray(c.phones) &&
            c.phones.every((phone) => typeof phone === 'string'),
        )
      ) {
        p.push('contacts content that is not [{ name, phones: string[] }]');
      }
      break;
    case 'reaction':
      if (content.emoji !== null && !nonEmpty(content.emoji)) {
        p.push('reaction content whose emoji is neither a string nor null');
      }
      if (!nonEmpty(content.targetMessageId)) p.push('reaction content without a targetMessageId');
      break;
    case 'unsupported':
      if (!nonEmpty(content.platformType)) p.push('unsupported content without a platformType');
      break;
    default:
      p.push(`content of unknown kind ${show(content.kind)}`);
  }
  return p;
}

/**
 * What is wrong with one event, by core's types. `realisticTimestamps` also asks timestamps to
 * be epoch milliseconds of a plausible date (the webhook cases are; random bodies are not).
 */
export function eventProblems(
  event: unknown,
  options: { realisticTimestamps?: boolean } = {},
): string[] {
  if (!isRecord(event)) return [`an event that is not an object: ${show(event)}`];
  const p: string[] = [];
  const timestamp = (value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      p.push(`timestamp ${show(value)} is not a finite number`);
    } else if (options.realisticTimestamps === true && !plausibleMs(value)) {
      p.push(`timestamp ${value} is not epoch milliseconds (seconds passed on as milliseconds?)`);
    }
  };
  switch (event.type) {
    case 'message':
      if (!['contact', 'echo', 'standby'].includes(event.source as string)) {
        p.push(`message source ${show(event.source)} is not contact, echo or standby`);
      }
      if (!nonEmpty(event.platformMessageId)) p.push('a message without a platformMessageId');
      p.push(...identityProblems(event.contact, 'contact'));
      timestamp(event.timestamp);
      p.push(...contentProblems(event.content));
      if (!optionalString(event.replyToPlatformMessageId)) {
        p.push('replyToPlatformMessageId is not a string');
      }
      break;
    case 'status':
      if (!nonEmpty(event.platformMessageId)) p.push('a status without a platformMessageId');
      if (!['sent', 'delivered', 'read', 'failed'].includes(event.status as string)) {
        p.push(`status ${show(event.status)} is not sent, delivered, read or failed`);
      }
      timestamp(event.timestamp);
      if (
        event.error !== undefined &&
        (!isRecord(event.error) ||
          typeof event.error.code !== 'string' ||
          typeof event.error.message !== 'string')
      ) {
        p.push(`status error ${show(event.error)} is not { code: string, message: string }`);
      }
      if (event.contact !== undefined) p.push(...identityProblems(event.contact, 'status contact'));
      break;
    case 'template-status':
      if (!nonEmpty(event.templateName)) p.push('a template status without a templateName');
      if (!nonEmpty(event.status) || event.status !== event.status.toLowerCase()) {
        p.push(`template status ${show(event.status)} is not a lower-case string`);
      }
      break;
    default:
      p.push(`an event of unknown type ${show(event.type)}`);
  }
  return p.map((problem) => `${problem} — in ${show(event)}`);
}

/** What is wrong with a `ParsedWebhook` and its events. */
export function parsedProblems(
  result: unknown,
  options: { realisticTimestamps?: boolean } = {},
): string[] {
  if (!isRecord(result)) return [`parseWebhook returned ${show(result)}, not a ParsedWebhook`];
  if (typeof (result as { then?: unknown }).then === 'function') {
    return ['parseWebhook returned a promise; it must be synchronous'];
  }
  if (result.ok === false) {
    return nonEmpty(result.error) ? [] : ['{ ok: false } without an error message'];
  }
  if (result.ok !== true) return [`ok is ${show(result.ok)}, not a boolean`];
  if (!Array.isArray(result.events)) return ['{ ok: true } without an events array'];
  const p = result.events.flatMap((event) => eventProblems(event, options));
  if (
    result.problems !== undefined &&
    (!Array.isArray(result.problems) || !result.problems.every((x) => typeof x === 'string'))
  ) {
    p.push('problems is not an array of strings');
  }
  return p;
}

/** What is wrong with declared capabilities. */
export function capabilitiesProblems(capabilities: unknown): string[] {
  if (!isRecord(capabilities)) return ['capabilities is not an object'];
  const p: string[] = [];
  const limits = isRecord(capabilities.limits) ? capabilities.limits : undefined;
  if (limits === undefined) p.push('capabilities.limits is missing');
  for (const key of [
    'textLength',
    'buttons',
    'buttonTitle',
    'listRows',
    'rowTitle',
    'rowDescription',
    'caption',
  ] as const) {
    const value = limits?.[key];
    if (!Number.isInteger(value) || (value as number) < 0) {
      p.push(`capabilities.limits.${key} is ${show(value)}, not a whole number ≥ 0`);
    }
  }
  if (limits !== undefined && !((limits.textLength as number) > 0)) {
    p.push('capabilities.limits.textLength must be at least 1');
  }
  const supports = isRecord(capabilities.supports) ? capabilities.supports : undefined;
  if (supports === undefined) p.push('capabilities.supports is missing');
  for (const key of ['buttons', 'lists', 'templates', 'markAsRead'] as const) {
    if (typeof supports?.[key] !== 'boolean')
      p.push(`capabilities.supports.${key} is not a boolean`);
  }
  const media = supports?.media;
  if (!Array.isArray(media) || !media.every((m) => mediaKinds.includes(m as MediaKind))) {
    p.push(`capabilities.supports.media ${show(media)} is not a list of ${mediaKinds.join(', ')}`);
  }
  if (supports?.buttons === true && limits !== undefined && !((limits.buttons as number) >= 1)) {
    p.push('supports.buttons with limits.buttons below 1');
  }
  if (supports?.lists === true && limits !== undefined && !((limits.listRows as number) >= 1)) {
    p.push('supports.lists with limits.listRows below 1');
  }
  const window = isRecord(capabilities.window) ? capabilities.window : undefined;
  if (window === undefined || !((window.standardMs as number) > 0)) {
    p.push(`capabilities.window.standardMs is ${show(window?.standardMs)}, not a positive number`);
  }
  if (
    window?.humanAgentMs !== undefined &&
    !((window.humanAgentMs as number) >= (window.standardMs as number))
  ) {
    p.push('capabilities.window.humanAgentMs is shorter than standardMs');
  }
  if (!((capabilities.messagesPerSecond as number) > 0)) {
    p.push(
      `capabilities.messagesPerSecond is ${show(capabilities.messagesPerSecond)}, not positive`,
    );
  }
  return p;
}

/**
 * Where a message that reached the platform breaks the adapter's declared capabilities, or was
 * changed by the platform on its own (a warning).
 */
export function deliveredProblems(
  message: DeliveredMessage,
  capabilities: AdapterCapabilities,
): string[] {
  const { limits, supports } = capabilities;
  const p: string[] = [];
  const over = (what: string, text: string | undefined, max: number) => {
    if (text !== undefined && codePointLength(text) > max) {
      p.push(`${what} has ${codePointLength(text)} characters; capabilities.limits allow ${max}`);
    }
  };
  over('the text', message.text, limits.textLength);
  switch (message.form) {
    case 'media':
      over('the caption', message.caption, limits.caption);
      if (message.media !== undefined && !supports.media.includes(message.media as MediaKind)) {
        p.push(
          `${message.media} media went out; capabilities.supports.media is ${show(supports.media)}`,
        );
      }
      break;
    case 'buttons':
      if (!supports.buttons) p.push('buttons went out; capabilities.supports.buttons is false');
      if (message.choices.length > limits.buttons) {
        p.push(
          `${message.choices.length} buttons; capabilities.limits.buttons is ${limits.buttons}`,
        );
      }
      for (const choice of message.choices)
        over(`button "${choice.title}"`, choice.title, limits.buttonTitle);
      break;
    case 'list':
      if (!supports.lists) p.push('a list went out; capabilities.supports.lists is false');
      if (message.choices.length > limits.listRows) {
        p.push(
          `${message.choices.length} rows; capabilities.limits.listRows is ${limits.listRows}`,
        );
      }
      for (const choice of message.choices) {
        over(`row "${choice.title}"`, choice.title, limits.rowTitle);
        over(`the description of row "${choice.title}"`, choice.description, limits.rowDescription);
      }
      break;
    case 'template':
      if (!supports.templates)
        p.push('a template went out; capabilities.supports.templates is false');
      break;
    default:
      break;
  }
  for (const warning of message.warnings) p.push(`the platform would change it: ${warning}`);
  return p.map((problem) => `${problem} — in ${show(message.body)}`);
}
