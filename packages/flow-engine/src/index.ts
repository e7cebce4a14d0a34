export {
  type ChannelName,
  type ChannelProfile,
  type ChannelRendering,
  channelProfiles,
  fitMessage,
  letteredRendering,
  preferredRendering,
  renderingProblems,
} from './channels.js';
export {
  type CompiledFlow,
  type CompileOptions,
  compileFlow,
} from './compile.js';
export { advance, SessionSnapshotError, type StartOptions, start } from './engine.js';
export { clampText, codePointLength, limits } from './limits.js';
export { choiceId, navigationKey, pick, systemChoiceId } from './render.js';
export {
  type Action,
  type ButtonsOptions,
  type FlowDefinition,
  FlowSchema,
  flowFormat,
  type InputValidation,
  type ListOptions,
  type LocalizedText,
  type NavigationOptions,
  type SectionsOptions,
  type SessionTimeoutMessage,
  type Step,
  type StepMessage,
  type StepOptions,
  type SystemMessage,
  type SystemMessages,
  SystemMessagesSchema,
  type TextInputOptions,
  type Trigger,
} from './schema.js';
export { type FlowLink, flowLinks, startedFlow, stepActions, stepChoices } from './steps.js';
export { interpolate, normalizeText } from './text.js';
export {
  findTriggerCollisions,
  matchTrigger,
  type TriggerCollision,
  type TriggerMatch,
  type TriggerSource,
} from './triggers.js';
export {
  type AdvanceResult,
  type ChannelMessage,
  type Choice,
  type EndReason,
  type FlowInput,
  type FlowOutput,
  type SendPurpose,
  type SessionContext,
  type SessionPhase,
  type SessionSnapshot,
  sessionFormat,
} from './types.js';
export {
  type Diagnostic,
  FlowValidationError,
  type Severity,
  type ValidationResult,
  validateFlow,
  validateSystemMessages,
} from './validate.js';
export {
  messagingWindow,
  type WindowRule,
  type WindowState,
  windowClosedMessage,
  windowRules,
} from './window.js';
