import {
  GraphError,
  invalidValue,
  unknownPath,
  unsupportedRequest,
  whatsAppError,
  whatsAppParamError,
} from './graph-error.js';
import { type GraphRequest, type GraphResponse, ok } from './graph-request.js';
import type { FakeState } from './state.js';
import type { TemplateRecord, TemplateSeed, TemplateStatus } from './types.js';
import { isNonEmptyString, isRecord, type JsonRecord, longerThan } from './values.js';

/** What a send of a template must carry, derived from its components once at creation. */
export interface TemplateExpectation {
  header: { format: string; params: string[] } | undefined;
  body: string[];
  buttons: Array<{ index: number; type: string; needsParameter: boolean }>;
}

/** A template as the fake stores it. */
export interface StoredTemplate extends TemplateRecord {
  expect: TemplateExpectation;
}

const categories = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
type Category = (typeof categories)[number];
const placeholderPattern = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** A copy without the fake's bookkeeping. */
export function publicTemplate(t: StoredTemplate): TemplateRecord {
  const { expect: _expect, ...record } = t;
  return { ...record, components: structuredClone(record.components) };
}

/** The distinct placeholders of a text, in order of first use. */
function placeholders(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(placeholderPattern)) {
    const name = match[1] ?? '';
    if (!found.includes(name)) found.push(name);
  }
  return found;
}

function createError(message: string, userMessage: string, subcode?: number): GraphError {
  return new GraphError(100, `(#100) ${message}`, {
    userTitle: 'Invalid parameter',
    userMessage,
    ...(subcode === undefined ? {} : { subcode }),
  });
}

/**
 * Validates the components of a create call and derives what sends must carry. The checks follow
 * Meta's template-components page: one body (≤ 1024), header text ≤ 60 with at most one variable,
 * footer ≤ 60 without variables, ≤ 10 buttons (labels ≤ 25, ≤ 2 URL, ≤ 1 phone number),
 * sequential `{{1}}…{{n}}` (or named) variables with examples.
 */
