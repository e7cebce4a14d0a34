import { describe, expect, it } from 'vitest';
import type { Trigger } from './schema.js';
import { findTriggerCollisions, matchTrigger } from './triggers.js';

const flow = (id: string, ...triggers: Trigger[]) => ({ id, triggers });
const t = (match: Trigger['match'], keyword: string, language = 'en'): Trigger => ({
  language,
  match,
  keyword,
});

describe('matchTrigger', () => {
  const flows = [
    flow('support', t('exact', 'help'), t('contains', 'problem'), t('exact', 'ayuda', 'es')),
    flow(
      'sales',
      t('contains', 'price'),
      t('regex', '^(buy|order)\\b'),
      t('exact', 'precio', 'es'),
    ),
    flow('greeting', t('exact', 'hi'), t('exact', 'olá', 'pt')),
  ];

  it('matches exact keywords ignoring case, accents and spaces', () => {
    expect(matchTrigger(flows, '  HELP ')?.flow.id).toBe('support');
    expect(matchTrigger(flows, 'ola')?.flow.id).toBe('greeting');
    expect(matchTrigger(flows, 'ola')?.language).toBe('pt');
    expect(matchTrigger(flows, 'help me')).toBeUndefined();
  });

  it('matches contains and regex keywords on the normalised text', () => {
    expect(matchTrigger(flows, 'I have a PROBLEM with my order')?.flow.id).toBe('support');
    expect(matchTrigger(flows, 'What is the príce?')?.flow.id).toBe('sales');
    expect(matchTrigger(flows, 'Buy now')?.flow.id).toBe('sales');
    expect(matchTrigger(flows, 'buyer')).toBeUndefined();
  });

  it('prefers exact over contains over regex, then the user language, then list order', () => {
    const ranked = [
      flow('contains', t('contains', 'hello')),
      flow('exact', t('exact', 'hello there')),
      flow('regex', t('regex', 'hello')),
    ];
    expect(matchTrigger(ranked, 'hello there')?.flow.id).toBe('exact');
    expect(matchTrigger(ranked, 'hello you')?.flow.id).toBe('contains');
    const bilingual = [flow('en', t('exact', 'taxi', 'en')), flow('es', t('exact', 'taxi', 'es'))];
    expect(matchTrigger(bilingual, 'taxi')?.flow.id).toBe('en');
    expect(matchTrigger(bilingual, 'taxi', 'es')?.flow.id).toBe('es');
  });

  it('matches nothing on empty text and skips a regex that does not compile', () => {
    expect(matchTrigger(flows, '   ')).toBeUndefined();
    expect(matchTrigger([flow('broken', t('regex', '('))], '(')).toBeUndefined();
  });
});

describe('findTriggerCollisions', () => {
  it('finds triggers of different flows that fire on the same text, in the same language', () => {
    const collisions = findTriggerCollisions([
      flow('a', t('exact', 'Hola', 'es'), t('contains', 'order')),
      flow('b', t('exact', 'hola', 'es'), t('contains', 'order status')),
      flow('c', t('regex', '^ord'), t('exact', 'hola', 'pt')),
    ]);
    const pairs = collisions.map((c) => [
      c.first.flowId,
      c.first.trigger.keyword,
      c.second.flowId,
      c.second.trigger.keyword,
    ]);
    expect(pairs).toEqual([
      ['a', 'Hola', 'b', 'hola'],
      ['a', 'order', 'b', 'order status'],
      ['a', 'order', 'c', '^ord'],
      ['b', 'order status', 'c', '^ord'],
    ]);
    expect(collisions[1]!.message).toBe(
      '"order status" (contains, flow "b") also fires the contains trigger "order" of flow "a" in language "en"',
    );
  });

  it('ignores triggers within one flow', () => {
    expect(findTriggerCollisions([flow('a', t('exact', 'hi'), t('contains', 'hi'))])).toEqual([]);
  });
});
