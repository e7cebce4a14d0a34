/**
 * Turns steps and system messages into channel-neutral messages, in the session's language,
 * with variables filled in and every text held to its limit.
 */
import { clampText, limits } from './limits.js';
import type { LocalizedText, Step, SystemMessage } from './schema.js';
import { interpolate } from './text.js';
import type { ChannelMessage, Choice } from './types.js';

/** The text in `language`, else in the flow's default language, else the first one given. */
export function pick(text: LocalizedText | undefined, language: string, fallback: string): string {
  if (!text) return '';
  return text[language] ?? text[fallback] ?? Object.values(text)[0] ?? '';
}

/** The id a choice carries to the channel and back: `<step>:<option>`. */
export const choiceId = (stepId: string, optionId: string) => `${stepId}:${optionId}`;

/** The id of a system action: `#<message>:<key>`, e.g. `#timeout:2`. */
export const systemChoiceId = (message: SystemMessageKind, key: number) => `#${message}:${key}`;

export type SystemMessageKind = 'invalid' | 'timeout' | 'thank-you';

/** Navigation keys: A, B, C… */
export function navigationKey(index: number): string {
  // A…Z, then AA, AB… (navigation steps stop at Z; lettered fallbacks can go further).
  const letter = String.fromCharCode(65 + (index % 26));
  return index < 26 ? letter : `${navigationKey(Math.floor(index / 26) - 1)}${letter}`;
}

interface Language {
  language: string;
  fallback: string;
  vars: Readonly<Record<string, string>>;
}

export function renderStep(step: Step, { language, fallback, vars }: Language): ChannelMessage {
  const { message, options } = step;
  const say = (text: LocalizedText | undefined) => pick(text, language, fallback);
  if (options.type === 'none') {
    if (message.type === 'media') {
      const caption = message.caption
        ? clampText(interpolate(say(message.caption), vars), limits.caption)
        : undefined;
      return {
        kind: 'media',
        media: message.media,
        url: message.url,
        ...(caption !== undefined && { caption }),
        ...(message.filename !== undefined && { filename: message.filename }),
      };
    }
    if (message.type === 'template') {
      return {
        kind: 'template',
        name: message.name,
        language: say(message.language),
        parameters: (message.parameters ?? []).map((p) => interpolate(p, vars)),
      };
    }
    return { kind: 'text', text: clampText(interpolate(say(message.text), vars), limits.textBody) };
  }
  // Validation guarantees a text message on a step with choices.
  const body = clampText(
    interpolate(message.type === 'text' ? say(message.text) : '', vars),
    limits.interactiveBody,
  );
  const choice = (id: string, title: LocalizedText, description?: LocalizedText): Choice => {
    const d = description ? say(description) : '';
    return { id: choiceId(step.id, id), title: say(title), ...(d !== '' && { description: d }) };
  };
  switch (options.type) {
    case 'buttons':
      return {
        kind: 'buttons',
        text: body,
        buttons: options.buttons.map((b) => choice(b.id, b.label)),
      };
    case 'list':
      return {
        kind: 'list',
        text: body,
        buttonLabel: say(options.buttonLabel),
        sections: [{ rows: options.rows.map((r) => choice(r.id, r.title, r.description)) }],
      };
    case 'sections':
      return {
        kind: 'list',
        text: body,
        buttonLabel: say(options.buttonLabel),
        sections: options.sections.map((s) => ({
          title: say(s.title),
          rows: s.rows.map((r) => choice(r.id, r.title, r.description)),
        })),
      };
    case 'navigation': {
      let index = 0;
      return {
        kind: 'options',
        text: body,
        groups: options.groups.map((g) => ({
          ...(g.title && { title: say(g.title) }),
          options: g.options.map((o) => ({
            ...choice(o.id, o.label),
            key: navigationKey(index++),
          })),
        })),
      };
    }
  }
}

/** A system message, with its actions as reply buttons (keys 1–3 also work when typed). */
export function renderSystemMessage(
  kind: SystemMessageKind,
  message: SystemMessage,
  { language, fallback, vars }: Language,
): ChannelMessage {
  const text = clampText(
    interpolate(pick(message.text, language, fallback), vars),
    limits.systemMessage,
  );
  const actions = message.actions ?? [];
  if (actions.length === 0) return { kind: 'text', text };
  return {
    kind: 'buttons',
    text,
    buttons: actions.map((a, i) => ({
      id: systemChoiceId(kind, i + 1),
      title: pick(a.label, language, fallback),
    })),
  };
}
