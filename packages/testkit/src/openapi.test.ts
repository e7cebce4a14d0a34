/**
 * Meta's own OpenAPI spec of the Cloud API as an oracle: what the fake accepts must be valid
 * against the spec's request schema for `POST /{Phone-Number-ID}/messages`, and what it
 * rejects for a limit the spec encodes must be invalid there too.
 *
 * The spec is used with the defects listed in shared/reference/meta-openapi/README.md patched
 * in memory, and only those:
 *   1. `*Message` = allOf[BaseMessageProperties, {additionalProperties: false}] makes the shared
 *      fields "additional": the base properties are copied into each closed object.
 *   2. `BaseMessageProperties.required` lists `recipient_type`: dropped.
 *   3. `LanguageObject.required` lists `policy`: dropped.
 *   4. The template button `index` pattern `^[2-6, 11-14]$`: replaced by `^[0-9]$` (index 0–9).
 *   5. `discriminator` on an allOf-composed oneOf: ajv runs with `strict: false` (the keyword is
 *      then ignored); formats `url`, `int`, `float` (and the standard ones) are registered.
 *   6. Limits it misses (text body ≤ 4096, 10 rows in total, unique ids/titles, type/action
 *      match, caption ≤ 1024): checked by the fake's own rules, asserted below as such.
 * Mark-as-read is not in the `Message` oneOf; it is checked against `MarkMessageRequestPayload`.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFakeGraphApi, type FakeGraphApi } from './index.js';
import { buttons, list, sendWhatsApp, waMessage } from './test-helpers.js';
import { isRecord, type JsonRecord } from './values.js';

const specPath = new URL(
  '../../../../shared/reference/meta-openapi/business-messaging-api_v23.0.yaml',
  import.meta.url,
);

function schemaAt(root: JsonRecord, name: string): JsonRecord {
  const schemas = (root.components as JsonRecord).schemas as JsonRecord;
  const schema = schemas[name];
  if (!isRecord(schema)) throw new Error(`spec has no schema ${name}`);
  return schema;
}

function patchedComponents(spec: JsonRecord): JsonRecord {
  const root: JsonRecord = { $id: 'meta', components: structuredClone(spec.components) };
  const schemas = (root.components as JsonRecord).schemas as JsonRecord;
  const base = schemaAt(root, 'BaseMessageProperties');
  // Defect 1
  for (const schema of Object.values(schemas)) {
    if (!isRecord(schema) || !Array.isArray(schema.allOf)) continue;
    const [first, second] = schema.allOf as unknown[];
    if (
      isRecord(first) &&
      first.$ref === '#/components/schemas/BaseMessageProperties' &&
      isRecord(second)
    ) {
      if (second.additionalProperties === false) {
        second.properties = {
          ...(base.properties as JsonRecord),
          ...(second.properties as JsonRecord),
        };
      }
    }
  }
  // Defect 2 and 3
  base.required = (base.required as string[]).filter((r) => r !== 'recipient_type');
  const language = schemaAt(root, 'LanguageObject');
  language.required = (language.required as string[]).filter((r) => r !== 'policy');
  // Defect 4
  ((schemaAt(root, 'TemplateComponent').properties as JsonRecord).index as JsonRecord).pattern =
    '^[0-9]$';
  const buttonComponent = (
    schemaAt(root, 'ButtonComponent').allOf as JsonRecord[]
  )[1] as JsonRecord;
  ((buttonComponent.properties as JsonRecord).index as JsonRecord).pattern = '^[0-9]$';
  return root;
}

let message: ValidateFunction;
let markAsRead: ValidateFunction;
let fake: FakeGraphApi;
let mediaId: string;
const mediaPlaceholder = 'MEDIA_ID_PLACEHOLDER';

beforeAll(async () => {
  const spec = parse(readFileSync(specPath, 'utf8')) as JsonRecord;
  // Defect 5
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  ajv.addFormat('url', /^https?:\/\/\S+$/);
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);
  ajv.addFormat('int', true);
  ajv.addFormat('float', true);
  ajv.addFormat('int32', true);
  ajv.addFormat('email', /^\S+@\S+$/);
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addSchema(patchedComponents(spec));
  const get = (name: string): ValidateFunction => {
    const validate = ajv.getSchema(`meta#/components/schemas/${name}`);
    if (validate === undefined) throw new Error(name);
    return validate;
  };
  message = get('Message');
  markAsRead = get('MarkMessageRequestPayload');

  fake = await createFakeGraphApi({ appSecret: 's', accessToken: 't' });
  fake.whatsapp.openWindow('15555550101');
  mediaId = fake.whatsapp.addMedia({ data: 'jpeg', mimeType: 'image/jpeg' });
  fake.templates.add({
    name: 'order_update',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#1'] } },
      {
        type: 'BODY',
        text: 'Hi {{1}}, order {{2}} shipped.',
        example: { body_text: [['Ana', '#1']] },
      },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Thanks' },
          {
            type: 'URL',
            text: 'Track',
            url: 'https://example.com/t/{{1}}',
            example: ['https://example.com/t/1'],
          },
        ],
      },
    ],
  });
}, 30_000);
afterAll(() => fake.close());

function accepted(): Array<[string, JsonRecord]> {
  return [
    ['text', waMessage('text', { body: 'Hello 👋 https://example.com', preview_url: true })],
    [
      'text as a reply',
      { ...waMessage('text', { body: 'Quoted' }), context: { message_id: 'wamid.abc' } },
    ],
    [
      'text without recipient_type',
      { messaging_product: 'whatsapp', to: '15555550101', type: 'text', text: { body: 'x' } },
    ],
    [
      'image by link',
      waMessage('image', { link: 'https://example.com/a.jpg', caption: 'A photo' }),
    ],
    ['image by id', waMessage('image', { id: mediaPlaceholder })],
    ['video by link', waMessage('video', { link: 'https://example.com/a.mp4', caption: 'A clip' })],
    [
      'document by id',
      waMessage('document', { id: mediaPlaceholder, caption: 'Invoice', filename: 'invoice.pdf' }),
    ],
    ['audio by link', waMessage('audio', { link: 'https://example.com/a.ogg' })],
    ['sticker by id', waMessage('sticker', { id: mediaPlaceholder })],
    [
      'reply buttons with text header and footer',
      waMessage(
        'interactive',
        buttons(3, { header: { type: 'text', text: 'Header' }, footer: { text: 'Footer' } }),
      ),
    ],
    [
      'reply buttons with an image header',
      waMessage(
        'interactive',
        buttons(2, { header: { type: 'image', image: { link: 'https://example.com/h.jpg' } } }),
      ),
    ],
    [
      'list with two sections',
      waMessage(
        'interactive',
        list([3, 2], { header: { type: 'text', text: 'Menu' }, footer: { text: 'f' } }),
      ),
    ],
    [
      'template without components',
      waMessage('template', { name: 'hello_world', language: { code: 'en_US' } }),
    ],
    [
      'template with header, body and URL button parameters',
      waMessage('template', {
        name: 'order_update',
        language: { policy: 'deterministic', code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: '#1' }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '#1' },
            ],
          },
          {
            type: 'button',
            sub_type: 'url',
            index: '1',
            parameters: [{ type: 'text', text: '1' }],
          },
        ],
      }),
    ],
    ['reaction', waMessage('reaction', { message_id: 'wamid.abc', emoji: '👍' })],
  ];
}

describe('the OpenAPI spec as an oracle', () => {
  it.each(accepted())('the fake accepts %s and the spec agrees', async (_name, template) => {
    // Media IDs exist only once the fake runs; the table is built before that.
    const body = JSON.parse(
      JSON.stringify(template).replaceAll(mediaPlaceholder, mediaId),
    ) as JsonRecord;
    const answer = await sendWhatsApp(fake, body);
    expect(answer.status, answer.text).toBe(200);
    expect(message(body), JSON.stringify(message.errors)).toBe(true);
  });

  it('the fake accepts a read receipt and MarkMessageRequestPayload agrees', async () => {
    const inbound = await fake.whatsapp.userSends({ from: '15555550101', text: 'hi' });
    const body = {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: inbound.messageId,
      typing_indicator: { type: 'text' },
    };
    expect((await sendWhatsApp(fake, body)).status).toBe(200);
    expect(markAsRead(body), JSON.stringify(markAsRead.errors)).toBe(true);
  });

  const overLimit: Array<[string, JsonRecord]> = [
    ['0 buttons', waMessage('interactive', buttons(0))],
    ['4 buttons', waMessage('interactive', buttons(4))],
    [
      'button title of 21',
      waMessage(
        'interactive',
        withFirstButton((r) => {
          r.title = 't'.repeat(21);
        }),
      ),
    ],
    [
      'button id of 257',
      waMessage(
        'interactive',
        withFirstButton((r) => {
          r.id = 'i'.repeat(257);
        }),
      ),
    ],
    [
      'buttons body of 1025',
      waMessage('interactive', buttons(1, { body: { text: 'b'.repeat(1025) } })),
    ],
    [
      'header text of 61',
      waMessage('interactive', buttons(1, { header: { type: 'text', text: 'h'.repeat(61) } })),
    ],
    ['footer of 61', waMessage('interactive', buttons(1, { footer: { text: 'f'.repeat(61) } }))],
    ['11 sections', waMessage('interactive', list(Array.from({ length: 11 }, () => 1)))],
    [
      'list button label of 21',
      waMessage(
        'interactive',
        withList((a) => {
          a.button = 'l'.repeat(21);
        }),
      ),
    ],
    [
      'section title of 25',
      waMessage(
        'interactive',
        withList((a) => {
          firstSection(a).title = 's'.repeat(25);
        }),
      ),
    ],
    [
      'row title of 25',
      waMessage(
        'interactive',
        withList((a) => {
          firstRow(a).title = 'r'.repeat(25);
        }),
      ),
    ],
    [
      'row description of 73',
      waMessage(
        'interactive',
        withList((a) => {
          firstRow(a).description = 'd'.repeat(73);
        }),
      ),
    ],
    [
      'row id of 201',
      waMessage(
        'interactive',
        withList((a) => {
          firstRow(a).id = 'i'.repeat(201);
        }),
      ),
    ],
  ];

  it.each(overLimit)('the fake rejects %s and the spec agrees', async (_name, body) => {
    const answer = await sendWhatsApp(fake, body);
    expect(answer.status).toBe(400);
    expect([100, 131009]).toContain(answer.body.error?.code);
    expect(message(body)).toBe(false);
  });

  it('limits the spec misses (README defect 6) are enforced by the fake', async () => {
    const missed: JsonRecord[] = [
      waMessage('text', { body: 'a'.repeat(4097) }),
      waMessage('interactive', list([6, 5])),
      waMessage(
        'interactive',
        withFirstButton((r, all) => {
          r.title = String(all[1]?.reply.title);
        }),
      ),
      waMessage('interactive', { ...buttons(1), action: list([1]).action }),
      waMessage('image', { link: 'https://example.com/a.jpg', caption: 'c'.repeat(1025) }),
    ];
    for (const body of missed) {
      expect(message(body), JSON.stringify(body).slice(0, 80)).toBe(true);
      expect((await sendWhatsApp(fake, body)).status).toBe(400);
    }
  });

  it('one more discrepancy: the spec caps every interactive body at 1024, Meta’s docs allow 4096 for lists', async () => {
    const body = waMessage('interactive', list([1], { body: { text: 'b'.repeat(2000) } }));
    expect(message(body)).toBe(false);
    expect((await sendWhatsApp(fake, body)).status).toBe(200);
  });
});

type Row = { id: string; title: string; description?: string };
type ListActionShape = { button: string; sections: Array<{ title?: string; rows: Row[] }> };
type ReplyButton = { reply: { id: string; title: string } };

function withFirstButton(
  mutate: (reply: ReplyButton['reply'], all: ReplyButton[]) => void,
): JsonRecord {
  const interactive = buttons(2);
  const all = (interactive.action as { buttons: ReplyButton[] }).buttons;
  const first = all[0];
  if (first !== undefined) mutate(first.reply, all);
  return interactive;
}

function withList(mutate: (action: ListActionShape) => void): JsonRecord {
  const interactive = list([2]);
  mutate(interactive.action as ListActionShape);
  return interactive;
}

function firstSection(action: ListActionShape) {
  const section = action.sections[0];
  if (section === undefined) throw new Error('no section');
  return section;
}

function firstRow(action: ListActionShape): Row {
  const row = firstSection(action).rows[0];
  if (row === undefined) throw new Error('no row');
  return row;
}
