/**
 * Conversations: generated user commands (typed labels with noise, letters, keys, taps, stale
 * taps, odd text, timeouts, language switches), resolved against a session and played.
 */
import fc from 'fast-check';
import type { CompiledFlow } from './compile.js';
import { advance, start } from './engine.js';
import { choiceId, navigationKey, systemChoiceId } from './render.js';
import type { Step } from './schema.js';
import { stepChoices } from './steps.js';
import type { FlowInput, FlowOutput, SessionSnapshot } from './types.js';

/** One thing a user (or the clock) does, before it is resolved against the session. */
export type ConversationCommand =
  /** Type the label of the n-th choice of the current step, in a language of the flow. */
  | {
      kind: 'type-label';
      index: number;
      language: number;
      noise: 'none' | 'case' | 'spaces' | 'accents';
    }
  /** Type the navigation letter or system-action key n. */
  | { kind: 'type-key'; index: number }
  /** Tap the n-th choice of the current step (a valid button or list reply). */
  | { kind: 'tap'; index: number }
  /** Tap a choice of another step (a stale reply) or an id that never existed. */
  | { kind: 'tap-stale'; step: number; index: number }
  | { kind: 'tap-unknown'; id: string }
  /** Tap the n-th action of the system message on screen. */
  | { kind: 'tap-system'; index: number }
  | { kind: 'text'; text: string }
  /** Type an answer the current text-input step accepts (a sample of its validation). */
  | { kind: 'answer'; index: number }
  /** Let the armed session timeout fire (`now` moves past it). */
  | { kind: 'timeout' }
  /** Fire a timer id the session never armed, or no longer has. */
  | { kind: 'stale-timer' }
  | { kind: 'language'; index: number }
  /** Time passes without input. */
  | { kind: 'wait'; minutes: number };

/**
 * Random commands: mostly ones that move the conversation on (taps, typed labels, accepted
 * answers: about 60 %), so deep steps get reached, with noise, stale replies, odd text, timers
 * and language switches mixed in.
 */
export function commandArbitrary(): fc.Arbitrary<ConversationCommand> {
  const index = fc.nat({ max: 30 });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('type-label' as const),
        index,
        language: fc.nat({ max: 3 }),
        noise: fc.constantFrom('none', 'case', 'spaces', 'accents') as fc.Arbitrary<
          'none' | 'case' | 'spaces' | 'accents'
        >,
      }),
    },
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('tap' as const), index }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('type-key' as const), index: fc.nat({ max: 27 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('tap-stale' as const),
        step: fc.nat({ max: 30 }),
        index,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('tap-unknown' as const),
        id: fc.string({ maxLength: 12 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('tap-system' as const), index: fc.nat({ max: 3 }) }),
    },
    {
      weight: 5,
      arbitrary: fc.record({ kind: fc.constant('answer' as const), index: fc.nat({ max: 4 }) }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('text' as const),
        text: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.constantFrom(
            '',
            ' ',
            '12345',
            'ana@example.com',
            '+44 20 7946 0958',
            '3.14',
            '🍕🍕',
            'A',
            'b.',
            '1',
            '4',
          ),
          fc.string({ unit: 'binary', minLength: 5000, maxLength: 5000 }),
        ),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'timeout' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'stale-timer' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('language' as const), index: fc.nat({ max: 3 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('wait' as const),
        minutes: fc.integer({ min: 1, max: 120 }),
      }),
    },
  );
}

export function conversationArbitrary(maxLength = 30): fc.Arbitrary<ConversationCommand[]> {
  return fc.array(commandArbitrary(), { maxLength });
}

function addNoise(text: string, noise: 'none' | 'case' | 'spaces' | 'accents'): string {
  switch (noise) {
    case 'none':
      return text;
    case 'case':
      return text.toUpperCase();
    case 'spaces':
      return `  ${text.replace(/ /g, '   ')} `;
    case 'accents':
      return text.normalize('NFD').replace(/[aeiou]/g, (c) => `${c}\u0301`);
  }
}

const answerCache = new Map<string, string[]>();

/** A few texts a text-input step accepts; any text for a step without validation. */
export function sampleAnswers(step: Step): string[] {
  const validation = step.options.type === 'none' ? step.options.validation : undefined;
  switch (validation?.kind) {
    case undefined:
      return ['ok', 'Ana Souza', '🍕'];
    case 'email':
      return ['ana@example.com', 'Bob.Smith@mail.example.org'];
    case 'phone':
      return ['+15550100', '+44 20 7946 0958'];
    case 'number':
      return ['42', '3.5', '-7'];
    case 'regex': {
      const pattern = validation.pattern ?? '';
      let samples = answerCache.get(pattern);
      if (!samples) {
        try {
          // Deterministic samples of the pattern (a fixed seed), so replays stay identical.
          samples = fc.sample(fc.stringMatching(new RegExp(`^(?:${pattern})$`, 'u')), {
            seed: 1,
            numRuns: 5,
          });
        } catch {
          samples = ['1234'];
        }
        answerCache.set(pattern, samples);
      }
      return samples.length > 0 ? samples : ['1234'];
    }
  }
}

