import type { SessionTimeoutMessage } from '@chatloom/flow-engine';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  draftProblems,
  fromDraft,
  type MessageDraft,
  problemKey,
  SystemMessageCard,
  toDraft,
} from './settings-system-message.js';

afterEach(cleanup);

const draft = (change: Partial<MessageDraft> = {}): MessageDraft => ({
  text: { en: 'Sorry?' },
  actions: [],
  minutes: '',
  ...change,
});

describe('system message rules', () => {
  test('a stored message survives draft → stored unchanged', () => {
    const stored: SessionTimeoutMessage = {
      minutes: 15,
      text: { en: 'Still *there*?', es: '¿Sigues ahí?' },
      actions: [
        { label: { en: 'Menu', es: 'Menú' }, action: { type: 'goto', step: 'menu' } },
        { label: { en: 'Person' }, action: { type: 'handoff' } },
        { label: { en: 'Book' }, action: { type: 'start', flow: 'booking' } },
        { label: { en: 'Again' }, action: { type: 'start' } },
      ],
    };
    expect(fromDraft('sessionTimeout', toDraft(stored))).toEqual(stored);
    expect(fromDraft('invalid', draft({ text: { en: ' ' } }))).toBeUndefined();
  });

  test('minutes must be a whole number of at least 1', () => {
    for (const bad of ['0', '1.5', 'ten', '-3'])
      expect(draftProblems('sessionTimeout', draft({ minutes: bad }), ['en']).minutes).toBe(
        `“${bad}” is not a whole number of minutes of at least 1.`,
      );
    expect(draftProblems('sessionTimeout', draft({ minutes: '' }), ['en']).minutes).toMatch(
      /Enter after how many minutes/,
    );
    expect(draftProblems('sessionTimeout', draft({ minutes: '30' }), ['en'])).toEqual({});
  });

  test('actions need a label in the default language and a step for "go to"', () => {
    const problems = draftProblems(
      'invalid',
      draft({ actions: [{ label: { es: 'Menú' }, type: 'goto', step: '' }] }),
      ['en', 'es'],
    );
    expect(problems).toEqual({
      'action.0.label.en': 'Give action 1 a label (en).',
      'action.0.step': 'Choose the step action 1 goes to.',
    });
  });

  test("flow-engine's limits apply: 1024 characters, 20 per label, 3 actions", () => {
    const long = draftProblems('thankYou', draft({ text: { en: 'x'.repeat(1025) } }), ['en']);
    expect(long['text.en']).toMatch(/at most 1024 characters; it has 1025/);
    const label = draftProblems(
      'thankYou',
      draft({ actions: [{ label: { en: 'y'.repeat(21) }, type: 'end', step: '' }] }),
      ['en'],
    );
    expect(label['action.0.label.en']).toMatch(/at most 20 characters; it has 21/);
    const four = draftProblems(
      'thankYou',
      draft({
        actions: [1, 2, 3, 4].map((n) => ({ label: { en: `A${n}` }, type: 'end', step: '' })),
      }),
      ['en'],
    );
    expect(four.actions).toMatch(/at most 3 actions/);
  });

  test('"start another flow" needs a flow', () => {
    const problems = draftProblems(
      'invalid',
      draft({ actions: [{ label: { en: 'Book' }, type: 'start', step: '', flow: '' }] }),
      ['en'],
    );
    expect(problems).toEqual({ 'action.0.flow': 'Choose the flow action 1 starts.' });
  });

  test('validator paths map to the fields', () => {
    const d = { code: 'x', message: 'm', severity: 'error' as const };
    expect(problemKey('invalid', { ...d, path: '/invalid/text/es' })).toBe('text.es');
    expect(problemKey('invalid', { ...d, path: '/invalid/actions/1/label/en' })).toBe(
      'action.1.label.en',
    );
    expect(problemKey('sessionTimeout', { ...d, path: '/sessionTimeout/minutes' })).toBe('minutes');
    expect(problemKey('invalid', { ...d, path: '/invalid/actions/0/action/flow' })).toBe(
      'action.0.flow',
    );
  });
});