export function compileTemplate(
  category: Category,
  components: unknown[],
  format: 'POSITIONAL' | 'NAMED',
): TemplateExpectation {
  const expectation: TemplateExpectation = { header: undefined, body: [], buttons: [] };
  let bodies = 0;
  const checkNames = (names: string[], where: string): void => {
    if (format === 'NAMED') {
      if (names.some((n) => !/^[a-z][a-z0-9_]*$/.test(n))) {
        throw createError(
          'Invalid parameter',
          `${where}: named parameters must be lowercase letters, digits and underscores`,
        );
      }
      return;
    }
    names.forEach((n, i) => {
      if (n !== String(i + 1)) {
        throw createError(
          'Invalid parameter',
          `${where}: variable parameters must be whole numbers in sequence starting at {{1}}`,
          2388043,
        );
      }
    });
  };
  for (const [i, component] of components.entries()) {
    if (!isRecord(component) || typeof component.type !== 'string') {
      throw whatsAppParamError(`The parameter components[${i}]['type'] is required.`);
    }
    const type = component.type.toUpperCase();
    const text = typeof component.text === 'string' ? component.text : undefined;
    const example = isRecord(component.example) ? component.example : undefined;
    if (type === 'BODY') {
      bodies++;
      if (category === 'AUTHENTICATION') {
        expectation.body = ['1'];
        continue;
      }
      if (!isNonEmptyString(text))
        throw whatsAppParamError(`The parameter components[${i}]['text'] is required.`);
      if (longerThan(text, 1024)) {
        throw createError(
          'Invalid parameter',
          'Body text is too long. Max length is 1024 characters.',
        );
      }
      const names = placeholders(text);
      checkNames(names, 'body');
      if (
        names.length > 0 &&
        example?.body_text === undefined &&
        example?.body_text_named_params === undefined
      ) {
        throw createError(
          'Invalid parameter',
          'Add sample text for the variables in your template body (example.body_text).',
          2388043,
        );
      }
      expectation.body = names;
    } else if (type === 'HEADER') {
      const headerFormat =
        typeof component.format === 'string' ? component.format.toUpperCase() : 'TEXT';
      if (!['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'].includes(headerFormat)) {
        throw createError('Invalid parameter', `Header format ${headerFormat} is not supported.`);
      }
      let names: string[] = [];
      if (headerFormat === 'TEXT') {
        if (!isNonEmptyString(text))
          throw whatsAppParamError(`The parameter components[${i}]['text'] is required.`);
        if (longerThan(text, 60))
          throw createError(
            'Invalid parameter',
            'Header text is too long. Max length is 60 characters.',
          );
        names = placeholders(text);
        if (names.length > 1)
          throw createError('Invalid parameter', 'A text header can have at most one variable.');
        checkNames(names, 'header');
      }
      expectation.header = { format: headerFormat, params: names };
    } else if (type === 'FOOTER') {
      if (category === 'AUTHENTICATION') continue;
      if (!isNonEmptyString(text))
        throw whatsAppParamError(`The parameter components[${i}]['text'] is required.`);
      if (longerThan(text, 60))
        throw createError(
          'Invalid parameter',
          'Footer text is too long. Max length is 60 characters.',
        );
      if (placeholders(text).length > 0)
        throw createError('Invalid parameter', 'Footer text cannot contain variables.');
    } else if (type === 'BUTTONS') {
      const buttons = Array.isArray(component.buttons) ? component.buttons : [];
      if (buttons.length === 0 || buttons.length > 10) {
        throw createError('Invalid parameter', 'A template can have 1 to 10 buttons.');
      }
      let urls = 0;
      let phones = 0;
      for (const [index, button] of buttons.entries()) {
        if (!isRecord(button) || typeof button.type !== 'string') {
          throw whatsAppParamError(
            `The parameter components[${i}]['buttons'][${index}]['type'] is required.`,
          );
        }
        const buttonType = button.type.toUpperCase();
        const label = typeof button.text === 'string' ? button.text : '';
        if (buttonType !== 'OTP' && (label.length === 0 || longerThan(label, 25))) {
          throw createError(
            'Invalid parameter',
            `Button text must be 1 to 25 characters (button ${index}).`,
          );
        }
        let needsParameter = false;
        if (buttonType === 'URL') {
          urls++;
          if (typeof button.url !== 'string')
            throw whatsAppParamError(
              `The parameter components[${i}]['buttons'][${index}]['url'] is required.`,
            );
          needsParameter = placeholders(button.url).length > 0;
        } else if (buttonType === 'PHONE_NUMBER') {
          phones++;
          if (typeof button.phone_number !== 'string') {
            throw whatsAppParamError(
              `The parameter components[${i}]['buttons'][${index}]['phone_number'] is required.`,
            );
          }
        } else if (buttonType === 'COPY_CODE' || buttonType === 'OTP') {
          needsParameter = true;
        } else if (!['QUICK_REPLY', 'FLOW', 'CATALOG', 'MPM', 'VOICE_CALL'].includes(buttonType)) {
          throw createError('Invalid parameter', `Button type ${buttonType} is not supported.`);
        }
        expectation.buttons.push({ index, type: buttonType, needsParameter });
      }
      if (urls > 2)
        throw createError('Invalid parameter', 'A template can have at most 2 URL buttons.');
      if (phones > 1)
        throw createError(
          'Invalid parameter',
          'A template can have at most 1 phone number button.',
        );
    } else {
      throw createError('Invalid parameter', `Component type ${type} is not supported.`);
    }
  }
  if (bodies !== 1)
    throw createError('Invalid parameter', 'A template must have exactly one BODY component.');
  return expectation;
}

function newTemplate(
  state: FakeState,
  wabaId: string,
  fields: {
    name: string;
    language: string;
    category: Category;
    status: TemplateStatus;
    components: unknown[];
    parameterFormat: 'POSITIONAL' | 'NAMED';
  },
): StoredTemplate {
  const expect = compileTemplate(fields.category, fields.components, fields.parameterFormat);
  return { id: state.numericId(), wabaId, ...fields, expect };
}

