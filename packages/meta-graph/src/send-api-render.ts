/**
 * A channel-neutral message as Send API messages, for Messenger and Instagram alike. The form
 * is the one `preferredRendering` of @chatloom/flow-engine picks for the channel's profile;
 * only when `renderingProblems` (or a rule of the Send API the profile does not hold, such as
 * a non-empty title) finds a problem does a last resort apply, in this order:
 *
 * 1. the same form with titles cut by code points and the text cut to the channel's limit;
 * 2. quick replies (up to 13 choices stay tappable) for buttons and lists;
 * 3. lettered text ("A. Pizzas"), which every client shows; cut to fit, choices last to go.
 *
 * Nothing over a limit goes out. Input no form can carry (an empty text, a media URL that is
 * not http(s), a platform template) is refused with a permanent `AdapterError`
 * (`code: 'invalid-message'`) before any request.
 */
import { AdapterError } from '@chatloom/core/adapter';
import {
  type ChannelMessage,
  type ChannelProfile,
  type ChannelRendering,
  type Choice,
  letteredRendering,
  preferredRendering,
  renderingProblems,
} from '@chatloom/flow-engine';
import type {
  SendApiElement,
  SendApiMediaAttachment,
  SendApiMessage,
  SendApiPostbackButton,
} from './send-api.js';
import {
  codePointLength,
  fitTitles,
  truncateText,
  truncateToFit,
  utf8Length,
  wellFormed,
} from './text.js';

/** How a message went out (flow-engine's rendering forms that exist on the Send API). */
export type SendApiForm = 'text' | 'media' | 'buttons' | 'quick-replies' | 'carousel' | 'lettered';

export interface SendApiRendering {
  /** What to post, in order: one message, or two (a media and its caption; a text and a carousel). */
  messages: SendApiMessage[];
  /** The index of the message whose id `send` returns: the media, or the one carrying the choices. */
  primary: number;
  form: SendApiForm;
  /** What was changed to fit (a degraded form, cut titles), for logs. Empty when nothing was. */
  adjustments: string[];
}

export interface SendApiRenderOptions {
  /** The platform's name in error messages (`Messenger`, `Instagram`). */
  platform: string;
  /** A limit of `message.text` in UTF-8 bytes, on top of the profile's code points (Instagram). */
  maxTextBytes?: number;
}

/** Meta's limit of a quick-reply or postback payload (our `Choice.id`). */
export const sendApiPayloadLimit = 1000;

/** Lettered lines are never cut shorter than this, even when that loses the last ones. */
const letteredLineMin = 12;

const blank = (text: unknown): boolean => typeof text !== 'string' || text.trim() === '';

const mediaTypes: Record<
  Extract<ChannelMessage, { kind: 'media' }>['media'],
  SendApiMediaAttachment['type']
> = { image: 'image', video: 'video', audio: 'audio', document: 'file' };

