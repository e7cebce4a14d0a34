/**
 * "Test flow": property-tests the builder's current draft with flow-engine's `checkFlow`
 * (thousands of generated conversations: taps, typos, stale buttons, timeouts, language
 * switches) in a Web Worker, and shows what broke as the shortest chat that shows it, with a
 * link to the step. Same checks as `chatloom flow check`, so no rule is written twice.
 */
import type { ChannelName, FlowDefinition } from '@chatloom/flow-engine';
import { AlertTriangle, CheckCircle2, FlaskConical, LocateFixed } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import type {
  FlowTestOptions,
  FlowTestReply,
  FlowTestReport,
  FlowTestRequest,
} from './flow-test-types.js';
import { Button, inputClass } from './ui.js';

export type { FlowTestReport } from './flow-test-types.js';

/** Runs a check; `onProgress` as conversations are checked. Resolves with the report. */
export type FlowTestRunner = (
  request: FlowTestRequest,
  onProgress: (checked: number, total: number) => void,
  signal: AbortSignal,
) => Promise<FlowTestReport>;

/** The browser's runner: one module worker per run, ended on abort. */
export const workerRunner: FlowTestRunner = (request, onProgress, signal) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./flow-test.worker.ts', import.meta.url), {
      type: 'module',
    });
    const stop = () => {
      worker.terminate();
      reject(new DOMException('Cancelled', 'AbortError'));
    };
    signal.addEventListener('abort', stop, { once: true });
    worker.addEventListener('message', (event: MessageEvent<FlowTestReply>) => {
      const reply = event.data;
      if (reply.type === 'progress') return onProgress(reply.checked, reply.total);
      signal.removeEventListener('abort', stop);
      worker.terminate();
      if (reply.type === 'done') resolve(reply.report);
      else reject(new Error(reply.message));
    });
    worker.addEventListener('error', (event) => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
      reject(new Error(event.message || 'The test worker failed to start'));
    });
    worker.postMessage(request);
  });

const allChannels: { name: ChannelName; label: string }[] = [
  { name: 'whatsapp', label: 'WhatsApp' },
  { name: 'messenger', label: 'Messenger' },
  { name: 'instagram', label: 'Instagram' },
];

const propertyNames: Record<string, string> = {
  'no-crash': 'The engine must not crash',
  'declared-state': 'Every step must be one the flow declares',
  'no-trap': 'No step may trap the user (no way on, no way out)',
  'timeout-armed': 'A waiting session must time out',
  'channel-limits': "Messages must fit the channel's limits",
  translations: 'Every language needs its translations',
  'nothing-after-end': 'Nothing may be sent after the flow ends',
  replay: 'The same conversation must give the same answers',
  'valid-flow': 'The flow must be valid',
};

type State =
  | { kind: 'idle' }
  | { kind: 'running'; checked: number; total: number }
  | { kind: 'done'; report: FlowTestReport; tested: FlowDefinition }
  | { kind: 'error'; message: string };