/** Adds a template directly (seeds and `fake.templates.add`). */
export function addTemplate(state: FakeState, seed: TemplateSeed): StoredTemplate {
  const template = newTemplate(state, seed.wabaId ?? state.firstPhoneNumber().wabaId, {
    name: seed.name,
    language: seed.language ?? 'en_US',
    category: seed.category ?? 'UTILITY',
    status: seed.status ?? 'APPROVED',
    components: structuredClone(
      seed.components ?? [{ type: 'BODY', text: 'Hello {{1}}', example: { body_text: [['Ana']] } }],
    ),
    parameterFormat: 'POSITIONAL',
  });
  state.templates.push(template);
  return template;
}

export function seedTemplates(state: FakeState, seeds: TemplateSeed[] | undefined): void {
  state.templates = [];
  const list = seeds ?? [
    {
      name: 'hello_world',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
        {
          type: 'BODY',
          text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
        },
        { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
      ],
    },
  ];
  for (const seed of list) addTemplate(state, seed);
}

const defaultFields = [
  'name',
  'parameter_format',
  'components',
  'language',
  'status',
  'category',
  'id',
];

function templateFields(t: StoredTemplate, fields: string[]): JsonRecord {
  const all: JsonRecord = {
    name: t.name,
    parameter_format: t.parameterFormat,
    components: t.components,
    language: t.language,
    status: t.status,
    category: t.category,
    id: t.id,
  };
  if (t.rejectedReason !== undefined) all.rejected_reason = t.rejectedReason;
  const out: JsonRecord = {};
  for (const f of fields) if (all[f] !== undefined) out[f] = all[f];
  out.id = t.id;
  return out;
}

function cursor(index: number): string {
  return Buffer.from(`${index}`).toString('base64url');
}

function fromCursor(value: string): number {
  const index = Number(Buffer.from(value, 'base64url').toString('utf8'));
  if (!Number.isInteger(index) || index < 0) {
    throw new GraphError(100, '(#100) The after/before cursor is invalid');
  }
  return index;
}

/** `GET|POST|DELETE /{waba-id}/message_templates`. */
export function handleMessageTemplates(
  state: FakeState,
  req: GraphRequest,
  wabaId: string,
): GraphResponse {
  if (req.rest.length > 0) throw unknownPath(`message_templates/${req.rest.join('/')}`);
  if (req.method === 'GET') return listTemplates(state, req, wabaId);
  if (req.method === 'POST') return createTemplate(state, req, wabaId);
  if (req.method === 'DELETE') return deleteTemplate(state, req, wabaId);
  throw unsupportedRequest(req.method, wabaId);
}

function listTemplates(state: FakeState, req: GraphRequest, wabaId: string): GraphResponse {
  const q = req.query;
  const limit = q.limit === undefined ? 25 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw whatsAppParamError('Param limit must be a positive integer');
  const statuses = q.status?.split(',').map((s) => s.trim().toUpperCase());
  const filtered = state.templates.filter(
    (t) =>
      t.wabaId === wabaId &&
      t.status !== 'DELETED' &&
      (q.name === undefined || t.name.includes(q.name)) &&
      (q.language === undefined || t.language === q.language) &&
      (q.category === undefined || t.category === q.category.toUpperCase()) &&
      (statuses === undefined || statuses.includes(t.status)),
  );
  let start = 0;
  if (q.after !== undefined) start = fromCursor(q.after) + 1;
  else if (q.before !== undefined) start = Math.max(0, fromCursor(q.before) - limit);
  const page = filtered.slice(start, start + limit);
  const fields = q.fields === undefined ? defaultFields : q.fields.split(',').map((f) => f.trim());
  const body: JsonRecord = { data: page.map((t) => templateFields(t, fields)) };
  if (page.length > 0) {
    const paging: JsonRecord = {
      cursors: { before: cursor(start), after: cursor(start + page.length - 1) },
    };
    const link = (key: 'after' | 'before', value: string): string => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) if (k !== 'after' && k !== 'before') params.set(k, v);
      params.set('limit', String(limit));
      params.set(key, value);
      return `${state.baseUrl}/${req.version ?? state.apiVersion}/${wabaId}/message_templates?${params}`;
    };
    if (start + page.length < filtered.length)
      paging.next = link('after', cursor(start + page.length - 1));
    if (start > 0) paging.previous = link('before', cursor(start));
    body.paging = paging;
  }
  return ok(body, 'whatsapp');
}

