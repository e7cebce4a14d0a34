import { AdapterError } from '@chatloom/core/adapter';
import {
  type ChannelMessage,
  type Choice,
  channelProfiles,
  compileFlow,
  preferredRendering,
  renderingProblems,
} from '@chatloom/flow-engine';
import {
  conversationArbitrary,
  flowArbitrary,
  playConversation,
} from '@chatloom/flow-engine/testing';
import { codePointLength } from '@chatloom/meta-graph';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { letterKey, renderWhatsAppMessage } from './render-message.js';

const choices = (n: number, title = (i: number) => `Option ${i + 1}`): Choice[] =>
  Array.from({ length: n }, (_, i) => ({ id: `step:o${i + 1}`, title: title(i) }));

function refused(message: ChannelMessage): AdapterError {
  try {
    renderWhatsAppMessage(message);
  } catch (error) {
    if (AdapterError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const textBody = (message: ChannelMessage) => {
  const { content } = renderWhatsAppMessage(message);
  if (content.type !== 'text') throw new Error(`expected text, got ${content.type}`);
  return content.text.body;
};

describe('text', () => {
  it('sends the text, with link previews when it has a link', () => {
    expect(renderWhatsAppMessage({ kind: 'text', text: 'Hello' })).toEqual({
      content: { type: 'text', text: { body: 'Hello', preview_url: false } },
      form: 'text',
      adjustments: [],
    });
    expect(
      renderWhatsAppMessage({ kind: 'text', text: 'See https://example.com/menu' }).content,
    ).toEqual({
      type: 'text',
      text: { body: 'See https://example.com/menu', preview_url: true },
    });
  });

  it('cuts a text over 4096 code points with an ellipsis, never splitting an emoji', () => {
    const rendering = renderWhatsAppMessage({ kind: 'text', text: '🍕'.repeat(5000) });
    const body = (rendering.content as { text: { body: string } }).text.body;
    expect(codePointLength(body)).toBe(4096);
    expect(body.endsWith('🍕…')).toBe(true);
    expect(rendering.adjustments).toEqual(['the text cut to 4096 characters']);
  });

  it('refuses an empty text and replaces lone surrogates', () => {
    expect(refused({ kind: 'text', text: '  ' })).toMatchObject({
      kind: 'permanent',
      code: 'invalid-message',
    });
    expect(textBody({ kind: 'text', text: 'a\ud800b' })).toBe('a\ufffdb');
  });
});

describe('media', () => {
  it('sends by link with caption and (documents only) filename', () => {
    expect(
      renderWhatsAppMessage({
        kind: 'media',
        media: 'document',
        url: 'https://x.test/a.pdf',
        caption: 'Menu',
        filename: 'menu.pdf',
      }).content,
    ).toEqual({
      type: 'document',
      document: { link: 'https://x.test/a.pdf', caption: 'Menu', filename: 'menu.pdf' },
    });
    const image = renderWhatsAppMessage({
      kind: 'media',
      media: 'image',
      url: 'https://x.test/a.jpg',
      caption: 'c'.repeat(2000),
      filename: 'a.jpg',
    });
    expect(image.content).toEqual({
      type: 'image',
      image: { link: 'https://x.test/a.jpg', caption: `${'c'.repeat(1023)}…` },
    });
    expect(image.adjustments).toEqual([
      'the caption cut to 1024 characters',
      'image takes no filename; filename dropped',
    ]);
  });

  it('audio takes no caption', () => {
    const audio = renderWhatsAppMessage({
      kind: 'media',
      media: 'audio',
      url: 'https://x.test/a.ogg',
      caption: 'listen',
    });
    expect(audio.content).toEqual({ type: 'audio', audio: { link: 'https://x.test/a.ogg' } });
    expect(audio.adjustments).toEqual(['audio takes no caption; caption dropped']);
  });

  it('refuses URLs Meta cannot fetch', () => {
    expect(refused({ kind: 'media', media: 'image', url: 'not a url' }).message).toMatch(
      /not a URL/,
    );
    expect(refused({ kind: 'media', media: 'image', url: 'ftp://x.test/a.jpg' }).message).toMatch(
      /http\(s\)/,
    );
  });
});

describe('templates', () => {
  it('positional body parameters; none means no components', () => {
    expect(
      renderWhatsAppMessage({
        kind: 'template',
        name: 'order_update',
        language: 'en_US',
        parameters: ['Ana', '42'],
      }).content,
    ).toEqual({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '42' },
            ],
          },
        ],
      },
    });
    expect(
      renderWhatsAppMessage({
        kind: 'template',
        name: 'hello_world',
        language: 'en_US',
        parameters: [],
      }).content,
    ).toEqual({
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
  });

  it('new lines, tabs and long runs of spaces in parameters (which Meta refuses) become single spaces', () => {
    const { content, adjustments } = renderWhatsAppMessage({
      kind: 'template',
      name: 't',
      language: 'en',
      parameters: ['line 1\nline 2\t\tend      x'],
    });
    expect(content).toMatchObject({
      template: { components: [{ parameters: [{ text: 'line 1 line 2 end x' }] }] },
    });
    expect(adjustments).toHaveLength(1);
  });

  it('refuses an empty parameter, name or language', () => {
    expect(
      refused({ kind: 'template', name: 't', language: 'en', parameters: ['a', ' '] }).message,
    ).toMatch(/\{\{2\}\} is empty/);
    expect(refused({ kind: 'template', name: '', language: 'en', parameters: [] }).message).toMatch(
      /no name/,
    );
    expect(refused({ kind: 'template', name: 't', language: '', parameters: [] }).message).toMatch(
      /no language/,
    );
  });
});

