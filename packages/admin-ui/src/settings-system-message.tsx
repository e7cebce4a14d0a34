/**
 * One of the tenant's system messages (invalid input, thank-you, session timeout) as an
 * expandable card: the text per language (rich text, WhatsApp markup), up to three actions keyed
 * 1–3 in order, and the minutes for the session timeout. Rules come from flow-engine
 * (`limits`, `validateSystemMessages`), so the card refuses what the server would refuse.
 */
import {
  type Action,
  codePointLength,
  type Diagnostic,
  limits,
  type SystemMessages,
  validateSystemMessages,
} from '@chatloom/flow-engine';
import * as Collapsible from '@radix-ui/react-collapsible';
import * as Tabs from '@radix-ui/react-tabs';
import { ArrowDown, ArrowUp, ChevronRight, Plus, Trash2 } from 'lucide-react';
import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { Markup } from './markup.js';
import { RichTextEditor } from './rich-text.js';
import { Button, inputClass } from './ui.js';

const fieldOff = 'disabled:bg-slate-50 disabled:text-slate-600';

export type SystemMessageKind = keyof SystemMessages;

export interface StepGroup {
  flowName: string;
  steps: { id: string; name?: string }[];
}

interface ActionDraft {
  label: Record<string, string>;
  type: Action['type'];
  step: string;
  /** For `start`: the flow to start instead of restarting ('' while none is chosen). */
  flow?: string | undefined;
}

export interface MessageDraft {
  text: Record<string, string>;
  actions: ActionDraft[];
  /** As typed, so a bad entry can be shown and explained rather than silently dropped. */
  minutes: string;
}

/** What the action select offers: the action types, `start` split into restart and switch. */
export type ActionChoice = Exclude<Action['type'], 'start'> | 'restart' | 'start-flow';

export const actionChoices: { choice: ActionChoice; label: string }[] = [
  { choice: 'goto', label: 'Go to a step' },
  { choice: 'restart', label: 'Restart the flow' },
  { choice: 'start-flow', label: 'Start another flow' },
  { choice: 'end', label: 'End the conversation' },
  { choice: 'handoff', label: 'Hand off to an agent' },
];

/** The select's value for an action draft. */
export function choiceOf(action: ActionDraft): ActionChoice {
  if (action.type === 'start') return action.flow === undefined ? 'restart' : 'start-flow';
  return action.type;
}

/** A flow of the tenant, as "Start another flow" offers it. */
export interface FlowChoice {
  id: string;
  name: string;
}

type StoredMessage = NonNullable<SystemMessages[SystemMessageKind]>;

export function toDraft(message: StoredMessage | undefined): MessageDraft {
  return {
    text: { ...(message?.text ?? {}) },
    actions: (message?.actions ?? []).map((a) => ({
      label: { ...a.label },
      type: a.action.type,
      step: a.action.type === 'goto' ? a.action.step : '',
      // `start` with a flow switches to that flow; dropping it would turn it into a restart.
      ...(a.action.type === 'start' && a.action.flow !== undefined && { flow: a.action.flow }),
    })),
    minutes: message && 'minutes' in message ? String(message.minutes) : '',
  };
}

/** A draft with no text and no actions means "no such message". */
export function isEmptyDraft(draft: MessageDraft): boolean {
  return (
    Object.values(draft.text).every((t) => t.trim() === '') &&
    draft.actions.length === 0 &&
    draft.minutes.trim() === ''
  );
}

/** The stored shape of a draft (empty languages left out), or undefined for an empty draft. */
export function fromDraft(
  kind: SystemMessageKind,
  draft: MessageDraft,
): Record<string, unknown> | undefined {
  if (isEmptyDraft(draft)) return undefined;
  const text = Object.fromEntries(Object.entries(draft.text).filter(([, t]) => t.trim() !== ''));
  const message: Record<string, unknown> = { text };
  if (draft.actions.length > 0)
    message.actions = draft.actions.map((a) => ({
      label: Object.fromEntries(Object.entries(a.label).filter(([, t]) => t.trim() !== '')),
      action:
        a.type === 'goto'
          ? { type: 'goto', step: a.step }
          : a.type === 'start' && a.flow !== undefined
            ? { type: 'start', flow: a.flow }
            : { type: a.type },
    }));
  if (kind === 'sessionTimeout')
    message.minutes = /^\d+$/.test(draft.minutes.trim()) ? Number(draft.minutes) : draft.minutes;
  return message;
}

