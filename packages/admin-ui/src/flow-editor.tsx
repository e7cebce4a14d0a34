/**
 * The flow builder: flow settings (name, languages, start step, keyword triggers), the steps
 * as a sortable list and/or a graph, each text with its live counter (limits from flow-engine)
 * and the validator's diagnostics on the field they concern. Save stays off while
 * `validateFlow` reports an error, and the list of problems says why.
 *
 * Responsiveness on big flows: a step edit copies that step only (the others keep their
 * identity, so their memoised editors skip the render), and validation runs on a deferred
 * copy of the draft, so typing never waits for it.
 */
import type { Diagnostic, FlowDefinition, Step } from '@chatloom/flow-engine';
import {
  lazy,
  Suspense,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { moveIn, newStep, renameStepIn, uniqueId } from './flow-editor-draft.js';
import {
  Diagnostics,
  type FlowChoices,
  FlowChoicesContext,
  SortableList,
} from './flow-editor-fields.js';
import { FlowSettings } from './flow-editor-settings.js';
import { type StepActions, StepEditor } from './flow-editor-step.js';
import { checkFlow, type FlowCheck } from './flow-limits.js';
import { Button, Loading } from './ui.js';

// React Flow is only loaded when the graph is shown.
const FlowGraph = lazy(() => import('./flow-graph.js').then((m) => ({ default: m.FlowGraph })));

export interface FlowEditorProps {
  initial: FlowDefinition;
  onSave: (definition: FlowDefinition) => void;
  saving?: boolean;
  saveError?: string | undefined;
  /** Called with the draft after every change (e.g. to test the unsaved flow). */
  onDraftChange?: (definition: FlowDefinition) => void;
  /** Shows a step: scrolled into view, expanded and highlighted; a new nonce shows it again. */
  focus?: { stepId: string; nonce: number };
  /**
   * The tenant's flows (GET /flows), for options that start another flow. Without them the
   * editor cannot offer "Start another flow" (an action that already starts one still shows).
   */
  flows?: { id: string; name: string }[];
}

type View = 'list' | 'graph' | 'both';

interface Draft {
  definition: FlowDefinition;
  /** A stable key per step, in step order: step ids change while they are typed. */
  keys: string[];
}

/** Flows this long open with their steps collapsed. */
const expandLimit = 12;

/** Keeps the previous object where a full-copy edit left it unchanged, for memoised steps. */
function reshare(previous: FlowDefinition, next: FlowDefinition): FlowDefinition {
  const same = <T,>(a: T, b: T) => JSON.stringify(a) === JSON.stringify(b);
  return {
    ...next,
    languages: same(previous.languages, next.languages) ? previous.languages : next.languages,
    steps: next.steps.map((step, i) => {
      const old = previous.steps[i];
      return old && same(old, step) ? old : step;
    }),
  };
}

/** Each step's diagnostics, the same array as before when they did not change. */
function useStepDiagnostics(check: FlowCheck, count: number): Diagnostic[][] {
  const cache = useRef<{ signature: string; items: Diagnostic[] }[]>([]);
  return useMemo(() => {
    const groups: Diagnostic[][] = Array.from({ length: count }, () => []);
    for (const d of check.diagnostics) {
      const match = /^\/steps\/(\d+)(?:\/|$)/.exec(d.path);
      if (match) groups[Number(match[1])]?.push(d);
    }
    return groups.map((items, i) => {
      const signature = items.map((d) => `${d.path} ${d.code} ${d.message}`).join('\n');
      const cached = cache.current[i];
      if (cached?.signature === signature) return cached.items;
      cache.current[i] = { signature, items };
      return items;
    });
  }, [check, count]);
}

const flowFields = ['/name', '/startStep', '/defaultLanguage', '/languages', '/triggers'];
const onFlowField = (path: string) =>
  flowFields.some((f) => path === f || path.startsWith(`${f}/`));

export function FlowEditor({
  initial,
  onSave,
  saving = false,
  saveError,
  onDraftChange,
  focus,
  flows,
}: FlowEditorProps) {
  const keyCount = useRef(initial.steps.length);
  const [draft, setDraft] = useState<Draft>(() => ({
    definition: initial,
    keys: initial.steps.map((_, i) => `step-${i}`),
  }));
  const { definition, keys } = draft;
  const current = useRef(draft);
  current.current = draft;
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(
    () => new Set(initial.steps.length <= expandLimit ? draft.keys : []),
  );
  const [chosenLanguage, setLanguage] = useState(initial.defaultLanguage);
  const language = definition.languages.includes(chosenLanguage)
    ? chosenLanguage
    : definition.defaultLanguage;
  const [view, setView] = useState<View>('list');
  const [highlight, setHighlight] = useState<{ key: string; nonce: number } | null>(null);
  const listRef = useRef<HTMLOListElement>(null);

  const deferred = useDeferredValue(definition);
  const check = useMemo(() => checkFlow(deferred), [deferred]);
  const stepDiagnostics = useStepDiagnostics(check, definition.steps.length);
  const flowDiagnostics = useMemo(
    () => check.diagnostics.filter((d) => !d.path.startsWith('/steps/')),
    [check],
  );
  const idsJson = JSON.stringify(definition.steps.map((s) => s.id));
  const stepIds = useMemo(() => JSON.parse(idsJson) as string[], [idsJson]);

  const edit = useCallback((change: (draft: FlowDefinition) => void) => {
    setDraft((d) => {
      const next = structuredClone(d.definition);
      change(next);
      return { ...d, definition: reshare(d.definition, next) };
    });
  }, []);

  const reveal = useCallback((key: string) => {
    setExpanded((set) => new Set(set).add(key));
    setView((v) => (v === 'graph' ? 'both' : v));
    setHighlight((h) => ({ key, nonce: (h?.nonce ?? 0) + 1 }));
  }, []);
  const revealIndex = useCallback(
    (index: number) => {
      const key = current.current.keys[index];
      if (key) reveal(key);
    },
    [reveal],
  );

  const actions: StepActions = useMemo(
    () => ({
      editStep: (index, change) =>
        setDraft((d) => {
          const step = d.definition.steps[index];
          if (!step) return d;
          const copy = structuredClone(step);
          change(copy);
          const steps = d.definition.steps.with(index, copy);
          return { ...d, definition: { ...d.definition, steps } };
        }),
      renameStep: (index, id) => edit((d) => renameStepIn(d, index, id)),
      removeStep: (index) =>
        setDraft((d) => {
          const removed = d.definition.steps[index];
          const steps = d.definition.steps.filter((_, i) => i !== index);
          let { startStep } = d.definition;
          // Removing the start step makes the first remaining step the start.
          if (removed?.id === startStep && !steps.some((s) => s.id === startStep) && steps[0])
            startStep = steps[0].id;
          return {
            definition: { ...d.definition, steps, startStep },
            keys: d.keys.filter((_, i) => i !== index),
          };
        }),
      moveStep: (from, to) =>
        setDraft((d) => {
          const steps = [...d.definition.steps];
          const keys = [...d.keys];
          moveIn(steps, from, to);
          moveIn(keys, from, to);
          return { definition: { ...d.definition, steps }, keys };
        }),
      setStart: (id) =>
        edit((d) => {
          d.startStep = id;
        }),
      toggle: (key) =>
        setExpanded((set) => {
          const next = new Set(set);
          if (!next.delete(key)) next.add(key);
          return next;
        }),
      setLanguage,
    }),
    [edit],
  );

  const addStep = () => {
    const key = `step-${keyCount.current++}`;
    setDraft((d) => {
      const id = uniqueId(
        'step',
        d.definition.steps.map((s) => s.id),
      );
      const step: Step = newStep(id, d.definition.defaultLanguage);
      return {
        definition: { ...d.definition, steps: [...d.definition.steps, step] },
        keys: [...d.keys, key],
      };
    });
    reveal(key);
  };

  // Scroll to, focus and briefly highlight a step that was asked for.
  useEffect(() => {
    if (!highlight) return;
    const element = listRef.current?.querySelector<HTMLElement>(
      `[data-step-key="${highlight.key}"]`,
    );
    element?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
    element?.focus({ preventScroll: true });
    const timer = setTimeout(() => setHighlight(null), 2000);
    return () => clearTimeout(timer);
  }, [highlight]);

  const focusStep = focus?.stepId;
  const focusNonce = focus?.nonce;
  useEffect(() => {
    if (focusStep === undefined || focusNonce === undefined) return;
    const index = current.current.definition.steps.findIndex((s) => s.id === focusStep);
    if (index >= 0) revealIndex(index);
  }, [focusStep, focusNonce, revealIndex]);

  const draftChanged = useRef(onDraftChange);
  draftChanged.current = onDraftChange;
  useEffect(() => {
    if (definition !== initial) draftChanged.current?.(definition);
  }, [definition, initial]);

  const nameOfKey = useCallback((key: string) => {
    const { keys, definition } = current.current;
    const index = keys.indexOf(key);
    return `step ${definition.steps[index]?.id || index + 1}`;
  }, []);
  const errorsByStep = useMemo(
    () => stepDiagnostics.map((items) => items.filter((d) => d.severity === 'error').length),
    [stepDiagnostics],
  );
  const otherProblems = flowDiagnostics.filter((d) => !onFlowField(d.path));
  const flowChoices = useMemo<FlowChoices>(
    () => ({ selfId: definition.id, flows }),
    [definition.id, flows],
  );

  return (
    <FlowChoicesContext.Provider value={flowChoices}>
      <form
        className="space-y-4 p-6"
        aria-label="Flow builder"
        onSubmit={(event) => {
          event.preventDefault();
          // One save at a time, however the form is submitted (the button, Enter in a field).
          if (saving) return;
          // The shown check may lag a keystroke behind: decide on the draft itself.
          if (checkFlow(definition).valid) onSave(definition);
        }}
      >
        <div className="sticky top-0 z-20 -mx-6 -mt-6 flex flex-wrap items-center gap-3 border-b border-slate-200 bg-slate-50/95 px-6 py-3 backdrop-blur">
          <Problems check={check} stepIds={deferred.steps.map((s) => s.id)} onShow={revealIndex} />
          <div className="ml-auto flex items-center gap-3">
            <Button type="submit" disabled={!check.valid || saving}>
              {saving ? 'Saving…' : 'Save'}
            </Button>
          </div>
        </div>
        {saveError && (
          <p
            role="alert"
            className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800"
          >
            {saveError}
          </p>
        )}
        <FlowSettings
          definition={definition}
          diagnostics={flowDiagnostics}
          edit={edit}
          setLanguage={setLanguage}
        />
        <Diagnostics items={otherProblems} />
        <div className="flex flex-wrap items-center gap-2">
          <h2 className="text-base font-semibold">Steps ({definition.steps.length})</h2>
          <Button
            variant="secondary"
            className="ml-2"
            onClick={() => setExpanded(new Set(current.current.keys))}
          >
            Expand all
          </Button>
          <Button variant="secondary" onClick={() => setExpanded(new Set())}>
            Collapse all
          </Button>
          <fieldset className="ml-auto flex rounded border border-slate-300 bg-white text-sm">
            <legend className="sr-only">View</legend>
            {(
              [
                ['list', 'List'],
                ['graph', 'Graph'],
                ['both', 'Side by side'],
              ] as const
            ).map(([value, label]) => (
              <button
                key={value}
                type="button"
                aria-pressed={view === value}
                className={`px-3 py-1.5 first:rounded-l last:rounded-r focus-visible:outline-2 focus-visible:outline-indigo-500 ${
                  view === value ? 'bg-indigo-600 text-white' : 'hover:bg-slate-100'
                }`}
                onClick={() => setView(value)}
              >
                {label}
              </button>
            ))}
          </fieldset>
        </div>
        <div className={view === 'both' ? 'grid grid-cols-2 items-start gap-4' : ''}>
          {view !== 'graph' && (
            <div className="space-y-3">
              <SortableList ids={keys} nameOf={nameOfKey} onMove={actions.moveStep}>
                <ol ref={listRef} aria-label="Steps" className="space-y-3">
                  {definition.steps.map((step, index) => {
                    const key = keys[index] ?? `step-${index}`;
                    return (
                      <StepEditor
                        key={key}
                        index={index}
                        step={step}
                        stepKey={key}
                        count={definition.steps.length}
                        isStart={step.id === definition.startStep}
                        expanded={expanded.has(key)}
                        highlighted={highlight?.key === key}
                        diagnostics={stepDiagnostics[index] ?? []}
                        stepIds={stepIds}
                        language={language}
                        languages={definition.languages}
                        defaultLanguage={definition.defaultLanguage}
                        actions={actions}
                      />
                    );
                  })}
                </ol>
              </SortableList>
              <Button variant="secondary" onClick={addStep}>
                Add step
              </Button>
            </div>
          )}
          {view !== 'list' && (
            // Keyed by view: a remount fits the graph to its new pane.
            <div key={view} className={view === 'both' ? 'sticky top-20 h-[75vh]' : 'h-[75vh]'}>
              <Suspense fallback={<Loading label="Loading the graph…" />}>
                <FlowGraph
                  definition={deferred}
                  language={language}
                  errorsByStep={errorsByStep}
                  onSelect={revealIndex}
                />
              </Suspense>
            </div>
          )}
        </div>
      </form>
    </FlowChoicesContext.Provider>
  );
}

/** "No errors", or how many and, opened, each of them with a way to its step. */
function Problems({
  check,
  stepIds,
  onShow,
}: {
  check: FlowCheck;
  /** The ids of the steps the check saw. */
  stepIds: readonly string[];
  onShow: (index: number) => void;
}) {
  const { errors } = check;
  if (errors.length === 0)
    return (
      <span className="text-sm text-emerald-700" data-testid="flow-status">
        No errors
      </span>
    );
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-red-700" data-testid="flow-status">
        {errors.length} error{errors.length === 1 ? '' : 's'}: fix them to save
      </summary>
      <ul className="mt-2 max-h-64 space-y-1 overflow-auto rounded border border-red-200 bg-white p-2">
        {errors.map((d, n) => {
          const step = Number(/^\/steps\/(\d+)/.exec(d.path)?.[1] ?? Number.NaN);
          const id = `problem-${n}`;
          return (
            <li key={`${d.path}-${d.code}`} className="flex items-start gap-2 text-xs">
              <span className="flex-1 text-red-800" id={id}>
                {d.message}
              </span>
              {!Number.isNaN(step) && (
                <button
                  type="button"
                  aria-label={`Go to step ${stepIds[step] || step + 1}`}
                  aria-describedby={id}
                  className="shrink-0 text-indigo-700 underline"
                  onClick={() => onShow(step)}
                >
                  Show
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </details>
  );
}