function createTemplate(state: FakeState, req: GraphRequest, wabaId: string): GraphResponse {
  const p = req.params;
  if (!isNonEmptyString(p.name)) throw whatsAppParamError('The parameter name is required.');
  if (p.name.length > 512 || !/^[a-z0-9_]+$/.test(p.name)) {
    throw createError(
      'Invalid parameter',
      'Message template names can only contain lowercase alphanumeric characters and underscores ( _ ), and be at most 512 characters long.',
    );
  }
  if (!isNonEmptyString(p.language))
    throw whatsAppParamError('The parameter language is required.');
  if (!isNonEmptyString(p.category))
    throw whatsAppParamError('The parameter category is required.');
  const category = p.category.toUpperCase();
  if (!isCategory(category)) {
    throw whatsAppParamError(
      `Param category must be one of {AUTHENTICATION, MARKETING, UTILITY} - got "${p.category}".`,
    );
  }
  const components = typeof p.components === 'string' ? parseJson(p.components) : p.components;
  if (!Array.isArray(components) || components.length === 0) {
    throw whatsAppParamError('The parameter components is required.');
  }
  const format =
    p.parameter_format === undefined ? 'POSITIONAL' : String(p.parameter_format).toUpperCase();
  if (format !== 'POSITIONAL' && format !== 'NAMED') {
    throw whatsAppParamError('Param parameter_format must be one of {NAMED, POSITIONAL}.');
  }
  const name = p.name;
  const language = p.language;
  if (
    state.templates.some(
      (t) =>
        t.wabaId === wabaId && t.name === name && t.language === language && t.status !== 'DELETED',
    )
  ) {
    throw new GraphError(100, '(#100) Invalid parameter', {
      subcode: 2388024,
      userTitle: 'Content in This Language Already Exists',
      userMessage: `There is already ${language} content for this template. You can create a new template and try again.`,
    });
  }
  const template = newTemplate(state, wabaId, {
    name,
    language,
    category,
    status: state.autoApproveTemplates ? 'APPROVED' : 'PENDING',
    components,
    parameterFormat: format,
  });
  state.templates.push(template);
  if (state.autoApproveTemplates) {
    state.background(() => sendTemplateStatus(state, template, 'APPROVED', 'NONE'));
  }
  return ok({ id: template.id, status: template.status, category: template.category }, 'whatsapp');
}

function deleteTemplate(state: FakeState, req: GraphRequest, wabaId: string): GraphResponse {
  const name = req.params.name;
  if (!isNonEmptyString(name)) throw whatsAppParamError('The parameter name is required.');
  const hsmId = typeof req.params.hsm_id === 'string' ? req.params.hsm_id : undefined;
  const before = state.templates.length;
  state.templates = state.templates.filter(
    (t) => !(t.wabaId === wabaId && t.name === name && (hsmId === undefined || t.id === hsmId)),
  );
  if (state.templates.length === before) {
    throw new GraphError(100, '(#100) Invalid parameter', {
      subcode: 2593002,
      userTitle: 'Message template not found',
      userMessage: `Message template "${name}" was not found.`,
    });
  }
  return ok({ success: true }, 'whatsapp');
}

/** `GET /{template-id}` and `POST /{template-id}` (edit). */
export function handleTemplateNode(req: GraphRequest, template: StoredTemplate): GraphResponse {
  if (req.edge !== undefined) throw unknownPath(req.edge);
  if (req.method === 'GET') {
    const fields = req.query.fields === undefined ? defaultFields : req.query.fields.split(',');
    return ok(templateFields(template, fields), 'whatsapp');
  }
  if (req.method === 'POST') {
    const components = req.params.components;
    if (components !== undefined) {
      if (!Array.isArray(components))
        throw whatsAppParamError('Param components must be an array.');
      template.expect = compileTemplate(template.category, components, template.parameterFormat);
      template.components = components;
    }
    if (typeof req.params.category === 'string') {
      const category = req.params.category.toUpperCase();
      if (!isCategory(category))
        throw whatsAppParamError(
          'Param category must be one of {AUTHENTICATION, MARKETING, UTILITY}.',
        );
      template.category = category;
    }
    if (
      template.status === 'APPROVED' ||
      template.status === 'REJECTED' ||
      template.status === 'PAUSED'
    ) {
      template.status = 'PENDING';
    }
    return ok({ success: true }, 'whatsapp');
  }
  throw unsupportedRequest(req.method, template.id);
}

