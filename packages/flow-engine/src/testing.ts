/**
 * `@chatloom/flow-engine/testing`: property-test flows. `checkFlow` tests one flow of yours;
 * the generators and the conversation player underneath are exported for your own
 * fast-check properties (and are what this package tests itself with).
 */
export {
  type CheckFlowOptions,
  checkFlow,
  type FlowCheckFailure,
  type FlowCheckReport,
  type FlowCoverage,
  type FlowProperty,
  type ReadableTrace,
} from './check.js';
export {
  type ConversationCommand,
  commandArbitrary,
  conversationArbitrary,
  playConversation,
  resolveCommand,
  type Trace,
  type TraceEntry,
} from './conversations.js';
export {
  type FlowArbitraryOptions,
  type FlowMutation,
  flowArbitrary,
  mutatedFlowArbitrary,
  mutationsOf,
} from './generators.js';
export { describeInput, describeMessage, describeOutputs } from './transcript.js';