describe('the card', () => {
  const props = {
    kind: 'sessionTimeout' as const,
    title: 'Session timeout message',
    description: 'Sent when…',
    message: { minutes: 10, text: { en: 'Still there?' } },
    languages: ['en'],
    stepGroups: [],
    overriddenBy: [],
    defaultOpen: true,
  };

  test('saves the edited message; the server’s refusal is shown as is', async () => {
    const onSave = vi
      .fn()
      .mockRejectedValueOnce(new Error('system messages: refused'))
      .mockResolvedValue(undefined);
    const { rerender } = render(<SystemMessageCard {...props} canManage onSave={onSave} />);
    fireEvent.change(screen.getByLabelText('Time out after (minutes without a reply)'), {
      target: { value: '25' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toBe('system messages: refused');
    expect(onSave).toHaveBeenLastCalledWith({ text: { en: 'Still there?' }, minutes: 25 });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(2));
    // The page hands the saved message back (react-query): no unsaved changes remain.
    const saved = { minutes: 25, text: { en: 'Still there?' } };
    rerender(<SystemMessageCard {...props} message={saved} canManage onSave={onSave} />);
    await screen.findByText('Saved.');
    expect(screen.queryByText('Unsaved changes')).toBeNull();
  });

  test('an action starting another flow shows it, unchanged, and can switch flows', async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    const message = {
      text: { en: 'Sorry?' },
      actions: [{ label: { en: 'Book' }, action: { type: 'start' as const, flow: 'booking' } }],
    };
    const flows = [
      { id: 'main', name: 'Main menu' },
      { id: 'booking', name: 'Booking' },
    ];
    render(
      <SystemMessageCard
        {...props}
        kind="invalid"
        title="Invalid input message"
        message={message}
        flows={flows}
        canManage
        onSave={onSave}
      />,
    );
    expect(screen.queryByText('Unsaved changes')).toBeNull();
    const does = screen.getByLabelText('Action 1 does') as HTMLSelectElement;
    expect(does.value).toBe('start-flow');
    const flow = screen.getByLabelText('Action 1 flow to start') as HTMLSelectElement;
    expect(flow.value).toBe('booking');
    expect([...flow.options].map((o) => o.text)).toEqual(['Main menu (main)', 'Booking (booking)']);
    fireEvent.change(flow, { target: { value: 'main' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(onSave).toHaveBeenCalledWith({
        text: { en: 'Sorry?' },
        actions: [{ label: { en: 'Book' }, action: { type: 'start', flow: 'main' } }],
      }),
    );
    // Back to a restart: the flow select goes and the flow is dropped.
    fireEvent.change(does, { target: { value: 'restart' } });
    expect(screen.queryByLabelText('Action 1 flow to start')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(onSave).toHaveBeenLastCalledWith({
        text: { en: 'Sorry?' },
        actions: [{ label: { en: 'Book' }, action: { type: 'start' } }],
      }),
    );
  });

  test('"Start another flow" picks the first flow, and is hidden when the flows are unknown', () => {
    const message = {
      text: { en: 'Sorry?' },
      actions: [{ label: { en: 'Menu' }, action: { type: 'end' as const } }],
    };
    const base = { ...props, kind: 'invalid' as const, message, canManage: true, onSave: vi.fn() };
    const { unmount } = render(
      <SystemMessageCard {...base} flows={[{ id: 'booking', name: 'booking' }]} />,
    );
    fireEvent.change(screen.getByLabelText('Action 1 does'), { target: { value: 'start-flow' } });
    expect((screen.getByLabelText('Action 1 flow to start') as HTMLSelectElement).value).toBe(
      'booking',
    );
    unmount();
    render(<SystemMessageCard {...base} />);
    const options = [...(screen.getByLabelText('Action 1 does') as HTMLSelectElement).options];
    expect(options.map((o) => o.value)).not.toContain('start-flow');
  });

  test('Clear data empties the card; saving then removes the message', async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    render(<SystemMessageCard {...props} canManage onSave={onSave} />);
    fireEvent.click(screen.getByRole('button', { name: 'Clear data' }));
    expect(
      (screen.getByLabelText('Time out after (minutes without a reply)') as HTMLInputElement).value,
    ).toBe('');
    expect(screen.getByRole('textbox', { name: 'Session timeout message' }).textContent).toBe('');
    await screen.findByText('Saving with no text removes this message.');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledWith(undefined));
  });

  test('bad minutes are not sent', async () => {
    const onSave = vi.fn();
    render(<SystemMessageCard {...props} canManage onSave={onSave} />);
    fireEvent.change(screen.getByLabelText('Time out after (minutes without a reply)'), {
      target: { value: '0' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Fix the marked fields to save.');
    await waitFor(() => expect(onSave).not.toHaveBeenCalled());
  });

  test('read-only without the manage permission', () => {
    render(<SystemMessageCard {...props} canManage={false} onSave={vi.fn()} />);
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add action' })).toBeNull();
    expect(
      (screen.getByLabelText('Time out after (minutes without a reply)') as HTMLInputElement)
        .disabled,
    ).toBe(true);
    expect(
      screen
        .getByRole('textbox', { name: 'Session timeout message' })
        .getAttribute('contenteditable'),
    ).toBe('false');
  });
});
