import type { FlowDefinition } from '@chatloom/flow-engine';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { sampleFlow } from './__fixtures__/flows.js';
import { FlowEditor } from './flow-editor.js';

afterEach(cleanup);

function setup(flow: FlowDefinition = sampleFlow()) {
  const onSave = vi.fn();
  render(<FlowEditor initial={flow} onSave={onSave} />);
  return { onSave };
}

const field = (pointer: string) => {
  const element = document.querySelector<HTMLElement>(`[data-pointer="${pointer}"]`);
  if (!element) throw new Error(`no field at ${pointer}`);
  return element;
};
const input = (pointer: string) => within(field(pointer)).getByRole('textbox') as HTMLInputElement;

describe('flow builder', () => {
  test('a button label stops at 20 characters and its counter says so', () => {
    setup();
    const label = input('/steps/0/options/buttons/0/label');
    expect(
      within(field('/steps/0/options/buttons/0/label')).getByTestId('counter').textContent,
    ).toBe('16/20');
    fireEvent.change(label, { target: { value: 'This label is much too long for WhatsApp' } });
    expect(label.value).toBe('This label is much t');
    expect(
      within(field('/steps/0/options/buttons/0/label')).getByTestId('counter').textContent,
    ).toBe('20/20');
  });

  test('list rows count against 24 (title) and 72 (description)', () => {
    setup();
    fireEvent.change(screen.getByRole('combobox', { name: 'Option type' }), {
      target: { value: 'list' },
    });
    const title = input('/steps/0/options/rows/0/title');
    fireEvent.change(title, { target: { value: 'x'.repeat(30) } });
    expect(title.value).toHaveLength(24);
    const description = input('/steps/0/options/rows/0/description');
    fireEvent.change(description, { target: { value: 'y'.repeat(80) } });
    expect(description.value).toHaveLength(72);
    expect(
      within(field('/steps/0/options/rows/0/description')).getByTestId('counter').textContent,
    ).toBe('72/72');
  });

  test('a fourth button cannot be added', () => {
    setup();
    const add = screen.getByRole('button', { name: 'Add button' });
    fireEvent.click(add);
    expect(screen.getByText('Limit reached')).toBeTruthy();
    expect((add as HTMLButtonElement).disabled).toBe(true);
  });

  test("the validator's diagnostic shows on the field, and save is refused", () => {
    const flow = sampleFlow();
    const options = flow.steps[0]!.options;
    if (options.type === 'buttons') options.buttons[0]!.label.en = 'Twenty-one characters!';
    const { onSave } = setup(flow);
    const diagnostics = field('/steps/0/options/buttons/0/label').querySelectorAll('[data-code]');
    expect([...diagnostics].map((d) => d.getAttribute('data-code'))).toEqual([
      'button.label-too-long',
    ]);
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    expect(screen.getByTestId('flow-status').textContent).toMatch(/1 error/);
    fireEvent.submit(screen.getByRole('form', { name: 'Flow builder' }));
    expect(onSave).not.toHaveBeenCalled();
    // Fixing the label clears the diagnostic and allows the save.
    fireEvent.change(input('/steps/0/options/buttons/0/label'), { target: { value: 'Person' } });
    expect(field('/steps/0/options/buttons/0/label').querySelectorAll('[data-code]')).toHaveLength(
      0,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSave).toHaveBeenCalledTimes(1);
  });

  test('an empty label is an error the validator reports on the field', () => {
    setup();
    fireEvent.change(input('/steps/0/options/buttons/1/label'), { target: { value: '' } });
    const codes = [
      ...field('/steps/0/options/buttons/1/label').querySelectorAll('[data-code]'),
    ].map((d) => d.getAttribute('data-code'));
    expect(codes.length).toBeGreaterThan(0);
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
