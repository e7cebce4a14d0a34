export {
  type ClassifyOptions,
  classifyGraphError,
  defineGraphErrorTable,
  describeGraphError,
  GraphApiError,
  type GraphErrorInfo,
  type GraphErrorRule,
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
export { headerValue, signHubBody, verifyHubSignature } from './signature.js';
export { codePointLength, truncateText, wellFormed } from './text.js';
export { parseTimestamp } from './timestamps.js';
