/**
 * `compileFlow`: a validated flow definition becomes an XState v5 machine (one state per
 * step, plus `timed-out`, `closing` and `ended`) and the lookup tables that turn what a user
 * typed or tapped into one of the machine's events.
 */
import { type AnyStateMachine, assign, createActor, setup } from 'xstate';
import { clampText, limits } from './limits.js';
import {
  navigationKey,
  pick,
  renderStep,
  renderSystemMessage,
  type SystemMessageKind,
} from './render.js';
import type {
  Action,
  FlowDefinition,
  LocalizedText,
  Step,
  SystemMessage,
  SystemMessages,
} from './schema.js';
import { startedFlow, stepChoices } from './steps.js';
import { interpolate, normalizeText } from './text.js';
import type { EndReason, FlowOutput, SessionContext } from './types.js';
import { FlowValidationError, validateFlow } from './validate.js';

/** Events of the compiled machine; `advance` derives them from the user's input. */
export type MachineEvent =
  | { type: 'begin'; now: number; seq: number }
  /** The user picked option `id` of the current step. */
  | { type: `option:${string}`; now: number; seq: number }
  /** Valid text at a text-input step. */
  | { type: 'text'; text: string; now: number; seq: number }
  /** Text that failed the step's validation. */
  | { type: 'retry'; now: number; seq: number }
  /** Input a choice step does not accept. */
  | { type: 'invalid'; now: number; seq: number }
  /** System action 1, 2 or 3 of the message on screen (invalid, timeout or thank-you). */
  | { type: `system:${number}`; now: number; seq: number }
  /** Anything else while only system actions are accepted. */
  | { type: 'dismiss'; now: number; seq: number }
  | { type: 'timeout'; now: number; seq: number }
  | { type: 'language'; language: string; now: number; seq: number };

/** A step's inputs, ready for lookup. */
export interface StepTable {
  step: Step;
  /** Option ids of the step. */
  optionIds: ReadonlySet<string>;
  /** Normalised label → option id, per language. */
  labels: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Key (A, B, C…) → option id. */
  keys: ReadonlyMap<string, string>;
  /** A compiled `validation.pattern`, matched against the whole text. */
  pattern?: RegExp;
}

/** A system message's actions, ready for lookup: typed key or label → key (1–3). */
export interface SystemTable {
  message: SystemMessage;
  /** Normalised label (any language) or key → key. */
  lookup: ReadonlyMap<string, number>;
}

export interface CompileOptions {
  /**
   * Compile a flow whose only errors are limits and translations (flow checks run such a flow
   * to show where it breaks). Not cached. A flow that cannot be built still throws.
   */
  unchecked?: boolean;
  /**
   * The tenant's system messages. The flow's own `systemMessages` override them one by one
   * (a flow's `invalid` replaces the tenant's `invalid`).
   */
  systemMessages?: SystemMessages;
}

/** The actor scope `machine.transition` takes. */
type MachineScope = Parameters<AnyStateMachine['transition']>[2];

/** A flow ready to run: pass it to `start` and `advance`. */
export interface CompiledFlow {
  readonly id: string;
  readonly version: number;
  readonly definition: FlowDefinition;
  /** The system messages in force: the tenant's, overridden by the flow's. */
  readonly systemMessages: SystemMessages;
  /** The XState machine. */
  readonly machine: AnyStateMachine;
  readonly steps: ReadonlyMap<string, StepTable>;
  readonly system: Readonly<Partial<Record<SystemMessageKind, SystemTable>>>;
  /** A reusable, inert actor scope for `machine.transition` (see engine.ts). */
  readonly scope: MachineScope;
  /** Filled by the scope with the actions of the transition being computed. */
  readonly collected: { type: string; params?: unknown }[];
}

const stepState = (id: string) => `step:${id}` as const;

function labelTable(entries: { id: string; label: LocalizedText }[]) {
  const labels = new Map<string, Map<string, string>>();
  for (const { id, label } of entries) {
    for (const [language, text] of Object.entries(label)) {
      const table = labels.get(language) ?? new Map<string, string>();
      labels.set(language, table);
      const normalized = normalizeText(text);
      if (normalized !== '' && !table.has(normalized)) table.set(normalized, id);
    }
  }
  return labels;
}

