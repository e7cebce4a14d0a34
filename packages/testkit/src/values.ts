/** Small checks on parsed JSON, shared by the validators. */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Length in Unicode code points (what Meta's limits count). Strings no longer than `max` code
 * units cannot have more than `max` code points, so the common case never scans.
 */
export function codePointLength(text: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        surrogatePairs++;
        i++;
      }
    }
  }
  return text.length - surrogatePairs;
}

/** True when `text` has more than `max` code points. */
export function longerThan(text: string, max: number): boolean {
  return text.length > max && codePointLength(text) > max;
}

/** UTF-8 byte length. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