/** What a command becomes for this session at this moment (undefined: nothing happens). */
export function resolveCommand(
  flow: CompiledFlow,
  snapshot: SessionSnapshot,
  command: ConversationCommand,
): FlowInput | undefined {
  const { definition } = flow;
  const step = flow.steps.get(snapshot.context.stepId)?.step;
  const choices = step && snapshot.state.startsWith('step:') ? stepChoices(step) : [];
  const pickOne = <T>(items: readonly T[], i: number): T | undefined =>
    items.length ? items[i % items.length] : undefined;
  switch (command.kind) {
    case 'type-label': {
      const choice = pickOne(choices, command.index);
      const language = pickOne(definition.languages, command.language)!;
      const label = choice?.label[language];
      return label === undefined
        ? { type: 'text', text: '?' }
        : { type: 'text', text: addNoise(label, command.noise) };
    }
    case 'type-key': {
      const navigation = step?.options.type === 'navigation';
      return {
        type: 'text',
        text: navigation ? navigationKey(command.index % 26) : String((command.index % 4) + 1),
      };
    }
    case 'tap': {
      // Only buttons and list rows can be tapped; navigation options are typed.
      const choice =
        step?.options.type === 'navigation' ? undefined : pickOne(choices, command.index);
      return choice && step ? { type: 'choice', id: choiceId(step.id, choice.id) } : undefined;
    }
    case 'tap-stale': {
      const other = pickOne(definition.steps, command.step)!;
      const choice = pickOne(stepChoices(other), command.index);
      return choice ? { type: 'choice', id: choiceId(other.id, choice.id) } : undefined;
    }
    case 'tap-unknown':
      return { type: 'choice', id: command.id };
    case 'tap-system': {
      const kind =
        snapshot.state === 'timed-out'
          ? 'timeout'
          : snapshot.state === 'closing'
            ? 'thank-you'
            : 'invalid';
      return { type: 'choice', id: systemChoiceId(kind, command.index + 1) };
    }
    case 'text':
      return { type: 'text', text: command.text };
    case 'answer':
      return { type: 'text', text: step ? pickOne(sampleAnswers(step), command.index)! : 'ok' };
    case 'timeout':
      return snapshot.context.timer
        ? { type: 'timer', timerId: snapshot.context.timer.id }
        : undefined;
    case 'stale-timer':
      return { type: 'timer', timerId: `t${snapshot.context.seq + 1000}` };
    case 'language':
      return { type: 'language', language: pickOne(definition.languages, command.index)! };
    case 'wait':
      return undefined;
  }
}

/** One turn of a played conversation. */
export interface TraceEntry {
  command: ConversationCommand;
  input?: FlowInput;
  now: number;
  before: SessionSnapshot;
  after: SessionSnapshot;
  outputs: FlowOutput[];
}

export interface Trace {
  start: { snapshot: SessionSnapshot; outputs: FlowOutput[] };
  turns: TraceEntry[];
}

/**
 * Plays commands against a session from its start, moving the clock a minute per turn
 * (`wait` moves it further; `timeout` jumps to the armed timer).
 */
export function playConversation(
  flow: CompiledFlow,
  commands: readonly ConversationCommand[],
  options: { now?: number; language?: string; vars?: Record<string, string> } = {},
): Trace {
  let now = options.now ?? 1_700_000_000_000;
  const first = start(flow, {
    now,
    ...(options.language && { language: options.language }),
    vars: options.vars ?? { name: 'Ana' },
  });
  let snapshot = first.snapshot;
  const turns: TraceEntry[] = [];
  for (const command of commands) {
    now += command.kind === 'wait' ? command.minutes * 60_000 : 60_000;
    if (command.kind === 'timeout' && snapshot.context.timer)
      now = Math.max(now, snapshot.context.timer.at);
    const input = resolveCommand(flow, snapshot, command);
    const before = snapshot;
    const result = input ? advance(flow, snapshot, input, now) : { snapshot, outputs: [] };
    snapshot = result.snapshot;
    turns.push({
      command,
      ...(input && { input }),
      now,
      before,
      after: snapshot,
      outputs: result.outputs,
    });
  }
  return { start: first, turns };
}
