/**
 * A channel-neutral message as the WhatsApp payload Meta accepts. The form is the one
 * `preferredRendering(message, channelProfiles.whatsapp)` of @chatloom/flow-engine chooses —
 * the same rules flow checks hold flows to: up to 3 buttons as reply buttons, up to 10 as a
 * list, lists of up to 10 rows and 10 sections as lists, everything else (and `options`) as
 * lettered text ("A. …" lines). When the chosen form does not fit (`renderingProblems`) or
 * breaks a rule of Meta's the profile does not hold (ids, an empty body, untitled sections),
 * the last resort applies: titles are cut (between graphemes, with an ellipsis) and what still
 * cannot go out as chosen becomes lettered text, which always fits. Input no form can carry
 * (an empty text, a non-http media URL, an empty template parameter) is refused with a
 * permanent `AdapterError` before anything is sent.
 */
import { AdapterError } from '@chatloom/core/adapter';
import {
  type ChannelMessage,
  type ChannelRendering,
  type Choice,
  preferredRendering,
  renderingProblems,
} from '@chatloom/flow-engine';
import { codePointLength, truncateText, wellFormed } from '@chatloom/meta-graph';
import { whatsAppLimits as limit, whatsAppProfile } from './capabilities.js';

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
  const preferred = preferredRendering(withDefaults(message), whatsAppProfile);
  switch (preferred.form) {
    case 'text':
      return { content: textContent(preferred.text, adjustments), form: 'text', adjustments };
    case 'media':
      if (message.kind !== 'media') break;
      return { content: mediaContent(message, adjustments), form: 'media', adjustments };
    case 'template':
      if (message.kind !== 'template') break;
      return { content: templateContent(message, adjustments), form: 'template', adjustments };
    case 'buttons':
      return renderButtons(message, preferred, adjustments);
    case 'list':
      return renderList(message, preferred, options, adjustments);
    default:
      // `lettered` (options, too many choices); WhatsApp has no quick replies or carousels.
      if (message.kind === 'buttons' || message.kind === 'list') {
        const count = choiceGroups(message).reduce((n, g) => n + g.choices.length, 0);
        if (count === 0) return emptyChoices(message, adjustments);
        adjustments.push(tooMany(message, count));
      }
      break;
  }
  return lettered(message, adjustments);
}

/** Missing choice arrays (from untyped callers) as empty ones, so the rules can count them. */
function withDefaults(message: ChannelMessage): ChannelMessage {
  switch (message.kind) {
    case 'buttons':
      return { ...message, buttons: message.buttons ?? [] };
    case 'list':
      return {
        ...message,
        sections: (message.sections ?? []).map((s) => ({ ...s, rows: s.rows ?? [] })),
      };
    case 'options':
      return {
        ...message,
        groups: (message.groups ?? []).map((g) => ({ ...g, options: g.options ?? [] })),
      };
    default:
      return message;
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

/** The choices of a message in groups (sections, option groups), for lettered text. */
function choiceGroups(
  message: ChannelMessage,
): { title?: string; choices: readonly (Choice & { key?: string })[] }[] {
  switch (message.kind) {
    case 'buttons':
      return [{ choices: message.buttons ?? [] }];
    case 'list':
      return (message.sections ?? []).map((s) => ({
        ...(s.title !== undefined && { title: s.title }),
        choices: s.rows ?? [],
      }));
    case 'options':
      return (message.groups ?? []).map((g) => ({
        ...(g.title !== undefined && { title: g.title }),
        choices: g.options ?? [],
      }));
    default:
      return [];
  }
}

/** Buttons or a list without choices: its text alone (Meta refuses interactive messages without). */
function emptyChoices(
  message: Extract<ChannelMessage, { kind: 'buttons' | 'list' }>,
  adjustments: string[],
): WhatsAppRendering {
  adjustments.push(
    message.kind === 'buttons' ? 'no buttons: sent as text' : 'no rows: sent as text',
  );
  return { content: textContent(message.text, adjustments), form: 'text', adjustments };
}

function tooMany(
  message: Extract<ChannelMessage, { kind: 'buttons' | 'list' }>,
  count: number,
): string {
  if (message.kind === 'list' && count <= limit.listRows) {
    return `${message.sections.length} sections (a WhatsApp list shows ${limit.listSections}): sent as lettered text`;
  }
  return `${count} choices (a WhatsApp list shows ${limit.listRows}): sent as lettered text`;
}

/** A rule of Meta's that `channelProfiles` does not hold, broken by these choices. */
function metaChoiceProblem(
  body: string,
  choices: readonly Choice[],
  idMax: number,
): string | undefined {
  if (typeof body !== 'string' || blank(body))
    return 'no text above the choices (WhatsApp requires one)';
  if (!titlesUsable(choices)) return 'a choice without a title';
  if (!idsUsable(choices, idMax)) {
    return 'choice ids WhatsApp refuses (empty, too long, duplicated or space-padded)';
  }
  return undefined;
}

function degrade(
  message: ChannelMessage,
  reasons: readonly (string | undefined)[],
  adjustments: string[],
): WhatsAppRendering {
  adjustments.push(`${reasons.filter((r) => r !== undefined).join('; ')}: sent as lettered text`);
  return lettered(message, adjustments);
}

/**
 * Reply buttons, as `preferredRendering` chose. The last resort: titles over 20 are cut; what
 * `renderingProblems` still finds then (a body over 1024) or a rule of Meta's the profile does
 * not hold (ids, an empty body) sends lettered text instead.
 */
function renderButtons(
  message: ChannelMessage,
  preferred: Extract<ChannelRendering, { form: 'buttons' }>,
  adjustments: string[],
): WhatsAppRendering {
  const buttons = preferred.buttons ?? [];
  if (message.kind === 'buttons' && buttons.length === 0) return emptyChoices(message, adjustments);
  const body = wellFormed(preferred.text ?? '');
  const metaProblem = metaChoiceProblem(body, buttons, limit.buttonId);
  if (metaProblem !== undefined) return degrade(message, [metaProblem], adjustments);
  const cuts: string[] = [];
  const titles = uniqueTitles(buttons, cuts);
  const fitted = buttons.map((b, i) => ({ ...b, title: titles[i] as string }));
  const problems = renderingProblems(
    { form: 'buttons', text: body, buttons: fitted },
    whatsAppProfile,
  );
  if (problems.length > 0) return degrade(message, problems, adjustments);
  adjustments.push(...cuts);
  return {
    content: {
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: body },
        action: {
          buttons: fitted.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })),
        },
      },
    },
    form: 'buttons',
    adjustments,
  };
}

