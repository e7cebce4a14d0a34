/**
 * One step of the builder: its id and name, start marker, message (rich text per language),
 * option type and choices. Memoised: typing in one step re-renders that step only, so a flow
 * of fifty steps stays responsive.
 */
import type { Action, Diagnostic, Step, StepOptions } from '@chatloom/flow-engine';
import { ChevronDown, ChevronRight, Flag } from 'lucide-react';
import { memo, useCallback, useMemo } from 'react';
import {
  allChoices,
  type Choice,
  type ChoiceGroup,
  type ChoiceKind,
  type ChoiceType,
  choiceGroups,
  choiceKinds,
  convertOptions,
  labelOf,
  moveIn,
  newChoice,
  optionalText,
  plainText,
  setLabel,
} from './flow-editor-draft.js';
import {
  ActionFields,
  Diagnostics,
  diagnosticsExactly,
  Field,
  type FieldScope,
  ItemButtons,
  inlineInputClass,
  LocalizedField,
  SortableList,
  useSortableItem,
} from './flow-editor-fields.js';
import { fieldLimits, messageLimit, optionsLeft } from './flow-limits.js';
import { Button, inputClass } from './ui.js';

/** The editor's step-level operations; one stable object, so memoised steps skip re-renders. */
export interface StepActions {
  editStep: (index: number, change: (step: Step) => void) => void;
  renameStep: (index: number, id: string) => void;
  removeStep: (index: number) => void;
  moveStep: (from: number, to: number) => void;
  setStart: (id: string) => void;
  toggle: (key: string) => void;
  setLanguage: (language: string) => void;
}

export interface StepEditorProps {
  index: number;
  step: Step;
  /** The step's stable key (ids change while typed). */
  stepKey: string;
  count: number;
  isStart: boolean;
  expanded: boolean;
  highlighted: boolean;
  /** This step's diagnostics (paths under `/steps/${index}`). */
  diagnostics: readonly Diagnostic[];
  stepIds: readonly string[];
  language: string;
  languages: readonly string[];
  defaultLanguage: string;
  actions: StepActions;
}

const optionTypes: { value: StepOptions['type']; label: string }[] = [
  { value: 'none', label: 'Text input (no options)' },
  { value: 'buttons', label: 'Buttons' },
  { value: 'list', label: 'List' },
  { value: 'sections', label: 'List with sections' },
  { value: 'navigation', label: 'Navigation options (A, B, C…)' },
];

