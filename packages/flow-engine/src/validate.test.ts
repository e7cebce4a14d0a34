import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFlow } from './compile.js';
import type { FlowDefinition } from './schema.js';
import { flowArbitrary, mutatedFlowArbitrary } from './testing.js';
import { FlowValidationError, validateFlow, validateSystemMessages } from './validate.js';

const demo = JSON.parse(
  readFileSync(new URL('../../../examples/demo-flow.json', import.meta.url), 'utf8'),
) as FlowDefinition;

const clone = () => structuredClone(demo);
const errors = (def: unknown) =>
  validateFlow(def)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => ({ code: d.code, path: d.path }));

describe('validateFlow', () => {
  it('accepts the example flow, which uses every option type, two languages and all system messages', () => {
    const result = validateFlow(demo);
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
    expect(new Set(demo.steps.map((s) => s.options.type))).toEqual(
      new Set(['none', 'buttons', 'list', 'sections', 'navigation']),
    );
    expect(demo.languages).toHaveLength(2);
    expect(Object.keys(demo.systemMessages ?? {}).sort()).toEqual([
      'invalid',
      'sessionTimeout',
      'thankYou',
    ]);
  });

  it('names the step, the option and the limit in its message', () => {
    const def = clone();
    const welcome = def.steps[0]!;
    if (welcome.options.type !== 'buttons') throw new Error('welcome has buttons');
    welcome.options.buttons.push({
      id: 'fourth',
      label: { en: 'Fourth', es: 'Cuarto' },
      action: { type: 'end' },
    });
    const [diagnostic] = validateFlow(def).diagnostics;
    expect(diagnostic).toEqual({
      path: '/steps/0/options/buttons',
      code: 'buttons.count',
      severity: 'error',
      message:
        'Flow "pizza-support": step "welcome" › options › buttons: a buttons step takes 1 to 3 buttons (WhatsApp limit); it has 4',
    });
  });

  it('counts characters as code points, not UTF-16 units', () => {
    const def = clone();
    const welcome = def.steps[0]!;
    if (welcome.options.type !== 'buttons') throw new Error('welcome has buttons');
    welcome.options.buttons[0]!.label.en = '🍕'.repeat(20); // 40 UTF-16 units, 20 code points
    expect(errors(def)).toEqual([]);
    welcome.options.buttons[0]!.label.en = '🍕'.repeat(21);
    expect(errors(def)).toEqual([
      { code: 'button.label-too-long', path: '/steps/0/options/buttons/0/label/en' },
    ]);
  });

  it('reports a missing start step, unknown step references and duplicate ids', () => {
    const def = clone();
    def.startStep = 'nowhere';
    const welcome = def.steps[0]!;
    if (welcome.options.type !== 'buttons') throw new Error('welcome has buttons');
    welcome.options.buttons[0]!.action = { type: 'goto', step: 'gone' };
    welcome.options.buttons[1]!.id = welcome.options.buttons[0]!.id;
    def.steps[2]!.id = 'welcome';
    expect(errors(def)).toEqual(
      expect.arrayContaining([
        { code: 'flow.start-step-missing', path: '/startStep' },
        { code: 'action.unknown-step', path: '/steps/0/options/buttons/0/action/step' },
        { code: 'option.duplicate-id', path: '/steps/0/options/buttons/1/id' },
        { code: 'step.duplicate-id', path: '/steps/2/id' },
      ]),
    );
  });

  it('reports every over-limit count and length of lists and sections', () => {
    const def = clone();
    const menu = def.steps.find((s) => s.id === 'menu')!;
    const pizzas = def.steps.find((s) => s.id === 'pizzas')!;
    if (menu.options.type !== 'list' || pizzas.options.type !== 'sections')
      throw new Error('fixture changed');
    menu.options.rows[0]!.title.en = 'x'.repeat(25);
    menu.options.rows[0]!.description = { en: 'd'.repeat(73), es: 'ok' };
    menu.options.buttonLabel.es = 'b'.repeat(21);
    for (let i = 0; i < 7; i++)
      pizzas.options.sections[1]!.rows.push({
        id: `p${i}`,
        title: { en: `P ${i}`, es: `P ${i}` },
        action: { type: 'end' },
      });
    pizzas.options.sections[0]!.title.en = 's'.repeat(25);
    const menuAt = `/steps/${def.steps.indexOf(menu)}/options`;
    const pizzasAt = `/steps/${def.steps.indexOf(pizzas)}/options`;
    expect(errors(def)).toEqual(
      expect.arrayContaining([
        { code: 'list.row-title-too-long', path: `${menuAt}/rows/0/title/en` },
        { code: 'list.row-description-too-long', path: `${menuAt}/rows/0/description/en` },
        { code: 'list.button-label-too-long', path: `${menuAt}/buttonLabel/es` },
        { code: 'list.rows-count', path: `${pizzasAt}/sections` },
        { code: 'section.title-too-long', path: `${pizzasAt}/sections/0/title/en` },
      ]),
    );
  });

  it('reports missing translations, empty and over-long messages, and warns on undeclared languages', () => {
    const def = clone();
    const first = def.steps[0]!.message;
    if (first.type !== 'text') throw new Error('fixture changed');
    delete first.text.es;
    const second = def.steps[1]!.message;
    if (second.type !== 'text') throw new Error('fixture changed');
    second.text.en = '   ';
    second.text.fr = 'Bonjour';
    const third = def.steps[2]!.message;
    if (third.type !== 'text') throw new Error('fixture changed');
    third.text.en = 'x'.repeat(1025); // a step with choices: the interactive body limit
    const result = validateFlow(def);
    expect(errors(def)).toEqual([
      { code: 'translation.missing', path: '/steps/0/message/text/es' },
      { code: 'message.empty', path: '/steps/1/message/text/en' },
      { code: 'message.too-long', path: '/steps/2/message/text/en' },
    ]);
    expect(result.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code)).toEqual([
      'translation.undeclared-language',
    ]);
  });

  it('warns about unreachable steps without failing the flow', () => {
    const def = clone();
    def.steps.push({
      id: 'orphan',
      message: { type: 'text', text: { en: 'Nobody comes here', es: 'Nadie llega' } },
      options: { type: 'none', next: { type: 'end' } },
    });
    const result = validateFlow(def);
    expect(result.valid).toBe(true);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: 'step.unreachable',
        path: `/steps/${def.steps.length - 1}`,
        severity: 'warning',
      }),
    ]);
  });

  it('checks system messages: length, action count, labels, targets and timeout minutes', () => {
    const def = clone();
    const system = def.systemMessages!;
    system.invalid!.text.en = 'x'.repeat(1025);
    system.thankYou!.actions = [1, 2, 3, 4].map((n) => ({
      label: { en: `A${n}`, es: `A${n}` },
      action: { type: 'start' as const },
    }));
    system.sessionTimeout!.minutes = 1.5;
    system.sessionTimeout!.actions![0]!.label.en = 'l'.repeat(21);
    system.sessionTimeout!.actions![1]!.action = { type: 'goto', step: 'missing' };
    expect(errors(def)).toEqual(
      expect.arrayContaining([
        { code: 'system-message.too-long', path: '/systemMessages/invalid/text/en' },
        { code: 'system-message.actions-count', path: '/systemMessages/thankYou/actions' },
        { code: 'timeout.minutes', path: '/systemMessages/sessionTimeout/minutes' },
        {
          code: 'system-action.label-too-long',
          path: '/systemMessages/sessionTimeout/actions/0/label/en',
        },
      ]),
    );
  });

  it('reports broken regular expressions, triggers in undeclared languages and unknown properties', () => {
    const def = clone();
    def.triggers!.push(
      { language: 'de', match: 'exact', keyword: 'hallo' },
      { language: 'en', match: 'regex', keyword: '(' },
    );
    const orderNumber = def.steps[1]!.options;
    if (orderNumber.type !== 'none' || !orderNumber.validation) throw new Error('fixture changed');
    orderNumber.validation.pattern = '[0-9';
    (def as unknown as Record<string, unknown>).colour = 'red';
    expect(errors(def)).toEqual(
      expect.arrayContaining([
        {
          code: 'trigger.undeclared-language',
          path: `/triggers/${def.triggers!.length - 2}/language`,
        },
        { code: 'trigger.invalid-regex', path: `/triggers/${def.triggers!.length - 1}/keyword` },
        { code: 'validation.invalid-regex', path: '/steps/1/options/validation/pattern' },
        { code: 'schema.unknown-property', path: '/colour' },
      ]),
    );
  });

  it('names what is wrong with a structurally broken definition instead of crashing', () => {
    expect(errors(null)[0]?.code).toBe('schema.type');
    expect(errors({})).toEqual(
      expect.arrayContaining([{ code: 'schema.required', path: '/steps' }]),
    );
    const def = clone() as unknown as { steps: { options: { type: string } }[] };
    def.steps[0]!.options.type = 'carousel';
    expect(errors(def)).toEqual([{ code: 'schema.unknown-type', path: '/steps/0/options/type' }]);
    const message = validateFlow(def).diagnostics[0]!.message;
    expect(message).toBe(
      'Flow "pizza-support": step "welcome" › options › type: type "carousel" is not one the format knows',
    );
  });

  it('validates tenant system messages on their own', () => {
    expect(validateSystemMessages({ invalid: { text: { en: 'Sorry?' } } }).valid).toBe(true);
    const result = validateSystemMessages({ sessionTimeout: { text: { en: 'Bye' }, minutes: 0 } });
    expect(result.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ['timeout.minutes', '/sessionTimeout/minutes'],
    ]);
  });

  it('compileFlow throws an error carrying every diagnostic', () => {
    const def = clone();
    def.startStep = 'nowhere';
    def.id = 'broken';
    let thrown: unknown;
    try {
      compileFlow(def);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FlowValidationError);
    expect((thrown as FlowValidationError).diagnostics.map((d) => d.code)).toEqual([
      'flow.start-step-missing',
    ]);
    expect((thrown as Error).message).toContain(
      '/startStep: Flow "broken": startStep: the start step "nowhere" does not exist',
    );
  });
});

