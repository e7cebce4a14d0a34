/**
 * `runSendApiProperties`: fast-check properties of adapters on the Messenger Platform (Messenger,
 * Instagram), both directions, against the fake Graph API: every generated channel-neutral
 * message — flow-engine's generated flows and conversations, and arbitrary content over every
 * limit — goes out in a form the fake accepts with no warning, or is refused locally as
 * permanent input (`invalid-message`) before any request; generated and mutated webhook bodies
 * never make the parser throw, and the events it reads are sane. Stricter than the conformance
 * suite's generated tests (no degradation warning at all, no refusal by Meta) and run longer.
 */
import {
  AdapterError,
  type ChannelAdapter,
  type ChannelConfig,
  type ChannelEvent,
  type DeliveryStatus,
} from '@chatloom/core/adapter';
import { type ChannelMessage, type Choice, compileFlow } from '@chatloom/flow-engine';
import {
  conversationArbitrary,
  flowArbitrary,
  playConversation,
} from '@chatloom/flow-engine/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeGraphApi, type FakeGraphApi } from '../fake-graph-api.js';
import { toMetaJson } from '../webhooks.js';
import { metaIds } from './meta-webhooks.js';

/** Options of {@link runSendApiProperties}. */
export interface SendApiPropertiesOptions<A extends ChannelAdapter = ChannelAdapter> {
  /** The platform; the fake plays its default Page (Messenger) or account (Instagram). */
  platform: 'messenger' | 'instagram';
  /** Creates the adapter under test, pointed at the fake. Called once, after the fake starts. */
  createAdapter: (environment: { graphApiBaseUrl: string }) => A;
  /**
   * The channel handed to `send` and `parseWebhook`: the fake's default Page / account
   * (`metaIds`). The fake is started with its `credentials.accessToken` and `appSecret`.
   */
  channel: () => ChannelConfig;
  /** Webhook bodies (bytes) the mutation property starts from: the platform's own cases. */
  webhooks: readonly Uint8Array[];
  /** The statuses the parser may report (Messenger: `delivered`, `read`; Instagram: `read`). */
  statuses: readonly DeliveryStatus[];
  /**
   * The form each sent message took (`adapter.render(m).form` of Chatloom's adapters) and the
   * forms the generated messages must all reach; without it, forms are not checked.
   */
  forms?: { of: (adapter: A, message: ChannelMessage) => string; expected: readonly string[] };
}

/**
 * Registers a `describe` block of four properties (400 generated messages, 60 generated flows,
 * 1000 mutated webhooks, 500 random bodies), with the fake started once for the block.
 */