/**
 * A list, as `preferredRendering` chose (a list message, or 4–10 buttons). The last resort:
 * titles, descriptions and the label are cut to their limits and empty sections dropped; what
 * `renderingProblems` still finds then (a body over 1024) or a rule of Meta's the profile does
 * not hold (ids, an empty body) sends lettered text instead.
 */
function renderList(
  message: ChannelMessage,
  preferred: Extract<ChannelRendering, { form: 'list' }>,
  options: RenderOptions,
  adjustments: string[],
): WhatsAppRendering {
  const sections = (preferred.sections ?? []).filter((s) => (s.rows ?? []).length > 0);
  const rows = sections.flatMap((s) => s.rows);
  if ((message.kind === 'buttons' || message.kind === 'list') && rows.length === 0) {
    return emptyChoices(message, adjustments);
  }
  const body = wellFormed(preferred.text ?? '');
  const metaProblem = metaChoiceProblem(body, rows, limit.rowId);
  if (metaProblem !== undefined) return degrade(message, [metaProblem], adjustments);
  let label: string;
  if (message.kind === 'buttons') {
    label = blank(options.listButtonLabel)
      ? preferred.buttonLabel
      : wellFormed(options.listButtonLabel as string);
  } else {
    label = blank(preferred.buttonLabel)
      ? defaultListButtonLabel
      : wellFormed(preferred.buttonLabel);
  }
  const cut = (text: string | undefined, max: number) =>
    text === undefined ? undefined : truncateText(wellFormed(text.trim()), max);
  const problems = renderingProblems(
    {
      form: 'list',
      text: body,
      buttonLabel: truncateText(label, limit.listButtonLabel),
      sections: sections.map((s) => ({
        ...(s.title !== undefined && { title: cut(s.title, limit.sectionTitle) }),
        rows: s.rows.map((r) => ({
          id: r.id,
          title: cut(r.title, limit.rowTitle) as string,
          ...(r.description !== undefined && {
            description: cut(r.description, limit.rowDescription),
          }),
        })),
      })),
    },
    whatsAppProfile,
  );
  if (problems.length > 0) return degrade(message, problems, adjustments);
  if (message.kind === 'buttons') {
    adjustments.push(`${rows.length} buttons (WhatsApp shows ${limit.buttons}): sent as a list`);
  }
  return listRendering(
    body,
    fit(label, limit.listButtonLabel, 'the list button', adjustments),
    sections,
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
function lettered(message: ChannelMessage, adjustments: string[]): WhatsAppRendering {
  const text = 'text' in message ? message.text : '';
  // A list's empty sections are dropped, as Meta drops them; an options group keeps its title.
  const groups = choiceGroups(message).filter(
    (g) => message.kind !== 'list' || g.choices.length > 0,
  );
  return letteredText(text, groups, adjustments);
}

function letteredText(
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
