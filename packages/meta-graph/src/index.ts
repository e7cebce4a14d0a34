export {
  missingChannelValues,
  optionalCredential,
  optionalSetting,
  requireChannelValue,
} from './channel-config.js';
export {
  type ClassifyOptions,
  classifyGraphError,
  defineGraphErrorTable,
  describeGraphError,
  GraphApiError,
  type GraphErrorInfo,
  type GraphErrorRule,
  type GraphErrorSubcodeKey,
  type GraphErrorTable,
  type GraphFailureKind,
  graphErrorCodes,
  graphErrorInfo,
  graphErrorTable,
  parseGraphErrorBody,
  ruleForCode,
  ruleForFailure,
} from './errors.js';
export {
  createGraphClient,
  defaultGraphApiBaseUrl,
  defaultGraphApiVersion,
  defaultTimeoutMs,
  type GraphBinary,
  type GraphClient,
  type GraphClientSettings,
  type GraphRequest,
  graphPath,
  type QueryValue,
  retryAfterMs,
} from './graph-client.js';
export { secretsEqual, verifyHubHandshake } from './handshake.js';
export {
  finiteNumber,
  isRecord,
  type JsonBody,
  type JsonRecord,
  nonEmptyString,
  parseJsonBody,
  stringOrNumber,
} from './json.js';
export {
  type MessagingEventDetails,
  type MessagingWebhookScope,
  parseMessagingWebhook,
} from './messaging-webhook.js';
export {
  type CredentialHints,
  credentialRefusal,
  defineSendApiErrorTable,
  postSendApiMessages,
  type SendApiButtonTemplate,
  type SendApiElement,
  type SendApiGenericTemplate,
  type SendApiMediaAttachment,
  type SendApiMessage,
  type SendApiPostbackButton,
  type SendApiQuickReply,
  type SendApiRequest,
  type SendApiTag,
  type SendApiTarget,
  sendApiBody,
  sendApiCapabilities,
  sendApiErrorCodes,
  sendApiErrorSubcodes,
  sendApiMarkSeen,
  sendApiRecipient,
  sendApiSend,
  senderActionBody,
  subscribeApp,
} from './send-api.js';
export {
  renderSendApiMessage,
  type SendApiForm,
  type SendApiRendering,
  type SendApiRenderOptions,
  sendApiPayloadLimit,
} from './send-api-render.js';
export { headerValue, signHubBody, verifyHubSignature } from './signature.js';
export {
  codePointLength,
  fitTitles,
  truncateText,
  truncateToFit,
  utf8Length,
  wellFormed,
} from './text.js';
export { parseTimestamp } from './timestamps.js';