/** Renders one message for a channel; throws a permanent `AdapterError` for input no form can carry. */
export function renderSendApiMessage(
  message: ChannelMessage,
  profile: ChannelProfile,
  options: SendApiRenderOptions,
): SendApiRendering {
  const platform = options.platform;
  const adjustments: string[] = [];
  const refuse = (why: string): never => {
    throw new AdapterError('permanent', `[${platform}] cannot send this message: ${why}`, {
      code: 'invalid-message',
    });
  };

  /** Whether a `message.text` fits the channel (code points, and bytes where counted). */
  const textFits = (text: string): boolean =>
    codePointLength(text) <= profile.text &&
    (options.maxTextBytes === undefined || utf8Length(text) <= options.maxTextBytes);
  const fitText = (raw: string, what: string): string => {
    const text = wellFormed(raw);
    if (textFits(text)) return text;
    const cut = truncateToFit(text, textFits);
    adjustments.push(`${what} cut to fit ${describeTextLimit(profile, options)}`);
    return cut;
  };

  /** Send API rules the profile does not hold; empty when the rendering can go as it is. */
  const sendApiProblems = (rendering: ChannelRendering): string[] => {
    const problems: string[] = [];
    const choices = (what: string, list: readonly Choice[], min: number) => {
      if (list.length < min) problems.push(`${what}: none`);
      for (const choice of list) {
        if (blank(choice.title)) problems.push(`${what}: a choice without a title`);
        if (!payloadUsable(choice.id)) {
          problems.push(
            `${what}: choice id ${JSON.stringify(String(choice.id).slice(0, 40))} cannot be a payload (empty, over ${sendApiPayloadLimit} characters or not well-formed)`,
          );
        }
      }
    };
    // Code points are renderingProblems' to count; bytes are the Send API's own (Instagram).
    const text = (what: string, value: string) => {
      if (blank(value)) problems.push(`${what} is empty`);
      else if (options.maxTextBytes !== undefined && utf8Length(value) > options.maxTextBytes) {
        problems.push(
          `${what} has ${utf8Length(value)} UTF-8 bytes; ${platform} allows ${options.maxTextBytes}`,
        );
      }
    };
    switch (rendering.form) {
      case 'buttons':
        if (blank(rendering.text)) problems.push('the text above the buttons is empty');
        choices('buttons', rendering.buttons, 1);
        break;
      case 'quick-replies':
        text('the text above the quick replies', rendering.text);
        choices('quick replies', rendering.replies, 1);
        break;
      case 'carousel':
        if (!blank(rendering.text)) text('the text above the carousel', rendering.text);
        if (rendering.elements.length === 0) problems.push('a carousel without elements');
        for (const element of rendering.elements) {
          if (blank(element.title)) problems.push('a carousel element without a title');
          choices(`element "${element.title}"`, element.buttons, 1);
        }
        break;
      case 'text':
      case 'lettered':
        text('the text', rendering.text);
        break;
      default:
        break;
    }
    return problems;
  };

  // --- Builders: each returns undefined when the form cannot carry the message. ---------

  const buttonTemplate = (text: string, buttons: readonly Choice[]): SendApiMessage | undefined => {
    const body = wellFormed(text);
    if (blank(body) || codePointLength(body) > profile.buttons.body) return undefined;
    if (buttons.length === 0 || buttons.length > profile.buttons.max) return undefined;
    if (!buttons.every(sendable)) return undefined;
    return {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: body,
          buttons: postbacks(buttons, profile.buttons.title, 'button', adjustments),
        },
      },
    };
  };

  const quickReplies = (text: string, replies: readonly Choice[]): SendApiMessage | undefined => {
    const quick = profile.quickReplies;
    if (quick === null || blank(text)) return undefined;
    if (replies.length === 0 || replies.length > quick.max || !replies.every(sendable)) {
      return undefined;
    }
    const titles = fitTitles(
      replies.map((r) => r.title),
      quick.title,
    );
    noteCuts(replies, titles, 'quick reply', adjustments);
    return {
      text: fitText(text, 'the text above the quick replies'),
      quick_replies: replies.map((r, i) => ({
        content_type: 'text',
        title: titles[i] as string,
        payload: r.id,
      })),
    };
  };

  const carousel = (
    text: string,
    elements: readonly { title: string; buttons: Choice[] }[],
  ): SendApiMessage[] | undefined => {
    const limits = profile.carousel;
    if (limits === null || elements.length === 0 || elements.length > limits.elements) {
      return undefined;
    }
    const usable = elements.every(
      (e) =>
        !blank(e.title) &&
        e.buttons.length > 0 &&
        e.buttons.length <= limits.buttons &&
        e.buttons.every(sendable),
    );
    if (!usable) return undefined;
    const cards: SendApiElement[] = elements.map((e) => {
      const title = wellFormed(e.title.trim());
      const cut = truncateText(title, limits.title);
      if (cut !== title) adjustments.push(`element "${title}" cut to ${limits.title} characters`);
      return {
        title: cut,
        buttons: postbacks(e.buttons, profile.buttons.title, 'button', adjustments),
      };
    });
    const template: SendApiMessage = {
      attachment: { type: 'template', payload: { template_type: 'generic', elements: cards } },
    };
    return blank(text)
      ? [template]
      : [{ text: fitText(text, 'the text above the carousel') }, template];
  };

  const lettered = (choiceMessage: ChoiceMessage): SendApiRendering => {
    const rendering = letteredRendering(choiceMessage);
    const intro = wellFormed(choiceMessage.text ?? '');
    // letteredRendering puts the text (when not blank) on the first line and one line per
    // choice (and section) after it.
    const shown = choiceMessage.text.trim() !== '';
    const block = wellFormed(
      shown ? rendering.text.slice(choiceMessage.text.length + 1) : rendering.text,
    );
    const body = fitLettered(blank(intro) ? '' : intro, block, textFits, adjustments);
    if (blank(body)) refuse('the text is empty and there are no choices');
    return {
      messages: [{ text: body }],
      primary: 0,
      form: rendering.choices.length > 0 ? 'lettered' : 'text',
      adjustments,
    };
  };

  // --- The message kinds -----------------------------------------------------------------

  switch (message.kind) {
    case 'template':
      return refuse(
        `template "${String(message.name)}" (${String(message.language)}): ${platform} has no platform message templates (capabilities.supports.templates is false); send free-form messages inside the window, or a person's reply tagged HUMAN_AGENT up to 7 days after the contact's last message`,
      );
    case 'text': {
      if (blank(message.text)) refuse('the text is empty');
      return {
        messages: [{ text: fitText(message.text, 'the text') }],
        primary: 0,
        form: 'text',
        adjustments,
      };
    }
    case 'media': {
      let url: URL | undefined;
      try {
        url = new URL(message.url);
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        refuse(`the media URL "${String(message.url).slice(0, 100)}" is not an http(s) URL`);
      }
      const type = mediaTypes[message.media];
      if (type === undefined)
        refuse(`media kind "${String(message.media)}" is not one of image, video, audio, document`);
      if (!blank(message.filename)) {
        adjustments.push(`${platform} takes no file name; the file is named by its URL`);
      }
      const messages: SendApiMessage[] = [{ attachment: { type, payload: { url: message.url } } }];
      // No captions on the Send API: the caption follows as a text of its own.
      if (!blank(message.caption)) {
        messages.push({ text: fitText(message.caption as string, 'the caption') });
      }
      return { messages, primary: 0, form: 'media', adjustments };
    }
    case 'buttons':
    case 'list':
    case 'options':
      break;
  }

  const preferred = preferredRendering(message, profile);
  const problems = [...renderingProblems(preferred, profile), ...sendApiProblems(preferred)];
  const candidates: ChannelRendering[] = [preferred];
  if (problems.length > 0) {
    adjustments.push(`${preferred.form}: ${problems.join('; ')}`);
    const all = allChoices(message);
    if (preferred.form !== 'quick-replies' && message.kind !== 'options' && all.length > 0) {
      candidates.push({ form: 'quick-replies', text: message.text, replies: all });
    }
  }
  for (const candidate of candidates) {
    const built = build(candidate);
    if (built !== undefined) {
      if (candidate !== preferred) adjustments.push(`sent as ${candidate.form}`);
      if (candidate.form !== 'lettered') noteLostDescriptions(message, adjustments);
      return { ...built, adjustments };
    }
  }
  if (preferred.form !== 'lettered') adjustments.push('sent as lettered text');
  return lettered(message);

  function build(candidate: ChannelRendering): Omit<SendApiRendering, 'adjustments'> | undefined {
    switch (candidate.form) {
      case 'buttons': {
        const built = buttonTemplate(candidate.text, candidate.buttons);
        return built && { messages: [built], primary: 0, form: 'buttons' };
      }
      case 'quick-replies': {
        const built = quickReplies(candidate.text, candidate.replies);
        return built && { messages: [built], primary: 0, form: 'quick-replies' };
      }
      case 'carousel': {
        const built = carousel(candidate.text, candidate.elements);
        return built && { messages: built, primary: built.length - 1, form: 'carousel' };
      }
      default:
        // Lettered text is the end of the line, built below; other forms do not exist here.
        return undefined;
    }
  }
}