describe('buttons: reply buttons, then a list, then lettered text', () => {
  it('1–3 buttons are reply buttons carrying our ids', () => {
    expect(renderWhatsAppMessage({ kind: 'buttons', text: 'Pick', buttons: choices(3) })).toEqual({
      content: {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Pick' },
          action: {
            buttons: [1, 2, 3].map((n) => ({
              type: 'reply',
              reply: { id: `step:o${n}`, title: `Option ${n}` },
            })),
          },
        },
      },
      form: 'buttons',
      adjustments: [],
    });
  });

  it('titles over 20 code points are cut between graphemes and kept unique', () => {
    const { content, adjustments } = renderWhatsAppMessage({
      kind: 'buttons',
      text: 'Pick',
      buttons: [
        { id: 'a', title: 'Express delivery tomorrow' },
        { id: 'b', title: 'Express delivery today' },
        { id: 'c', title: '👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦' },
      ],
    });
    const titles = (
      content as { interactive: { action: { buttons: { reply: { title: string } }[] } } }
    ).interactive.action.buttons.map((b) => b.reply.title);
    expect(titles).toEqual(['Express delivery to…', 'Express delivery… 2', '👨‍👩‍👧‍👦👨‍👩‍👧‍👦…']);
    for (const t of titles) expect(codePointLength(t)).toBeLessThanOrEqual(20);
    expect(adjustments).toContain(
      'button "Express delivery today" renamed "Express delivery… 2" to stay unique',
    );
  });

  it('4–10 buttons become a one-section list opened by ☰', () => {
    const rendering = renderWhatsAppMessage({ kind: 'buttons', text: 'Pick', buttons: choices(5) });
    expect(rendering.form).toBe('list');
    expect(rendering.content).toEqual({
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick' },
        action: { button: '☰', sections: [{ rows: choices(5) }] },
      },
    });
    expect(rendering.adjustments).toEqual(['5 buttons (WhatsApp shows 3): sent as a list']);
    expect(
      renderWhatsAppMessage(
        { kind: 'buttons', text: 'Pick', buttons: choices(5) },
        { listButtonLabel: 'Escolher' },
      ).content,
    ).toMatchObject({ interactive: { action: { button: 'Escolher' } } });
  });

  it('more than 10 buttons become lettered text', () => {
    const rendering = renderWhatsAppMessage({
      kind: 'buttons',
      text: 'Pick one:',
      buttons: choices(12),
    });
    expect(rendering.form).toBe('lettered');
    expect(textBody({ kind: 'buttons', text: 'Pick one:', buttons: choices(12) })).toBe(
      ['Pick one:', ...choices(12).map((c, i) => `${letterKey(i)}. ${c.title}`)].join('\n'),
    );
  });

  it('ids Meta refuses for buttons (over 256, space-padded, duplicated) fall back as far as needed', () => {
    expect(
      renderWhatsAppMessage({ kind: 'buttons', text: 'x', buttons: [{ id: ' a', title: 'A' }] })
        .form,
    ).toBe('lettered');
    expect(
      renderWhatsAppMessage({
        kind: 'buttons',
        text: 'x',
        buttons: [{ id: 'a'.repeat(230), title: 'A' }],
      }).form,
    ).toBe('buttons');
    expect(
      renderWhatsAppMessage({
        kind: 'buttons',
        text: 'x',
        buttons: [{ id: 'a'.repeat(300), title: 'A' }],
      }).form,
    ).toBe('lettered');
    expect(
      renderWhatsAppMessage({
        kind: 'buttons',
        text: 'x',
        buttons: [
          { id: 'a', title: 'A' },
          { id: 'a', title: 'B' },
        ],
      }).form,
    ).toBe('lettered');
  });

  it('a body over 1024, an empty body or a blank title: lettered text, nothing lost', () => {
    const long = 'b'.repeat(1500);
    expect(textBody({ kind: 'buttons', text: long, buttons: choices(2) })).toBe(
      `${long}\nA. Option 1\nB. Option 2`,
    );
    expect(textBody({ kind: 'buttons', text: '', buttons: choices(2) })).toBe(
      'A. Option 1\nB. Option 2',
    );
    expect(
      renderWhatsAppMessage({ kind: 'buttons', text: 'x', buttons: [{ id: 'a', title: ' ' }] })
        .form,
    ).toBe('lettered');
  });

  it('no buttons: plain text', () => {
    expect(
      renderWhatsAppMessage({ kind: 'buttons', text: 'Just this', buttons: [] }).content,
    ).toEqual({
      type: 'text',
      text: { body: 'Just this', preview_url: false },
    });
  });
});

