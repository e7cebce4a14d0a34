import { AdapterError } from '@chatloom/core/adapter';
import { type ChannelMessage, type Choice, channelProfiles } from '@chatloom/flow-engine';
import { describe, expect, it } from 'vitest';
import { renderSendApiMessage } from './send-api-render.js';
import { codePointLength, utf8Length } from './text.js';

const messenger = (message: ChannelMessage) =>
  renderSendApiMessage(message, channelProfiles.messenger, { platform: 'Messenger' });
const instagram = (message: ChannelMessage) =>
  renderSendApiMessage(message, channelProfiles.instagram, {
    platform: 'Instagram',
    maxTextBytes: 1000,
  });

const choices = (n: number, title = (i: number) => `Choice ${i + 1}`): Choice[] =>
  Array.from({ length: n }, (_, i) => ({ id: `step:c${i + 1}`, title: title(i) }));

function refused(render: () => unknown): AdapterError {
  try {
    render();
  } catch (error) {
    if (AdapterError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('renderSendApiMessage: the preferred form of flow-engine, when it fits', () => {
  it('text → a text message', () => {
    expect(messenger({ kind: 'text', text: 'Hello' })).toEqual({
      messages: [{ text: 'Hello' }],
      primary: 0,
      form: 'text',
      adjustments: [],
    });
  });

  it('1–3 buttons → a button template with postback buttons whose payload is the choice id', () => {
    const rendering = messenger({ kind: 'buttons', text: 'Pick one', buttons: choices(3) });
    expect(rendering.form).toBe('buttons');
    expect(rendering.messages).toEqual([
      {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'button',
            text: 'Pick one',
            buttons: [
              { type: 'postback', title: 'Choice 1', payload: 'step:c1' },
              { type: 'postback', title: 'Choice 2', payload: 'step:c2' },
              { type: 'postback', title: 'Choice 3', payload: 'step:c3' },
            ],
          },
        },
      },
    ]);
    expect(rendering.adjustments).toEqual([]);
  });

  it('4–13 buttons → quick replies', () => {
    const rendering = messenger({ kind: 'buttons', text: 'Pick one', buttons: choices(13) });
    expect(rendering.form).toBe('quick-replies');
    expect(rendering.messages).toEqual([
      {
        text: 'Pick one',
        quick_replies: choices(13).map((c) => ({
          content_type: 'text',
          title: c.title,
          payload: c.id,
        })),
      },
    ]);
  });

  it('a 10-row list → quick replies (descriptions noted as not shown)', () => {
    const rows = choices(10).map((c) => ({ ...c, description: 'more' }));
    const rendering = messenger({
      kind: 'list',
      text: 'Menu',
      buttonLabel: 'Open',
      sections: [{ rows }],
    });
    expect(rendering.form).toBe('quick-replies');
    const message = rendering.messages[0] as { quick_replies: unknown[] };
    expect(message.quick_replies).toHaveLength(10);
    expect(rendering.adjustments).toEqual([
      'choice descriptions are not shown (only lettered text has them)',
    ]);
  });

  it('a list with titled sections → the text, then a generic template with one element per section', () => {
    const rendering = messenger({
      kind: 'list',
      text: 'Pick a pizza',
      buttonLabel: 'Pizzas',
      sections: [
        { title: 'Classic', rows: choices(2) },
        { title: 'Special', rows: choices(2, (i) => `Special ${i}`) },
      ],
    });
    expect(rendering.form).toBe('carousel');
    expect(rendering.primary).toBe(1);
    expect(rendering.messages).toEqual([
      { text: 'Pick a pizza' },
      {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'generic',
            elements: [
              {
                title: 'Classic',
                buttons: [
                  { type: 'postback', title: 'Choice 1', payload: 'step:c1' },
                  { type: 'postback', title: 'Choice 2', payload: 'step:c2' },
                ],
              },
              {
                title: 'Special',
                buttons: [
                  { type: 'postback', title: 'Special 0', payload: 'step:c1' },
                  { type: 'postback', title: 'Special 1', payload: 'step:c2' },
                ],
              },
            ],
          },
        },
      },
    ]);
  });

  it('navigation options → lettered text with the engine’s keys', () => {
    const rendering = messenger({
      kind: 'options',
      text: 'Type a letter',
      groups: [
        { title: 'Orders', options: [{ id: 's:a', title: 'Track', key: 'A' }] },
        { options: [{ id: 's:b', title: 'Menu', key: 'B' }] },
      ],
    });
    expect(rendering).toEqual({
      messages: [{ text: 'Type a letter\n*Orders*\nA. Track\nB. Menu' }],
      primary: 0,
      form: 'lettered',
      adjustments: [],
    });
  });

  it('media → an attachment by URL; a caption follows as a text; no file names', () => {
    const rendering = messenger({
      kind: 'media',
      media: 'document',
      url: 'https://example.com/menu.pdf',
      caption: 'Our menu',
      filename: 'menu.pdf',
    });
    expect(rendering.messages).toEqual([
      { attachment: { type: 'file', payload: { url: 'https://example.com/menu.pdf' } } },
      { text: 'Our menu' },
    ]);
    expect(rendering.primary).toBe(0);
    expect(rendering.adjustments).toEqual([
      'Messenger takes no file name; the file is named by its URL',
    ]);
    for (const media of ['image', 'video', 'audio'] as const) {
      expect(messenger({ kind: 'media', media, url: 'https://example.com/x' }).messages).toEqual([
        { attachment: { type: media, payload: { url: 'https://example.com/x' } } },
      ]);
    }
  });
});

