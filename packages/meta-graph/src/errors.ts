/**
 * Meta Graph API errors: reading them (JSON error bodies, non-JSON bodies, dropped connections,
 * timeouts) and deciding what core does with them (core's `AdapterError` kinds). The decision
 * is a table per platform over one set of Graph-wide codes, so Messenger and Instagram add
 * their codes without touching WhatsApp's.
 */
import { AdapterError } from '@chatloom/core/adapter';
import { isRecord } from './json.js';

/** How a Graph call failed. */
export type GraphFailureKind =
  /** Graph (or something in front of it) answered with a non-2xx status. */
  | 'http'
  /** A 2xx answer we could not read (not JSON, or not the expected shape). */
  | 'invalid-response'
  /** The connection failed or was dropped before an answer. */
  | 'network'
  /** No answer within the timeout; the request may or may not have been handled. */
  | 'timeout'
  /** The caller's AbortSignal fired. */
  | 'aborted';

/** Everything known about a failed Graph call. Never holds the access token. */
export interface GraphErrorInfo {
  failure: GraphFailureKind;
  /** HTTP status; undefined when no answer arrived. */
  status?: number;
  /** `error.code` of Meta's error body. */
  code?: number;
  /** `error.error_subcode` (deprecated by Meta, still sent for some Graph errors). */
  subcode?: number;
  /** `error.type` (`OAuthException`, `GraphMethodException` …). */
  type?: string;
  /** `error.message`, or a description of what went wrong when there was no error body. */
  message: string;
  /** `error.error_data.details` (WhatsApp's explanation). */
  details?: string;
  /** `error.error_user_title` / `error.error_user_msg`. */
  userTitle?: string;
  userMessage?: string;
  /** `error.is_transient`. */
  isTransient?: boolean;
  /** `error.fbtrace_id`, for Meta support. */
  fbtraceId?: string;
  /** From a `Retry-After` header, when one was sent. */
  retryAfterMs?: number;
  /** `METHOD /path` of the call, without the query string. */
  request?: string;
  /** The first 500 characters of a body that was not a Graph error. */
  body?: string;
}

/** The `cause` of every `AdapterError` the Graph client throws. */
export class GraphApiError extends Error {
  readonly info: GraphErrorInfo;

  constructor(info: GraphErrorInfo) {
    super(describeGraphError(info));
    this.name = 'GraphApiError';
    this.info = info;
  }
}

/** The Graph error behind an error thrown by the client (an `AdapterError` or a `GraphApiError`). */
export function graphErrorInfo(error: unknown): GraphErrorInfo | undefined {
  if (error instanceof GraphApiError) return error.info;
  if (error instanceof Error && error.cause instanceof GraphApiError) return error.cause.info;
  return undefined;
}

/**
 * Reads Meta's error body `{ error: { message, type, code, error_subcode, error_data: { details },
 * fbtrace_id } }`. Returns undefined for anything else (HTML from a proxy, empty bodies).
 */
export function parseGraphErrorBody(
  body: unknown,
): Omit<GraphErrorInfo, 'failure' | 'status'> | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const e = body.error;
  const info: Omit<GraphErrorInfo, 'failure' | 'status'> = {
    message: typeof e.message === 'string' && e.message !== '' ? e.message : 'Graph API error',
  };
  const code = integer(e.code);
  if (code !== undefined) info.code = code;
  const subcode = integer(e.error_subcode);
  if (subcode !== undefined) info.subcode = subcode;
  if (typeof e.type === 'string') info.type = e.type;
  if (isRecord(e.error_data) && typeof e.error_data.details === 'string') {
    info.details = e.error_data.details;
  } else if (typeof e.error_data === 'string' && e.error_data !== '') {
    // Older Graph errors carry error_data as a JSON string.
    info.details = e.error_data;
  }
  if (typeof e.error_user_title === 'string') info.userTitle = e.error_user_title;
  if (typeof e.error_user_msg === 'string') info.userMessage = e.error_user_msg;
  if (typeof e.is_transient === 'boolean') info.isTransient = e.is_transient;
  if (typeof e.fbtrace_id === 'string') info.fbtraceId = e.fbtrace_id;
  return info;
}

