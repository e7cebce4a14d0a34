/**
 * A channel-neutral message as the WhatsApp payload Meta accepts. Nothing over a limit goes
 * out: titles are cut (between graphemes, with an ellipsis), and what no interactive form can
 * carry degrades — more than 3 buttons become a list, more than 10 rows (or ids Meta would
 * refuse, or a body over 1024 characters) become lettered text ("A. …" lines), which always
 * fits. Input no form can carry (an empty text, a non-http media URL, an empty template
 * parameter) is refused with a permanent `AdapterError` before anything is sent.
 */
import { AdapterError } from '@chatloom/core/adapter';
import type { ChannelMessage, Choice } from '@chatloom/flow-engine';
import { codePointLength, truncateText, wellFormed } from '@chatloom/meta-graph';
import { whatsAppLimits as limit } from './capabilities.js';

/** A text message. */
export interface WhatsAppTextContent {
  type: 'text';
  text: { body: string; preview_url: boolean };
}

/** A media message by link. */
export interface WhatsAppMediaContent {
  type: 'image' | 'video' | 'document' | 'audio';
  image?: WhatsAppMediaObject;
  video?: WhatsAppMediaObject;
  document?: WhatsAppMediaObject;
  audio?: WhatsAppMediaObject;
}

export interface WhatsAppMediaObject {
  link: string;
  caption?: string;
  filename?: string;
}

export interface WhatsAppReplyButton {
  type: 'reply';
  reply: { id: string; title: string };
}

export interface WhatsAppListSection {
  title?: string;
  rows: { id: string; title: string; description?: string }[];
}

/** Reply buttons or a list. */
export interface WhatsAppInteractiveContent {
  type: 'interactive';
  interactive:
    | { type: 'button'; body: { text: string }; action: { buttons: WhatsAppReplyButton[] } }
    | {
        type: 'list';
        body: { text: string };
        action: { button: string; sections: WhatsAppListSection[] };
      };
}

/** A template with positional body parameters. */
export interface WhatsAppTemplateContent {
  type: 'template';
  template: {
    name: string;
    language: { code: string };
    components?: { type: 'body'; parameters: { type: 'text'; text: string }[] }[];
  };
}

/** The `type` and its object of a `POST /{phone-number-id}/messages` body. */
export type WhatsAppMessageContent =
  | WhatsAppTextContent
  | WhatsAppMediaContent
  | WhatsAppInteractiveContent
  | WhatsAppTemplateContent;

/** How a message went out. */
export type WhatsAppForm = 'text' | 'media' | 'template' | 'buttons' | 'list' | 'lettered';

export interface WhatsAppRendering {
  content: WhatsAppMessageContent;
  form: WhatsAppForm;
  /** What was changed to fit (cut titles, a degraded form), for logs. Empty when nothing was. */
  adjustments: string[];
}

export interface RenderOptions {
  /** The label of the button that opens a list made from reply buttons (default `☰`). */
  listButtonLabel?: string;
}

/** The label of the button that opens a list built from buttons: no words, no language. */
export const defaultListButtonLabel = '☰';

function refuse(message: string): never {
  throw new AdapterError('permanent', `[WhatsApp] cannot send this message: ${message}`, {
    code: 'invalid-message',
  });
}

const blank = (text: string | undefined) => text === undefined || text.trim() === '';

/** Cuts `text` to `max`, noting it. */
function fit(text: string, max: number, what: string, adjustments: string[]): string {
  const out = truncateText(text, max);
  if (out !== text) adjustments.push(`${what} cut to ${max} characters`);
  return out;
}

/** Renders one message; throws a permanent `AdapterError` for input no form can carry. */
export function renderWhatsAppMessage(
  message: ChannelMessage,
  options: RenderOptions = {},
): WhatsAppRendering {
  const adjustments: string[] = [];
  switch (message.kind) {
    case 'text':
      return { content: textContent(message.text, adjustments), form: 'text', adjustments };
    case 'media':
      return { content: mediaContent(message, adjustments), form: 'media', adjustments };
    case 'template':
      return { content: templateContent(message, adjustments), form: 'template', adjustments };
    case 'buttons':
      return renderButtons(message, options, adjustments);
    case 'list':
      return renderList(message, adjustments);
    case 'options':
      return lettered(
        message.text,
        message.groups.map((g) => ({
          ...(g.title !== undefined && { title: g.title }),
          choices: g.options,
        })),
        adjustments,
      );
  }
}

