/**
 * The flow builder's form: steps, their message and options of every type, each limited text
 * with its live counter (limits from flow-engine) and the validator's diagnostics on the field.
 * Save stays off while `validateFlow` reports an error.
 */
import type {
  Action,
  FlowDefinition,
  LocalizedText,
  Step,
  StepOptions,
} from '@chatloom/flow-engine';
import { type ReactNode, useId, useMemo, useState } from 'react';
import {
  checkFlow,
  countOf,
  type FieldKind,
  type FlowCheck,
  fieldLimits,
  messageLimit,
  optionsLeft,
  withinLimit,
} from './flow-limits.js';
import { Button, inputClass } from './ui.js';

type Update = (change: (draft: FlowDefinition) => void) => void;

interface Context {
  check: FlowCheck;
  language: string;
  update: Update;
  stepIds: string[];
}

export function FlowEditor({
  initial,
  onSave,
  saving = false,
  saveError,
}: {
  initial: FlowDefinition;
  onSave: (definition: FlowDefinition) => void;
  saving?: boolean;
  saveError?: string | undefined;
}) {
  const [definition, setDefinition] = useState(initial);
  const [language, setLanguage] = useState(initial.defaultLanguage);
  const check = useMemo(() => checkFlow(definition), [definition]);
  const update: Update = (change) =>
    setDefinition((current) => {
      const draft = structuredClone(current);
      change(draft);
      return draft;
    });
  const context: Context = { check, language, update, stepIds: definition.steps.map((s) => s.id) };
  const flowLevel = check.errors.filter((d) => !d.path.startsWith('/steps/'));

  return (
    <form
      className="space-y-4 p-6"
      aria-label="Flow builder"
      onSubmit={(event) => {
        event.preventDefault();
        if (check.valid) onSave(definition);
      }}
    >
      <div className="flex flex-wrap items-end gap-4">
        <label className="text-sm">
          Name
          <input
            className={inputClass}
            value={definition.name}
            onChange={(e) =>
              update((d) => {
                d.name = e.target.value;
              })
            }
          />
        </label>
        <label className="text-sm">
          Language
          <select
            className={inputClass}
            value={language}
            onChange={(e) => setLanguage(e.target.value)}
            aria-label="Editing language"
          >
            {definition.languages.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          Start step
          <select
            className={inputClass}
            value={definition.startStep}
            onChange={(e) =>
              update((d) => {
                d.startStep = e.target.value;
              })
            }
          >
            {context.stepIds.map((id) => (
              <option key={id}>{id}</option>
            ))}
          </select>
        </label>
        <div className="ml-auto flex items-center gap-3">
          <span className="text-sm" data-testid="flow-status">
            {check.valid
              ? 'No errors'
              : `${check.errors.length} error${check.errors.length === 1 ? '' : 's'}: fix them to save`}
          </span>
          <Button type="submit" disabled={!check.valid || saving}>
            {saving ? 'Saving…' : 'Save'}
          </Button>
        </div>
      </div>
      {saveError && (
        <p role="alert" className="text-sm text-red-700">
          {saveError}
        </p>
      )}
      {flowLevel.length > 0 && <Diagnostics items={flowLevel} />}
      {definition.steps.map((step, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: step ids are edited here; a step is its position
        <StepEditor key={index} step={step} index={index} context={context} />
      ))}
      <Button
        variant="secondary"
        onClick={() =>
          update((d) => {
            d.steps.push(
              newStep(
                uniqueId(
                  'step',
                  d.steps.map((s) => s.id),
                ),
                d.languages,
              ),
            );
          })
        }
      >
        Add step
      </Button>
    </form>
  );
}

function uniqueId(base: string, taken: string[]): string {
  for (let n = taken.length + 1; ; n++) if (!taken.includes(`${base}${n}`)) return `${base}${n}`;
}

const localized = (languages: string[], text: string): LocalizedText =>
  Object.fromEntries(languages.map((l) => [l, text]));

function newStep(id: string, languages: string[]): Step {
  return {
    id,
    message: { type: 'text', text: localized(languages, 'New message') },
    options: { type: 'none', next: { type: 'end' } },
  };
}

/** A fresh options object of a type, for when the type changes. */
export function optionsOfType(type: StepOptions['type'], languages: string[]): StepOptions {
  const action: Action = { type: 'end' };
  switch (type) {
    case 'buttons':
      return { type, buttons: [{ id: 'b1', label: localized(languages, 'Yes'), action }] };
    case 'list':
      return {
        type,
        buttonLabel: localized(languages, 'Choose'),
        rows: [{ id: 'r1', title: localized(languages, 'Option'), action }],
      };
    case 'sections':
      return {
        type,
        buttonLabel: localized(languages, 'Choose'),
        sections: [
          {
            title: localized(languages, 'Section'),
            rows: [{ id: 'r1', title: localized(languages, 'Option'), action }],
          },
        ],
      };
    case 'navigation':
      return {
        type,
        groups: [{ options: [{ id: 'o1', label: localized(languages, 'Option'), action }] }],
      };
    default:
      return { type: 'none', next: action };
  }
}

function StepEditor({ step, index, context }: { step: Step; index: number; context: Context }) {
  const { update, language } = context;
  const path = `/steps/${index}`;
  const message = step.message;
  return (
    <fieldset
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-label={`Step ${step.id}`}
    >
      <div className="flex items-end gap-3">
        <Field label="Step id" pointer={`${path}/id`} check={context.check}>
          {(id) => (
            <input
              id={id}
              className={inputClass}
              value={step.id}
              onChange={(e) =>
                update((d) => {
                  d.steps[index]!.id = e.target.value;
                })
              }
            />
          )}
        </Field>
        <label className="text-sm">
          Options
          <select
            className={inputClass}
            aria-label="Option type"
            value={step.options.type}
            onChange={(e) =>
              update((d) => {
                const s = d.steps[index]!;
                s.options = optionsOfType(e.target.value as StepOptions['type'], d.languages);
              })
            }
          >
            <option value="none">Text input</option>
            <option value="buttons">Buttons</option>
            <option value="list">List</option>
            <option value="sections">List with sections</option>
            <option value="navigation">Lettered options</option>
          </select>
        </label>
        <Button
          variant="secondary"
          className="ml-auto"
          onClick={() => update((d) => void d.steps.splice(index, 1))}
        >
          Remove step
        </Button>
      </div>
      {message.type === 'text' ? (
        <LimitedText
          label="Message"
          multiline
          value={message.text}
          max={messageLimit(step.options)}
          pointer={`${path}/message/text`}
          context={context}
          set={(d, text) => {
            const m = d.steps[index]!.message;
            if (m.type === 'text') m.text[language] = text;
          }}
        />
      ) : (
        <p className="text-sm text-slate-500">A {message.type} message (edit it as JSON).</p>
      )}
      <OptionsEditor step={step} index={index} context={context} />
    </fieldset>
  );
}

function OptionsEditor({ step, index, context }: { step: Step; index: number; context: Context }) {
  const options = step.options;
  const path = `/steps/${index}/options`;
  const left = optionsLeft(options);
  const { update } = context;
  const opts = (d: FlowDefinition) => d.steps[index]!.options;
  const languages = (d: FlowDefinition) => d.languages;
  const action: Action = { type: 'end' };

  switch (options.type) {
    case 'none':
      return (
        <ActionEditor
          label="After any text"
          action={options.next}
          context={context}
          set={(d, a) => {
            const o = opts(d);
            if (o.type === 'none') o.next = a;
          }}
        />
      );
    case 'buttons':
      return (
        <div className="space-y-2">
          <Diagnostics items={context.check.at(`${path}/buttons`).filter(countCodes)} />
          {options.buttons.map((button, i) => (
            <OptionRow
              key={button.id}
              onRemove={() => update((d) => removeAt(opts(d), 'buttons', i))}
            >
              <LimitedText
                label={`Button ${i + 1}`}
                kind="buttonLabel"
                value={button.label}
                pointer={`${path}/buttons/${i}/label`}
                context={context}
                set={(d, text) => {
                  const o = opts(d);
                  if (o.type === 'buttons') o.buttons[i]!.label[context.language] = text;
                }}
              />
              <ActionEditor
                action={button.action}
                context={context}
                set={(d, a) => {
                  const o = opts(d);
                  if (o.type === 'buttons') o.buttons[i]!.action = a;
                }}
              />
            </OptionRow>
          ))}
          <AddOption
            label="Add button"
            left={left}
            onAdd={() =>
              update((d) => {
                const o = opts(d);
                if (o.type === 'buttons')
                  o.buttons.push({
                    id: uniqueId(
                      'b',
                      o.buttons.map((b) => b.id),
                    ),
                    label: localized(languages(d), `Button ${o.buttons.length + 1}`),
                    action,
                  });
              })
            }
          />
        </div>
      );
    case 'list':
      return (
        <div className="space-y-2">
          <LimitedText
            label="List button"
            kind="listButton"
            value={options.buttonLabel}
            pointer={`${path}/buttonLabel`}
            context={context}
            set={(d, text) => {
              const o = opts(d);
              if (o.type === 'list') o.buttonLabel[context.language] = text;
            }}
          />
          <Diagnostics items={context.check.at(`${path}/rows`).filter(countCodes)} />
          {options.rows.map((row, i) => (
            <OptionRow key={row.id} onRemove={() => update((d) => removeAt(opts(d), 'rows', i))}>
              <RowFields
                row={row}
                pointer={`${path}/rows/${i}`}
                context={context}
                rowOf={(d) => {
                  const o = opts(d);
                  return o.type === 'list' ? o.rows[i] : undefined;
                }}
              />
            </OptionRow>
          ))}
          <AddOption
            label="Add row"
            left={left}
            onAdd={() =>
              update((d) => {
                const o = opts(d);
                if (o.type === 'list')
                  o.rows.push({
                    id: uniqueId(
                      'r',
                      o.rows.map((r) => r.id),
                    ),
                    title: localized(languages(d), `Row ${o.rows.length + 1}`),
                    action,
                  });
              })
            }
          />
        </div>
      );
    case 'sections':
      return (
        <div className="space-y-2">
          <LimitedText
            label="List button"
            kind="listButton"
            value={options.buttonLabel}
            pointer={`${path}/buttonLabel`}
            context={context}
            set={(d, text) => {
              const o = opts(d);
              if (o.type === 'sections') o.buttonLabel[context.language] = text;
            }}
          />
          <Diagnostics items={context.check.at(`${path}/sections`).filter(countCodes)} />
          {options.sections.map((section, s) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: sections have no id; a section is its position
            <div key={s} className="space-y-2 rounded border border-slate-200 p-3">
              <LimitedText
                label={`Section ${s + 1}`}
                kind="sectionTitle"
                value={section.title}
                pointer={`${path}/sections/${s}/title`}
                context={context}
                set={(d, text) => {
                  const o = opts(d);
                  if (o.type === 'sections') o.sections[s]!.title[context.language] = text;
                }}
              />
              {section.rows.map((row, i) => (
                <OptionRow
                  key={row.id}
                  onRemove={() =>
                    update((d) => {
                      const o = opts(d);
                      if (o.type === 'sections') o.sections[s]!.rows.splice(i, 1);
                    })
                  }
                >
                  <RowFields
                    row={row}
                    pointer={`${path}/sections/${s}/rows/${i}`}
                    context={context}
                    rowOf={(d) => {
                      const o = opts(d);
                      return o.type === 'sections' ? o.sections[s]!.rows[i] : undefined;
                    }}
                  />
                </OptionRow>
              ))}
              <AddOption
                label="Add row"
                left={left}
                onAdd={() =>
                  update((d) => {
                    const o = opts(d);
                    if (o.type !== 'sections') return;
                    const taken = o.sections.flatMap((x) => x.rows.map((r) => r.id));
                    o.sections[s]!.rows.push({
                      id: uniqueId('r', taken),
                      title: localized(languages(d), `Row ${taken.length + 1}`),
                      action,
                    });
                  })
                }
              />
            </div>
          ))}
        </div>
      );
    case 'navigation':
      return (
        <div className="space-y-2">
          {options.groups.map((group, g) =>
            group.options.map((option, i) => (
              <OptionRow
                key={option.id}
                onRemove={() =>
                  update((d) => {
                    const o = opts(d);
                    if (o.type === 'navigation') o.groups[g]!.options.splice(i, 1);
                  })
                }
              >
                <LimitedText
                  label={`Option ${i + 1}`}
                  kind="navigationLabel"
                  value={option.label}
                  pointer={`${path}/groups/${g}/options/${i}/label`}
                  context={context}
                  set={(d, text) => {
                    const o = opts(d);
                    if (o.type === 'navigation')
                      o.groups[g]!.options[i]!.label[context.language] = text;
                  }}
                />
                <ActionEditor
                  action={option.action}
                  context={context}
                  set={(d, a) => {
                    const o = opts(d);
                    if (o.type === 'navigation') o.groups[g]!.options[i]!.action = a;
                  }}
                />
              </OptionRow>
            )),
          )}
          <AddOption
            label="Add option"
            left={left}
            onAdd={() =>
              update((d) => {
                const o = opts(d);
                if (o.type !== 'navigation') return;
                const taken = o.groups.flatMap((x) => x.options.map((r) => r.id));
                o.groups.at(-1)!.options.push({
                  id: uniqueId('o', taken),
                  label: localized(languages(d), `Option ${taken.length + 1}`),
                  action,
                });
              })
            }
          />
        </div>
      );
  }
}

