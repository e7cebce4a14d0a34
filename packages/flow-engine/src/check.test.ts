import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FlowDefinition, Step } from './schema.js';
import { checkFlow } from './testing.js';

const demo = JSON.parse(
  readFileSync(new URL('../../../examples/demo-flow.json', import.meta.url), 'utf8'),
) as FlowDefinition;
const seed = 20261123;

/** A two-language flow: a welcome step with three buttons, and whatever steps a test adds. */
function flowWith(
  id: string,
  welcomeTargets: string[],
  steps: Step[],
  extra: Partial<FlowDefinition> = {},
): FlowDefinition {
  const both = (text: string) => ({ en: text, es: `${text} (es)` });
  return {
    format: 'chatloom.flow/v1',
    id,
    version: 1,
    name: id,
    languages: ['en', 'es'],
    defaultLanguage: 'en',
    startStep: 'welcome',
    steps: [
      {
        id: 'welcome',
        message: { type: 'text', text: both('Welcome! Pick one.') },
        options: {
          type: 'buttons',
          buttons: [
            ...welcomeTargets.map((step, i) => ({
              id: `to-${step}`,
              label: both(`Go ${i + 1}`),
              action: { type: 'goto' as const, step },
            })),
            { id: 'bye', label: both('Bye'), action: { type: 'end' as const } },
          ],
        },
      },
      ...steps,
    ],
    systemMessages: { sessionTimeout: { minutes: 10, text: both('Still there?') } },
    ...extra,
  };
}