export const StepEditor = memo(function StepEditor(props: StepEditorProps) {
  const { index, step, stepKey, count, isStart, expanded, highlighted, diagnostics } = props;
  const { stepIds, language, languages, defaultLanguage, actions } = props;
  const pointer = `/steps/${index}`;
  const name = step.id === '' ? `Step ${index + 1}` : `Step ${step.id}`;
  const sortable = useSortableItem(stepKey, `step ${step.id || index + 1}`);
  const scope: FieldScope = useMemo(
    () => ({ diagnostics, language, languages, setLanguage: actions.setLanguage }),
    [diagnostics, language, languages, actions.setLanguage],
  );
  const edit = useCallback(
    (change: (step: Step) => void) => actions.editStep(index, change),
    [actions, index],
  );
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const headerProblems = diagnosticsExactly(diagnostics, pointer);
  const bodyId = `${stepKey}-body`;

  return (
    <li ref={sortable.ref} style={sortable.style} className="list-none">
      <section
        aria-label={name}
        data-step-id={step.id}
        data-step-key={stepKey}
        data-highlighted={highlighted || undefined}
        tabIndex={-1}
        className={`scroll-mt-20 rounded-lg border bg-white shadow-sm transition-shadow focus:outline-none ${
          highlighted ? 'border-indigo-400 ring-4 ring-indigo-200' : 'border-slate-200'
        } ${sortable.isDragging ? 'opacity-80 shadow-lg' : ''}`}
      >
        <header className="flex flex-wrap items-center gap-2 border-b border-slate-100 px-3 py-2">
          {sortable.handle}
          <button
            type="button"
            aria-expanded={expanded}
            aria-controls={bodyId}
            aria-label="Step details"
            className="rounded p-1 text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500"
            onClick={() => actions.toggle(stepKey)}
          >
            {expanded ? (
              <ChevronDown aria-hidden size={16} />
            ) : (
              <ChevronRight aria-hidden size={16} />
            )}
          </button>
          <span className="text-xs text-slate-400 tabular-nums">{index + 1}</span>
          <span className="font-mono text-sm font-medium">{step.id || '(no id)'}</span>
          {step.name && <span className="text-sm text-slate-500">{step.name}</span>}
          {isStart ? (
            <span className="inline-flex items-center gap-1 rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800">
              <Flag aria-hidden size={12} /> Start step
            </span>
          ) : (
            <button
              type="button"
              className="rounded px-1.5 py-0.5 text-xs text-slate-500 hover:bg-slate-100 hover:text-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-500"
              onClick={() => actions.setStart(step.id)}
            >
              Make start step
            </button>
          )}
          {errors > 0 && (
            <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs text-red-800">
              {errors} error{errors === 1 ? '' : 's'}
            </span>
          )}
          <span className="ml-auto">
            <ItemButtons
              name="step"
              index={index}
              count={count}
              onMove={actions.moveStep}
              onRemove={() => actions.removeStep(index)}
              canRemove={count > 1}
            />
          </span>
        </header>
        {expanded ? (
          <div id={bodyId} className="space-y-4 p-4">
            <Diagnostics items={headerProblems} />
            <div className="flex flex-wrap gap-3">
              <Field
                label="Step id"
                pointer={`${pointer}/id`}
                diagnostics={diagnostics}
                className="w-56"
              >
                {({ id, describedBy, invalid }) => (
                  <input
                    id={id}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    className={`${inputClass} font-mono`}
                    value={step.id}
                    onChange={(e) => actions.renameStep(index, e.target.value)}
                  />
                )}
              </Field>
              <Field
                label="Step name"
                pointer={`${pointer}/name`}
                diagnostics={diagnostics}
                className="min-w-48 flex-1"
              >
                {({ id }) => (
                  <input
                    id={id}
                    className={inputClass}
                    placeholder="For people; not sent"
                    value={step.name ?? ''}
                    onChange={(e) =>
                      edit((s) => {
                        if (e.target.value === '') delete s.name;
                        else s.name = e.target.value;
                      })
                    }
                  />
                )}
              </Field>
            </div>
            <MessageField step={step} pointer={pointer} scope={scope} edit={edit} />
            <OptionsEditor
              step={step}
              index={index}
              scope={scope}
              stepIds={stepIds}
              defaultLanguage={defaultLanguage}
              edit={edit}
            />
          </div>
        ) : (
          <StepSummary step={step} language={language} defaultLanguage={defaultLanguage} />
        )}
      </section>
    </li>
  );
});

/** A collapsed step: its message's first words and what it offers. */
function StepSummary({
  step,
  language,
  defaultLanguage,
}: {
  step: Step;
  language: string;
  defaultLanguage: string;
}) {
  const m = step.message;
  const text =
    m.type === 'text' ? (m.text[language] ?? m.text[defaultLanguage] ?? '') : `(${m.type} message)`;
  const choices = allChoices(step.options);
  const offers =
    step.options.type === 'none'
      ? 'waits for any text'
      : `${choices.length} ${optionTypes.find((t) => t.value === step.options.type)?.label.toLowerCase() ?? ''}: ${choices
          .map((c) => labelOf(c)[language] ?? labelOf(c)[defaultLanguage] ?? c.id)
          .join(', ')}`;
  return (
    <p className="truncate px-4 py-2 text-sm text-slate-600">
      {plainText(text).slice(0, 120) || <em>No message</em>}
      <span className="text-slate-400"> · {offers}</span>
    </p>
  );
}

