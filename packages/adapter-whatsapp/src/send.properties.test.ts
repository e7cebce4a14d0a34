import { AdapterError } from '@chatloom/core/adapter';
import { type ChannelMessage, type Choice, compileFlow } from '@chatloom/flow-engine';
import {
  conversationArbitrary,
  flowArbitrary,
  playConversation,
} from '@chatloom/flow-engine/testing';
import { createFakeGraphApi, type FakeGraphApi } from '@chatloom/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessToken, appSecret, channel, user } from './__tests__/helpers.js';
import { openApiProblems } from './__tests__/openapi-oracle.js';
import { createWhatsAppAdapter, type WhatsAppAdapter } from './whatsapp-adapter.js';

let fake: FakeGraphApi;
let adapter: WhatsAppAdapter;

/** Templates `tpl_0` … `tpl_3`, with that many body parameters. */
const templateSeeds = [0, 1, 2, 3].map((n) => ({
  name: `tpl_${n}`,
  components: [
    {
      type: 'BODY',
      text: `Hello${Array.from({ length: n }, (_, i) => ` {{${i + 1}}}`).join(',')}`,
      ...(n > 0 && { example: { body_text: [Array.from({ length: n }, () => 'x')] } }),
    },
  ],
}));

beforeAll(async () => {
  fake = await createFakeGraphApi({
    appSecret,
    accessToken,
    messagesPerSecond: 0,
    maxRecorded: 100_000,
    whatsapp: { templates: templateSeeds },
  });
  adapter = createWhatsAppAdapter({ graphApiBaseUrl: fake.url });
});
afterAll(() => fake.close());

type Outcome = 'sent' | 'refused';

/**
 * Sends one message. It either reaches Meta (the fake) and is accepted — and is valid by
 * Meta's OpenAPI spec — or is refused locally, before any request, as permanent input.
 */
async function sendChecked(message: ChannelMessage): Promise<Outcome> {
  const before = fake.requests.length;
  try {
    await adapter.send(message, { to: { phone: user }, channel: channel() });
  } catch (error) {
    if (!AdapterError.isInstance(error) || error.code !== 'invalid-message') {
      throw new Error(`${JSON.stringify(message).slice(0, 500)}\n→ ${String(error)}`);
    }
    expect(error.kind).toBe('permanent');
    expect(fake.requests.length).toBe(before);
    return 'refused';
  }
  const request = fake.requests.at(-1);
  expect(fake.requests.length).toBe(before + 1);
  if (request?.accepted !== true) {
    throw new Error(
      `Meta refused ${JSON.stringify(request?.body).slice(0, 800)}: ${JSON.stringify(request?.response)}`,
    );
  }
  expect(openApiProblems(request.method, request.path, request.body)).toEqual([]);
  return 'sent';
}

// ---------------------------------------------------------------------------------------
// Channel-neutral messages, often over every limit

const longText = fc.string({ unit: 'grapheme', minLength: 1000, maxLength: 5000 });
const anyText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: longText },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\n\t',
      'See https://example.com/x',
      '👨‍👩‍👧‍👦'.repeat(30),
      `${'e\u0301'.repeat(40)}`,
    ),
  },
);
const title = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Same',
      'Same title that goes on and on',
      '🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕🍕',
      ' ',
    ),
  },
  { weight: 1, arbitrary: anyText },
);
const choiceId = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-z0-9_-]{1,12}:[a-z0-9_-]{1,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom('dup', ' padded ', '') },
  { weight: 1, arbitrary: fc.string({ minLength: 190, maxLength: 300 }) },
);
const choice: fc.Arbitrary<Choice> = fc
  .record({ id: choiceId, title, description: fc.option(anyText, { nil: undefined }) })
  .map(({ description, ...c }) => (description === undefined ? c : { ...c, description }));

