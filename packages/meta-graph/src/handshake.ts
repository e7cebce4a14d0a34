/**
 * The GET verification handshake Meta runs on a callback URL:
 * `?hub.mode=subscribe&hub.challenge=<random>&hub.verify_token=<ours>` → 200 with the challenge.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HandshakeResult, WebhookQuery } from '@chatloom/core/adapter';

/** Compares two secrets in constant time, whatever their lengths. */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

function single(query: WebhookQuery, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
}

/** Meta's challenges are short digit strings; anything this long is not one. */
const maxChallengeLength = 1024;

/**
 * Answers the handshake: `ok` with the challenge to echo verbatim, or why it was refused (for
 * the log; the caller answers 403). An empty configured token never verifies.
 */
export function verifyHubHandshake(
  query: WebhookQuery,
  verifyToken: string | undefined,
): HandshakeResult {
  const mode = single(query, 'hub.mode');
  const token = single(query, 'hub.verify_token');
  const challenge = single(query, 'hub.challenge');
  if (mode !== 'subscribe') {
    return {
      ok: false,
      reason: `hub.mode is ${mode === undefined ? 'missing' : `"${mode.slice(0, 40)}"`}, not "subscribe"`,
    };
  }
  if (challenge === undefined || challenge === '')
    return { ok: false, reason: 'hub.challenge is missing' };
  if (challenge.length > maxChallengeLength) {
    return { ok: false, reason: `hub.challenge is longer than ${maxChallengeLength} characters` };
  }
  if (verifyToken === undefined || verifyToken === '') {
    return { ok: false, reason: 'the channel has no verify token configured' };
  }
  if (token === undefined) return { ok: false, reason: 'hub.verify_token is missing' };
  if (!secretsEqual(token, verifyToken)) {
    return { ok: false, reason: "hub.verify_token does not match the channel's verify token" };
  }
  return { ok: true, challenge };
}
