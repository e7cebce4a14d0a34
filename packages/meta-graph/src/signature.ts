/**
 * `X-Hub-Signature-256`: Meta signs every webhook POST with HMAC-SHA256 of the raw body, keyed
 * with the app secret. We check the bytes exactly as received; re-serialised JSON differs
 * (Meta escapes non-ASCII and `/`) and would not match.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const header = /^sha256=([0-9a-f]{64})$/;

/** The header value Meta would send for `rawBody`: `sha256=<lowercase hex>`. */
export function signHubBody(rawBody: Uint8Array | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/**
 * Whether `signature` (the `X-Hub-Signature-256` header) signs `rawBody` with `appSecret`.
 * False — never an exception — for a missing, repeated or malformed header (`sha1=` only,
 * wrong length, non-hex, upper-case hex) and for an empty secret. Constant time in the digest.
 */
export function verifyHubSignature(
  rawBody: Uint8Array,
  signature: string | readonly string[] | undefined,
  appSecret: string,
): boolean {
  try {
    if (typeof signature !== 'string' || typeof appSecret !== 'string' || appSecret === '') {
      return false;
    }
    const match = header.exec(signature);
    if (match === null || !(rawBody instanceof Uint8Array)) return false;
    const given = Buffer.from(match[1] as string, 'hex');
    const expected = createHmac('sha256', appSecret).update(rawBody).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  } catch {
    return false;
  }
}

/** The one value of a header in Node's `IncomingMessage.headers` shape (name lower-cased). */
export function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}
