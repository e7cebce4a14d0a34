/**
 * A small client of Meta's Graph API: one base URL and API version, a bearer token per call,
 * JSON or multipart bodies, a timeout on every call, an injectable `fetch` (tests point it at
 * @chatloom/testkit's fake), and every failure turned into core's `AdapterError` by the
 * platform's error table.
 */
import type { AdapterError } from '@chatloom/core/adapter';
import { Agent, request as undiciRequest } from 'undici';
import {
  classifyGraphError,
  type GraphErrorInfo,
  type GraphErrorTable,
  graphErrorTable,
  parseGraphErrorBody,
} from './errors.js';
import { isRecord } from './json.js';

export const defaultGraphApiBaseUrl = 'https://graph.facebook.com';
export const defaultGraphApiVersion = 'v23.0';
export const defaultTimeoutMs = 30_000;

/** Settings of {@link createGraphClient}. */
export interface GraphClientSettings {
  /** Where Graph lives (default `https://graph.facebook.com`); tests use the fake's URL. */
  baseUrl?: string;
  /** The pinned Graph API version, `vNN.N` (default `v23.0`). */
  apiVersion?: string;
  /**
   * A `fetch` implementation. Default: JSON calls go through undici's `request` on a
   * keep-alive pool (the global `fetch` cost about 150 µs of CPU a call, more than the rest of
   * a reply's work), uploads and downloads through the global `fetch`.
   */
  fetch?: typeof globalThis.fetch;
  /** Give up on a call after this long (default 30 s); the call then fails as retryable. */
  timeoutMs?: number;
  /** How errors are classified (default the Graph-wide codes only). */
  errors?: GraphErrorTable;
  /** Extra headers on every call (a `User-Agent`, say). */
  headers?: Record<string, string>;
}

export type QueryValue = string | number | boolean | undefined;

/** One Graph call. */
export interface GraphRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  /** The path after the version, built with {@link graphPath}: `/123/messages`. */
  path: string;
  accessToken: string;
  query?: Record<string, QueryValue>;
  /** A JSON body. */
  json?: unknown;
  /** A multipart body (media upload). */
  form?: FormData;
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
  /**
   * Groups rate-limit errors whose wait grows with repetition (WhatsApp's pair limit: one
   * recipient); a success clears the scope.
   */
  rateLimitScope?: string;
}

/** A binary download (media). */
export interface GraphBinary {
  data: Uint8Array;
  contentType: string | undefined;
}

export interface GraphClient {
  readonly baseUrl: string;
  readonly apiVersion: string;
  readonly errors: GraphErrorTable;
  /** The full URL of a path (`/123/messages`) with an optional query. */
  url(path: string, query?: Record<string, QueryValue>): string;
  /** Makes a call; resolves with the parsed JSON answer, throws `AdapterError`. */
  request(request: GraphRequest): Promise<unknown>;
  /** Every item of a paged list (`{ data: [...], paging: { cursors: { after }, next } }`). */
  paginate(request: GraphRequest & { maxPages?: number }): AsyncGenerator<unknown, void, undefined>;
  /**
   * Downloads bytes from a URL Graph handed out (media). The bearer token goes only to the
   * Graph base URL's origin and Meta's CDN hosts; any other host is refused.
   */
  download(
    url: string,
    options: { accessToken: string; maxBytes?: number; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<GraphBinary>;
}

/** A path from raw segments, each URL-encoded (ids from settings can never change the route). */
export function graphPath(...segments: string[]): string {
  return `/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

const versionPattern = /^v\d+\.\d+$/;
/** Hosts Meta serves media from; the token may be sent there. */
const metaMediaHosts =
  /(^|\.)(fbsbx\.com|facebook\.com|fbcdn\.net|whatsapp\.net|cdninstagram\.com)$/;

/** Creates a client; throws a `TypeError` for a base URL or version that cannot work. */
export function createGraphClient(settings: GraphClientSettings = {}): GraphClient {
  const baseUrl = (settings.baseUrl ?? defaultGraphApiBaseUrl).replace(/\/+$/, '');
  let origin: string;
  try {
    const parsed = new URL(baseUrl);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('protocol');
    origin = parsed.origin;
  } catch {
    throw new TypeError(
      `Graph API base URL "${baseUrl}" is not an http(s) URL; use e.g. https://graph.facebook.com`,
    );
  }
  const apiVersion = settings.apiVersion ?? defaultGraphApiVersion;
  if (!versionPattern.test(apiVersion)) {
    throw new TypeError(`Graph API version "${apiVersion}" is not of the form vNN.N (e.g. v23.0)`);
  }
  const timeoutMs = settings.timeoutMs ?? defaultTimeoutMs;
  if (!(timeoutMs > 0)) throw new TypeError(`timeoutMs must be positive, got ${timeoutMs}`);
  const fetchImpl = settings.fetch ?? globalThis.fetch;
  // Idle sockets close after 4 s: before a server's keep-alive timeout (Node's default 5 s)
  // ends them under a request about to reuse them.
  const pool = settings.fetch === undefined ? new Agent({ keepAliveTimeout: 4000 }) : undefined;
  const table = settings.errors ?? graphErrorTable;
  const extraHeaders = settings.headers ?? {};

