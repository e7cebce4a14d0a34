/**
 * The flow format `chatloom.flow/v1`, written once as JSON Schema (TypeBox builds the schema
 * and derives the TypeScript types from it, so the two cannot drift). ajv validates with it;
 * `x-codes` names the diagnostic code a failing keyword maps to.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { limits } from './limits.js';

export const flowFormat = 'chatloom.flow/v1';

/** `{ keyword: code }`: which diagnostic code a failing schema keyword maps to. */
type Codes = Partial<
  Record<
    'maxLength' | 'minLength' | 'maxItems' | 'minItems' | 'pattern' | 'minimum' | 'type',
    string
  >
>;
const codes = (map: Codes) => ({ 'x-codes': map });

/** A union told apart by its `type` tag, so ajv reports errors of the matching branch only. */
function Tagged<const T extends TSchema[]>(variants: [...T]) {
  return Type.Unsafe<Static<ReturnType<typeof Type.Union<T>>>>({
    type: 'object',
    required: ['type'],
    discriminator: { propertyName: 'type' },
    oneOf: variants,
  });
}

const idPattern = '^[A-Za-z0-9_-]+$';
const Id = (code: string) =>
  Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: idPattern,
    ...codes({ pattern: code, minLength: code, maxLength: code }),
  });

/** Text per language: `{ "en": "Hello", "es": "Hola" }`. Keys are declared flow languages. */
const Localized = (maxLength: number, code: string) =>
  Type.Record(Type.String(), Type.String({ maxLength, ...codes({ maxLength: code }) }));

/**
 * What choosing an option (or a system action) does. `start` restarts this flow; with `flow`
 * (another flow of the tenant) it ends this flow's session and the host starts that flow.
 */
export const ActionSchema = Tagged([
  Type.Object({ type: Type.Literal('goto'), step: Type.String() }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('start'),
      /** The id of the flow to start; absent (or this flow's own id): restart this flow. */
      flow: Type.Optional(Id('action.flow-id-format')),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('end') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('handoff') }, { additionalProperties: false }),
]);

const MessageSchema = Tagged([
  Type.Object(
    { type: Type.Literal('text'), text: Localized(limits.textBody, 'message.too-long') },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('media'),
      media: Type.Union([
        Type.Literal('image'),
        Type.Literal('video'),
        Type.Literal('document'),
        Type.Literal('audio'),
      ]),
      url: Type.String({ minLength: 1 }),
      caption: Type.Optional(Localized(limits.caption, 'caption.too-long')),
      filename: Type.Optional(Type.String({ minLength: 1 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('template'),
      name: Type.String({
        minLength: 1,
        maxLength: 512,
        pattern: '^[a-z0-9_]+$',
        ...codes({ pattern: 'template.name' }),
      }),
      /** The template's language code (e.g. `en_US`) for each flow language. */
      language: Type.Record(Type.String(), Type.String({ minLength: 1 })),
      /** Body parameters in order; `{{variable}}` is replaced by the session's variable. */
      parameters: Type.Optional(Type.Array(Type.String())),
    },
    { additionalProperties: false },
  ),
]);

const ButtonSchema = Type.Object(
  {
    id: Id('option.id-format'),
    label: Localized(limits.buttonTitle, 'button.label-too-long'),
    action: ActionSchema,
  },
  { additionalProperties: false },
);

const RowSchema = Type.Object(
  {
    id: Id('option.id-format'),
    title: Localized(limits.rowTitle, 'list.row-title-too-long'),
    description: Type.Optional(Localized(limits.rowDescription, 'list.row-description-too-long')),
    action: ActionSchema,
  },
  { additionalProperties: false },
);

const NavigationOptionSchema = Type.Object(
  {
    id: Id('option.id-format'),
    label: Localized(limits.navigationLabel, 'navigation.label-too-long'),
    action: ActionSchema,
  },
  { additionalProperties: false },
);

const ValidationSchema = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('email'),
      Type.Literal('phone'),
      Type.Literal('number'),
      Type.Literal('regex'),
    ]),
    /** For `regex`: a JavaScript regular expression source, matched against the whole text. */
    pattern: Type.Optional(Type.String()),
    /** Sent when the text fails validation; the step then waits again. */
    retryMessage: Localized(limits.textBody, 'message.too-long'),
  },
  { additionalProperties: false },
);

const listButton = () => Localized(limits.listButton, 'list.button-label-too-long');

