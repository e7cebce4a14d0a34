import { describe, expect, it } from 'vitest';
import { openApiProblems } from './__tests__/openapi-oracle.js';

/** The oracle itself: correct bodies pass (defects patched), broken ones fail. */
const path = '/v23.0/200000000000002/messages';
const message = (fields: Record<string, unknown>) => ({
  messaging_product: 'whatsapp',
  to: '15555550101',
  ...fields,
});
const buttons = (titles: string[]) =>
  message({
    type: 'interactive',
    interactive: {
      type: 'button',
      body: { text: 'Pick' },
      action: {
        buttons: titles.map((title, i) => ({ type: 'reply', reply: { id: `b${i}`, title } })),
      },
    },
  });
const list = (rowsPerSection: number[]) =>
  message({
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text: 'Pick' },
      action: {
        button: 'Menu',
        sections: rowsPerSection.map((n, s) => ({
          title: `S${s}`,
          rows: Array.from({ length: n }, (_, r) => ({ id: `s${s}r${r}`, title: `Row ${r}` })),
        })),
      },
    },
  });

describe("Meta's OpenAPI spec as an oracle (defects patched)", () => {
  it('accepts what Meta accepts, including what the published spec wrongly refuses', () => {
    expect(
      openApiProblems(
        'POST',
        path,
        message({ type: 'text', text: { body: 'hi', preview_url: false } }),
      ),
    ).toEqual([]);
    expect(
      openApiProblems('POST', path, {
        ...message({ type: 'text', text: { body: 'hi' } }),
        recipient_type: 'individual',
        context: { message_id: 'wamid.X' },
      }),
    ).toEqual([]);
    expect(
      openApiProblems(
        'POST',
        path,
        message({
          type: 'template',
          template: {
            name: 'order',
            language: { code: 'en_US' },
            components: [
              { type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
              {
                type: 'button',
                sub_type: 'quick_reply',
                index: '0',
                parameters: [{ type: 'payload', payload: 'P' }],
              },
            ],
          },
        }),
      ),
    ).toEqual([]);
    expect(
      openApiProblems('POST', path, {
        messaging_product: 'whatsapp',
        recipient: 'US.1',
        type: 'text',
        text: { body: 'hi' },
      }),
    ).toEqual([]);
    expect(openApiProblems('POST', path, buttons(['Yes', 'No']))).toEqual([]);
    expect(openApiProblems('POST', path, list([5, 5]))).toEqual([]);
    expect(
      openApiProblems('POST', path, {
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: 'wamid.X',
      }),
    ).toEqual([]);
    expect(
      openApiProblems('POST', '/v23.0/100000000000001/subscribed_apps', {
        override_callback_uri: 'https://x.test/h',
        verify_token: 't',
      }),
    ).toEqual([]);
    expect(openApiProblems('GET', '/v23.0/200000000000002', undefined)).toEqual([]);
    expect(openApiProblems('DELETE', '/v23.0/100000000000001/message_templates', {})).toEqual([]);
  });

  it('refuses what Meta refuses: limits in the spec and the ones it misses', () => {
    expect(openApiProblems('POST', path, buttons(['x'.repeat(21)]))).not.toEqual([]);
    expect(openApiProblems('POST', path, buttons(['a', 'b', 'c', 'd']))).not.toEqual([]);
    expect(openApiProblems('POST', path, buttons(['Same', 'Same']))).toContain(
      'duplicate button titles',
    );
    expect(openApiProblems('POST', path, list([6, 5]))).toContain('11 rows across sections');
    expect(openApiProblems('POST', path, list([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))).not.toEqual([]);
    expect(
      openApiProblems('POST', path, message({ type: 'text', text: { body: 'x'.repeat(4097) } })),
    ).toContain('text.body over 4096');
    expect(
      openApiProblems('POST', path, message({ type: 'text', text: { body: 'hi', bold: true } })),
    ).not.toEqual([]);
    expect(
      openApiProblems('POST', path, {
        ...message({ type: 'text', text: { body: 'hi' } }),
        surprise: 1,
      }),
    ).not.toEqual([]);
    expect(
      openApiProblems(
        'POST',
        path,
        message({
          type: 'image',
          image: { link: 'https://x.test/a.jpg', caption: 'c'.repeat(1025) },
        }),
      ),
    ).toContain('image.caption over 1024');
    expect(
      openApiProblems(
        'POST',
        path,
        message({ type: 'image', image: { id: '1', link: 'https://x.test/a.jpg' } }),
      ),
    ).not.toEqual([]);
    expect(
      openApiProblems('POST', path, {
        messaging_product: 'whatsapp',
        type: 'text',
        text: { body: 'no recipient' },
      }),
    ).not.toEqual([]);
    expect(openApiProblems('PATCH', path, {})).toEqual([
      `PATCH ${path}: no such operation in the spec`,
    ]);
  });
});