function MessageField({
  step,
  pointer,
  scope,
  edit,
}: {
  step: Step;
  pointer: string;
  scope: FieldScope;
  edit: (change: (step: Step) => void) => void;
}) {
  const message = step.message;
  if (message.type !== 'text') {
    return (
      <div>
        <p className="text-sm text-slate-500">
          A {message.type} message: edit it in the flow's JSON file.
        </p>
        <Diagnostics items={diagnosticsExactly(scope.diagnostics, `${pointer}/message`)} />
      </div>
    );
  }
  return (
    <LocalizedField
      label="Message"
      rich
      value={message.text}
      max={messageLimit(step.options)}
      pointer={`${pointer}/message/text`}
      scope={scope}
      onChange={(text, language) =>
        edit((s) => {
          if (s.message.type === 'text') s.message.text[language] = text;
        })
      }
    />
  );
}

function OptionsEditor({
  step,
  index,
  scope,
  stepIds,
  defaultLanguage,
  edit,
}: {
  step: Step;
  index: number;
  scope: FieldScope;
  stepIds: readonly string[];
  defaultLanguage: string;
  edit: (change: (step: Step) => void) => void;
}) {
  const options = step.options;
  const pointer = `/steps/${index}/options`;
  // A new "go to step" points at the next step, the usual flow of a conversation.
  const defaultTarget = stepIds[index + 1] ?? stepIds[0] ?? '';
  return (
    <div className="space-y-3 rounded-md bg-slate-50 p-3">
      <label className="flex items-center gap-2 text-sm">
        <span className="text-slate-700">Options</span>
        <select
          className={inlineInputClass}
          aria-label="Option type"
          value={options.type}
          onChange={(e) =>
            edit((s) => {
              s.options = convertOptions(
                s.options,
                e.target.value as StepOptions['type'],
                defaultLanguage,
              );
            })
          }
        >
          {optionTypes.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      <Diagnostics items={diagnosticsExactly(scope.diagnostics, pointer)} />
      {options.type === 'none' ? (
        <TextInputFields
          options={options}
          pointer={pointer}
          scope={scope}
          stepIds={stepIds}
          defaultTarget={defaultTarget}
          edit={edit}
        />
      ) : (
        <ChoicesEditor
          options={options}
          type={options.type}
          pointer={pointer}
          scope={scope}
          stepIds={stepIds}
          defaultTarget={defaultTarget}
          defaultLanguage={defaultLanguage}
          edit={edit}
        />
      )}
    </div>
  );
}

type TextInput = Extract<StepOptions, { type: 'none' }>;

/** A text-input step: where any answer leads, the variable it is saved as, its validation. */
function TextInputFields({
  options,
  pointer,
  scope,
  stepIds,
  defaultTarget,
  edit,
}: {
  options: TextInput;
  pointer: string;
  scope: FieldScope;
  stepIds: readonly string[];
  defaultTarget: string;
  edit: (change: (step: Step) => void) => void;
}) {
  const set = (change: (o: TextInput) => void) =>
    edit((s) => {
      if (s.options.type === 'none') change(s.options);
    });
  const validation = options.validation;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-start gap-3">
        <div className="text-sm">
          <span className="mb-0.5 block text-slate-700">After the answer</span>
          <ActionFields
            name="Next"
            action={options.next}
            pointer={`${pointer}/next`}
            diagnostics={scope.diagnostics}
            stepIds={stepIds}
            defaultTarget={defaultTarget}
            onChange={(a) =>
              set((o) => {
                o.next = a;
              })
            }
          />
        </div>
        <Field
          label="Save answer as variable"
          pointer={`${pointer}/saveAs`}
          diagnostics={scope.diagnostics}
          className="w-56"
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              className={`${inputClass} font-mono`}
              placeholder="e.g. email"
              value={options.saveAs ?? ''}
              onChange={(e) =>
                set((o) => {
                  if (e.target.value === '') delete o.saveAs;
                  else o.saveAs = e.target.value;
                })
              }
            />
          )}
        </Field>
        <label className="text-sm">
          <span className="mb-0.5 block text-slate-700">Answer must be</span>
          <select
            className={inlineInputClass}
            value={validation?.kind ?? ''}
            onChange={(e) =>
              set((o) => {
                const kind = e.target.value;
                if (kind === '') delete o.validation;
                else
                  o.validation = {
                    kind: kind as NonNullable<TextInput['validation']>['kind'],
                    ...(kind === 'regex' ? { pattern: o.validation?.pattern ?? '' } : {}),
                    retryMessage: o.validation?.retryMessage ?? {
                      [scope.language]: 'That does not look right. Please try again.',
                    },
                  };
              })
            }
          >
            <option value="">Anything</option>
            <option value="email">An email address</option>
            <option value="phone">A phone number</option>
            <option value="number">A number</option>
            <option value="regex">Matching a pattern</option>
          </select>
        </label>
      </div>
      {validation?.kind === 'regex' && (
        <Field
          label="Pattern (regular expression)"
          pointer={`${pointer}/validation/pattern`}
          diagnostics={scope.diagnostics}
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              className={`${inputClass} font-mono`}
              value={validation.pattern ?? ''}
              onChange={(e) =>
                set((o) => {
                  if (o.validation) o.validation.pattern = e.target.value;
                })
              }
            />
          )}
        </Field>
      )}
      {validation && (
        <LocalizedField
          label="Retry message"
          value={validation.retryMessage}
          max={fieldLimits.text}
          pointer={`${pointer}/validation/retryMessage`}
          scope={scope}
          onChange={(text, language) =>
            set((o) => {
              if (o.validation) o.validation.retryMessage[language] = text;
            })
          }
        />
      )}
    </div>
  );
}