function isCategory(value: string): value is Category {
  return (categories as readonly string[]).includes(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** POSTs a `message_template_status_update` webhook (the WABA's webhooks). */
export async function sendTemplateStatus(
  state: FakeState,
  template: StoredTemplate,
  event: string,
  reason: string | null,
  rejectionInfo?: { reason: string; recommendation: string },
): ReturnType<FakeState['deliver']> {
  const value: JsonRecord = {
    event,
    message_template_id: Number(template.id),
    message_template_name: template.name,
    message_template_language: template.language,
    reason,
    message_template_category: template.category,
  };
  if (rejectionInfo !== undefined) value.rejection_info = rejectionInfo;
  const payload = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: template.wabaId,
        time: Math.floor(state.now() / 1000),
        changes: [{ value, field: 'message_template_status_update' }],
      },
    ],
  };
  const url = state.webhookUrlFor('whatsapp', [template.wabaId]);
  if (state.wabas.get(template.wabaId)?.subscribed === false) {
    return state.undelivered(url, payload, `the app is not subscribed to WABA ${template.wabaId}`);
  }
  return state.deliver(url, payload);
}

/** Finds the template for a send, or throws the error Meta gives. */
export function findSendableTemplate(
  state: FakeState,
  wabaId: string,
  name: string,
  language: string,
): StoredTemplate {
  let sameName = false;
  for (const t of state.templates) {
    if (t.wabaId !== wabaId || t.name !== name || t.status === 'DELETED') continue;
    sameName = true;
    if (t.language !== language) continue;
    if (t.status === 'APPROVED') return t;
    if (t.status === 'PAUSED')
      throw whatsAppError(132015, `Template ${name} is paused due to low quality.`);
    if (t.status === 'DISABLED')
      throw whatsAppError(132016, `Template ${name} has been disabled due to low quality.`);
    throw whatsAppError(
      132001,
      `template name (${name}) does not exist in ${language} (status ${t.status})`,
    );
  }
  throw whatsAppError(
    132001,
    sameName
      ? `template name (${name}) does not exist in ${language}`
      : `template name (${name}) does not exist`,
  );
}

const forbiddenTextParam = /[\n\t]| {5,}/;

/**
 * Checks a template send's components against the template: parameter counts per component
 * (132000), header media format (132012), parameters of dynamic buttons (131008), and text
 * parameter content.
 */