describe('renderSendApiMessage: last resorts, only when the preferred form has problems', () => {
  it('button titles over 20 are cut by code points (between graphemes) and kept unique', () => {
    const rendering = messenger({
      kind: 'buttons',
      text: 'Pick',
      buttons: [
        { id: 'a', title: 'Express delivery next day' },
        { id: 'b', title: 'Express delivery next week' },
        { id: 'c', title: '🍕'.repeat(25) },
      ],
    });
    expect(rendering.form).toBe('buttons');
    const titles = (
      rendering.messages[0] as {
        attachment: { payload: { buttons: { title: string }[] } };
      }
    ).attachment.payload.buttons.map((b) => b.title);
    expect(titles).toEqual(['Express delivery ne…', 'Express delivery… 2', `${'🍕'.repeat(19)}…`]);
    for (const title of titles) expect(codePointLength(title)).toBeLessThanOrEqual(20);
    expect(rendering.adjustments[0]).toMatch(/^buttons: button "Express delivery next day" has 25/);
  });

  it('a button text over 640 → quick replies (text up to 2000), not lettered text', () => {
    const text = 'x'.repeat(700);
    const rendering = messenger({ kind: 'buttons', text, buttons: choices(2) });
    expect(rendering.form).toBe('quick-replies');
    expect(rendering.messages[0]).toMatchObject({ text });
    expect(rendering.adjustments).toEqual([
      'buttons: the text above the buttons has 700 characters; messenger allows 640',
      'sent as quick-replies',
    ]);
  });

  it('more than 13 choices → lettered text', () => {
    const rendering = messenger({ kind: 'buttons', text: 'Pick', buttons: choices(14) });
    expect(rendering.form).toBe('lettered');
    const text = (rendering.messages[0] as { text: string }).text;
    expect(text.split('\n')).toEqual([
      'Pick',
      ...choices(14).map((c, i) => `${String.fromCharCode(65 + i)}. ${c.title}`),
    ]);
  });

  it('sections with more than 3 rows, or one without a title → quick replies (≤ 13 rows)', () => {
    const big = messenger({
      kind: 'list',
      text: 'Pick',
      buttonLabel: 'x',
      sections: [
        { title: 'A', rows: choices(4) },
        { title: 'B', rows: choices(1) },
      ],
    });
    expect(big.form).toBe('quick-replies');
    const untitled = messenger({
      kind: 'list',
      text: 'Pick',
      buttonLabel: 'x',
      sections: [{ title: 'A', rows: choices(1) }, { rows: choices(2) }],
    });
    expect(untitled.form).toBe('quick-replies');
    expect(untitled.adjustments[0]).toMatch(/a carousel element without a title/);
  });

  it('more than 10 titled sections with more than 13 rows → lettered text with section lines', () => {
    const sections = Array.from({ length: 11 }, (_, s) => ({
      title: `Section ${s}`,
      rows: choices(2, (i) => `Row ${s}.${i}`),
    }));
    const rendering = messenger({ kind: 'list', text: 'Pick', buttonLabel: 'x', sections });
    expect(rendering.form).toBe('lettered');
    expect((rendering.messages[0] as { text: string }).text).toMatch(
      /^Pick\n\*Section 0\*\nA\. Row 0\.0\nB\. Row 0\.1\n\*Section 1\*/,
    );
  });

  it('choice ids Meta cannot carry back (empty, over 1000, lone surrogates) → lettered text', () => {
    for (const id of ['', 'x'.repeat(1001), 'a\ud800']) {
      const rendering = messenger({
        kind: 'buttons',
        text: 'Pick',
        buttons: [{ id, title: 'One' }],
      });
      expect(rendering.form).toBe('lettered');
    }
  });

  it('a blank choice title or text above the choices → lettered text', () => {
    expect(
      messenger({ kind: 'buttons', text: 'Pick', buttons: [{ id: 'a', title: ' ' }] }).form,
    ).toBe('lettered');
    const noText = messenger({ kind: 'buttons', text: '', buttons: choices(2) });
    expect(noText.form).toBe('lettered');
    expect(noText.messages).toEqual([{ text: 'A. Choice 1\nB. Choice 2' }]);
  });

  it('buttons or a list without choices → plain text', () => {
    expect(messenger({ kind: 'buttons', text: 'Just this', buttons: [] })).toMatchObject({
      messages: [{ text: 'Just this' }],
      form: 'text',
    });
    expect(
      messenger({ kind: 'list', text: 'Just this', buttonLabel: 'x', sections: [] }),
    ).toMatchObject({ messages: [{ text: 'Just this' }], form: 'text' });
  });

  it('a too long text is cut with an ellipsis; lettered text keeps its choice lines whole', () => {
    const long = messenger({ kind: 'text', text: 'y'.repeat(2500) });
    const cut = (long.messages[0] as { text: string }).text;
    expect(codePointLength(cut)).toBe(2000);
    expect(cut.endsWith('…')).toBe(true);
    const lettered = messenger({ kind: 'buttons', text: 'z'.repeat(2500), buttons: choices(20) });
    const text = (lettered.messages[0] as { text: string }).text;
    expect(codePointLength(text)).toBeLessThanOrEqual(2000);
    expect(text.endsWith('T. Choice 20')).toBe(true);
    expect(lettered.adjustments).toContain('the text above the choices cut to fit');
  });

  it('choice lines too long together are shortened evenly (never below 12), the rest cut', () => {
    const rendering = messenger({
      kind: 'options',
      text: 'Pick',
      groups: [
        {
          options: Array.from({ length: 26 }, (_, i) => ({
            id: `o${i}`,
            title: 'w'.repeat(200),
            key: String.fromCharCode(65 + i),
          })),
        },
      ],
    });
    const text = (rendering.messages[0] as { text: string }).text;
    expect(codePointLength(text)).toBeLessThanOrEqual(2000);
    const lines = text.split('\n');
    expect(lines).toHaveLength(26);
    expect(lines[25]?.startsWith('Z. ')).toBe(true);
  });
});

