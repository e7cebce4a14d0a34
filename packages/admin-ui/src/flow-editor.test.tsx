import type { FlowDefinition } from '@chatloom/flow-engine';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { longFlow, menuFlow, sampleFlow } from './__fixtures__/flows.js';
import { FlowEditor, type FlowEditorProps } from './flow-editor.js';

afterEach(cleanup);

beforeAll(() => {
  // React Flow measures its pane and nodes; jsdom has no layout.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  globalThis.DOMMatrixReadOnly ??= class {
    m22 = 1;
  } as unknown as typeof DOMMatrixReadOnly;
});

function setup(flow: FlowDefinition = sampleFlow(), props: Partial<FlowEditorProps> = {}) {
  const onSave = vi.fn();
  const onDraftChange = vi.fn<(definition: FlowDefinition) => void>();
  const view = render(
    <FlowEditor initial={flow} onSave={onSave} onDraftChange={onDraftChange} {...props} />,
  );
  /** The draft the editor reported last. */
  const draft = () => {
    const last = onDraftChange.mock.lastCall?.[0];
    if (!last) throw new Error('onDraftChange was not called');
    return last;
  };
  return { onSave, onDraftChange, draft, ...view };
}

const field = (pointer: string) => {
  const element = document.querySelector<HTMLElement>(`[data-pointer="${pointer}"]`);
  if (!element) throw new Error(`no field at ${pointer}`);
  return element;
};
const input = (pointer: string) => within(field(pointer)).getByRole('textbox') as HTMLInputElement;
const codesAt = (pointer: string) =>
  [...field(pointer).querySelectorAll('[data-code]')].map((d) => d.getAttribute('data-code'));
const stepNamed = (id: string) => screen.getByRole('region', { name: `Step ${id}` });
const stepOrder = () =>
  [...document.querySelectorAll('[data-step-id]')].map((s) => s.getAttribute('data-step-id'));
const type = (element: HTMLElement, value: string) =>
  fireEvent.change(element, { target: { value } });
const saveButton = () => screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;

