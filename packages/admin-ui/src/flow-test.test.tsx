import type { FlowDefinition } from '@chatloom/flow-engine';
import { checkFlow } from '@chatloom/flow-engine/testing';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { sampleFlow } from './__fixtures__/flows.js';
import { FlowTest, type FlowTestRunner, splitLine } from './flow-test.js';

afterEach(cleanup);

/** A step whose only button leads back to it: no way to an end. */
const trapFlow = (): FlowDefinition => ({
  ...sampleFlow(),
  startStep: 'welcome',
  steps: [
    {
      id: 'welcome',
      message: { type: 'text', text: { en: 'Hi!' } },
      options: {
        type: 'buttons',
        buttons: [
          { id: 'go', label: { en: 'Go' }, action: { type: 'goto', step: 'loop' } },
          { id: 'bye', label: { en: 'Bye' }, action: { type: 'end' } },
        ],
      },
    },
    {
      id: 'loop',
      message: { type: 'text', text: { en: 'Round and round' } },
      options: {
        type: 'buttons',
        buttons: [{ id: 'again', label: { en: 'Again' }, action: { type: 'goto', step: 'loop' } }],
      },
    },
  ],
});

/** The worker's job, done in the test's thread. */
const inline: FlowTestRunner = async ({ definition, options }, onProgress) => {
  const { toString: _t, assert: _a, ...report } = checkFlow(definition, { ...options, onProgress });
  return report;
};

describe('Test flow', () => {
  test('a trap step: the failure as a transcript, its property, and Go to step', async () => {
    const onGoToStep = vi.fn();
    const run = vi.fn(inline);
    render(<FlowTest definition={trapFlow()} onGoToStep={onGoToStep} run={run} />);
    fireEvent.change(screen.getByLabelText('Conversations'), { target: { value: '200' } });
    fireEvent.change(screen.getByLabelText('Seed'), { target: { value: '42' } });
    fireEvent.click(screen.getByLabelText('Instagram'));
    fireEvent.click(screen.getByRole('button', { name: 'Run test' }));

    expect(run.mock.calls[0]?.[0].options).toEqual({
      runs: 200,
      seed: 42,
      channels: ['whatsapp', 'messenger'],
    });
    const problem = await screen.findByRole('listitem', { name: /Problem 1: no-trap/ });
    expect(screen.getByText(/problems? found in 200 conversations/)).toBeTruthy();
    expect(screen.getByText(/seed 42/)).toBeTruthy();
    expect(
      within(problem).getByText('No step may trap the user (no way on, no way out)'),
    ).toBeTruthy();
    const transcript = within(problem).getByRole('list', { name: 'Transcript' });
    expect(within(transcript).getByText(/Round and round/)).toBeTruthy();
    expect(within(transcript).getByText('Taps "Go"')).toBeTruthy();
    // The bot's buttons show as chips under its text.
    expect(within(transcript).getByText('Again', { exact: true })).toBeTruthy();

    fireEvent.click(within(problem).getByRole('button', { name: 'Go to step loop' }));
    expect(onGoToStep).toHaveBeenCalledWith('loop');
  });

  test('a good flow: no problems, and what was never reached', async () => {
    const flow = sampleFlow();
    flow.steps.push({
      id: 'orphan',
      message: { type: 'text', text: { en: 'Nobody comes here' } },
      options: { type: 'none', next: { type: 'end' } },
      terminal: true,
    });
    render(<FlowTest definition={flow} onGoToStep={() => {}} run={inline} />);
    fireEvent.change(screen.getByLabelText('Conversations'), { target: { value: '100' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run test' }));
    await screen.findByText('No problems in 100 conversations');
    expect(screen.getByText(/Steps never reached/).textContent).toContain('orphan');
  });

  test('while it runs: progress, and Cancel stops it', async () => {
    let progress: (checked: number, total: number) => void = () => {};
    let aborted = false;
    const run: FlowTestRunner = (_request, onProgress, signal) => {
      progress = onProgress;
      signal.addEventListener('abort', () => {
        aborted = true;
      });
      return new Promise(() => {});
    };
    render(<FlowTest definition={sampleFlow()} onGoToStep={() => {}} run={run} />);
    fireEvent.click(screen.getByRole('button', { name: 'Run test' }));
    expect(screen.getByRole('button', { name: 'Run test' })).toHaveProperty('disabled', true);
    progress(300, 1000);
    await waitFor(() =>
      expect(screen.getByText(/Checked 300 of 1,000 conversations/)).toBeTruthy(),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(aborted).toBe(true);
    expect(screen.queryByText(/Checked 300/)).toBeNull();
  });

  test('bad inputs are named and block the run; a runner error is shown', async () => {
    const run = vi.fn<FlowTestRunner>(async () => {
      throw new Error('worker exploded');
    });
    render(<FlowTest definition={sampleFlow()} onGoToStep={() => {}} run={run} />);
    fireEvent.change(screen.getByLabelText('Conversations'), { target: { value: '0' } });
    fireEvent.change(screen.getByLabelText('Seed'), { target: { value: 'abc' } });
    expect(screen.getByText('Conversations: a whole number from 1 to 100,000.')).toBeTruthy();
    expect(screen.getByText('Seed: a whole number, or empty for a random one.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Run test' })).toHaveProperty('disabled', true);
    fireEvent.change(screen.getByLabelText('Conversations'), { target: { value: '10' } });
    fireEvent.change(screen.getByLabelText('Seed'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run test' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The test could not run: worker exploded',
    );
  });

  test('transcript lines: bot, user, taps and notes', () => {
    expect(splitLine('bot: Hello\n       [1] Yes')).toEqual({
      who: 'bot',
      text: 'Hello\n  [1] Yes',
    });
    expect(splitLine('user: "  hi "')).toEqual({ who: 'user', text: '  hi ' });
    expect(splitLine('user taps: "Menu"')).toEqual({ who: 'user', text: 'Taps "Menu"' });
    expect(splitLine('user switches to es')).toEqual({ who: 'user', text: 'Switches to es' });
    expect(splitLine('-- handed off to a person')).toEqual({
      who: 'note',
      text: 'handed off to a person',
    });
  });
});
