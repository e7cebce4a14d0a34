/**
 * fast-check generators of valid flows, and of single mutations that break a flow in a known
 * way (with the one diagnostic each must produce).
 */
import fc from 'fast-check';
import { limits } from './limits.js';
import type {
  Action,
  FlowDefinition,
  LocalizedText,
  Step,
  StepOptions,
  SystemMessage,
} from './schema.js';
import { stepChoices } from './steps.js';

export interface FlowArbitraryOptions {
  /** Steps in a generated flow (default 1 to 8). */
  minSteps?: number;
  maxSteps?: number;
  /** Languages to pick from (default en, es, pt). */
  languages?: string[];
}

/** The id of every generated flow. */
const generatedFlowId = 'generated';

const word = fc.stringMatching(/^[a-z]{1,6}$/);

/** Text of at most `max` code points, never blank, sometimes with a `{{variable}}` placeholder. */
function textArbitrary(max: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('Hi', 'Olá', 'Ünïcödé', '🍕', 'Choose'),
      fc.string({ unit: 'binary', maxLength: Math.max(0, Math.min(max - 6, 80)) }),
      fc.option(fc.constantFrom('name', 'answer', 'email'), { nil: undefined }),
    )
    .map(([head, tail, variable]) => {
      const text = `${head}${variable ? ` {{${variable}}}` : ''} ${tail}`;
      return Array.from(text).slice(0, max).join('');
    })
    .filter((t) => t.trim() !== '');
}

function localized(languages: string[], max: number): fc.Arbitrary<LocalizedText> {
  return fc
    .tuple(...languages.map(() => textArbitrary(max)))
    .map((texts) => Object.fromEntries(languages.map((l, i) => [l, texts[i]!])));
}

/** Labels unique within a step: the index leads, a word follows, cut to `max`. */
function uniqueLabels(
  languages: string[],
  count: number,
  max: number,
): fc.Arbitrary<LocalizedText[]> {
  return fc
    .array(fc.tuple(...languages.map(() => word)), { minLength: count, maxLength: count })
    .map((rows) =>
      rows.map((words, i) =>
        Object.fromEntries(languages.map((l, j) => [l, `${i + 1}-${words[j]}${l}`.slice(0, max)])),
      ),
    );
}

function actionArbitrary(stepIds: string[]): fc.Arbitrary<Action> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(...stepIds).map((step): Action => ({ type: 'goto', step })),
    },
    { weight: 1, arbitrary: fc.constant<Action>({ type: 'start' }) },
    // Another flow of the tenant takes over; naming the generated flow itself restarts it.
    {
      weight: 1,
      arbitrary: fc.constantFrom<Action>(
        { type: 'start', flow: 'booking' },
        { type: 'start', flow: generatedFlowId },
      ),
    },
    { weight: 1, arbitrary: fc.constant<Action>({ type: 'end' }) },
    { weight: 1, arbitrary: fc.constant<Action>({ type: 'handoff' }) },
  );
}

