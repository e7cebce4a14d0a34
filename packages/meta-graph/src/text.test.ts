import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointLength, truncateText, wellFormed } from './text.js';

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
