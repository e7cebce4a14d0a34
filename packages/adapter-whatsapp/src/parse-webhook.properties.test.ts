import type { ChannelEvent, ParsedWebhook } from '@chatloom/core/adapter';
import { signWebhookBody, toMetaJson } from '@chatloom/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appSecret, channel, phoneNumberId, wabaId } from './__tests__/helpers.js';
import { createWhatsAppAdapter } from './whatsapp-adapter.js';

const adapter = createWhatsAppAdapter();
const encode = (text: string) => new TextEncoder().encode(text);
const parse = (raw: Uint8Array): ParsedWebhook => adapter.parseWebhook(raw, channel());

// ---------------------------------------------------------------------------------------
// Valid bodies, as Meta sends them

const phone = fc.stringMatching(/^[1-9]\d{9,13}$/);
const wamid = fc.stringMatching(/^wamid\.[A-Za-z0-9_=-]{6,24}$/);
const seconds = fc.integer({ min: 1_500_000_000, max: 2_000_000_000 });
const timestamp = seconds.chain((s) =>
  fc.constantFrom(String(s), s, new Date(s * 1000).toISOString()),
);
const text = fc.string({ unit: 'grapheme', maxLength: 120 });
const id = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 });
const mediaKind = fc.constantFrom('image', 'video', 'audio', 'document', 'sticker');

const content: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  text.map((body) => ({ type: 'text', text: { body } })),
  fc.record({ id, title: text }).map((reply) => ({
    type: 'interactive',
    interactive: { type: 'button_reply', button_reply: reply },
  })),
  fc.record({ id, title: text, description: text }).map((reply) => ({
    type: 'interactive',
    interactive: { type: 'list_reply', list_reply: reply },
  })),
  fc
    .record({ payload: id, text: text.filter((t) => t !== '') })
    .map((button) => ({ type: 'button', button })),
  fc.jsonValue().map((answer) => ({
    type: 'interactive',
    interactive: {
      type: 'nfm_reply',
      nfm_reply: { name: 'flow', body: 'Sent', response_json: JSON.stringify(answer) },
    },
  })),
  fc
    .tuple(
      mediaKind,
      fc.stringMatching(/^\d{10,16}$/),
      fc.option(text, { nil: undefined }),
      fc.boolean(),
    )
    .map(([kind, mediaId, caption, voice]) => ({
      type: kind,
      [kind]: {
        id: mediaId,
        mime_type: 'application/octet-stream',
        sha256: 'abc',
        ...(caption !== undefined && kind !== 'audio' && { caption }),
        ...(kind === 'audio' && { voice }),
      },
    })),
  fc
    .record({
      latitude: fc.double({ min: -90, max: 90, noNaN: true }),
      longitude: fc.double({ min: -180, max: 180, noNaN: true }),
      name: text,
    })
    .map((location) => ({ type: 'location', location })),
  fc
    .array(
      fc.record({
        name: fc.record({ formatted_name: text }),
        phones: fc.array(fc.record({ phone }), { maxLength: 2 }),
      }),
      {
        minLength: 1,
        maxLength: 3,
      },
    )
    .map((contacts) => ({ type: 'contacts', contacts })),
  fc.tuple(wamid, fc.constantFrom('👍', '❤️', '', undefined)).map(([target, emoji]) => ({
    type: 'reaction',
    reaction: emoji === undefined ? { message_id: target } : { message_id: target, emoji },
  })),
  fc.constantFrom(
    { type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] },
    { type: 'unknown' },
    { type: 'order', order: { catalog_id: '1', product_items: [] } },
    { type: 'interactive' },
    { type: 'request_welcome' },
  ),
  phone.map((next) => ({
    type: 'system',
    system: { type: 'user_changed_number', wa_id: next, body: 'changed' },
  })),
);

const status = fc.record({
  id: wamid,
  status: fc.constantFrom('sent', 'delivered', 'read', 'played', 'failed'),
  timestamp,
  biz_opaque_callback_data: fc.option(
    text.filter((t) => t !== ''),
    { nil: undefined },
  ),
  errors: fc.option(
    fc.array(fc.record({ code: fc.integer({ min: 1, max: 140000 }), title: text }), {
      maxLength: 2,
    }),
    { nil: undefined },
  ),
});