function optionsArbitrary(languages: string[], stepIds: string[]): fc.Arbitrary<StepOptions> {
  const action = actionArbitrary(stepIds);
  const buttons = fc.integer({ min: 1, max: limits.buttons }).chain((n) =>
    fc
      .tuple(
        uniqueLabels(languages, n, limits.buttonTitle),
        fc.array(action, { minLength: n, maxLength: n }),
      )
      .map(
        ([labels, actions]): StepOptions => ({
          type: 'buttons',
          buttons: labels.map((label, i) => ({ id: `b${i}`, label, action: actions[i]! })),
        }),
      ),
  );
  const rows = (n: number, prefix: string) =>
    fc
      .tuple(
        uniqueLabels(languages, n, limits.rowTitle),
        fc.array(action, { minLength: n, maxLength: n }),
        fc.array(fc.option(localized(languages, limits.rowDescription), { nil: undefined }), {
          minLength: n,
          maxLength: n,
        }),
      )
      .map(([titles, actions, descriptions]) =>
        titles.map((title, i) => ({
          id: `${prefix}${i}`,
          title,
          action: actions[i]!,
          ...(descriptions[i] && { description: descriptions[i] }),
        })),
      );
  const list = fc
    .integer({ min: 1, max: limits.listRows })
    .chain((n) =>
      fc
        .tuple(localized(languages, limits.listButton), rows(n, 'r'))
        .map(([buttonLabel, r]): StepOptions => ({ type: 'list', buttonLabel, rows: r })),
    );
  const sections = fc
    .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
    .filter((sizes) => sizes.reduce((a, b) => a + b, 0) <= limits.listRows)
    .chain((sizes) =>
      fc
        .tuple(
          localized(languages, limits.listButton),
          uniqueLabels(languages, sizes.length, limits.sectionTitle),
          rows(
            sizes.reduce((a, b) => a + b, 0),
            'r',
          ),
        )
        .map(([buttonLabel, titles, all]): StepOptions => {
          let offset = 0;
          return {
            type: 'sections',
            buttonLabel,
            sections: sizes.map((size, i) => {
              const section = { title: titles[i]!, rows: all.slice(offset, offset + size) };
              offset += size;
              return section;
            }),
          };
        }),
    );
  const navigation = fc
    .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
    .chain((sizes) => {
      const total = sizes.reduce((a, b) => a + b, 0);
      return fc
        .tuple(
          uniqueLabels(languages, total, limits.navigationLabel),
          fc.array(action, { minLength: total, maxLength: total }),
          fc.array(fc.option(localized(languages, 24), { nil: undefined }), {
            minLength: sizes.length,
            maxLength: sizes.length,
          }),
        )
        .map(([labels, actions, titles]): StepOptions => {
          let offset = 0;
          return {
            type: 'navigation',
            groups: sizes.map((size, g) => {
              const options = labels.slice(offset, offset + size).map((label, i) => ({
                id: `n${offset + i}`,
                label,
                action: actions[offset + i]!,
              }));
              offset += size;
              return { ...(titles[g] && { title: titles[g] }), options };
            }),
          };
        });
    });
  const none = fc
    .tuple(
      action,
      fc.option(fc.constantFrom('answer', 'email', 'orderNumber'), { nil: undefined }),
      fc.option(
        fc.tuple(
          fc.constantFrom('email', 'phone', 'number', 'regex') as fc.Arbitrary<
            'email' | 'phone' | 'number' | 'regex'
          >,
          localized(languages, 200),
        ),
        { nil: undefined },
      ),
    )
    .map(
      ([next, saveAs, validation]): StepOptions => ({
        type: 'none',
        next,
        ...(saveAs && { saveAs }),
        ...(validation && {
          validation: {
            kind: validation[0],
            ...(validation[0] === 'regex' && { pattern: '[0-9]{2,6}' }),
            retryMessage: validation[1],
          },
        }),
      }),
    );
  return fc.oneof(buttons, list, sections, navigation, none);
}

function stepArbitrary(id: string, languages: string[], stepIds: string[]): fc.Arbitrary<Step> {
  return optionsArbitrary(languages, stepIds).chain((options) => {
    const textMessage = localized(
      languages,
      options.type === 'none' ? limits.textBody : limits.interactiveBody,
    ).map((text): Step['message'] => ({ type: 'text', text }));
    const message =
      options.type === 'none'
        ? fc.oneof(
            { weight: 4, arbitrary: textMessage },
            {
              weight: 1,
              arbitrary: fc
                .option(localized(languages, limits.caption), { nil: undefined })
                .map((caption): Step['message'] => ({
                  type: 'media',
                  media: 'image',
                  url: 'https://example.com/a.png',
                  ...(caption && { caption }),
                })),
            },
          )
        : textMessage;
    return fc.tuple(message, fc.boolean()).map(
      ([m, terminal]): Step => ({
        id,
        message: m,
        options,
        ...(terminal && { terminal }),
      }),
    );
  });
}

function systemMessageArbitrary(
  languages: string[],
  stepIds: string[],
): fc.Arbitrary<SystemMessage> {
  return fc.integer({ min: 0, max: limits.systemActions }).chain((n) =>
    fc
      .tuple(
        localized(languages, limits.systemMessage),
        uniqueLabels(languages, n, limits.systemActionLabel),
        fc.array(actionArbitrary(stepIds), { minLength: n, maxLength: n }),
      )
      .map(([text, labels, actions]) => ({
        text,
        ...(n > 0 && { actions: labels.map((label, i) => ({ label, action: actions[i]! })) }),
      })),
  );
}

/** Valid flows of every option type, in one to three languages, with optional system messages. */
export function flowArbitrary(options: FlowArbitraryOptions = {}): fc.Arbitrary<FlowDefinition> {
  const { minSteps = 1, maxSteps = 8, languages: pool = ['en', 'es', 'pt'] } = options;
  return fc
    .tuple(
      fc.subarray(pool, { minLength: 1 }),
      fc.integer({ min: minSteps, max: maxSteps }),
      fc.nat(),
    )
    .chain(([languages, count, defaultIndex]) => {
      const stepIds = Array.from({ length: count }, (_, i) => `s${i}`);
      const system = systemMessageArbitrary(languages, stepIds);
      return fc
        .tuple(
          fc.tuple(...stepIds.map((id) => stepArbitrary(id, languages, stepIds))),
          fc.option(system, { nil: undefined }),
          fc.option(system, { nil: undefined }),
          fc.option(fc.tuple(system, fc.integer({ min: 1, max: 60 })), { nil: undefined }),
          fc.array(word, { maxLength: 2 }),
        )
        .map(
          ([steps, invalid, thankYou, timeout, keywords]): FlowDefinition => ({
            format: 'chatloom.flow/v1',
            id: generatedFlowId,
            version: 1,
            name: 'Generated flow',
            languages,
            defaultLanguage: languages[defaultIndex % languages.length]!,
            triggers: keywords.map((keyword) => ({
              language: languages[0]!,
              match: 'exact',
              keyword,
            })),
            startStep: 's0',
            steps,
            systemMessages: {
              ...(invalid && { invalid }),
              ...(thankYou && { thankYou }),
              ...(timeout && { sessionTimeout: { ...timeout[0], minutes: timeout[1] } }),
            },
          }),
        );
    });
}

