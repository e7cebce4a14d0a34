/**
 * Message templates as the inbox needs them: the texts of a platform's component definition
 * (WhatsApp's `HEADER`/`BODY`/`FOOTER`/`BUTTONS`) and the body's `{{1}}`… placeholders, so an
 * agent can fill them and see what the customer will read, and a send can be checked first.
 */
import type { TemplateInfo } from '@chatloom/core';

export interface TemplateView {
  id: string | null;
  name: string;
  language: string;
  category: string | null;
  status: string;
  header: string | null;
  body: string | null;
  footer: string | null;
  buttons: string[];
  /** The body's distinct placeholders in order of first use (`1`, `2`… or names). */
  placeholders: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const placeholderPattern = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The distinct placeholders of a text, in order of first use. */
export function placeholdersOf(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(placeholderPattern))
    if (!found.includes(match[1]!)) found.push(match[1]!);
  return found;
}

/** The text with each placeholder replaced by its parameter (placeholders without one stay). */
export function fillTemplate(text: string, placeholders: string[], parameters: string[]): string {
  return text.replace(placeholderPattern, (whole, name: string) => {
    const value = parameters[placeholders.indexOf(name)];
    return value === undefined ? whole : value;
  });
}

export function templateView(template: TemplateInfo): TemplateView {
  const components = Array.isArray(template.components) ? template.components : [];
  const text = (type: string): string | null => {
    const found = components.find(
      (c): c is Record<string, unknown> =>
        isRecord(c) && typeof c.type === 'string' && c.type.toUpperCase() === type,
    );
    return found && typeof found.text === 'string' ? found.text : null;
  };
  const buttonsComponent = components.find(
    (c) => isRecord(c) && typeof c.type === 'string' && c.type.toUpperCase() === 'BUTTONS',
  );
  const buttons =
    isRecord(buttonsComponent) && Array.isArray(buttonsComponent.buttons)
      ? buttonsComponent.buttons.flatMap((b) =>
          isRecord(b) && typeof b.text === 'string' ? [b.text] : [],
        )
      : [];
  const body = text('BODY');
  return {
    id: template.id ?? null,
    name: template.name,
    language: template.language,
    category: template.category ?? null,
    status: template.status,
    header: text('HEADER'),
    body,
    footer: text('FOOTER'),
    buttons,
    placeholders: body ? placeholdersOf(body) : [],
  };
}
