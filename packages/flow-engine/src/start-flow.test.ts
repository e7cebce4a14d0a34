/** The `start` action naming another flow: format, engine, validator, checks and links. */
import { describe, expect, it } from 'vitest';
import { compileFlow } from './compile.js';
import { advance, start } from './engine.js';
import type { Action, FlowDefinition } from './schema.js';
import { flowLinks, startedFlow } from './steps.js';
import { checkFlow } from './testing.js';
import { describeOutputs } from './transcript.js';
import type { FlowInput } from './types.js';
import { validateFlow } from './validate.js';

const t0 = 1_700_000_000_000;
const minute = 60_000;
const en = (text: string) => ({ en: text });

/** A menu whose buttons book (another flow), start over (this flow, by id) and end. */
function menuFlow(book: Action = { type: 'start', flow: 'booking' }): FlowDefinition {
  return {
    format: 'chatloom.flow/v1',
    id: 'menu',
    version: 1,
    name: 'Menu',
    languages: ['en'],
    defaultLanguage: 'en',
    startStep: 'welcome',
    steps: [
      {
        id: 'welcome',
        message: { type: 'text', text: en('Hi! What would you like?') },
        options: {
          type: 'buttons',
          buttons: [
            { id: 'book', label: en('Book a table'), action: book },
            { id: 'again', label: en('Start over'), action: { type: 'start', flow: 'menu' } },
            { id: 'name', label: en('Your name'), action: { type: 'goto', step: 'ask' } },
          ],
        },
      },
      {
        id: 'ask',
        message: { type: 'text', text: en('Your name?') },
        options: { type: 'none', saveAs: 'name', next: { type: 'start', flow: 'survey' } },
      },
    ],
    systemMessages: {
      thankYou: { text: en('Thanks!') },
      sessionTimeout: { minutes: 10, text: en('Still there?') },
    },
  };
}

const tap = (id: string): FlowInput => ({ type: 'choice', id });

describe('starting another flow', () => {
  it('ends this session (switched) and tells the host which flow to start, without the thank-you', () => {
    const flow = compileFlow(menuFlow());
    const first = start(flow, { now: t0 });
    const switched = advance(flow, first.snapshot, tap('welcome:book'), t0 + minute);
    expect(switched.snapshot.state).toBe('ended');
    expect(switched.snapshot.context.endReason).toBe('switched');
    expect(switched.outputs).toEqual([
      { type: 'cancel-timer', timerId: 't1' },
      { type: 'start-flow', flowId: 'booking' },
      { type: 'end', reason: 'switched' },
    ]);
    expect(describeOutputs(switched.outputs)).toEqual([
      '-- starts flow "booking"',
      '-- session ended (switched)',
    ]);
    // The session is over: nothing more comes from it.
    expect(advance(flow, switched.snapshot, tap('welcome:book'), t0 + 2 * minute).outputs).toEqual(
      [],
    );
  });

  it('restarts this flow when the action names the flow itself', () => {
    const flow = compileFlow(menuFlow());
    const first = start(flow, { now: t0 });
    const again = advance(flow, first.snapshot, tap('welcome:again'), t0 + minute);
    expect(again.snapshot.state).toBe('step:welcome');
    expect(again.outputs.map((o) => o.type)).toEqual(['cancel-timer', 'send', 'schedule-timer']);
    expect(startedFlow({ type: 'start', flow: 'menu' }, 'menu')).toBeUndefined();
    expect(startedFlow({ type: 'start' }, 'menu')).toBeUndefined();
    expect(startedFlow({ type: 'start', flow: 'booking' }, 'menu')).toBe('booking');
  });

  it('switches after a text answer, with the variable saved first', () => {
    const flow = compileFlow(menuFlow());
    let result = start(flow, { now: t0 });
    result = advance(flow, result.snapshot, tap('welcome:name'), t0 + minute);
    result = advance(flow, result.snapshot, { type: 'text', text: 'Ana' }, t0 + 2 * minute);
    expect(result.outputs.map((o) => o.type)).toEqual([
      'set-variable',
      'cancel-timer',
      'start-flow',
      'end',
    ]);
    expect(result.outputs).toContainEqual({ type: 'start-flow', flowId: 'survey' });
  });

  it('switches from a system message action (the thank-you message here)', () => {
    const def = menuFlow({ type: 'end' });
    def.systemMessages!.thankYou!.actions = [
      { label: en('Book'), action: { type: 'start', flow: 'booking' } },
    ];
    const flow = compileFlow(def);
    let result = start(flow, { now: t0 });
    result = advance(flow, result.snapshot, tap('welcome:book'), t0 + minute);
    expect(result.snapshot.state).toBe('closing');
    result = advance(flow, result.snapshot, { type: 'text', text: '1' }, t0 + 2 * minute);
    expect(result.outputs).toEqual([
      { type: 'start-flow', flowId: 'booking' },
      { type: 'end', reason: 'switched' },
    ]);
  });
});

