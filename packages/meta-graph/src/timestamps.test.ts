import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './timestamps.js';

describe('parseTimestamp (edge 13: seconds as string or number, milliseconds, ISO strings)', () => {
  it('reads every shape Meta sends as epoch milliseconds', () => {
    expect(parseTimestamp('1717000000')).toBe(1_717_000_000_000);
    expect(parseTimestamp(1717000000)).toBe(1_717_000_000_000);
    expect(parseTimestamp(1717000000123)).toBe(1_717_000_000_123);
    expect(parseTimestamp('1717000000123')).toBe(1_717_000_000_123);
    expect(parseTimestamp(' 1717000000 ')).toBe(1_717_000_000_000);
    expect(parseTimestamp('1717000000.5')).toBe(1_717_000_000_500);
    expect(parseTimestamp('2024-05-29T16:26:40Z')).toBe(1_717_000_000_000);
    expect(parseTimestamp('2024-05-29T16:26:40.000+00:00')).toBe(1_717_000_000_000);
    expect(parseTimestamp(0)).toBe(0);
  });

  it('refuses what is not a time', () => {
    for (const value of [
      undefined,
      null,
      '',
      'soon',
      '-5',
      -5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '1e12',
      '2024-13-45T99:00:00Z',
      {},
      [],
      true,
      '99999999999999999',
    ]) {
      expect(parseTimestamp(value)).toBeUndefined();
    }
  });

  it('property: seconds, their string and their milliseconds agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (seconds) => {
        const ms = seconds * 1000;
        expect(parseTimestamp(seconds)).toBe(ms);
        expect(parseTimestamp(String(seconds))).toBe(ms);
        if (ms >= 100_000_000_000) expect(parseTimestamp(ms)).toBe(ms);
        expect(parseTimestamp(new Date(ms).toISOString())).toBe(ms);
      }),
    );
  });

  it('property: never throws', () => {
    fc.assert(fc.property(fc.anything(), (value) => void parseTimestamp(value)));
  });
});
