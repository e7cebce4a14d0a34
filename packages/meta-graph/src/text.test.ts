import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  fitTitles,
  truncateText,
  truncateToFit,
  utf8Length,
  wellFormed,
} from './text.js';

describe('truncateText', () => {
  it('keeps what fits and cuts the rest with an ellipsis, counting code points', () => {
    expect(truncateText('Confirm', 20)).toBe('Confirm');
    expect(truncateText('Express delivery next day', 20)).toBe('Express delivery ne…');
    expect(truncateText('😀'.repeat(20), 20)).toBe('😀'.repeat(20));
    expect(truncateText('😀'.repeat(21), 20)).toBe(`${'😀'.repeat(19)}…`);
    expect(truncateText('Hello world again', 12)).toBe('Hello world…');
    expect(truncateText('abc', 1)).toBe('…');
    expect(truncateText('abc', 0)).toBe('');
  });

  it('never splits a grapheme (flags, ZWJ families, combining marks)', () => {
    const family = '👨‍👩‍👧'; // 5 code points
    expect(truncateText(`ab${family}cd`, 6)).toBe('ab…');
    expect(truncateText('🇵🇹🇵🇹🇵🇹', 4)).toBe('🇵🇹…');
    expect(truncateText('e\u0301e\u0301e\u0301', 4)).toBe('e\u0301…');
  });

  it('property: at most max code points, a prefix of the text when cut', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        (text, max) => {
          const out = truncateText(text, max);
          expect(codePointLength(out)).toBeLessThanOrEqual(max);
          if (out !== text) {
            expect(out.endsWith('…')).toBe(true);
            expect(text.startsWith(out.slice(0, -1))).toBe(true);
          }
        },
      ),
    );
  });
});

describe('wellFormed', () => {
  it('replaces lone surrogates and keeps pairs', () => {
    expect(wellFormed('a\ud83db')).toBe('a\ufffdb');
    expect(wellFormed('a\ude00b')).toBe('a\ufffdb');
    expect(wellFormed('😀')).toBe('😀');
  });
});

describe('codePointLength', () => {
  it('counts code points', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('😀a')).toBe(2);
    expect(codePointLength('\ud83d')).toBe(1);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(codePointLength(s)).toBe(Array.from(s).length);
      }),
    );
  });
});

describe('utf8Length, truncateToFit, fitTitles', () => {
  it('utf8Length counts bytes', () => {
    expect(utf8Length('aé😀')).toBe(1 + 2 + 4);
  });

  it('truncateToFit finds the longest cut a predicate accepts', () => {
    const fitsBytes = (t: string) => utf8Length(t) <= 10;
    expect(truncateToFit('short', fitsBytes)).toBe('short');
    const cut = truncateToFit('😀😀😀😀😀', fitsBytes);
    expect(cut).toBe('😀…'); // 7 bytes; two emoji and the ellipsis would be 11
    expect(truncateToFit('abc', () => false)).toBe('');
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.nat({ max: 60 }),
        (text, max) => {
          const out = truncateToFit(text, (t) => utf8Length(t) <= max);
          expect(utf8Length(out)).toBeLessThanOrEqual(Math.max(max, 0));
        },
      ),
    );
  });

  it('fitTitles cuts to max and keeps titles unique', () => {
    expect(fitTitles(['Same', 'Same', 'Same'], 20)).toEqual(['Same', 'Same 2', 'Same 3']);
    expect(fitTitles(['Express delivery next day', 'Express delivery next week'], 20)).toEqual([
      'Express delivery ne…',
      'Express delivery… 2',
    ]);
    expect(fitTitles(['  Padded  '], 20)).toEqual(['Padded']);
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), { maxLength: 13 }),
        (titles) => {
          const out = fitTitles(titles, 20);
          for (const t of out) expect(codePointLength(t)).toBeLessThanOrEqual(20);
          const nonEmpty = out.filter((t) => t !== '');
          expect(new Set(nonEmpty).size).toBe(nonEmpty.length);
        },
      ),
    );
  });
});
