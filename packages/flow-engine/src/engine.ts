/**
 * `start` and `advance`: pure steps of a session. Given the same flow, snapshot, input and
 * `now`, they return the same snapshot and outputs; they read no clock and do no I/O.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { CompiledFlow, MachineEvent, StepTable, SystemTable } from './compile.js';
import { choiceId, type SystemMessageKind, systemChoiceId } from './render.js';
import { normalizeText } from './text.js';
import { regexInputLimit } from './triggers.js';
import {
  type AdvanceResult,
  type FlowInput,
  type FlowOutput,
  type SessionContext,
  type SessionSnapshot,
  sessionFormat,
} from './types.js';

/** A snapshot that cannot belong to this flow (another flow, a foreign format, a forged state). */
export class SessionSnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionSnapshotError';
  }
}

export interface StartOptions {
  /** Epoch milliseconds; timers are scheduled from it. */
  now: number;
  /** The user's language; a language the flow does not declare falls back to its default. */
  language?: string;
  /** Variables for `{{name}}` placeholders. */
  vars?: Record<string, string>;
}

// The machine snapshot behind each snapshot this module returned, so a caller that passes
// snapshots along in memory skips rebuilding it. Purely a cache: a snapshot read back from
// JSON is rebuilt with `resolveState` and behaves the same.
const machineSnapshots = new WeakMap<SessionSnapshot, AnyMachineSnapshot>();

function run(flow: CompiledFlow, from: AnyMachineSnapshot, event: MachineEvent): AdvanceResult {
  flow.collected.length = 0;
  const next = flow.machine.transition(from, event, flow.scope) as AnyMachineSnapshot;
  const outputs: FlowOutput[] = [];
  for (const action of flow.collected) {
    if (action.type === 'emit' && action.params) outputs.push(action.params as FlowOutput);
  }
  flow.collected.length = 0;
  const snapshot: SessionSnapshot = {
    format: sessionFormat,
    flowId: flow.id,
    flowVersion: flow.version,
    state: next.value as SessionSnapshot['state'],
    context: next.context as SessionContext,
  };
  machineSnapshots.set(snapshot, next);
  return { snapshot, outputs };
}

function declared(flow: CompiledFlow, language: string | undefined): language is string {
  return language !== undefined && flow.definition.languages.includes(language);
}

/** Starts a session at the flow's start step. */
export function start(flow: CompiledFlow, options: StartOptions): AdvanceResult {
  const language = declared(flow, options.language)
    ? options.language
    : flow.definition.defaultLanguage;
  const context: SessionContext = {
    stepId: flow.definition.startStep,
    language,
    vars: { ...options.vars },
    timer: null,
    invalidShown: false,
    seq: 0,
  };
  return begin(flow, context, options.now);
}

function begin(flow: CompiledFlow, context: SessionContext, now: number): AdvanceResult {
  const idle = flow.machine.resolveState({ value: 'idle', context });
  return run(flow, idle, { type: 'begin', now, seq: context.seq + 1 });
}

function restore(flow: CompiledFlow, snapshot: SessionSnapshot): AnyMachineSnapshot {
  const cached = machineSnapshots.get(snapshot);
  if (cached) return cached;
  try {
    return flow.machine.resolveState({ value: snapshot.state, context: snapshot.context });
  } catch {
    throw new SessionSnapshotError(
      `Session snapshot state "${snapshot.state}" is not a state of flow "${flow.id}" version ${flow.version}`,
    );
  }
}

/** Which step or phase a snapshot's state names. */
function stepOf(flow: CompiledFlow, snapshot: SessionSnapshot): StepTable | undefined {
  return snapshot.state.startsWith('step:') ? flow.steps.get(snapshot.state.slice(5)) : undefined;
}

/**
 * Feeds one input to a session. Inputs the session cannot use (a timer that is no longer
 * armed, anything after the end, a language the flow lacks) return the snapshot unchanged
 * with no outputs.
 *
 * A snapshot made under another version of the flow continues at the same step when the new
 * version still has it. When the step is gone, the session restarts at the new version's
 * start step (keeping its language and variables) and the input is not applied: it answered
 * a question the new version no longer asks.
 */
export function advance(
  flow: CompiledFlow,
  snapshot: SessionSnapshot,
  input: FlowInput,
  now: number,
): AdvanceResult {
  if (snapshot.format !== sessionFormat) {
    throw new SessionSnapshotError(
      `Unknown session snapshot format "${String(snapshot.format)}"; expected "${sessionFormat}"`,
    );
  }
  if (snapshot.flowId !== flow.id) {
    throw new SessionSnapshotError(
      `The session belongs to flow "${snapshot.flowId}", not "${flow.id}"`,
    );
  }
  if (snapshot.state === 'ended') return { snapshot, outputs: [] };
  if (snapshot.flowVersion !== flow.version) {
    const stepGone = snapshot.state.startsWith('step:') && !stepOf(flow, snapshot);
    if (stepGone)
      return begin(
        flow,
        { ...snapshot.context, stepId: flow.definition.startStep, invalidShown: false },
        now,
      );
    snapshot = { ...snapshot, flowVersion: flow.version };
  } else if (snapshot.state.startsWith('step:') && !stepOf(flow, snapshot)) {
    throw new SessionSnapshotError(
      `Session snapshot state "${snapshot.state}" is not a state of flow "${flow.id}" version ${flow.version}`,
    );
  }
  const event = toEvent(flow, snapshot, input, now);
  if (!event) return { snapshot, outputs: [] };
  return run(flow, restore(flow, snapshot), event);
}