type ChoiceOptions = Exclude<StepOptions, { type: 'none' }>;

/** Where the validator reports a step's choice count ("1 to 3 buttons"). */
const listPointers: Record<ChoiceType, string> = {
  buttons: '/buttons',
  list: '/rows',
  sections: '/sections',
  navigation: '/groups',
};

/** Every option type with choices, one editor: groups (sections, navigation groups) of rows. */
function ChoicesEditor({
  options,
  type,
  pointer,
  scope,
  stepIds,
  defaultTarget,
  defaultLanguage,
  edit,
}: {
  options: ChoiceOptions;
  type: ChoiceType;
  pointer: string;
  scope: FieldScope;
  stepIds: readonly string[];
  defaultTarget: string;
  defaultLanguage: string;
  edit: (change: (step: Step) => void) => void;
}) {
  const kind = choiceKinds[type];
  const groups = choiceGroups(options);
  const left = optionsLeft(options);
  /** Runs `change` on the draft's group `g` (the same option type, so the same shape). */
  const editGroup = (g: number, change: (group: ChoiceGroup, options: ChoiceOptions) => void) =>
    edit((s) => {
      if (s.options.type !== type) return;
      const group = choiceGroups(s.options)[g];
      if (group) change(group, s.options);
    });
  const addChoice = (g: number) =>
    editGroup(g, (group, o) => {
      group.choices.push(
        newChoice(
          type,
          allChoices(o).map((c) => c.id),
          defaultLanguage,
        ),
      );
    });
  let offset = 0;
  return (
    <div className="space-y-3">
      {(options.type === 'list' || options.type === 'sections') && (
        <LocalizedField
          label="List button label"
          value={options.buttonLabel}
          max={fieldLimits.listButton}
          pointer={`${pointer}/buttonLabel`}
          scope={scope}
          className="max-w-sm"
          onChange={(text, language) =>
            edit((s) => {
              if (s.options.type === 'list' || s.options.type === 'sections')
                s.options.buttonLabel[language] = text;
            })
          }
        />
      )}
      {groups.map((group, g) => {
        const first = offset;
        offset += group.choices.length;
        return (
          <ChoiceGroupEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: groups have no id; a group is its position
            key={g}
            group={group}
            g={g}
            groupCount={groups.length}
            first={first}
            kind={kind}
            pointer={pointer}
            scope={scope}
            stepIds={stepIds}
            defaultTarget={defaultTarget}
            left={left}
            editGroup={editGroup}
            onAdd={() => addChoice(g)}
            onRemoveGroup={() =>
              edit((s) => {
                if (s.options.type === 'sections') s.options.sections.splice(g, 1);
                if (s.options.type === 'navigation') s.options.groups.splice(g, 1);
              })
            }
          />
        );
      })}
      <Diagnostics
        items={diagnosticsExactly(scope.diagnostics, `${pointer}${listPointers[type]}`)}
      />
      {kind.group && (
        <Button
          variant="secondary"
          onClick={() =>
            edit((s) => {
              const o = s.options;
              const taken = allChoices(o).map((c) => c.id);
              const choice = newChoice(type, taken, defaultLanguage);
              if (o.type === 'sections' && 'title' in choice)
                o.sections.push({
                  title: { [defaultLanguage]: `Section ${o.sections.length + 1}` },
                  rows: [choice],
                });
              if (o.type === 'navigation' && 'label' in choice)
                o.groups.push({ options: [choice] });
            })
          }
          disabled={left !== null && left <= 0}
        >
          Add {kind.group.noun.toLowerCase()}
        </Button>
      )}
    </div>
  );
}