function stepTable(step: Step): StepTable {
  const o = step.options;
  const entries = stepChoices(step);
  // Every choice has a key (A, B, C…): navigation shows them, and a channel that falls back
  // to lettered text shows them for buttons and lists too.
  const keys = new Map<string, string>();
  for (const [i, e] of entries.entries()) keys.set(navigationKey(i), e.id);
  const pattern =
    o.type === 'none' && o.validation?.kind === 'regex' && o.validation.pattern !== undefined
      ? new RegExp(`^(?:${o.validation.pattern})$`, 'u')
      : undefined;
  return {
    step,
    optionIds: new Set(entries.map((e) => e.id)),
    labels: labelTable(entries),
    keys,
    ...(pattern && { pattern }),
  };
}

function systemTable(message: SystemMessage): SystemTable {
  const lookup = new Map<string, number>();
  (message.actions ?? []).forEach((a, i) => {
    lookup.set(String(i + 1), i + 1);
    for (const text of Object.values(a.label)) {
      const normalized = normalizeText(text);
      if (normalized !== '' && !lookup.has(normalized)) lookup.set(normalized, i + 1);
    }
  });
  return { message, lookup };
}

type Ctx = { context: SessionContext; event: MachineEvent };

function buildMachine(flow: FlowDefinition, system: SystemMessages) {
  const fallback = flow.defaultLanguage;
  const timeout = system.sessionTimeout;
  const thankYou = system.thankYou;
  const closes = (thankYou?.actions?.length ?? 0) > 0;

  const machineSetup = setup({
    types: {} as { context: SessionContext; events: MachineEvent },
    actions: {
      // Outputs are returned by `transition`, never executed here.
      emit: (_: unknown, _output: FlowOutput | null) => {},
    },
  });

  const emit = (make: (ctx: Ctx) => FlowOutput | null) => ({ type: 'emit' as const, params: make });
  // Each `assign` copies the context, so the updates of one transition go in as few as possible.
  const bumpSeq = assign(({ event }: Ctx) => ({ seq: event.seq }));
  const emitCancel = emit(({ context }) =>
    context.timer ? { type: 'cancel-timer', timerId: context.timer.id } : null,
  );
  const cancelTimer = [emitCancel, assign({ timer: null })];
  /** The session timeout armed by an event: `t<seq>`, due `minutes` after it. */
  const nextTimer = (event: MachineEvent) =>
    timeout ? { id: `t${event.seq}`, at: event.now + timeout.minutes * 60_000 } : null;
  const emitSchedule = timeout
    ? [
        emit(({ context }) =>
          context.timer
            ? {
                type: 'schedule-timer',
                timerId: context.timer.id,
                at: context.timer.at,
                purpose: 'session-timeout',
              }
            : null,
        ),
      ]
    : [];
  /** Stays at the step: counts the input and restarts the session timeout. */
  const stay = (invalidShown?: boolean) => [
    emitCancel,
    assign(({ event }: Ctx) => ({
      seq: event.seq,
      timer: nextTimer(event),
      ...(invalidShown !== undefined && { invalidShown }),
    })),
    ...emitSchedule,
  ];
  const setLanguage = assign(({ event }: Ctx) =>
    event.type === 'language' ? { language: event.language } : {},
  );
  const sendSystem = (kind: SystemMessageKind, message: SystemMessage) =>
    emit(({ context }) => ({
      type: 'send',
      purpose: kind,
      message: renderSystemMessage(kind, message, {
        language: context.language,
        fallback,
        vars: context.vars,
      }),
    }));
  /** Ends the session: `ended` emits the `end` output on entry. */
  const finish = (reason: EndReason, actions: object[] = []) => ({
    target: 'ended',
    actions: [bumpSeq, ...actions, assign({ endReason: reason })],
  });

  /** The transition that carries out `action`, after `before` (e.g. saving a variable). */
  const perform = (
    action: Action,
    from: 'step' | 'timed-out' | 'closing',
    before: object[] = [],
  ) => {
    switch (action.type) {
      case 'goto':
        // The step's entry counts the input (see `states` below).
        return { target: stepState(action.step), reenter: true, actions: before };
      case 'start': {
        const other = startedFlow(action, flow.id);
        if (other === undefined)
          return { target: stepState(flow.startStep), reenter: true, actions: before };
        // Another flow takes over the conversation: this session ends quietly (no thank-you,
        // the conversation goes on) and the host starts that flow.
        return finish('switched', [
          ...before,
          ...cancelTimer,
          emit(() => ({ type: 'start-flow', flowId: other })),
        ]);
      }
      case 'handoff':
        return finish('handoff', [...before, ...cancelTimer, emit(() => ({ type: 'handoff' }))]);
      case 'end':
        // The thank-you message goes out once: ending from its own actions ends quietly.
        if (from === 'closing' || !thankYou)
          return finish('completed', [...before, ...cancelTimer]);
        if (!closes)
          return finish('completed', [
            ...before,
            ...cancelTimer,
            sendSystem('thank-you', thankYou),
          ]);
        return {
          target: 'closing',
          actions: [bumpSeq, ...before, ...cancelTimer, sendSystem('thank-you', thankYou)],
        };
    }
  };

  const systemActions = (
    message: SystemMessage | undefined,
    from: 'step' | 'timed-out' | 'closing',
  ) =>
    Object.fromEntries(
      (message?.actions ?? []).map((a, i) => [`system:${i + 1}`, perform(a.action, from)]),
    );

  const invalidMessage = system.invalid;
  const states: Record<string, object> = {
    idle: { on: { begin: { target: stepState(flow.startStep) } } },
    'timed-out': {
      on: {
        ...systemActions(timeout, 'timed-out'),
        dismiss: finish('timeout'),
        language: { actions: [bumpSeq, setLanguage] },
      },
    },
    closing: {
      on: {
        ...systemActions(thankYou, 'closing'),
        dismiss: finish('completed'),
        language: { actions: [bumpSeq, setLanguage] },
      },
    },
    ended: {
      type: 'final',
      entry: [emit(({ context }) => ({ type: 'end', reason: context.endReason ?? 'completed' }))],
    },
  };

  for (const step of flow.steps) {
    const options = step.options;
    const on: Record<string, object> = {
      // The step is sent again in the new language.
      language: { target: stepState(step.id), reenter: true, actions: [setLanguage] },
    };
    if (timeout) {
      const fired = [assign({ timer: null }), sendSystem('timeout', timeout)];
      on.timeout =
        (timeout.actions?.length ?? 0) > 0
          ? { target: 'timed-out', actions: [bumpSeq, ...fired] }
          : finish('timeout', fired);
    }
    if (options.type === 'none') {
      const retry = options.validation?.retryMessage;
      const saveAs = options.saveAs;
      on.text = perform(
        options.next,
        'step',
        saveAs
          ? [
              assign(({ context, event }: Ctx) => ({
                vars: { ...context.vars, [saveAs]: event.type === 'text' ? event.text : '' },
              })),
              emit(({ context }) => ({
                type: 'set-variable',
                name: saveAs,
                value: context.vars[saveAs] ?? '',
              })),
            ]
          : [],
      );
      on.retry = {
        actions: [
          emit(({ context }) => ({
            type: 'send',
            purpose: 'retry',
            stepId: step.id,
            message: {
              kind: 'text',
              text: clampText(
                interpolate(pick(retry, context.language, fallback), context.vars),
                limits.textBody,
              ),
            },
          })),
          ...stay(),
        ],
      };
    } else {
      for (const choice of stepChoices(step))
        on[`option:${choice.id}`] = perform(choice.action, 'step');
      Object.assign(on, systemActions(invalidMessage, 'step'));
      on.invalid = {
        actions: [
          invalidMessage
            ? sendSystem('invalid', invalidMessage)
            : emit(({ context }) => ({
                type: 'send',
                purpose: 'invalid',
                stepId: step.id,
                message: renderStep(step, {
                  language: context.language,
                  fallback,
                  vars: context.vars,
                }),
              })),
          ...stay((invalidMessage?.actions?.length ?? 0) > 0),
        ],
      };
    }
    states[stepState(step.id)] = {
      entry: [
        emitCancel,
        assign(({ event }: Ctx) => ({
          seq: event.seq,
          stepId: step.id,
          invalidShown: false,
          timer: nextTimer(event),
        })),
        emit(({ context }) => ({
          type: 'send',
          purpose: 'step',
          stepId: step.id,
          message: renderStep(step, { language: context.language, fallback, vars: context.vars }),
        })),
        ...emitSchedule,
      ],
      on,
    };
  }

  return machineSetup.createMachine({
    id: `flow-${flow.id}`,
    initial: 'idle',
    // The real context always comes from a snapshot (`resolveState`).
    context: {
      stepId: flow.startStep,
      language: fallback,
      vars: {},
      timer: null,
      invalidShown: false,
      seq: 0,
    },
    // biome-ignore lint/suspicious/noExplicitAny: built dynamically per flow; typed by SessionContext and MachineEvent above
    states: states as any,
  });
}

