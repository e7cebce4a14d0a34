import { expect, test } from 'vitest';
import {
  AdapterError,
  type ChannelAdapter,
  checkAdapter,
  createChatloom,
  createSqliteStore,
  UnsupportedAdapterVersionError,
} from '../src/index.js';
import { createTestAdapter, signTestBody, testSignatureHeader } from '../src/testing.js';

test('AdapterError: kinds, isRetryable, recognised by its marker across copies', () => {
  expect(new AdapterError('retryable', 'HTTP 503').isRetryable).toBe(true);
  expect(new AdapterError('rate-limited', '(#130429)', { retryAfterMs: 2000 })).toMatchObject({
    isRetryable: true,
    retryAfterMs: 2000,
  });
  expect(new AdapterError('window-closed', '(#131047)').isRetryable).toBe(false);
  expect(new AdapterError('permanent', '(#100)', { code: 100 })).toMatchObject({
    isRetryable: false,
    code: 100,
  });
  // An error from another copy of @chatloom/core carries the same registered symbol.
  const foreign = Object.assign(new Error('x'), { [Symbol.for('chatloom.adapter-error')]: true });
  expect(AdapterError.isInstance(foreign)).toBe(true);
  expect(AdapterError.isInstance(new Error('x'))).toBe(false);
});

test('core refuses an adapter of an unknown interface version, by name', () => {
  const future = {
    ...createTestAdapter({ platform: 'telegram' }),
    adapterApiVersion: 2,
  } as unknown as ChannelAdapter;
  expect(() => checkAdapter(future)).toThrow(UnsupportedAdapterVersionError);
  const store = createSqliteStore({ filename: ':memory:' });
  expect(() => createChatloom({ store, adapters: [future] })).toThrow(
    'Adapter "telegram" implements adapter API version 2; this @chatloom/core supports version 1.',
  );
  const partial = {
    adapterApiVersion: 1,
    platform: 'x',
    capabilities: createTestAdapter().capabilities,
  } as unknown as ChannelAdapter;
  expect(() => checkAdapter(partial)).toThrow(
    'Adapter "x" lacks required members: verifyHandshake, verifySignature, parseWebhook, send',
  );
});

test('the test adapter checks signatures on the raw bytes, in constant time, never throwing', () => {
  const adapter = createTestAdapter();
  const channel = { id: 'c', tenantId: 't', settings: {}, credentials: { appSecret: 'secret' } };
  // Meta escapes non-ASCII and slashes; re-serialising would change the bytes.
  const body = Buffer.from('{"events":[],"note":"caf\\u00e9 \\/ \\ud83d\\ude00"}');
  const good = signTestBody(body, 'secret');
  expect(adapter.verifySignature(body, { [testSignatureHeader]: good }, channel)).toBe(true);
  expect(
    adapter.verifySignature(
      Buffer.from(JSON.stringify(JSON.parse(body.toString()))),
      { [testSignatureHeader]: good },
      channel,
    ),
  ).toBe(false);
  for (const header of [undefined, '', 'sha1=00', good.toUpperCase(), `${good}00`, ['a', 'b']]) {
    expect(adapter.verifySignature(body, { [testSignatureHeader]: header }, channel)).toBe(false);
  }
  expect(
    adapter.verifySignature(body, { [testSignatureHeader]: good }, { ...channel, credentials: {} }),
  ).toBe(false);
});