export function FlowTest({
  definition,
  onGoToStep,
  run = workerRunner,
}: {
  /** The draft to test (the builder's current state, saved or not). */
  definition: FlowDefinition;
  onGoToStep: (stepId: string) => void;
  run?: FlowTestRunner;
}) {
  const ids = useId();
  const [runs, setRuns] = useState('1000');
  const [seed, setSeed] = useState('');
  const [channels, setChannels] = useState<ChannelName[]>(allChannels.map((c) => c.name));
  const [state, setState] = useState<State>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const runCount = Number(runs);
  const runsValid = Number.isInteger(runCount) && runCount >= 1 && runCount <= 100_000;
  const seedValid = seed.trim() === '' || /^\d{1,10}$/.test(seed.trim());
  const canRun = runsValid && seedValid && channels.length > 0 && state.kind !== 'running';

  const start = () => {
    if (!canRun) return;
    const controller = new AbortController();
    abort.current = controller;
    const options: FlowTestOptions = {
      runs: runCount,
      // A seed is always sent (and shown) so a failure can be replayed exactly.
      seed: seed.trim() === '' ? Math.floor(Math.random() * 2 ** 31) : Number(seed.trim()),
      channels,
    };
    const tested = definition;
    setState({ kind: 'running', checked: 0, total: runCount });
    run(
      { definition: tested, options },
      (checked, total) => {
        if (!controller.signal.aborted) setState({ kind: 'running', checked, total });
      },
      controller.signal,
    ).then(
      (report) => {
        if (!controller.signal.aborted) setState({ kind: 'done', report, tested });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({
          kind: 'error',
          message: error instanceof Error ? error.message : String(error),
        });
      },
    );
  };
  const cancel = () => {
    abort.current?.abort();
    setState({ kind: 'idle' });
  };

  return (
    <section aria-label="Test flow" className="space-y-4 p-4 text-sm">
      <p className="text-slate-600">
        Chats with your draft thousands of times (taps, typos, old buttons, timeouts, language
        switches) and reports any conversation that breaks a rule.
      </p>
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          start();
        }}
      >
        <div className="grid grid-cols-2 gap-3">
          <label className="block" htmlFor={`${ids}-runs`}>
            Conversations
            <input
              id={`${ids}-runs`}
              className={inputClass}
              inputMode="numeric"
              value={runs}
              aria-invalid={!runsValid}
              aria-describedby={runsValid ? undefined : `${ids}-runs-error`}
              onChange={(e) => setRuns(e.target.value)}
            />
          </label>
          <label className="block" htmlFor={`${ids}-seed`}>
            Seed
            <input
              id={`${ids}-seed`}
              className={inputClass}
              inputMode="numeric"
              placeholder="random"
              value={seed}
              aria-invalid={!seedValid}
              aria-describedby={seedValid ? undefined : `${ids}-seed-error`}
              onChange={(e) => setSeed(e.target.value)}
            />
          </label>
        </div>
        {!runsValid && (
          <p id={`${ids}-runs-error`} className="text-xs text-red-700">
            Conversations: a whole number from 1 to 100,000.
          </p>
        )}
        {!seedValid && (
          <p id={`${ids}-seed-error`} className="text-xs text-red-700">
            Seed: a whole number, or empty for a random one.
          </p>
        )}
        <fieldset>
          <legend className="mb-1">Channels the flow must fit</legend>
          <div className="flex flex-wrap gap-3">
            {allChannels.map((channel) => (
              <label key={channel.name} className="flex items-center gap-1.5">
                <input
                  type="checkbox"
                  checked={channels.includes(channel.name)}
                  onChange={(e) =>
                    setChannels((current) =>
                      e.target.checked
                        ? [...current, channel.name]
                        : current.filter((c) => c !== channel.name),
                    )
                  }
                />
                {channel.label}
              </label>
            ))}
          </div>
          {channels.length === 0 && (
            <p className="mt-1 text-xs text-red-700">Pick at least one channel.</p>
          )}
        </fieldset>
        <div className="flex gap-2">
          <Button type="submit" disabled={!canRun}>
            <FlaskConical className="mr-1 inline size-4" aria-hidden />
            {state.kind === 'done' ? 'Run again' : 'Run test'}
          </Button>
          {state.kind === 'running' && (
            <Button variant="secondary" onClick={cancel}>
              Cancel
            </Button>
          )}
        </div>
      </form>

      {state.kind === 'running' && (
        <div role="status" aria-live="polite" aria-busy="true">
          <progress
            className="h-2 w-full"
            max={state.total}
            value={state.checked}
            aria-label="Conversations checked"
          />
          <p className="mt-1 text-xs text-slate-600">
            Checked {state.checked.toLocaleString()} of {state.total.toLocaleString()}{' '}
            conversations…
          </p>
        </div>
      )}
      {state.kind === 'error' && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">
          The test could not run: {state.message}
        </p>
      )}
      {state.kind === 'done' && (
        <Report report={state.report} stale={state.tested !== definition} onGoToStep={onGoToStep} />
      )}
    </section>
  );
}

