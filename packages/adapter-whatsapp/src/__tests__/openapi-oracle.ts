/**
 * Meta's OpenAPI spec of the Cloud API (../shared/reference/meta-openapi) as an oracle for what
 * the adapter sends, with the spec's known defects patched in memory (meta-openapi/README.md)
 * and the limits it misses checked by our own rules.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

const specUrl = new URL(
  '../../../../../shared/reference/meta-openapi/business-messaging-api_v23.0.yaml',
  import.meta.url,
);

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function load(): { spec: Json; ajv: Ajv } {
  const spec = parse(readFileSync(specUrl, 'utf8')) as Json;
  const components = spec.components as Json;
  const schemas = components.schemas as Record<string, Json>;
  const base = schemas.BaseMessageProperties as Json & { properties: Json; required: string[] };

  // Defect 2: recipient_type is optional in practice. BSUID sends (2026) use `recipient`
  // instead of `to`: one of the two is required.
  base.required = base.required.filter((r) => r !== 'recipient_type' && r !== 'to');
  base.properties.recipient = { type: 'string' };
  base.anyOf = [{ required: ['to'] }, { required: ['recipient'] }];

  // Defect 1: `allOf[Base, {additionalProperties: false}]` counts the base fields as additional;
  // copy them into the closed part so it stays closed to everything else.
  for (const schema of Object.values(schemas)) {
    const allOf = schema.allOf;
    if (
      !Array.isArray(allOf) ||
      !isObject(allOf[0]) ||
      allOf[0].$ref !== '#/components/schemas/BaseMessageProperties'
    )
      continue;
    const closed = allOf[1];
    if (isObject(closed) && closed.additionalProperties === false) {
      closed.properties = { ...base.properties, ...(closed.properties as Json) };
    }
  }

  // Defect 3: language.policy is optional.
  const language = schemas.LanguageObject as Json & { required: string[] };
  language.required = language.required.filter((r) => r !== 'policy');

  // Defect 4: the button index pattern is a broken character class.
  (((schemas.TemplateComponent as Json).properties as Json).index as Json).pattern = '^[0-9]$';
  const buttonComponent = (schemas.ButtonComponent as Json).allOf as Json[];
  (((buttonComponent[1] as Json).properties as Json).index as Json).pattern = '^[0-9]$';

  // Defect 5: discriminators on allOf-composed oneOfs (strict: false); formats registered.
  const ajv = new Ajv({ strict: false, allErrors: true });
  const formats = new Set<string>();
  JSON.stringify(spec, (key, value: unknown) => {
    if (key === 'format' && typeof value === 'string') formats.add(value);
    return value;
  });
  for (const format of formats) {
    if (format === 'url' || format === 'uri') {
      ajv.addFormat(format, (value: string) => {
        try {
          const url = new URL(value);
          return url.protocol === 'http:' || url.protocol === 'https:';
        } catch {
          return false;
        }
      });
    } else ajv.addFormat(format, true);
  }
  ajv.addSchema({ $id: 'meta', components }, 'meta');
  return { spec, ajv };
}

let loaded: ReturnType<typeof load> | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(key: string, schema: unknown): ValidateFunction {
  let validate = compiled.get(key);
  if (validate === undefined) {
    loaded ??= load();
    // Inline request schemas refer to `#/components/…` of the spec document.
    const rewritten = JSON.parse(
      JSON.stringify(schema).replaceAll('"#/components/', '"meta#/components/'),
    ) as Json;
    validate = loaded.ajv.compile(rewritten);
    compiled.set(key, validate);
  }
  return validate;
}

/** The spec's path template matching a request path (`/v23.0/123/messages`), and its operation. */
function operation(method: string, path: string): { template: string; op: Json } | undefined {
  loaded ??= load();
  const paths = loaded.spec.paths as Record<string, Json>;
  const segments = path.split('/').filter((s) => s !== '');
  // Prefer templates with literal segments (`/{WABA-ID}/message_templates` over `/{Version}/{X}/{Y}`).
  const candidates = Object.keys(paths)
    .filter((template) => {
      const parts = template.split('/').filter((s) => s !== '');
      return (
        parts.length === segments.length &&
        parts.every((p, i) => p.startsWith('{') || p === segments[i])
      );
    })
    .sort((a, b) => a.split('{').length - b.split('{').length);
  for (const template of candidates) {
    const op = (paths[template] as Json)[method.toLowerCase()];
    if (isObject(op)) return { template, op };
  }
  return undefined;
}