type ChoiceMessage = Extract<ChannelMessage, { kind: 'buttons' | 'list' | 'options' }>;

function allChoices(message: ChoiceMessage): Choice[] {
  switch (message.kind) {
    case 'buttons':
      return message.buttons;
    case 'list':
      return message.sections.flatMap((s) => s.rows);
    case 'options':
      return message.groups.flatMap((g) => g.options);
  }
}

/** A payload Meta takes and gives back unchanged: 1–1000 code points of well-formed text. */
function payloadUsable(id: unknown): boolean {
  return (
    typeof id === 'string' &&
    id !== '' &&
    codePointLength(id) <= sendApiPayloadLimit &&
    wellFormed(id) === id
  );
}

const sendable = (choice: Choice): boolean => !blank(choice.title) && payloadUsable(choice.id);

function postbacks(
  choices: readonly Choice[],
  max: number,
  what: string,
  adjustments: string[],
): SendApiPostbackButton[] {
  const titles = fitTitles(
    choices.map((c) => c.title),
    max,
  );
  noteCuts(choices, titles, what, adjustments);
  return choices.map((c, i) => ({ type: 'postback', title: titles[i] as string, payload: c.id }));
}

function noteCuts(
  choices: readonly Choice[],
  titles: readonly string[],
  what: string,
  adjustments: string[],
): void {
  choices.forEach((c, i) => {
    if (titles[i] !== c.title) adjustments.push(`${what} "${c.title}" shown as "${titles[i]}"`);
  });
}

