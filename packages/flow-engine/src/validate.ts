/**
 * `validateFlow`: every problem of a flow definition, each with a JSON pointer, a stable code
 * and a message a designer can act on. The JSON Schema checks shape and limits; the checks
 * below it check what a schema cannot (references, translations, totals, reachability).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { letteredRendering } from './channels.js';
import { codePointLength, limits } from './limits.js';
import { renderStep } from './render.js';
import {
  type Action,
  type FlowDefinition,
  FlowSchema,
  type LocalizedText,
  type Step,
  type SystemMessage,
  type SystemMessages,
  SystemMessagesSchema,
} from './schema.js';
import { stepActions } from './steps.js';
import { normalizeText } from './text.js';
import { triggerRegex } from './triggers.js';

export type Severity = 'error' | 'warning';

/** One problem: where (a JSON pointer into the definition), what (a stable code), and why. */
export interface Diagnostic {
  path: string;
  code: string;
  message: string;
  severity: Severity;
}

export interface ValidationResult {
  /** No errors (warnings allowed). */
  valid: boolean;
  diagnostics: Diagnostic[];
}

// Keywords whose failure leaves the structure intact, so the semantic checks can still run.
const nonStructural = new Set([
  'maxLength',
  'minLength',
  'maxItems',
  'minItems',
  'pattern',
  'minimum',
  'additionalProperties',
]);

let compiled: { flow: ValidateFunction; systemMessages: ValidateFunction } | undefined;
function validators() {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, discriminator: true, strict: false });
    ajv.addKeyword({ keyword: 'x-codes', schemaType: 'object' });
    compiled = { flow: ajv.compile(FlowSchema), systemMessages: ajv.compile(SystemMessagesSchema) };
  }
  return compiled;
}