describe('limits and diagnostics', () => {
  test('a button label past 20 characters is kept, its counter turns red and the field says why', () => {
    setup();
    const label = screen.getByRole('textbox', { name: 'Button 1 label (en)' }) as HTMLInputElement;
    const counter = () =>
      within(field('/steps/0/options/buttons/0/label')).getByTestId('counter').textContent;
    expect(counter()).toBe('16/20');
    type(label, 'Twenty-one characters');
    expect(label.value).toBe('Twenty-one characters');
    expect(counter()).toBe('21/20');
    expect(codesAt('/steps/0/options/buttons/0/label')).toEqual(['button.label-too-long']);
    expect(saveButton().disabled).toBe(true);
    type(label, 'Twenty characters!!!');
    expect(counter()).toBe('20/20');
    expect(codesAt('/steps/0/options/buttons/0/label')).toEqual([]);
  });

  test('list rows count against 24 (title) and 72 (description)', () => {
    setup();
    type(screen.getByRole('combobox', { name: 'Option type' }), 'list');
    const title = screen.getByRole('textbox', { name: 'Row 1 title (en)' }) as HTMLInputElement;
    type(title, 'x'.repeat(25));
    expect(within(field('/steps/0/options/rows/0/title')).getByTestId('counter').textContent).toBe(
      '25/24',
    );
    expect(codesAt('/steps/0/options/rows/0/title')).toEqual(['list.row-title-too-long']);
    const description = input('/steps/0/options/rows/0/description');
    type(description, 'y'.repeat(73));
    expect(
      within(field('/steps/0/options/rows/0/description')).getByTestId('counter').textContent,
    ).toBe('73/72');
    expect(codesAt('/steps/0/options/rows/0/description')).toEqual([
      'list.row-description-too-long',
    ]);
  });

  test('a fourth button cannot be added', () => {
    setup();
    const add = screen.getByRole('button', { name: 'Add button' }) as HTMLButtonElement;
    fireEvent.click(add);
    expect(screen.getByText('Limit reached')).toBeTruthy();
    expect(add.disabled).toBe(true);
  });

  test('a list takes 10 rows at most', () => {
    setup();
    type(screen.getByRole('combobox', { name: 'Option type' }), 'list');
    const add = screen.getByRole('button', { name: 'Add row' }) as HTMLButtonElement;
    for (let i = 0; i < 8; i++) fireEvent.click(add);
    expect(screen.getAllByRole('textbox', { name: /^Row \d+ title/ })).toHaveLength(10);
    expect(add.disabled).toBe(true);
  });

  test('a 21-character label shows the diagnostic on its field and save is refused until fixed', () => {
    const flow = sampleFlow();
    const options = flow.steps[0]!.options;
    if (options.type === 'buttons') options.buttons[0]!.label.en = 'Twenty-one characters!';
    const { onSave } = setup(flow);
    expect(codesAt('/steps/0/options/buttons/0/label')).toEqual(['button.label-too-long']);
    expect(saveButton().disabled).toBe(true);
    expect(screen.getByTestId('flow-status').textContent).toMatch(/1 error/);
    fireEvent.submit(screen.getByRole('form', { name: 'Flow builder' }));
    expect(onSave).not.toHaveBeenCalled();
    type(input('/steps/0/options/buttons/0/label'), 'Person');
    expect(codesAt('/steps/0/options/buttons/0/label')).toEqual([]);
    expect(screen.getByTestId('flow-status').textContent).toBe('No errors');
    fireEvent.click(saveButton());
    expect(onSave).toHaveBeenCalledTimes(1);
    expect(onSave.mock.lastCall?.[0].steps[0].options.buttons[0].label.en).toBe('Person');
  });

  test('an empty label is an error the validator reports on the field', () => {
    setup();
    type(input('/steps/0/options/buttons/1/label'), '');
    expect(codesAt('/steps/0/options/buttons/1/label')).toContain('message.empty');
    expect(saveButton().disabled).toBe(true);
  });

  test('the problem list names each error and shows its step', () => {
    setup(longFlow(20));
    const step = stepNamed('s7');
    expect(within(step).queryByRole('textbox', { name: 'Step id' })).toBeNull();
    // Another step taking s7's id is an error on it.
    fireEvent.click(within(stepNamed('s8')).getByRole('button', { name: 'Step details' }));
    type(within(stepNamed('s8')).getByRole('textbox', { name: 'Step id' }), 's7');
    const problems = screen.getByTestId('flow-status').closest('details');
    if (!problems) throw new Error('no problem list');
    expect(problems.textContent).toMatch(/step id "s7" is used by another step/);
    const problem = within(problems).getByText(/step id "s7" is used by another step/);
    fireEvent.click(
      within(problem.closest('li') as HTMLElement).getByRole('button', { name: 'Go to step s7' }),
    );
    const shown = document.querySelectorAll('[data-step-id="s7"]')[1] as HTMLElement;
    expect(shown.getAttribute('data-highlighted')).toBe('true');
  });
});