/** Limits the spec does not encode (meta-openapi/README.md defect 6), in code points. */
export function missingLimitProblems(body: Json): string[] {
  const problems: string[] = [];
  const length = (s: unknown) => (typeof s === 'string' ? Array.from(s).length : 0);
  const text = body.text;
  if (isObject(text)) {
    if (length(text.body) > 4096) problems.push('text.body over 4096');
    if (length(text.body) === 0) problems.push('text.body empty');
  }
  for (const kind of ['image', 'video', 'document', 'audio']) {
    const media = body[kind];
    if (!isObject(media)) continue;
    if (length(media.caption) > 1024) problems.push(`${kind}.caption over 1024`);
    if (kind === 'audio' && media.caption !== undefined) problems.push('audio with a caption');
  }
  const interactive = body.interactive;
  if (isObject(interactive)) {
    const action = isObject(interactive.action) ? interactive.action : {};
    const bodyText = isObject(interactive.body) ? interactive.body.text : undefined;
    if (length(bodyText) === 0) problems.push('interactive body empty');
    if (interactive.type === 'button') {
      if (!Array.isArray(action.buttons)) problems.push('button message without action.buttons');
      const buttons = (Array.isArray(action.buttons) ? action.buttons : []) as {
        reply: { id: string; title: string };
      }[];
      const ids = buttons.map((b) => b.reply.id);
      const titles = buttons.map((b) => b.reply.title);
      if (new Set(ids).size !== ids.length) problems.push('duplicate button ids');
      if (new Set(titles).size !== titles.length) problems.push('duplicate button titles');
      if (ids.some((id) => id.trim() !== id || id === ''))
        problems.push('button id empty or space-padded');
      if (titles.some((t) => t.trim() === '')) problems.push('blank button title');
    } else if (interactive.type === 'list') {
      if (!Array.isArray(action.sections)) problems.push('list message without action.sections');
      const sections = (Array.isArray(action.sections) ? action.sections : []) as {
        title?: string;
        rows: { id: string; title: string }[];
      }[];
      const rows = sections.flatMap((s) => s.rows);
      if (rows.length > 10) problems.push(`${rows.length} rows across sections`);
      if (sections.some((s) => s.rows.length === 0)) problems.push('a section without rows');
      if (sections.length > 1 && sections.some((s) => length(s.title) === 0))
        problems.push('untitled section in a multi-section list');
      const ids = rows.map((r) => r.id);
      if (new Set(ids).size !== ids.length) problems.push('duplicate row ids');
      if (rows.some((r) => length(r.title) === 0)) problems.push('blank row title');
      if (length(action.button) === 0) problems.push('empty list button');
    }
  }
  return problems;
}

/**
 * Problems of one request against the spec: the method and path exist, and a JSON body
 * matches the operation's request schema (plus our rules for message bodies). Empty when valid.
 */
export function openApiProblems(method: string, path: string, body: unknown): string[] {
  const found = operation(method, path);
  if (found === undefined) return [`${method} ${path}: no such operation in the spec`];
  const requestBody = found.op.requestBody;
  if (
    !isObject(requestBody) ||
    body === undefined ||
    !isObject(body) ||
    Object.keys(body).length === 0
  )
    return [];
  const content = requestBody.content as Json;
  const json = isObject(content['application/json'])
    ? (content['application/json'].schema as Json)
    : undefined;
  if (json === undefined) return [];
  let key = `${found.template} ${method.toLowerCase()}`;
  let schema: unknown = json;
  if (found.template.endsWith('/messages') && body.status === 'read') {
    key = 'mark-as-read';
    schema = { $ref: 'meta#/components/schemas/MarkMessageRequestPayload' };
  }
  const validate = validator(key, schema);
  const problems = validate(body)
    ? []
    : (validate.errors ?? []).map(
        (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
      );
  if (key.endsWith('/messages post')) problems.push(...missingLimitProblems(body));
  return problems;
}