function ChoiceGroupEditor({
  group,
  g,
  groupCount,
  first,
  kind,
  pointer,
  scope,
  stepIds,
  defaultTarget,
  left,
  editGroup,
  onAdd,
  onRemoveGroup,
}: {
  group: ChoiceGroup;
  g: number;
  groupCount: number;
  /** How many choices come before this group (choices are numbered across the step). */
  first: number;
  kind: ChoiceKind;
  pointer: string;
  scope: FieldScope;
  stepIds: readonly string[];
  defaultTarget: string;
  left: number | null;
  editGroup: (g: number, change: (group: ChoiceGroup, options: ChoiceOptions) => void) => void;
  onAdd: () => void;
  onRemoveGroup: () => void;
}) {
  // Choice ids are unique in a valid step; a repeated one (an error shown) still gets a key.
  const ids = group.choices.map((c, i) =>
    group.choices.findIndex((x) => x.id === c.id) === i ? c.id : `${c.id}#${i}`,
  );
  const nameOf = useCallback(
    (id: string) => `${kind.noun.toLowerCase()} ${ids.indexOf(id) + first + 1}`,
    [ids, first, kind],
  );
  const move = (from: number, to: number) => editGroup(g, (grp) => moveIn(grp.choices, from, to));
  const groupName = kind.group ? `${kind.group.noun} ${g + 1}` : '';
  const full = left !== null && left <= 0;
  const body = (
    <>
      {kind.group && (
        <Diagnostics items={diagnosticsExactly(scope.diagnostics, `${pointer}${group.pointer}`)} />
      )}
      <SortableList ids={ids} nameOf={nameOf} onMove={move}>
        <ol
          className="space-y-2"
          aria-label={groupName ? `${groupName} ${kind.noun.toLowerCase()}s` : `${kind.noun}s`}
        >
          {group.choices.map((choice, i) => (
            <ChoiceRow
              key={ids[i]}
              sortId={ids[i] ?? choice.id}
              choice={choice}
              i={i}
              n={first + i + 1}
              count={group.choices.length}
              kind={kind}
              pointer={`${pointer}${group.pointer}/${i}`}
              scope={scope}
              stepIds={stepIds}
              defaultTarget={defaultTarget}
              onMove={move}
              edit={(change) =>
                editGroup(g, (grp) => {
                  const c = grp.choices[i];
                  if (c) change(c);
                })
              }
              onRemove={() => editGroup(g, (grp) => void grp.choices.splice(i, 1))}
            />
          ))}
        </ol>
      </SortableList>
      <div className="flex items-center gap-2 text-xs text-slate-500">
        <Button variant="secondary" onClick={onAdd} disabled={full}>
          Add {kind.noun.toLowerCase()}
        </Button>
        {left !== null && <span>{full ? 'Limit reached' : `${left} more allowed`}</span>}
      </div>
    </>
  );
  if (!kind.group || !group.titlePointer) return <div className="space-y-2">{body}</div>;
  const { titleKind, titleRequired, noun } = kind.group;
  return (
    <fieldset className="space-y-2 rounded-md border border-slate-200 bg-white p-3">
      <legend className="sr-only">{groupName}</legend>
      <div className="flex items-start gap-2">
        <LocalizedField
          label={`${groupName} title${titleRequired ? '' : ' (optional)'}`}
          value={group.owner?.title}
          required={titleRequired}
          max={fieldLimits[titleKind]}
          pointer={`${pointer}${group.titlePointer}`}
          scope={scope}
          onChange={(text, language) =>
            editGroup(g, (grp) => {
              if (!grp.owner) return;
              if (titleRequired) grp.owner.title = { ...grp.owner.title, [language]: text };
              else {
                const title = optionalText(grp.owner.title, language, text);
                if (title) grp.owner.title = title;
                else delete grp.owner.title;
              }
            })
          }
        />
        <button
          type="button"
          className="mt-6 text-xs text-slate-500 hover:text-red-700 disabled:opacity-40"
          disabled={groupCount < 2}
          onClick={onRemoveGroup}
        >
          Remove {noun.toLowerCase()} {g + 1}
        </button>
      </div>
      {body}
    </fieldset>
  );
}

