/**
 * Headers for files whose bytes and type come from outside (a customer's file fetched from the
 * platform, an operator's upload) served on the admin origin. A browser must never run them as
 * a page of ours: an HTML or SVG file opened in a tab would run its script with the agent's
 * cookie. So the type is never sniffed, the document is sandboxed with nothing allowed, and only
 * types browsers display without running anything are shown inline; the rest is a download.
 */

const inlineTypes = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'application/pdf',
]);

/** A MIME type without parameters, lower-cased (`Audio/OGG; codecs=opus` → `audio/ogg`). */
const baseType = (mimeType: string) => mimeType.split(';')[0]!.trim().toLowerCase();

/** Whether a file of this type may be shown in the browser rather than downloaded. */
export function isInlineType(mimeType: string): boolean {
  const base = baseType(mimeType);
  return inlineTypes.has(base) || /^(audio|video)\/[a-z0-9][a-z0-9.+-]*$/.test(base);
}

/** A file name safe in a header: its last path segment, printable, at most 200 characters. */
function safeFilename(name: string | undefined, fallback: string): string {
  const base = (name ?? '')
    .split(/[/\\]/)
    .pop()!
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 200);
  return base === '' || base === '.' || base === '..' ? fallback : base;
}

/** RFC 8187 `ext-value` encoding (encodeURIComponent leaves `'()*` that it does not allow). */
const encodeExtValue = (text: string) =>
  encodeURIComponent(text).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/**
 * The content type and safety headers to serve a file with: inline for the allowlisted types,
 * otherwise `application/octet-stream` as an attachment named `filename` (or `fallbackName`).
 */
export function safeMediaHeaders(
  mimeType: string,
  filename: string | undefined,
  fallbackName: string,
): Record<string, string> {
  const inline = isInlineType(mimeType);
  const name = encodeExtValue(safeFilename(filename, fallbackName));
  return {
    'content-type': inline ? baseType(mimeType) : 'application/octet-stream',
    'x-content-type-options': 'nosniff',
    // Chrome's PDF viewer is a plugin: a `sandbox` or `default-src 'none'` policy leaves a blank
    // page. A PDF runs in the browser's isolated viewer, never as a page of ours, so with
    // `nosniff` it needs no policy.
    ...(baseType(mimeType) !== 'application/pdf' && {
      'content-security-policy': "sandbox; default-src 'none'",
    }),
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${name}`,
  };
}