function textContent(raw: string, adjustments: string[]): WhatsAppTextContent {
  if (typeof raw !== 'string' || blank(raw)) refuse('the text is empty');
  const body = fit(wellFormed(raw), limit.textBody, 'the text', adjustments);
  return { type: 'text', text: { body, preview_url: /https?:\/\/\S/i.test(body) } };
}

function mediaContent(
  message: Extract<ChannelMessage, { kind: 'media' }>,
  adjustments: string[],
): WhatsAppMediaContent {
  const kind = message.media;
  if (!['image', 'video', 'document', 'audio'].includes(kind)) {
    refuse(`media kind "${String(kind)}" is not one of image, video, document, audio`);
  }
  let url: URL;
  try {
    url = new URL(message.url);
  } catch {
    refuse(`the media URL "${String(message.url).slice(0, 100)}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    refuse(`the media URL must be http(s), not ${url.protocol}`);
  }
  const media: WhatsAppMediaObject = { link: message.url };
  if (!blank(message.caption)) {
    if (kind === 'audio') adjustments.push('audio takes no caption; caption dropped');
    else
      media.caption = fit(
        wellFormed(message.caption as string),
        limit.caption,
        'the caption',
        adjustments,
      );
  }
  if (!blank(message.filename)) {
    if (kind === 'document') media.filename = wellFormed(message.filename as string);
    else adjustments.push(`${kind} takes no filename; filename dropped`);
  }
  return { type: kind, [kind]: media };
}

/** Meta refuses text parameters with new lines, tabs or more than 4 spaces in a row. */
function templateParameter(raw: string, index: number, adjustments: string[]): string {
  if (typeof raw !== 'string' || blank(raw)) {
    refuse(`template parameter {{${index + 1}}} is empty; Meta rejects empty parameters`);
  }
  let text = wellFormed(raw)
    .replace(/\s*[\r\n\t\v\f]+\s*/g, ' ')
    .replace(/ {5,}/g, ' ');
  if (text !== raw)
    adjustments.push(
      `template parameter {{${index + 1}}}: new lines, tabs and long runs of spaces became single spaces`,
    );
  text = fit(text, limit.templateParameter, `template parameter {{${index + 1}}}`, adjustments);
  return text;
}

function templateContent(
  message: Extract<ChannelMessage, { kind: 'template' }>,
  adjustments: string[],
): WhatsAppTemplateContent {
  if (blank(message.name)) refuse('the template has no name');
  if (blank(message.language)) refuse(`template "${message.name}" has no language code`);
  const parameters = (message.parameters ?? []).map((p, i) => ({
    type: 'text' as const,
    text: templateParameter(p, i, adjustments),
  }));
  return {
    type: 'template',
    template: {
      name: message.name.trim(),
      language: { code: message.language.trim() },
      ...(parameters.length > 0 && { components: [{ type: 'body' as const, parameters }] }),
    },
  };
}

/** Ids Meta accepts: 1..max characters, no surrounding spaces, unique within the message. */
function idsUsable(choices: readonly Choice[], max: number): boolean {
  const seen = new Set<string>();
  for (const { id } of choices) {
    if (typeof id !== 'string' || id === '' || id.trim() !== id || codePointLength(id) > max) {
      return false;
    }
    if (wellFormed(id) !== id || seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}

const titlesUsable = (choices: readonly Choice[]) =>
  choices.every((c) => typeof c.title === 'string' && !blank(c.title));

function bodyUsable(text: string): boolean {
  return typeof text === 'string' && !blank(text) && codePointLength(text) <= limit.interactiveBody;
}

/** Button titles cut to 20 and made unique again ("Option…", "Opti… 2"). */
function uniqueTitles(choices: readonly Choice[], adjustments: string[]): string[] {
  const used = new Set<string>();
  return choices.map((choice) => {
    const title = wellFormed(choice.title.trim());
    const fitted = fit(title, limit.buttonTitle, `button "${title}"`, adjustments);
    let out = fitted;
    for (let n = 2; used.has(out); n++) {
      const suffix = ` ${n}`;
      out = `${truncateText(title, limit.buttonTitle - suffix.length)}${suffix}`;
    }
    if (out !== fitted) adjustments.push(`button "${title}" renamed "${out}" to stay unique`);
    used.add(out);
    return out;
  });
}

function renderButtons(
  message: Extract<ChannelMessage, { kind: 'buttons' }>,
  options: RenderOptions,
  adjustments: string[],
): WhatsAppRendering {
  const buttons = message.buttons ?? [];
  if (buttons.length === 0) {
    adjustments.push('no buttons: sent as text');
    return { content: textContent(message.text, adjustments), form: 'text', adjustments };
  }
  const body = wellFormed(message.text ?? '');
  const interactive = bodyUsable(body) && titlesUsable(buttons);
  if (interactive && buttons.length <= limit.buttons && idsUsable(buttons, limit.buttonId)) {
    const titles = uniqueTitles(buttons, adjustments);
    return {
      content: {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: body },
          action: {
            buttons: buttons.map((b, i) => ({
              type: 'reply',
              reply: { id: b.id, title: titles[i] as string },
            })),
          },
        },
      },
      form: 'buttons',
      adjustments,
    };
  }
  if (interactive && buttons.length <= limit.listRows && idsUsable(buttons, limit.rowId)) {
    adjustments.push(
      buttons.length > limit.buttons
        ? `${buttons.length} buttons (WhatsApp shows 3): sent as a list`
        : 'button ids WhatsApp refuses for buttons: sent as a list',
    );
    const label = blank(options.listButtonLabel)
      ? defaultListButtonLabel
      : truncateText(wellFormed(options.listButtonLabel as string), limit.listButtonLabel);
    return listRendering(body, label, [{ rows: buttons }], adjustments);
  }
  adjustments.push(degradeReason(body, buttons, buttons.length, limit.listRows));
  return lettered(message.text, [{ choices: buttons }], adjustments);
}

function degradeReason(
  body: string,
  choices: readonly Choice[],
  count: number,
  max: number,
): string {
  if (count > max) return `${count} choices (a WhatsApp list shows ${max}): sent as lettered text`;
  if (!bodyUsable(body)) {
    return blank(body)
      ? 'no text above the choices (WhatsApp requires one): sent as lettered text'
      : `text of ${codePointLength(body)} characters above the choices (WhatsApp allows ${limit.interactiveBody}): sent as lettered text`;
  }
  if (!titlesUsable(choices)) return 'a choice without a title: sent as lettered text';
  return 'choice ids WhatsApp refuses (empty, too long, duplicated or space-padded): sent as lettered text';
}

function renderList(
  message: Extract<ChannelMessage, { kind: 'list' }>,
  adjustments: string[],
): WhatsAppRendering {
  const sections = (message.sections ?? []).filter((s) => (s.rows ?? []).length > 0);
  const rows = sections.flatMap((s) => s.rows);
  if (rows.length === 0) {
    adjustments.push('no rows: sent as text');
    return { content: textContent(message.text, adjustments), form: 'text', adjustments };
  }
  const body = wellFormed(message.text ?? '');
  if (
    rows.length <= limit.listRows &&
    sections.length <= limit.listSections &&
    bodyUsable(body) &&
    titlesUsable(rows) &&
    idsUsable(rows, limit.rowId)
  ) {
    const label = blank(message.buttonLabel)
      ? defaultListButtonLabel
      : fit(wellFormed(message.buttonLabel), limit.listButtonLabel, 'the list button', adjustments);
    return listRendering(body, label, sections, adjustments);
  }
  adjustments.push(degradeReason(body, rows, rows.length, limit.listRows));
  return lettered(
    message.text,
    sections.map((s) => ({ ...(s.title !== undefined && { title: s.title }), choices: s.rows })),
    adjustments,
  );
}

function listRendering(
  body: string,
  label: string,
  sections: readonly { title?: string; rows: readonly Choice[] }[],
  adjustments: string[],
): WhatsAppRendering {
  // Meta requires a title on every section of a multi-section list; without them, one section.
  let parts = sections;
  if (parts.length > 1 && parts.some((s) => blank(s.title))) {
    adjustments.push('sections without titles merged into one');
    parts = [{ rows: parts.flatMap((s) => s.rows) }];
  }
  const many = parts.length > 1;
  return {
    content: {
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: body },
        action: {
          button: label,
          sections: parts.map((s) => ({
            ...(many && {
              title: fit(
                wellFormed((s.title as string).trim()),
                limit.sectionTitle,
                `section "${s.title}"`,
                adjustments,
              ),
            }),
            rows: s.rows.map((r) => {
              const title = fit(
                wellFormed(r.title.trim()),
                limit.rowTitle,
                `row "${r.title}"`,
                adjustments,
              );
              const description = blank(r.description)
                ? undefined
                : fit(
                    wellFormed(r.description as string),
                    limit.rowDescription,
                    `description of row "${r.title}"`,
                    adjustments,
                  );
              return { id: r.id, title, ...(description !== undefined && { description }) };
            }),
          })),
        },
      },
    },
    form: 'list',
    adjustments,
  };
}

/** A, B, … Z, AA, AB … */
export function letterKey(index: number): string {
  let key = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    key = String.fromCharCode(65 + ((n - 1) % 26)) + key;
  }
  return key;
}

/** Lettered lines are never cut shorter than this, even when that loses the last ones. */
const letteredLineMin = 12;

/**
 * Text first, then a `*title*` line per titled group and an `A. Title — description` line per
 * choice (the format of @chatloom/flow-engine's navigation messages). Always fits in 4096.
 */
function lettered(
  text: string,
  groups: readonly { title?: string; choices: readonly (Choice & { key?: string })[] }[],
  adjustments: string[],
): WhatsAppRendering {
  const lines: string[] = [];
  let index = 0;
  for (const group of groups) {
    if (!blank(group.title)) lines.push(`*${wellFormed((group.title as string).trim())}*`);
    for (const choice of group.choices) {
      const key = blank(choice.key) ? letterKey(index) : wellFormed((choice.key as string).trim());
      index++;
      const title = wellFormed(String(choice.title ?? '').trim());
      const description = blank(choice.description)
        ? ''
        : ` — ${wellFormed((choice.description as string).trim())}`;
      lines.push(`${key}. ${title}${description}`);
    }
  }
  let block = lines.join('\n');
  if (codePointLength(block) > limit.textBody - 1) {
    // Share the room between the lines, each kept long enough to be told apart.
    const lineMax = Math.max(
      letteredLineMin,
      Math.floor((limit.textBody - lines.length) / Math.max(1, lines.length)),
    );
    adjustments.push(`choice lines cut to ${lineMax} characters`);
    block = lines.map((l) => truncateText(l, lineMax)).join('\n');
  }
  const intro = blank(text) ? '' : wellFormed(text);
  let body: string;
  if (intro === '') body = block;
  else if (block === '') body = intro;
  else {
    const room = limit.textBody - codePointLength(block) - 1;
    const cut = room > 0 ? truncateText(intro, room) : '';
    if (cut !== intro) adjustments.push('the text above the choices cut to fit');
    body = cut === '' ? block : `${cut}\n${block}`;
  }
  if (blank(body)) refuse('the text is empty and there are no choices');
  body = truncateText(body, limit.textBody);
  return {
    content: { type: 'text', text: { body, preview_url: /https?:\/\/\S/i.test(body) } },
    form: 'lettered',
    adjustments,
  };
}