function ChoiceRow({
  sortId,
  choice,
  i,
  n,
  count,
  kind,
  pointer,
  scope,
  stepIds,
  defaultTarget,
  onMove,
  edit,
  onRemove,
}: {
  sortId: string;
  choice: Choice;
  i: number;
  /** The choice's number in the step: "Button 2". */
  n: number;
  count: number;
  kind: ChoiceKind;
  pointer: string;
  scope: FieldScope;
  stepIds: readonly string[];
  defaultTarget: string;
  onMove: (from: number, to: number) => void;
  edit: (change: (choice: Choice) => void) => void;
  onRemove: () => void;
}) {
  const name = `${kind.noun} ${n}`;
  const lower = name.toLowerCase();
  const sortable = useSortableItem(sortId, lower);
  return (
    <li
      ref={sortable.ref}
      style={sortable.style}
      className={`flex items-start gap-2 rounded border border-slate-200 bg-white p-2 ${sortable.isDragging ? 'shadow-lg' : ''}`}
      aria-label={name}
    >
      <span className="mt-5">{sortable.handle}</span>
      <div className="flex flex-1 flex-wrap items-start gap-3">
        <LocalizedField
          label={`${name} ${kind.labelWord}`}
          value={labelOf(choice)}
          max={fieldLimits[kind.labelKind]}
          pointer={`${pointer}/${kind.labelWord}`}
          scope={scope}
          onChange={(text, language) => edit((c) => setLabel(c, language, text))}
        />
        {kind.description && (
          <LocalizedField
            label={`${name} description`}
            value={'description' in choice ? choice.description : undefined}
            required={false}
            max={fieldLimits.rowDescription}
            pointer={`${pointer}/description`}
            scope={scope}
            onChange={(text, language) =>
              edit((c) => {
                if (!('title' in c)) return;
                const description = optionalText(c.description, language, text);
                if (description) c.description = description;
                else delete c.description;
              })
            }
          />
        )}
        <div className="text-sm">
          <span className="mb-0.5 block text-slate-700">Then</span>
          <ActionFields
            name={name}
            action={choice.action}
            pointer={`${pointer}/action`}
            diagnostics={scope.diagnostics}
            stepIds={stepIds}
            defaultTarget={defaultTarget}
            onChange={(a: Action) =>
              edit((c) => {
                c.action = a;
              })
            }
          />
        </div>
        <Diagnostics items={diagnosticsExactly(scope.diagnostics, `${pointer}/id`)} />
      </div>
      <span className="mt-5">
        <ItemButtons name={lower} index={i} count={count} onMove={onMove} onRemove={onRemove} />
      </span>
    </li>
  );
}
