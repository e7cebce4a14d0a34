/**
 * Property tests over generated interactive payloads: anything over one of Meta's limits is
 * rejected with a Meta error (never accepted, never a 500), anything within them is accepted.
 * Strings mix ASCII, accented letters, CJK and emoji so code points and UTF-16 units differ.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeGraphApi, type FakeGraphApi } from './index.js';
import { sendWhatsApp, waMessage } from './test-helpers.js';

let fake: FakeGraphApi;
beforeAll(async () => {
  fake = await createFakeGraphApi({
    appSecret: 's',
    accessToken: 't',
    messagesPerSecond: 0,
    whatsapp: { enforceWindow: false },
  });
});
afterAll(() => fake.close());

const codePoint = fc
  .oneof(
    fc.integer({ min: 0x21, max: 0x7e }),
    fc.integer({ min: 0xa1, max: 0x24f }),
    fc.integer({ min: 0x4e00, max: 0x9fff }),
    fc.integer({ min: 0x1f300, max: 0x1faff }),
  )
  .map((c) => String.fromCodePoint(c));
/** A string of exactly `min`–`max` code points. */
const text = (min: number, max: number) =>
  fc.array(codePoint, { minLength: min, maxLength: max }).map((chars) => chars.join(''));
const id = (min: number, max: number) =>
  fc.stringMatching(new RegExp(`^[a-z0-9_]{${min},${max}}$`));

type Reply = { id: string; title: string };
type Row = { id: string; title: string; description?: string };
type Section = { title?: string; rows: Row[] };

const replies = (min: number, max: number) =>
  fc
    .uniqueArray(fc.record({ id: id(1, 30), title: text(1, 20) }), {
      minLength: min,
      maxLength: max,
      selector: (r) => r.id,
    })
    .filter((list) => new Set(list.map((r) => r.title)).size === list.length);

const buttonsPayload = (r: Reply[], extra: Record<string, unknown> = {}) => ({
  type: 'button',
  body: { text: 'Pick one' },
  action: { buttons: r.map((reply) => ({ type: 'reply', reply })) },
  ...extra,
});

const rows = (min: number, max: number) =>
  fc.uniqueArray(fc.record({ id: id(1, 40), title: text(1, 24), description: text(0, 72) }), {
    minLength: min,
    maxLength: max,
    selector: (row) => row.id,
  });

/** Splits rows into titled sections of at least one row each. */
const sections = (rowList: Row[]) =>
  fc.integer({ min: 1, max: Math.max(1, Math.min(10, rowList.length)) }).chain((count) =>
    fc.array(text(1, 24), { minLength: count, maxLength: count }).map((titles) =>
      titles.map(
        (title, i): Section => ({
          title,
          rows: rowList.filter((_, r) => r % count === i),
        }),
      ),
    ),
  );

const listPayload = (s: Section[], extra: Record<string, unknown> = {}) => ({
  type: 'list',
  body: { text: 'Choose' },
  action: { button: 'Options', sections: s },
  ...extra,
});

const validList = rows(1, 10).chain(sections);

