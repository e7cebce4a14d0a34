/**
 * Meta's timestamps come as Unix seconds in a string (WhatsApp), Unix milliseconds as a number
 * (Messenger, Instagram), sometimes seconds as a number, and ISO strings in dashboard test
 * payloads (webhook-edge-cases.md §13). All become epoch milliseconds.
 */

/** Numbers below this are seconds (it is 5138 AD in seconds and March 1973 in milliseconds). */
const secondsBelow = 100_000_000_000;

/** Epoch milliseconds, or undefined for anything that is not a plausible time. */
export function parseTimestamp(value: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number') ms = fromNumber(value);
  else if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d+(\.\d+)?$/.test(text)) ms = fromNumber(Number(text));
    else if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
      const parsed = Date.parse(text);
      ms = Number.isNaN(parsed) ? undefined : parsed;
    }
  }
  // Outside year 1970 … 9999: not a timestamp we believe.
  if (ms === undefined || ms < 0 || ms > 253_402_300_799_999) return undefined;
  return ms;
}

function fromNumber(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  return Math.round(n < secondsBelow ? n * 1000 : n);
}
