/**
 * The builder's field kit: a labelled field with its validator diagnostics, a localized text
 * with a tab per language (marked where the translation is missing) and a live counter, the
 * action picker, and the sortable list (drag handle, keyboard drag, move up/down buttons).
 */
import type { Action, Diagnostic, LocalizedText } from '@chatloom/flow-engine';
import {
  type Announcements,
  closestCenter,
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  type UniqueIdentifier,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import {
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import * as Tabs from '@radix-ui/react-tabs';
import { ArrowDown, ArrowUp, GripVertical, Trash2 } from 'lucide-react';
import {
  type CSSProperties,
  createContext,
  type ReactNode,
  useContext,
  useId,
  useMemo,
} from 'react';
import { isMissing } from './flow-editor-draft.js';
import { countOf } from './flow-limits.js';
import { RichTextEditor } from './rich-text.js';
import { inputClass } from './ui.js';

/** `inputClass` for a control sized by its content (a select among other controls). */
export const inlineInputClass = inputClass.replace('w-full', 'w-auto max-w-full');

/** Diagnostics at `pointer` or below it. */
export const diagnosticsAt = (items: readonly Diagnostic[], pointer: string): Diagnostic[] =>
  items.filter((d) => d.path === pointer || d.path.startsWith(`${pointer}/`));

/** Diagnostics at exactly `pointer` (problems of a whole step, list or group). */
export const diagnosticsExactly = (items: readonly Diagnostic[], pointer: string): Diagnostic[] =>
  items.filter((d) => d.path === pointer);

/** What the fields of one part of the flow need: its diagnostics and the language in view. */
export interface FieldScope {
  diagnostics: readonly Diagnostic[];
  language: string;
  languages: readonly string[];
  setLanguage: (language: string) => void;
}

export function Diagnostics({ items, id }: { items: readonly Diagnostic[]; id?: string }) {
  if (items.length === 0) return null;
  return (
    <ul className="mt-1 space-y-0.5" id={id}>
      {items.map((d) => (
        <li
          key={`${d.path}-${d.code}-${d.message}`}
          className={`text-xs ${d.severity === 'error' ? 'text-red-700' : 'text-amber-700'}`}
          data-code={d.code}
        >
          {d.message}
        </li>
      ))}
    </ul>
  );
}

/** A labelled field with the diagnostics of its pointer under it. */
export function Field({
  label,
  pointer,
  diagnostics,
  aside,
  className = 'min-w-48 flex-1',
  htmlLabel = true,
  children,
}: {
  label: string;
  pointer: string;
  diagnostics: readonly Diagnostic[];
  /** Shown at the label's right: language tabs, a counter. */
  aside?: ReactNode;
  className?: string;
  /** False for controls a `<label>` cannot name (a contenteditable): they carry aria-label. */
  htmlLabel?: boolean;
  children: (control: { id: string; describedBy?: string; invalid: boolean }) => ReactNode;
}) {
  const id = useId();
  const items = diagnosticsAt(diagnostics, pointer);
  const describedBy = items.length > 0 ? `${id}-problems` : undefined;
  const invalid = items.some((d) => d.severity === 'error');
  return (
    <div className={`text-sm ${className}`} data-pointer={pointer}>
      <div className="mb-0.5 flex items-end justify-between gap-2">
        {htmlLabel ? (
          <label htmlFor={id} className="text-slate-700">
            {label}
          </label>
        ) : (
          <span className="text-slate-700">{label}</span>
        )}
        {aside}
      </div>
      {children({ id, describedBy, invalid })}
      <Diagnostics items={items} id={describedBy} />
    </div>
  );
}

function Counter({ text, max }: { text: string; max: number }) {
  const count = countOf(text, max);
  const tone = count.over
    ? 'text-red-700'
    : count.length === max
      ? 'text-amber-700'
      : 'text-slate-400';
  return (
    <span className={`text-xs tabular-nums ${tone}`} data-testid="counter">
      {count.length}/{max}
    </span>
  );
}

/**
 * A text with a tab per flow language (only when there are several). The tabs follow the
 * builder's language in view, so switching one switches every field; a dot marks a tab whose
 * translation is missing.
 */
function LanguageTabs({
  label,
  value,
  scope,
  required,
}: {
  label: string;
  value: LocalizedText | undefined;
  scope: FieldScope;
  required: boolean;
}) {
  if (scope.languages.length < 2) return null;
  // An optional text (a description) is only incomplete once it is written in some language.
  const checked = required || Object.values(value ?? {}).some((v) => v !== '');
  return (
    <Tabs.Root value={scope.language} onValueChange={scope.setLanguage}>
      <Tabs.List aria-label={`${label} language`} className="flex gap-0.5">
        {scope.languages.map((language) => {
          const missing = checked && isMissing(value, language);
          return (
            <Tabs.Trigger
              key={language}
              value={language}
              aria-label={missing ? `${language} (missing)` : language}
              className="rounded px-1.5 py-0.5 text-xs text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500 data-[state=active]:bg-indigo-100 data-[state=active]:text-indigo-800"
            >
              {language}
              {missing && (
                <span aria-hidden className="ml-0.5 text-red-600">
                  •
                </span>
              )}
            </Tabs.Trigger>
          );
        })}
      </Tabs.List>
    </Tabs.Root>
  );
}

/**
 * One localized text, edited in the language in view: cut at its limit as you type (`rich`:
 * WhatsApp markup with its own counter, never cut), with the diagnostics of every language.
 * The control's accessible name is `${label} (${language})`.
 */
export function LocalizedField({
  label,
  value,
  pointer,
  scope,
  max,
  rich = false,
  required = true,
  className,
  onChange,
}: {
  label: string;
  value: LocalizedText | undefined;
  pointer: string;
  scope: FieldScope;
  max: number;
  rich?: boolean;
  required?: boolean;
  className?: string;
  onChange: (text: string, language: string) => void;
}) {
  const { language } = scope;
  const text = value?.[language] ?? '';
  const name = `${label} (${language})`;
  return (
    <Field
      label={label}
      pointer={pointer}
      diagnostics={scope.diagnostics}
      className={className}
      htmlLabel={!rich}
      aside={
        <span className="flex items-center gap-2">
          <LanguageTabs label={label} value={value} scope={scope} required={required} />
          {!rich && <Counter text={text} max={max} />}
        </span>
      }
    >
      {({ id, describedBy, invalid }) =>
        rich ? (
          <RichTextEditor
            id={id}
            label={name}
            value={text}
            maxLength={max}
            invalid={invalid}
            describedBy={describedBy}
            onChange={(next) => onChange(next, language)}
          />
        ) : (
          <input
            id={id}
            aria-label={name}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            className={`${inputClass} ${invalid ? 'border-red-400' : ''}`}
            value={text}
            // Never cut what was typed or pasted: the counter turns red, the validator's
            // diagnostic shows on this field and Save is refused until it fits.
            onChange={(e) => onChange(e.target.value, language)}
          />
        )
      }
    </Field>
  );
}

/** What the action select offers: the action types, "start" split into restart and switch. */
type ActionChoice = Exclude<Action['type'], 'start'> | 'restart' | 'start-flow';

const actionLabels: Record<ActionChoice, string> = {
  goto: 'Go to step',
  restart: 'Restart the flow',
  'start-flow': 'Start another flow',
  end: 'End the flow',
  handoff: 'Hand off to a person',
};

/** The flow being edited and the tenant's flows, for "Start another flow". */
export interface FlowChoices {
  /** The id of the flow being edited (starting it is a restart, not another flow). */
  selfId: string;
  /** The tenant's flows, or undefined when they are not known (the choice is then hidden). */
  flows: readonly { id: string; name: string }[] | undefined;
}

/** Provided by the flow editor, so every action picker knows the tenant's other flows. */
export const FlowChoicesContext = createContext<FlowChoices>({ selfId: '', flows: undefined });

/**
 * What choosing an option does: an action select (`${name} action`) and, for "go to step",
 * the target step select (`${name} target step`); for "start another flow", the flow select
 * (`${name} flow to start`) among the tenant's other flows.
 */
export function ActionFields({
  name,
  action,
  pointer,
  diagnostics,
  stepIds,
  defaultTarget,
  onChange,
}: {
  name: string;
  action: Action;
  pointer: string;
  diagnostics: readonly Diagnostic[];
  stepIds: readonly string[];
  /** The step a new "go to step" points at. */
  defaultTarget: string;
  onChange: (action: Action) => void;
}) {
  const { selfId, flows } = useContext(FlowChoicesContext);
  const others = useMemo(() => (flows ?? []).filter((f) => f.id !== selfId), [flows, selfId]);
  const items = diagnosticsAt(diagnostics, pointer);
  const problemsId = useId();
  // `start` naming this flow itself is a restart.
  const switchesTo =
    action.type === 'start' && action.flow !== undefined && action.flow !== selfId
      ? action.flow
      : undefined;
  const choice: ActionChoice =
    action.type === 'start' ? (switchesTo === undefined ? 'restart' : 'start-flow') : action.type;
  const invalid = items.length > 0;
  const describedBy = invalid ? problemsId : undefined;
  const choose = (next: ActionChoice) => {
    switch (next) {
      case 'goto':
        return onChange({ type: 'goto', step: defaultTarget });
      case 'restart':
        return onChange({ type: 'start' });
      case 'start-flow':
        return onChange({ type: 'start', flow: others[0]?.id ?? '' });
      default:
        return onChange({ type: next });
    }
  };
  return (
    <div className="text-sm" data-pointer={pointer}>
      <div className="flex flex-wrap gap-2">
        <select
          aria-label={`${name} action`}
          className={inlineInputClass}
          value={choice}
          onChange={(e) => choose(e.target.value as ActionChoice)}
        >
          {(Object.entries(actionLabels) as [ActionChoice, string][]).map(([value, text]) =>
            // Without the tenant's flows there is nothing to pick (unless the action has one).
            value === 'start-flow' && flows === undefined && choice !== value ? null : (
              <option
                key={value}
                value={value}
                disabled={value === 'start-flow' && others.length === 0 && choice !== value}
              >
                {value === 'start-flow' && others.length === 0 ? `${text} (no other flows)` : text}
              </option>
            ),
          )}
        </select>
        {action.type === 'goto' && (
          <select
            aria-label={`${name} target step`}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            className={`${inlineInputClass} ${invalid ? 'border-red-400' : ''}`}
            value={action.step}
            onChange={(e) => onChange({ type: 'goto', step: e.target.value })}
          >
            {stepIds.map((id, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: ids may repeat while being edited
              <option key={`${i}-${id}`} value={id}>
                {id || '(no id)'}
              </option>
            ))}
            {!stepIds.includes(action.step) && (
              <option value={action.step}>{action.step} (missing)</option>
            )}
          </select>
        )}
        {switchesTo !== undefined && (
          <select
            aria-label={`${name} flow to start`}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            className={`${inlineInputClass} ${invalid ? 'border-red-400' : ''}`}
            value={switchesTo}
            onChange={(e) => onChange({ type: 'start', flow: e.target.value })}
          >
            {others.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name === f.id ? f.id : `${f.name} (${f.id})`}
              </option>
            ))}
            {/* Saved before that flow existed, or it was deleted: publishing will say so. */}
            {!others.some((f) => f.id === switchesTo) && (
              <option value={switchesTo}>
                {switchesTo ? `${switchesTo} (not a flow of this workspace)` : '(choose a flow)'}
              </option>
            )}
          </select>
        )}
      </div>
      <Diagnostics items={items} id={problemsId} />
    </div>
  );
}