export function runSendApiProperties<A extends ChannelAdapter>(
  options: SendApiPropertiesOptions<A>,
): void {
  const { platform, channel } = options;
  const ids = metaIds[platform];
  const userId = platform === 'messenger' ? metaIds.messenger.psid : metaIds.instagram.igsid;
  let fake: FakeGraphApi;
  let adapter: A;

  /** Sends one message: accepted by the fake (every request of it), or refused before any request. */
  async function sendChecked(message: ChannelMessage): Promise<'sent' | 'refused'> {
    const before = fake.requests.length;
    try {
      await adapter.send(message, { to: { userId }, channel: channel() });
    } catch (error) {
      if (!AdapterError.isInstance(error) || error.code !== 'invalid-message') {
        throw new Error(`${JSON.stringify(message).slice(0, 500)}\n→ ${String(error)}`);
      }
      expect(error.kind).toBe('permanent');
      expect(fake.requests.length).toBe(before);
      return 'refused';
    }
    for (const request of fake.requests.slice(before)) {
      if (!request.accepted) {
        throw new Error(
          `Meta refused ${JSON.stringify(request.body).slice(0, 800)}: ${JSON.stringify(request.response)}`,
        );
      }
      // Nothing Meta would change on its own (quick-reply titles over 20 are truncated by Meta).
      // The fake counts Instagram's text limit in UTF-8 bytes: a refusal would show here.
      expect(request.warnings ?? []).toEqual([]);
    }
    return 'sent';
  }

  describe(`Send API properties (${platform})`, () => {
    beforeAll(async () => {
      const { accessToken, appSecret } = channel().credentials;
      if (accessToken === undefined || appSecret === undefined) {
        throw new Error(
          'runSendApiProperties: channel() needs credentials.accessToken and credentials.appSecret (the fake’s)',
        );
      }
      // No throughput limit: hundreds of sends run in a row.
      const unlimited = { callsPerSecond: 0 };
      fake = await createFakeGraphApi({
        accessToken,
        appSecret,
        maxRecorded: 100_000,
        ...(platform === 'messenger' ? { messenger: unlimited } : { instagram: unlimited }),
      });
      adapter = options.createAdapter({ graphApiBaseUrl: fake.url });
    });
    afterAll(() => fake?.close());

    describe('send properties: whatever the message, Meta accepts what goes out', () => {
      it('channel-neutral messages over every limit: accepted by the fake, or refused locally', async () => {
        fake.reset();
        fake[platform].openWindow(userId);
        const outcomes = { sent: 0, refused: 0 };
        const forms = new Set<string>();
        await fc.assert(
          fc.asyncProperty(message, async (m) => {
            const outcome = await sendChecked(m);
            outcomes[outcome]++;
            if (outcome === 'sent' && options.forms) forms.add(options.forms.of(adapter, m));
          }),
          { numRuns: 400 },
        );
        expect(fake.stats().rejected).toBe(0);
        expect(outcomes.sent).toBeGreaterThan(outcomes.refused * 3);
        if (options.forms) expect([...forms].sort()).toEqual([...options.forms.expected].sort());
      });

      it('what generated flows send in generated conversations (@chatloom/flow-engine/testing) goes out', async () => {
        let messages = 0;
        await fc.assert(
          fc.asyncProperty(
            flowArbitrary(),
            conversationArbitrary(15),
            async (definition, commands) => {
              fake.reset();
              fake[platform].openWindow(userId);
              const trace = playConversation(compileFlow(definition), commands);
              for (const output of [
                ...trace.start.outputs,
                ...trace.turns.flatMap((t) => t.outputs),
              ]) {
                if (output.type !== 'send') continue;
                // Templates have no Send API form; core never sends them on these channels.
                if (output.message.kind === 'template') continue;
                expect(await sendChecked(output.message)).toBe('sent');
                messages++;
              }
              expect(fake.stats().rejected).toBe(0);
            },
          ),
          { numRuns: 60 },
        );
        expect(messages).toBeGreaterThan(60);
      });
    });

    describe('webhook properties: parsing never throws', () => {
      const base = options.webhooks.map(
        (raw) => JSON.parse(new TextDecoder().decode(raw)) as unknown,
      );
      const junk = fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        fc.anything({ maxDepth: 2 }),
        fc.constantFrom(
          '',
          '0',
          ...Object.values(ids),
          'unreact',
          'page',
          'instagram',
          1e21,
          -1,
          '2024-13-45',
        ),
      );

      it('property: fixtures with any value replaced (or removed) parse to a result with sane events', () => {
        fc.assert(
          fc.property(
            fc
              .constantFrom(...base)
              .chain((document) =>
                fc.tuple(fc.constant(document), fc.constantFrom(...paths(document)), junk),
              ),
            ([document, path, value]) => {
              const mutated = replace(document, path, value);
              const raw = mutated === undefined ? new Uint8Array() : metaBytes(mutated);
              const result = adapter.parseWebhook(raw, channel());
              if (!result.ok) return;
              for (const event of result.events as ChannelEvent[]) {
                if (event.type === 'message') {
                  expect(typeof event.platformMessageId).toBe('string');
                  expect(event.platformMessageId).not.toBe('');
                  expect(typeof event.contact.userId).toBe('string');
                  expect(Number.isFinite(event.timestamp)).toBe(true);
                } else if (event.type === 'status') {
                  expect(options.statuses).toContain(event.status);
                }
              }
            },
          ),
          { numRuns: 1000 },
        );
      });

      it('property: arbitrary bytes and arbitrary JSON never throw', () => {
        fc.assert(
          fc.property(
            fc.oneof(
              fc.uint8Array({ maxLength: 300 }),
              fc.json().map((j) => new TextEncoder().encode(j)),
            ),
            (raw) => {
              expect(typeof adapter.parseWebhook(raw, channel()).ok).toBe('boolean');
            },
          ),
          { numRuns: 500 },
        );
      });
    });
  });
}