describe('lists', () => {
  const list = (sizes: number[], titled = true): ChannelMessage => {
    let n = 0;
    return {
      kind: 'list',
      text: 'Menu',
      buttonLabel: 'See the menu',
      sections: sizes.map((size, s) => ({
        ...(titled && { title: `Section ${s + 1}` }),
        rows: Array.from({ length: size }, () => {
          n++;
          return { id: `r${n}`, title: `Row ${n}`, description: `About ${n}` };
        }),
      })),
    };
  };

  it('up to 10 rows across sections: a list, limits applied', () => {
    const rendering = renderWhatsAppMessage(list([3, 7]));
    expect(rendering.form).toBe('list');
    expect(rendering.content).toMatchObject({
      interactive: {
        type: 'list',
        action: {
          button: 'See the menu',
          sections: [
            {
              title: 'Section 1',
              rows: [{ id: 'r1', title: 'Row 1', description: 'About 1' }, {}, {}],
            },
            { title: 'Section 2' },
          ],
        },
      },
    });
  });

  it('cuts row titles (24), descriptions (72), section titles (24) and the button (20)', () => {
    const { content } = renderWhatsAppMessage({
      kind: 'list',
      text: 'Menu',
      buttonLabel: 'A very long list button label',
      sections: [
        {
          title: 'A section title that is long',
          rows: [
            { id: 'r', title: 'A row title that is much too long', description: 'd'.repeat(80) },
          ],
        },
        { title: 'Two', rows: [{ id: 's', title: 'S' }] },
      ],
    });
    const action = (
      content as {
        interactive: {
          action: {
            button: string;
            sections: { title: string; rows: { title: string; description?: string }[] }[];
          };
        };
      }
    ).interactive.action;
    expect(action.button).toBe('A very long list bu…');
    expect(action.sections[0]?.title).toBe('A section title that is…');
    expect(action.sections[0]?.rows[0]?.title).toBe('A row title that is muc…');
    expect(codePointLength(action.sections[0]?.rows[0]?.description ?? '')).toBe(72);
  });

  it('several sections without titles are merged into one; empty sections dropped; no label gets ☰', () => {
    const { content, adjustments } = renderWhatsAppMessage({
      ...list([2, 0, 3], false),
      buttonLabel: '',
    } as ChannelMessage);
    expect(content).toMatchObject({
      interactive: { action: { button: '☰', sections: [{ rows: [{}, {}, {}, {}, {}] }] } },
    });
    expect(
      (content as { interactive: { action: { sections: object[] } } }).interactive.action
        .sections[0],
    ).not.toHaveProperty('title');
    expect(adjustments).toContain('sections without titles merged into one');
  });

  it('more than 10 rows: lettered text with section headings', () => {
    expect(textBody(list([6, 6]))).toBe(
      [
        'Menu',
        '*Section 1*',
        ...[1, 2, 3, 4, 5, 6].map((n) => `${letterKey(n - 1)}. Row ${n} — About ${n}`),
        '*Section 2*',
        ...[7, 8, 9, 10, 11, 12].map((n) => `${letterKey(n - 1)}. Row ${n} — About ${n}`),
      ].join('\n'),
    );
  });

  it('more than 10 sections count as preferredRendering counts them, empty ones included: lettered text', () => {
    // Before the adapter followed @chatloom/flow-engine's rules it dropped empty sections first
    // and sent this as a one-row list.
    const rendering = renderWhatsAppMessage({
      kind: 'list',
      text: 'Pick',
      buttonLabel: 'Menu',
      sections: [
        { title: 'Only', rows: [{ id: 'a', title: 'A' }] },
        ...Array.from({ length: 10 }, (_, i) => ({ title: `Empty ${i}`, rows: [] })),
      ],
    });
    expect(rendering.form).toBe('lettered');
    expect(rendering.adjustments).toEqual([
      '11 sections (a WhatsApp list shows 10): sent as lettered text',
    ]);
    expect(textBody({ kind: 'list', text: 'Pick', buttonLabel: 'M', sections: [] })).toBe('Pick');
  });

  it('more than 10 sections, or row ids over 200: lettered text', () => {
    expect(renderWhatsAppMessage(list([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1].slice(0, 11))).form).toBe(
      'lettered',
    );
    expect(
      renderWhatsAppMessage({
        kind: 'list',
        text: 'x',
        buttonLabel: 'b',
        sections: [{ rows: [{ id: 'r'.repeat(201), title: 't' }] }],
      }).form,
    ).toBe('lettered');
  });
});