describe('validateFlow properties', () => {
  it('generated valid flows always validate and compile', () => {
    fc.assert(
      fc.property(flowArbitrary(), (def) => {
        expect(errors(def)).toEqual([]);
        const flow = compileFlow(def);
        expect(flow.machine).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it('each single mutation yields exactly its code at its path', () => {
    fc.assert(
      fc.property(mutatedFlowArbitrary(), ({ mutated, mutation }) => {
        expect(errors(mutated)).toEqual([mutation.expected]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('regular expressions that could stall the process', () => {
  it('refuses nested repetition in triggers and validation patterns, and accepts ordinary ones', () => {
    const unsafe = ['^(a+)+$', '(\\w*)*x', '((ab)+)+', '(x{2,})+', '(a|b+)*'];
    const safe = [
      '^(hello|hey)\\b',
      '[0-9]{4,8}',
      '(ab)+c',
      '^\\d+(\\.\\d+)?$',
      '[(+]+',
      '\\(a+\\)+',
    ];
    for (const keyword of [...unsafe, ...safe]) {
      const def = clone();
      def.triggers = [{ language: 'en', match: 'regex', keyword }];
      const codes = errors(def).map((e) => e.code);
      expect([keyword, codes]).toEqual([
        keyword,
        unsafe.includes(keyword) ? ['trigger.invalid-regex'] : [],
      ]);
    }
    const def = clone();
    const orderNumber = def.steps[1]!.options;
    if (orderNumber.type !== 'none' || !orderNumber.validation) throw new Error('fixture changed');
    orderNumber.validation.pattern = '([0-9]+)+';
    expect(validateFlow(def).diagnostics[0]).toMatchObject({
      code: 'validation.invalid-regex',
      message: expect.stringContaining('exponential time'),
    });
  });
});

describe('navigation steps', () => {
  it('must fit in one text message once their options are written out as lines', () => {
    const def = clone();
    const status = def.steps.find((s) => s.id === 'order-status')!;
    if (status.options.type !== 'navigation' || status.message.type !== 'text')
      throw new Error('fixture changed');
    status.message.text.en = 'x'.repeat(1000);
    status.options.groups = Array.from({ length: 26 }, (_, g) => ({
      title: { en: `Group ${g} ${'t'.repeat(90)}`, es: `Grupo ${g}` },
      options: [
        {
          id: `o${g}`,
          label: { en: `Option ${g} ${'l'.repeat(90)}`, es: `Opción ${g}` },
          action: { type: 'end' as const },
        },
      ],
    }));
    const at = `/steps/${def.steps.indexOf(status)}/options`;
    expect(errors(def)).toEqual([{ code: 'navigation.too-long', path: at }]);
    expect(validateFlow(def).diagnostics[0]?.message).toContain(
      'in "en"; WhatsApp takes at most 4096',
    );
  });
});
