/**
 * Pure edits of a flow draft for the builder: new steps and options, option-type changes that
 * keep the choices, step renames that follow their references, languages added and removed.
 * Functions named `…In` mutate the draft they are given (the editor hands them a copy).
 */
import type {
  Action,
  ButtonsOptions,
  FlowDefinition,
  ListOptions,
  LocalizedText,
  NavigationOptions,
  Step,
  StepOptions,
} from '@chatloom/flow-engine';
import type { FieldKind } from './flow-limits.js';
import { parseMarkup } from './markup.js';

export type Button = ButtonsOptions['buttons'][number];
export type Row = ListOptions['rows'][number];
export type NavigationOption = NavigationOptions['groups'][number]['options'][number];
/** A button, a list row or a navigation option: something a user picks. */
export type Choice = Button | Row | NavigationOption;
export type ChoiceType = Exclude<StepOptions['type'], 'none'>;

/** How the builder names and limits the choices of each option type. */
export interface ChoiceKind {
  /** "Button 1 label", "Row 1 title", "Option 1 label". */
  noun: 'Button' | 'Row' | 'Option';
  labelWord: 'label' | 'title';
  labelKind: FieldKind;
  /** List rows have an optional description. */
  description: boolean;
  idBase: string;
  /** Choices come in titled groups: list sections (title required), navigation groups (optional). */
  group?: { noun: 'Section' | 'Group'; titleKind: FieldKind; titleRequired: boolean };
}

export const choiceKinds: Record<ChoiceType, ChoiceKind> = {
  buttons: {
    noun: 'Button',
    labelWord: 'label',
    labelKind: 'buttonLabel',
    description: false,
    idBase: 'b',
  },
  list: { noun: 'Row', labelWord: 'title', labelKind: 'rowTitle', description: true, idBase: 'r' },
  sections: {
    noun: 'Row',
    labelWord: 'title',
    labelKind: 'rowTitle',
    description: true,
    idBase: 'r',
    group: { noun: 'Section', titleKind: 'sectionTitle', titleRequired: true },
  },
  navigation: {
    noun: 'Option',
    labelWord: 'label',
    labelKind: 'navigationLabel',
    description: false,
    idBase: 'o',
    group: { noun: 'Group', titleKind: 'navigationLabel', titleRequired: false },
  },
};

/** One group of choices, holding the option object's own arrays (edit them in a draft). */
export interface ChoiceGroup {
  /** The group's own object (a section or navigation group), for its title. */
  owner?: { title?: LocalizedText | undefined };
  choices: Choice[];
  /** JSON pointer of the choices array, relative to the step's options. */
  pointer: string;
  /** JSON pointer of the group title, relative to the step's options. */
  titlePointer?: string;
}

/** The choices of a step's options as groups; buttons and plain lists are one untitled group. */
export function choiceGroups(options: StepOptions): ChoiceGroup[] {
  switch (options.type) {
    case 'none':
      return [];
    case 'buttons':
      return [{ choices: options.buttons, pointer: '/buttons' }];
    case 'list':
      return [{ choices: options.rows, pointer: '/rows' }];
    case 'sections':
      return options.sections.map((section, i) => ({
        owner: section,
        choices: section.rows,
        pointer: `/sections/${i}/rows`,
        titlePointer: `/sections/${i}/title`,
      }));
    case 'navigation':
      return options.groups.map((group, i) => ({
        owner: group,
        choices: group.options,
        pointer: `/groups/${i}/options`,
        titlePointer: `/groups/${i}/title`,
      }));
  }
}

export const labelOf = (choice: Choice): LocalizedText =>
  'title' in choice ? choice.title : choice.label;

export function setLabel(choice: Choice, language: string, text: string): void {
  if ('title' in choice) choice.title[language] = text;
  else choice.label[language] = text;
}

/** Sets one language of an optional text, dropping the text once every language is empty. */
export function optionalText(
  current: LocalizedText | undefined,
  language: string,
  text: string,
): LocalizedText | undefined {
  const next = { ...current, [language]: text };
  return Object.values(next).every((v) => v === '') ? undefined : next;
}

export function uniqueId(base: string, taken: readonly string[]): string {
  for (let n = taken.length + 1; ; n++) if (!taken.includes(`${base}${n}`)) return `${base}${n}`;
}

/** New texts are written in the default language; the others show as missing translations. */
const text = (language: string, value: string): LocalizedText => ({ [language]: value });

export function newStep(id: string, language: string): Step {
  return {
    id,
    message: { type: 'text', text: text(language, 'New message') },
    options: { type: 'none', next: { type: 'end' } },
  };
}

/** A new choice for the option type; `n` is its number in the step (for its placeholder). */
export function newChoice(type: ChoiceType, taken: string[], language: string): Choice {
  const kind = choiceKinds[type];
  const n = taken.length + 1;
  const id = uniqueId(kind.idBase, taken);
  const action: Action = { type: 'end' };
  return kind.labelWord === 'title'
    ? { id, title: text(language, `${kind.noun} ${n}`), action }
    : { id, label: text(language, `${kind.noun} ${n}`), action };
}

/** Every choice of the options, across groups. */
export const allChoices = (options: StepOptions): Choice[] =>
  choiceGroups(options).flatMap((g) => g.choices);