function inertScope(machine: AnyStateMachine, collected: { type: string; params?: unknown }[]) {
  // The same fields as xstate's own `transition()` scope, built once per flow instead of
  // once per call (that construction costs more than the transition itself).
  const self = createActor(machine);
  return {
    self,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor: (action: { type: string; params?: unknown }) => {
      collected.push(action);
    },
  } as unknown as MachineScope;
}

/** Errors that leave a flow runnable: over-limit texts and counts, missing or empty translations. */
function runnable(code: string): boolean {
  return /too-long|-count$|^translation\.|^message\.empty$|^option\.duplicate-label$/.test(code);
}

// Keyed by the content itself (definition and tenant system messages, as JSON): two tenants'
// flows that share an id and version, or an edited definition saved under the same version,
// never get each other's compiled flow. Least recently used entries go first.
const cache = new Map<string, CompiledFlow>();
const cacheLimit = 500;

/**
 * Validates and compiles a flow. Compiled flows are cached by content, so compiling the same
 * definition again is cheap. The compiled flow keeps its own copy of the definition: changing
 * the object afterwards changes nothing. Throws `FlowValidationError` (with every diagnostic)
 * for an invalid flow.
 */
export function compileFlow(
  definition: FlowDefinition | unknown,
  options: CompileOptions = {},
): CompiledFlow {
  const d = definition as Partial<FlowDefinition> | null;
  const key = options.unchecked
    ? undefined
    : JSON.stringify([definition, options.systemMessages ?? null]);
  const hit = key === undefined ? undefined : cache.get(key);
  if (hit && key !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }

  const result = validateFlow(definition);
  const blocking = options.unchecked
    ? result.diagnostics.filter((x) => x.severity === 'error' && !runnable(x.code))
    : [];
  if (options.unchecked ? blocking.length > 0 : !result.valid) {
    throw new FlowValidationError(String(d?.id ?? '?'), result.diagnostics);
  }
  const flow = structuredClone(definition) as FlowDefinition;
  const systemMessages: SystemMessages = structuredClone({
    ...options.systemMessages,
    ...flow.systemMessages,
  });
  const machine = buildMachine(flow, systemMessages);
  const collected: { type: string; params?: unknown }[] = [];
  const system: Partial<Record<SystemMessageKind, SystemTable>> = {};
  if (systemMessages.invalid) system.invalid = systemTable(systemMessages.invalid);
  if (systemMessages.sessionTimeout) system.timeout = systemTable(systemMessages.sessionTimeout);
  if (systemMessages.thankYou) system['thank-you'] = systemTable(systemMessages.thankYou);
  const compiled: CompiledFlow = {
    id: flow.id,
    version: flow.version,
    definition: flow,
    systemMessages,
    machine,
    steps: new Map(flow.steps.map((s) => [s.id, stepTable(s)])),
    system,
    scope: inertScope(machine, collected),
    collected,
  };
  if (key !== undefined) {
    if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
    cache.set(key, compiled);
  }
  return compiled;
}
