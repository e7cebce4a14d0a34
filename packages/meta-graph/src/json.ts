/** Reading untrusted JSON (webhook bodies, Graph answers) without trusting its shape. */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A string, or a finite number as a string (Meta sends ids and codes both ways). */
export function stringOrNumber(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A finite number, also from a numeric string. */
export function finiteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export type JsonBody = { ok: true; value: unknown } | { ok: false; error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes and parses a raw JSON body; never throws. Meta sends ASCII (every other character
 * escaped), so invalid UTF-8 means the body is not Meta's.
 */
export function parseJsonBody(rawBody: Uint8Array): JsonBody {
  if (!(rawBody instanceof Uint8Array)) return { ok: false, error: 'the body is not bytes' };
  if (rawBody.byteLength === 0) return { ok: false, error: 'the body is empty' };
  let text: string;
  try {
    text = utf8.decode(rawBody);
  } catch {
    return { ok: false, error: 'the body is not valid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `the body is not JSON (${reason.slice(0, 200)})` };
  }
}
