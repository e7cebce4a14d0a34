/**
 * What each channel can show, and how a channel-neutral message becomes the best form a
 * channel has. One table and one set of rules: adapters render with them, and flow checks
 * hold flows to them. Counts are Unicode code points.
 *
 * Sources: ../shared/reference/whatsapp-cloud-api.md §4.2, messenger-platform.md §2.4,
 * instagram-messaging.md §3.1.
 */
import { clampText, codePointLength } from './limits.js';
import { navigationKey } from './render.js';
import type { ChannelMessage, Choice } from './types.js';
import { type WindowRule, windowRules } from './window.js';

export type ChannelName = 'whatsapp' | 'messenger' | 'instagram';

/** What a channel can show. `null`: the channel has no such form. */
export interface ChannelProfile {
  name: ChannelName;
  /** A plain text message. */
  text: number;
  /** A media caption; `null` where captions are sent as a separate text. */
  caption: number | null;
  /** Reply buttons (WhatsApp) or a button template (Messenger, Instagram). */
  buttons: { max: number; title: number; body: number };
  /** An interactive list (WhatsApp). */
  list: {
    rows: number;
    sections: number;
    rowTitle: number;
    rowDescription: number;
    sectionTitle: number;
    buttonLabel: number;
    body: number;
  } | null;
  /** Quick replies (Messenger, Instagram). */
  quickReplies: { max: number; title: number } | null;
  /** A generic template: a carousel of elements, each with buttons (Messenger, Instagram). */
  carousel: { elements: number; title: number; subtitle: number; buttons: number } | null;
  /** Templates approved by the platform (WhatsApp). */
  templates: boolean;
  window: WindowRule;
}

/** Messenger and Instagram share the Messenger Platform's message forms and limits. */
const metaMessaging = {
  caption: null,
  buttons: { max: 3, title: 20, body: 640 },
  list: null,
  quickReplies: { max: 13, title: 20 },
  carousel: { elements: 10, title: 80, subtitle: 80, buttons: 3 },
  templates: false,
} as const;

export const channelProfiles: Readonly<Record<ChannelName, ChannelProfile>> = {
  whatsapp: {
    name: 'whatsapp',
    text: 4096,
    caption: 1024,
    buttons: { max: 3, title: 20, body: 1024 },
    list: {
      rows: 10,
      sections: 10,
      rowTitle: 24,
      rowDescription: 72,
      sectionTitle: 24,
      buttonLabel: 20,
      body: 1024,
    },
    quickReplies: null,
    carousel: null,
    templates: true,
    window: windowRules.whatsapp,
  },
  messenger: { name: 'messenger', text: 2000, ...metaMessaging, window: windowRules.messenger },
  // Instagram's limit is cited as 1000 bytes of UTF-8; 1000 code points is the optimistic reading.
  instagram: { name: 'instagram', text: 1000, ...metaMessaging, window: windowRules.instagram },
};

/** A message in the form a channel shows it. Adapters turn each form into the platform's payload. */
export type ChannelRendering =
  | { form: 'text'; text: string }
  | {
      form: 'media';
      media: 'image' | 'video' | 'document' | 'audio';
      url: string;
      caption?: string;
      filename?: string;
    }
  | { form: 'template'; name: string; language: string; parameters: string[] }
  /** WhatsApp reply buttons; Messenger/Instagram button template with postback buttons. */
  | { form: 'buttons'; text: string; buttons: Choice[] }
  /** WhatsApp interactive list. */
  | {
      form: 'list';
      text: string;
      buttonLabel: string;
      sections: { title?: string; rows: Choice[] }[];
    }
  /** Messenger/Instagram quick replies under a text. */
  | { form: 'quick-replies'; text: string; replies: Choice[] }
  /** Messenger/Instagram generic template: the text first, then one element per section. */
  | { form: 'carousel'; text: string; elements: { title: string; buttons: Choice[] }[] }
  /** Text with one keyed line per choice ("A. Pizzas"); the user types the key. */
  | { form: 'lettered'; text: string; choices: (Choice & { key: string })[] };

/** The label WhatsApp shows on the button that opens a list built from buttons. */
const listButtonLabel = '☰';

/** The choices of a message as keyed lines: text first, then "A. Title" per choice. */
export function letteredRendering(
  message: Extract<ChannelMessage, { kind: 'buttons' | 'list' | 'options' }>,
): Extract<ChannelRendering, { form: 'lettered' }> {
  const lines: string[] = message.text.trim() === '' ? [] : [message.text];
  const choices: (Choice & { key: string })[] = [];
  const add = (choice: Choice, key?: string) => {
    const k = key ?? navigationKey(choices.length);
    choices.push({ ...choice, key: k });
    lines.push(`${k}. ${choice.title}${choice.description ? ` — ${choice.description}` : ''}`);
  };
  if (message.kind === 'buttons') for (const b of message.buttons) add(b);
  else if (message.kind === 'list') {
    for (const section of message.sections) {
      if (section.title) lines.push(`*${section.title}*`);
      for (const row of section.rows) add(row);
    }
  } else {
    for (const group of message.groups) {
      if (group.title) lines.push(`*${group.title}*`);
      for (const option of group.options) add(option, option.key);
    }
  }
  return { form: 'lettered', text: lines.join('\n'), choices };
}

