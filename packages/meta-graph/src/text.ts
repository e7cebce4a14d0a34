/**
 * Text held to Meta's limits. Meta counts characters as Unicode code points; we also cut only
 * between graphemes, so an emoji sequence or a flag is never split in two.
 */

/** Length in code points (an emoji is one, a flag two). */
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

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Replaces unpaired UTF-16 surrogates (not valid Unicode; Meta would reject them) with U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(loneSurrogate, '\ufffd');
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` in at most `max` code points. A cut text ends with `…` (one code point) and loses
 * trailing white space before it; the cut falls between graphemes.
 */
export function truncateText(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max || codePointLength(text) <= max) return text;
  if (max === 1) return '…';
  const budget = max - 1;
  let used = 0;
  let out = '';
  for (const { segment } of segmenter.segment(text)) {
    const size = codePointLength(segment);
    if (used + size > budget) break;
    out += segment;
    used += size;
  }
  // A grapheme longer than the whole budget (a long ZWJ sequence): fall back to code points.
  if (out === '') out = Array.from(text).slice(0, budget).join('');
  return `${out.trimEnd()}…`;
}

/** Length in UTF-8 bytes (Instagram counts its text limit in bytes). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The longest cut of `text` (as {@link truncateText} cuts) that `fits` accepts: `text` itself
 * when it fits, `''` when no cut does. For limits that are not a plain code-point count
 * (UTF-8 bytes, a text with a fixed tail).
 */
export function truncateToFit(text: string, fits: (candidate: string) => boolean): string {
  if (fits(text)) return text;
  let low = 0;
  let high = codePointLength(text) - 1;
  let best = '';
  while (low <= high) {
    const budget = (low + high) >> 1;
    const candidate = truncateText(text, budget);
    if (fits(candidate)) {
      best = candidate;
      low = budget + 1;
    } else {
      high = budget - 1;
    }
  }
  return best;
}

/**
 * Titles cut to `max` code points and made unique again (`Express…`, `Expre… 2`): what a
 * person sees on buttons must tell them apart even after a cut. Blank titles stay as they are.
 */
export function fitTitles(titles: readonly string[], max: number): string[] {
  const used = new Set<string>();
  return titles.map((raw) => {
    const title = wellFormed(raw.trim());
    let out = truncateText(title, max);
    for (let n = 2; used.has(out) && out !== ''; n++) {
      const suffix = ` ${n}`;
      out = `${truncateText(title, max - suffix.length)}${suffix}`;
    }
    used.add(out);
    return out;
  });
}
