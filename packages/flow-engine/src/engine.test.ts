import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFlow } from './compile.js';
import { advance, SessionSnapshotError, start } from './engine.js';
import type { FlowDefinition } from './schema.js';
import type { AdvanceResult, FlowInput, FlowOutput, SessionSnapshot } from './types.js';
import { FlowValidationError } from './validate.js';

const demo = JSON.parse(
  readFileSync(new URL('../../../examples/demo-flow.json', import.meta.url), 'utf8'),
) as FlowDefinition;
const flow = compileFlow(demo);
const minute = 60_000;
const t0 = 1_700_000_000_000;

/** Plays inputs one minute apart; returns every result. */
function play(
  inputs: FlowInput[],
  from: AdvanceResult = start(flow, { now: t0, vars: { name: 'Ana' } }),
  f = flow,
) {
  const results = [from];
  let now = t0;
  for (const input of inputs) {
    now += minute;
    results.push(advance(f, results[results.length - 1]!.snapshot, input, now));
  }
  return results;
}
const last = <T>(items: T[]) => items[items.length - 1]!;
const sent = (outputs: FlowOutput[]) =>
  outputs.filter((o) => o.type === 'send').map((o) => o.message);
const text = (t: string): FlowInput => ({ type: 'text', text: t });

describe('start', () => {
  it('sends the start step with its choices and arms the session timeout', () => {
    const { snapshot, outputs } = start(flow, { now: t0, language: 'en', vars: { name: 'Ana' } });
    expect(snapshot).toMatchObject({
      format: 'chatloom.session/v1',
      flowId: 'pizza-support',
      flowVersion: 1,
      state: 'step:welcome',
    });
    expect(outputs).toEqual([
      {
        type: 'send',
        purpose: 'step',
        stepId: 'welcome',
        message: {
          kind: 'buttons',
          text: "Hi Ana! Welcome to *Luigi's Pizza*. How can we help?",
          buttons: [
            { id: 'welcome:order', title: 'Track my order' },
            { id: 'welcome:menu', title: 'See the menu' },
            { id: 'welcome:person', title: 'Talk to a person' },
          ],
        },
      },
      { type: 'schedule-timer', timerId: 't1', at: t0 + 15 * minute, purpose: 'session-timeout' },
    ]);
    expect(snapshot.context.timer).toEqual({ id: 't1', at: t0 + 15 * minute });
  });

  it('falls back to the default language for a language the flow does not declare', () => {
    const { outputs } = start(flow, { now: t0, language: 'de' });
    expect(sent(outputs)[0]).toMatchObject({
      text: "Hi ! Welcome to *Luigi's Pizza*. How can we help?",
    });
  });
});

