/**
 * What WhatsApp can show. The limits come from `channelProfiles.whatsapp` of
 * @chatloom/flow-engine — the one table flow checks and adapters share — plus the few
 * WhatsApp-only ones it does not hold (ids, template parameters). Counts are code points.
 */
import type { AdapterCapabilities } from '@chatloom/core/adapter';
import { channelProfiles } from '@chatloom/flow-engine';

/** The WhatsApp profile of @chatloom/flow-engine: rendering follows its rules. */
export const whatsAppProfile = channelProfiles.whatsapp;

const list = whatsAppProfile.list;
if (list === null)
  throw new Error('@chatloom/flow-engine: the WhatsApp profile has no list limits');

/** Limits beyond core's `AdapterCapabilities.limits` that rendering holds messages to. */
export const whatsAppLimits = {
  textBody: whatsAppProfile.text,
  caption: whatsAppProfile.caption ?? whatsAppProfile.text,
  /** The body above reply buttons. */
  interactiveBody: whatsAppProfile.buttons.body,
  /** The body above a list (Meta's page allows 4096 on newer versions; the profile holds 1024). */
  listBody: list.body,
  buttons: whatsAppProfile.buttons.max,
  buttonTitle: whatsAppProfile.buttons.title,
  /** WhatsApp-only: a reply button id (whatsapp-cloud-api.md §4.2). */
  buttonId: 256,
  listRows: list.rows,
  listSections: list.sections,
  listButtonLabel: list.buttonLabel,
  sectionTitle: list.sectionTitle,
  /** WhatsApp-only: a list row id. */
  rowId: 200,
  rowTitle: list.rowTitle,
  rowDescription: list.rowDescription,
  /** WhatsApp-only: a template text parameter (OpenAPI `TextParameter.maxLength`). */
  templateParameter: 32768,
} as const;

export const whatsAppCapabilities: AdapterCapabilities = {
  limits: {
    textLength: whatsAppLimits.textBody,
    buttons: whatsAppLimits.buttons,
    buttonTitle: whatsAppLimits.buttonTitle,
    listRows: whatsAppLimits.listRows,
    rowTitle: whatsAppLimits.rowTitle,
    rowDescription: whatsAppLimits.rowDescription,
    caption: whatsAppLimits.caption,
  },
  supports: {
    buttons: true,
    lists: true,
    templates: whatsAppProfile.templates,
    media: ['image', 'video', 'audio', 'document', 'sticker'],
    markAsRead: true,
  },
  window: whatsAppProfile.window,
  messagesPerSecond: 80,
};