describe('validating a start action', () => {
  it('accepts another flow, or this one (a restart); the other flow is for the host to check', () => {
    expect(validateFlow(menuFlow()).diagnostics).toEqual([]);
    expect(validateFlow(menuFlow({ type: 'start', flow: 'menu' })).valid).toBe(true);
  });

  it('refuses a malformed flow id, naming where and why', () => {
    const result = validateFlow(menuFlow({ type: 'start', flow: 'not a flow!' }));
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: 'action.flow-id-format',
        path: '/steps/0/options/buttons/0/action/flow',
        severity: 'error',
        message: expect.stringContaining('the flow to start is named by its id'),
      }),
    ]);
    expect(validateFlow(menuFlow({ type: 'start', flow: '' })).diagnostics[0]?.code).toBe(
      'action.flow-id-format',
    );
  });

  it('lists every action that starts another flow, with where it is', () => {
    const def = menuFlow();
    def.systemMessages!.sessionTimeout!.actions = [
      { label: en('Menu'), action: { type: 'start' } },
      { label: en('Feedback'), action: { type: 'start', flow: 'survey' } },
    ];
    expect(flowLinks(def)).toEqual([
      {
        flowId: 'booking',
        path: '/steps/0/options/buttons/0/action',
        where: 'option "book" of step "welcome"',
      },
      { flowId: 'survey', path: '/steps/1/options/next', where: 'the answer of step "ask"' },
      {
        flowId: 'survey',
        path: '/systemMessages/sessionTimeout/actions/1/action',
        where: 'action 2 of the session timeout message',
      },
    ]);
  });
});

describe('checkFlow with a switch to another flow', () => {
  it('counts the switch as a way out, covers its option and ends the run there', () => {
    // Without the switch the only way out of "welcome" would be gone: it would be a trap.
    const report = checkFlow(menuFlow(), { runs: 300, seed: 7 });
    expect(report.failures).toEqual([]);
    expect(report.coverage.options).toContainEqual({
      stepId: 'welcome',
      optionId: 'book',
      chosen: true,
    });
    const own = checkFlow(menuFlow(), {
      runs: 300,
      seed: 7,
      properties: [
        {
          name: 'ends after the switch',
          check: ({ lines, ended }) => {
            const at = lines.indexOf('-- starts flow "booking"');
            // What the user (or the clock) does afterwards is shown; the bot does nothing more.
            const after = lines.slice(at + 1).filter((l) => /^(bot|--)/.test(l));
            return at === -1 || (ended && after.join() === '-- session ended (switched)');
          },
        },
      ],
    });
    expect(own.failures).toEqual([]);
  });

  it('still calls a step a trap when its switch is a restart of this flow', () => {
    const def = menuFlow({ type: 'start', flow: 'menu' });
    def.steps[1]!.options = { type: 'none', next: { type: 'goto', step: 'welcome' } };
    const report = checkFlow(def, { runs: 50, seed: 7 });
    expect(report.failures.map((f) => f.property)).toContain('no-trap');
  });
});