describe('choices', () => {
  it('takes typed labels regardless of case, accents and spaces, in any of the flow languages', () => {
    for (const typed of ['see the menu', '  SEE   the MENU ', 'Sée thé ménu', 'ver la carta']) {
      expect(last(play([text(typed)])).snapshot.state).toBe('step:menu');
    }
  });

  it('takes a button reply by its id', () => {
    expect(last(play([{ type: 'choice', id: 'welcome:menu' }])).snapshot.state).toBe('step:menu');
  });

  it('takes a navigation letter, with or without a dot or bracket', () => {
    const atStatus = play([text('Track my order'), text('12345')]);
    expect(last(atStatus).snapshot.state).toBe('step:order-status');
    expect(last(play([text('a')], last(atStatus))).snapshot.state).toBe('step:order-number');
    expect(last(play([text('C.')], last(atStatus))).snapshot.state).toBe('step:welcome');
    expect(last(play([text('d)')], last(atStatus))).snapshot.state).toBe('closing');
  });

  it('answers anything else with the invalid message and stays at the step', () => {
    const results = play([text('pizza please')]);
    const { snapshot, outputs } = last(results);
    expect(snapshot.state).toBe('step:welcome');
    expect(sent(outputs)).toEqual([
      {
        kind: 'buttons',
        text: "Sorry, I didn't get that. Pick one of the options, or:",
        buttons: [
          { id: '#invalid:1', title: 'Main menu' },
          { id: '#invalid:2', title: 'Talk to a person' },
        ],
      },
    ]);
  });

  it('treats a reply to an earlier step as invalid', () => {
    const atMenu = play([text('see the menu')]);
    const { snapshot, outputs } = last(
      play([{ type: 'choice', id: 'welcome:order' }], last(atMenu)),
    );
    expect(snapshot.state).toBe('step:menu');
    expect(outputs[0]).toMatchObject({ type: 'send', purpose: 'invalid' });
  });

  it('accepts the invalid message actions by key, label or button only once it was shown', () => {
    expect(last(play([text('2')])).outputs[0]).toMatchObject({ purpose: 'invalid' });
    expect(last(play([text('nope'), text('2')])).outputs.map((o) => o.type)).toEqual([
      'cancel-timer',
      'handoff',
      'end',
    ]);
    expect(last(play([text('nope'), text('talk to a person')])).snapshot.state).toBe('ended');
    expect(last(play([text('nope'), { type: 'choice', id: '#invalid:1' }])).snapshot.state).toBe(
      'step:welcome',
    );
    // A valid choice clears it: "1" at the next step is invalid again.
    const moved = play([text('nope'), text('see the menu'), text('1')]);
    expect(last(moved).outputs[0]).toMatchObject({ purpose: 'invalid' });
  });

  it('sends the step again when no invalid message is configured', () => {
    const bare = compileFlow({ ...demo, id: 'bare', systemMessages: {} });
    const { outputs } = last(play([text('??')], start(bare, { now: t0 }), bare));
    expect(outputs[0]).toMatchObject({
      type: 'send',
      purpose: 'invalid',
      stepId: 'welcome',
      message: { kind: 'buttons' },
    });
  });

  it('renders lists, sections and navigation options as channel-neutral messages', () => {
    const menu = last(play([text('see the menu')]));
    expect(sent(menu.outputs)[0]).toEqual({
      kind: 'list',
      text: 'What would you like to see?',
      buttonLabel: 'Categories',
      sections: [
        {
          rows: [
            { id: 'menu:pizzas', title: 'Pizzas', description: 'Classic and special pizzas' },
            { id: 'menu:drinks', title: 'Drinks', description: 'Our drinks menu as a PDF' },
            { id: 'menu:back', title: 'Back' },
          ],
        },
      ],
    });
    const pizzas = last(play([{ type: 'choice', id: 'menu:pizzas' }], menu));
    const list = sent(pizzas.outputs)[0];
    expect(list).toMatchObject({
      kind: 'list',
      sections: [{ title: 'Classic' }, { title: 'Special' }],
    });
    const status = last(play([text('Track my order'), text('12345')]));
    expect(sent(status.outputs)[0]).toMatchObject({
      kind: 'options',
      groups: [
        { title: 'Orders', options: [{ key: 'A', id: 'order-status:another' }, { key: 'B' }] },
        { title: 'Other', options: [{ key: 'C' }, { key: 'D', title: "That's all, thanks" }] },
      ],
    });
  });
});

describe('text input', () => {
  it('validates, asks again with the retry message, then saves the variable and uses it', () => {
    const results = play([text('Track my order'), text('abc'), text('12345')]);
    expect(results[2]!.snapshot.state).toBe('step:order-number');
    expect(sent(results[2]!.outputs)).toEqual([
      { kind: 'text', text: 'An order number has 4 to 8 digits, like 12345. Try again?' },
    ]);
    const saved = results[3]!;
    expect(saved.outputs[0]).toEqual({ type: 'set-variable', name: 'orderNumber', value: '12345' });
    expect(saved.snapshot.context.vars).toEqual({ name: 'Ana', orderNumber: '12345' });
    expect(sent(saved.outputs)[0]).toMatchObject({
      text: expect.stringContaining('Order 12345 is in the oven'),
    });
  });

  it('checks emails, phone numbers and numbers', () => {
    const make = (kind: 'email' | 'phone' | 'number') =>
      compileFlow({
        ...demo,
        id: `input-${kind}`,
        startStep: 'ask',
        steps: [
          {
            id: 'ask',
            message: { type: 'text', text: { en: 'Tell me', es: 'Dime' } },
            options: {
              type: 'none',
              validation: { kind, retryMessage: { en: 'Again', es: 'Otra vez' } },
              next: { type: 'end' },
            },
          },
        ],
        systemMessages: {},
      });
    const accepts = (kind: 'email' | 'phone' | 'number', value: string) => {
      const f = make(kind);
      return last(play([text(value)], start(f, { now: t0 }), f)).snapshot.state === 'ended';
    };
    expect(accepts('email', 'ana@example.com')).toBe(true);
    expect(accepts('email', 'ana@example')).toBe(false);
    expect(accepts('phone', '+44 (20) 7946-0958')).toBe(true);
    expect(accepts('phone', 'call me')).toBe(false);
    expect(accepts('number', '3,5')).toBe(true);
    expect(accepts('number', '-12')).toBe(true);
    expect(accepts('number', 'twelve')).toBe(false);
  });

  it('ignores a button tap while it waits for typed text', () => {
    const results = play([text('Track my order'), { type: 'choice', id: 'welcome:menu' }]);
    expect(last(results).outputs).toEqual([]);
    expect(last(results).snapshot).toBe(results[1]!.snapshot);
  });

  it('keeps every message within its limit when a variable is long', () => {
    const { outputs } = start(flow, { now: t0, vars: { name: 'N'.repeat(5000) } });
    const message = sent(outputs)[0]!;
    expect(message.kind).toBe('buttons');
    expect(Array.from(message.kind === 'buttons' ? message.text : '').length).toBe(1024);
  });
});

