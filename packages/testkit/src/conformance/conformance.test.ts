/**
 * The conformance suite run against a small Messenger/Instagram adapter (`__tests__/`), so
 * `metaHarness('messenger' | 'instagram')` is known to work before the real adapters use it;
 * and the suite's checks and the harnesses on their own.
 */
import type { ChannelAdapter } from '@chatloom/core/adapter';
import { windowRules } from '@chatloom/flow-engine';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../webhooks.js';
import { createPageAdapter } from './__tests__/page-adapter.js';
import {
  capabilitiesProblems,
  deliveredProblems,
  eventProblems,
  parsedProblems,
} from './checks.js';
import type { DeliveredMessage } from './harness.js';
import { metaHarness, metaHarnessSecrets } from './meta-harness.js';
import { conformanceTests, runAdapterConformance } from './suite.js';

for (const platform of ['messenger', 'instagram'] as const) {
  runAdapterConformance({
    name: `a small ${platform} adapter against metaHarness('${platform}')`,
    platform,
    createAdapter: ({ baseUrl, timeoutMs }) => createPageAdapter(platform, { baseUrl, timeoutMs }),
    harness: metaHarness(platform),
    runs: { flows: 20, messages: 80, bodies: 200 },
    extraTests(context) {
      it('extra: the context works inside extra tests (the double was reset)', async () => {
        expect(context.double.delivered()).toEqual([]);
        await context.adapter.send({ kind: 'text', text: 'extra' }, context.sendContext());
        expect(context.double.delivered()).toMatchObject([{ form: 'text', text: 'extra' }]);
      });
    },
  });
}

runAdapterConformance({
  name: 'skips: a skipped test is reported with its reason',
  platform: 'messenger',
  createAdapter: ({ baseUrl, timeoutMs }) => createPageAdapter('messenger', { baseUrl, timeoutMs }),
  harness: metaHarness('messenger'),
  // One skip, to show that a skipped test carries its reason (the suites above run everything).
  skip: { 'errors/timeout': 'covered by the suites above' },
});

describe('conformanceTests', () => {
  it('lists unique ids, the Meta harness’s cases included', () => {
    for (const platform of ['whatsapp', 'messenger', 'instagram'] as const) {
      const ids = conformanceTests(metaHarness(platform)).map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+)*$/);
      expect(ids).toEqual(
        expect.arrayContaining([
          'adapter/version',
          'handshake/right-token',
          'signature/missing-header',
          'signature/sha1-only',
          'signature/upper-case-hex',
          'parse/webhook/text',
          'parse/webhook/echo',
          'parse/bad-item-keeps-batch',
          'parse/malformed/not-json',
          'parse/pure',
          'send/buttons-4-plus',
          'send/over-limit/11-buttons',
          'send/property/flows',
          'errors/rate-limited',
          'credentials/bad-token',
        ]),
      );
    }
  });
});

describe('metaHarness', () => {
  it('signs every body like Meta, with the channel’s app secret', () => {
    for (const platform of ['whatsapp', 'messenger', 'instagram'] as const) {
      const harness = metaHarness(platform);
      const bodies = [
        ...harness.webhooks.map((w) => w.rawBody),
        ...harness.batches.map((b) => b.rawBody),
        harness.brokenBatch.rawBody,
      ];
      for (const raw of bodies) {
        const header = harness.sign(raw)['x-hub-signature-256'];
        expect(verifyWebhookSignature(raw, header as string, metaHarnessSecrets.appSecret)).toBe(
          true,
        );
        const wrong = harness.sign(raw, { wrongSecret: true })['x-hub-signature-256'];
        expect(verifyWebhookSignature(raw, wrong as string, metaHarnessSecrets.appSecret)).toBe(
          false,
        );
        // Meta's escaping: nothing but ASCII, and no bare slash.
        expect(Buffer.from(raw).toString('latin1')).toMatch(/^[\x20-\x7e]*$/);
        expect(Buffer.from(raw).toString('latin1')).not.toMatch(/[^\\]\//);
      }
      for (const malformed of harness.malformedSignatures) {
        const raw = bodies[0] as Uint8Array;
        const header = malformed.headers(raw, harness.sign(raw))['x-hub-signature-256'];
        expect(
          verifyWebhookSignature(raw, header as string | undefined, metaHarnessSecrets.appSecret),
          malformed.id,
        ).toBe(false);
      }
      const ids = harness.webhooks.map((w) => w.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const batch of [...harness.batches, harness.brokenBatch]) {
        for (const part of batch.parts) expect(ids).toContain(part);
      }
      expect(harness.webhooks.some((w) => w.escaped)).toBe(true);
      expect(harness.webhooks.some((w) => w.notFromContact)).toBe(true);
    }
  });

  it('uses the reference fixtures’ ids and bodies', () => {
    const text = metaHarness('whatsapp').webhooks.find((w) => w.id === 'text');
    expect(JSON.parse(Buffer.from(text?.rawBody ?? []).toString())).toMatchObject({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '100000000000001',
          changes: [{ value: { metadata: { phone_number_id: '200000000000002' } } }],
        },
      ],
    });
    const postback = metaHarness('messenger').webhooks.find((w) => w.id === 'postback');
    expect(JSON.parse(Buffer.from(postback?.rawBody ?? []).toString())).toEqual({
      object: 'page',
      entry: [
        {
          id: '300000000000011',
          time: 1717000000273,
          messaging: [
            {
              sender: { id: '400000000000012' },
              recipient: { id: '300000000000011' },
              timestamp: 1717000120123,
              postback: {
                mid: 'm_TEST_MESSENGER_POSTBACK_0003',
                title: 'Talk to an agent',
                payload: 'TALK_TO_AGENT',
              },
            },
          ],
        },
      ],
    });
  });

  it('refuses an unknown platform by name', () => {
    expect(() => metaHarness('telegram' as 'whatsapp')).toThrow(/unknown platform "telegram"/);
  });

  it('the double: records, describes, injects and resets', async () => {
    const double = await metaHarness('messenger').start();
    try {
      double.reset();
      const adapter = createPageAdapter('messenger', { baseUrl: double.baseUrl, timeoutMs: 500 });
      const context = { to: double.contact, channel: double.channel() };
      await adapter.send(
        { kind: 'buttons', text: 'Pick', buttons: [{ id: 'a:1', title: 'One' }] },
        context,
      );
      expect(double.delivered()).toMatchObject([
        { form: 'buttons', text: 'Pick', choices: [{ id: 'a:1', title: 'One' }], warnings: [] },
      ]);
      double.inject('window-closed');
      await expect(adapter.send({ kind: 'text', text: 'late' }, context)).rejects.toMatchObject({
        kind: 'window-closed',
      });
      expect(double.requests().at(-1)).toMatchObject({
        accepted: false,
        error: expect.stringMatching(/code 10/),
      });
      double.reset();
      expect(double.requests()).toEqual([]);
      await adapter.send({ kind: 'text', text: 'again' }, context);
      expect(double.channel({ credentials: { accessToken: 'x' } }).credentials.accessToken).toBe(
        'x',
      );
    } finally {
      await double.close();
    }
  });
});

