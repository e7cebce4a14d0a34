import { describe, expect, it } from 'vitest';
import { secretsEqual, verifyHubHandshake } from './handshake.js';

const token = 'my-verify-token';
const query = (over: Record<string, string | string[] | undefined> = {}) => ({
  'hub.mode': 'subscribe',
  'hub.challenge': '1158201444',
  'hub.verify_token': token,
  ...over,
});

describe('verifyHubHandshake (GET ?hub.mode=subscribe)', () => {
  it('echoes the challenge verbatim when mode and token match', () => {
    expect(verifyHubHandshake(query(), token)).toEqual({ ok: true, challenge: '1158201444' });
    expect(verifyHubHandshake(query({ 'hub.challenge': 'abc-XYZ_09' }), token)).toEqual({
      ok: true,
      challenge: 'abc-XYZ_09',
    });
  });

  it('refuses a wrong token, a wrong mode, missing parts and repeated parameters, saying why', () => {
    const refused = (q: Record<string, string | string[] | undefined>, configured = token) => {
      const result = verifyHubHandshake(q, configured);
      expect(result.ok).toBe(false);
      return result.ok ? '' : result.reason;
    };
    expect(refused(query({ 'hub.verify_token': 'nope' }))).toMatch(/does not match/);
    expect(refused(query({ 'hub.verify_token': `${token}x` }))).toMatch(/does not match/);
    expect(refused(query({ 'hub.verify_token': undefined }))).toMatch(/verify_token is missing/);
    expect(refused(query({ 'hub.mode': 'unsubscribe' }))).toMatch(/not "subscribe"/);
    expect(refused(query({ 'hub.mode': undefined }))).toMatch(/missing/);
    expect(refused(query({ 'hub.challenge': undefined }))).toMatch(/challenge is missing/);
    expect(refused(query({ 'hub.challenge': '' }))).toMatch(/challenge is missing/);
    expect(refused(query({ 'hub.challenge': 'x'.repeat(2000) }))).toMatch(/longer/);
    expect(refused(query({ 'hub.verify_token': [token, token] }))).toMatch(/missing/);
    expect(refused(query(), '')).toMatch(/no verify token/);
    expect(refused(query({ 'hub.verify_token': '' }), '')).toMatch(/no verify token/);
  });

  it('secretsEqual compares whatever the lengths', () => {
    expect(secretsEqual('a', 'a')).toBe(true);
    expect(secretsEqual('a', 'ab')).toBe(false);
    expect(secretsEqual('', '')).toBe(true);
    expect(secretsEqual('ä', 'a\u0308')).toBe(false);
  });
});