/**
 * Field → problem. Keys: `text.<lang>`, `actions`, `action.<i>.label.<lang>`, `action.<i>.step`,
 * `action.<i>.flow`, `minutes`, `form`.
 */
export type Problems = Record<string, string>;

/**
 * What is wrong with a draft: flow-engine's validator (lengths, counts, minutes) plus what the
 * card knows and the schema cannot (a label in every language, a step for "go to").
 */
export function draftProblems(
  kind: SystemMessageKind,
  draft: MessageDraft,
  languages: string[],
): Problems {
  const problems: Problems = {};
  if (isEmptyDraft(draft)) return problems;
  const message = fromDraft(kind, draft);
  const languageName = (l: string) => (languages.length > 1 ? ` (${l})` : '');
  // The first language is the flows' default: the engine falls back to it, so only it is required.
  const main = languages[0] ?? 'en';
  if (!draft.text[main]?.trim())
    problems[`text.${main}`] =
      draft.actions.length > 0 || draft.minutes.trim() !== ''
        ? `Write the message${languageName(main)}; it is what customers in other languages get when their translation is empty.`
        : `Write the message${languageName(main)}.`;
  draft.actions.forEach((a, i) => {
    if (!a.label[main]?.trim())
      problems[`action.${i}.label.${main}`] = `Give action ${i + 1} a label${languageName(main)}.`;
    if (a.type === 'goto' && !a.step)
      problems[`action.${i}.step`] = `Choose the step action ${i + 1} goes to.`;
    if (a.type === 'start' && a.flow === '')
      problems[`action.${i}.flow`] = `Choose the flow action ${i + 1} starts.`;
  });
  if (kind === 'sessionTimeout' && !/^[1-9]\d*$/.test(draft.minutes.trim()))
    problems.minutes =
      draft.minutes.trim() === ''
        ? 'Enter after how many minutes without a reply the session times out.'
        : `“${draft.minutes}” is not a whole number of minutes of at least 1.`;
  const result = validateSystemMessages({ [kind]: message });
  for (const d of result.diagnostics) {
    if (d.severity !== 'error') continue;
    const key = problemKey(kind, d);
    if (!problems[key]) problems[key] = plain(d.message);
  }
  return problems;
}

/** Where a validator diagnostic (`/invalid/actions/0/label/en`) belongs in the card. */
export function problemKey(kind: SystemMessageKind, diagnostic: Diagnostic): string {
  const parts = diagnostic.path.split('/').slice(1);
  if (parts[0] === kind) parts.shift();
  if (parts[0] === 'text' && parts[1]) return `text.${parts[1]}`;
  if (parts[0] === 'minutes') return 'minutes';
  if (parts[0] === 'actions' && parts[1] !== undefined && parts[2] === 'label' && parts[3])
    return `action.${parts[1]}.label.${parts[3]}`;
  if (parts[0] === 'actions' && parts[1] !== undefined && parts[2] === 'action')
    return `action.${parts[1]}.${parts[3] === 'flow' ? 'flow' : 'step'}`;
  if (parts[0] === 'actions') return 'actions';
  return 'form';
}

// The validator's messages start with "system messages: <where>: "; the card already says where.
const plain = (message: string) => {
  const last = message.split(': ').slice(2).join(': ') || message;
  return last.charAt(0).toUpperCase() + last.slice(1);
};

/** JSON with sorted keys: the server may keep the keys in another order than the card writes. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export interface SystemMessageCardProps {
  kind: SystemMessageKind;
  title: string;
  description: string;
  message: StoredMessage | undefined;
  languages: string[];
  stepGroups: StepGroup[];
  /** The tenant's flows for "Start another flow"; undefined when unknown (the choice is hidden). */
  flows?: readonly FlowChoice[];
  /** Names of active flows that set this message themselves (theirs is sent instead). */
  overriddenBy: string[];
  canManage: boolean;
  defaultOpen?: boolean;
  /** Saves the message (undefined removes it); rejects with the server's error. */
  onSave: (message: Record<string, unknown> | undefined) => Promise<void>;
}