describe('checks', () => {
  const message = (over: Partial<Record<string, unknown>> = {}) => ({
    type: 'message',
    source: 'contact',
    platformMessageId: 'm1',
    contact: { userId: 'u1' },
    timestamp: 1717000000000,
    content: { kind: 'text', text: 'hi' },
    ...over,
  });

  it('eventProblems names what core’s types forbid', () => {
    expect(eventProblems(message())).toEqual([]);
    expect(
      eventProblems(message({ timestamp: 1717000000 }), { realisticTimestamps: true })[0],
    ).toMatch(/not epoch milliseconds/);
    expect(eventProblems(message({ source: 'bot' }))[0]).toMatch(/source "bot"/);
    expect(eventProblems(message({ contact: {} }))[0]).toMatch(/neither a userId nor a phone/);
    expect(eventProblems(message({ contact: { phone: '+1555' } }))[0]).toMatch(/E.164/);
    expect(eventProblems(message({ content: { kind: 'choice', title: 'x' } }))[0]).toMatch(
      /without an id/,
    );
    expect(
      eventProblems(message({ content: { kind: 'reaction', emoji: '', targetMessageId: 'x' } }))[0],
    ).toMatch(/neither a string nor null/);
    expect(
      eventProblems({ type: 'status', platformMessageId: 'm', status: 'seen', timestamp: 1 })[0],
    ).toMatch(/seen/);
    expect(
      eventProblems({ type: 'template-status', templateName: 't', status: 'APPROVED' })[0],
    ).toMatch(/lower-case/);
    expect(eventProblems({ type: 'typing' })[0]).toMatch(/unknown type/);
  });

  it('parsedProblems: the result’s shape', () => {
    expect(parsedProblems({ ok: false, error: 'x' })).toEqual([]);
    expect(parsedProblems({ ok: false })).toEqual(['{ ok: false } without an error message']);
    expect(parsedProblems(Promise.resolve({ ok: true, events: [] }))[0]).toMatch(/synchronous/);
    expect(parsedProblems({ ok: true, events: [message()], problems: [1] })).toEqual([
      'problems is not an array of strings',
    ]);
  });

  const capabilities: ChannelAdapter['capabilities'] = {
    limits: {
      textLength: 100,
      buttons: 3,
      buttonTitle: 20,
      listRows: 10,
      rowTitle: 24,
      rowDescription: 72,
      caption: 50,
    },
    supports: {
      buttons: true,
      lists: false,
      templates: false,
      media: ['image'],
      markAsRead: false,
    },
    window: windowRules.whatsapp,
    messagesPerSecond: 10,
  };

  it('capabilitiesProblems', () => {
    expect(capabilitiesProblems(capabilities)).toEqual([]);
    expect(capabilitiesProblems({ ...capabilities, messagesPerSecond: 0 })[0]).toMatch(
      /messagesPerSecond/,
    );
    expect(
      capabilitiesProblems({
        ...capabilities,
        supports: { ...capabilities.supports, media: ['gif'] },
      })[0],
    ).toMatch(/supports.media/);
  });

  it('deliveredProblems holds what reached the platform to the declared capabilities', () => {
    const delivered = (over: Partial<DeliveredMessage>): DeliveredMessage => ({
      id: 'm',
      form: 'text',
      choices: [],
      warnings: [],
      body: {},
      ...over,
    });
    expect(deliveredProblems(delivered({ text: 'x'.repeat(100) }), capabilities)).toEqual([]);
    expect(deliveredProblems(delivered({ text: 'x'.repeat(101) }), capabilities)[0]).toMatch(
      /101 characters/,
    );
    const four = Array.from({ length: 4 }, (_, i) => ({
      id: `${i}`,
      title: 'a title over twenty chars',
    }));
    expect(
      deliveredProblems(delivered({ form: 'buttons', choices: four }), capabilities),
    ).toHaveLength(5);
    expect(deliveredProblems(delivered({ form: 'list', choices: [] }), capabilities)[0]).toMatch(
      /supports.lists is false/,
    );
    expect(
      deliveredProblems(delivered({ form: 'media', media: 'video' }), capabilities)[0],
    ).toMatch(/video media/);
    expect(
      deliveredProblems(delivered({ warnings: ['title truncated'] }), capabilities)[0],
    ).toMatch(/title truncated/);
  });
});
