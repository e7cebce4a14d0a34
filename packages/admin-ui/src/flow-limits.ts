/**
 * What the flow builder enforces as you type, taken from `@chatloom/flow-engine` rather than
 * re-stated: the character limits (`limits`, counted in code points like Meta does) and the
 * validator's diagnostics (`validateFlow`), matched to fields by their JSON pointer.
 */
import {
  codePointLength,
  type Diagnostic,
  type FlowDefinition,
  limits,
  type StepOptions,
  validateFlow,
} from '@chatloom/flow-engine';

/** The kinds of limited text field in the builder and the limit of each. */
export const fieldLimits = {
  buttonLabel: limits.buttonTitle,
  rowTitle: limits.rowTitle,
  rowDescription: limits.rowDescription,
  listButton: limits.listButton,
  sectionTitle: limits.sectionTitle,
  navigationLabel: limits.navigationLabel,
  interactiveText: limits.interactiveBody,
  text: limits.textBody,
} as const;

export type FieldKind = keyof typeof fieldLimits;

/** Counter state for a field: `12/20`. */
export interface Count {
  length: number;
  max: number;
  over: boolean;
}

export function countOf(text: string, max: number): Count {
  const length = codePointLength(text);
  return { length, max, over: length > max };
}

/** The limit of a step's message text: shorter when choices are sent under it. */
export function messageLimit(options: StepOptions): number {
  return options.type === 'none' ? limits.textBody : limits.interactiveBody;
}

/** How many more options a step may take, by its option type (null: no fixed cap). */
export function optionsLeft(options: StepOptions): number | null {
  switch (options.type) {
    case 'buttons':
      return limits.buttons - options.buttons.length;
    case 'list':
      return limits.listRows - options.rows.length;
    case 'sections':
      return limits.listRows - options.sections.reduce((n, s) => n + s.rows.length, 0);
    case 'navigation':
      return limits.navigationOptions - options.groups.reduce((n, g) => n + g.options.length, 0);
    default:
      return null;
  }
}

/** The validator's result, with the diagnostics of each field found by pointer. */
export interface FlowCheck {
  valid: boolean;
  /** Every diagnostic, in the validator's order. */
  diagnostics: Diagnostic[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** Diagnostics at `pointer` or below it (a localized text's languages). */
  at(pointer: string): Diagnostic[];
}

export function checkFlow(definition: FlowDefinition | unknown): FlowCheck {
  const result = validateFlow(definition);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  return {
    valid: result.valid,
    diagnostics: result.diagnostics,
    errors,
    warnings: result.diagnostics.filter((d) => d.severity !== 'error'),
    at: (pointer) =>
      result.diagnostics.filter((d) => d.path === pointer || d.path.startsWith(`${pointer}/`)),
  };
}