describe('steps', () => {
  test('adding a step adds it at the end, expanded, and reports the draft', () => {
    const { draft } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Add step' }));
    expect(stepOrder()).toEqual(['welcome', 'step2']);
    const step = stepNamed('step2');
    expect(within(step).getByRole('textbox', { name: 'Message (en)' })).toBeTruthy();
    expect(draft().steps.map((s) => s.id)).toEqual(['welcome', 'step2']);
    expect(draft().steps[1]?.message).toEqual({ type: 'text', text: { en: 'New message' } });
  });

  test('removing a step removes it; removing the start step makes the next one start', () => {
    const { draft } = setup(menuFlow());
    fireEvent.click(within(stepNamed('menu')).getByRole('button', { name: 'Remove step' }));
    expect(stepOrder()).toEqual(['orders', 'question']);
    expect(draft().startStep).toBe('orders');
    expect(within(stepNamed('orders')).getByText('Start step')).toBeTruthy();
    // The last step cannot be removed.
    fireEvent.click(within(stepNamed('orders')).getByRole('button', { name: 'Remove step' }));
    const last = within(stepNamed('question')).getByRole('button', { name: 'Remove step' });
    expect((last as HTMLButtonElement).disabled).toBe(true);
  });

  test('move buttons reorder steps', () => {
    const { draft } = setup(menuFlow());
    const first = within(stepNamed('menu'));
    expect(
      (first.getByRole('button', { name: 'Move step up' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    fireEvent.click(first.getByRole('button', { name: 'Move step down' }));
    expect(stepOrder()).toEqual(['orders', 'menu', 'question']);
    fireEvent.click(within(stepNamed('question')).getByRole('button', { name: 'Move step up' }));
    expect(stepOrder()).toEqual(['orders', 'question', 'menu']);
    expect(draft().steps.map((s) => s.id)).toEqual(['orders', 'question', 'menu']);
    // The start step stays the start wherever it is.
    expect(draft().startStep).toBe('menu');
  });

  test('steps are draggable by a handle that the keyboard can lift', () => {
    setup(menuFlow());
    const handle = within(stepNamed('menu')).getByRole('button', { name: 'Drag step menu' });
    expect(handle.getAttribute('aria-roledescription')).toBe('sortable');
    expect(handle.getAttribute('tabindex')).toBe('0');
  });

  test('renaming a step carries its links and the start step along', () => {
    const { draft } = setup(menuFlow());
    type(within(stepNamed('orders')).getByRole('textbox', { name: 'Step id' }), 'order-status');
    const menu = within(stepNamed('menu'));
    expect(
      (menu.getByRole('combobox', { name: 'Button 1 target step' }) as HTMLSelectElement).value,
    ).toBe('order-status');
    type(within(stepNamed('menu')).getByRole('textbox', { name: 'Step id' }), 'home');
    expect(draft().startStep).toBe('home');
    const question = draft().steps[2]!.options;
    expect(question.type === 'none' && question.next).toEqual({ type: 'goto', step: 'home' });
    expect(screen.getByTestId('flow-status').textContent).toBe('No errors');
  });

  test('any step can be made the start step', () => {
    const { draft } = setup(menuFlow());
    fireEvent.click(within(stepNamed('question')).getByRole('button', { name: 'Make start step' }));
    expect(draft().startStep).toBe('question');
    expect(within(stepNamed('question')).getByText('Start step')).toBeTruthy();
    expect(within(stepNamed('menu')).queryByText('Start step')).toBeNull();
  });
});

describe('options', () => {
  test('buttons are added, removed and reordered with their actions', () => {
    const { draft } = setup(menuFlow());
    const menu = within(stepNamed('menu'));
    fireEvent.click(menu.getByRole('button', { name: 'Remove button 2' }));
    expect(draft().steps[0]!.options).toMatchObject({
      buttons: [{ id: 'orders' }, { id: 'person' }],
    });
    fireEvent.click(menu.getByRole('button', { name: 'Add button' }));
    const labels = () =>
      menu
        .getAllByRole('textbox', { name: /^Button \d label \(en\)$/ })
        .map((i) => (i as HTMLInputElement).value);
    expect(labels()).toEqual(['My orders', 'A person', 'Button 3']);
    fireEvent.click(menu.getByRole('button', { name: 'Move button 3 up' }));
    expect(labels()).toEqual(['My orders', 'Button 3', 'A person']);
    fireEvent.click(menu.getByRole('button', { name: 'Move button 1 down' }));
    expect(labels()).toEqual(['Button 3', 'My orders', 'A person']);
    expect(draft().steps[0]!.options).toMatchObject({
      buttons: [
        { id: 'b3', action: { type: 'end' } },
        { id: 'orders', action: { type: 'goto', step: 'orders' } },
        { id: 'person', action: { type: 'handoff' } },
      ],
    });
  });

  test('the action select picks what an option does; "go to step" picks the step', () => {
    const { draft } = setup(menuFlow());
    const menu = within(stepNamed('menu'));
    expect(menu.queryByRole('combobox', { name: 'Button 3 target step' })).toBeNull();
    type(menu.getByRole('combobox', { name: 'Button 3 action' }), 'goto');
    const target = menu.getByRole('combobox', { name: 'Button 3 target step' });
    expect((target as HTMLSelectElement).value).toBe('orders');
    type(target, 'question');
    expect(draft().steps[0]!.options).toMatchObject({
      buttons: [{}, {}, { action: { type: 'goto', step: 'question' } }],
    });
    type(menu.getByRole('combobox', { name: 'Button 3 action' }), 'end');
    expect(menu.queryByRole('combobox', { name: 'Button 3 target step' })).toBeNull();
  });

  test('"Start another flow" picks one of the tenant\'s other flows; "Restart the flow" stays', () => {
    const flows = [
      { id: 'menu', name: 'Menu' },
      { id: 'booking', name: 'Booking' },
      { id: 'survey', name: 'Survey' },
    ];
    const { draft } = setup(menuFlow(), { flows });
    const menu = within(stepNamed('menu'));
    const action = menu.getByRole('combobox', { name: 'Button 3 action' }) as HTMLSelectElement;
    const labels = [...action.options].map((o) => o.textContent);
    expect(labels).toEqual([
      'Go to step',
      'Restart the flow',
      'Start another flow',
      'End the flow',
      'Hand off to a person',
    ]);
    type(action, 'start-flow');
    const target = menu.getByRole('combobox', {
      name: 'Button 3 flow to start',
    }) as HTMLSelectElement;
    // The flow being edited is not among them: starting it is a restart.
    expect([...target.options].map((o) => o.textContent)).toEqual([
      'Booking (booking)',
      'Survey (survey)',
    ]);
    expect(draft().steps[0]!.options).toMatchObject({
      buttons: [{}, {}, { action: { type: 'start', flow: 'booking' } }],
    });
    type(target, 'survey');
    expect(draft().steps[0]!.options).toMatchObject({
      buttons: [{}, {}, { action: { type: 'start', flow: 'survey' } }],
    });
    expect(saveButton().disabled).toBe(false);
    type(action, 'restart');
    expect(menu.queryByRole('combobox', { name: 'Button 3 flow to start' })).toBeNull();
    const restarted = draft().steps[0]!.options;
    expect(restarted.type === 'buttons' && restarted.buttons[2]!.action).toEqual({
      type: 'start',
    });
  });

  test('a start action naming a flow the tenant lacks shows it as such; no flows, no choice', () => {
    const flow = menuFlow();
    const options = flow.steps[0]!.options;
    if (options.type === 'buttons') options.buttons[2]!.action = { type: 'start', flow: 'gone' };
    setup(flow, { flows: [{ id: 'menu', name: 'Menu' }] });
    const menu = within(stepNamed('menu'));
    const target = menu.getByRole('combobox', {
      name: 'Button 3 flow to start',
    }) as HTMLSelectElement;
    expect(target.value).toBe('gone');
    expect(target.selectedOptions[0]?.textContent).toBe('gone (not a flow of this workspace)');
    // Only this flow exists: another one cannot be picked for a new action.
    const first = menu.getByRole('combobox', { name: 'Button 1 action' }) as HTMLSelectElement;
    const startFlow = [...first.options].find((o) => o.value === 'start-flow');
    expect(startFlow?.disabled).toBe(true);
    expect(startFlow?.textContent).toBe('Start another flow (no other flows)');
    cleanup();
    // Without the tenant's flows the editor does not offer the choice at all.
    setup(menuFlow());
    const plain = screen.getByRole('combobox', { name: 'Button 1 action' }) as HTMLSelectElement;
    expect([...plain.options].map((o) => o.value)).not.toContain('start-flow');
  });

  test('changing the option type keeps the choices', () => {
    const { draft } = setup(menuFlow());
    const menu = within(stepNamed('menu'));
    type(menu.getByRole('combobox', { name: 'Option type' }), 'list');
    expect(
      menu
        .getAllByRole('textbox', { name: /^Row \d title \(en\)$/ })
        .map((i) => (i as HTMLInputElement).value),
    ).toEqual(['My orders', 'A question', 'A person']);
    type(menu.getByRole('combobox', { name: 'Option type' }), 'navigation');
    expect(draft().steps[0]!.options).toMatchObject({
      type: 'navigation',
      groups: [{ options: [{ id: 'orders' }, { id: 'question' }, { id: 'person' }] }],
    });
    type(menu.getByRole('combobox', { name: 'Option type' }), 'none');
    expect(draft().steps[0]!.options).toEqual({
      type: 'none',
      next: { type: 'goto', step: 'orders' },
    });
  });

  test('sections: rows are numbered across sections, sections added and removed', () => {
    const { draft } = setup();
    type(screen.getByRole('combobox', { name: 'Option type' }), 'sections');
    fireEvent.click(screen.getByRole('button', { name: 'Add section' }));
    expect(screen.getByRole('textbox', { name: 'Section 2 title (en)' })).toBeTruthy();
    expect(
      screen
        .getAllByRole('textbox', { name: /^Row \d title/ })
        .map((i) => i.getAttribute('aria-label')),
    ).toEqual(['Row 1 title (en)', 'Row 2 title (en)', 'Row 3 title (en)']);
    fireEvent.click(screen.getByRole('button', { name: 'Remove section 1' }));
    expect(draft().steps[0]!.options).toMatchObject({
      type: 'sections',
      sections: [{ title: { en: 'Section 2' } }],
    });
  });
});

describe('languages', () => {
  test('each text has a tab per language; a tab shows that translation', () => {
    setup(menuFlow());
    const menu = within(stepNamed('menu'));
    const tabs = menu.getByRole('tablist', { name: 'Button 1 label language' });
    expect(
      within(tabs)
        .getAllByRole('tab')
        .map((t) => t.textContent),
    ).toEqual(['en', 'es']);
    fireEvent.mouseDown(within(tabs).getByRole('tab', { name: 'es' }));
    // Every field follows: the whole step is now edited in Spanish.
    expect(
      (menu.getByRole('textbox', { name: 'Button 1 label (es)' }) as HTMLInputElement).value,
    ).toBe('Mis pedidos');
    expect(menu.getByRole('textbox', { name: 'Message (es)' }).textContent).toBe('¿Qué necesitas?');
  });

  test('a new language marks every text missing it until translated', () => {
    const { draft } = setup(menuFlow());
    type(screen.getByRole('textbox', { name: 'New language code' }), 'fr');
    fireEvent.click(screen.getByRole('button', { name: 'Add language' }));
    expect(draft().languages).toEqual(['en', 'es', 'fr']);
    const menu = within(stepNamed('menu'));
    // The new language is in view, its tab marked on every untranslated text.
    const label = menu.getByRole('textbox', { name: 'Button 1 label (fr)' }) as HTMLInputElement;
    expect(label.value).toBe('');
    const tabs = menu.getByRole('tablist', { name: 'Button 1 label language' });
    expect(within(tabs).getByRole('tab', { name: 'fr (missing)' })).toBeTruthy();
    expect(codesAt('/steps/0/options/buttons/0/label')).toEqual(['translation.missing']);
    expect(saveButton().disabled).toBe(true);
    type(label, 'Mes commandes');
    expect(within(tabs).getByRole('tab', { name: 'fr' })).toBeTruthy();
    expect(codesAt('/steps/0/options/buttons/0/label')).toEqual([]);
  });

  test('a bad or repeated language code is refused with the reason', () => {
    setup(menuFlow());
    const code = screen.getByRole('textbox', { name: 'New language code' });
    type(code, 'Spanish');
    fireEvent.click(screen.getByRole('button', { name: 'Add language' }));
    expect(screen.getByRole('alert').textContent).toMatch(/"Spanish" is not a language code/);
    type(code, 'es');
    fireEvent.keyDown(code, { key: 'Enter' });
    expect(screen.getByRole('alert').textContent).toMatch(/already a language/);
  });

  test('removing a language deletes its translations and triggers; the default stays', () => {
    const flow = menuFlow();
    flow.triggers?.push({ language: 'es', match: 'contains', keyword: 'hola' });
    const { draft } = setup(flow);
    const en = screen.getByRole('button', { name: 'Remove language en' }) as HTMLButtonElement;
    expect(en.disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Remove language es' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove language es?' });
    expect(dialog.textContent).toMatch(/its 1 keyword trigger/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove es' }));
    expect(draft().languages).toEqual(['en']);
    expect(draft().steps[0]!.message).toEqual({ type: 'text', text: { en: 'What do you need?' } });
    expect(draft().triggers).toEqual([{ language: 'en', match: 'exact', keyword: 'menu' }]);
    expect(screen.queryByRole('tablist')).toBeNull();
    expect(screen.getByTestId('flow-status').textContent).toBe('No errors');
  });

  test('the default language is chosen among the languages', () => {
    const { draft } = setup(menuFlow());
    type(screen.getByRole('combobox', { name: 'Default language' }), 'es');
    expect(draft().defaultLanguage).toBe('es');
  });
});

describe('keyword triggers', () => {
  test('triggers are added, edited and removed; an empty keyword is an error', () => {
    const { draft } = setup(menuFlow());
    fireEvent.click(screen.getByRole('button', { name: 'Add trigger' }));
    expect(field('/triggers/1').querySelector('[data-code]')?.getAttribute('data-code')).toBe(
      'trigger.empty',
    );
    type(screen.getByRole('textbox', { name: 'Trigger 2 keyword' }), 'hola');
    type(screen.getByRole('combobox', { name: 'Trigger 2 language' }), 'es');
    type(screen.getByRole('combobox', { name: 'Trigger 2 match' }), 'contains');
    expect(draft().triggers).toEqual([
      { language: 'en', match: 'exact', keyword: 'menu' },
      { language: 'es', match: 'contains', keyword: 'hola' },
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Remove trigger 1' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove trigger 1' }));
    expect(draft().triggers).toBeUndefined();
  });

  test('an invalid pattern shows the regex error on the trigger', () => {
    setup(menuFlow());
    type(screen.getByRole('combobox', { name: 'Trigger 1 match' }), 'regex');
    type(screen.getByRole('textbox', { name: 'Trigger 1 keyword' }), '(a+)+');
    expect(field('/triggers/0').querySelector('[data-code]')?.getAttribute('data-code')).toBe(
      'trigger.invalid-regex',
    );
  });
});

describe('for the flow page', () => {
  test('onDraftChange gets the edited definition; the initial one is not reported', () => {
    const { onDraftChange } = setup();
    expect(onDraftChange).not.toHaveBeenCalled();
    type(input('/steps/0/options/buttons/1/label'), 'Maybe later');
    expect(onDraftChange).toHaveBeenCalledTimes(1);
    const expected = sampleFlow();
    const options = expected.steps[0]!.options;
    if (options.type === 'buttons') options.buttons[1]!.label.en = 'Maybe later';
    expect(onDraftChange.mock.lastCall?.[0]).toEqual(expected);
  });

  test('focus expands, highlights and focuses a step, again for a new nonce', () => {
    const flow = longFlow(50);
    const { rerender } = setup(flow);
    const step = () => document.querySelector<HTMLElement>('[data-step-id="s40"]')!;
    // Fifty steps open collapsed.
    expect(within(step()).queryByRole('textbox', { name: 'Step id' })).toBeNull();
    const onSave = vi.fn();
    rerender(<FlowEditor initial={flow} onSave={onSave} focus={{ stepId: 's40', nonce: 1 }} />);
    expect(within(step()).getByRole('textbox', { name: 'Step id' })).toBeTruthy();
    expect(step().getAttribute('data-highlighted')).toBe('true');
    expect(document.activeElement).toBe(step());
    // Collapsed again, the same step asked for again opens again.
    fireEvent.click(within(step()).getByRole('button', { name: 'Step details' }));
    expect(within(step()).queryByRole('textbox', { name: 'Step id' })).toBeNull();
    rerender(<FlowEditor initial={flow} onSave={onSave} focus={{ stepId: 's40', nonce: 2 }} />);
    expect(within(step()).getByRole('textbox', { name: 'Step id' })).toBeTruthy();
  });

  test('every step has its id as data-step-id and an accessible name', () => {
    setup(menuFlow());
    expect(stepOrder()).toEqual(['menu', 'orders', 'question']);
    expect(screen.getAllByRole('region', { name: /^Step / })).toHaveLength(3);
  });

  test('a 50-step flow stays quick to edit', () => {
    const { draft } = setup(longFlow(50));
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    const labels = screen.getAllByRole('textbox', { name: 'Button 1 label (en)' });
    expect(labels).toHaveLength(49);
    const started = performance.now();
    for (let i = 0; i < 10; i++) type(labels[25]!, `Next ${i}`);
    const perKeystroke = (performance.now() - started) / 10;
    expect(draft().steps[25]!.options).toMatchObject({ buttons: [{ label: { en: 'Next 9' } }] });
    // Generous for a busy machine (about 40 ms here); re-rendering all 50 steps takes seconds.
    expect(perKeystroke).toBeLessThan(400);
  });
});

describe('graph', () => {
  test('shows a node per step, the start marked; clicking one shows the step', async () => {
    setup(menuFlow());
    fireEvent.click(screen.getByRole('button', { name: 'Graph' }));
    // React Flow keeps nodes hidden until it has measured them, which jsdom cannot do.
    // React Flow keeps nodes hidden until it has measured them, which jsdom cannot do, so
    // they have no accessible name here: find them by their label. The graph's code is
    // loaded on first use (slow on a busy machine).
    const graphNode = (id: string) => {
      const button = document.querySelector<HTMLElement>(`button[aria-label="Show step ${id}"]`);
      if (!button) throw new Error(`no node for step ${id}`);
      return button;
    };
    const node = await waitFor(() => graphNode('question'), { timeout: 15_000 });
    expect(graphNode('menu').textContent).toMatch(/^Start/);
    expect(graphNode('orders').textContent).toMatch(/End · Restart/);
    expect(document.querySelectorAll('[data-step-id]')).toHaveLength(0);
    fireEvent.click(node);
    // The list comes back beside the graph, with the step highlighted.
    expect(screen.getByRole('button', { name: 'Side by side' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(stepNamed('question').getAttribute('data-highlighted')).toBe('true');
  });

  test('edges follow "go to step" actions and are labelled with the option', async () => {
    const { flowElements, stepLevels } = await import('./flow-graph.js');
    const { nodes, edges } = flowElements(menuFlow(), 'es', [0, 2, 0], () => {});
    expect(nodes.map((n) => [n.data.id, n.data.isStart, n.data.errors])).toEqual([
      ['menu', true, 0],
      ['orders', false, 2],
      ['question', false, 0],
    ]);
    expect(nodes.map((n) => n.data.exits)).toEqual([['Hand off'], ['End', 'Restart'], []]);
    expect(edges.map((e) => [e.source, e.target, e.label])).toEqual([
      ['s0', 's1', 'Mis pedidos'],
      ['s0', 's2', 'Una pregunta'],
      ['s2', 's0', 'any answer'],
    ]);
    // Levels by distance from the start; unreached steps last.
    expect(stepLevels(menuFlow())).toEqual([0, 1, 1]);
    const flow = menuFlow();
    flow.steps.push({ ...flow.steps[2]!, id: 'orphan' });
    expect(stepLevels(flow)).toEqual([0, 1, 1, 2]);
  });
});
