/**
 * `runAdapterConformance`: the shared test suite every channel adapter runs in its own vitest.
 * It registers one `describe` block; each test has a stable id (`signature/missing-header`)
 * that a `skip` entry can name, with the reason.
 */
import {
  AdapterError,
  adapterApiVersion,
  type ChannelAdapter,
  type ChannelConfig,
  type ChannelEvent,
  checkAdapter,
  type ParsedWebhook,
  type SendContext,
  type SendResult,
  type WebhookHeaders,
  type WebhookQuery,
} from '@chatloom/core/adapter';
import { type ChannelMessage, compileFlow } from '@chatloom/flow-engine';
import {
  conversationArbitrary,
  flowArbitrary,
  playConversation,
} from '@chatloom/flow-engine/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capabilitiesProblems, deliveredProblems, parsedProblems } from './checks.js';
import type {
  ConformanceFault,
  ConformanceHarness,
  DeliveredMessage,
  PlatformDouble,
  WebhookCase,
} from './harness.js';
import {
  choicesOf,
  manyButtons,
  overLimitCases,
  overLimitMessageArbitrary,
  sendCases,
  templateCase,
} from './messages.js';

/** What `createAdapter` is handed: where the platform double listens, and a short timeout. */
export interface ConformanceEnvironment {
  /** The double's base URL: the adapter sends every request there instead of the platform. */
  baseUrl: string;
  /** The same URL, under the name Meta adapters' settings use (`graphApiBaseUrl`). */
  graphApiBaseUrl: string;
  /** Use it as the adapter's request timeout, so `errors/timeout` ends quickly. */
  timeoutMs: number;
}

/** What `extraTests` (and the built-in tests) work with. Valid inside tests, not while registering. */
export interface ConformanceContext {
  /** The adapter under test, created once for the run. */
  readonly adapter: ChannelAdapter;
  /** The running platform double (reset before every test). */
  readonly double: PlatformDouble;
  readonly harness: ConformanceHarness;
  /** The double's channel, with the right credentials. */
  channel(): ChannelConfig;
  /** A send context to the double's contact, whose window is open. */
  sendContext(channel?: ChannelConfig): SendContext;
}

/** How many generated cases the fast-check properties try. */
export interface ConformanceRuns {
  /** Generated flows played through generated conversations (default 40). */
  flows?: number;
  /** Generated over-limit messages (default 150). */
  messages?: number;
  /** Generated and mutated webhook bodies, headers and queries (default 300). */
  bodies?: number;
}

/** Options of {@link runAdapterConformance}. */
export interface AdapterConformanceOptions {
  /** Title of the `describe` block. */
  name: string;
  /** The adapter's `platform`; checked against the adapter and the harness. */
  platform: string;
  /** Creates the adapter under test, pointed at the double. Called once, after the double starts. */
  createAdapter: (environment: ConformanceEnvironment) => ChannelAdapter;
  /** The platform: its webhooks and a double of its API (`metaHarness('whatsapp')` …). */
  harness: ConformanceHarness;
  /**
   * Tests not to run: test id → why (the reason is shown and must not be empty). An id ending
   * in `/*` skips a group (`'templates/*'`). An id that names no test fails the run.
   */
  skip?: Readonly<Record<string, string>>;
  /** Registers more tests inside the same `describe`, with the same context and resets. */
  extraTests?: (context: ConformanceContext) => void;
  runs?: ConformanceRuns;
  /** The request timeout handed to `createAdapter` (default 1000 ms). */
  timeoutMs?: number;
}

/** A test of the suite: its id and what it checks. */
export interface ConformanceTest {
  id: string;
  title: string;
}

type TestBody = (test: { skip: (note: string) => never }) => void | Promise<void>;
type Define = (id: string, title: string, body: TestBody, timeoutMs?: number) => void;

const faults: readonly {
  fault: ConformanceFault;
  expected: AdapterError['kind'];
  title: string;
}[] = [
  { fault: 'server-error', expected: 'retryable', title: 'a 5xx answer is retryable' },
  { fault: 'timeout', expected: 'retryable', title: 'no answer before the timeout is retryable' },
  {
    fault: 'dropped-connection',
    expected: 'retryable',
    title: 'a dropped connection is retryable',
  },
  {
    fault: 'rate-limited',
    expected: 'rate-limited',
    title: 'the rate limit is rate-limited, with retryAfterMs',
  },
  { fault: 'bad-token', expected: 'permanent', title: 'a refused token is permanent' },
  {
    fault: 'window-closed',
    expected: 'window-closed',
    title: 'a free-form message outside the window is window-closed',
  },
];

const show = (value: unknown, max = 400) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
};