const message: fc.Arbitrary<ChannelMessage> = fc.oneof(
  anyText.map((text): ChannelMessage => ({ kind: 'text', text })),
  fc
    .record({
      media: fc.constantFrom('image', 'video', 'document', 'audio') as fc.Arbitrary<
        'image' | 'video' | 'document' | 'audio'
      >,
      url: fc.oneof(
        fc.webUrl({ validSchemes: ['https', 'http'] }),
        fc.constantFrom('not a url', 'ftp://x.test/a'),
      ),
      caption: fc.option(anyText, { nil: undefined }),
      filename: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    })
    .map(
      (m): ChannelMessage => ({
        kind: 'media',
        media: m.media,
        url: m.url,
        ...(m.caption !== undefined && { caption: m.caption }),
        ...(m.filename !== undefined && { filename: m.filename }),
      }),
    ),
  fc
    .nat({ max: 3 })
    .chain((n) => fc.array(anyText, { minLength: n, maxLength: n }))
    .map(
      (parameters): ChannelMessage => ({
        kind: 'template',
        name: `tpl_${parameters.length}`,
        language: 'en_US',
        parameters,
      }),
    ),
  fc
    .record({ text: anyText, buttons: fc.array(choice, { maxLength: 14 }) })
    .map((m): ChannelMessage => ({ kind: 'buttons', ...m })),
  fc
    .record({
      text: anyText,
      buttonLabel: title,
      sections: fc.array(
        fc
          .record({
            title: fc.option(title, { nil: undefined }),
            rows: fc.array(choice, { maxLength: 12 }),
          })
          .map(({ title: t, rows }) => (t === undefined ? { rows } : { title: t, rows })),
        { maxLength: 12 },
      ),
    })
    .map((m): ChannelMessage => ({ kind: 'list', ...m })),
  fc
    .record({
      text: anyText,
      groups: fc.array(
        fc.record({
          title: fc.option(title, { nil: undefined }),
          options: fc.array(fc.tuple(choice, fc.constantFrom('A', 'B', 'Z', 'AA', ' ', '')), {
            maxLength: 30,
          }),
        }),
        { maxLength: 4 },
      ),
    })
    .map(
      (m): ChannelMessage => ({
        kind: 'options',
        text: m.text,
        groups: m.groups.map((g) => ({
          ...(g.title !== undefined && { title: g.title }),
          options: g.options.map(([c, key]) => ({ ...c, key })),
        })),
      }),
    ),
);

describe('send properties: whatever the message, Meta accepts what goes out', () => {
  it('channel-neutral messages over every limit: accepted by the fake (zero Meta errors) and valid by the OpenAPI spec, or refused locally', async () => {
    fake.reset();
    fake.whatsapp.openWindow(user);
    const outcomes = { sent: 0, refused: 0 };
    const forms = new Set<string>();
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        const outcome = await sendChecked(m);
        outcomes[outcome]++;
        if (outcome === 'sent') forms.add(adapter.render(m).form);
      }),
      { numRuns: 400 },
    );
    expect(fake.stats().rejected).toBe(0);
    // Refusals are the rare unsendable inputs (empty texts, bad URLs), not the rule.
    expect(outcomes.sent).toBeGreaterThan(outcomes.refused * 3);
    // Every form, degraded ones included, went through.
    expect([...forms].sort()).toEqual(['buttons', 'lettered', 'list', 'media', 'template', 'text']);
  });

  it('what generated flows send in generated conversations (@chatloom/flow-engine/testing) always goes out', async () => {
    let messages = 0;
    await fc.assert(
      fc.asyncProperty(flowArbitrary(), conversationArbitrary(15), async (definition, commands) => {
        fake.reset();
        fake.whatsapp.openWindow(user);
        const trace = playConversation(compileFlow(definition), commands);
        const outputs = [...trace.start.outputs, ...trace.turns.flatMap((t) => t.outputs)];
        for (const output of outputs) {
          if (output.type !== 'send') continue;
          const m = output.message;
          if (
            m.kind === 'template' &&
            fake.templates.get(m.name, { language: m.language }) === undefined
          ) {
            fake.templates.add({
              name: m.name,
              language: m.language,
              components: [
                {
                  type: 'BODY',
                  text: `T${m.parameters.map((_, i) => ` {{${i + 1}}}`).join(',')}`,
                  ...(m.parameters.length > 0 && {
                    example: { body_text: [m.parameters.map(() => 'x')] },
                  }),
                },
              ],
            });
          }
          // Flow messages are within limits by construction: none may be refused.
          expect(await sendChecked(m)).toBe('sent');
          messages++;
        }
        expect(fake.stats().rejected).toBe(0);
      }),
      { numRuns: 60 },
    );
    expect(messages).toBeGreaterThan(60);
  });
});
