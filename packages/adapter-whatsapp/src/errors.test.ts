import { readFileSync } from 'node:fs';
import { classifyGraphError, ruleForCode } from '@chatloom/meta-graph';
import { describe, expect, it } from 'vitest';
import { pairRateLimitWaitMs, whatsAppErrorKind, whatsAppErrorTable } from './errors.js';

const classify = (code: number, status = 400, consecutive = 0) =>
  classifyGraphError({ failure: 'http', status, code, message: `(#${code})` }, whatsAppErrorTable, {
    consecutive,
  });

describe('WhatsApp error codes → what core does (whatsapp-cloud-api.md §8)', () => {
  it('retries with backoff: 130429 and 131056 rate-limited, 131000/131016/131057/1/2/5xx retryable', () => {
    expect(classify(130429)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 1_000 });
    expect(classify(131056)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 1_000 });
    expect(classify(80007)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 60_000 });
    expect(classify(4)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 60_000 });
    for (const code of [131000, 131016, 131057, 1, 2])
      expect(classify(code).kind).toBe('retryable');
    expect(classify(999_999, 503).kind).toBe('retryable');
  });

  it('the pair rate limit waits 4^x seconds, capped', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(pairRateLimitWaitMs)).toEqual([
      1_000, 4_000, 16_000, 64_000, 256_000, 1_024_000, 1_024_000,
    ]);
    expect(classify(131056, 400, 2).retryAfterMs).toBe(16_000);
  });

  it('131047 is window-closed, not retried', () => {
    expect(classify(131047)).toMatchObject({ kind: 'window-closed', isRetryable: false });
  });

  it('never retries 131026, 131050, 131051, 132000–132016, 368, 131031, 190, 100, 131008, 131009 or other 4xx', () => {
    const permanent = [
      131026, 131050, 131051, 368, 131031, 190, 100, 131008, 131009, 131048, 131049, 131053, 10,
      200, 299,
    ];
    for (let code = 132000; code <= 132016; code++) permanent.push(code);
    for (const code of permanent)
      expect(classify(code), String(code)).toMatchObject({ kind: 'permanent', isRetryable: false });
    expect(classify(132017).kind).toBe('permanent'); // unknown 4xx
    expect(ruleForCode(whatsAppErrorTable, 132017)).toBeUndefined();
  });

  it('whatsAppErrorKind reads codes of status webhooks (strings too)', () => {
    expect(whatsAppErrorKind('131047')).toBe('window-closed');
    expect(whatsAppErrorKind(130429)).toBe('rate-limited');
    expect(whatsAppErrorKind('131000')).toBe('retryable');
    expect(whatsAppErrorKind('131026')).toBe('permanent');
    expect(whatsAppErrorKind('unknown')).toBe('permanent');
    expect(whatsAppErrorKind(424242)).toBe('permanent');
  });

  it('the README table says what the code does', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [
      ...readme.matchAll(
        /^\| `(\d+)(?:–(\d+))?` \| (retryable|rate-limited|window-closed|permanent) \|/gm,
      ),
    ];
    expect(rows.length).toBeGreaterThan(20);
    for (const [, from, to, kind] of rows) {
      for (let code = Number(from); code <= Number(to ?? from); code++) {
        expect(whatsAppErrorKind(code), `README row ${from}`).toBe(kind);
      }
    }
  });
});