/** Payloads that break exactly one documented limit. */
const overLimit = fc.oneof(
  replies(4, 8).map((r) => ['4+ buttons', buttonsPayload(r)] as const),
  fc.constant(['no buttons', buttonsPayload([])] as const),
  fc
    .tuple(replies(1, 3), text(21, 40))
    .map(
      ([r, long]) =>
        [
          'long button title',
          buttonsPayload(r.map((x, i) => (i === 0 ? { ...x, title: long } : x))),
        ] as const,
    ),
  fc
    .tuple(replies(1, 3), id(257, 300))
    .map(
      ([r, long]) =>
        [
          'long button id',
          buttonsPayload(r.map((x, i) => (i === 0 ? { ...x, id: long } : x))),
        ] as const,
    ),
  replies(2, 3).map(
    (r) =>
      [
        'duplicate button title',
        buttonsPayload(r.map((x, i) => (i === 1 ? { ...x, title: r[0]?.title ?? '' } : x))),
      ] as const,
  ),
  replies(2, 3).map(
    (r) =>
      [
        'duplicate button id',
        buttonsPayload(r.map((x, i) => (i === 1 ? { ...x, id: r[0]?.id ?? '' } : x))),
      ] as const,
  ),
  fc
    .tuple(replies(1, 3), text(1025, 1100))
    .map(
      ([r, body]) => ['long buttons body', buttonsPayload(r, { body: { text: body } })] as const,
    ),
  fc
    .tuple(replies(1, 3), text(61, 90))
    .map(
      ([r, h]) =>
        ['long header', buttonsPayload(r, { header: { type: 'text', text: h } })] as const,
    ),
  fc
    .tuple(replies(1, 3), text(61, 90))
    .map(([r, f]) => ['long footer', buttonsPayload(r, { footer: { text: f } })] as const),
  rows(11, 20)
    .chain(sections)
    .map((s) => ['11+ rows', listPayload(s)] as const),
  fc
    .tuple(validList, text(25, 40))
    .map(
      ([s, t]) =>
        [
          'long row title',
          listPayload(
            s.map((sec, i) =>
              i === 0
                ? { ...sec, rows: sec.rows.map((row, j) => (j === 0 ? { ...row, title: t } : row)) }
                : sec,
            ),
          ),
        ] as const,
    ),
  fc.tuple(validList, text(73, 100)).map(
    ([s, d]) =>
      [
        'long row description',
        listPayload(
          s.map((sec, i) =>
            i === 0
              ? {
                  ...sec,
                  rows: sec.rows.map((row, j) => (j === 0 ? { ...row, description: d } : row)),
                }
              : sec,
          ),
        ),
      ] as const,
  ),
  fc
    .tuple(validList, text(25, 40))
    .map(
      ([s, t]) =>
        [
          'long section title',
          listPayload(s.map((sec, i) => (i === 0 ? { ...sec, title: t } : sec))),
        ] as const,
    ),
  fc
    .tuple(validList, text(21, 30))
    .map(
      ([s, b]) =>
        ['long list button', listPayload(s, { action: { button: b, sections: s } })] as const,
    ),
  fc
    .tuple(validList, text(4097, 4200))
    .map(([s, body]) => ['long list body', listPayload(s, { body: { text: body } })] as const),
  rows(2, 10).chain((r) =>
    fc.constant([
      'untitled section among several',
      listPayload([{ rows: r.slice(0, 1) }, { title: 'Two', rows: r.slice(1) }]),
    ] as const),
  ),
  fc.integer({ min: 11, max: 14 }).map(
    (n) =>
      [
        '11+ sections',
        listPayload(
          Array.from({ length: n }, (_, i) => ({
            title: `S${i}`,
            rows: [{ id: `r${i}`, title: 'Row' }],
          })),
        ),
      ] as const,
  ),
);

describe('generated interactive payloads', () => {
  it('every over-limit payload is rejected with a Meta error (never accepted, never a 500)', async () => {
    const before = fake.stats().sent.whatsapp;
    await fc.assert(
      fc.asyncProperty(overLimit, async ([kind, interactive]) => {
        const answer = await sendWhatsApp(fake, waMessage('interactive', interactive));
        expect(answer.status, `${kind}: ${answer.text}`).toBe(400);
        expect([100, 131008, 131009], kind).toContain(answer.body.error?.code);
        expect(answer.body.error?.type).toBe('OAuthException');
        expect(answer.body.error?.error_data?.messaging_product).toBe('whatsapp');
      }),
      { numRuns: 300 },
    );
    expect(fake.stats().sent.whatsapp).toBe(before);
  });

  it('every payload within the limits is accepted', async () => {
    const within = fc.oneof(
      fc
        .tuple(replies(1, 3), text(1, 1024), text(1, 60), text(1, 60))
        .map(([r, body, header, footer]) =>
          buttonsPayload(r, {
            body: { text: body },
            header: { type: 'text', text: header },
            footer: { text: footer },
          }),
        ),
      fc
        .tuple(validList, text(1, 4096), text(1, 20))
        .map(([s, body, button]) =>
          listPayload(s, { body: { text: body }, action: { button, sections: s } }),
        ),
    );
    await fc.assert(
      fc.asyncProperty(within, async (interactive) => {
        const answer = await sendWhatsApp(fake, waMessage('interactive', interactive));
        expect(answer.status, answer.text).toBe(200);
      }),
      { numRuns: 200 },
    );
  });
});