function noteLostDescriptions(message: ChoiceMessage, adjustments: string[]): void {
  if (allChoices(message).some((c) => !blank(c.description))) {
    adjustments.push('choice descriptions are not shown (only lettered text has them)');
  }
}

function describeTextLimit(profile: ChannelProfile, options: SendApiRenderOptions): string {
  return options.maxTextBytes === undefined
    ? `${profile.text} characters`
    : `${profile.text} characters and ${options.maxTextBytes} UTF-8 bytes`;
}

/**
 * The text above the choices, then the choice lines, within `fits`: the text is cut first;
 * when the lines alone do not fit, each is cut to an even share (never below 12 code points),
 * and what still does not fit is cut at the end.
 */
function fitLettered(
  intro: string,
  block: string,
  fits: (text: string) => boolean,
  adjustments: string[],
): string {
  const joined = (head: string) =>
    head === '' ? block : block === '' ? head : `${head}\n${block}`;
  if (fits(joined(intro))) return joined(intro);
  if (block === '') {
    adjustments.push('the text cut to fit');
    return truncateToFit(intro, fits);
  }
  if (fits(block)) {
    adjustments.push('the text above the choices cut to fit');
    const head = truncateToFit(intro, (candidate) => fits(joined(candidate)));
    return joined(head);
  }
  const lines = block.split('\n');
  let best = '';
  let low = letteredLineMin;
  let high = Math.max(...lines.map(codePointLength));
  while (low <= high) {
    const max = (low + high) >> 1;
    const candidate = lines.map((line) => truncateText(line, max)).join('\n');
    if (fits(candidate)) {
      best = candidate;
      low = max + 1;
    } else {
      high = max - 1;
    }
  }
  if (best === '') {
    best = truncateToFit(lines.map((line) => truncateText(line, letteredLineMin)).join('\n'), fits);
    adjustments.push('the text above the choices dropped and the last choices cut off to fit');
  } else {
    adjustments.push('the text above the choices dropped and choice lines shortened to fit');
  }
  return best;
}