const iconButton =
  'rounded p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-30 disabled:hover:bg-transparent';

/** "Move … up", "Move … down" and "Remove …": the keyboard-and-click way to reorder. */
export function ItemButtons({
  name,
  index,
  count,
  onMove,
  onRemove,
  canRemove = true,
}: {
  name: string;
  index: number;
  count: number;
  onMove: (from: number, to: number) => void;
  onRemove: () => void;
  canRemove?: boolean;
}) {
  return (
    <span className="flex items-center">
      <button
        type="button"
        className={iconButton}
        aria-label={`Move ${name} up`}
        title="Move up"
        disabled={index === 0}
        onClick={() => onMove(index, index - 1)}
      >
        <ArrowUp aria-hidden size={15} />
      </button>
      <button
        type="button"
        className={iconButton}
        aria-label={`Move ${name} down`}
        title="Move down"
        disabled={index === count - 1}
        onClick={() => onMove(index, index + 1)}
      >
        <ArrowDown aria-hidden size={15} />
      </button>
      <button
        type="button"
        className={`${iconButton} hover:text-red-700`}
        aria-label={`Remove ${name}`}
        title="Remove"
        disabled={!canRemove}
        onClick={onRemove}
      >
        <Trash2 aria-hidden size={15} />
      </button>
    </span>
  );
}