function Report({
  report,
  stale,
  onGoToStep,
}: {
  report: FlowTestReport;
  stale: boolean;
  onGoToStep: (stepId: string) => void;
}) {
  const seconds = (report.durationMs / 1000).toFixed(1);
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  const unreachedSteps = report.coverage.steps.filter((s) => !s.reached);
  const unchosen = report.coverage.options.filter((o) => !o.chosen);
  return (
    <div className="space-y-4" data-testid="flow-test-report">
      <div
        role="status"
        className={`flex items-start gap-2 rounded border p-3 ${report.ok ? 'border-emerald-300 bg-emerald-50 text-emerald-900' : 'border-amber-300 bg-amber-50 text-amber-900'}`}
      >
        {report.ok ? (
          <CheckCircle2 className="mt-0.5 size-4 shrink-0" aria-hidden />
        ) : (
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
        )}
        <div>
          <p className="font-medium">
            {report.ok
              ? `No problems in ${report.runs.toLocaleString()} conversations`
              : `${report.failures.length} ${report.failures.length === 1 ? 'problem' : 'problems'} found in ${report.runs.toLocaleString()} conversations`}
          </p>
          <p className="text-xs">
            {seconds} s · seed {report.seed} (enter it to replay this run)
          </p>
        </div>
      </div>
      {stale && (
        <p className="text-xs text-slate-600">
          The flow changed since this run; run again to test the changes.
        </p>
      )}
      {errors.length > 0 && (
        <p className="text-xs text-red-700">
          The draft has {errors.length} validation {errors.length === 1 ? 'error' : 'errors'}, shown
          on the fields in the editor.
        </p>
      )}
      {report.failures.length > 0 && (
        <ol className="space-y-3" aria-label="Problems found">
          {report.failures.map((failure, index) => (
            <li
              // biome-ignore lint/suspicious/noArrayIndexKey: a report's failures never reorder
              key={index}
              className="rounded border border-slate-200 bg-white p-3"
              aria-label={`Problem ${index + 1}: ${failure.property}`}
            >
              <p className="font-medium text-slate-900">
                {propertyNames[failure.property] ?? `Your check "${failure.property}"`}
              </p>
              <p className="text-xs text-slate-500">
                <code>{failure.property}</code>
                {failure.stepId && (
                  <>
                    {' '}
                    at step <code>{failure.stepId}</code>
                  </>
                )}
              </p>
              <p className="mt-1 text-slate-700">{failure.message}</p>
              {failure.stepId && (
                <button
                  type="button"
                  className="mt-2 inline-flex items-center gap-1 text-indigo-700 underline"
                  onClick={() => onGoToStep(failure.stepId!)}
                >
                  <LocateFixed className="size-3.5" aria-hidden />
                  Go to step {failure.stepId}
                </button>
              )}
              {failure.transcript.length > 0 && <Transcript lines={failure.transcript} />}
            </li>
          ))}
        </ol>
      )}
      <div>
        <h3 className="font-medium">Coverage</h3>
        {unreachedSteps.length === 0 && unchosen.length === 0 ? (
          <p className="text-xs text-slate-600">Every step and option was reached.</p>
        ) : (
          <ul className="mt-1 space-y-1 text-xs text-slate-700">
            {unreachedSteps.length > 0 && (
              <li>
                Steps never reached:{' '}
                {unreachedSteps.map((s, i) => (
                  <span key={s.id}>
                    {i > 0 && ', '}
                    <button
                      type="button"
                      className="text-indigo-700 underline"
                      onClick={() => onGoToStep(s.id)}
                    >
                      {s.id}
                    </button>
                  </span>
                ))}
              </li>
            )}
            {unchosen.length > 0 && (
              <li>
                Options never chosen:{' '}
                {unchosen.map((o) => `${o.stepId} › ${o.optionId}`).join(', ')}
              </li>
            )}
          </ul>
        )}
      </div>
    </div>
  );
}

/** A failure's conversation as a chat: the bot on the left, the user on the right. */
export function Transcript({ lines }: { lines: string[] }) {
  return (
    <ol className="mt-3 space-y-1.5 rounded bg-slate-100 p-2" aria-label="Transcript">
      {lines.map((line, index) => {
        const { who, text } = splitLine(line);
        const bubble =
          who === 'bot'
            ? 'mr-8 self-start rounded-lg rounded-tl-none bg-white'
            : who === 'user'
              ? 'ml-8 self-end rounded-lg rounded-tr-none bg-emerald-100'
              : 'self-center text-slate-500 italic';
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: transcript lines are positional
          <li key={index} className="flex flex-col">
            <span className={`px-2 py-1 text-xs whitespace-pre-wrap break-words ${bubble}`}>
              {who === 'bot' ? <BotText text={text} /> : text}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** A bot message of a transcript: its text, then its buttons and rows as chips. */
function BotText({ text }: { text: string }) {
  const lines = text.split('\n');
  const choice = /^ {2}(?:\[\d+\]|\(\d+\)|≡) (.*)$/;
  const body = lines.filter((l) => !choice.test(l)).join('\n');
  const choices = lines.flatMap((l) => {
    const m = choice.exec(l);
    return m ? [m[1] ?? ''] : [];
  });
  return (
    <>
      {body}
      {choices.length > 0 && (
        <span className="mt-1 flex flex-wrap gap-1">
          {choices.map((title, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: choices are positional
            <span key={i} className="rounded border border-sky-200 px-1.5 text-sky-700">
              {title}
            </span>
          ))}
        </span>
      )}
    </>
  );
}

/** `bot: …` and `user…: …` lines of checkFlow's transcripts; anything else is a note. */
export function splitLine(line: string): { who: 'bot' | 'user' | 'note'; text: string } {
  if (line.startsWith('bot: ')) return { who: 'bot', text: line.slice(5).replace(/\n {5}/g, '\n') };
  const user = /^user( taps| switches to)?:? (.*)$/s.exec(line);
  if (user) {
    const verb = user[1]?.trim();
    const rest = user[2] ?? '';
    return {
      who: 'user',
      text: verb === 'taps' ? `Taps ${rest}` : verb ? `Switches to ${rest}` : unquote(rest),
    };
  }
  return { who: 'note', text: line.replace(/^-- /, '') };
}

/** Typed text comes JSON-quoted (so blanks and odd characters show); show it as typed. */
function unquote(text: string): string {
  if (!text.startsWith('"')) return text;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : text;
  } catch {
    return text;
  }
}
