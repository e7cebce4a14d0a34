/**
 * `checkFlow`: property-tests one flow. Generates thousands of conversations with it (typed
 * labels with noise, letters, keys, taps, stale taps, odd text, timeouts, language switches),
 * checks built-in and user properties on each, and reports every broken property as the
 * shortest conversation that shows it, printed as a chat transcript.
 */
import fc from 'fast-check';
import {
  type ChannelName,
  channelProfiles,
  preferredRendering,
  renderingProblems,
} from './channels.js';
import { type CompiledFlow, type CompileOptions, compileFlow } from './compile.js';
import {
  type ConversationCommand,
  conversationArbitrary,
  playConversation,
  type Trace,
} from './conversations.js';
import { advance, toEvent } from './engine.js';
import type {
  Action,
  FlowDefinition,
  LocalizedText,
  Step,
  SystemMessage,
  SystemMessages,
} from './schema.js';
import { startedFlow, stepChoices } from './steps.js';
import { describeInput, describeMessage, describeOutputs } from './transcript.js';
import type { FlowOutput, SessionSnapshot } from './types.js';
import { type Diagnostic, FlowValidationError, validateFlow } from './validate.js';

/** A conversation as checks see it. */
export interface ReadableTrace {
  /** `user: …`, `bot: …`, `timer: …` lines, in order. */
  lines: string[];
  /** The steps the session entered, in order (repeats included). */
  steps: string[];
  /** Every turn with its snapshots and outputs, for checks that need more. */
  trace: Trace;
  ended: boolean;
}

/** A property of your own: return false (or throw) when the conversation breaks it. */
export interface FlowProperty {
  name: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: a check may return nothing when it passes
  check: (conversation: ReadableTrace) => boolean | undefined | void;
}

export interface CheckFlowOptions {
  /** Conversations to generate (default 1000). */
  runs?: number;
  /** Seed of the generator; a report prints it so a failure replays exactly. */
  seed?: number;
  /** With `seed`, replays one failing conversation (the `path` a report prints). */
  path?: string;
  /** Channels the flow is meant for (default all three): messages must fit each. */
  channels?: ChannelName[];
  /** Longest generated conversation, in user turns (default 25). */
  maxTurns?: number;
  /** The tenant's system messages, which the flow's own override. */
  systemMessages?: SystemMessages;
  /** Checks of your own, run on every conversation next to the built-in ones. */
  properties?: FlowProperty[];
  /** Variables the sessions start with (default `{ name: 'Ana' }`). */
  vars?: Record<string, string>;
  /** Called as conversations are checked: for progress bars. */
  onProgress?: (checked: number, total: number) => void;
}

export interface FlowCheckFailure {
  /** The property broken: `no-crash`, `declared-state`, `no-trap`, `timeout-armed`, `channel-limits`, `translations`, `nothing-after-end`, `replay`, `valid-flow` or yours. */
  property: string;
  message: string;
  /** The step where it happened, if at one. */
  stepId?: string;
  /** The shortest conversation that shows it. */
  transcript: string[];
  /** Replays it: `checkFlow(flow, { seed, path })`. */
  seed?: number;
  path?: string;
}

export interface FlowCoverage {
  steps: { id: string; reached: boolean }[];
  options: { stepId: string; optionId: string; chosen: boolean }[];
}

export interface FlowCheckReport {
  ok: boolean;
  flowId: string;
  runs: number;
  seed: number;
  durationMs: number;
  failures: FlowCheckFailure[];
  /** The validator's findings (errors and warnings). */
  diagnostics: Diagnostic[];
  /** What no generated conversation reached: what the checks never exercised. */
  coverage: FlowCoverage;
  /** A summary, each failure as a transcript, and the coverage. */
  toString(): string;
  /** Throws an error carrying `toString()` unless the flow passed. */
  assert(): void;
}

const builtIn = [
  'no-crash',
  'declared-state',
  'timeout-armed',
  'channel-limits',
  'translations',
  'nothing-after-end',
  'replay',
] as const;

class PropertyBroken extends Error {
  constructor(
    readonly property: string,
    message: string,
    readonly stepId?: string,
  ) {
    super(message);
  }
}