/** Meta's serialisation of a payload (non-ASCII and `/` escaped), as bytes. */
function metaBytes(payload: unknown): Uint8Array {
  return new TextEncoder().encode(toMetaJson(payload));
}

/** Every path in a JSON document. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  return [
    at,
    ...(Array.isArray(value)
      ? value.flatMap((v, i) => paths(v, [...at, i]))
      : typeof value === 'object' && value !== null
        ? Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))
        : []),
  ];
}

/** A copy of the document with the value at `path` replaced (`undefined` removes it). */
function replace(document: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(document) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
  return copy;
}

const anyText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 600, maxLength: 2600 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t', '👨‍👩‍👧‍👦'.repeat(120)) },
);
const title = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom('Same', 'Same', '🍕'.repeat(22), ' ') },
  { weight: 1, arbitrary: anyText },
);
const choice: fc.Arbitrary<Choice> = fc.record({
  id: fc.oneof(
    { weight: 8, arbitrary: fc.stringMatching(/^[a-z0-9_-]{1,12}:[a-z0-9_-]{1,12}$/) },
    { weight: 1, arbitrary: fc.constantFrom('', 'dup', '\ud800') },
    { weight: 1, arbitrary: fc.string({ minLength: 990, maxLength: 1010 }) },
  ),
  title,
});
/** Channel-neutral messages of every kind, within and over every limit. */
const message: fc.Arbitrary<ChannelMessage> = fc.oneof(
  anyText.map((text): ChannelMessage => ({ kind: 'text', text })),
  fc
    .record({
      media: fc.constantFrom('image', 'video', 'document', 'audio') as fc.Arbitrary<
        'image' | 'video' | 'document' | 'audio'
      >,
      url: fc.oneof(
        fc.webUrl({ validSchemes: ['https'] }),
        fc.constantFrom('not a url', 'ftp://x'),
      ),
      caption: fc.option(anyText, { nil: undefined }),
    })
    .map(
      ({ caption, ...m }): ChannelMessage => ({
        kind: 'media',
        ...m,
        ...(caption !== undefined && { caption }),
      }),
    ),
  fc
    .record({ text: anyText, buttons: fc.array(choice, { maxLength: 16 }) })
    .map((m): ChannelMessage => ({ kind: 'buttons', ...m })),
  fc
    .record({
      text: anyText,
      buttonLabel: title,
      sections: fc.array(
        fc
          .record({
            title: fc.option(title, { nil: undefined }),
            rows: fc.array(choice, { maxLength: 5 }),
          })
          .map(({ title: t, rows }) => (t === undefined ? { rows } : { title: t, rows })),
        { maxLength: 12 },
      ),
    })
    .map((m): ChannelMessage => ({ kind: 'list', ...m })),
  // Lists whose sections fit a generic template (titled, 1–3 good rows), so carousels come up.
  fc
    .record({
      text: anyText,
      sections: fc.array(
        fc.record({
          title,
          rows: fc.array(
            fc.record({ id: fc.stringMatching(/^[a-z]{1,8}:[a-z0-9]{1,8}$/), title }),
            { minLength: 1, maxLength: 3 },
          ),
        }),
        { minLength: 2, maxLength: 4 },
      ),
    })
    .map((m): ChannelMessage => ({ kind: 'list', buttonLabel: 'Open', ...m })),
  fc
    .record({
      text: anyText,
      options: fc.array(fc.tuple(choice, fc.constantFrom('A', 'B', 'AA')), { maxLength: 30 }),
    })
    .map(
      (m): ChannelMessage => ({
        kind: 'options',
        text: m.text,
        groups: [{ options: m.options.map(([c, key]) => ({ ...c, key })) }],
      }),
    ),
);