describe('options: lettered navigation', () => {
  it('renders the keys the engine chose, group titles bold', () => {
    expect(
      textBody({
        kind: 'options',
        text: 'Where to?',
        groups: [
          {
            title: 'Food',
            options: [
              { id: 'n:pizza', title: 'Pizzas', key: 'A' },
              { id: 'n:drinks', title: 'Drinks', key: 'B' },
            ],
          },
          { options: [{ id: 'n:help', title: 'Talk to a person', key: 'C' }] },
        ],
      }),
    ).toBe('Where to?\n*Food*\nA. Pizzas\nB. Drinks\nC. Talk to a person');
  });

  it('always fits 4096: long lines cut, then the text above them', () => {
    const groups = [
      {
        options: Array.from({ length: 60 }, (_, i) => ({
          id: `o${i}`,
          title: 'x'.repeat(150),
          key: letterKey(i),
        })),
      },
    ];
    const body = textBody({ kind: 'options', text: 'y'.repeat(4000), groups });
    expect(codePointLength(body)).toBeLessThanOrEqual(4096);
    expect(body).toContain('BH. ');
  });

  it('letter keys go A…Z, AA, AB…', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(letterKey)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });
});

describe('one rule set: the form is the one @chatloom/flow-engine prefers', () => {
  const profile = channelProfiles.whatsapp;
  const formOf = (message: ChannelMessage) => preferredRendering(message, profile).form;

  it('every message a generated flow sends goes out in the form preferredRendering chooses, and fits', () => {
    fc.assert(
      fc.property(flowArbitrary(), conversationArbitrary(10), (definition, commands) => {
        const trace = playConversation(compileFlow(definition), commands);
        for (const output of [...trace.start.outputs, ...trace.turns.flatMap((t) => t.outputs)]) {
          if (output.type !== 'send') continue;
          const preferred = preferredRendering(output.message, profile);
          // Flows are held to these limits, so the preferred form fits and is used as it is.
          expect(renderingProblems(preferred, profile)).toEqual([]);
          expect(renderWhatsAppMessage(output.message).form).toBe(preferred.form);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('otherwise it only ever falls back (last resort) to lettered or plain text', () => {
    const title = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((t) => t.trim() !== '');
    const rows = (max: number) =>
      fc
        .array(fc.record({ title, description: fc.option(title, { nil: undefined }) }), {
          minLength: 1,
          maxLength: max,
        })
        .map((items) =>
          items.map(({ title: t, description }, i) => ({
            id: `c:${i}`,
            title: t,
            ...(description !== undefined && { description }),
          })),
        );
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1500 });
    const message: fc.Arbitrary<ChannelMessage> = fc.oneof(
      fc
        .record({ text, buttons: rows(14) })
        .map((m): ChannelMessage => ({ kind: 'buttons', ...m })),
      fc
        .record({
          text,
          buttonLabel: title,
          sections: fc.array(fc.record({ title, rows: rows(6) }), { minLength: 1, maxLength: 12 }),
        })
        .map(
          (m): ChannelMessage => ({
            kind: 'list',
            ...m,
            sections: m.sections.map((s, i) => ({
              title: s.title,
              rows: s.rows.map((r) => ({ ...r, id: `s${i}:${r.id}` })),
            })),
          }),
        ),
    );
    fc.assert(
      fc.property(message, (m) => {
        const form = renderWhatsAppMessage(m).form;
        const preferred = formOf(m);
        if (form !== preferred) expect(['lettered', 'text']).toContain(form);
        // Titles over their limits are cut, not a reason to leave the form.
        const text = m.kind === 'buttons' || m.kind === 'list' ? m.text : '';
        if (text.trim() !== '' && codePointLength(text) <= 1024) expect(form).toBe(preferred);
      }),
      { numRuns: 500 },
    );
  });
});
