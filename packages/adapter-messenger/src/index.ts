export { messengerCapabilities, messengerProfile } from './capabilities.js';
export { messengerErrorTable } from './errors.js';
export {
  createMessengerAdapter,
  type MessengerAdapter,
  type MessengerAdapterSettings,
  messengerSubscribedFields,
} from './messenger-adapter.js';
export type {
  MessengerChannelConfig,
  MessengerChannelSettings,
  MessengerCredentials,
  MessengerEventDetails,
  MessengerInboundMessageEvent,
  MessengerMessageStatusEvent,
} from './settings.js';
