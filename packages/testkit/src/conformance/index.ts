/**
 * `@chatloom/testkit/conformance`: the conformance suite channel adapters run in their vitest,
 * and the harness of the three Meta platforms. Needs `vitest` and `fast-check` (peers).
 */
export {
  capabilitiesProblems,
  deliveredProblems,
  eventProblems,
  parsedProblems,
} from './checks.js';
export type {
  BatchCase,
  BrokenBatchCase,
  ConformanceFault,
  ConformanceHarness,
  DeliveredChoice,
  DeliveredMessage,
  Expected,
  ExpectedEvent,
  MalformedBodyCase,
  MalformedSignatureCase,
  PlatformDouble,
  PlatformRequest,
  RefusedHandshakeCase,
  WebhookCase,
} from './harness.js';
export {
  type MetaHarnessOptions,
  type MetaPlatform,
  metaHarness,
  metaHarnessSecrets,
} from './meta-harness.js';
export { metaIds } from './meta-webhooks.js';
export { runSendApiProperties, type SendApiPropertiesOptions } from './send-api-properties.js';
export {
  type AdapterConformanceOptions,
  type ConformanceContext,
  type ConformanceEnvironment,
  type ConformanceRuns,
  type ConformanceTest,
  conformanceTests,
  runAdapterConformance,
} from './suite.js';