export function SystemMessageCard({
  kind,
  title,
  description,
  message,
  languages,
  stepGroups,
  flows,
  overriddenBy,
  canManage,
  defaultOpen = false,
  onSave,
}: SystemMessageCardProps) {
  const id = useId();
  const [open, setOpen] = useState(defaultOpen);
  const [draft, setDraft] = useState(() => toDraft(message));
  const [language, setLanguage] = useState(languages[0] ?? 'en');
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);

  // The stored message changed (saved here, or by someone else and refetched): start from it.
  const stored = canonical(message ?? null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `stored` stands for `message`
  useEffect(() => {
    setDraft(toDraft(message));
    setTried(false);
  }, [stored]);
  useEffect(() => {
    if (!languages.includes(language)) setLanguage(languages[0] ?? 'en');
  }, [languages, language]);

  const dirty = canonical(fromDraft(kind, draft) ?? null) !== stored;
  const problems = draftProblems(kind, draft, languages);
  // Problems show once the user tried to save (the counters speak before), minutes as typed.
  const shown = (key: string) =>
    tried || (key === 'minutes' && draft.minutes !== '') ? problems[key] : undefined;
  const languageProblem = (l: string) =>
    Object.keys(problems).some(
      (k) => (k === `text.${l}` || k.endsWith(`.label.${l}`)) && shown(k) !== undefined,
    );

  const update = (change: (d: MessageDraft) => MessageDraft) => {
    setDraft((d) => change(d));
    setServerError(null);
    setSavedAt(null);
  };
  const setAction = (index: number, change: Partial<ActionDraft>) =>
    update((d) => ({
      ...d,
      actions: d.actions.map((a, i) => (i === index ? { ...a, ...change } : a)),
    }));
  const move = (index: number, by: -1 | 1) =>
    update((d) => {
      const actions = [...d.actions];
      const [item] = actions.splice(index, 1);
      if (item) actions.splice(index + by, 0, item);
      return { ...d, actions };
    });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (Object.keys(problems).length > 0) return;
    setSaving(true);
    setServerError(null);
    try {
      await onSave(fromDraft(kind, draft));
      setSavedAt(Date.now());
      setTried(false);
    } catch (error) {
      setServerError(error instanceof Error ? error.message : String(error));
    } finally {
      setSaving(false);
    }
  };

  const current = message?.text[languages[0] ?? 'en'] ?? Object.values(message?.text ?? {})[0];
  const readOnly = !canManage;
  return (
    <Collapsible.Root
      open={open}
      onOpenChange={setOpen}
      className="rounded-lg border border-slate-200 bg-white shadow-sm"
      data-testid={`system-message-${kind}`}
    >
      <h2>
        <Collapsible.Trigger className="group flex w-full items-start gap-3 rounded-lg px-4 py-3 text-left hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-500">
          <ChevronRight
            aria-hidden
            size={18}
            className="mt-0.5 shrink-0 text-slate-500 transition-transform group-data-[state=open]:rotate-90"
          />
          <span className="min-w-0 flex-1">
            <span className="flex items-center gap-2 text-sm font-semibold text-slate-900">
              {title}
              {message ? (
                kind === 'sessionTimeout' && 'minutes' in message ? (
                  <span className="rounded bg-indigo-50 px-1.5 py-0.5 text-xs font-medium text-indigo-700">
                    after {message.minutes} min
                  </span>
                ) : null
              ) : (
                <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-normal text-slate-600">
                  Not set
                </span>
              )}
              {dirty && (
                <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-normal text-amber-800">
                  Unsaved changes
                </span>
              )}
            </span>
            <span className="block text-xs font-normal text-slate-500">{description}</span>
            {!open && current && (
              <span className="mt-1 line-clamp-1 block text-sm font-normal text-slate-700">
                <Markup text={current} />
              </span>
            )}
          </span>
        </Collapsible.Trigger>
      </h2>
      <Collapsible.Content>
        <form
          onSubmit={submit}
          noValidate
          aria-label={title}
          className="space-y-4 border-t border-slate-200 px-4 py-4"
        >
          {overriddenBy.length > 0 && (
            <p className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900">
              {overriddenBy.length === 1 ? 'The active flow' : 'The active flows'}{' '}
              <strong>{overriddenBy.join(', ')}</strong>{' '}
              {overriddenBy.length === 1 ? 'sets its own' : 'set their own'} {title.toLowerCase()},
              which is sent instead of this one.
            </p>
          )}
          <Tabs.Root value={language} onValueChange={setLanguage}>
            {languages.length > 1 && (
              <Tabs.List
                aria-label="Language"
                className="mb-2 flex gap-1 border-b border-slate-200"
              >
                {languages.map((l) => (
                  <Tabs.Trigger
                    key={l}
                    value={l}
                    className="-mb-px border-b-2 border-transparent px-3 py-1.5 text-sm text-slate-600 focus-visible:outline-2 focus-visible:outline-indigo-500 data-[state=active]:border-indigo-600 data-[state=active]:font-medium data-[state=active]:text-indigo-700"
                  >
                    {l.toUpperCase()}
                    {languageProblem(l) && (
                      <span className="ml-1 text-red-600" title="Has a problem">
                        •<span className="sr-only"> (has a problem)</span>
                      </span>
                    )}
                  </Tabs.Trigger>
                ))}
              </Tabs.List>
            )}
            {languages.map((l) => {
              const problem = shown(`text.${l}`);
              return (
                <Tabs.Content key={l} value={l} className="space-y-1">
                  <span className="block text-sm font-medium text-slate-700">
                    Message{languages.length > 1 ? ` (${l.toUpperCase()})` : ''}
                  </span>
                  <RichTextEditor
                    label={`${title}${languages.length > 1 ? ` (${l})` : ''}`}
                    value={draft.text[l] ?? ''}
                    onChange={(text) => update((d) => ({ ...d, text: { ...d.text, [l]: text } }))}
                    maxLength={limits.systemMessage}
                    invalid={problem !== undefined}
                    describedBy={problem ? `${id}-text-${l}` : undefined}
                    disabled={readOnly}
                    placeholder="Write the message…"
                  />
                  {problem ? (
                    <p id={`${id}-text-${l}`} className="text-xs text-red-700">
                      {problem}
                    </p>
                  ) : (
                    l !== languages[0] &&
                    !draft.text[l]?.trim() &&
                    draft.text[languages[0] ?? '']?.trim() && (
                      <p className="text-xs text-slate-500">
                        Not translated: customers writing in {l.toUpperCase()} get the{' '}
                        {(languages[0] ?? '').toUpperCase()} text.
                      </p>
                    )
                  )}
                </Tabs.Content>
              );
            })}
          </Tabs.Root>

          {kind === 'sessionTimeout' && (
            <div className="space-y-1">
              <label htmlFor={`${id}-minutes`} className="block text-sm font-medium text-slate-700">
                Time out after (minutes without a reply)
              </label>
              <input
                id={`${id}-minutes`}
                className={`${inputClass} ${fieldOff} w-32! ${shown('minutes') ? 'border-red-500' : ''}`}
                inputMode="numeric"
                value={draft.minutes}
                disabled={readOnly}
                aria-invalid={shown('minutes') !== undefined}
                aria-describedby={shown('minutes') ? `${id}-minutes-error` : undefined}
                onChange={(e) => update((d) => ({ ...d, minutes: e.target.value }))}
              />
              {shown('minutes') && (
                <p id={`${id}-minutes-error`} className="text-xs text-red-700">
                  {shown('minutes')}
                </p>
              )}
            </div>
          )}

          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-slate-700">
              Actions{' '}
              <span className="font-normal text-slate-500">
                ({draft.actions.length}/{limits.systemActions}, sent as reply buttons keyed 1–
                {limits.systemActions})
              </span>
            </legend>
            {draft.actions.length === 0 && (
              <p className="text-xs text-slate-500">No actions: the message is sent on its own.</p>
            )}
            {draft.actions.map((action, index) => (
              <ActionRow
                // biome-ignore lint/suspicious/noArrayIndexKey: the position is the action's key (1–3)
                key={index}
                index={index}
                count={draft.actions.length}
                action={action}
                language={language}
                languages={languages}
                stepGroups={stepGroups}
                flows={flows}
                readOnly={readOnly}
                problem={(key) => shown(`action.${index}.${key}`)}
                onChange={(change) => setAction(index, change)}
                onMove={(by) => move(index, by)}
                onRemove={() =>
                  update((d) => ({ ...d, actions: d.actions.filter((_, i) => i !== index) }))
                }
              />
            ))}
            {shown('actions') && <p className="text-xs text-red-700">{shown('actions')}</p>}
            {!readOnly && (
              <Button
                variant="secondary"
                disabled={draft.actions.length >= limits.systemActions}
                onClick={() =>
                  update((d) => ({
                    ...d,
                    actions: [...d.actions, { label: {}, type: 'start', step: '' }],
                  }))
                }
                className="inline-flex items-center gap-1"
              >
                <Plus aria-hidden size={14} /> Add action
              </Button>
            )}
            {!readOnly && draft.actions.length >= limits.systemActions && (
              <span className="ml-2 text-xs text-slate-500">
                WhatsApp shows at most {limits.systemActions} buttons.
              </span>
            )}
          </fieldset>

          {(serverError || (tried && shown('form'))) && (
            <div
              role="alert"
              className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800"
            >
              {serverError ?? shown('form')}
            </div>
          )}
          {!readOnly && (
            <div className="flex items-center gap-3">
              <Button type="submit" disabled={saving || !dirty}>
                {saving ? 'Saving…' : 'Save'}
              </Button>
              {dirty && (
                <Button
                  variant="secondary"
                  onClick={() => {
                    setDraft(toDraft(message));
                    setTried(false);
                    setServerError(null);
                  }}
                >
                  Discard changes
                </Button>
              )}
              {tried && Object.keys(problems).length > 0 && (
                <span role="alert" className="text-sm text-red-700">
                  Fix the marked fields to save.
                </span>
              )}
              {savedAt && !dirty && (
                <span role="status" className="text-sm text-green-700">
                  Saved.
                </span>
              )}
              {message && !isEmptyDraft(draft) && (
                // Empties the card (text in every language, actions, minutes); Save then
                // removes the message, Discard changes brings it back.
                <Button
                  variant="secondary"
                  onClick={() => {
                    setDraft(toDraft(undefined));
                    setServerError(null);
                  }}
                >
                  Clear data
                </Button>
              )}
              {isEmptyDraft(draft) && message && (
                <span className="text-xs text-slate-500">
                  Saving with no text removes this message.
                </span>
              )}
            </div>
          )}
        </form>
      </Collapsible.Content>
    </Collapsible.Root>
  );
}