/** A `messages` change: some users, their messages (and statuses to them). */
const messagesChange = fc
  .array(phone, { minLength: 1, maxLength: 3 })
  .chain((users) =>
    fc.record({
      contacts: fc.constant(users.map((u) => ({ profile: { name: `User ${u}` }, wa_id: u }))),
      messages: fc.array(
        fc
          .tuple(
            fc.constantFrom(...users),
            wamid,
            timestamp,
            content,
            fc.option(wamid, { nil: undefined }),
          )
          .map(([from, messageId, at, body, replyTo]) => ({
            from,
            id: messageId,
            timestamp: at,
            ...body,
            ...(replyTo !== undefined && { context: { from: '15550000000', id: replyTo } }),
          })),
        { maxLength: 4 },
      ),
      statuses: fc.array(
        fc.tuple(fc.constantFrom(...users), status).map(([to, s]) => ({ ...s, recipient_id: to })),
        { maxLength: 4 },
      ),
    }),
  )
  .map((value) => ({
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId },
      ...value,
    },
    count: value.messages.length + value.statuses.length,
  }));

const templateChange = fc
  .record({
    event: fc.constantFrom('APPROVED', 'REJECTED', 'PAUSED', 'DISABLED', 'PENDING_DELETION'),
    message_template_id: fc.integer({ min: 1, max: 2 ** 50 }),
    message_template_name: fc.stringMatching(/^[a-z0-9_]{1,30}$/),
    message_template_language: fc.constantFrom('en_US', 'pt_BR'),
    reason: fc.constantFrom('NONE', 'INVALID_FORMAT', null),
  })
  .map((value) => ({ field: 'message_template_status_update', value, count: 1 }));

