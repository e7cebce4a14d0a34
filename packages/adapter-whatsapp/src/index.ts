export { whatsAppCapabilities, whatsAppLimits } from './capabilities.js';
export {
  pairRateLimitWaitMs,
  whatsAppErrorCodes,
  whatsAppErrorKind,
  whatsAppErrorTable,
} from './errors.js';
export type {
  WhatsAppInboundMessageEvent,
  WhatsAppMessageDetails,
  WhatsAppMessageStatusEvent,
  WhatsAppStatusDetails,
} from './parse-webhook.js';
export {
  defaultListButtonLabel,
  type RenderOptions,
  renderWhatsAppMessage,
  type WhatsAppForm,
  type WhatsAppInteractiveContent,
  type WhatsAppMediaContent,
  type WhatsAppMessageContent,
  type WhatsAppRendering,
  type WhatsAppTemplateContent,
  type WhatsAppTextContent,
} from './render-message.js';
export type {
  WhatsAppChannelConfig,
  WhatsAppChannelSettings,
  WhatsAppCredentials,
} from './settings.js';
export {
  createWhatsAppAdapter,
  type WhatsAppAdapter,
  type WhatsAppAdapterSettings,
  type WhatsAppDownload,
  type WhatsAppUpload,
} from './whatsapp-adapter.js';