describe('session timeout', () => {
  it('re-arms on every step entry and on every input, cancelling the previous timer', () => {
    const results = play([text('see the menu'), text('??')]);
    expect(results[1]!.outputs.filter((o) => o.type !== 'send')).toEqual([
      { type: 'cancel-timer', timerId: 't1' },
      {
        type: 'schedule-timer',
        timerId: 't2',
        at: t0 + minute + 15 * minute,
        purpose: 'session-timeout',
      },
    ]);
    expect(results[2]!.outputs.filter((o) => o.type !== 'send')).toEqual([
      { type: 'cancel-timer', timerId: 't2' },
      {
        type: 'schedule-timer',
        timerId: 't3',
        at: t0 + 2 * minute + 15 * minute,
        purpose: 'session-timeout',
      },
    ]);
  });

  it('sends the timeout message once it fires, then accepts only its actions', () => {
    const armed = start(flow, { now: t0 });
    const fired = advance(flow, armed.snapshot, { type: 'timer', timerId: 't1' }, t0 + 15 * minute);
    expect(fired.snapshot.state).toBe('timed-out');
    expect(fired.snapshot.context.timer).toBeNull();
    expect(fired.outputs).toEqual([
      {
        type: 'send',
        purpose: 'timeout',
        message: {
          kind: 'buttons',
          text: 'Are you still there? This chat closes for now.',
          buttons: [
            { id: '#timeout:1', title: 'Start again' },
            { id: '#timeout:2', title: 'Talk to a person' },
          ],
        },
      },
    ]);
    expect(
      advance(flow, fired.snapshot, text('start again'), t0 + 16 * minute).snapshot.state,
    ).toBe('step:welcome');
    expect(
      advance(
        flow,
        fired.snapshot,
        { type: 'choice', id: '#timeout:2' },
        t0 + 16 * minute,
      ).outputs.map((o) => o.type),
    ).toEqual(['handoff', 'end']);
    const dismissed = advance(flow, fired.snapshot, text('see the menu'), t0 + 16 * minute);
    expect(dismissed.snapshot.state).toBe('ended');
    expect(dismissed.outputs).toEqual([{ type: 'end', reason: 'timeout' }]);
  });

  it('fires once: the same timer again, or a timer since re-armed, does nothing', () => {
    const armed = start(flow, { now: t0 });
    const fired = advance(flow, armed.snapshot, { type: 'timer', timerId: 't1' }, t0 + 15 * minute);
    const again = advance(flow, fired.snapshot, { type: 'timer', timerId: 't1' }, t0 + 16 * minute);
    expect(again.outputs).toEqual([]);
    expect(again.snapshot).toBe(fired.snapshot);
    const moved = advance(flow, armed.snapshot, text('see the menu'), t0 + minute);
    const stale = advance(flow, moved.snapshot, { type: 'timer', timerId: 't1' }, t0 + 15 * minute);
    expect(stale.outputs).toEqual([]);
    expect(stale.snapshot.state).toBe('step:menu');
  });

  it('ends the session outright when the timeout message has no actions', () => {
    const quiet = compileFlow({
      ...demo,
      id: 'quiet-timeout',
      systemMessages: { sessionTimeout: { minutes: 5, text: { en: 'Bye', es: 'Adiós' } } },
    });
    const armed = start(quiet, { now: t0 });
    const fired = advance(quiet, armed.snapshot, { type: 'timer', timerId: 't1' }, t0 + 5 * minute);
    expect(fired.snapshot.state).toBe('ended');
    expect(fired.outputs.map((o) => o.type)).toEqual(['send', 'end']);
    expect(fired.outputs[1]).toEqual({ type: 'end', reason: 'timeout' });
  });
});