const ordinal = (n: number) => {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`;
};

const localizedFields = new Set([
  'label',
  'title',
  'text',
  'description',
  'caption',
  'buttonLabel',
  'retryMessage',
  'language',
]);

/** "step "orders" › buttons › 4th › label (es)": where a pointer lands, in words. */
function describePath(root: unknown, path: string): string {
  const parts = path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const words: string[] = [];
  let node: unknown = root;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const parent = node;
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<string, unknown>)[part]
        : undefined;
    if (Array.isArray(parent)) {
      const id =
        node !== null && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      const prev = parts[i - 1];
      if (prev === 'steps' && typeof id === 'string') words[words.length - 1] = `step "${id}"`;
      else words.push(typeof id === 'string' ? `"${id}"` : ordinal(Number(part) + 1));
    } else if (i === parts.length - 1 && localizedFields.has(parts[i - 1] ?? '')) {
      words[words.length - 1] += ` (${part})`;
    } else {
      words.push(part);
    }
  }
  return words.join(' › ');
}

type Explain = (detail: {
  limit?: number;
  actual?: number;
  value?: string;
  extra?: string;
}) => string;

/** The part of each message after "where": what is wrong and what to do. */
const explanations: Record<string, Explain> = {
  'buttons.count': ({ actual }) =>
    `a buttons step takes 1 to ${limits.buttons} buttons (WhatsApp limit); it has ${actual}`,
  'button.label-too-long': ({ actual }) =>
    `a button label takes at most ${limits.buttonTitle} characters (WhatsApp limit); it has ${actual}`,
  'list.rows-count': ({ actual }) =>
    `a list takes 1 to ${limits.listRows} rows in all (WhatsApp limit); it has ${actual}`,
  'list.row-title-too-long': ({ actual }) =>
    `a list row title takes at most ${limits.rowTitle} characters (WhatsApp limit); it has ${actual}`,
  'list.row-description-too-long': ({ actual }) =>
    `a list row description takes at most ${limits.rowDescription} characters (WhatsApp limit); it has ${actual}`,
  'list.button-label-too-long': ({ actual }) =>
    `the list button label takes at most ${limits.listButton} characters (WhatsApp limit); it has ${actual}`,
  'sections.count': ({ actual }) =>
    `a list takes 1 to ${limits.listSections} sections (WhatsApp limit); it has ${actual}`,
  'section.title-too-long': ({ actual }) =>
    `a section title takes at most ${limits.sectionTitle} characters (WhatsApp limit); it has ${actual}`,
  'section.empty': () => 'a section needs at least one row',
  'navigation.options-count': ({ actual }) =>
    `navigation options are keyed A to Z, so a step takes 1 to ${limits.navigationOptions}; it has ${actual}`,
  'navigation.too-long': ({ actual, value }) =>
    `the message with its lettered options has ${actual} characters in "${value}"; WhatsApp takes at most ${limits.textBody}: shorten the labels or split the options over two steps`,
  'navigation.group-empty': () => 'a group of navigation options needs at least one option',
  'navigation.label-too-long': ({ actual }) =>
    `a navigation label takes at most ${limits.navigationLabel} characters; it has ${actual}`,
  'message.too-long': ({ limit, actual }) =>
    `the message takes at most ${limit} characters here (WhatsApp limit); it has ${actual}`,
  'caption.too-long': ({ actual }) =>
    `a caption takes at most ${limits.caption} characters (WhatsApp limit); it has ${actual}`,
  'message.empty': () => 'the message is empty; write the text or remove the language',
  'message.choice-needs-text': () =>
    'a step with buttons, a list or navigation options needs a text message (the choices are sent under it)',
  'system-message.too-long': ({ actual }) =>
    `a system message takes at most ${limits.systemMessage} characters; it has ${actual}`,
  'system-message.actions-count': ({ actual }) =>
    `a system message takes at most ${limits.systemActions} actions (keys 1, 2, 3); it has ${actual}`,
  'system-action.label-too-long': ({ actual }) =>
    `an action label takes at most ${limits.systemActionLabel} characters; it has ${actual}`,
  'timeout.minutes': () => 'the session timeout is a whole number of minutes, at least 1',
  'translation.missing': ({ value }) =>
    `the text has no "${value}" translation; every declared language needs one`,
  'translation.undeclared-language': ({ value }) =>
    `"${value}" is not one of the flow's languages; declare it or remove the text`,
  'action.unknown-step': ({ value }) => `goes to step "${value}", which does not exist`,
  'action.flow-id-format': () =>
    'the flow to start is named by its id: letters, digits, "_" and "-" (1 to 64 characters)',
  'flow.start-step-missing': ({ value }) => `the start step "${value}" does not exist`,
  'flow.no-steps': () => 'a flow needs at least one step',
  'flow.default-language-undeclared': ({ value }) =>
    `the default language "${value}" is not in languages`,
  'flow.id-format': () => 'an id uses letters, digits, "_" and "-" (1 to 64 characters)',
  'step.id-format': () => 'a step id uses letters, digits, "_" and "-" (1 to 64 characters)',
  'option.id-format': () => 'an option id uses letters, digits, "_" and "-" (1 to 64 characters)',
  'language.duplicate': ({ value }) => `language "${value}" is listed twice`,
  'language.code': ({ value }) => `"${value}" is not a language code like "en" or "pt-BR"`,
  'languages.count': () => 'a flow needs at least one language',
  'step.duplicate-id': ({ value }) => `step id "${value}" is used by another step`,
  'option.duplicate-id': ({ value }) => `option id "${value}" is used twice in this step`,
  'option.duplicate-label': ({ value }) =>
    `"${value}" is the label of another option of this step; users could not tell them apart`,
  'step.unreachable': () => 'no path from the start step reaches this step',
  'trigger.invalid-regex': ({ extra }) => `the regular expression does not compile: ${extra}`,
  'trigger.undeclared-language': ({ value }) =>
    `trigger language "${value}" is not one of the flow's languages`,
  'trigger.empty': () => 'the keyword is empty once accents, case and spaces are ignored',
  'validation.pattern-missing': () => 'a regex validation needs a pattern',
  'validation.invalid-regex': ({ extra }) => `the regular expression does not compile: ${extra}`,
  'variable.name': () =>
    'a variable name uses letters, digits and "_", and does not start with a digit',
  'template.name': () => 'a template name uses lower-case letters, digits and "_"',
  'schema.required': ({ value }) => `"${value}" is required`,
  'schema.unknown-property': ({ value }) => `"${value}" is not part of the format`,
  'schema.unknown-type': ({ value }) => `type "${value}" is not one the format knows`,
};

