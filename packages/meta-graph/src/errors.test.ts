import { AdapterError } from '@chatloom/core/adapter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyGraphError,
  defineGraphErrorTable,
  GraphApiError,
  type GraphErrorInfo,
  graphErrorInfo,
  graphErrorTable,
  parseGraphErrorBody,
  ruleForCode,
} from './errors.js';

const http = (code: number | undefined, status = 400, extra: Partial<GraphErrorInfo> = {}) =>
  classifyGraphError(
    { failure: 'http', status, message: 'x', ...(code !== undefined && { code }), ...extra },
    graphErrorTable,
  );

describe('parseGraphErrorBody', () => {
  it("reads Meta's error object, every field", () => {
    expect(
      parseGraphErrorBody({
        error: {
          message: '(#130429) Rate limit hit',
          type: 'OAuthException',
          code: 130429,
          error_data: {
            messaging_product: 'whatsapp',
            details: 'Cloud API message throughput has been reached.',
          },
          error_subcode: 2494055,
          error_user_title: 'T',
          error_user_msg: 'M',
          is_transient: false,
          fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
        },
      }),
    ).toEqual({
      message: '(#130429) Rate limit hit',
      type: 'OAuthException',
      code: 130429,
      subcode: 2494055,
      details: 'Cloud API message throughput has been reached.',
      userTitle: 'T',
      userMessage: 'M',
      isTransient: false,
      fbtraceId: 'Az8or2yhqkZfEZ-_4Qn_Bam',
    });
  });

  it('tolerates partial and odd shapes; refuses non-errors', () => {
    expect(parseGraphErrorBody({ error: {} })).toEqual({ message: 'Graph API error' });
    expect(parseGraphErrorBody({ error: { code: '190', error_data: '{"a":1}' } })).toEqual({
      message: 'Graph API error',
      code: 190,
      details: '{"a":1}',
    });
    expect(parseGraphErrorBody({ error: { code: 1.5, message: 7 } })).toEqual({
      message: 'Graph API error',
    });
    for (const body of [undefined, null, 'oops', [], {}, { error: 'x' }, { error: [] }]) {
      expect(parseGraphErrorBody(body)).toBeUndefined();
    }
    fc.assert(fc.property(fc.anything(), (body) => void parseGraphErrorBody(body)));
  });
});