/** What the machine should make of the input, or undefined to ignore it. */
export function toEvent(
  flow: CompiledFlow,
  snapshot: SessionSnapshot,
  input: FlowInput,
  now: number,
): MachineEvent | undefined {
  const { context } = snapshot;
  const seq = context.seq + 1;
  switch (input.type) {
    case 'timer':
      return context.timer?.id === input.timerId ? { type: 'timeout', now, seq } : undefined;
    case 'language':
      return declared(flow, input.language) && input.language !== context.language
        ? { type: 'language', language: input.language, now, seq }
        : undefined;
    case 'choice':
    case 'text':
      break;
  }
  if (snapshot.state === 'timed-out' || snapshot.state === 'closing') {
    const kind: SystemMessageKind = snapshot.state === 'timed-out' ? 'timeout' : 'thank-you';
    const key = systemKey(flow.system[kind], kind, input);
    return key ? { type: `system:${key}`, now, seq } : { type: 'dismiss', now, seq };
  }
  const table = stepOf(flow, snapshot);
  if (!table) return undefined;
  const options = table.step.options;
  if (options.type === 'none') {
    // The step waits for typed text; a tap on an earlier message's button is not an answer.
    if (input.type !== 'text') return undefined;
    return passes(table, input.text)
      ? { type: 'text', text: input.text, now, seq }
      : { type: 'retry', now, seq };
  }
  const optionId =
    input.type === 'choice' ? chosen(table, input.id) : typed(table, input.text, context.language);
  if (optionId !== undefined) return { type: `option:${optionId}`, now, seq };
  if (context.invalidShown) {
    const key = systemKey(flow.system.invalid, 'invalid', input);
    if (key) return { type: `system:${key}`, now, seq };
  }
  return { type: 'invalid', now, seq };
}

/** The option a button or list reply picked, if it belongs to the current step. */
function chosen(table: StepTable, id: string): string | undefined {
  const prefix = choiceId(table.step.id, '');
  if (!id.startsWith(prefix)) return undefined; // stale: a reply to an earlier step
  const optionId = id.slice(prefix.length);
  return table.optionIds.has(optionId) ? optionId : undefined;
}

const letter = /^([a-z])[.)]?$/;

/** The option typed text names: a navigation letter, or a label in any of the flow's languages. */
function typed(table: StepTable, text: string, language: string): string | undefined {
  const normalized = normalizeText(text);
  const navigation = table.step.options.type === 'navigation';
  // Navigation shows its keys, so a letter there is a key first; elsewhere a label wins.
  const key = letter.exec(normalized)?.[1]?.toUpperCase();
  if (navigation && key) return table.keys.get(key);
  const own = table.labels.get(language)?.get(normalized);
  if (own !== undefined) return own;
  for (const [other, labels] of table.labels) {
    if (other === language) continue;
    const id = labels.get(normalized);
    if (id !== undefined) return id;
  }
  return key ? table.keys.get(key) : undefined;
}

/** The system action (1–3) an input picks: its button, its key or its label. */
function systemKey(
  table: SystemTable | undefined,
  kind: SystemMessageKind,
  input: FlowInput,
): number | undefined {
  if (!table) return undefined;
  const count = table.message.actions?.length ?? 0;
  if (input.type === 'choice') {
    for (let key = 1; key <= count; key++) if (input.id === systemChoiceId(kind, key)) return key;
    return undefined;
  }
  if (input.type !== 'text') return undefined;
  return table.lookup.get(normalizeText(input.text));
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
const phonePattern = /^\+?[0-9]{6,15}$/;
const numberPattern = /^[-+]?(?:\d+(?:[.,]\d+)?|[.,]\d+)$/;

/** Whether text passes a text-input step's validation. */
function passes(table: StepTable, text: string): boolean {
  const validation = table.step.options.type === 'none' ? table.step.options.validation : undefined;
  if (!validation) return true;
  const trimmed = text.trim();
  switch (validation.kind) {
    case 'email':
      return emailPattern.test(trimmed);
    case 'phone':
      return phonePattern.test(trimmed.replace(/[\s().-]/g, ''));
    case 'number':
      return numberPattern.test(trimmed);
    case 'regex':
      return trimmed.length <= regexInputLimit && (table.pattern?.test(trimmed) ?? false);
  }
}
