import { limits } from '@chatloom/flow-engine';
import { describe, expect, test } from 'vitest';
import { sampleFlow } from './__fixtures__/flows.js';
import { checkFlow, countOf, fieldLimits, messageLimit, optionsLeft } from './flow-limits.js';

describe('flow limits come from flow-engine', () => {
  test('the 20/24/72 counters are the engine limits', () => {
    expect(fieldLimits.buttonLabel).toBe(limits.buttonTitle);
    expect(fieldLimits.rowTitle).toBe(limits.rowTitle);
    expect(fieldLimits.rowDescription).toBe(limits.rowDescription);
    expect([fieldLimits.buttonLabel, fieldLimits.rowTitle, fieldLimits.rowDescription]).toEqual([
      20, 24, 72,
    ]);
  });

  test('counts code points, as Meta does: an emoji is one', () => {
    expect(countOf('👍👍', 20)).toEqual({ length: 2, max: 20, over: false });
    expect(countOf('x'.repeat(21), 20).over).toBe(true);
  });

  test('a step with choices allows 1024 characters of text, a text step 4096', () => {
    expect(messageLimit(sampleFlow().steps[0]!.options)).toBe(1024);
    expect(messageLimit({ type: 'none', next: { type: 'end' } })).toBe(4096);
  });

  test('options left per type: 3 buttons, 10 rows across sections, 26 letters', () => {
    expect(optionsLeft(sampleFlow().steps[0]!.options)).toBe(1);
    const row = { id: 'r', title: { en: 'x' }, action: { type: 'end' as const } };
    expect(
      optionsLeft({
        type: 'sections',
        buttonLabel: { en: 'Menu' },
        sections: [
          { title: { en: 'A' }, rows: [row, row, row] },
          { title: { en: 'B' }, rows: [row, row] },
        ],
      }),
    ).toBe(5);
    expect(optionsLeft({ type: 'none', next: { type: 'end' } })).toBeNull();
  });

  test("validateFlow's diagnostics are found by the field's pointer", () => {
    const flow = sampleFlow();
    const options = flow.steps[0]!.options;
    if (options.type !== 'buttons') throw new Error('buttons expected');
    options.buttons[0]!.label.en = 'A label far longer than twenty';
    const check = checkFlow(flow);
    expect(check.valid).toBe(false);
    const at = check.at('/steps/0/options/buttons/0/label');
    expect(at.map((d) => d.code)).toEqual(['button.label-too-long']);
    expect(check.at('/steps/0/options/buttons/1/label')).toEqual([]);
    expect(checkFlow(sampleFlow()).valid).toBe(true);
  });
});