/** Where the texts a message was made from live, to check their translations. */
function sourceTexts(
  flow: CompiledFlow,
  output: Extract<FlowOutput, { type: 'send' }>,
  stepId: string,
): { where: string; text: LocalizedText | undefined }[] {
  const system: Record<string, SystemMessage | undefined> = {
    invalid: flow.systemMessages.invalid,
    timeout: flow.systemMessages.sessionTimeout,
    'thank-you': flow.systemMessages.thankYou,
  };
  if (
    output.purpose !== 'step' &&
    output.purpose !== 'retry' &&
    !(output.purpose === 'invalid' && output.stepId)
  ) {
    const message = system[output.purpose];
    if (!message) return [];
    const name = output.purpose === 'timeout' ? 'session timeout' : output.purpose;
    return [
      { where: `the ${name} message`, text: message.text },
      ...(message.actions ?? []).map((a, i) => ({
        where: `action ${i + 1} of the ${name} message`,
        text: a.label,
      })),
    ];
  }
  const step = flow.steps.get(output.stepId ?? stepId)?.step;
  if (!step) return [];
  if (output.purpose === 'retry') {
    return step.options.type === 'none'
      ? [
          {
            where: `the retry message of step "${step.id}"`,
            text: step.options.validation?.retryMessage,
          },
        ]
      : [];
  }
  return stepTexts(step);
}

function stepTexts(step: Step): { where: string; text: LocalizedText | undefined }[] {
  const at = `step "${step.id}"`;
  const m = step.message;
  const texts: { where: string; text: LocalizedText | undefined }[] = [
    m.type === 'text'
      ? { where: `the message of ${at}`, text: m.text }
      : m.type === 'media'
        ? { where: `the caption of ${at}`, text: m.caption }
        : { where: `the template language of ${at}`, text: m.language },
  ];
  for (const choice of stepChoices(step))
    texts.push({ where: `option "${choice.id}" of ${at}`, text: choice.label });
  const o = step.options;
  if (o.type === 'list' || o.type === 'sections')
    texts.push({ where: `the list button of ${at}`, text: o.buttonLabel });
  if (o.type === 'list')
    for (const r of o.rows)
      texts.push({ where: `the description of row "${r.id}" of ${at}`, text: r.description });
  if (o.type === 'sections') {
    for (const [i, s] of o.sections.entries()) {
      texts.push({ where: `the title of section ${i + 1} of ${at}`, text: s.title });
      for (const r of s.rows)
        texts.push({ where: `the description of row "${r.id}" of ${at}`, text: r.description });
    }
  }
  if (o.type === 'navigation')
    for (const [i, g] of o.groups.entries())
      texts.push({ where: `the title of group ${i + 1} of ${at}`, text: g.title });
  return texts;
}

function readable(trace: Trace): ReadableTrace {
  const lines: string[] = [];
  const steps: string[] = [];
  // The titles of every choice shown so far: what a tap refers to.
  const titles = new Map<string, string>();
  const show = (outputs: readonly FlowOutput[]) => {
    lines.push(...describeOutputs(outputs));
    for (const o of outputs) {
      if (o.type !== 'send') continue;
      if (o.purpose === 'step' && o.stepId) steps.push(o.stepId);
      for (const c of describeMessage(o.message).choices) titles.set(c.id, c.title);
    }
  };
  show(trace.start.outputs);
  for (const turn of trace.turns) {
    if (turn.input) lines.push(describeInput(turn.input, titles));
    else if (turn.command.kind === 'wait') lines.push(`(${turn.command.minutes} minutes pass)`);
    show(turn.outputs);
  }
  const last = trace.turns[trace.turns.length - 1]?.after ?? trace.start.snapshot;
  return { lines, steps, trace, ended: last.state === 'ended' };
}

