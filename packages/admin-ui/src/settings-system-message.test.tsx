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

  test('validator paths map to the fields', () => {
    const d = { code: 'x', message: 'm', severity: 'error' as const };
    expect(problemKey('invalid', { ...d, path: '/invalid/text/es' })).toBe('text.es');
    expect(problemKey('invalid', { ...d, path: '/invalid/actions/1/label/en' })).toBe(
      'action.1.label.en',
    );
    expect(problemKey('sessionTimeout', { ...d, path: '/sessionTimeout/minutes' })).toBe('minutes');
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