  // Consecutive rate-limit errors per scope; bounded, oldest scopes forgotten first.
  const streaks = new Map<string, number>();
  const maxStreaks = 10_000;

  const url = (path: string, query?: Record<string, QueryValue>): string => {
    const target = new URL(`${baseUrl}/${apiVersion}${path.startsWith('/') ? path : `/${path}`}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) target.searchParams.set(key, String(value));
    }
    return target.toString();
  };

  const fail = (info: GraphErrorInfo, scope: string | undefined): AdapterError => {
    const consecutive = scope === undefined ? 0 : (streaks.get(scope) ?? 0);
    const error = classifyGraphError(info, table, { consecutive });
    if (scope !== undefined && error.kind === 'rate-limited') {
      streaks.delete(scope);
      streaks.set(scope, consecutive + 1);
      if (streaks.size > maxStreaks) {
        const oldest = streaks.keys().next().value;
        if (oldest !== undefined) streaks.delete(oldest);
      }
    }
    return error;
  };

  /** Runs fetch with the timeout; turns throws into failures. */
  async function send(
    target: string,
    init: RequestInit,
    what: string,
    signal: AbortSignal | undefined,
    callTimeoutMs: number,
    read: (response: Response) => Promise<unknown>,
  ): Promise<{ response: Response; body: unknown } | GraphErrorInfo> {
    const timeout = AbortSignal.timeout(callTimeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
    try {
      const response = await fetchImpl(target, { ...init, signal: combined });
      const body = await read(response);
      return { response, body };
    } catch (error) {
      return failureOf(error, what, signal, timeout, callTimeoutMs);
    }
  }

  /**
   * One JSON call through undici's `request`: the answer's status, headers and text, or why
   * there is none (the same failures as `send`).
   */
  async function exchange(
    target: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    what: string,
    signal: AbortSignal | undefined,
    callTimeoutMs: number,
  ): Promise<{ response: Answer; body: string } | GraphErrorInfo> {
    const timeout = AbortSignal.timeout(callTimeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
    try {
      const answer = await undiciRequest(target, {
        method: method as 'GET',
        headers,
        ...(body !== undefined && { body }),
        ...(pool !== undefined && { dispatcher: pool }),
        signal: combined,
      });
      const text = await answer.body.text();
      const status = answer.statusCode;
      return {
        response: {
          ok: status >= 200 && status < 300,
          status,
          statusText: '',
          headers: {
            get: (name) => {
              const value = answer.headers[name.toLowerCase()];
              return value === undefined ? null : [value].flat().join(', ');
            },
          },
        },
        body: text,
      };
    } catch (error) {
      return failureOf(error, what, signal, timeout, callTimeoutMs);
    }
  }

  async function request(req: GraphRequest): Promise<unknown> {
    const method =
      req.method ?? (req.json !== undefined || req.form !== undefined ? 'POST' : 'GET');
    const target = url(req.path, req.query);
    const what = `${method} ${new URL(target).pathname}`;
    const headers: Record<string, string> = {
      ...extraHeaders,
      accept: 'application/json',
      authorization: `Bearer ${req.accessToken}`,
    };
    let body: string | FormData | undefined;
    if (req.form !== undefined) body = req.form;
    else if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    }
    const callTimeoutMs = req.timeoutMs ?? timeoutMs;
    const result =
      pool !== undefined && typeof body !== 'object'
        ? await exchange(target, method, headers, body, what, req.signal, callTimeoutMs)
        : await send(
            target,
            { method, headers, ...(body !== undefined && { body }) },
            what,
            req.signal,
            callTimeoutMs,
            (response) => response.text(),
          );
    if (!('response' in result)) throw fail(result, req.rateLimitScope);
    const { response } = result;
    const text = result.body as string;
    let json: unknown;
    let parsed = false;
    if (text !== '') {
      try {
        json = JSON.parse(text);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    if (!response.ok) {
      const graph = parsed ? parseGraphErrorBody(json) : undefined;
      const info: GraphErrorInfo = {
        failure: 'http',
        status: response.status,
        request: what,
        ...(graph ?? {
          message: `HTTP ${response.status} ${response.statusText}`.trim(),
          ...(text !== '' && { body: text.slice(0, 500) }),
        }),
      };
      const retryAfter = retryAfterMs(response.headers.get('retry-after'));
      if (retryAfter !== undefined) info.retryAfterMs = retryAfter;
      throw fail(info, req.rateLimitScope);
    }
    if (!parsed) {
      throw fail(
        {
          failure: 'invalid-response',
          status: response.status,
          message: text === '' ? 'empty answer' : 'the answer is not JSON',
          request: what,
          ...(text !== '' && { body: text.slice(0, 500) }),
        },
        req.rateLimitScope,
      );
    }
    if (req.rateLimitScope !== undefined) streaks.delete(req.rateLimitScope);
    return json;
  }

  async function* paginate(
    req: GraphRequest & { maxPages?: number },
  ): AsyncGenerator<unknown, void, undefined> {
    const maxPages = req.maxPages ?? 1000;
    const seen = new Set<string>();
    let after: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const answer = await request({
        ...req,
        method: 'GET',
        query: { ...req.query, ...(after !== undefined && { after }) },
      });
      if (!isRecord(answer) || !Array.isArray(answer.data)) {
        throw fail(
          {
            failure: 'invalid-response',
            message: 'a paged answer without a data array',
            request: `GET ${req.path}`,
          },
          undefined,
        );
      }
      yield* answer.data;
      // Follow the cursor, never `paging.next` itself: our own URL keeps the token at home.
      const paging = isRecord(answer.paging) ? answer.paging : undefined;
      const cursors = paging !== undefined && isRecord(paging.cursors) ? paging.cursors : undefined;
      const next = cursors?.after;
      if (paging?.next === undefined || typeof next !== 'string' || next === '' || seen.has(next)) {
        return;
      }
      seen.add(next);
      after = next;
    }
    throw fail(
      {
        failure: 'invalid-response',
        message: `more than ${maxPages} pages; stopped`,
        request: `GET ${req.path}`,
      },
      undefined,
    );
  }

  async function download(
    source: string,
    options: { accessToken: string; maxBytes?: number; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<GraphBinary> {
    let target: URL;
    try {
      target = new URL(source);
    } catch {
      throw fail(
        { failure: 'invalid-response', message: `not a URL: "${source.slice(0, 200)}"` },
        undefined,
      );
    }
    const trusted =
      target.origin === origin ||
      (target.protocol === 'https:' && metaMediaHosts.test(target.hostname));
    if (!trusted) {
      throw fail(
        {
          failure: 'invalid-response',
          message: `refusing to send the access token to ${target.origin}, which is neither the Graph API nor Meta's CDN`,
        },
        undefined,
      );
    }
    const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
    const what = `GET ${target.origin}${target.pathname}`;
    const result = await send(
      target.toString(),
      {
        method: 'GET',
        headers: { ...extraHeaders, authorization: `Bearer ${options.accessToken}` },
      },
      what,
      options.signal,
      options.timeoutMs ?? timeoutMs,
      async (response) => {
        if (!response.ok) return response.text();
        return readLimited(response, maxBytes);
      },
    );
    if (!('response' in result)) throw fail(result, undefined);
    const { response, body } = result;
    if (!response.ok) {
      const text = body as string;
      let graph: ReturnType<typeof parseGraphErrorBody>;
      try {
        graph = parseGraphErrorBody(JSON.parse(text));
      } catch {
        graph = undefined;
      }
      throw fail(
        {
          failure: 'http',
          status: response.status,
          request: what,
          ...(graph ?? { message: `HTTP ${response.status}`, body: text.slice(0, 500) }),
        },
        undefined,
      );
    }
    if (body === tooLarge) {
      throw fail(
        { failure: 'http', status: 413, message: `larger than ${maxBytes} bytes`, request: what },
        undefined,
      );
    }
    return {
      data: body as Uint8Array,
      contentType: response.headers.get('content-type') ?? undefined,
    };
  }

  return { baseUrl, apiVersion, errors: table, url, request, paginate, download };
}

/** What `request` reads of an answer (a `Response` has it too). */
interface Answer {
  ok: boolean;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
}

const tooLarge = Symbol('too large');

async function readLimited(
  response: Response,
  maxBytes: number,
): Promise<Uint8Array | typeof tooLarge> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    return tooLarge;
  }
  if (response.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) return tooLarge;
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Why a call has no answer: the caller aborted it, it timed out, or the network failed. */
function failureOf(
  error: unknown,
  what: string,
  signal: AbortSignal | undefined,
  timeout: AbortSignal,
  callTimeoutMs: number,
): GraphErrorInfo {
  if (signal?.aborted === true)
    return { failure: 'aborted', message: 'the call was aborted by the caller', request: what };
  if (timeout.aborted)
    return { failure: 'timeout', message: `no answer within ${callTimeoutMs} ms`, request: what };
  return { failure: 'network', message: networkMessage(error), request: what };
}

function networkMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return `${error.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`;
  }
  return error.message;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