/** The form a channel shows a message in best, whether or not its texts fit (see `renderingProblems`). */
export function preferredRendering(
  message: ChannelMessage,
  profile: ChannelProfile,
): ChannelRendering {
  switch (message.kind) {
    case 'text':
      return { form: 'text', text: message.text };
    case 'media': {
      const { kind: _, ...media } = message;
      return { form: 'media', ...media };
    }
    case 'template':
      return {
        form: 'template',
        name: message.name,
        language: message.language,
        parameters: message.parameters,
      };
    case 'options':
      return letteredRendering(message);
    case 'buttons': {
      const n = message.buttons.length;
      if (n <= profile.buttons.max)
        return { form: 'buttons', text: message.text, buttons: message.buttons };
      if (profile.list && n <= profile.list.rows) {
        return {
          form: 'list',
          text: message.text,
          buttonLabel: listButtonLabel,
          sections: [{ rows: message.buttons }],
        };
      }
      if (profile.quickReplies && n <= profile.quickReplies.max)
        return { form: 'quick-replies', text: message.text, replies: message.buttons };
      return letteredRendering(message);
    }
    case 'list': {
      const rows = message.sections.flatMap((s) => s.rows);
      if (
        profile.list &&
        rows.length <= profile.list.rows &&
        message.sections.length <= profile.list.sections
      ) {
        return {
          form: 'list',
          text: message.text,
          buttonLabel: message.buttonLabel,
          sections: message.sections,
        };
      }
      const titled = message.sections.length > 1 || message.sections.some((s) => s.title);
      if (titled && profile.carousel && message.sections.length <= profile.carousel.elements) {
        return {
          form: 'carousel',
          text: message.text,
          elements: message.sections.map((s) => ({ title: s.title ?? '', buttons: s.rows })),
        };
      }
      if (profile.quickReplies && rows.length <= profile.quickReplies.max)
        return { form: 'quick-replies', text: message.text, replies: rows };
      return letteredRendering(message);
    }
  }
}

/** Every way a rendering breaks the channel's limits (empty when it fits). */
export function renderingProblems(rendering: ChannelRendering, profile: ChannelProfile): string[] {
  const problems: string[] = [];
  const check = (what: string, text: string | undefined, max: number) => {
    if (text !== undefined && codePointLength(text) > max)
      problems.push(
        `${what} has ${codePointLength(text)} characters; ${profile.name} allows ${max}`,
      );
  };
  const count = (what: string, n: number, max: number) => {
    if (n > max) problems.push(`${n} ${what}; ${profile.name} allows ${max}`);
  };
  switch (rendering.form) {
    case 'text':
    case 'lettered':
      check('the text', rendering.text, profile.text);
      break;
    case 'media':
      check('the caption', rendering.caption, profile.caption ?? profile.text);
      break;
    case 'template':
      if (!profile.templates) problems.push(`${profile.name} has no platform templates`);
      break;
    case 'buttons':
      check('the text above the buttons', rendering.text, profile.buttons.body);
      count('buttons', rendering.buttons.length, profile.buttons.max);
      for (const b of rendering.buttons)
        check(`button "${b.title}"`, b.title, profile.buttons.title);
      break;
    case 'list': {
      const list = profile.list;
      if (!list) {
        problems.push(`${profile.name} has no list messages`);
        break;
      }
      check('the text above the list', rendering.text, list.body);
      check('the list button', rendering.buttonLabel, list.buttonLabel);
      count('sections', rendering.sections.length, list.sections);
      count(
        'rows',
        rendering.sections.reduce((n, s) => n + s.rows.length, 0),
        list.rows,
      );
      for (const s of rendering.sections) {
        check(`section "${s.title}"`, s.title, list.sectionTitle);
        for (const r of s.rows) {
          check(`row "${r.title}"`, r.title, list.rowTitle);
          check(`the description of row "${r.title}"`, r.description, list.rowDescription);
        }
      }
      break;
    }
    case 'quick-replies': {
      const quick = profile.quickReplies;
      if (!quick) {
        problems.push(`${profile.name} has no quick replies`);
        break;
      }
      check('the text', rendering.text, profile.text);
      count('quick replies', rendering.replies.length, quick.max);
      for (const r of rendering.replies) check(`quick reply "${r.title}"`, r.title, quick.title);
      break;
    }
    case 'carousel': {
      const carousel = profile.carousel;
      if (!carousel) {
        problems.push(`${profile.name} has no carousels`);
        break;
      }
      check('the text', rendering.text, profile.text);
      count('carousel elements', rendering.elements.length, carousel.elements);
      for (const e of rendering.elements) {
        check(`element "${e.title}"`, e.title, carousel.title);
        if (e.buttons.length > carousel.buttons)
          problems.push(
            `element "${e.title}" has ${e.buttons.length} buttons; ${profile.name} allows ${carousel.buttons}`,
          );
        for (const b of e.buttons) check(`button "${b.title}"`, b.title, profile.buttons.title);
      }
      break;
    }
  }
  return problems;
}

/**
 * The form to send: the preferred one when it fits; otherwise lettered text, which every
 * channel shows; texts still too long are cut with an ellipsis. Never over a limit.
 */
export function fitMessage(message: ChannelMessage, profile: ChannelProfile): ChannelRendering {
  const preferred = preferredRendering(message, profile);
  let rendering =
    renderingProblems(preferred, profile).length === 0 ||
    (message.kind !== 'buttons' && message.kind !== 'list')
      ? preferred
      : letteredRendering(message);
  switch (rendering.form) {
    case 'text':
    case 'lettered':
      rendering = { ...rendering, text: clampText(rendering.text, profile.text) };
      break;
    case 'media':
      if (rendering.caption !== undefined)
        rendering = {
          ...rendering,
          caption: clampText(rendering.caption, profile.caption ?? profile.text),
        };
      break;
    default:
      // A template on a channel without templates stays one: the adapter refuses it by name.
      break;
  }
  return rendering;
}