describe('renderSendApiMessage: Instagram holds message.text to 1000 UTF-8 bytes as well', () => {
  it('cuts a text of 1000 code points but 4000 bytes', () => {
    const rendering = instagram({ kind: 'text', text: '😀'.repeat(1000) });
    const text = (rendering.messages[0] as { text: string }).text;
    expect(utf8Length(text)).toBeLessThanOrEqual(1000);
    expect(text.endsWith('…')).toBe(true);
    expect(rendering.adjustments).toEqual([
      'the text cut to fit 1000 characters and 1000 UTF-8 bytes',
    ]);
  });

  it('quick replies and lettered text too', () => {
    const quick = instagram({ kind: 'buttons', text: 'é'.repeat(900), buttons: choices(5) });
    expect(quick.form).toBe('quick-replies');
    expect(utf8Length((quick.messages[0] as { text: string }).text)).toBeLessThanOrEqual(1000);
    const lettered = instagram({ kind: 'buttons', text: 'é'.repeat(900), buttons: choices(20) });
    expect(lettered.form).toBe('lettered');
    const text = (lettered.messages[0] as { text: string }).text;
    expect(utf8Length(text)).toBeLessThanOrEqual(1000);
    expect(text.endsWith('T. Choice 20')).toBe(true);
  });
});

describe('renderSendApiMessage: what no form carries is refused before any request', () => {
  it('templates: Messenger and Instagram have none', () => {
    const error = refused(() =>
      messenger({ kind: 'template', name: 'order_update', language: 'en_US', parameters: [] }),
    );
    expect(error.kind).toBe('permanent');
    expect(error.code).toBe('invalid-message');
    expect(error.message).toMatch(
      /^\[Messenger\] cannot send this message: template "order_update" \(en_US\): Messenger has no platform message templates/,
    );
  });

  it('an empty text, a media URL that is not http(s)', () => {
    expect(refused(() => messenger({ kind: 'text', text: ' ' })).message).toMatch(/text is empty/);
    expect(
      refused(() => instagram({ kind: 'media', media: 'image', url: 'ftp://x.test/a' })).message,
    ).toMatch(/^\[Instagram\] .*not an http\(s\) URL/);
    expect(refused(() => messenger({ kind: 'options', text: '', groups: [] })).message).toMatch(
      /empty and there are no choices/,
    );
  });
});
