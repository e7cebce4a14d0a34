import { createHmac } from 'node:crypto';
import { signWebhookBody, toMetaJson } from '@chatloom/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerValue, signHubBody, verifyHubSignature } from './signature.js';

const secret = 'test-app-secret';
const bytes = (text: string) => new TextEncoder().encode(text);

describe('verifyHubSignature (X-Hub-Signature-256)', () => {
  const body = bytes('{"object":"whatsapp_business_account","entry":[]}');
  const good = signHubBody(body, secret);

  it('accepts the signature Meta computes on the exact bytes (same as the fake signs)', () => {
    expect(good).toBe(signWebhookBody(body, secret));
    expect(verifyHubSignature(body, good, secret)).toBe(true);
  });

  it('edge 1: checks the raw bytes — Meta-escaped JSON verifies, the re-serialised parse does not', () => {
    const payload = { text: 'Olá 😀 https://example.com/a' };
    const raw = toMetaJson(payload);
    expect(raw).toContain('\\u00e1');
    expect(raw).toContain('\\ud83d\\ude00');
    expect(raw).toContain('https:\\/\\/');
    const header = signWebhookBody(raw, secret);
    expect(verifyHubSignature(bytes(raw), header, secret)).toBe(true);
    const reserialised = bytes(JSON.stringify(JSON.parse(raw)));
    expect(verifyHubSignature(reserialised, header, secret)).toBe(false);
  });

  it('edge 12: a missing or malformed header is false, never an exception', () => {
    const hex = good.slice('sha256='.length);
    const sha1 = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
    const cases: unknown[] = [
      undefined,
      '',
      'sha256=',
      sha1,
      `sha256=${hex.slice(0, 63)}`,
      `sha256=${hex}0`,
      `sha256=${hex.slice(0, 62)}zz`,
      `sha256=${hex.toUpperCase()}`,
      `SHA256=${hex}`,
      ` ${good}`,
      `${good} `,
      `${sha1},${good}`,
      [good, good],
      [],
      42,
      null,
    ];
    for (const header of cases) {
      expect(verifyHubSignature(body, header as string | undefined, secret)).toBe(false);
    }
    expect(verifyHubSignature(body, [good], secret)).toBe(false);
  });

  it('a wrong or empty app secret never verifies', () => {
    expect(verifyHubSignature(body, good, 'other-secret')).toBe(false);
    expect(verifyHubSignature(body, signHubBody(body, ''), '')).toBe(false);
    expect(verifyHubSignature(body, good, undefined as unknown as string)).toBe(false);
  });

  it('property: sign then verify holds; any changed byte breaks it; random headers never throw', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.string(),
        (data, key, index, junk) => {
          const header = signHubBody(data, key);
          expect(verifyHubSignature(data, header, key)).toBe(true);
          if (data.length > 0) {
            const changed = data.slice();
            const i = index % changed.length;
            changed[i] = ((changed[i] as number) + 1) % 256;
            expect(verifyHubSignature(changed, header, key)).toBe(false);
          }
          expect(verifyHubSignature(data, junk, key)).toBe(junk === header);
        },
      ),
    );
  });

  it('headerValue reads one lower-cased header and refuses repeated ones', () => {
    expect(headerValue({ 'x-hub-signature-256': 'a' }, 'X-Hub-Signature-256')).toBe('a');
    expect(headerValue({ 'x-hub-signature-256': ['a'] }, 'x-hub-signature-256')).toBe('a');
    expect(headerValue({ 'x-hub-signature-256': ['a', 'b'] }, 'x-hub-signature-256')).toBe(
      undefined,
    );
    expect(headerValue({}, 'x-hub-signature-256')).toBe(undefined);
  });
});