function errorText(error: unknown): string {
  if (AdapterError.isInstance(error)) {
    return `AdapterError ${error.kind} (code ${String(error.code)}): ${error.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Whether `actual` has every property `expected` has, with the same values (recursively). */
function matches(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => matches(actual[i], e))
    );
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return false;
    const a = actual as Record<string, unknown>;
    return Object.entries(expected).every(([k, v]) => matches(a[k], v));
  }
  return Object.is(actual, expected);
}

/**
 * The expected events not matched, each by a different actual event (which may say more: in a
 * batch, a status can learn its contact from the messages beside it).
 */
function unmatched(
  actual: readonly ChannelEvent[],
  expected: readonly ChannelEvent[],
): ChannelEvent[] {
  const free = [...actual];
  return expected.filter((e) => {
    const i = free.findIndex((a) => matches(a, e));
    if (i === -1) return true;
    free.splice(i, 1);
    return false;
  });
}

/** Every value at every path of a JSON document, for mutations. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...at, i], out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  }
  return out;
}

/** `document` with the value at `path` replaced (or removed when `replacement` is undefined). */
function mutate(document: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(document) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

/** Defines every test; `runAdapterConformance` registers them, `conformanceTests` lists them. */
function defineTests(
  options: AdapterConformanceOptions,
  ctx: ConformanceContext,
  define: Define,
): void {
  const { harness } = options;
  const runs = {
    flows: options.runs?.flows ?? 40,
    messages: options.runs?.messages ?? 150,
    bodies: options.runs?.bodies ?? 300,
  };
  const timeoutMs = options.timeoutMs ?? 1000;
  const propertyTimeout = 120_000;

  const parse = (rawBody: Uint8Array): ParsedWebhook =>
    ctx.adapter.parseWebhook(rawBody, ctx.channel());
  const parseOk = (rawBody: Uint8Array, what: string): ChannelEvent[] => {
    const result = parse(rawBody);
    expect(parsedProblems(result), `${what}: the result`).toEqual([]);
    if (!result.ok)
      throw new Error(
        `${what}: expected { ok: true }, got { ok: false, error: "${result.error}" }`,
      );
    return result.events;
  };
  const webhook = (id: string): WebhookCase => {
    const found = harness.webhooks.find((w) => w.id === id);
    if (found === undefined) throw new Error(`the harness has no webhook case "${id}"`);
    return found;
  };
  const firstBody = () => {
    const first = harness.webhooks[0];
    if (first === undefined) throw new Error('the harness has no webhook cases');
    return first.rawBody;
  };
  const escapedCase = () => {
    const found = harness.webhooks.find((w) => w.escaped === true);
    if (found === undefined) {
      throw new Error(
        'the harness has no webhook case marked `escaped` (one with `\\uXXXX` or `\\/` in its bytes)',
      );
    }
    return found;
  };
  const verify = (rawBody: Uint8Array, headers: WebhookHeaders): boolean => {
    let result: unknown;
    try {
      result = ctx.adapter.verifySignature(rawBody, headers, ctx.channel());
    } catch (error) {
      throw new Error(`verifySignature threw (it must answer false): ${errorText(error)}`);
    }
    expect(typeof result, 'verifySignature answers a boolean').toBe('boolean');
    return result as boolean;
  };
  const handshake = (query: WebhookQuery) => {
    try {
      return ctx.adapter.verifyHandshake(query, ctx.channel());
    } catch (error) {
      throw new Error(`verifyHandshake threw (it must answer { ok: false }): ${errorText(error)}`);
    }
  };

  // ------------------------------------------------------------------- adapter
  define(
    'adapter/version',
    `declares adapterApiVersion ${adapterApiVersion} (a literal core checks)`,
    () => {
      expect(ctx.adapter.adapterApiVersion).toBe(adapterApiVersion);
    },
  );
  define(
    'adapter/members',
    'has the required members, the right platform, and the optional members its capabilities promise',
    () => {
      const adapter = ctx.adapter;
      expect(() => checkAdapter(adapter)).not.toThrow();
      expect(adapter.platform).toBe(options.platform);
      expect(harness.platform, 'the harness plays the same platform').toBe(options.platform);
      const optional = [
        'markAsRead',
        'validateCredentials',
        'subscribe',
        'listTemplates',
        'createTemplate',
        'deleteTemplate',
      ] as const;
      for (const name of optional) {
        const member: unknown = adapter[name];
        expect(
          member === undefined || typeof member === 'function',
          `${name} is a function when present`,
        ).toBe(true);
      }
      if (adapter.capabilities.supports.markAsRead) {
        expect(typeof adapter.markAsRead, 'supports.markAsRead needs markAsRead').toBe('function');
      }
      if (adapter.capabilities.supports.templates) {
        expect(typeof adapter.listTemplates, 'supports.templates needs listTemplates').toBe(
          'function',
        );
      }
    },
  );
  define(
    'adapter/capabilities',
    'declares well-formed capabilities (limits, supports, window, pace)',
    () => {
      expect(capabilitiesProblems(ctx.adapter.capabilities)).toEqual([]);
    },
  );

  // ------------------------------------------------------------------- handshake
  function noHandshake(): never {
    throw new Error(
      'the harness has no handshake; skip "handshake/*" with a reason if the platform has none',
    );
  }
  define('handshake/right-token', 'the right verify token answers the challenge, verbatim', () => {
    if (harness.handshake === undefined) noHandshake();
    for (const challenge of ['1158201444', 'Zx-9_a.b~c']) {
      expect(handshake(harness.handshake.accepted(challenge))).toEqual({ ok: true, challenge });
    }
  });
  for (const refused of harness.handshake?.refused ?? []) {
    define(`handshake/${refused.id}`, `refuses ${refused.description}`, () => {
      const result = handshake(refused.query);
      expect(result.ok, show(result)).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/\S/);
    });
  }
  define(
    'handshake/never-throws',
    'any query (arrays, missing, odd values) is answered, never thrown',
    async () => {
      if (harness.handshake === undefined) noHandshake();
      const right = harness.handshake.accepted('123');
      const keys = [...Object.keys(right), 'other'];
      const value = fc.oneof(
        fc.string(),
        fc.array(fc.string(), { maxLength: 3 }),
        fc.constant(undefined),
        fc.constantFrom(...Object.values(right).filter((v): v is string => typeof v === 'string')),
      );
      await fc.assert(
        fc.property(fc.dictionary(fc.constantFrom(...keys), value), (query) => {
          const result = handshake(query as WebhookQuery);
          expect(typeof result.ok).toBe('boolean');
        }),
        { numRuns: runs.bodies },
      );
    },
  );

  // ------------------------------------------------------------------- signature
  define('signature/right', 'a body signed with the channel’s secret verifies', () => {
    const raw = firstBody();
    expect(verify(raw, harness.sign(raw))).toBe(true);
  });
  define('signature/missing-header', 'a body without the signature header is refused', () => {
    const raw = firstBody();
    const headers = { ...harness.sign(raw) };
    for (const name of harness.signatureHeaders) delete headers[name];
    expect(verify(raw, headers)).toBe(false);
  });
  define('signature/wrong-secret', 'a body signed with another secret is refused', () => {
    const raw = firstBody();
    expect(verify(raw, harness.sign(raw, { wrongSecret: true }))).toBe(false);
  });
  define('signature/tampered-body', 'a body changed by one byte after signing is refused', () => {
    const raw = firstBody();
    const tampered = raw.slice();
    const i = Math.floor(tampered.length / 2);
    tampered[i] = (tampered[i] ?? 0) ^ 0x01;
    expect(verify(tampered, harness.sign(raw))).toBe(false);
  });
  define(
    'signature/reserialised-body',
    'the same JSON re-serialised after signing is refused (the check is on raw bytes)',
    () => {
      const c = escapedCase();
      const reserialised = encoder.encode(JSON.stringify(JSON.parse(decoder.decode(c.rawBody))));
      expect(
        decoder.decode(reserialised),
        'the escaped case must change when re-serialised',
      ).not.toBe(decoder.decode(c.rawBody));
      expect(verify(reserialised, harness.sign(c.rawBody))).toBe(false);
    },
  );
  define(
    'signature/platform-escaping',
    'a body in the platform’s escaping (\\uXXXX, \\/) verifies and parses to the real characters',
    () => {
      const c = escapedCase();
      expect(verify(c.rawBody, harness.sign(c.rawBody))).toBe(true);
      const events = parseOk(c.rawBody, c.id);
      if (c.events !== undefined) expect(events).toMatchObject(c.events as object[]);
    },
  );
  for (const malformed of harness.malformedSignatures) {
    define(
      `signature/${malformed.id}`,
      `refuses ${malformed.description}, without throwing`,
      () => {
        const raw = firstBody();
        expect(verify(raw, malformed.headers(raw, harness.sign(raw)))).toBe(false);
      },
    );
  }
  define(
    'signature/never-throws',
    'any header values and bytes are answered false, never thrown',
    async () => {
      const names =
        harness.signatureHeaders.length > 0 ? [...harness.signatureHeaders] : ['x-signature'];
      const value = fc.oneof(
        fc.string(),
        fc.string().map((s) => `sha256=${s}`),
        fc.stringMatching(/^sha256=[0-9a-fA-F]{0,70}$/),
        fc.array(fc.string(), { maxLength: 3 }),
        fc.constant(undefined),
      );
      await fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 200 }),
          fc.dictionary(fc.constantFrom(...names), value),
          (raw, headers) => {
            expect(verify(raw, headers as WebhookHeaders)).toBe(false);
          },
        ),
        { numRuns: runs.bodies },
      );
    },
  );

  // ------------------------------------------------------------------- parse
  for (const c of harness.webhooks) {
    define(`parse/webhook/${c.id}`, `parses ${c.description}`, () => {
      expect(verify(c.rawBody, harness.sign(c.rawBody)), 'the signed body verifies').toBe(true);
      const result = parse(c.rawBody);
      expect(parsedProblems(result, { realisticTimestamps: true })).toEqual([]);
      if (!result.ok)
        throw new Error(`expected { ok: true }, got { ok: false, error: "${result.error}" }`);
      if (c.events !== undefined) expect(result.events).toMatchObject(c.events as object[]);
      c.check?.(result);
      if (c.notFromContact === true) {
        expect(result.events.filter((e) => e.type === 'message' && e.source === 'contact')).toEqual(
          [],
        );
      }
    });
  }
  define(
    'parse/echoes-never-contact',
    'echoes and standby messages are never `contact` messages (answering them loops)',
    () => {
      const cases = harness.webhooks.filter((w) => w.notFromContact === true);
      expect(cases.length, 'the harness has at least one echo case').toBeGreaterThan(0);
      for (const c of cases) {
        const events = parseOk(c.rawBody, c.id);
        expect(events.length, `${c.id} gives events`).toBeGreaterThan(0);
        expect(
          events.filter((e) => e.type === 'message' && e.source === 'contact'),
          c.id,
        ).toEqual([]);
      }
    },
  );
  for (const batch of harness.batches) {
    define(
      `parse/batch/${batch.id}`,
      `reads every event of ${batch.description}, as it reads each alone`,
      () => {
        const expected = batch.parts.flatMap((id) => parseOk(webhook(id).rawBody, id));
        const events = parseOk(batch.rawBody, batch.id);
        expect(events.length, `events of the batch: ${show(events, 4000)}`).toBe(expected.length);
        expect(unmatched(events, expected), 'events read alone that the batch lacks').toEqual([]);
      },
    );
  }
  define(
    'parse/bad-item-keeps-batch',
    `keeps the good events of a body with items it cannot read (${harness.brokenBatch.description})`,
    () => {
      const { brokenBatch } = harness;
      const result = parse(brokenBatch.rawBody);
      expect(parsedProblems(result)).toEqual([]);
      if (!result.ok)
        throw new Error(`one bad item lost the batch: { ok: false, error: "${result.error}" }`);
      const expected = brokenBatch.parts.flatMap((id) => parseOk(webhook(id).rawBody, id));
      expect(unmatched(result.events, expected), 'good events the batch lost').toEqual([]);
      expect(result.problems ?? [], 'the unreadable items are described in problems').not.toEqual(
        [],
      );
    },
  );
  for (const malformed of harness.malformedBodies) {
    define(
      `parse/malformed/${malformed.id}`,
      `answers { ok: false } to ${malformed.description}, without throwing`,
      () => {
        let result: ParsedWebhook;
        try {
          result = parse(malformed.rawBody);
        } catch (error) {
          throw new Error(`parseWebhook threw: ${errorText(error)}`);
        }
        expect(parsedProblems(result)).toEqual([]);
        expect(result.ok, show(result)).toBe(false);
      },
    );
  }
  define(
    'parse/pure',
    'parsing, signature checks and handshakes are synchronous and pure: same bytes, same result, plain JSON, no network',
    async () => {
      const before = ctx.double.requests().length;
      const realFetch = globalThis.fetch;
      const fetched: string[] = [];
      globalThis.fetch = ((input: string | URL | Request) => {
        fetched.push(String(input instanceof Request ? input.url : input));
        return Promise.reject(new Error('no network while parsing'));
      }) as typeof fetch;
      try {
        const bodies = [
          ...harness.webhooks.map((w) => w.rawBody),
          ...harness.batches.map((b) => b.rawBody),
          harness.brokenBatch.rawBody,
        ];
        for (const raw of bodies) {
          const copy = raw.slice();
          const first = parse(raw);
          expect(typeof (first as { then?: unknown }).then, 'parseWebhook is synchronous').not.toBe(
            'function',
          );
          const second = parse(raw);
          expect(second).toEqual(first);
          expect(JSON.parse(JSON.stringify(first)), 'the result is plain JSON data').toEqual(first);
          expect(raw, 'the body is not modified').toEqual(copy);
          verify(raw, harness.sign(raw));
        }
        if (harness.handshake !== undefined) handshake(harness.handshake.accepted('1'));
      } finally {
        globalThis.fetch = realFetch;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fetched, 'fetch calls').toEqual([]);
      expect(ctx.double.requests().slice(before), 'requests that reached the platform').toEqual([]);
    },
  );
  define(
    'parse/never-throws',
    'random bytes, random JSON and mutated webhooks give a well-formed result, never a throw',
    async () => {
      const documents = [...harness.webhooks, ...harness.batches].flatMap((w) => {
        try {
          return [JSON.parse(decoder.decode(w.rawBody)) as unknown];
        } catch {
          return [];
        }
      });
      const mutated =
        documents.length === 0
          ? fc.constant(encoder.encode('{}'))
          : fc
              .tuple(
                fc.constantFrom(...documents),
                fc.nat(),
                fc.option(
                  fc.oneof(
                    fc.jsonValue({ maxDepth: 2 }),
                    fc.constantFrom('', 0, -1, 1e20, null, [], {}, '1717000000'),
                  ),
                  { nil: undefined },
                ),
              )
              .map(([document, n, replacement]) => {
                const all = paths(document);
                return encoder.encode(
                  JSON.stringify(mutate(document, all[n % all.length] ?? [], replacement)) ?? '',
                );
              });
      const body = fc.oneof(
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
        {
          weight: 1,
          arbitrary: fc.jsonValue().map((v) => encoder.encode(JSON.stringify(v) ?? '')),
        },
        { weight: 4, arbitrary: mutated },
      );
      await fc.assert(
        fc.property(body, (raw) => {
          let result: ParsedWebhook;
          try {
            result = parse(raw);
          } catch (error) {
            throw new Error(
              `parseWebhook threw on ${decoder.decode(raw).slice(0, 500)}: ${errorText(error)}`,
            );
          }
          expect(parsedProblems(result)).toEqual([]);
        }),
        { numRuns: runs.bodies },
      );
    },
    propertyTimeout,
  );

  // ------------------------------------------------------------------- send
  async function sendChecked(
    message: ChannelMessage,
  ): Promise<{ result: SendResult; delivered: DeliveredMessage[] }> {
    const double = ctx.double;
    const deliveredBefore = double.delivered().length;
    const requestsBefore = double.requests().length;
    let result: SendResult;
    try {
      result = await ctx.adapter.send(message, ctx.sendContext());
    } catch (error) {
      const refused = double
        .requests()
        .slice(requestsBefore)
        .filter((r) => !r.accepted);
      throw new Error(
        `send failed for ${show(message)}: ${errorText(error)}${refused.length > 0 ? `\nthe platform refused: ${show(refused, 2000)}` : ''}`,
      );
    }
    const refused = double
      .requests()
      .slice(requestsBefore)
      .filter((r) => !r.accepted);
    expect(refused, `requests the platform refused, sending ${show(message)}`).toEqual([]);
    const delivered = double.delivered().slice(deliveredBefore);
    expect(delivered.length, 'messages that reached the platform').toBeGreaterThan(0);
    expect(typeof result?.platformMessageId).toBe('string');
    expect(
      delivered.map((d) => d.id),
      'send returns the id of a message that reached the platform',
    ).toContain(result.platformMessageId);
    expect(delivered.flatMap((d) => deliveredProblems(d, ctx.adapter.capabilities))).toEqual([]);
    return { result, delivered };
  }

  /**
   * Every choice is offered: in a choice form, tapping each delivered choice comes back (through
   * `parseWebhook`) as the id the message carried; in text, each title (and key) is there.
   */
  function expectChoicesOffered(
    message: ChannelMessage,
    delivered: readonly DeliveredMessage[],
    titlesInText: boolean,
  ) {
    const wanted = choicesOf(message);
    if (wanted.length === 0) return;
    const offered = delivered.filter((d) => d.choices.length > 0);
    if (offered.length > 0) {
      const ids: string[] = [];
      for (const d of offered) {
        for (const choice of d.choices) {
          const events = parseOk(ctx.double.tapWebhook(d, choice), `the tap on "${choice.title}"`);
          const tap = events.find((e) => e.type === 'message' && e.content.kind === 'choice');
          if (tap?.type !== 'message' || tap.content.kind !== 'choice') {
            throw new Error(
              `tapping "${choice.title}" (${choice.id}) did not parse to a choice: ${show(events)}`,
            );
          }
          ids.push(tap.content.id);
        }
      }
      expect([...ids].sort(), 'the ids taps bring back are the ids sent').toEqual(
        wanted.map((c) => c.id).sort(),
      );
      return;
    }
    if (!titlesInText) return;
    const text = delivered.map((d) => d.text ?? '').join('\n');
    const missing = wanted.filter(
      (c) => !text.includes(c.title.trim()) || (c.key !== undefined && !text.includes(c.key)),
    );
    expect(missing, `choices missing from the text ${show(text, 2000)}`).toEqual([]);
  }

  define('send/text', 'a text goes out as it is', async () => {
    const message = sendCases.text;
    const { delivered } = await sendChecked(message);
    expect(
      delivered.some((d) => d.form === 'text' && d.text === message.text),
      show(delivered),
    ).toBe(true);
  });
  for (const kind of ['image', 'video', 'document', 'audio'] as const) {
    const id = `media-${kind}` as const;
    define(
      `send/${id}`,
      `${kind === 'image' || kind === 'audio' ? 'an' : 'a'} ${kind} by URL with a caption: as media where supported`,
      async () => {
        const { delivered } = await sendChecked(sendCases[id]);
        if (ctx.adapter.capabilities.supports.media.includes(kind)) {
          expect(
            delivered.some((d) => d.form === 'media' && d.media === kind),
            show(delivered),
          ).toBe(true);
        }
      },
    );
  }
  for (const id of ['buttons-1', 'buttons-3', 'list', 'list-sections', 'options'] as const) {
    const message = sendCases[id];
    define(
      `send/${id}`,
      `${message.kind} with ${choicesOf(message).length} choice${choicesOf(message).length === 1 ? '' : 's'}${message.kind === 'list' && message.sections.length > 1 ? ` in ${message.sections.length} sections` : ''}: every choice offered, taps bring the ids back`,
      async () => {
        const { delivered } = await sendChecked(message);
        const supports = ctx.adapter.capabilities.supports;
        if (
          (message.kind === 'buttons' && supports.buttons) ||
          (message.kind === 'list' && supports.lists && id === 'list')
        ) {
          expect(
            delivered.some((d) => d.choices.length > 0),
            `a choice form, as capabilities.supports says: ${show(delivered)}`,
          ).toBe(true);
        }
        expectChoicesOffered(message, delivered, true);
      },
    );
  }
  define(
    'send/buttons-4-plus',
    '4, 7 and 10 buttons: every choice offered, taps bring the ids back',
    async () => {
      for (const message of manyButtons) {
        const { delivered } = await sendChecked(message);
        expectChoicesOffered(message, delivered, true);
      }
    },
  );
  define(
    'send/template',
    'a template goes out, also outside the window (where capabilities.supports.templates); else it is refused as permanent',
    async () => {
      const message: ChannelMessage = {
        kind: 'template',
        ...templateCase,
        parameters: [...templateCase.parameters],
      };
      if (!ctx.adapter.capabilities.supports.templates) {
        const before = ctx.double.requests().length;
        const error = await ctx.adapter.send(message, ctx.sendContext()).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(
          AdapterError.isInstance(error) && error.kind === 'permanent',
          `expected a permanent AdapterError, got ${errorText(error)}`,
        ).toBe(true);
        expect(
          ctx.double
            .requests()
            .slice(before)
            .filter((r) => r.accepted),
        ).toEqual([]);
        return;
      }
      const double = ctx.double;
      if (double.prepareTemplate === undefined) {
        throw new Error(
          'the adapter supports templates but the harness cannot prepare one (prepareTemplate)',
        );
      }
      double.prepareTemplate({
        name: templateCase.name,
        language: templateCase.language,
        parameters: templateCase.parameters.length,
      });
      const inside = await sendChecked(message);
      expect(
        inside.delivered.some(
          (d) => d.form === 'template' && d.template?.name === templateCase.name,
        ),
        show(inside.delivered),
      ).toBe(true);
      double.inject('window-closed');
      await sendChecked(message);
    },
  );
  /** What each over-limit case is, and whether its choice titles are short enough to find in text. */
  const overLimit: Record<keyof typeof overLimitCases, { title: string; titlesInText: boolean }> = {
    '11-buttons': { title: '11 buttons', titlesInText: true },
    'long-titles': { title: '3 buttons with titles of 29–33 characters', titlesInText: false },
    'long-list-titles': {
      title: 'a list with 30-character row, section and label titles and long descriptions',
      titlesInText: false,
    },
    'long-text': { title: 'a text of 5000 characters', titlesInText: false },
    'long-caption': { title: 'an image with a caption of 2000 characters', titlesInText: false },
    'long-body': { title: '3 buttons under a text of 2000 characters', titlesInText: false },
    'many-rows': { title: 'a list of 3 sections, 18 rows', titlesInText: true },
    'many-options': { title: '40 lettered options', titlesInText: true },
  };
  for (const [id, message] of Object.entries(overLimitCases) as [
    keyof typeof overLimitCases,
    ChannelMessage,
  ][]) {
    define(
      `send/over-limit/${id}`,
      `${overLimit[id].title}: degraded, accepted, within the capabilities, every choice kept`,
      async () => {
        const { delivered } = await sendChecked(message);
        expectChoicesOffered(message, delivered, overLimit[id].titlesInText);
      },
    );
  }
  const sendGenerated = async (message: ChannelMessage) => {
    if (message.kind === 'template') {
      if (!ctx.adapter.capabilities.supports.templates) return;
      ctx.double.prepareTemplate?.({
        name: message.name,
        language: message.language,
        parameters: message.parameters.length,
      });
    }
    const { delivered } = await sendChecked(message);
    expectChoicesOffered(message, delivered, false);
  };
  define(
    'send/property/flows',
    'what generated flows send in generated conversations (@chatloom/flow-engine/testing) is always accepted',
    async () => {
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(
          flowArbitrary(),
          conversationArbitrary(15),
          async (definition, commands) => {
            await ctx.double.reset();
            const trace = playConversation(compileFlow(definition), commands);
            for (const output of [
              ...trace.start.outputs,
              ...trace.turns.flatMap((t) => t.outputs),
            ]) {
              if (output.type !== 'send') continue;
              await sendGenerated(output.message);
              sent++;
            }
          },
        ),
        { numRuns: runs.flows },
      );
      expect(sent, 'messages the generated flows sent').toBeGreaterThan(0);
    },
    propertyTimeout,
  );
  define(
    'send/property/over-limit',
    'generated messages over every limit are degraded, accepted, within the capabilities, choices kept',
    async () => {
      await fc.assert(
        fc.asyncProperty(overLimitMessageArbitrary(), async (message) => {
          await ctx.double.reset();
          await sendGenerated(message);
        }),
        { numRuns: runs.messages },
      );
    },
    propertyTimeout,
  );

  // ------------------------------------------------------------------- errors
  for (const { fault, expected, title } of faults) {
    define(
      `errors/${fault}`,
      title,
      async () => {
        const injected = ctx.double.inject(fault);
        const channel = injected?.channel ?? ctx.channel();
        const error = await ctx.adapter
          .send({ kind: 'text', text: 'conformance' }, ctx.sendContext(channel))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        if (error === undefined)
          throw new Error(`the send succeeded despite the injected ${fault}`);
        if (!AdapterError.isInstance(error)) {
          throw new Error(`expected an AdapterError (${expected}), got ${errorText(error)}`);
        }
        expect(error.kind, errorText(error)).toBe(expected);
        expect(error.message).toMatch(/\S/);
        if (expected === 'rate-limited') {
          expect(
            Number.isFinite(error.retryAfterMs) && (error.retryAfterMs as number) > 0,
            `retryAfterMs is ${String(error.retryAfterMs)}`,
          ).toBe(true);
        }
      },
      fault === 'timeout' ? timeoutMs * 4 + 10_000 : undefined,
    );
  }

  // ------------------------------------------------------------------- optional members
  define(
    'credentials/valid',
    'validateCredentials accepts the double’s channel (where implemented)',
    async (test) => {
      const validate = ctx.adapter.validateCredentials;
      if (validate === undefined) return test.skip('the adapter has no validateCredentials');
      const result = await validate.call(ctx.adapter, ctx.channel());
      expect(result, show(result)).toMatchObject({ ok: true });
    },
  );
  define(
    'credentials/bad-token',
    'validateCredentials answers { ok: false, reason } to a refused token, without throwing (where implemented)',
    async (test) => {
      const validate = ctx.adapter.validateCredentials;
      if (validate === undefined) return test.skip('the adapter has no validateCredentials');
      const channel = ctx.double.inject('bad-token')?.channel;
      if (channel === undefined)
        throw new Error('the harness cannot make a channel with a bad token');
      const result = await validate.call(ctx.adapter, channel);
      expect(result.ok, show(result)).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/\S/);
    },
  );
  define(
    'mark-as-read',
    'markAsRead of a message the contact sent is accepted (where implemented)',
    async (test) => {
      const markAsRead = ctx.adapter.markAsRead;
      if (markAsRead === undefined) return test.skip('the adapter has no markAsRead');
      if (ctx.double.inboundMessageId === undefined)
        throw new Error('the harness cannot make an inbound message (inboundMessageId)');
      const id = await ctx.double.inboundMessageId();
      const before = ctx.double.requests().length;
      await markAsRead.call(ctx.adapter, id, ctx.sendContext());
      const requests = ctx.double.requests().slice(before);
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.filter((r) => !r.accepted)).toEqual([]);
    },
  );
  define(
    'templates/list',
    'listTemplates returns the platform’s templates, statuses lower-cased (where implemented)',
    async (test) => {
      const list = ctx.adapter.listTemplates;
      if (list === undefined) return test.skip('the adapter has no listTemplates');
      const templates = await list.call(ctx.adapter, ctx.channel());
      for (const known of ctx.double.knownTemplates ?? []) {
        expect(templates).toContainEqual(
          expect.objectContaining({
            name: known.name,
            language: known.language,
            status: 'approved',
          }),
        );
      }
      for (const t of templates) expect(t.status).toBe(t.status.toLowerCase());
    },
  );
  define(
    'subscribe',
    'subscribe succeeds against the platform (where implemented)',
    async (test) => {
      const subscribe = ctx.adapter.subscribe;
      if (subscribe === undefined) return test.skip('the adapter has no subscribe');
      await subscribe.call(ctx.adapter, ctx.channel(), {});
      expect(ctx.double.requests().filter((r) => !r.accepted)).toEqual([]);
    },
  );
}

/** The tests `runAdapterConformance` registers for a harness (without `extraTests`), in order. */
export function conformanceTests(harness: ConformanceHarness): ConformanceTest[] {
  const tests: ConformanceTest[] = [];
  const unused = new Proxy({} as ConformanceContext, {
    get() {
      throw new Error('conformanceTests only lists the tests');
    },
  });
  defineTests(
    { name: '', platform: harness.platform, harness, createAdapter: () => unused.adapter },
    unused,
    (id, title) => tests.push({ id, title }),
  );
  tests.push({ id: 'conformance/skip-list', title: 'every skipped test exists and says why' });
  return tests;
}

/**
 * Registers the conformance suite of a channel adapter: one `describe(options.name)` with a
 * test per id (see the README for the list). Call it at the top level of a vitest test file.
 */
export function runAdapterConformance(options: AdapterConformanceOptions): void {
  const skip = options.skip ?? {};
  const state: { double?: PlatformDouble; adapter?: ChannelAdapter } = {};
  const context: ConformanceContext = {
    get adapter() {
      if (state.adapter === undefined)
        throw new Error(
          'the adapter is created before the first test; use the context inside tests',
        );
      return state.adapter;
    },
    get double() {
      if (state.double === undefined)
        throw new Error('the double starts before the first test; use the context inside tests');
      return state.double;
    },
    harness: options.harness,
    channel: () => context.double.channel(),
    sendContext: (channel) => ({
      to: context.double.contact,
      channel: channel ?? context.channel(),
    }),
  };
  const timeoutMs = options.timeoutMs ?? 1000;
  const registered: string[] = [];
  const skipReason = (id: string): string | undefined => {
    for (const [key, reason] of Object.entries(skip)) {
      if (key === id || (key.endsWith('/*') && id.startsWith(key.slice(0, -1)))) return reason;
    }
    return undefined;
  };

  describe(options.name, () => {
    beforeAll(async () => {
      state.double = await options.harness.start();
      state.adapter = options.createAdapter({
        baseUrl: state.double.baseUrl,
        graphApiBaseUrl: state.double.baseUrl,
        timeoutMs,
      });
    });
    afterAll(async () => {
      await state.double?.close();
    });
    beforeEach(async () => {
      await state.double?.reset();
    });

    defineTests(options, context, (id, title, body, timeout) => {
      registered.push(id);
      const name = `${id}: ${title}`;
      const reason = skipReason(id);
      if (reason !== undefined) {
        it.skip(`${name} [skipped: ${reason}]`, () => {});
        return;
      }
      it(name, (test) => body({ skip: (note: string) => test.skip(note) }), timeout);
    });

    options.extraTests?.(context);

    it('conformance/skip-list: every skipped test exists and says why', () => {
      const unknown = Object.keys(skip).filter(
        (key) =>
          !registered.some(
            (id) => id === key || (key.endsWith('/*') && id.startsWith(key.slice(0, -1))),
          ),
      );
      expect(unknown, 'skip entries that name no test').toEqual([]);
      const unexplained = Object.entries(skip)
        .filter(([, reason]) => typeof reason !== 'string' || reason.trim() === '')
        .map(([key]) => key);
      expect(unexplained, 'skip entries without a reason').toEqual([]);
    });
  });
}
