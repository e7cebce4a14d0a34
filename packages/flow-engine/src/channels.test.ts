import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelProfiles, fitMessage, preferredRendering, renderingProblems } from './channels.js';
import type { ChannelMessage, Choice } from './types.js';

const choices = (n: number, title = (i: number) => `Option ${i + 1}`): Choice[] =>
  Array.from({ length: n }, (_, i) => ({ id: `s:o${i}`, title: title(i) }));
const { whatsapp, messenger, instagram } = channelProfiles;

describe('preferredRendering', () => {
  it('WhatsApp: up to 3 buttons as buttons, more as a list, over 10 as lettered text', () => {
    expect(
      preferredRendering({ kind: 'buttons', text: 'Hi', buttons: choices(3) }, whatsapp).form,
    ).toBe('buttons');
    expect(
      preferredRendering({ kind: 'buttons', text: 'Hi', buttons: choices(4) }, whatsapp),
    ).toMatchObject({ form: 'list', sections: [{ rows: choices(4) }] });
    expect(
      preferredRendering({ kind: 'buttons', text: 'Hi', buttons: choices(11) }, whatsapp).form,
    ).toBe('lettered');
  });

  it('Messenger and Instagram: button template, quick replies for lists, carousels for titled sections', () => {
    for (const profile of [messenger, instagram]) {
      expect(
        preferredRendering({ kind: 'buttons', text: 'Hi', buttons: choices(3) }, profile).form,
      ).toBe('buttons');
      expect(
        preferredRendering(
          { kind: 'list', text: 'Hi', buttonLabel: 'Open', sections: [{ rows: choices(10) }] },
          profile,
        ),
      ).toMatchObject({
        form: 'quick-replies',
        replies: choices(10),
      });
      expect(
        preferredRendering(
          {
            kind: 'list',
            text: 'Hi',
            buttonLabel: 'Open',
            sections: [
              { title: 'A', rows: choices(2) },
              { title: 'B', rows: choices(1) },
            ],
          },
          profile,
        ),
      ).toMatchObject({ form: 'carousel', elements: [{ title: 'A' }, { title: 'B' }] });
      expect(
        preferredRendering(
          { kind: 'list', text: 'Hi', buttonLabel: 'Open', sections: [{ rows: choices(14) }] },
          profile,
        ).form,
      ).toBe('lettered');
    }
  });

  it('navigation options are lettered text on every channel', () => {
    const message: ChannelMessage = {
      kind: 'options',
      text: 'Pick',
      groups: [{ title: 'Orders', options: [{ key: 'A', id: 's:a', title: 'Track' }] }],
    };
    for (const profile of Object.values(channelProfiles)) {
      expect(preferredRendering(message, profile)).toEqual({
        form: 'lettered',
        text: 'Pick\n*Orders*\nA. Track',
        choices: [{ key: 'A', id: 's:a', title: 'Track' }],
      });
    }
  });
});

describe('renderingProblems', () => {
  it('names what breaks a limit, per channel', () => {
    const longBody: ChannelMessage = {
      kind: 'buttons',
      text: 'x'.repeat(700),
      buttons: choices(2),
    };
    expect(renderingProblems(preferredRendering(longBody, whatsapp), whatsapp)).toEqual([]);
    expect(renderingProblems(preferredRendering(longBody, messenger), messenger)).toEqual([
      'the text above the buttons has 700 characters; messenger allows 640',
    ]);
    const longRow: ChannelMessage = {
      kind: 'list',
      text: 'Hi',
      buttonLabel: 'Open',
      sections: [{ rows: choices(2, () => 'A row title, 22 chars.') }],
    } as const;
    expect(renderingProblems(preferredRendering(longRow, whatsapp), whatsapp)).toEqual([]);
    expect(renderingProblems(preferredRendering(longRow, instagram), instagram)).toEqual([
      'quick reply "A row title, 22 chars." has 22 characters; instagram allows 20',
      'quick reply "A row title, 22 chars." has 22 characters; instagram allows 20',
    ]);
    expect(
      renderingProblems(
        preferredRendering(
          { kind: 'template', name: 't', language: 'en', parameters: [] },
          messenger,
        ),
        messenger,
      ),
    ).toEqual(['messenger has no platform templates']);
  });
});

describe('fitMessage', () => {
  const choice = fc.record({
    id: fc.string({ minLength: 1, maxLength: 20 }),
    title: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  });
  const message: fc.Arbitrary<ChannelMessage> = fc.oneof(
    fc.record({
      kind: fc.constant('text' as const),
      text: fc.string({ unit: 'binary', maxLength: 6000 }),
    }),
    fc.record({
      kind: fc.constant('buttons' as const),
      text: fc.string({ unit: 'binary', maxLength: 1500 }),
      buttons: fc.array(choice, { minLength: 1, maxLength: 15 }),
    }),
    fc.record({
      kind: fc.constant('list' as const),
      text: fc.string({ unit: 'binary', maxLength: 1500 }),
      buttonLabel: fc.string({ minLength: 1, maxLength: 30 }),
      sections: fc.array(
        fc.record({
          title: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
          rows: fc.array(choice, { minLength: 1, maxLength: 6 }),
        }),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
    }),
  );

  it('always gives a form within the channel limits (lettered text and cuts as the last resort)', () => {
    fc.assert(
      fc.property(message, fc.constantFrom(whatsapp, messenger, instagram), (m, profile) => {
        const rendering = fitMessage(m, profile);
        expect(renderingProblems(rendering, profile)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the preferred form when it fits', () => {
    const m: ChannelMessage = { kind: 'buttons', text: 'Hi', buttons: choices(2) };
    expect(fitMessage(m, messenger)).toEqual(preferredRendering(m, messenger));
  });
});