export function checkTemplateParameters(
  state: FakeState,
  template: StoredTemplate,
  components: unknown,
): void {
  if (components !== undefined && !Array.isArray(components)) {
    throw whatsAppParamError("Param template['components'] must be an array.");
  }
  const list = (components ?? []) as unknown[];
  let header: { index: number; params: unknown[] } | undefined;
  let body: { index: number; params: unknown[] } | undefined;
  const buttons = new Map<number, unknown[]>();
  for (const [index, c] of list.entries()) {
    if (!isRecord(c) || typeof c.type !== 'string') {
      throw whatsAppParamError(
        `The parameter template['components'][${index}]['type'] is required.`,
      );
    }
    const params = Array.isArray(c.parameters) ? c.parameters : [];
    const type = c.type.toLowerCase();
    if (type === 'header') header = { index, params };
    else if (type === 'body') body = { index, params };
    else if (type === 'button') {
      const buttonIndex = Number(c.index);
      if (!Number.isInteger(buttonIndex)) {
        throw whatsAppParamError(
          `The parameter template['components'][${index}]['index'] is required.`,
        );
      }
      buttons.set(buttonIndex, params);
    } else {
      throw whatsAppParamError(
        `Param template['components'][${index}]['type'] must be one of {BODY, BUTTON, HEADER}.`,
      );
    }
  }
  const expect = template.expect;
  const expectedHeader = expect.header;
  if (expectedHeader === undefined || expectedHeader.format === 'TEXT') {
    const expected = expectedHeader?.params ?? [];
    const given = header?.params ?? [];
    if (given.length !== expected.length) {
      throw whatsAppError(
        132000,
        `header: number of localizable_params (${given.length}) does not match the expected number of params (${expected.length})`,
      );
    }
    checkTextParameters(given, expected, 'header', template.parameterFormat);
  } else {
    const wanted = expectedHeader.format.toLowerCase();
    const param = header?.params[0];
    const got =
      isRecord(param) && typeof param.type === 'string' ? param.type.toUpperCase() : 'UNKNOWN';
    if (!isRecord(param) || got !== expectedHeader.format) {
      throw whatsAppError(
        132012,
        `header: Format mismatch, expected ${expectedHeader.format}, received ${got}`,
      );
    }
    const media = param[wanted];
    if (wanted !== 'location') {
      if (!isRecord(media) || (media.id === undefined && media.link === undefined)) {
        throw whatsAppError(131008, `header: ${wanted} requires an id or a link`);
      }
      if (media.id !== undefined && !state.media.has(String(media.id))) {
        throw whatsAppParamError(
          `Param template['components'][${header?.index ?? 0}]['parameters'][0]['${wanted}']['id'] is not a valid whatsapp business account media attachment ID`,
        );
      }
    } else if (
      !isRecord(media) ||
      typeof media.latitude !== 'number' ||
      typeof media.longitude !== 'number'
    ) {
      throw whatsAppError(131008, 'header: location requires latitude and longitude');
    }
  }
  const givenBody = body?.params ?? [];
  if (givenBody.length !== expect.body.length) {
    throw whatsAppError(
      132000,
      `body: number of localizable_params (${givenBody.length}) does not match the expected number of params (${expect.body.length})`,
    );
  }
  checkTextParameters(givenBody, expect.body, 'body', template.parameterFormat);
  for (const button of expect.buttons) {
    const params = buttons.get(button.index);
    if (button.needsParameter && (params === undefined || params.length === 0)) {
      const typeName = button.type.charAt(0) + button.type.slice(1).toLowerCase();
      throw whatsAppError(
        131008,
        `buttons: Button at index ${button.index} of type ${typeName} requires a parameter`,
      );
    }
  }
  for (const index of buttons.keys()) {
    if (!expect.buttons.some((b) => b.index === index)) {
      throw invalidValue(
        `buttons: Button at index ${index} does not exist in template ${template.name}`,
      );
    }
  }
}

function checkTextParameters(
  params: unknown[],
  expected: string[],
  where: string,
  format: 'POSITIONAL' | 'NAMED',
): void {
  for (const [i, param] of params.entries()) {
    if (!isRecord(param) || typeof param.type !== 'string') {
      throw whatsAppParamError(`The parameter ${where}['parameters'][${i}]['type'] is required.`);
    }
    if (format === 'NAMED') {
      const name = param.parameter_name;
      if (typeof name !== 'string' || !expected.includes(name)) {
        throw whatsAppError(
          132000,
          `${where}: parameter name (${String(name)}) does not match any expected parameter`,
        );
      }
    }
    if (param.type === 'text') {
      if (!isNonEmptyString(param.text)) {
        throw whatsAppParamError(`The parameter ${where}['parameters'][${i}]['text'] is required.`);
      }
      if (forbiddenTextParam.test(param.text)) {
        throw new GraphError(100, '(#100) Invalid parameter', {
          details:
            'Param text cannot have new-line/tab characters or more than 4 consecutive spaces',
        });
      }
    } else if (!['currency', 'date_time', 'image', 'video', 'document'].includes(param.type)) {
      throw whatsAppParamError(
        `Param ${where}['parameters'][${i}]['type'] must be one of {CURRENCY, DATE_TIME, DOCUMENT, IMAGE, TEXT, VIDEO}.`,
      );
    }
  }
}

/** `fake.templates` operations on stored templates. */
export function templatesNamed(
  state: FakeState,
  name: string,
  options: { language?: string; wabaId?: string } = {},
): StoredTemplate[] {
  const found = state.templates.filter(
    (t) =>
      t.name === name &&
      (options.language === undefined || t.language === options.language) &&
      (options.wabaId === undefined || t.wabaId === options.wabaId),
  );
  if (found.length === 0) throw new Error(`[chatloom/testkit] no template named "${name}"`);
  return found;
}
