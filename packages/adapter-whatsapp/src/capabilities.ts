/** What WhatsApp can show (whatsapp-cloud-api.md §4.2, §7, §8). Counts are code points. */
import type { AdapterCapabilities } from '@chatloom/core/adapter';
import { windowRules } from '@chatloom/flow-engine';

/** Limits beyond core's `AdapterCapabilities.limits` that rendering holds messages to. */
export const whatsAppLimits = {
  textBody: 4096,
  caption: 1024,
  /** The body of an interactive message: 1024 for buttons; lists allow 4096 on newer versions, 1024 is safe for both. */
  interactiveBody: 1024,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listRows: 10,
  listSections: 10,
  listButtonLabel: 20,
  sectionTitle: 24,
  rowId: 200,
  rowTitle: 24,
  rowDescription: 72,
  /** A template text parameter (OpenAPI `TextParameter.maxLength`). */
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
    templates: true,
    media: ['image', 'video', 'audio', 'document', 'sticker'],
    markAsRead: true,
  },
  window: windowRules.whatsapp,
  messagesPerSecond: 80,
};