function ActionRow({
  index,
  count,
  action,
  language,
  languages,
  stepGroups,
  flows,
  readOnly,
  problem,
  onChange,
  onMove,
  onRemove,
}: {
  index: number;
  count: number;
  action: ActionDraft;
  language: string;
  languages: string[];
  stepGroups: StepGroup[];
  flows: readonly FlowChoice[] | undefined;
  readOnly: boolean;
  problem: (key: string) => string | undefined;
  onChange: (change: Partial<ActionDraft>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const key = index + 1;
  const label = action.label[language] ?? '';
  const length = codePointLength(label);
  const labelProblem = problem(`label.${language}`);
  const stepProblem = problem('step');
  const flowProblem = problem('flow');
  const choice = choiceOf(action);
  const choose = (next: ActionChoice) =>
    onChange(
      next === 'restart'
        ? { type: 'start', flow: undefined }
        : next === 'start-flow'
          ? { type: 'start', flow: flows?.[0]?.id ?? '' }
          : { type: next, flow: undefined },
    );
  const known = stepGroups.some((g) => g.steps.some((s) => s.id === action.step));
  const suffix = languages.length > 1 ? ` (${language.toUpperCase()})` : '';
  return (
    <div
      className="grid grid-cols-[auto_minmax(0,1fr)_minmax(0,1fr)_auto] items-start gap-3 rounded border border-slate-200 p-3"
      data-testid={`action-${key}`}
    >
      <span
        className="mt-6 inline-flex size-6 items-center justify-center rounded-full bg-slate-800 text-xs font-semibold text-white"
        title={`Key ${key}`}
      >
        {key}
        <span className="sr-only"> (key {key})</span>
      </span>
      <div className="space-y-1">
        <div className="flex items-baseline justify-between">
          <label htmlFor={`${id}-label`} className="text-xs font-medium text-slate-700">
            Action {key} label{suffix}
          </label>
          <span
            data-testid="counter"
            className={`text-xs tabular-nums ${length > limits.systemActionLabel ? 'font-medium text-red-600' : 'text-slate-500'}`}
          >
            {length}/{limits.systemActionLabel}
          </span>
        </div>
        <input
          id={`${id}-label`}
          className={`${inputClass} ${fieldOff} ${labelProblem || length > limits.systemActionLabel ? 'border-red-500' : ''}`}
          value={label}
          placeholder={language === languages[0] ? '' : (action.label[languages[0] ?? ''] ?? '')}
          disabled={readOnly}
          aria-invalid={labelProblem !== undefined || length > limits.systemActionLabel}
          aria-describedby={labelProblem ? `${id}-label-error` : undefined}
          onChange={(e) => onChange({ label: { ...action.label, [language]: e.target.value } })}
        />
        {labelProblem && (
          <p id={`${id}-label-error`} className="text-xs text-red-700">
            {labelProblem}
          </p>
        )}
      </div>
      <div className="space-y-1">
        <label htmlFor={`${id}-type`} className="block text-xs font-medium text-slate-700">
          Action {key} does
        </label>
        <select
          id={`${id}-type`}
          className={`${inputClass} ${fieldOff}`}
          value={choice}
          disabled={readOnly}
          onChange={(e) => choose(e.target.value as ActionChoice)}
        >
          {actionChoices.map(({ choice: value, label: text }) =>
            // Without the tenant's flows there is nothing to pick (unless the action has one).
            value === 'start-flow' && flows === undefined && choice !== value ? null : (
              <option
                key={value}
                value={value}
                disabled={value === 'start-flow' && flows?.length === 0 && choice !== value}
              >
                {value === 'start-flow' && flows?.length === 0 ? `${text} (no flows)` : text}
              </option>
            ),
          )}
        </select>
        {action.type === 'start' && action.flow !== undefined && (
          <>
            <label htmlFor={`${id}-flow`} className="sr-only">
              Action {key} flow to start
            </label>
            <select
              id={`${id}-flow`}
              className={`${inputClass} ${fieldOff} ${flowProblem ? 'border-red-500' : ''}`}
              value={action.flow}
              disabled={readOnly}
              aria-invalid={flowProblem !== undefined}
              aria-describedby={flowProblem ? `${id}-flow-error` : undefined}
              onChange={(e) => onChange({ flow: e.target.value })}
            >
              {(flows ?? []).map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name === f.id ? f.id : `${f.name} (${f.id})`}
                </option>
              ))}
              {/* Deleted since, or the flows are not known: keep the stored id visible. */}
              {!flows?.some((f) => f.id === action.flow) && (
                <option value={action.flow}>
                  {action.flow
                    ? `${action.flow}${flows ? ' (not a flow of this workspace)' : ''}`
                    : 'Choose a flow…'}
                </option>
              )}
            </select>
            {flowProblem && (
              <p id={`${id}-flow-error`} className="text-xs text-red-700">
                {flowProblem}
              </p>
            )}
          </>
        )}
        {action.type === 'goto' && (
          <>
            <label htmlFor={`${id}-step`} className="sr-only">
              Action {key} step
            </label>
            <select
              id={`${id}-step`}
              className={`${inputClass} ${fieldOff} ${stepProblem ? 'border-red-500' : ''}`}
              value={action.step}
              disabled={readOnly}
              aria-invalid={stepProblem !== undefined}
              aria-describedby={stepProblem ? `${id}-step-error` : undefined}
              onChange={(e) => onChange({ step: e.target.value })}
            >
              <option value="">Choose a step…</option>
              {action.step && !known && (
                <option value={action.step}>{action.step} (missing from an active flow)</option>
              )}
              {stepGroups.map((group) => (
                <optgroup key={group.flowName} label={group.flowName}>
                  {group.steps.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name ? `${s.name} (${s.id})` : s.id}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
            {stepGroups.length === 0 && (
              <p className="text-xs text-slate-500">No flow is active, so there are no steps.</p>
            )}
            {stepProblem && (
              <p id={`${id}-step-error`} className="text-xs text-red-700">
                {stepProblem}
              </p>
            )}
          </>
        )}
      </div>
      {!readOnly && (
        <div className="mt-5 flex gap-0.5">
          <IconButton
            label={`Move action ${key} up`}
            disabled={index === 0}
            onClick={() => onMove(-1)}
          >
            <ArrowUp aria-hidden size={14} />
          </IconButton>
          <IconButton
            label={`Move action ${key} down`}
            disabled={index === count - 1}
            onClick={() => onMove(1)}
          >
            <ArrowDown aria-hidden size={14} />
          </IconButton>
          <IconButton label={`Remove action ${key}`} onClick={onRemove}>
            <Trash2 aria-hidden size={14} />
          </IconButton>
        </div>
      )}
    </div>
  );
}

function IconButton({
  label,
  disabled,
  onClick,
  children,
}: {
  label: string;
  disabled?: boolean;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      disabled={disabled}
      onClick={onClick}
      className="rounded p-1.5 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-30"
    >
      {children}
    </button>
  );
}
