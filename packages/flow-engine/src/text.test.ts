import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolate, normalizeText } from './text.js';

describe('normalizeText', () => {
  it('ignores case, accents and runs of white space', () => {
    expect(normalizeText('  Olá,   MUNDO\t')).toBe('ola, mundo');
    expect(normalizeText('Ver la CARTA')).toBe(normalizeText('ver  la carta'));
    expect(normalizeText('İstanbul')).toBe('istanbul');
    expect(normalizeText('Ñandú')).toBe('nandu');
  });

  it('is idempotent and gives the same result on the ASCII fast path and the Unicode path', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const once = normalizeText(text);
        expect(normalizeText(once)).toBe(once);
        // Forcing the Unicode path (a non-ASCII character that normalises away) changes nothing.
        expect(normalizeText(`${text}\u0301`)).toBe(normalizeText(text));
      }),
    );
  });
});

describe('interpolate', () => {
  it('fills {{variables}} and empties unknown ones', () => {
    expect(
      interpolate('Hi {{ name }}, order {{order}} {{missing}}!', { name: 'Ana', order: '42' }),
    ).toBe('Hi Ana, order 42 !');
    expect(interpolate('No placeholders', {})).toBe('No placeholders');
  });
});
