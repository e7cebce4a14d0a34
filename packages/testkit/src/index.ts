export {
  createFakeGraphApi,
  type FakeGraphApi,
  type FakeInstagram,
  type FakeMessenger,
  type FakeTemplates,
  type FakeWhatsApp,
} from './fake-graph-api.js';
export type { MetaErrorBody } from './graph-error.js';
export type * from './types.js';
export {
  createWebhookReceiver,
  type ReceivedWebhook,
  signWebhookBody,
  toMetaJson,
  verifyWebhookSignature,
  type WebhookReceiver,
  type WebhookReceiverOptions,
} from './webhooks.js';