// ---------------------------------------------------------------------------------------
// Single mutations with a known diagnostic

/** A change that breaks a valid flow in one way, and the one error it must produce. */
export interface FlowMutation {
  name: string;
  apply: (flow: FlowDefinition) => void;
  expected: { code: string; path: string };
}

const overLength = (max: number) => `${'x'.repeat(max)}é`;

/** Every single mutation that applies to this flow. */
export function mutationsOf(flow: FlowDefinition): FlowMutation[] {
  const out: FlowMutation[] = [];
  const language = flow.languages[flow.languages.length - 1]!;
  out.push({
    name: 'unknown start step',
    apply: (f) => {
      f.startStep = 'no-such-step';
    },
    expected: { code: 'flow.start-step-missing', path: '/startStep' },
  });
  out.push({
    name: 'duplicate step id',
    apply: (f) => {
      f.steps.push(structuredClone(f.steps[0]!));
    },
    expected: { code: 'step.duplicate-id', path: `/steps/${flow.steps.length}/id` },
  });
  flow.steps.forEach((step, i) => {
    const at = `/steps/${i}`;
    if (step.message.type === 'text') {
      out.push({
        name: `missing translation at ${step.id}`,
        apply: (f) => {
          const m = f.steps[i]!.message;
          if (m.type === 'text') delete m.text[language];
        },
        expected: { code: 'translation.missing', path: `${at}/message/text/${language}` },
      });
      out.push({
        name: `empty message at ${step.id}`,
        apply: (f) => {
          const m = f.steps[i]!.message;
          if (m.type === 'text') m.text[language] = '  ';
        },
        expected: { code: 'message.empty', path: `${at}/message/text/${language}` },
      });
    }
    const o = step.options;
    if (o.type === 'buttons') {
      out.push({
        name: `fourth button at ${step.id}`,
        apply: (f) => {
          const b = (f.steps[i]!.options as typeof o).buttons;
          while (b.length <= limits.buttons) {
            const n = b.length;
            b.push({
              id: `extra${n}`,
              label: Object.fromEntries(f.languages.map((l) => [l, `extra ${n}`])),
              action: { type: 'end' },
            });
          }
        },
        expected: { code: 'buttons.count', path: `${at}/options/buttons` },
      });
      out.push({
        name: `21-character button label at ${step.id}`,
        apply: (f) => {
          (f.steps[i]!.options as typeof o).buttons[0]!.label[language] = overLength(
            limits.buttonTitle,
          );
        },
        expected: {
          code: 'button.label-too-long',
          path: `${at}/options/buttons/0/label/${language}`,
        },
      });
    }
    if (o.type === 'list') {
      out.push({
        name: `eleventh row at ${step.id}`,
        apply: (f) => {
          const r = (f.steps[i]!.options as typeof o).rows;
          while (r.length <= limits.listRows) {
            const n = r.length;
            r.push({
              id: `extra${n}`,
              title: Object.fromEntries(f.languages.map((l) => [l, `extra ${n}`])),
              action: { type: 'end' },
            });
          }
        },
        expected: { code: 'list.rows-count', path: `${at}/options/rows` },
      });
      out.push({
        name: `25-character row title at ${step.id}`,
        apply: (f) => {
          (f.steps[i]!.options as typeof o).rows[0]!.title[language] = overLength(limits.rowTitle);
        },
        expected: {
          code: 'list.row-title-too-long',
          path: `${at}/options/rows/0/title/${language}`,
        },
      });
      out.push({
        name: `73-character row description at ${step.id}`,
        apply: (f) => {
          (f.steps[i]!.options as typeof o).rows[0]!.description = Object.fromEntries(
            f.languages.map((l) => [l, l === language ? overLength(limits.rowDescription) : 'ok']),
          );
        },
        expected: {
          code: 'list.row-description-too-long',
          path: `${at}/options/rows/0/description/${language}`,
        },
      });
    }
    if (o.type === 'sections') {
      out.push({
        name: `eleventh row across sections at ${step.id}`,
        apply: (f) => {
          const s = (f.steps[i]!.options as typeof o).sections;
          let n = s.reduce((a, x) => a + x.rows.length, 0);
          while (n <= limits.listRows) {
            s[0]!.rows.push({
              id: `extra${n}`,
              title: Object.fromEntries(f.languages.map((l) => [l, `extra ${n}`])),
              action: { type: 'end' },
            });
            n++;
          }
        },
        expected: { code: 'list.rows-count', path: `${at}/options/sections` },
      });
      out.push({
        name: `25-character section title at ${step.id}`,
        apply: (f) => {
          (f.steps[i]!.options as typeof o).sections[0]!.title[language] = overLength(
            limits.sectionTitle,
          );
        },
        expected: {
          code: 'section.title-too-long',
          path: `${at}/options/sections/0/title/${language}`,
        },
      });
    }
    const choices = stepChoices(step);
    const actionPaths = choices.map((_, k) => `${at}/options${choicePath(step, k)}`);
    const firstAction = o.type === 'none' ? `${at}/options/next` : actionPaths[0];
    if (firstAction) {
      out.push({
        name: `dangling step reference at ${step.id}`,
        apply: (f) => {
          const s = f.steps[i]!;
          const target = s.options.type === 'none' ? s.options.next : stepChoices(s)[0]!.action;
          replaceAction(target, { type: 'goto', step: 'no-such-step' });
        },
        expected: { code: 'action.unknown-step', path: `${firstAction}/step` },
      });
      out.push({
        name: `malformed flow id to start at ${step.id}`,
        apply: (f) => {
          const s = f.steps[i]!;
          const target = s.options.type === 'none' ? s.options.next : stepChoices(s)[0]!.action;
          replaceAction(target, { type: 'start', flow: 'no such flow' });
        },
        expected: { code: 'action.flow-id-format', path: `${firstAction}/flow` },
      });
    }
  });
  if (flow.systemMessages?.sessionTimeout) {
    out.push({
      name: 'timeout of zero minutes',
      apply: (f) => {
        f.systemMessages!.sessionTimeout!.minutes = 0;
      },
      expected: { code: 'timeout.minutes', path: '/systemMessages/sessionTimeout/minutes' },
    });
    out.push({
      name: 'missing translation of the timeout message',
      apply: (f) => {
        delete f.systemMessages!.sessionTimeout!.text[language];
      },
      expected: {
        code: 'translation.missing',
        path: `/systemMessages/sessionTimeout/text/${language}`,
      },
    });
  }
  if (flow.systemMessages?.invalid) {
    out.push({
      name: 'over-long invalid message',
      apply: (f) => {
        f.systemMessages!.invalid!.text[language] = overLength(limits.systemMessage);
      },
      expected: {
        code: 'system-message.too-long',
        path: `/systemMessages/invalid/text/${language}`,
      },
    });
  }
  return out;
}

