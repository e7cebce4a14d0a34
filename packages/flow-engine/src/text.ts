/** Text helpers shared by trigger matching and choice matching. */

const combiningMarks = /\p{M}+/gu;
const whitespace = /\s+/gu;
const plainAscii = /^[ -~\t\n\r]*$/;

/**
 * The form typed text is compared in: accents stripped, lower case, runs of white space
 * folded to one space, trimmed. "  Olá,   MUNDO " and "ola, mundo" compare equal.
 */
export function normalizeText(text: string): string {
  // Plain ASCII has no accents to strip: skip the (costly) decomposition. Lower-casing comes
  // before stripping marks because it can make new ones ("İ" becomes "i" + U+0307).
  if (plainAscii.test(text)) return text.toLowerCase().replace(whitespace, ' ').trim();
  return text
    .normalize('NFD')
    .toLowerCase()
    .replace(combiningMarks, '')
    .replace(whitespace, ' ')
    .trim();
}

const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Replaces `{{name}}` with the variable's value; an unknown variable becomes empty. */
export function interpolate(text: string, vars: Readonly<Record<string, string>>): string {
  if (!text.includes('{{')) return text;
  return text.replace(placeholder, (_, name: string) => vars[name] ?? '');
}
