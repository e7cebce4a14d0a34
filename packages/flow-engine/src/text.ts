/** Text helpers shared by trigger matching and choice matching. */

const combiningMarks = /\p{M}+/gu;
const whitespace = /\s+/gu;

/**
 * The form typed text is compared in: accents stripped, lower case, runs of white space
 * folded to one space, trimmed. "  Olá,   MUNDO " and "ola, mundo" compare equal.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(combiningMarks, '')
    .toLowerCase()
    .replace(whitespace, ' ')
    .trim();
}

const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Replaces `{{name}}` with the variable's value; an unknown variable becomes empty. */
export function interpolate(text: string, vars: Readonly<Record<string, string>>): string {
  if (!text.includes('{{')) return text;
  return text.replace(placeholder, (_, name: string) => vars[name] ?? '');
}
