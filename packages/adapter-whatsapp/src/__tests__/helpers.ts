/** Shared by this package's tests (not published; `__tests__` is outside the import rules). */
import { readFileSync } from 'node:fs';
import type { ChannelConfig, ChannelEvent, ParsedWebhook } from '@chatloom/core/adapter';
import { signWebhookBody, toMetaJson } from '@chatloom/testkit';
import { expect } from 'vitest';

export const appSecret = 'test-app-secret';
export const accessToken = 'test-access-token';
export const verifyToken = 'test-verify-token';
/** The ids of the reference fixtures (and the fake's default number). */
export const phoneNumberId = '200000000000002';
export const wabaId = '100000000000001';
export const user = '15555550101';

export function channel(
  settings: Record<string, unknown> = {},
  credentials: Record<string, string> = {},
): ChannelConfig {
  return {
    id: 'ch_whatsapp_1',
    tenantId: 't_1',
    settings: { phoneNumberId, wabaId, ...settings },
    credentials: { accessToken, appSecret, verifyToken, ...credentials },
  };
}

/** The exact bytes of a reference fixture. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url)));
}

/** Meta's serialisation of a payload (non-ASCII and `/` escaped), as bytes. */
export function metaBytes(payload: unknown): Uint8Array {
  return new TextEncoder().encode(toMetaJson(payload));
}

/** Headers Meta sends with a body. */
export function signedHeaders(body: Uint8Array | string, secret = appSecret) {
  return {
    'content-type': 'application/json',
    'x-hub-signature-256': signWebhookBody(body, secret),
  };
}

/** A `messages` change value for the fixtures' number. */
export function messagesValue(
  value: Record<string, unknown>,
  id = phoneNumberId,
): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550000000', phone_number_id: id },
    ...value,
  };
}

/** A whole webhook body with one entry holding these changes. */
export function webhook(...changes: Record<string, unknown>[]): Record<string, unknown> {
  return { object: 'whatsapp_business_account', entry: [{ id: wabaId, changes }] };
}

export const change = (value: Record<string, unknown>, field = 'messages') => ({ value, field });

/** An inbound message from the test user with these fields. */
export function message(
  fields: Record<string, unknown>,
  id = 'wamid.IN_1',
): Record<string, unknown> {
  return { from: user, id, timestamp: '1717000000', ...fields };
}

/** A body with one inbound message (and the user's contact). */
export function oneMessage(fields: Record<string, unknown>, contact: Record<string, unknown> = {}) {
  return webhook(
    change(
      messagesValue({
        contacts: [{ profile: { name: 'Test User' }, wa_id: user, ...contact }],
        messages: [message(fields)],
      }),
    ),
  );
}

/** The parse result, asserted ok. */
export function ok(result: ParsedWebhook): { events: ChannelEvent[]; problems: string[] } {
  if (!result.ok) throw new Error(`expected ok, got error: ${result.error}`);
  return { events: result.events, problems: result.problems ?? [] };
}

/** The one event of an ok result with no problems. */
export function only(result: ParsedWebhook): ChannelEvent {
  const { events, problems } = ok(result);
  expect(problems).toEqual([]);
  expect(events).toHaveLength(1);
  return events[0] as ChannelEvent;
}