/** Makes `target` (an action inside a flow) into `action`, dropping its old fields. */
function replaceAction(target: Action, action: Action) {
  for (const k of Object.keys(target)) delete (target as Record<string, unknown>)[k];
  Object.assign(target, action);
}

/** JSON pointer (under the step's `options`) to the action of its k-th choice. */
function choicePath(step: Step, k: number): string | undefined {
  const o = step.options;
  switch (o.type) {
    case 'buttons':
      return `/buttons/${k}/action`;
    case 'list':
      return `/rows/${k}/action`;
    case 'sections': {
      let left = k;
      for (const [i, s] of o.sections.entries()) {
        if (left < s.rows.length) return `/sections/${i}/rows/${left}/action`;
        left -= s.rows.length;
      }
      return undefined;
    }
    case 'navigation': {
      let left = k;
      for (const [i, g] of o.groups.entries()) {
        if (left < g.options.length) return `/groups/${i}/options/${left}/action`;
        left -= g.options.length;
      }
      return undefined;
    }
    case 'none':
      return undefined;
  }
}

/** A valid flow, one mutation of it, and the error it must produce. */
export function mutatedFlowArbitrary(
  options?: FlowArbitraryOptions,
): fc.Arbitrary<{ original: FlowDefinition; mutated: FlowDefinition; mutation: FlowMutation }> {
  return flowArbitrary(options).chain((original) =>
    fc.constantFrom(...mutationsOf(original)).map((mutation) => {
      // A JSON copy: generated flows may share action objects, which a mutation must not.
      const mutated = JSON.parse(JSON.stringify(original)) as FlowDefinition;
      mutation.apply(mutated);
      return { original, mutated, mutation };
    }),
  );
}