describe('classifyGraphError: Graph-wide codes and fallbacks', () => {
  it('maps codes to kinds', () => {
    expect(http(1).kind).toBe('retryable');
    expect(http(2).kind).toBe('retryable');
    expect(http(4)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 60_000 });
    expect(http(613)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 60_000 });
    expect(http(190, 401).kind).toBe('permanent');
    expect(http(100).kind).toBe('permanent');
    expect(http(10, 403).kind).toBe('permanent');
    expect(http(200, 403).kind).toBe('permanent');
    expect(http(299, 403).kind).toBe('permanent');
    expect(http(368).kind).toBe('permanent');
  });

  it('unknown codes: is_transient, then the HTTP status', () => {
    expect(http(999_999, 400, { isTransient: true }).kind).toBe('retryable');
    expect(http(999_999, 500).kind).toBe('retryable');
    expect(http(undefined, 502).kind).toBe('retryable');
    expect(http(undefined, 503).kind).toBe('retryable');
    expect(http(undefined, 408).kind).toBe('retryable');
    expect(http(undefined, 429)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 60_000 });
    expect(http(999_999, 400).kind).toBe('permanent');
    expect(http(undefined, 404).kind).toBe('permanent');
  });

  it('failures without an answer are retryable; a timeout warns about duplicates', () => {
    for (const failure of ['network', 'timeout', 'aborted', 'invalid-response'] as const) {
      expect(classifyGraphError({ failure, message: 'm' }, graphErrorTable).kind).toBe('retryable');
    }
    expect(
      classifyGraphError({ failure: 'timeout', message: 'm' }, graphErrorTable).message,
    ).toMatch(/may have been handled/);
  });

  it('a Retry-After header raises the wait', () => {
    expect(http(4, 400, { retryAfterMs: 120_000 }).retryAfterMs).toBe(120_000);
    expect(http(4, 400, { retryAfterMs: 1_000 }).retryAfterMs).toBe(60_000);
    expect(http(undefined, 503, { retryAfterMs: 5_000 })).toMatchObject({
      kind: 'retryable',
      retryAfterMs: 5_000,
    });
    expect(http(100, 400, { retryAfterMs: 5_000 }).retryAfterMs).toBeUndefined();
  });

  it('the AdapterError carries the code, a readable message and the Graph details as cause', () => {
    const error = http(100, 400, {
      message: '(#100) Invalid parameter',
      details: 'Param to is not a valid phone number',
      fbtraceId: 'TRACE',
      request: 'POST /v23.0/1/messages',
    });
    expect(AdapterError.isInstance(error)).toBe(true);
    expect(error.code).toBe(100);
    expect(error.message).toBe(
      '[Graph API] POST /v23.0/1/messages: (#100) Invalid parameter — Param to is not a valid phone number (HTTP 400, code 100, fbtrace_id TRACE) → permanent: invalid parameter',
    );
    expect(error.cause).toBeInstanceOf(GraphApiError);
    expect(graphErrorInfo(error)?.details).toBe('Param to is not a valid phone number');
    expect(graphErrorInfo(new Error('x'))).toBeUndefined();
    expect(http(undefined, 502).code).toBe(502);
    expect(classifyGraphError({ failure: 'timeout', message: 'm' }, graphErrorTable).code).toBe(
      'timeout',
    );
  });
});

describe('defineGraphErrorTable: a platform on top of the Graph codes', () => {
  const table = defineGraphErrorTable(
    'Example',
    {
      4: { kind: 'rate-limited', why: 'x', retryAfterMs: 5_000 },
      7: { kind: 'window-closed', why: 'outside the window' },
      9: { kind: 'rate-limited', why: 'grows', retryAfterMs: (n) => 4 ** n * 1000 },
      150: { kind: 'retryable', why: 'inside the range, but listed' },
    },
    [{ from: 100, to: 199, rule: { kind: 'retryable', why: 'range' } }],
  );
  const classify = (code: number, consecutive = 0) =>
    classifyGraphError({ failure: 'http', status: 400, code, message: 'm' }, table, {
      consecutive,
    });

  it('its codes win over Graph codes, its ranges over fallbacks; Graph codes still apply', () => {
    expect(classify(4).retryAfterMs).toBe(5_000);
    expect(classify(7).kind).toBe('window-closed');
    expect(classify(150).message).toMatch(/listed/);
    expect(classify(120).kind).toBe('retryable');
    expect(classify(100).kind).toBe('permanent'); // a single code beats a range
    expect(classify(190).kind).toBe('permanent');
    expect(classify(9, 0).retryAfterMs).toBe(1_000);
    expect(classify(9, 2).retryAfterMs).toBe(16_000);
    expect(classify(7).message).toMatch(/^\[Example\]/);
  });

  it('code/subcode pairs win over the code; other subcodes fall back to it', () => {
    const withPairs = defineGraphErrorTable('Example', {}, [], {
      '10/2018278': { kind: 'window-closed', why: 'outside the window' },
    });
    const classify10 = (subcode?: number) =>
      classifyGraphError(
        {
          failure: 'http',
          status: 400,
          code: 10,
          message: 'm',
          ...(subcode !== undefined && { subcode }),
        },
        withPairs,
      ).kind;
    expect(classify10(2018278)).toBe('window-closed');
    expect(classify10(1)).toBe('permanent');
    expect(classify10()).toBe('permanent');
    expect(ruleForCode(withPairs, 10, 2018278)?.kind).toBe('window-closed');
    expect(ruleForCode(withPairs, 10)?.kind).toBe('permanent');
  });
});
