import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookDelivery } from './types.js';

/**
 * Serialises like Meta does: compact JSON, every non-ASCII UTF-16 unit as a lowercase `\uXXXX`
 * escape (emoji become surrogate-pair escapes) and `/` as `\/`. Both only occur inside strings,
 * so replacing over the whole text is safe.
 */
export function toMetaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

/** `sha256=<lowercase hex HMAC-SHA256>` of the exact bytes, as in `X-Hub-Signature-256`. */
export function signWebhookBody(rawBody: string | Uint8Array, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Checks an `X-Hub-Signature-256` header against the raw body in constant time. */
export function verifyWebhookSignature(
  rawBody: string | Uint8Array,
  header: string | undefined,
  appSecret: string,
): boolean {
  if (header === undefined || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const expected = Buffer.from(signWebhookBody(rawBody, appSecret));
  return timingSafeEqual(expected, Buffer.from(header));
}

/** POSTs a payload to a callback URL as Meta does: Meta's escaping, both signature headers. */
export async function postWebhook(
  url: string | undefined,
  payload: unknown,
  appSecret: string,
  timeoutMs: number,
): Promise<WebhookDelivery> {
  const rawBody = toMetaJson(payload);
  const signature = signWebhookBody(rawBody, appSecret);
  const base = { url, payload, rawBody, signature };
  if (url === undefined) {
    return {
      ...base,
      delivered: false,
      status: 0,
      responseBody: '',
      error: 'no webhook URL is set (options.webhookUrl or setWebhookUrl)',
    };
  }
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'facebookexternalua',
        'x-hub-signature': `sha1=${createHmac('sha1', appSecret).update(rawBody).digest('hex')}`,
        'x-hub-signature-256': signature,
      },
      body: rawBody,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return {
      ...base,
      delivered: true,
      status: response.status,
      responseBody: await response.text(),
    };
  } catch (error) {
    return {
      ...base,
      delivered: false,
      status: 0,
      responseBody: '',
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** A webhook the receiver got. */
export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Parsed JSON, or undefined when the body was not JSON. */
  body: unknown;
  /** Whether `X-Hub-Signature-256` matched, when the receiver knows the app secret. */
  signatureValid: boolean | undefined;
}

/** Options of {@link createWebhookReceiver}. */
export interface WebhookReceiverOptions {
  port?: number;
  host?: string;
  /** Checks signatures when set, and answers 401 to a bad one (as an adapter should). */
  appSecret?: string;
  /** Answers the GET verification handshake when set. */
  verifyToken?: string;
  /** Status to answer POSTs with (default 200). */
  status?: number;
}

/** A small local callback server for tests: records what the fake (or Meta) posts. */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: readonly ReceivedWebhook[];
  /** Resolves once `count` webhooks arrived in total. */
  waitFor(count: number, timeoutMs?: number): Promise<readonly ReceivedWebhook[]>;
  /** Answer later POSTs with this status. */
  respondWith(status: number): void;
  clear(): void;
  close(): Promise<void>;
}

/** Starts a {@link WebhookReceiver}. */
export async function createWebhookReceiver(
  options: WebhookReceiverOptions = {},
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status = options.status ?? 200;
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      if (req.method === 'GET') {
        const ok =
          options.verifyToken !== undefined &&
          url.searchParams.get('hub.mode') === 'subscribe' &&
          url.searchParams.get('hub.verify_token') === options.verifyToken;
        res.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' });
        res.end(ok ? (url.searchParams.get('hub.challenge') ?? '') : 'forbidden');
        return;
      }
      const rawBody = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        body = undefined;
      }
      const header = req.headers['x-hub-signature-256'];
      const signatureValid =
        options.appSecret === undefined
          ? undefined
          : verifyWebhookSignature(
              rawBody,
              typeof header === 'string' ? header : undefined,
              options.appSecret,
            );
      received.push({
        method: req.method ?? 'POST',
        path: url.pathname,
        headers: req.headers,
        rawBody,
        body,
        signatureValid,
      });
      res.writeHead(signatureValid === false ? 401 : status, { 'content-type': 'text/plain' });
      res.end(signatureValid === false ? 'bad signature' : 'EVENT_RECEIVED');
      waiters = waiters.filter((w) => {
        if (received.length < w.count) return true;
        w.resolve();
        return false;
      });
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}/webhook`,
    received,
    waitFor(count, timeoutMs = 5000) {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `webhook receiver: ${received.length} of ${count} webhooks after ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received);
          },
        });
      });
    },
    respondWith(next) {
      status = next;
    },
    clear() {
      received.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