const OptionsSchema = Tagged([
  Type.Object(
    {
      /** No choices: any text the user types moves the flow on. */
      type: Type.Literal('none'),
      next: ActionSchema,
      saveAs: Type.Optional(
        Type.String({
          pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$',
          ...codes({ pattern: 'variable.name' }),
        }),
      ),
      validation: Type.Optional(ValidationSchema),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('buttons'),
      buttons: Type.Array(ButtonSchema, {
        minItems: 1,
        maxItems: limits.buttons,
        ...codes({ minItems: 'buttons.count', maxItems: 'buttons.count' }),
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('list'),
      buttonLabel: listButton(),
      rows: Type.Array(RowSchema, {
        minItems: 1,
        maxItems: limits.listRows,
        ...codes({ minItems: 'list.rows-count', maxItems: 'list.rows-count' }),
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('sections'),
      buttonLabel: listButton(),
      sections: Type.Array(
        Type.Object(
          {
            title: Localized(limits.sectionTitle, 'section.title-too-long'),
            rows: Type.Array(RowSchema, {
              minItems: 1,
              ...codes({ minItems: 'section.empty' }),
            }),
          },
          { additionalProperties: false },
        ),
        {
          minItems: 1,
          maxItems: limits.listSections,
          ...codes({ minItems: 'sections.count', maxItems: 'sections.count' }),
        },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('navigation'),
      groups: Type.Array(
        Type.Object(
          {
            title: Type.Optional(Localized(limits.navigationLabel, 'navigation.label-too-long')),
            options: Type.Array(NavigationOptionSchema, {
              minItems: 1,
              ...codes({ minItems: 'navigation.group-empty' }),
            }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, ...codes({ minItems: 'navigation.options-count' }) },
      ),
    },
    { additionalProperties: false },
  ),
]);

const StepSchema = Type.Object(
  {
    id: Id('step.id-format'),
    /** A name for people; not sent. */
    name: Type.Optional(Type.String()),
    message: MessageSchema,
    options: OptionsSchema,
    /** Declares a step where a conversation may rest for good (flow checks don't call it a trap). */
    terminal: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const SystemActionSchema = Type.Object(
  {
    label: Localized(limits.systemActionLabel, 'system-action.label-too-long'),
    action: ActionSchema,
  },
  { additionalProperties: false },
);

const systemMessageProperties = {
  text: Localized(limits.systemMessage, 'system-message.too-long'),
  /** Up to 3 actions, keyed 1, 2, 3 in order. */
  actions: Type.Optional(
    Type.Array(SystemActionSchema, {
      maxItems: limits.systemActions,
      ...codes({ maxItems: 'system-message.actions-count' }),
    }),
  ),
};

export const SystemMessageSchema = Type.Object(systemMessageProperties, {
  additionalProperties: false,
});

export const SessionTimeoutMessageSchema = Type.Object(
  {
    ...systemMessageProperties,
    minutes: Type.Integer({
      minimum: 1,
      ...codes({ minimum: 'timeout.minutes', type: 'timeout.minutes' }),
    }),
  },
  { additionalProperties: false },
);

export const SystemMessagesSchema = Type.Object(
  {
    invalid: Type.Optional(SystemMessageSchema),
    thankYou: Type.Optional(SystemMessageSchema),
    sessionTimeout: Type.Optional(SessionTimeoutMessageSchema),
  },
  { additionalProperties: false },
);

const TriggerSchema = Type.Object(
  {
    language: Type.String(),
    match: Type.Union([Type.Literal('exact'), Type.Literal('contains'), Type.Literal('regex')]),
    keyword: Type.String({ minLength: 1, ...codes({ minLength: 'trigger.empty' }) }),
  },
  { additionalProperties: false },
);

export const FlowSchema = Type.Object(
  {
    format: Type.Literal(flowFormat),
    id: Id('flow.id-format'),
    version: Type.Integer({ minimum: 1 }),
    name: Type.String({ minLength: 1 }),
    languages: Type.Array(
      Type.String({
        pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
        ...codes({ pattern: 'language.code' }),
      }),
      {
        minItems: 1,
        ...codes({ minItems: 'languages.count' }),
      },
    ),
    defaultLanguage: Type.String(),
    triggers: Type.Optional(Type.Array(TriggerSchema)),
    startStep: Type.String(),
    steps: Type.Array(StepSchema, { minItems: 1, ...codes({ minItems: 'flow.no-steps' }) }),
    systemMessages: Type.Optional(SystemMessagesSchema),
  },
  { additionalProperties: false },
);

/** A flow definition: the JSON a designer writes or the builder saves. */
export type FlowDefinition = Static<typeof FlowSchema>;
export type Step = FlowDefinition['steps'][number];
export type StepMessage = Step['message'];
export type StepOptions = Step['options'];
export type Action = Static<typeof ActionSchema>;
export type LocalizedText = Record<string, string>;
export type Trigger = NonNullable<FlowDefinition['triggers']>[number];
export type SystemMessages = Static<typeof SystemMessagesSchema>;
export type SystemMessage = Static<typeof SystemMessageSchema>;
export type SessionTimeoutMessage = Static<typeof SessionTimeoutMessageSchema>;
export type ButtonsOptions = Extract<StepOptions, { type: 'buttons' }>;
export type ListOptions = Extract<StepOptions, { type: 'list' }>;
export type SectionsOptions = Extract<StepOptions, { type: 'sections' }>;
export type NavigationOptions = Extract<StepOptions, { type: 'navigation' }>;
export type TextInputOptions = Extract<StepOptions, { type: 'none' }>;
export type InputValidation = NonNullable<TextInputOptions['validation']>;