function integer(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,12}$/.test(value)) return Number(value);
  return undefined;
}

/** `POST /123/messages: (#131047) Re-engagement message — more than 24 hours … (HTTP 400, code 131047, fbtrace_id A1)`. */
export function describeGraphError(info: GraphErrorInfo): string {
  const what =
    info.details && info.details !== info.message
      ? `${info.message} — ${info.details}`
      : info.message;
  const facts: string[] = [];
  if (info.status !== undefined) facts.push(`HTTP ${info.status}`);
  if (info.code !== undefined) facts.push(`code ${info.code}`);
  if (info.subcode !== undefined) facts.push(`subcode ${info.subcode}`);
  if (info.fbtraceId !== undefined) facts.push(`fbtrace_id ${info.fbtraceId}`);
  const prefix = info.request === undefined ? '' : `${info.request}: `;
  return `${prefix}${what}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
}

// ---------------------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------------------

/** What core should do with one error code, and why (the why goes into the error message). */
export type GraphErrorRule =
  | { kind: 'retryable'; why: string; retryAfterMs?: number }
  | {
      kind: 'rate-limited';
      why: string;
      /** A fixed wait, or one growing with the consecutive rate-limit errors of the same scope (0, 1, 2 …). */
      retryAfterMs: number | ((consecutive: number) => number);
    }
  | { kind: 'window-closed'; why: string }
  | { kind: 'permanent'; why: string };

/** A code and subcode pair (`10/2018278`): Messenger tells errors of one code apart by subcode. */
export type GraphErrorSubcodeKey = `${number}/${number}`;

/** One platform's error codes, on top of the Graph-wide ones. */
export interface GraphErrorTable {
  /** The platform's name in error messages (`WhatsApp`). */
  platform: string;
  codes: Readonly<Record<number, GraphErrorRule>>;
  /** Code ranges (`132000–132016`); single codes win over ranges. */
  ranges: readonly { from: number; to: number; rule: GraphErrorRule }[];
  /** Code and subcode pairs; they win over the code alone. */
  subcodes: Readonly<Record<GraphErrorSubcodeKey, GraphErrorRule>>;
}

const minute = 60_000;

/**
 * Codes every Graph API product shares (Graph "Handling errors" page). Platforms override or
 * extend them with {@link defineGraphErrorTable}.
 */
export const graphErrorCodes: Readonly<Record<number, GraphErrorRule>> = {
  1: { kind: 'retryable', why: 'unknown Graph API error; Meta asks to retry' },
  2: { kind: 'retryable', why: 'Graph API service temporarily unavailable' },
  3: { kind: 'permanent', why: 'the app lacks the capability for this call' },
  4: { kind: 'rate-limited', why: 'app-level API call limit reached', retryAfterMs: minute },
  10: { kind: 'permanent', why: 'permission denied' },
  17: { kind: 'rate-limited', why: 'user-level API call limit reached', retryAfterMs: minute },
  32: { kind: 'rate-limited', why: 'page-level API call limit reached', retryAfterMs: minute },
  100: { kind: 'permanent', why: 'invalid parameter' },
  102: { kind: 'permanent', why: 'the session or access token is invalid' },
  190: { kind: 'permanent', why: 'the access token is invalid or expired' },
  341: { kind: 'rate-limited', why: 'application limit reached', retryAfterMs: minute },
  368: { kind: 'permanent', why: 'the account is temporarily blocked for policy violations' },
  613: { kind: 'rate-limited', why: 'call rate limit exceeded', retryAfterMs: minute },
};

const graphRanges: GraphErrorTable['ranges'] = [
  { from: 200, to: 299, rule: { kind: 'permanent', why: 'the token lacks a permission' } },
];

/**
 * A platform's table: its codes, ranges and code/subcode pairs on top of
 * {@link graphErrorCodes}.
 */
export function defineGraphErrorTable(
  platform: string,
  codes: Readonly<Record<number, GraphErrorRule>>,
  ranges: GraphErrorTable['ranges'] = [],
  subcodes: GraphErrorTable['subcodes'] = {},
): GraphErrorTable {
  return {
    platform,
    codes: { ...graphErrorCodes, ...codes },
    ranges: [...ranges, ...graphRanges],
    subcodes: { ...subcodes },
  };
}

/** The Graph-wide table, for calls that belong to no platform. */
export const graphErrorTable: GraphErrorTable = defineGraphErrorTable('Graph API', {});

/** The rule for a code (and subcode), if the table knows it: the pair first, then the code. */
export function ruleForCode(
  table: GraphErrorTable,
  code: number,
  subcode?: number,
): GraphErrorRule | undefined {
  if (subcode !== undefined) {
    const pair = table.subcodes[`${code}/${subcode}`];
    if (pair !== undefined) return pair;
  }
  const exact = table.codes[code];
  if (exact !== undefined) return exact;
  return table.ranges.find((r) => code >= r.from && code <= r.to)?.rule;
}

export interface ClassifyOptions {
  /** Consecutive rate-limit errors of the same scope before this one (for growing waits). */
  consecutive?: number;
}

/** The rule that applies to a failure: its code in the table, else `is_transient`, else the HTTP status. */
export function ruleForFailure(info: GraphErrorInfo, table: GraphErrorTable): GraphErrorRule {
  switch (info.failure) {
    case 'timeout':
      return {
        kind: 'retryable',
        why: 'no answer in time; the request may have been handled (a retry can duplicate a message)',
      };
    case 'network':
      return { kind: 'retryable', why: 'the connection failed' };
    case 'aborted':
      return { kind: 'retryable', why: 'the call was aborted' };
    case 'invalid-response':
      return { kind: 'retryable', why: 'the answer could not be read' };
    case 'http':
      break;
  }
  if (info.code !== undefined) {
    const rule = ruleForCode(table, info.code, info.subcode);
    if (rule !== undefined) return rule;
  }
  if (info.isTransient === true)
    return { kind: 'retryable', why: 'Meta marks the error transient' };
  const status = info.status ?? 0;
  if (status === 429) {
    return { kind: 'rate-limited', why: 'HTTP 429 Too Many Requests', retryAfterMs: minute };
  }
  if (status >= 500) return { kind: 'retryable', why: `server error ${status}` };
  if (status === 408) return { kind: 'retryable', why: 'request timeout' };
  return { kind: 'permanent', why: `rejected with HTTP ${status}` };
}

/**
 * The `AdapterError` core acts on. Its `code` is Meta's error code (or the HTTP status, or the
 * failure kind), its `cause` a {@link GraphApiError} with the details.
 */
export function classifyGraphError(
  info: GraphErrorInfo,
  table: GraphErrorTable,
  options: ClassifyOptions = {},
): AdapterError {
  const rule = ruleForFailure(info, table);
  let retryAfterMs: number | undefined;
  if (rule.kind === 'rate-limited') {
    retryAfterMs =
      typeof rule.retryAfterMs === 'number'
        ? rule.retryAfterMs
        : rule.retryAfterMs(options.consecutive ?? 0);
  } else if (rule.kind === 'retryable') {
    retryAfterMs = rule.retryAfterMs;
  }
  // Meta's own Retry-After, when sent, is the better hint.
  if (
    info.retryAfterMs !== undefined &&
    (rule.kind === 'rate-limited' || rule.kind === 'retryable')
  ) {
    retryAfterMs = Math.max(info.retryAfterMs, retryAfterMs ?? 0);
  }
  const code = info.code ?? (info.failure === 'http' ? info.status : undefined) ?? info.failure;
  const cause = new GraphApiError(info);
  const message = `[${table.platform}] ${cause.message} → ${rule.kind}: ${rule.why}`;
  return new AdapterError(rule.kind, message, {
    code,
    cause,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}