describe('ending', () => {
  it('end flow sends the thank-you message; its actions stay live, anything else ends quietly', () => {
    const status = last(play([text('Track my order'), text('12345')]));
    const closing = advance(flow, status.snapshot, text('D'), t0 + 10 * minute);
    expect(closing.snapshot.state).toBe('closing');
    expect(closing.outputs).toEqual([
      { type: 'cancel-timer', timerId: status.snapshot.context.timer!.id },
      {
        type: 'send',
        purpose: 'thank-you',
        message: {
          kind: 'buttons',
          text: "Thanks for chatting with Luigi's! 🍕",
          buttons: [{ id: '#thank-you:1', title: 'Start again' }],
        },
      },
    ]);
    expect(advance(flow, closing.snapshot, text('1'), t0 + 11 * minute).snapshot.state).toBe(
      'step:welcome',
    );
    const done = advance(flow, closing.snapshot, text('bye'), t0 + 11 * minute);
    expect(done.outputs).toEqual([{ type: 'end', reason: 'completed' }]);
    const after = advance(flow, done.snapshot, text('hello?'), t0 + 12 * minute);
    expect(after.outputs).toEqual([]);
  });

  it('hand off cancels the timer, hands off and ends', () => {
    const { snapshot, outputs } = last(play([text('talk to a person')]));
    expect(snapshot.state).toBe('ended');
    expect(outputs).toEqual([
      { type: 'cancel-timer', timerId: 't1' },
      { type: 'handoff' },
      { type: 'end', reason: 'handoff' },
    ]);
  });

  it('end flow without a thank-you message ends at once', () => {
    const plain = compileFlow({
      ...demo,
      id: 'no-thanks',
      systemMessages: { invalid: demo.systemMessages!.invalid! },
    });
    const status = last(
      play([text('Track my order'), text('12345')], start(plain, { now: t0 }), plain),
    );
    const done = advance(plain, status.snapshot, text('D'), t0 + 10 * minute);
    expect(done.outputs.map((o) => o.type)).toEqual(['end']);
  });
});

describe('languages', () => {
  it('switching language sends the current step again in the new language', () => {
    const { snapshot, outputs } = advance(
      flow,
      start(flow, { now: t0 }).snapshot,
      { type: 'language', language: 'es' },
      t0 + minute,
    );
    expect(snapshot.context.language).toBe('es');
    expect(snapshot.state).toBe('step:welcome');
    expect(sent(outputs)[0]).toMatchObject({ text: expect.stringContaining('Bienvenido') });
  });

  it('ignores a switch to an undeclared language', () => {
    const first = start(flow, { now: t0 });
    expect(advance(flow, first.snapshot, { type: 'language', language: 'de' }, t0).outputs).toEqual(
      [],
    );
  });
});

describe('the compile cache', () => {
  it('never gives one definition the compiled flow of another with the same id and version', () => {
    const tenantA = structuredClone(demo);
    const first = tenantA.steps[0]!.message;
    if (first.type === 'text') first.text.en = 'Tenant A secret: your PIN is 4711';
    const tenantB = structuredClone(demo);
    const a = compileFlow(tenantA);
    const b = compileFlow(tenantB);
    expect(sent(start(b, { now: t0 }).outputs)[0]).toMatchObject({
      text: "Hi ! Welcome to *Luigi's Pizza*. How can we help?",
    });
    expect(sent(start(a, { now: t0 }).outputs)[0]).toMatchObject({
      text: 'Tenant A secret: your PIN is 4711',
    });
    expect(compileFlow(structuredClone(tenantB))).toBe(b);
  });

  it('validates an edited definition saved under the same version, and keeps its own copy', () => {
    const edited = structuredClone(demo);
    compileFlow(edited);
    edited.startStep = 'nowhere';
    expect(() => compileFlow(edited)).toThrow(FlowValidationError);
    const kept = structuredClone(demo);
    const flow = compileFlow(kept);
    kept.steps[0]!.id = 'changed-after-compiling';
    expect(flow.definition.steps[0]!.id).toBe('welcome');
  });
});