/**
 * The options as another type, keeping the choices (labels, descriptions, actions) so switching
 * from buttons to a list and back loses nothing the new type can hold.
 */
export function convertOptions(
  options: StepOptions,
  type: StepOptions['type'],
  language: string,
): StepOptions {
  if (type === options.type) return options;
  const choices = structuredClone(allChoices(options));
  if (type === 'none') return { type, next: choices[0]?.action ?? { type: 'end' } };
  if (choices.length === 0) {
    const first = newChoice(type, [], language);
    if (options.type === 'none') first.action = options.next;
    choices.push(first);
  }
  const buttons = choices.map((c) => ({ id: c.id, label: labelOf(c), action: c.action }));
  const rows: Row[] = choices.map((c) => ({
    id: c.id,
    title: labelOf(c),
    ...('description' in c && c.description ? { description: c.description } : {}),
    action: c.action,
  }));
  switch (type) {
    case 'buttons':
      return { type, buttons };
    case 'list':
      return { type, buttonLabel: text(language, 'Choose'), rows };
    case 'sections':
      return {
        type,
        buttonLabel: text(language, 'Choose'),
        sections: [{ title: text(language, 'Section 1'), rows }],
      };
    case 'navigation':
      return { type, groups: [{ options: buttons }] };
  }
}

/** Every action of the flow (choices, text-input next, system message actions), to edit. */
export function actionsOf(flow: FlowDefinition): Action[] {
  const actions: Action[] = [];
  for (const step of flow.steps) {
    if (step.options.type === 'none') actions.push(step.options.next);
    else for (const c of allChoices(step.options)) actions.push(c.action);
  }
  const system = flow.systemMessages ?? {};
  for (const message of [system.invalid, system.thankYou, system.sessionTimeout])
    for (const a of message?.actions ?? []) actions.push(a.action);
  return actions;
}

/**
 * Renames a step; its references (start step, "go to" actions) follow when the old id named
 * this step alone and the new one is free, so typing a new id never re-points another step's links.
 */
export function renameStepIn(flow: FlowDefinition, index: number, id: string): void {
  const step = flow.steps[index];
  if (!step) return;
  const old = step.id;
  const others = flow.steps.filter((_, i) => i !== index).map((s) => s.id);
  step.id = id;
  if (old === '' || others.includes(old) || others.includes(id)) return;
  if (flow.startStep === old) flow.startStep = id;
  for (const action of actionsOf(flow))
    if (action.type === 'goto' && action.step === old) action.step = id;
}

/** Every localized text of the flow (all keyed by flow language). */
export function localizedTexts(flow: FlowDefinition): LocalizedText[] {
  const texts: LocalizedText[] = [];
  const add = (t: LocalizedText | undefined) => {
    if (t) texts.push(t);
  };
  for (const step of flow.steps) {
    const m = step.message;
    if (m.type === 'text') add(m.text);
    else if (m.type === 'media') add(m.caption);
    else add(m.language);
    const o = step.options;
    if (o.type === 'none') add(o.validation?.retryMessage);
    if (o.type === 'list' || o.type === 'sections') add(o.buttonLabel);
    for (const group of choiceGroups(o)) {
      add(group.owner?.title);
      for (const c of group.choices) {
        add(labelOf(c));
        if ('description' in c) add(c.description);
      }
    }
  }
  const system = flow.systemMessages ?? {};
  for (const message of [system.invalid, system.thankYou, system.sessionTimeout]) {
    add(message?.text);
    for (const a of message?.actions ?? []) add(a.label);
  }
  return texts;
}

export const isMissing = (t: LocalizedText | undefined, language: string): boolean =>
  (t?.[language] ?? '').trim() === '';

/** How many texts of the flow lack a translation in `language`. */
export const missingCount = (flow: FlowDefinition, language: string): number =>
  localizedTexts(flow).filter((t) => isMissing(t, language)).length;

const languagePattern = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** Why `code` cannot be added as a flow language, or undefined when it can. */
export function languageProblem(code: string, languages: readonly string[]): string | undefined {
  if (code === '') return 'Type a language code, like "es" or "pt-BR".';
  if (!languagePattern.test(code))
    return `"${code}" is not a language code like "es" or "pt-BR" (lower-case language, then an optional region).`;
  if (languages.includes(code)) return `"${code}" is already a language of this flow.`;
  return undefined;
}

/** Removes a language with its translations and keyword triggers. */
export function removeLanguageIn(flow: FlowDefinition, language: string): void {
  flow.languages = flow.languages.filter((l) => l !== language);
  if (flow.defaultLanguage === language && flow.languages[0])
    flow.defaultLanguage = flow.languages[0];
  for (const t of localizedTexts(flow)) delete t[language];
  if (flow.triggers) flow.triggers = flow.triggers.filter((t) => t.language !== language);
}

/** Moves an item of an array in place. */
export function moveIn<T>(items: T[], from: number, to: number): void {
  if (from === to || from < 0 || to < 0 || from >= items.length || to >= items.length) return;
  const [item] = items.splice(from, 1);
  items.splice(to, 0, item as T);
}

/** A message without its WhatsApp markers (`*bold*` → `bold`), for one-line previews. */
export const plainText = (markup: string): string =>
  parseMarkup(markup)
    .map((run) => run.text)
    .join('');