/** A valid body and how many events it holds. */
const validBody = fc
  .array(
    fc.array(
      fc.oneof({ weight: 4, arbitrary: messagesChange }, { weight: 1, arbitrary: templateChange }),
      { minLength: 1, maxLength: 3 },
    ),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .map((entries) => ({
    body: {
      object: 'whatsapp_business_account',
      entry: entries.map((changes) => ({
        id: wabaId,
        changes: changes.map(({ field, value }) => ({ field, value })),
      })),
    },
    count: entries.flat().reduce((n, c) => n + c.count, 0),
  }));

// ---------------------------------------------------------------------------------------
// What every parse result must be

const contentKinds = new Set([
  'text',
  'choice',
  'media',
  'location',
  'contacts',
  'reaction',
  'unsupported',
]);

function expectWellFormed(result: ParsedWebhook): void {
  if (!result.ok) {
    expect(typeof result.error).toBe('string');
    expect(result.error.length).toBeGreaterThan(0);
    return;
  }
  expect(Array.isArray(result.events)).toBe(true);
  for (const problem of result.problems ?? []) expect(typeof problem).toBe('string');
  for (const event of result.events) expectEvent(event);
  expect(() => JSON.stringify(result)).not.toThrow();
}

function expectEvent(event: ChannelEvent): void {
  if (event.type === 'template-status') {
    expect(event.templateName).toEqual(expect.any(String));
    expect(event.status).toBe(event.status.toLowerCase());
    return;
  }
  expect(event.platformMessageId).toEqual(expect.any(String));
  expect(event.platformMessageId.length).toBeGreaterThan(0);
  expect(Number.isFinite(event.timestamp) && event.timestamp >= 0).toBe(true);
  if (event.type === 'status') {
    expect(['sent', 'delivered', 'read', 'failed']).toContain(event.status);
    if (event.status === 'failed')
      expect(event.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    return;
  }
  expect(['contact', 'echo']).toContain(event.source);
  expect(event.contact.phone !== undefined || event.contact.userId !== undefined).toBe(true);
  for (const value of [event.contact.phone, event.contact.userId, event.contact.name]) {
    if (value !== undefined) expect(typeof value).toBe('string');
  }
  const c = event.content;
  expect(contentKinds.has(c.kind)).toBe(true);
  switch (c.kind) {
    case 'text':
      expect(typeof c.text).toBe('string');
      break;
    case 'choice':
      expect(typeof c.id).toBe('string');
      expect(typeof c.title).toBe('string');
      break;
    case 'location':
      expect(Number.isFinite(c.latitude) && Number.isFinite(c.longitude)).toBe(true);
      break;
    case 'reaction':
      expect(c.emoji === null || (typeof c.emoji === 'string' && c.emoji !== '')).toBe(true);
      break;
    case 'media':
      expect(c.mediaId !== undefined || c.url !== undefined).toBe(true);
      break;
    case 'contacts':
      for (const contact of c.contacts)
        expect(contact).toEqual({ name: expect.any(String), phones: expect.any(Array) });
      break;
    case 'unsupported':
      expect(typeof c.platformType).toBe('string');
      break;
  }
}

/** Every path to a value inside a JSON tree. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...prefix, i]));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

/** A copy with the value at `path` replaced (or, for `undefined`, removed). */
function replaced(root: unknown, path: (string | number)[], next: unknown): unknown {
  if (path.length === 0) return next;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (next === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = next;
  return copy;
}

const garbage = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    '',
    0,
    -1,
    1.5,
    true,
    false,
    [],
    {},
    'wamid.X',
    '1717000000',
    '  ',
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

describe('parseWebhook properties', () => {
  it('a valid body of any shape yields one event per message, status and template update, no problems', () => {
    fc.assert(
      fc.property(validBody, ({ body, count }) => {
        const raw = encode(toMetaJson(body));
        expect(
          adapter.verifySignature(
            raw,
            { 'x-hub-signature-256': signWebhookBody(raw, appSecret) },
            channel(),
          ),
        ).toBe(true);
        const result = parse(raw);
        expectWellFormed(result);
        if (!result.ok) throw new Error(result.error);
        expect(result.problems).toBeUndefined();
        expect(result.events).toHaveLength(count);
      }),
      { numRuns: 300 },
    );
  });

  it('a wrong type (or a missing value) at any level never throws; the rest of the batch survives', () => {
    fc.assert(
      fc.property(validBody, fc.nat(), garbage, ({ body, count }, pick, next) => {
        const all = paths(body);
        const path = all[pick % all.length] as (string | number)[];
        const mutated = replaced(body, path, next);
        const json = JSON.stringify(mutated);
        const result = parse(encode(json ?? 'undefined'));
        expectWellFormed(result);
        // One broken item costs at most the items it holds: with many items, most survive.
        const inItem =
          path.length >= 7 && ['messages', 'statuses', 'contacts'].includes(String(path[5]));
        if (result.ok && inItem) {
          expect(result.events.length).toBeGreaterThanOrEqual(count - 1);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('any JSON value, and webhook-like objects with wrong types, never throw', () => {
    const webhookish = fc.record({
      object: fc.oneof(fc.constant('whatsapp_business_account'), fc.jsonValue({ maxDepth: 1 })),
      entry: fc.oneof(
        fc.array(
          fc.oneof(
            fc.jsonValue({ maxDepth: 3 }),
            fc.record({
              id: fc.jsonValue({ maxDepth: 1 }),
              changes: fc.oneof(
                fc.jsonValue({ maxDepth: 2 }),
                fc.array(
                  fc.record({
                    field: fc.oneof(fc.constant('messages'), fc.jsonValue({ maxDepth: 1 })),
                    value: fc.jsonValue({ maxDepth: 4 }),
                  }),
                ),
              ),
            }),
          ),
        ),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), webhookish), (value) => {
        const result = parse(encode(JSON.stringify(value) ?? 'null'));
        expectWellFormed(result);
      }),
      { numRuns: 1000 },
    );
  });

  it('truncated bodies are a typed parse error, never a throw', () => {
    fc.assert(
      fc.property(validBody, fc.nat(), ({ body }, cut) => {
        const raw = encode(toMetaJson(body));
        const at = cut % raw.length;
        const result = parse(raw.slice(0, at));
        expect(result).toEqual({
          ok: false,
          error: expect.stringMatching(/^WhatsApp webhook: the body (is empty|is not JSON)/),
        });
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (raw) => {
        expectWellFormed(parse(raw));
        expect(
          adapter.verifySignature(raw, { 'x-hub-signature-256': 'sha256=00' }, channel()),
        ).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