/** Checks one conversation; throws `PropertyBroken` for the first broken property among `active`. */
function checkConversation(
  flow: CompiledFlow,
  commands: readonly ConversationCommand[],
  active: ReadonlySet<string>,
  options: Required<Pick<CheckFlowOptions, 'channels' | 'vars'>> & { properties: FlowProperty[] },
): Trace | undefined {
  let trace: Trace;
  try {
    trace = playConversation(flow, commands, { vars: options.vars });
  } catch (error) {
    if (active.has('no-crash'))
      throw new PropertyBroken(
        'no-crash',
        `the engine threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    return undefined;
  }
  const states = new Set<string>([...flow.steps.keys()].map((id) => `step:${id}`));
  for (const s of ['timed-out', 'closing', 'ended']) states.add(s);
  const hasTimeout = flow.systemMessages.sessionTimeout !== undefined;
  let ended = false;
  const turns = [
    {
      before: trace.start.snapshot,
      after: trace.start.snapshot,
      outputs: trace.start.outputs,
      input: undefined,
      now: 0,
    },
    ...trace.turns,
  ];
  for (const turn of turns) {
    const { after, outputs } = turn;
    const stepId = after.context.stepId;
    if (active.has('declared-state') && !states.has(after.state))
      throw new PropertyBroken(
        'declared-state',
        `the session is in "${after.state}", which the flow does not declare`,
        stepId,
      );
    if (active.has('nothing-after-end') && ended && outputs.length > 0)
      throw new PropertyBroken(
        'nothing-after-end',
        `after the end the engine still output ${outputs.map((o) => o.type).join(', ')}`,
        stepId,
      );
    // Starting another flow hands the conversation over: this run ends there, and the
    // handover is the last thing before the end.
    const switchAt = outputs.findIndex((o) => o.type === 'start-flow');
    if (
      active.has('nothing-after-end') &&
      switchAt !== -1 &&
      (after.state !== 'ended' || outputs.slice(switchAt + 1).some((o) => o.type !== 'end'))
    )
      throw new PropertyBroken(
        'nothing-after-end',
        `after starting another flow the session ${
          after.state === 'ended'
            ? `still output ${outputs
                .slice(switchAt + 1)
                .map((o) => o.type)
                .join(', ')}`
            : `is still in "${after.state}"`
        }`,
        stepId,
      );
    if (after.state === 'ended') ended = true;
    if (
      active.has('timeout-armed') &&
      hasTimeout &&
      after.state.startsWith('step:') &&
      !after.context.timer
    ) {
      throw new PropertyBroken(
        'timeout-armed',
        `the session waits at step "${stepId}" with no session timeout armed`,
        stepId,
      );
    }
    for (const output of outputs) {
      if (output.type !== 'send') continue;
      if (active.has('channel-limits')) {
        for (const channel of options.channels) {
          const profile = channelProfiles[channel];
          const problems = renderingProblems(preferredRendering(output.message, profile), profile);
          if (problems.length > 0)
            throw new PropertyBroken(
              'channel-limits',
              `on ${channel}, ${problems.join('; ')}`,
              output.stepId ?? stepId,
            );
        }
      }
      if (active.has('translations')) {
        const language = after.context.language;
        for (const { where, text } of sourceTexts(flow, output, stepId)) {
          if (text && (text[language] === undefined || text[language].trim() === '')) {
            throw new PropertyBroken(
              'translations',
              `${where} has no "${language}" text, yet a session in "${language}" reaches it`,
              output.stepId ?? stepId,
            );
          }
        }
      }
    }
    if (active.has('replay') && turn.input) {
      const copy = JSON.parse(JSON.stringify(turn.before)) as SessionSnapshot;
      const again = advance(flow, copy, turn.input, turn.now);
      if (JSON.stringify(again) !== JSON.stringify({ snapshot: after, outputs })) {
        throw new PropertyBroken(
          'replay',
          'advancing from a JSON copy of the snapshot gave a different result',
          stepId,
        );
      }
    }
  }
  const mine = options.properties.filter((p) => active.has(p.name));
  if (mine.length > 0) {
    const conversation = readable(trace);
    for (const property of mine) {
      let result: ReturnType<FlowProperty['check']>;
      try {
        result = property.check(conversation);
      } catch (error) {
        throw new PropertyBroken(
          property.name,
          error instanceof Error ? error.message : String(error),
        );
      }
      if (result === false)
        throw new PropertyBroken(property.name, `the conversation breaks "${property.name}"`);
    }
  }
  return trace;
}

/** Steps from which no end can be reached (through options or the invalid message's actions). */
function traps(
  definition: FlowDefinition,
  flow: CompiledFlow,
): { stepId: string; path: ConversationCommand[] }[] {
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const invalidActions = flow.systemMessages.invalid?.actions?.map((a) => a.action) ?? [];
  const edges = (step: Step) => {
    const choices = stepChoices(step);
    const own = step.options.type === 'none' ? [step.options.next] : choices.map((c) => c.action);
    return step.options.type === 'none' ? own : [...own, ...invalidActions];
  };
  // Starting another flow ends this flow's session: an exit, like ending or handing off.
  const exits = (step: Step) =>
    step.terminal === true ||
    edges(step).some(
      (a) =>
        a.type === 'end' || a.type === 'handoff' || startedFlow(a, definition.id) !== undefined,
    );
  const target = (a: Action) =>
    a.type === 'goto'
      ? a.step
      : a.type === 'start' && startedFlow(a, definition.id) === undefined
        ? definition.startStep
        : undefined;
  // Which steps can reach an exit: fixpoint over the edges.
  const escapes = new Set(definition.steps.filter(exits).map((s) => s.id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const step of definition.steps) {
      if (escapes.has(step.id)) continue;
      if (edges(step).some((a) => escapes.has(target(a) ?? ''))) {
        escapes.add(step.id);
        grew = true;
      }
    }
  }
  // Shortest tap-paths from the start to every step (breadth first).
  const paths = new Map<string, ConversationCommand[]>([[definition.startStep, []]]);
  const queue = [definition.startStep];
  while (queue.length > 0) {
    const step = byId.get(queue.shift()!)!;
    const choices = stepChoices(step);
    const moves: { to: string | undefined; command: ConversationCommand }[] =
      step.options.type === 'none'
        ? [{ to: target(step.options.next), command: { kind: 'answer', index: 0 } }]
        : choices.map((c, index) => ({ to: target(c.action), command: { kind: 'tap', index } }));
    for (const { to, command } of moves) {
      if (to && !paths.has(to)) {
        paths.set(to, [...paths.get(step.id)!, command]);
        queue.push(to);
      }
    }
  }
  return definition.steps
    .filter((s) => paths.has(s.id) && !escapes.has(s.id))
    .map((s) => ({ stepId: s.id, path: paths.get(s.id)! }));
}

function coverageOf(flow: CompiledFlow, traces: Trace[]): FlowCoverage {
  const reached = new Set<string>();
  const chosen = new Set<string>();
  for (const trace of traces) {
    for (const o of trace.start.outputs) if (o.type === 'send' && o.stepId) reached.add(o.stepId);
    for (const turn of trace.turns) {
      for (const o of turn.outputs)
        if (o.type === 'send' && o.purpose === 'step' && o.stepId) reached.add(o.stepId);
      if (!turn.input) continue;
      const event = toEvent(flow, turn.before, turn.input, turn.now);
      if (event?.type.startsWith('option:'))
        chosen.add(`${turn.before.context.stepId}\u0000${event.type.slice(7)}`);
    }
  }
  return {
    steps: flow.definition.steps.map((s) => ({ id: s.id, reached: reached.has(s.id) })),
    options: flow.definition.steps.flatMap((s) =>
      stepChoices(s).map((c) => ({
        stepId: s.id,
        optionId: c.id,
        chosen: chosen.has(`${s.id}\u0000${c.id}`),
      })),
    ),
  };
}

function format(report: Omit<FlowCheckReport, 'toString' | 'assert'>): string {
  const lines = [
    `checkFlow "${report.flowId}": ${report.runs} conversations (seed ${report.seed}) in ${(report.durationMs / 1000).toFixed(1)} s — ${
      report.failures.length === 0
        ? 'no problems'
        : `${report.failures.length} problem${report.failures.length === 1 ? '' : 's'}`
    }`,
  ];
  for (const f of report.failures) {
    lines.push('', `✗ ${f.property}${f.stepId ? ` at step "${f.stepId}"` : ''}: ${f.message}`);
    for (const line of f.transcript) lines.push(`    ${line.replace(/\n/g, '\n    ')}`);
    if (f.seed !== undefined && f.path !== undefined)
      lines.push(`  replay: checkFlow(flow, { seed: ${f.seed}, path: '${f.path}' })`);
  }
  const steps = report.coverage.steps;
  const options = report.coverage.options;
  const missedSteps = steps.filter((s) => !s.reached).map((s) => s.id);
  const missedOptions = options.filter((o) => !o.chosen).map((o) => `${o.stepId} › ${o.optionId}`);
  lines.push(
    '',
    `coverage: ${steps.length - missedSteps.length}/${steps.length} steps reached, ${options.length - missedOptions.length}/${options.length} options chosen`,
  );
  if (missedSteps.length > 0) lines.push(`  never reached: ${missedSteps.join(', ')}`);
  if (missedOptions.length > 0) lines.push(`  never chosen: ${missedOptions.join(', ')}`);
  return lines.join('\n');
}

/** Property-tests a flow: see the module comment. */
export function checkFlow(
  definition: FlowDefinition | CompiledFlow,
  options: CheckFlowOptions = {},
): FlowCheckReport {
  const started = performance.now();
  const def = 'machine' in definition ? definition.definition : definition;
  const runs = options.runs ?? 1000;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const channels = options.channels ?? ['whatsapp', 'messenger', 'instagram'];
  const vars = options.vars ?? { name: 'Ana' };
  const properties = options.properties ?? [];
  const diagnostics = validateFlow(def).diagnostics;
  const failures: FlowCheckFailure[] = [];
  const finish = (flowId: string, coverage: FlowCoverage): FlowCheckReport => {
    const data = {
      ok: failures.length === 0,
      flowId,
      runs,
      seed,
      durationMs: performance.now() - started,
      failures,
      diagnostics,
      coverage,
    };
    const text = format(data);
    return {
      ...data,
      toString: () => text,
      assert: () => {
        if (!data.ok) throw new Error(text);
      },
    };
  };

  let flow: CompiledFlow;
  try {
    const compileOptions: CompileOptions = {
      unchecked: true,
      ...(options.systemMessages && { systemMessages: options.systemMessages }),
    };
    flow = compileFlow(def, compileOptions);
  } catch (error) {
    const problems =
      error instanceof FlowValidationError
        ? error.diagnostics.filter((d) => d.severity === 'error')
        : [];
    failures.push({
      property: 'valid-flow',
      message:
        problems.length > 0
          ? `the flow cannot run: ${problems.map((d) => `${d.path}: ${d.message}`).join('; ')}`
          : `the flow cannot be compiled: ${error instanceof Error ? error.message : String(error)}`,
      transcript: [],
    });
    return finish(String((def as { id?: unknown }).id ?? '?'), { steps: [], options: [] });
  }

  // Static: traps, and sessions that can wait forever.
  for (const trap of traps(def, flow)) {
    const trace = playConversation(flow, trap.path, { vars });
    failures.push({
      property: 'no-trap',
      stepId: trap.stepId,
      message: `no end can be reached from step "${trap.stepId}" (declare it "terminal" if a conversation may rest there)`,
      transcript: readable(trace).lines,
    });
  }

  const checkOptions = { channels, vars, properties };
  const active = new Set<string>([...builtIn, ...properties.map((p) => p.name)]);
  const sample: Trace[] = [];
  let checked = 0;
  const arbitrary = conversationArbitrary(options.maxTurns ?? 25);
  // One pass finds (and shrinks) one broken property; the next pass looks for the others.
  for (let pass = 0; pass < active.size + 1; pass++) {
    const property = fc.property(arbitrary, (commands) => {
      checked++;
      if (options.onProgress && checked % 100 === 0)
        options.onProgress(Math.min(checked, runs), runs);
      const trace = checkConversation(flow, commands, active, checkOptions);
      // Coverage comes from the conversations of every pass (a pass stops at its failure).
      if (trace && sample.length < runs) sample.push(trace);
    });
    const result = fc.check(property, {
      numRuns: runs,
      seed,
      ...(options.path !== undefined && { path: options.path }),
    });
    if (!result.failed || !result.counterexample) break;
    const broken =
      result.errorInstance instanceof PropertyBroken ? result.errorInstance : undefined;
    const [commands] = result.counterexample;
    let transcript: string[];
    try {
      transcript = readable(playConversation(flow, commands, { vars })).lines;
    } catch (error) {
      transcript = [
        ...commands.map((c) => JSON.stringify(c)),
        `(the engine threw: ${error instanceof Error ? error.message : String(error)})`,
      ];
    }
    failures.push({
      property: broken?.property ?? 'no-crash',
      message: broken?.message ?? String(result.errorInstance),
      ...(broken?.stepId && { stepId: broken.stepId }),
      transcript,
      seed: result.seed,
      ...(result.counterexamplePath && { path: result.counterexamplePath }),
    });
    active.delete(broken?.property ?? 'no-crash');
    if (options.path !== undefined) break;
  }
  options.onProgress?.(runs, runs);
  return finish(flow.id, coverageOf(flow, sample));
}
