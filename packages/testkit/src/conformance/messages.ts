/**
 * Channel-neutral messages the conformance suite sends: one of every kind, ones over every
 * limit, and a fast-check arbitrary of messages that are sendable but exceed what channels show.
 */
import type { ChannelMessage, Choice } from '@chatloom/flow-engine';
import fc from 'fast-check';

const words = (n: number, word = 'lorem') =>
  Array.from({ length: n }, (_, i) => `${word}${i % 10}`).join(' ');

export const choices = (
  n: number,
  prefix = 'choice',
  title = (i: number) => `Option ${i + 1}`,
): Choice[] => Array.from({ length: n }, (_, i) => ({ id: `${prefix}:${i + 1}`, title: title(i) }));

/** Every choice of a message, across sections and groups. */
export function choicesOf(message: ChannelMessage): (Choice & { key?: string })[] {
  switch (message.kind) {
    case 'buttons':
      return message.buttons;
    case 'list':
      return message.sections.flatMap((s) => s.rows);
    case 'options':
      return message.groups.flatMap((g) => g.options);
    default:
      return [];
  }
}

const media = (
  kind: 'image' | 'video' | 'document' | 'audio',
  extension: string,
): ChannelMessage => ({
  kind: 'media',
  media: kind,
  url: `https://example.com/conformance/file.${extension}`,
  caption: `A ${kind} for you`,
  ...(kind === 'document' && { filename: 'conformance.pdf' }),
});

/** One message of every kind and size, by test id (`send/<id>`). */
export const sendCases = {
  text: { kind: 'text', text: 'Hello from the conformance suite' },
  'media-image': media('image', 'jpg'),
  'media-video': media('video', 'mp4'),
  'media-document': media('document', 'pdf'),
  'media-audio': media('audio', 'mp3'),
  'buttons-1': { kind: 'buttons', text: 'Shall we go on?', buttons: choices(1, 'go', () => 'Yes') },
  'buttons-3': {
    kind: 'buttons',
    text: 'How was your order?',
    buttons: [
      { id: 'rate:good', title: 'Good' },
      { id: 'rate:ok', title: 'OK' },
      { id: 'rate:bad', title: 'Bad' },
    ],
  },
  list: {
    kind: 'list',
    text: 'Which size?',
    buttonLabel: 'Sizes',
    sections: [
      {
        rows: [
          { id: 'size:s', title: 'Small', description: '25 cm' },
          { id: 'size:m', title: 'Medium', description: '30 cm' },
          { id: 'size:l', title: 'Large', description: '35 cm' },
          { id: 'size:xl', title: 'Family', description: '45 cm, serves four' },
        ],
      },
    ],
  },
  'list-sections': {
    kind: 'list',
    text: 'What would you like?',
    buttonLabel: 'Menu',
    sections: [
      {
        title: 'Pizzas',
        rows: [
          { id: 'menu:margherita', title: 'Margherita', description: 'Tomato, mozzarella' },
          { id: 'menu:marinara', title: 'Marinara' },
        ],
      },
      {
        title: 'Drinks',
        rows: [
          { id: 'menu:water', title: 'Water' },
          { id: 'menu:lemonade', title: 'Lemonade' },
        ],
      },
      { title: 'Desserts', rows: [{ id: 'menu:tiramisu', title: 'Tiramisu' }] },
    ],
  },
  options: {
    kind: 'options',
    text: 'Where to next?',
    groups: [
      {
        title: 'Shop',
        options: [
          { id: 'nav:orders', title: 'My orders', key: 'A' },
          { id: 'nav:returns', title: 'Returns', key: 'B' },
        ],
      },
      {
        options: [
          { id: 'nav:agent', title: 'Talk to a person', key: 'C' },
          { id: 'nav:menu', title: 'Main menu', key: '0' },
        ],
      },
    ],
  },
} satisfies Record<string, ChannelMessage>;

/** Reply buttons from 4 up to 10: a list on WhatsApp, quick replies on Messenger. */
export const manyButtons: ChannelMessage[] = [4, 7, 10].map((n) => ({
  kind: 'buttons',
  text: `Pick one of ${n}`,
  buttons: choices(n, `pick${n}`, (i) => `Choice ${i + 1}`),
}));

export const templateCase = {
  name: 'conformance_order_update',
  language: 'en_US',
  parameters: ['Ada', '#1234'],
} as const;

const long = (n: number) => `${'Title that is far too long to show '.repeat(3)}`.slice(0, n);