const countCodes = (d: { path: string; code: string }) => d.code.endsWith('-count');

function removeAt(options: StepOptions, key: 'buttons' | 'rows', index: number) {
  if (key === 'buttons' && options.type === 'buttons') options.buttons.splice(index, 1);
  if (key === 'rows' && options.type === 'list') options.rows.splice(index, 1);
}

type Row = { title: LocalizedText; description?: LocalizedText; action: Action };

function RowFields({
  row,
  pointer,
  context,
  rowOf,
}: {
  row: Row;
  pointer: string;
  context: Context;
  rowOf: (d: FlowDefinition) => Row | undefined;
}) {
  const { language } = context;
  return (
    <>
      <LimitedText
        label="Row title"
        kind="rowTitle"
        value={row.title}
        pointer={`${pointer}/title`}
        context={context}
        set={(d, text) => {
          const r = rowOf(d);
          if (r) r.title[language] = text;
        }}
      />
      <LimitedText
        label="Description"
        kind="rowDescription"
        value={row.description ?? {}}
        pointer={`${pointer}/description`}
        context={context}
        set={(d, text) => {
          const r = rowOf(d);
          if (!r) return;
          r.description = { ...(r.description ?? {}), [language]: text };
          if (Object.values(r.description).every((v) => v === '')) delete r.description;
        }}
      />
      <ActionEditor
        action={row.action}
        context={context}
        set={(d, a) => {
          const r = rowOf(d);
          if (r) r.action = a;
        }}
      />
    </>
  );
}