function explain(code: string, detail: Parameters<Explain>[0], fallback: string): string {
  return explanations[code]?.(detail) ?? fallback;
}

function prefix(root: unknown): string {
  const id = root !== null && typeof root === 'object' ? (root as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? `Flow "${id}"` : 'Flow';
}

function valueAt(root: unknown, path: string): unknown {
  let node = root;
  for (const part of path.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function measure(value: unknown): number | undefined {
  if (typeof value === 'string') return codePointLength(value);
  if (Array.isArray(value)) return value.length;
  return undefined;
}

/** Turns ajv's errors into diagnostics (and tells whether the structure itself is broken). */
function schemaDiagnostics(
  root: unknown,
  errors: ErrorObject[],
  base = '',
): { diagnostics: Diagnostic[]; structural: boolean } {
  const diagnostics: Diagnostic[] = [];
  let structural = false;
  const seen = new Set<string>();
  for (const error of errors) {
    let path = base + error.instancePath;
    let code: string;
    let value: string | undefined;
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      path += `/${missing}`;
      code = 'schema.required';
      value = missing;
    } else if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      path += `/${extra}`;
      code = 'schema.unknown-property';
      value = extra;
    } else if (error.keyword === 'discriminator') {
      path += '/type';
      code = 'schema.unknown-type';
      value = String(valueAt(root, path.slice(base.length)));
    } else {
      const parent = error.parentSchema as { 'x-codes'?: Record<string, string> } | undefined;
      code = parent?.['x-codes']?.[error.keyword] ?? `schema.${error.keyword}`;
      value = String(valueAt(root, path.slice(base.length)));
    }
    if (!nonStructural.has(error.keyword)) structural = true;
    const key = `${path}\u0000${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const actual = measure(valueAt(root, error.instancePath));
    const limit = (error.params as { limit?: number }).limit;
    const where = describePath(root, path.slice(base.length));
    diagnostics.push({
      path,
      code,
      severity: 'error',
      message: `${prefix(root)}: ${where || 'the definition'}: ${explain(code, { limit, actual, value }, error.message ?? error.keyword)}`,
    });
  }
  return { diagnostics, structural };
}

/** Collects semantic diagnostics for a structurally valid flow. */
class FlowChecker {
  readonly diagnostics: Diagnostic[] = [];
  private readonly stepIds: Set<string>;

  constructor(private readonly flow: FlowDefinition) {
    this.stepIds = new Set(flow.steps.map((s) => s.id));
  }

  add(
    path: string,
    code: string,
    detail: Parameters<Explain>[0] = {},
    severity: Severity = 'error',
  ) {
    const where = describePath(this.flow, path);
    this.diagnostics.push({
      path,
      code,
      severity,
      message: `${prefix(this.flow)}: ${where}: ${explain(code, detail, code)}`,
    });
  }

  run() {
    const { flow } = this;
    const seenLanguages = new Set<string>();
    flow.languages.forEach((language, i) => {
      if (seenLanguages.has(language))
        this.add(`/languages/${i}`, 'language.duplicate', { value: language });
      seenLanguages.add(language);
    });
    if (!seenLanguages.has(flow.defaultLanguage)) {
      this.add('/defaultLanguage', 'flow.default-language-undeclared', {
        value: flow.defaultLanguage,
      });
    }
    const seenSteps = new Set<string>();
    flow.steps.forEach((step, i) => {
      if (seenSteps.has(step.id))
        this.add(`/steps/${i}/id`, 'step.duplicate-id', { value: step.id });
      seenSteps.add(step.id);
      this.checkStep(step, `/steps/${i}`);
    });
    if (!this.stepIds.has(flow.startStep)) {
      this.add('/startStep', 'flow.start-step-missing', { value: flow.startStep });
    }
    flow.triggers?.forEach((trigger, i) => {
      if (!seenLanguages.has(trigger.language)) {
        this.add(`/triggers/${i}/language`, 'trigger.undeclared-language', {
          value: trigger.language,
        });
      }
      if (trigger.match === 'regex') {
        const problem = regexProblem(trigger.keyword);
        if (problem)
          this.add(`/triggers/${i}/keyword`, 'trigger.invalid-regex', { extra: problem });
      } else if (normalizeText(trigger.keyword) === '') {
        this.add(`/triggers/${i}/keyword`, 'trigger.empty');
      }
    });
    if (flow.systemMessages) this.checkSystemMessages(flow.systemMessages, '/systemMessages');
    // Without a start step every step would be "unreachable": one error says it better.
    if (this.stepIds.has(flow.startStep)) this.checkReachability();
  }

  /** Every declared language present and non-empty; no undeclared ones. */
  text(text: LocalizedText | undefined, path: string, maxLength?: number) {
    if (!text) return;
    for (const language of this.flow.languages) {
      const value = text[language];
      if (value === undefined)
        this.add(`${path}/${escapePointer(language)}`, 'translation.missing', { value: language });
      else if (value.trim() === '') this.add(`${path}/${escapePointer(language)}`, 'message.empty');
      else if (maxLength !== undefined && codePointLength(value) > maxLength) {
        this.add(`${path}/${escapePointer(language)}`, 'message.too-long', {
          limit: maxLength,
          actual: codePointLength(value),
        });
      }
    }
    for (const language of Object.keys(text)) {
      if (!this.flow.languages.includes(language)) {
        this.add(
          `${path}/${escapePointer(language)}`,
          'translation.undeclared-language',
          { value: language },
          'warning',
        );
      }
    }
  }

  action(action: Action, path: string) {
    if (action.type === 'goto' && !this.stepIds.has(action.step)) {
      this.add(`${path}/step`, 'action.unknown-step', { value: action.step });
    }
  }

  checkStep(step: Step, path: string) {
    const { message, options } = step;
    const hasChoices = options.type !== 'none';
    if (message.type === 'text') {
      this.text(
        message.text,
        `${path}/message/text`,
        hasChoices ? limits.interactiveBody : undefined,
      );
    } else if (hasChoices) {
      this.add(`${path}/message`, 'message.choice-needs-text');
    } else if (message.type === 'media') {
      this.text(message.caption, `${path}/message/caption`);
    } else {
      this.text(message.language, `${path}/message/language`);
    }
    const optionsPath = `${path}/options`;
    switch (options.type) {
      case 'none':
        this.action(options.next, `${optionsPath}/next`);
        if (options.validation) {
          const v = options.validation;
          this.text(v.retryMessage, `${optionsPath}/validation/retryMessage`);
          if (v.kind === 'regex') {
            if (v.pattern === undefined)
              this.add(`${optionsPath}/validation`, 'validation.pattern-missing');
            else {
              const problem = regexProblem(v.pattern);
              if (problem)
                this.add(`${optionsPath}/validation/pattern`, 'validation.invalid-regex', {
                  extra: problem,
                });
            }
          }
        }
        break;
      case 'buttons':
        this.choices(
          options.buttons.map((b, i) => ({
            option: b,
            label: b.label,
            path: `${optionsPath}/buttons/${i}`,
            labelKey: 'label',
          })),
        );
        break;
      case 'list':
        this.text(options.buttonLabel, `${optionsPath}/buttonLabel`);
        this.choices(
          options.rows.map((r, i) => ({
            option: r,
            label: r.title,
            path: `${optionsPath}/rows/${i}`,
            labelKey: 'title',
          })),
        );
        for (const [i, r] of options.rows.entries()) {
          this.text(r.description, `${optionsPath}/rows/${i}/description`);
        }
        break;
      case 'sections': {
        this.text(options.buttonLabel, `${optionsPath}/buttonLabel`);
        const total = options.sections.reduce((n, s) => n + s.rows.length, 0);
        if (total > limits.listRows)
          this.add(`${optionsPath}/sections`, 'list.rows-count', { actual: total });
        options.sections.forEach((s, i) => {
          this.text(s.title, `${optionsPath}/sections/${i}/title`);
          for (const [j, r] of s.rows.entries()) {
            this.text(r.description, `${optionsPath}/sections/${i}/rows/${j}/description`);
          }
        });
        this.choices(
          options.sections.flatMap((s, i) =>
            s.rows.map((r, j) => ({
              option: r,
              label: r.title,
              path: `${optionsPath}/sections/${i}/rows/${j}`,
              labelKey: 'title',
            })),
          ),
        );
        break;
      }
      case 'navigation': {
        const total = options.groups.reduce((n, g) => n + g.options.length, 0);
        if (total > limits.navigationOptions)
          this.add(`${optionsPath}/groups`, 'navigation.options-count', { actual: total });
        for (const [i, g] of options.groups.entries())
          this.text(g.title, `${optionsPath}/groups/${i}/title`);
        // The options go out as lines of text under the message: the whole must fit one message.
        for (const language of this.flow.languages) {
          const message = renderStep(step, {
            language,
            fallback: this.flow.defaultLanguage,
            vars: {},
          });
          if (message.kind !== 'options') continue;
          const length = codePointLength(letteredRendering(message).text);
          if (length > limits.textBody) {
            this.add(optionsPath, 'navigation.too-long', { actual: length, value: language });
            break;
          }
        }
        this.choices(
          options.groups.flatMap((g, i) =>
            g.options.map((o, j) => ({
              option: o,
              label: o.label,
              path: `${optionsPath}/groups/${i}/options/${j}`,
              labelKey: 'label',
            })),
          ),
        );
        break;
      }
    }
  }

  /** Ids and labels unique within the step, labels translated, actions pointing somewhere. */
  choices(
    entries: {
      option: { id: string; action: Action };
      label: LocalizedText;
      path: string;
      labelKey: string;
    }[],
  ) {
    const ids = new Set<string>();
    const labels = new Map<string, Set<string>>();
    for (const { option, label, path, labelKey } of entries) {
      if (ids.has(option.id)) this.add(`${path}/id`, 'option.duplicate-id', { value: option.id });
      ids.add(option.id);
      this.text(label, `${path}/${labelKey}`);
      for (const [language, value] of Object.entries(label)) {
        const normalized = normalizeText(value);
        if (normalized === '') continue;
        const seen = labels.get(language) ?? new Set<string>();
        labels.set(language, seen);
        if (seen.has(normalized))
          this.add(`${path}/${labelKey}/${escapePointer(language)}`, 'option.duplicate-label', {
            value,
          });
        seen.add(normalized);
      }
      this.action(option.action, `${path}/action`);
    }
  }

  checkSystemMessages(messages: SystemMessages, path: string) {
    const one = (message: SystemMessage | undefined, at: string) => {
      if (!message) return;
      this.text(message.text, `${at}/text`);
      message.actions?.forEach((a, i) => {
        this.text(a.label, `${at}/actions/${i}/label`);
        this.action(a.action, `${at}/actions/${i}/action`);
      });
    };
    one(messages.invalid, `${path}/invalid`);
    one(messages.thankYou, `${path}/thankYou`);
    one(messages.sessionTimeout, `${path}/sessionTimeout`);
  }

  checkReachability() {
    const { flow } = this;
    const byId = new Map(flow.steps.map((s) => [s.id, s]));
    const reached = new Set<string>();
    const queue: string[] = [];
    const visit = (action: Action) => {
      if (action.type === 'goto' && !reached.has(action.step) && byId.has(action.step)) {
        reached.add(action.step);
        queue.push(action.step);
      }
    };
    visit({ type: 'goto', step: flow.startStep });
    const system = flow.systemMessages ?? {};
    for (const message of [system.invalid, system.thankYou, system.sessionTimeout]) {
      for (const a of message?.actions ?? []) visit(a.action);
    }
    while (queue.length > 0) {
      const step = byId.get(queue.shift()!)!;
      for (const action of stepActions(step)) visit(action);
    }
    flow.steps.forEach((step, i) => {
      if (!reached.has(step.id)) this.add(`/steps/${i}`, 'step.unreachable', {}, 'warning');
    });
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function regexProblem(source: string): string | undefined {
  if (triggerRegex(source)) {
    return nestedQuantifier(source)
      ? 'a quantified group that itself repeats, like (a+)+, can take exponential time on some messages; rewrite it without the nested repetition'
      : undefined;
  }
  try {
    new RegExp(source, 'u');
    return 'invalid pattern';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Whether a pattern repeats a group that itself repeats (`(a+)+`, `(\w*)*`, `(x{2,})+`): the
 * shape behind catastrophic backtracking. A flow's patterns run on every customer message, so
 * one such pattern could stall the process for everyone.
 */
function nestedQuantifier(source: string): boolean {
  const groups: boolean[] = []; // per open group: does it contain a quantifier?
  let repeats = false; // the last atom closed contained a quantifier
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const quantifier =
      c === '+' || c === '*' || (c === '{' && /^\{\d+,\d*\}/.test(source.slice(i)));
    if (c === '\\') {
      i++;
      repeats = false;
    } else if (c === '[') {
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      repeats = false;
    } else if (c === '(') {
      groups.push(false);
    } else if (c === ')') {
      repeats = groups.pop() ?? false;
      if (repeats && groups.length > 0) groups[groups.length - 1] = true;
      continue;
    } else if (quantifier) {
      if (repeats) return true;
      if (groups.length > 0) groups[groups.length - 1] = true;
    } else {
      repeats = false;
    }
    if (!quantifier && c !== '?') repeats = false;
  }
  return false;
}

function result(diagnostics: Diagnostic[]): ValidationResult {
  return { valid: !diagnostics.some((d) => d.severity === 'error'), diagnostics };
}

/** Checks a flow definition: every problem, each at its JSON pointer with a stable code. */
export function validateFlow(definition: unknown): ValidationResult {
  const validate = validators().flow;
  if (validate(definition)) {
    const checker = new FlowChecker(definition as FlowDefinition);
    checker.run();
    return result(checker.diagnostics);
  }
  const { diagnostics, structural } = schemaDiagnostics(definition, validate.errors ?? []);
  if (!structural) {
    // Only limits (or unknown extra properties) are broken: the structure is sound, so the
    // other checks can run too.
    const checker = new FlowChecker(definition as FlowDefinition);
    checker.run();
    const known = new Set(diagnostics.map((d) => `${d.path}\u0000${d.code}`));
    diagnostics.push(...checker.diagnostics.filter((d) => !known.has(`${d.path}\u0000${d.code}`)));
  }
  return result(diagnostics);
}

/**
 * Checks a tenant's system messages (invalid, thank-you, session timeout), which flows
 * inherit. Shape and limits only: translations are checked against each flow that uses them.
 */
export function validateSystemMessages(messages: unknown): ValidationResult {
  const validate = validators().systemMessages;
  if (validate(messages)) return result([]);
  return result(schemaDiagnostics(messages, validate.errors ?? []).diagnostics);
}

/** Thrown by `compileFlow` for an invalid flow; carries every diagnostic. */
export class FlowValidationError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(flowId: string, diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      `Flow "${flowId}" is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${errors
        .map((d) => `  ${d.path}: ${d.message}`)
        .join('\n')}`,
    );
    this.name = 'FlowValidationError';
    this.diagnostics = diagnostics;
  }
}