/** Messages over every limit, by test id (`send/over-limit/<id>`); each is sendable after degradation. */
export const overLimitCases = {
  '11-buttons': {
    kind: 'buttons',
    text: 'Pick a topping',
    buttons: choices(11, 'topping', (i) => `Topping ${i + 1}`),
  },
  'long-titles': {
    kind: 'buttons',
    text: 'Delivery or pick-up?',
    buttons: [
      { id: 'ship:express', title: 'Express delivery to your door' },
      { id: 'ship:standard', title: 'Standard delivery to your door' },
      { id: 'ship:pickup', title: 'Pick up at the shop on the corner' },
    ],
  },
  'long-list-titles': {
    kind: 'list',
    text: 'Choose a plan',
    buttonLabel: 'See every plan we have on offer',
    sections: [
      {
        title: 'Plans for people who travel a lot',
        rows: [
          { id: 'plan:a', title: long(30), description: words(20, 'detail') },
          { id: 'plan:b', title: `${long(28)} B`, description: words(20, 'detail') },
        ],
      },
      {
        title: 'Plans for people who stay at home',
        rows: [{ id: 'plan:c', title: `${long(29)} C`, description: words(25, 'detail') }],
      },
    ],
  },
  'long-text': { kind: 'text', text: words(1000).slice(0, 5000) },
  'long-caption': {
    kind: 'media',
    media: 'image',
    url: 'https://example.com/conformance/long-caption.jpg',
    caption: words(400, 'caption').slice(0, 2000),
  },
  'long-body': {
    kind: 'buttons',
    text: words(400, 'body').slice(0, 2000),
    buttons: choices(3, 'long-body', (i) => `Answer ${i + 1}`),
  },
  'many-rows': {
    kind: 'list',
    text: 'Pick a store',
    buttonLabel: 'Stores',
    sections: ['North', 'Centre', 'South'].map((region) => ({
      title: region,
      rows: choices(6, `store-${region.toLowerCase()}`, (i) => `${region} ${i + 1}`),
    })),
  },
  'many-options': {
    kind: 'options',
    text: 'Choose a country',
    groups: [
      {
        title: 'Countries',
        options: choices(40, 'country', (i) => `Country ${i + 1}`).map((c, i) => ({
          ...c,
          key: i < 26 ? String.fromCharCode(65 + i) : `A${String.fromCharCode(65 + i - 26)}`,
        })),
      },
    ],
  },
} satisfies Record<string, ChannelMessage>;

// ---------------------------------------------------------------------------------------
// Generated messages: sendable (no empty text, http(s) URLs, unique well-formed ids), often
// over every limit a channel has.

const nonBlank = (arbitrary: fc.Arbitrary<string>) => arbitrary.filter((s) => s.trim() !== '');
const shortText = nonBlank(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }));
const anyText = fc.oneof(
  { weight: 5, arbitrary: nonBlank(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 })) },
  {
    weight: 2,
    arbitrary: nonBlank(fc.string({ unit: 'grapheme', minLength: 500, maxLength: 5000 })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'See https://example.com/a/b?c=d',
      '👨‍👩‍👧‍👦'.repeat(30),
      'e\u0301'.repeat(40),
      'Olá — ¿qué tal? 你好',
    ),
  },
);
const title = fc.oneof(
  { weight: 4, arbitrary: shortText },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Same title that goes on and on and on',
      '🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕',
      'A title with *bold* and _italics_',
    ),
  },
);

/** `n` choices with unique ids in the flow engine's style (`step:choice`). */
function choicesArbitrary(maxLength: number, prefix: string): fc.Arbitrary<Choice[]> {
  return fc
    .array(
      fc.record({
        slug: fc.stringMatching(/^[a-z0-9_-]{1,12}$/),
        title,
        description: fc.option(anyText, { nil: undefined }),
      }),
      { minLength: 1, maxLength },
    )
    .map((items) =>
      items.map(({ slug, title: t, description }, i) => ({
        id: `${prefix}:${slug}-${i}`,
        title: t,
        ...(description !== undefined && { description }),
      })),
    );
}

/** Sendable channel-neutral messages, often over every limit (choices, titles, texts, captions). */
export function overLimitMessageArbitrary(): fc.Arbitrary<ChannelMessage> {
  return fc.oneof(
    anyText.map((text): ChannelMessage => ({ kind: 'text', text })),
    fc
      .record({
        media: fc.constantFrom('image', 'video', 'document', 'audio') as fc.Arbitrary<
          'image' | 'video' | 'document' | 'audio'
        >,
        url: fc.webUrl({ validSchemes: ['https'] }),
        caption: fc.option(anyText, { nil: undefined }),
      })
      .map(
        (m): ChannelMessage => ({
          kind: 'media',
          media: m.media,
          url: m.url,
          ...(m.caption !== undefined && { caption: m.caption }),
          ...(m.media === 'document' && { filename: 'file.pdf' }),
        }),
      ),
    fc
      .record({ text: anyText, buttons: choicesArbitrary(14, 'b') })
      .map((m): ChannelMessage => ({ kind: 'buttons', ...m })),
    fc
      .record({
        text: anyText,
        buttonLabel: title,
        sections: fc.array(
          fc.record({
            title: fc.option(title, { nil: undefined }),
            rows: choicesArbitrary(12, 'r'),
          }),
          { minLength: 1, maxLength: 12 },
        ),
      })
      .map(
        (m): ChannelMessage => ({
          kind: 'list',
          text: m.text,
          buttonLabel: m.buttonLabel,
          // Ids unique across sections, as a flow's are.
          sections: m.sections.map((s, i) => ({
            ...(s.title !== undefined && { title: s.title }),
            rows: s.rows.map((r) => ({ ...r, id: `s${i}-${r.id}` })),
          })),
        }),
      ),
    fc
      .record({
        text: anyText,
        groups: fc.array(
          fc.record({
            title: fc.option(title, { nil: undefined }),
            options: choicesArbitrary(20, 'o'),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      })
      .map((m): ChannelMessage => {
        let n = 0;
        return {
          kind: 'options',
          text: m.text,
          groups: m.groups.map((g, i) => ({
            ...(g.title !== undefined && { title: g.title }),
            options: g.options.map((o) => ({ ...o, id: `g${i}-${o.id}`, key: String(++n) })),
          })),
        };
      }),
  );
}
