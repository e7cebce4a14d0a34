export { instagramCapabilities, instagramMaxTextBytes, instagramProfile } from './capabilities.js';
export { instagramErrorTable } from './errors.js';
export {
  createInstagramAdapter,
  type InstagramAdapter,
  type InstagramAdapterSettings,
  instagramHosts,
  instagramSubscribedFields,
} from './instagram-adapter.js';
export type {
  InstagramChannelConfig,
  InstagramChannelSettings,
  InstagramCredentials,
  InstagramEventDetails,
  InstagramHost,
  InstagramInboundMessageEvent,
  InstagramMessageStatusEvent,
  InstagramSigningSecret,
} from './settings.js';
