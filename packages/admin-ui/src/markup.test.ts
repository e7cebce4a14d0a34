import { describe, expect, test } from 'vitest';
import { parseMarkup } from './markup.js';

describe('parseMarkup', () => {
  test('bold, italic, strike and code runs', () => {
    expect(parseMarkup('Hi *there* _you_ ~old~ ```x*y*```')).toEqual([
      { text: 'Hi ', marks: [] },
      { text: 'there', marks: ['bold'] },
      { text: ' ', marks: [] },
      { text: 'you', marks: ['italic'] },
      { text: ' ', marks: [] },
      { text: 'old', marks: ['strike'] },
      { text: ' ', marks: [] },
      { text: 'x*y*', marks: ['code'], fence: '```' },
    ]);
  });

  test('nested marks', () => {
    expect(parseMarkup('*bold _both_*')).toEqual([
      { text: 'bold ', marks: ['bold'] },
      { text: 'both', marks: ['bold', 'italic'] },
    ]);
  });

  test('marks are listed as they nest, outermost first', () => {
    expect(parseMarkup('_*both*_ *_both_*')).toEqual([
      { text: 'both', marks: ['italic', 'bold'] },
      { text: ' ', marks: [] },
      { text: 'both', marks: ['bold', 'italic'] },
    ]);
    expect(parseMarkup('`a` ```b```')).toEqual([
      { text: 'a', marks: ['code'], fence: '`' },
      { text: ' ', marks: [] },
      { text: 'b', marks: ['code'], fence: '```' },
    ]);
  });

  test('a marker whose mark is already open is text (WhatsApp shows **a** as a bold *a*)', () => {
    expect(parseMarkup('**Opening hours**')).toEqual([
      { text: '*Opening hours*', marks: ['bold'] },
    ]);
    expect(parseMarkup('Price: ~~10~~ 8')).toEqual([
      { text: 'Price: ', marks: [] },
      { text: '~10~', marks: ['strike'] },
      { text: ' 8', marks: [] },
    ]);
    expect(parseMarkup('__init__')).toEqual([{ text: '_init_', marks: ['italic'] }]);
    expect(parseMarkup('***wow***')).toEqual([{ text: '**wow**', marks: ['bold'] }]);
  });

  test('markers that do not hug a word stay literal', () => {
    for (const text of ['2*3*4', '* not *', 'a_b_c', '*open only', 'line *one\ntwo*'])
      expect(parseMarkup(text)).toEqual([{ text, marks: [] }]);
  });

  test('the text is kept whole: runs join back to the text without its markers', () => {
    const text = 'Menu:\n*A* Book\n*B* Cancel';
    expect(
      parseMarkup(text)
        .map((r) => r.text)
        .join(''),
    ).toBe('Menu:\nA Book\nB Cancel');
  });
});