describe('checkFlow', () => {
  it('passes the example flow on all three channels and reports full coverage', () => {
    const report = checkFlow(demo, { runs: 1500, seed });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.coverage.steps.every((s) => s.reached)).toBe(true);
    expect(report.coverage.options.filter((o) => !o.chosen)).toEqual([]);
    expect(report.toString()).toContain(
      `checkFlow "pizza-support": 1500 conversations (seed ${seed})`,
    );
    expect(() => report.assert()).not.toThrow();
  });

  it('catches a trap step with the shortest way into it', () => {
    const both = (text: string) => ({ en: text, es: text });
    const report = checkFlow(
      flowWith(
        'trap',
        ['loop'],
        [
          {
            id: 'loop',
            message: { type: 'text', text: both('Round and round') },
            options: {
              type: 'buttons',
              buttons: [
                { id: 'again', label: both('Again'), action: { type: 'goto', step: 'loop' } },
              ],
            },
          },
        ],
      ),
      { runs: 100, seed },
    );
    const trap = report.failures.find((f) => f.property === 'no-trap');
    expect(trap).toMatchObject({
      stepId: 'loop',
      message: expect.stringContaining('no end can be reached from step "loop"'),
    });
    expect(trap?.transcript.filter((l) => l.startsWith('user'))).toEqual(['user taps: "Go 1"']);
    expect(() => report.assert()).toThrow(/no-trap at step "loop"/);
  });

  it('catches a fourth button that only Messenger exposes (a four-row section becomes a carousel element)', () => {
    const both = (text: string) => ({ en: text, es: `${text}.` });
    const rows = [1, 2, 3, 4].map((n) => ({
      id: `r${n}`,
      title: both(`Pizza ${n}`),
      action: { type: 'end' as const },
    }));
    const flow = flowWith(
      'four-in-a-section',
      ['menu'],
      [
        {
          id: 'menu',
          message: { type: 'text', text: both('Our pizzas') },
          options: {
            type: 'sections',
            buttonLabel: both('Pizzas'),
            sections: [
              { title: both('Classic'), rows },
              {
                title: both('Special'),
                rows: [{ id: 's1', title: both('Veggie'), action: { type: 'end' } }],
              },
            ],
          },
        },
      ],
    );
    const report = checkFlow(flow, { runs: 300, seed });
    expect(report.failures).toHaveLength(1);
    const [failure] = report.failures;
    expect(failure).toMatchObject({
      property: 'channel-limits',
      stepId: 'menu',
      message: 'on messenger, element "Classic" has 4 buttons; messenger allows 3',
    });
    expect(failure?.transcript.filter((l) => l.startsWith('user'))).toHaveLength(1);
    // WhatsApp alone shows it as a list: no problem there.
    expect(checkFlow(flow, { runs: 100, seed, channels: ['whatsapp'] }).failures).toEqual([]);
  });

  it('catches a translation missing only on the timeout path', () => {
    const report = checkFlow(flowWith('timeout-translation', [], [], { systemMessages: {} }), {
      runs: 1000,
      seed,
      systemMessages: { sessionTimeout: { minutes: 10, text: { en: 'Still there?' } } },
    });
    expect(report.failures).toHaveLength(1);
    const [failure] = report.failures;
    expect(failure).toMatchObject({
      property: 'translations',
      message: 'the session timeout message has no "es" text, yet a session in "es" reaches it',
    });
    // Shortest: switch to Spanish, then let the timer fire.
    expect(
      failure?.transcript.filter((l) => l.startsWith('user') || l.startsWith('timer')),
    ).toEqual(['user switches to es', 'timer: t2 fires']);
  });

  it('catches a list row title over the limit, with the conversation that reaches it', () => {
    const both = (text: string) => ({ en: text, es: text });
    const report = checkFlow(
      flowWith(
        'long-row',
        ['list'],
        [
          {
            id: 'list',
            message: { type: 'text', text: both('Choose') },
            options: {
              type: 'list',
              buttonLabel: both('Open'),
              rows: [
                { id: 'long', title: both('A row title of 25 chars!!'), action: { type: 'end' } },
                { id: 'short', title: both('Short'), action: { type: 'end' } },
              ],
            },
          },
        ],
      ),
      { runs: 300, seed, channels: ['whatsapp'] },
    );
    expect(report.diagnostics.map((d) => d.code)).toContain('list.row-title-too-long');
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({
      property: 'channel-limits',
      stepId: 'list',
      message: 'on whatsapp, row "A row title of 25 chars!!" has 25 characters; whatsapp allows 24',
    });
    expect(report.failures[0]?.transcript.filter((l) => l.startsWith('user'))).toEqual([
      expect.stringMatching(/^user( taps)?: "Go 1"$/),
    ]);
  });

  it('reaches a step only a navigation letter leads to, and catches what is wrong there', () => {
    const both = (text: string) => ({ en: text, es: text });
    const report = checkFlow(
      flowWith(
        'letters',
        ['nav'],
        [
          {
            id: 'nav',
            message: { type: 'text', text: both('Type a letter') },
            options: {
              type: 'navigation',
              groups: [
                {
                  options: [
                    { id: 'home', label: both('Home'), action: { type: 'start' } },
                    { id: 'deep', label: both('Deep'), action: { type: 'goto', step: 'deep' } },
                  ],
                },
              ],
            },
          },
          {
            id: 'deep',
            message: { type: 'text', text: both(`Long read: ${'x'.repeat(1100)}`) },
            options: { type: 'none', next: { type: 'end' } },
          },
        ],
      ),
      { runs: 500, seed },
    );
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({
      property: 'channel-limits',
      stepId: 'deep',
      message: expect.stringMatching(
        /^on instagram, the text has 1111 characters; instagram allows 1000$/,
      ),
    });
    const users = report.failures[0]!.transcript.filter((l) => l.startsWith('user'));
    expect(users).toHaveLength(2);
    expect(users[1]).toMatch(/^user: "(b|B|deep|DEEP)"/i);
  });

  it('runs properties of your own over a readable trace, and replays a failure from its seed and path', () => {
    const neverHandOff = {
      name: 'never hands off',
      check: (conversation: { lines: string[] }) =>
        !conversation.lines.includes('-- handed off to a person'),
    };
    const report = checkFlow(demo, { runs: 300, seed, properties: [neverHandOff] });
    const failure = report.failures.find((f) => f.property === 'never hands off');
    expect(failure?.transcript).toContain('-- handed off to a person');
    expect(failure?.transcript.filter((l) => l.startsWith('user')).length).toBeLessThanOrEqual(2);
    const replay = checkFlow(demo, {
      seed: failure!.seed!,
      path: failure!.path!,
      properties: [neverHandOff],
    });
    expect(replay.failures[0]?.transcript).toEqual(failure?.transcript);
  });

  it('reports a flow that cannot run at all', () => {
    const report = checkFlow({ ...demo, startStep: 'nowhere' }, { runs: 10 });
    expect(report.ok).toBe(false);
    expect(report.failures[0]).toMatchObject({
      property: 'valid-flow',
      message: expect.stringContaining('the start step "nowhere" does not exist'),
    });
  });
});
