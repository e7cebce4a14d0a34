/** Shared by this package's tests (not published; `__tests__` is outside the import rules). */
import { readFileSync } from 'node:fs';
import type { ChannelConfig, ChannelEvent, ParsedWebhook } from '@chatloom/core/adapter';
import { signWebhookBody, toMetaJson } from '@chatloom/testkit';
import { expect } from 'vitest';

export const appSecret = 'test-app-secret';
export const accessToken = 'test-access-token';
export const verifyToken = 'test-verify-token';
/** The ids of the reference fixtures (and the fake's default Page). */
export const pageId = '300000000000011';
export const psid = '400000000000012';

export function channel(
  settings: Record<string, unknown> = {},
  credentials: Record<string, string> = {},
): ChannelConfig {
  return {
    id: 'ch_messenger_1',
    tenantId: 't_1',
    settings: { pageId, ...settings },
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

/** One messaging event from the test user to the Page. */
export function fromUser(fields: Record<string, unknown>, timestamp = 1717000000123) {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp, ...fields };
}

/** A body with one entry of the Page holding these events. */
export function pageBody(...events: Record<string, unknown>[]) {
  return { object: 'page', entry: [{ id: pageId, time: 1717000000273, messaging: events }] };
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