describe('tenant system messages', () => {
  it('apply unless the flow overrides them one by one', () => {
    const def = {
      ...demo,
      id: 'tenant-defaults',
      systemMessages: { invalid: demo.systemMessages!.invalid! },
    };
    const withTenant = compileFlow(def, {
      systemMessages: {
        invalid: { text: { en: 'Tenant invalid' } },
        thankYou: { text: { en: 'Tenant thanks' } },
      },
    });
    expect(withTenant.systemMessages.invalid?.text.en).toBe(
      "Sorry, I didn't get that. Pick one of the options, or:",
    );
    expect(withTenant.systemMessages.thankYou?.text.en).toBe('Tenant thanks');
  });
});

describe('snapshots', () => {
  it('are plain JSON, and replay from a JSON copy gives the same result', () => {
    const inputs: FlowInput[] = [
      text('Track my order'),
      text('x'),
      text('12345'),
      text('zzz'),
      text('1'),
    ];
    let memory = start(flow, { now: t0, vars: { name: 'Ana' } });
    let now = t0;
    for (const input of inputs) {
      now += minute;
      const copy = JSON.parse(JSON.stringify(memory.snapshot)) as SessionSnapshot;
      const fromJson = advance(flow, copy, input, now);
      memory = advance(flow, memory.snapshot, input, now);
      expect(fromJson).toEqual(memory);
    }
    expect(memory.snapshot.context.seq).toBe(inputs.length + 1);
  });

  it('continue at the same step under a new flow version that still has it', () => {
    const atMenu = last(play([text('see the menu')]));
    const v2 = compileFlow({ ...demo, version: 2 });
    const next = advance(
      v2,
      atMenu.snapshot,
      { type: 'choice', id: 'menu:pizzas' },
      t0 + 5 * minute,
    );
    expect(next.snapshot).toMatchObject({ flowVersion: 2, state: 'step:pizzas' });
  });

  it('restart at the start step when the new version dropped their step, without applying the input', () => {
    const atMenu = last(play([text('see the menu')]));
    const v3 = compileFlow({
      ...demo,
      version: 3,
      steps: demo.steps
        .filter((s) => s.id !== 'menu')
        .map((s) => {
          if (s.id !== 'welcome' || s.options.type !== 'buttons') return s;
          return {
            ...s,
            options: { ...s.options, buttons: s.options.buttons.filter((b) => b.id !== 'menu') },
          };
        }),
    });
    const next = advance(
      v3,
      atMenu.snapshot,
      { type: 'choice', id: 'menu:pizzas' },
      t0 + 5 * minute,
    );
    expect(next.snapshot).toMatchObject({ flowVersion: 3, state: 'step:welcome' });
    expect(next.outputs[0]).toEqual({
      type: 'cancel-timer',
      timerId: atMenu.snapshot.context.timer!.id,
    });
    expect(sent(next.outputs)[0]).toMatchObject({ kind: 'buttons' });
  });

  it('refuse with a named error a snapshot of another flow, another format or a forged state', () => {
    const { snapshot } = start(flow, { now: t0 });
    const other = compileFlow({ ...demo, id: 'other' });
    expect(() => advance(other, snapshot, text('hi'), t0)).toThrow(SessionSnapshotError);
    expect(() =>
      advance(flow, { ...snapshot, format: 'v0' } as unknown as SessionSnapshot, text('hi'), t0),
    ).toThrow(/Unknown session snapshot format/);
    expect(() =>
      advance(
        flow,
        { ...snapshot, state: 'closing', context: { ...snapshot.context } },
        text('hi'),
        t0,
      ),
    ).not.toThrow();
    expect(() =>
      advance(
        flow,
        JSON.parse(JSON.stringify({ ...snapshot, state: 'step:nowhere' })),
        { type: 'language', language: 'es' },
        t0,
      ),
    ).toThrow(/not a state of flow "pizza-support"/);
  });
});