function OptionRow({ children, onRemove }: { children: ReactNode; onRemove: () => void }) {
  return (
    <div className="flex flex-wrap items-start gap-3 rounded bg-slate-50 p-2">
      {children}
      <button
        type="button"
        className="mt-5 text-xs text-slate-500 hover:text-red-700"
        onClick={onRemove}
      >
        Remove
      </button>
    </div>
  );
}

function AddOption({
  label,
  left,
  onAdd,
}: {
  label: string;
  left: number | null;
  onAdd: () => void;
}) {
  const full = left !== null && left <= 0;
  return (
    <div className="flex items-center gap-2 text-xs text-slate-500">
      <Button variant="secondary" onClick={onAdd} disabled={full}>
        {label}
      </Button>
      {left !== null && <span>{full ? 'Limit reached' : `${left} more allowed`}</span>}
    </div>
  );
}

function ActionEditor({
  label = 'Then',
  action,
  context,
  set,
}: {
  label?: string;
  action: Action;
  context: Context;
  set: (draft: FlowDefinition, action: Action) => void;
}) {
  const value = action.type === 'goto' ? `goto:${action.step}` : action.type;
  return (
    <label className="text-sm">
      {label}
      <select
        className={inputClass}
        value={value}
        onChange={(e) => {
          const v = e.target.value;
          const next: Action = v.startsWith('goto:')
            ? { type: 'goto', step: v.slice(5) }
            : { type: v as 'start' | 'end' | 'handoff' };
          context.update((d) => set(d, next));
        }}
      >
        {context.stepIds.map((id) => (
          <option key={id} value={`goto:${id}`}>
            Go to {id}
          </option>
        ))}
        {action.type === 'goto' && !context.stepIds.includes(action.step) && (
          <option value={value}>Go to {action.step} (missing)</option>
        )}
        <option value="start">Start again</option>
        <option value="end">End the flow</option>
        <option value="handoff">Hand to a person</option>
      </select>
    </label>
  );
}

