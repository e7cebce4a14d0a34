import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGraphApi, type FakeGraphApi } from './index.js';
import { graph, sendWhatsApp, waMessage } from './test-helpers.js';

let fake: FakeGraphApi;
const text = waMessage('text', { body: 'hi' });

beforeAll(async () => {
  fake = await createFakeGraphApi({ appSecret: 's', accessToken: 'token' });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.whatsapp.openWindow('15555550101');
});

describe('fault injection', () => {
  it('answers 5xx with Meta’s transient error for `times` requests, then recovers', async () => {
    const fault = fake.inject({ status5xx: 503, times: 2, match: '/messages' });
    for (let i = 0; i < 2; i++) {
      const answer = await sendWhatsApp(fake, text);
      expect(answer.status).toBe(503);
      expect(answer.body.error).toMatchObject({
        code: 2,
        is_transient: true,
        type: 'OAuthException',
      });
    }
    expect(fault).toMatchObject({ hits: 2, remaining: 0 });
    expect((await sendWhatsApp(fake, text)).status).toBe(200);
    expect(fake.sent()).toHaveLength(1);
    expect(fake.requests.filter((r) => r.injected === true)).toHaveLength(2);
    expect(fake.requests[0]).toMatchObject({
      injected: true,
      status: 503,
      accepted: false,
      errorCode: 2,
    });
  });

  it('answers a chosen Meta error, only on matching requests', async () => {
    fake.inject({
      error: { code: 131056, details: 'pair rate limit' },
      match: (r) => r.method === 'POST',
    });
    expect((await graph(fake, 'GET', '/200000000000002')).status).toBe(200);
    const answer = await sendWhatsApp(fake, text);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 131056,
      error_data: { details: 'pair rate limit' },
    });
    fake.inject({
      error: {
        code: 190,
        status: 401,
        message: 'Error validating access token: Session has expired',
      },
      match: /\/v\d+\.\d+\/\d+$/,
    });
    const expired = await graph(fake, 'GET', '/200000000000002');
    expect(expired.status).toBe(401);
    expect(expired.body.error?.message).toBe('Error validating access token: Session has expired');
  });

  it('delays answers by latencyMs and then handles them normally', async () => {
    fake.inject({ latencyMs: 150 });
    const started = performance.now();
    const answer = await sendWhatsApp(fake, text);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(answer.status).toBe(200);
  });

  it('never answers on timeout; the client gives up', async () => {
    fake.inject({ timeout: true });
    const request = fetch(`${fake.url}/v23.0/200000000000002/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer token', 'content-type': 'application/json' },
      body: JSON.stringify(text),
      signal: AbortSignal.timeout(200),
    });
    await expect(request).rejects.toThrow(/timeout|aborted/i);
    expect(fake.requests.at(-1)).toMatchObject({ injected: true, status: 0 });
    expect(fake.sent()).toHaveLength(0);
    expect((await sendWhatsApp(fake, text)).status).toBe(200);
  });

  it('drops the connection', async () => {
    fake.inject({ dropConnection: true, times: Number.POSITIVE_INFINITY, match: '/messages' });
    await expect(sendWhatsApp(fake, text)).rejects.toThrow(/fetch failed|socket|terminated/i);
    await expect(sendWhatsApp(fake, text)).rejects.toThrow();
    expect(fake.sent()).toHaveLength(0);
    fake.clearFaults();
    expect((await sendWhatsApp(fake, text)).status).toBe(200);
  });

  it('can lose the answer after accepting the message (the ambiguous case)', async () => {
    fake.inject({ dropConnection: true, afterHandling: true });
    await expect(sendWhatsApp(fake, text)).rejects.toThrow();
    expect(fake.sent()).toHaveLength(1);
    expect(fake.requests.at(-1)).toMatchObject({ injected: true, status: 0 });
  });

  it('removes a fault through its handle, and reset() clears all', async () => {
    const handle = fake.inject({ status5xx: true, times: 5 });
    handle.remove();
    expect((await sendWhatsApp(fake, text)).status).toBe(200);
    fake.inject({ status5xx: true, times: 5 });
    fake.reset();
    fake.whatsapp.openWindow('15555550101');
    expect((await sendWhatsApp(fake, text)).status).toBe(200);
  });
});

describe('recording', () => {
  it('records method, path, query, headers, parsed body, answer and time; stats count everything', async () => {
    await graph(fake, 'GET', '/200000000000002?fields=id');
    await sendWhatsApp(fake, { ...text, to: 'not-a-number' });
    const [check, rejected] = fake.requests;
    expect(check).toMatchObject({
      seq: expect.any(Number),
      method: 'GET',
      path: '/v23.0/200000000000002',
      query: { fields: 'id' },
      status: 200,
      accepted: true,
      response: { id: '200000000000002' },
      channel: 'whatsapp',
      at: expect.any(Number),
    });
    expect(check?.headers.authorization).toBe('Bearer token');
    expect(rejected).toMatchObject({
      body: { to: 'not-a-number' },
      status: 400,
      accepted: false,
      errorCode: 100,
    });
    expect(fake.stats()).toMatchObject({
      requests: 2,
      accepted: 1,
      rejected: 1,
      sent: { whatsapp: 0 },
    });
  });

  it('keeps only the last maxRecorded requests', async () => {
    const small = await createFakeGraphApi({ appSecret: 's', accessToken: 't', maxRecorded: 3 });
    try {
      for (let i = 0; i < 5; i++) await graph(small, 'GET', `/200000000000002?fields=id&i=${i}`);
      expect(small.requests.map((r) => r.query.i)).toEqual(['2', '3', '4']);
      expect(small.stats().requests).toBe(5);
    } finally {
      await small.close();
    }
  });
});
