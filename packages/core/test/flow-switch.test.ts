/** Options that start another flow, end to end through the test adapter, on every database. */
import type { FlowDefinition } from '@chatloom/flow-engine';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { followSwitches, maxFlowSwitches } from '../src/flow-switch.js';
import type { Store } from '../src/index.js';
import { messageEvent, textEvent } from '../src/testing.js';
import { type Harness, harness, storeKinds } from './helpers.js';

const both = (en: string, es: string) => ({ en, es });

/** A flow of one buttons step, started by `keyword`, whose buttons do what `buttons` says. */
function flow(
  id: string,
  keyword: string,
  text: { en: string; es: string },
  buttons: {
    id: string;
    label: { en: string; es: string };
    action: { type: 'start'; flow?: string } | { type: 'end' };
  }[],
): FlowDefinition {
  return {
    format: 'chatloom.flow/v1',
    id,
    version: 1,
    name: id,
    languages: ['en', 'es'],
    defaultLanguage: 'en',
    triggers: [
      { language: 'en', match: 'exact', keyword },
      { language: 'es', match: 'exact', keyword: `${keyword}-es` },
    ],
    startStep: 'first',
    steps: [
      {
        id: 'first',
        message: { type: 'text', text },
        options: { type: 'buttons', buttons },
      },
    ],
    systemMessages: { thankYou: { text: both('Bye', 'Adiós') } },
  };
}

const menu = flow('menu', 'menu', both('What now, {{name}}?', '¿Y ahora, {{name}}?'), [
  { id: 'book', label: both('Book', 'Reservar'), action: { type: 'start', flow: 'booking' } },
  { id: 'done', label: both('Done', 'Listo'), action: { type: 'end' } },
]);
const booking = flow('booking', 'book', both('Which day, {{name}}?', '¿Qué día, {{name}}?'), [
  { id: 'back', label: both('Menu', 'Menú'), action: { type: 'start', flow: 'menu' } },
  { id: 'done', label: both('Done', 'Listo'), action: { type: 'end' } },
]);

const alice = { phone: '15550001', name: 'Alice' };

/** What the bot sent, as text (buttons: their text). */
const said = (h: Harness) =>
  h.adapter.sent.map((s) => ('text' in s.message ? s.message.text : s.message.kind));

describe.each(storeKinds)('flows starting flows on $name', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await kind.create());
  });
  afterEach(async () => {
    await cleanup();
  });

  let n = 0;
  async function say(h: Harness, text: string) {
    await h.post([textEvent({ id: `m${++n}`, from: alice, text, timestamp: h.clock.now() })]);
    await h.chatloom.drain();
  }
  async function tap(h: Harness, id: string, title: string) {
    await h.post([
      messageEvent({
        id: `m${++n}`,
        from: alice,
        content: { kind: 'choice', id, title },
        timestamp: h.clock.now(),
      }),
    ]);
    await h.chatloom.drain();
  }
  const session = async (h: Harness) => {
    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    return store.getSession(conversation!.id);
  };

  test('an option starts another published flow in the same turn, in the same language', async () => {
    const h = await harness(store, { flow: menu });
    await h.chatloom.saveFlow(h.tenantId, booking, { publish: true });
    await say(h, 'menu-es');
    await tap(h, 'first:book', 'Reservar');
    // The menu's session ended with the switch; booking's first step follows at once, in Spanish.
    expect(said(h)).toEqual(['¿Y ahora, Alice?', '¿Qué día, Alice?']);
    expect(await session(h)).toMatchObject({ flow_id: 'booking', state: 'step:first' });
    // The conversation is in booking now: its options answer, and can switch back.
    await tap(h, 'first:back', 'Menú');
    expect(said(h).slice(2)).toEqual(['¿Y ahora, Alice?']);
    expect(await session(h)).toMatchObject({ flow_id: 'menu' });
    // Replies came out in order, one turn after the other; no problem recorded.
    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    const out = (await h.chatloom.listMessages(conversation!.id)).filter(
      (m) => m.direction === 'out',
    );
    expect(out).toHaveLength(3);
    expect((await store.listInboundEvents()).map((e) => e.error)).toEqual([null, null, null]);
  });

  test('an option starting an unpublished flow ends the conversation’s flow and records why', async () => {
    const h = await harness(store, { flow: menu });
    // Saved as a draft, never published.
    await h.chatloom.saveFlow(h.tenantId, booking);
    await say(h, 'menu');
    await tap(h, 'first:book', 'Book');
    expect(said(h)).toEqual(['What now, Alice?']);
    expect(await session(h)).toBeUndefined();
    const events = await store.listInboundEvents();
    expect(events[1]).toMatchObject({ state: 'processed' });
    expect(events[1]?.error).toBe(
      `flow for message m${n}: flow "menu" starts flow "booking", which is not published for this tenant; the conversation's flow ended`,
    );
    // Nothing is stuck: a trigger starts a flow again.
    await say(h, 'menu');
    expect(said(h)).toEqual(['What now, Alice?', 'What now, Alice?']);
  });

  test('two flows that start each other switch once per message, back and forth', async () => {
    const h = await harness(store, { flow: menu });
    await h.chatloom.saveFlow(h.tenantId, booking, { publish: true });
    await say(h, 'menu');
    for (let i = 0; i < 4; i++) {
      await tap(h, 'first:book', 'Book');
      await tap(h, 'first:back', 'Menu');
    }
    expect(said(h)).toEqual([
      'What now, Alice?',
      ...Array.from({ length: 4 }, () => ['Which day, Alice?', 'What now, Alice?']).flat(),
    ]);
    expect((await store.listInboundEvents()).every((e) => e.error === null)).toBe(true);
  });
});

describe('the bound on flows starting flows in one turn', () => {
  test('a loop A → B → A… stops after the bound, with a recorded problem', () => {
    const started: string[] = [];
    const problem = followSwitches({ from: 'a', to: 'b' }, (id) => {
      started.push(id);
      return { live: true, next: id === 'a' ? 'b' : 'a' };
    });
    expect(started).toEqual(['b', 'a', 'b', 'a', 'b']);
    expect(started).toHaveLength(maxFlowSwitches);
    expect(problem).toBe(
      `flows started one another 5 times for one message ("a" → "b" → "a" → "b" → "a" → "b"); "b" did not start "a" and the conversation's flow ended`,
    );
  });

  test('a chain within the bound, or a flow that is not live, stops where it should', () => {
    const chain = ['b', 'c', 'd'];
    expect(
      followSwitches({ from: 'a', to: 'b' }, (id) => {
        const next = chain[chain.indexOf(id) + 1];
        return next === undefined ? { live: true } : { live: true, next };
      }),
    ).toBeUndefined();
    expect(followSwitches({ from: 'a', to: 'gone' }, () => ({ live: false }))).toBe(
      `flow "a" starts flow "gone", which is not published for this tenant; the conversation's flow ended`,
    );
    expect(followSwitches(undefined, () => ({ live: true }))).toBeUndefined();
  });
});