/** A localized text of the editing language, cut at its limit, with counter and diagnostics. */
function LimitedText({
  label,
  kind,
  max: givenMax,
  multiline = false,
  value,
  pointer,
  context,
  set,
}: {
  label: string;
  kind?: FieldKind;
  max?: number;
  multiline?: boolean;
  value: LocalizedText;
  pointer: string;
  context: Context;
  set: (draft: FlowDefinition, text: string) => void;
}) {
  const max = givenMax ?? fieldLimits[kind ?? 'text'];
  const text = value[context.language] ?? '';
  const count = countOf(text, max);
  const onChange = (next: string) => context.update((d) => set(d, withinLimit(next, max)));
  return (
    <Field
      label={label}
      pointer={pointer}
      check={context.check}
      counter={
        <span
          className={`text-xs ${count.over ? 'text-red-700' : count.length === max ? 'text-amber-700' : 'text-slate-400'}`}
          data-testid="counter"
        >
          {count.length}/{max}
        </span>
      }
    >
      {(id) =>
        multiline ? (
          <textarea
            id={id}
            className={`${inputClass} h-20`}
            value={text}
            onChange={(e) => onChange(e.target.value)}
          />
        ) : (
          <input
            id={id}
            className={inputClass}
            value={text}
            onChange={(e) => onChange(e.target.value)}
          />
        )
      }
    </Field>
  );
}

function Field({
  label,
  pointer,
  check,
  counter,
  children,
}: {
  label: string;
  pointer: string;
  check: FlowCheck;
  counter?: ReactNode;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  const items = check.at(pointer);
  return (
    <div className="min-w-48 flex-1 text-sm" data-pointer={pointer}>
      <div className="flex justify-between">
        <label htmlFor={id}>{label}</label>
        {counter}
      </div>
      {children(id)}
      <Diagnostics items={items} />
    </div>
  );
}

function Diagnostics({ items }: { items: { message: string; code: string; severity: string }[] }) {
  if (items.length === 0) return null;
  return (
    <ul className="mt-1 space-y-0.5">
      {items.map((d) => (
        <li
          key={`${d.code}-${d.message}`}
          className={`text-xs ${d.severity === 'error' ? 'text-red-700' : 'text-amber-700'}`}
          data-code={d.code}
        >
          {d.message}
        </li>
      ))}
    </ul>
  );
}
