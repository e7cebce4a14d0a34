import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdapterError } from '@chatloom/core/adapter';
import { createFakeGraphApi, type FakeGraphApi } from '@chatloom/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineGraphErrorTable, graphErrorInfo } from './errors.js';
import { createGraphClient, type GraphClient, graphPath, retryAfterMs } from './graph-client.js';

const phoneId = '200000000000002';
const wabaId = '100000000000001';
let fake: FakeGraphApi;
let client: GraphClient;
const table = defineGraphErrorTable('Test', {
  131056: { kind: 'rate-limited', why: 'pair', retryAfterMs: (n) => 4 ** n * 1000 },
});

beforeAll(async () => {
  fake = await createFakeGraphApi({ appSecret: 'test-secret', accessToken: 'test-token' });
  client = createGraphClient({ baseUrl: fake.url, errors: table, timeoutMs: 2_000 });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

async function failure(promise: Promise<unknown>): Promise<AdapterError> {
  try {
    await promise;
  } catch (error) {
    if (AdapterError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

const getPhone = (token = fake.accessToken, extra: object = {}) =>
  client.request({ path: graphPath(phoneId), accessToken: token, ...extra });

describe('createGraphClient against the fake Graph API', () => {
  it('GETs with the bearer token and the pinned version, returns the JSON', async () => {
    const answer = await client.request({
      path: graphPath(phoneId),
      accessToken: fake.accessToken,
      query: { fields: 'verified_name,display_phone_number', skip: undefined },
    });
    expect(answer).toMatchObject({ id: phoneId, display_phone_number: expect.any(String) });
    const recorded = fake.requests.at(-1);
    expect(recorded?.path).toBe(`/v23.0/${phoneId}`);
    expect(recorded?.query).toEqual({ fields: 'verified_name,display_phone_number' });
    expect(recorded?.headers.authorization).toBe('Bearer test-token');
  });

  it('POSTs JSON; a bad token is a permanent 190', async () => {
    const error = await failure(getPhone('wrong-token'));
    expect(error).toMatchObject({ kind: 'permanent', code: 190 });
    expect(graphErrorInfo(error)).toMatchObject({ status: 401, type: 'OAuthException' });
    expect(error.message).not.toContain('wrong-token');
  });

  it('an unknown node is a permanent 100 with subcode 33', async () => {
    const error = await failure(
      client.request({ path: graphPath('999'), accessToken: fake.accessToken }),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 100 });
    expect(graphErrorInfo(error)?.subcode).toBe(33);
  });

  it('5xx, dropped connections and timeouts are retryable', async () => {
    fake.inject({ status5xx: 503 });
    expect(await failure(getPhone())).toMatchObject({ kind: 'retryable', code: 2 });
    fake.inject({ dropConnection: true });
    const dropped = await failure(getPhone());
    expect(dropped).toMatchObject({ kind: 'retryable', code: 'network' });
    fake.inject({ timeout: true });
    const timedOut = await failure(getPhone(fake.accessToken, { timeoutMs: 100 }));
    expect(timedOut).toMatchObject({ kind: 'retryable', code: 'timeout' });
    expect(timedOut.message).toMatch(/no answer within 100 ms/);
  });

  it('the caller can abort', async () => {
    fake.inject({ latencyMs: 2_000 });
    const controller = new AbortController();
    const pending = getPhone(fake.accessToken, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await failure(pending)).toMatchObject({ kind: 'retryable', code: 'aborted' });
  });

  it('rate limits with a growing wait per scope (4^x s), cleared by a success', async () => {
    fake.inject({ error: { code: 131056 }, times: 3 });
    const call = () =>
      client.request({
        method: 'POST',
        path: graphPath(phoneId, 'messages'),
        accessToken: fake.accessToken,
        json: {
          messaging_product: 'whatsapp',
          to: '15555550101',
          type: 'text',
          text: { body: 'hi' },
        },
        rateLimitScope: 'pair:15555550101',
      });
    fake.whatsapp.openWindow('15555550101');
    expect((await failure(call())).retryAfterMs).toBe(1_000);
    expect((await failure(call())).retryAfterMs).toBe(4_000);
    expect((await failure(call())).retryAfterMs).toBe(16_000);
    await call();
    fake.inject({ error: { code: 131056 } });
    expect((await failure(call())).retryAfterMs).toBe(1_000);
  });

  it('multipart bodies (media upload)', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'image/png');
    form.set('file', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'a.png');
    const answer = await client.request({
      path: graphPath(phoneId, 'media'),
      accessToken: fake.accessToken,
      form,
    });
    expect(answer).toEqual({ id: expect.any(String) });
    expect(fake.requests.at(-1)?.method).toBe('POST');
  });

  it('paginate follows the after cursor across pages', async () => {
    for (let i = 0; i < 5; i++) fake.templates.add({ name: `t_${i}`, wabaId });
    const names: string[] = [];
    for await (const item of client.paginate({
      path: graphPath(wabaId, 'message_templates'),
      accessToken: fake.accessToken,
      query: { limit: 2, fields: 'name' },
    })) {
      names.push((item as { name: string }).name);
    }
    expect(names).toEqual(['hello_world', 't_0', 't_1', 't_2', 't_3', 't_4']);
    const pages = fake.requests.filter((r) => r.path.endsWith('/message_templates'));
    expect(pages).toHaveLength(3);
    expect(pages[1]?.query.after).toBeDefined();
  });

  it('downloads media from the URL Graph hands out, within a size cap', async () => {
    const id = fake.whatsapp.addMedia({ data: 'hello bytes', mimeType: 'image/jpeg' });
    const meta = (await client.request({ path: graphPath(id), accessToken: fake.accessToken })) as {
      url: string;
    };
    const file = await client.download(meta.url, { accessToken: fake.accessToken });
    expect(new TextDecoder().decode(file.data)).toBe('hello bytes');
    expect(file.contentType).toBe('image/jpeg');
    const big = await failure(
      client.download(meta.url, { accessToken: fake.accessToken, maxBytes: 4 }),
    );
    expect(big.kind).toBe('permanent');
    const wrongToken = await failure(client.download(meta.url, { accessToken: 'nope' }));
    expect(wrongToken).toMatchObject({ kind: 'permanent', code: 190 });
  });

  it('never sends the token to a host that is neither Graph nor Meta’s CDN', async () => {
    const error = await failure(
      client.download('https://evil.example.com/steal', { accessToken: fake.accessToken }),
    );
    expect(error.message).toMatch(
      /refusing to send the access token to https:\/\/evil.example.com/,
    );
    await failure(client.download('not a url', { accessToken: fake.accessToken }));
  });
});

describe('answers that are not Graph errors', () => {
  let server: Server;
  let base: string;
  let respond: (res: import('node:http').ServerResponse) => void = () => {};
  beforeAll(async () => {
    server = createServer((_req, res) => respond(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const call = () => createGraphClient({ baseUrl: base }).request({ path: '/1', accessToken: 't' });

  it('an HTML 502 from a proxy is retryable and keeps the start of the body', async () => {
    respond = (res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    };
    const error = await failure(call());
    expect(error).toMatchObject({ kind: 'retryable', code: 502 });
    expect(graphErrorInfo(error)?.body).toBe('<html>Bad Gateway</html>');
  });

  it('a 429 with Retry-After is rate-limited for that long', async () => {
    respond = (res) => {
      res.writeHead(429, { 'retry-after': '120' });
      res.end();
    };
    expect(await failure(call())).toMatchObject({ kind: 'rate-limited', retryAfterMs: 120_000 });
  });

  it('a 2xx that is not JSON is retryable (invalid-response)', async () => {
    respond = (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
    };
    expect(await failure(call())).toMatchObject({ kind: 'retryable', code: 'invalid-response' });
    respond = (res) => {
      res.writeHead(200);
      res.end();
    };
    expect(await failure(call())).toMatchObject({ kind: 'retryable', code: 'invalid-response' });
  });

  it('a connection refused is retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(
      createGraphClient({ baseUrl: `http://127.0.0.1:${port}` }).request({
        path: '/1',
        accessToken: 't',
      }),
    );
    expect(error).toMatchObject({ kind: 'retryable', code: 'network' });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});

describe('settings', () => {
  it('refuses base URLs and versions that cannot work', () => {
    expect(() => createGraphClient({ baseUrl: 'ftp://x' })).toThrow(TypeError);
    expect(() => createGraphClient({ baseUrl: 'nope' })).toThrow(/not an http/);
    expect(() => createGraphClient({ apiVersion: '23' })).toThrow(/vNN.N/);
    expect(() => createGraphClient({ timeoutMs: 0 })).toThrow(/positive/);
  });

  it('builds URLs: trailing slashes dropped, path segments encoded', () => {
    const c = createGraphClient({ baseUrl: 'https://graph.example.com/', apiVersion: 'v24.0' });
    expect(c.url(graphPath('12', 'messages'))).toBe('https://graph.example.com/v24.0/12/messages');
    expect(c.url(graphPath('../me', 'x?y'))).toBe('https://graph.example.com/v24.0/..%2Fme/x%3Fy');
    expect(c.url('/1', { a: 'b c', n: 2, t: true })).toBe(
      'https://graph.example.com/v24.0/1?a=b+c&n=2&t=true',
    );
  });

  it('retryAfterMs reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    const now = Date.UTC(2026, 0, 1);
    expect(retryAfterMs(new Date(now + 5_000).toUTCString(), now)).toBe(5_000);
  });
});