// Constant, so the sensors (and the context every sortable item reads) keep their identity.
const pointerOptions = { activationConstraint: { distance: 4 } };
const keyboardOptions = { coordinateGetter: sortableKeyboardCoordinates };

/**
 * A drag-and-drop list (pointer, or keyboard: focus a handle, Space to lift, arrows to move,
 * Space to drop) whose announcements name the items instead of their keys.
 */
export function SortableList({
  ids,
  nameOf,
  onMove,
  children,
}: {
  ids: string[];
  nameOf: (id: string) => string;
  onMove: (from: number, to: number) => void;
  children: ReactNode;
}) {
  const sensors = useSensors(
    useSensor(PointerSensor, pointerOptions),
    useSensor(KeyboardSensor, keyboardOptions),
  );
  const accessibility = useMemo(() => {
    const name = (id: UniqueIdentifier) => nameOf(String(id));
    const position = (id: UniqueIdentifier) =>
      `position ${ids.indexOf(String(id)) + 1} of ${ids.length}`;
    const announcements: Announcements = {
      onDragStart: ({ active }) => `Picked up ${name(active.id)}.`,
      // Over itself is where it was picked up: keep the "picked up" announcement.
      onDragOver: ({ active, over }) =>
        over && over.id !== active.id
          ? `${name(active.id)} moved to ${position(over.id)}.`
          : undefined,
      onDragEnd: ({ active, over }) =>
        over
          ? `${name(active.id)} dropped at ${position(over.id)}.`
          : `${name(active.id)} dropped.`,
      onDragCancel: ({ active }) => `Moving ${name(active.id)} was cancelled.`,
    };
    return {
      announcements,
      screenReaderInstructions: {
        draggable:
          'To move this item, press Space or Enter, use the arrow keys, then press Space or Enter again to drop it, or Escape to cancel.',
      },
    };
  }, [ids, nameOf]);
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    onMove(ids.indexOf(String(active.id)), ids.indexOf(String(over.id)));
  };
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      accessibility={accessibility}
      onDragEnd={onDragEnd}
    >
      <SortableContext items={ids} strategy={verticalListSortingStrategy}>
        {children}
      </SortableContext>
    </DndContext>
  );
}

/** Makes an element of a `SortableList` draggable by its handle (`Drag ${name}`). */
export function useSortableItem(id: string, name: string) {
  const {
    attributes,
    listeners,
    setNodeRef,
    setActivatorNodeRef,
    transform,
    transition,
    isDragging,
  } = useSortable({ id });
  const style: CSSProperties = {
    transform: CSS.Translate.toString(transform),
    transition,
    position: 'relative',
    zIndex: isDragging ? 10 : undefined,
  };
  const handle = (
    <button
      type="button"
      ref={setActivatorNodeRef}
      {...attributes}
      {...listeners}
      aria-label={`Drag ${name}`}
      title="Drag to reorder"
      className={`${iconButton} cursor-grab touch-none active:cursor-grabbing`}
    >
      <GripVertical aria-hidden size={15} />
    </button>
  );
  return { ref: setNodeRef, style, handle, isDragging };
}
