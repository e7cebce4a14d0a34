/** HTTP helpers for this package's own tests (not exported). */
import type { FakeGraphApi } from './fake-graph-api.js';

/** The parts of a Graph answer the tests look at. */
export interface GraphAnswer {
  status: number;
  body: {
    error?: {
      message: string;
      type: string;
      code: number;
      error_subcode?: number;
      error_data?: { messaging_product: string; details: string };
      error_user_msg?: string;
      is_transient?: boolean;
      fbtrace_id: string;
    };
    [key: string]: unknown;
  };
  text: string;
}

/** Calls the fake with the system token (or `token`; `null` sends none). */
export async function graph(
  fake: FakeGraphApi,
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string | null; version?: string } = {},
): Promise<GraphAnswer> {
  const token = options.token === undefined ? fake.accessToken : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const prefix =
    path.startsWith('/whatsapp_business') || path.startsWith('http')
      ? ''
      : `/${options.version ?? 'v23.0'}`;
  const url = path.startsWith('http') ? path : `${fake.url}${prefix}${path}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as GraphAnswer['body'], text };
}

/** The first phone number's `POST /messages`. */
export function sendWhatsApp(
  fake: FakeGraphApi,
  body: unknown,
  options: { token?: string | null } = {},
) {
  const phone = fake.whatsapp.phoneNumbers[0];
  if (phone === undefined) throw new Error('no phone number');
  return graph(fake, 'POST', `/${phone.id}/messages`, body, options);
}

/** A WhatsApp message body around a payload. */
export function waMessage(
  type: string,
  payload: unknown,
  to = '15555550101',
): Record<string, unknown> {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to, type, [type]: payload };
}

/** A reply-button interactive payload with `n` buttons. */
export function buttons(
  n: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'button',
    body: { text: 'Pick one' },
    action: {
      buttons: Array.from({ length: n }, (_, i) => ({
        type: 'reply',
        reply: { id: `b${i}`, title: `Option ${i}` },
      })),
    },
    ...overrides,
  };
}

/** A list interactive payload with the given rows per section. */
export function list(
  rowsPerSection: number[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'list',
    body: { text: 'Choose' },
    action: {
      button: 'Options',
      sections: rowsPerSection.map((rows, s) => ({
        title: `Section ${s}`,
        rows: Array.from({ length: rows }, (_, r) => ({
          id: `s${s}r${r}`,
          title: `Row ${r}`,
          description: 'd',
        })),
      })),
    },
    ...overrides,
  };
}
