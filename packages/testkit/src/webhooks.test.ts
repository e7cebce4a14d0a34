import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGraphApi, type FakeGraphApi } from './index.js';
import { buttons, list, sendWhatsApp, waMessage } from './test-helpers.js';

const appSecret = 'test-app-secret';
const instagramSecret = 'test-instagram-secret';
const fixtures = new URL('../../../../shared/reference/fixtures/', import.meta.url);
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));

/** What the test's own callback server saw. */
interface Hit {
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

// A small callback server of the test's own, so nothing of the package checks itself.
let server: Server;
let callbackUrl: string;
const hits: Hit[] = [];
let answerStatus = 200;
let fake: FakeGraphApi;
let now = Date.UTC(2026, 0, 5, 12, 0, 0, 123);

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(answerStatus).end(answerStatus === 200 ? 'EVENT_RECEIVED' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  fake = await createFakeGraphApi({
    appSecret,
    accessToken: 'test-token',
    webhookUrl: callbackUrl,
    now: () => now,
    instagram: { appSecret: instagramSecret },
  });
});
afterAll(async () => {
  await fake.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  fake.reset();
  hits.length = 0;
  answerStatus = 200;
});

function verify(hit: Hit, secret: string): boolean {
  const header = hit.headers['x-hub-signature-256'];
  const expected = `sha256=${createHmac('sha256', secret).update(hit.raw).digest('hex')}`;
  return (
    typeof header === 'string' &&
    header.length === expected.length &&
    timingSafeEqual(Buffer.from(header), Buffer.from(expected))
  );
}

function lastHit(): Hit {
  const hit = hits.at(-1);
  if (hit === undefined) throw new Error('no webhook arrived');
  return hit;
}

describe('signed webhooks reach a real callback server', () => {
  it('signs the exact bytes with the app secret and escapes like Meta', async () => {
    const text = 'Olá! Preço: 5€ 👋 — see https://example.com/a/b';
    const result = await fake.whatsapp.userSends({ from: '+15555550101', text, name: 'Zoë' });
    expect(result.delivered).toBe(true);
    expect(result.status).toBe(200);
    expect(result.responseBody).toBe('EVENT_RECEIVED');
    const hit = lastHit();
    expect(verify(hit, appSecret)).toBe(true);
    expect(verify(hit, 'another-secret')).toBe(false);
    expect(hit.headers['content-type']).toBe('application/json');
    expect(hit.headers['x-hub-signature']).toBe(
      `sha1=${createHmac('sha1', appSecret).update(hit.raw).digest('hex')}`,
    );
    const raw = hit.raw.toString('latin1');
    // Pure ASCII on the wire: non-ASCII as lowercase \uXXXX (emoji as a surrogate pair), / as \/.
    expect(/^[\x20-\x7e]*$/.test(raw)).toBe(true);
    expect(raw).toContain(
      'Ol\\u00e1! Pre\\u00e7o: 5\\u20ac \\ud83d\\udc4b \\u2014 see https:\\/\\/example.com\\/a\\/b',
    );
    expect(raw).toContain('"name":"Zo\\u00eb"');
    expect(raw).not.toMatch(/\\u[0-9a-f]*[A-F]/);
    expect(raw).not.toContain(' "');
    expect(hit.raw.toString('utf8')).toBe(result.rawBody);
    const parsed = JSON.parse(raw) as {
      entry: Array<{ changes: Array<{ value: { messages: Array<{ text: { body: string } }> } }> }>;
    };
    expect(parsed.entry[0]?.changes[0]?.value.messages[0]?.text.body).toBe(text);
  });

  it('builds the WhatsApp text webhook exactly in the fixture’s shape', async () => {
    const expected = fixture('whatsapp-text.json') as {
      entry: Array<{ changes: Array<{ value: { messages: Array<Record<string, unknown>> } }> }>;
    };
    const message = expected.entry[0]?.changes[0]?.value.messages[0] ?? {};
    const result = await fake.whatsapp.userSends({
      from: '15555550101',
      userId: 'US.1000000000000000001',
      text: String((message.text as { body: string }).body),
      id: String(message.id),
      timestamp: Number(message.timestamp) * 1000,
    });
    expect(JSON.parse(lastHit().raw.toString())).toEqual(expected);
    expect(result.payload).toEqual(expected);
  });

  it('builds button and list replies like the fixtures, with the context of the last message sent', async () => {
    fake.whatsapp.openWindow('15555550101');
    const sent = await sendWhatsApp(fake, waMessage('interactive', buttons(2)));
    const wamid = (sent.body.messages as Array<{ id: string }>)[0]?.id ?? '';
    const expected = fixture('whatsapp-button-reply.json') as {
      entry: Array<{
        changes: Array<{
          value: { messages: Array<{ context: { id: string }; id: string; timestamp: string }> };
        }>;
      }>;
    };
    const message = expected.entry[0]?.changes[0]?.value.messages[0];
    if (message === undefined) throw new Error('fixture');
    message.context.id = wamid;
    await fake.whatsapp.userSends({
      from: '15555550101',
      buttonReply: { id: 'confirm_order', title: 'Confirm' },
      id: message.id,
      timestamp: Number(message.timestamp) * 1000,
    });
    expect(JSON.parse(lastHit().raw.toString())).toEqual(expected);

    const listFixture = fixture('whatsapp-list-reply.json') as typeof expected;
    const listMessage = listFixture.entry[0]?.changes[0]?.value.messages[0];
    if (listMessage === undefined) throw new Error('fixture');
    await sendWhatsApp(fake, waMessage('interactive', list([2])));
    await fake.whatsapp.userSends({
      from: '15555550101',
      userId: 'US.1000000000000000001',
      listReply: {
        id: 'ship_express',
        title: 'Express shipping',
        description: 'Next day, fee applies',
      },
      context: { id: listMessage.context.id },
      id: listMessage.id,
      timestamp: Number(listMessage.timestamp) * 1000,
    });
    expect(JSON.parse(lastHit().raw.toString())).toEqual(listFixture);
  });

  it('sends a failed status like the fixture, and sent → delivered → read', async () => {
    fake.whatsapp.openWindow('15555550101');
    const sent = await sendWhatsApp(fake, waMessage('text', { body: 'hi' }));
    const wamid = (sent.body.messages as Array<{ id: string }>)[0]?.id ?? '';
    const expected = fixture('whatsapp-status-failed.json') as {
      entry: Array<{
        changes: Array<{ value: { statuses: Array<{ id: string; timestamp: string }> } }>;
      }>;
    };
    const status = expected.entry[0]?.changes[0]?.value.statuses[0];
    if (status === undefined) throw new Error('fixture');
    status.id = wamid;
    now = Number(status.timestamp) * 1000;
    await fake.whatsapp.sendStatus(wamid, 'failed', {
      code: 131047,
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    });
    expect(JSON.parse(lastHit().raw.toString())).toEqual(expected);

    const statuses = [];
    for (const s of ['sent', 'delivered', 'read'] as const) {
      await fake.whatsapp.sendStatus(wamid, s);
      const body = JSON.parse(lastHit().raw.toString()) as typeof expected;
      statuses.push(body.entry[0]?.changes[0]?.value.statuses[0]);
    }
    expect(statuses).toEqual([
      expect.objectContaining({
        status: 'sent',
        recipient_id: '15555550101',
        pricing: expect.objectContaining({ category: 'service' }),
      }),
      expect.objectContaining({ status: 'delivered' }),
      expect.not.objectContaining({ pricing: expect.anything() }),
    ]);
  });

  it('sends statuses on its own when autoStatuses is on, in order, echoing biz_opaque_callback_data', async () => {
    const auto = await createFakeGraphApi({
      appSecret,
      accessToken: 'test-token',
      webhookUrl: callbackUrl,
      whatsapp: { autoStatuses: { delivered: true, read: true } },
    });
    try {
      auto.whatsapp.openWindow('15555550101');
      await sendWhatsApp(auto, {
        ...waMessage('text', { body: 'hi' }),
        biz_opaque_callback_data: 'order-7',
      });
      await auto.idle();
      const statuses = hits.map((h) => {
        const body = JSON.parse(h.raw.toString()) as {
          entry: Array<{
            changes: Array<{
              value: { statuses: Array<{ status: string; biz_opaque_callback_data: string }> };
            }>;
          }>;
        };
        return body.entry[0]?.changes[0]?.value.statuses[0];
      });
      expect(statuses.map((s) => s?.status)).toEqual(['sent', 'delivered', 'read']);
      expect(statuses.every((s) => s?.biz_opaque_callback_data === 'order-7')).toBe(true);
      expect(hits.every((h) => verify(h, appSecret))).toBe(true);
    } finally {
      await auto.close();
    }
  });

  it('in windowErrors "async" mode accepts, then reports 131047 in a failed status webhook', async () => {
    const lenient = await createFakeGraphApi({
      appSecret,
      accessToken: 'test-token',
      webhookUrl: callbackUrl,
      whatsapp: { windowErrors: 'async' },
    });
    try {
      const answer = await sendWhatsApp(lenient, waMessage('text', { body: 'too late' }));
      expect(answer.status).toBe(200);
      await lenient.idle();
      const body = JSON.parse(lastHit().raw.toString()) as {
        entry: Array<{
          changes: Array<{
            value: { statuses: Array<{ status: string; errors: Array<{ code: number }> }> };
          }>;
        }>;
      };
      const status = body.entry[0]?.changes[0]?.value.statuses[0];
      expect(status?.status).toBe('failed');
      expect(status?.errors[0]?.code).toBe(131047);
    } finally {
      await lenient.close();
    }
  });

  it('sends template status updates like the fixture', async () => {
    const expected = fixture('whatsapp-template-status.json') as {
      entry: Array<{ time: number; changes: Array<{ value: { message_template_id: number } }> }>;
    };
    const entry = expected.entry[0];
    if (entry === undefined) throw new Error('fixture');
    const template = fake.templates.add({ name: 'order_update_test', status: 'PENDING' });
    entry.changes[0] = {
      ...entry.changes[0],
      value: { ...entry.changes[0]?.value, message_template_id: Number(template.id) },
    } as (typeof entry.changes)[0];
    now = entry.time * 1000;
    await fake.templates.reject('order_update_test', 'INVALID_FORMAT', {
      rejectionInfo: {
        reason: 'Two variables are placed next to each other without text between them.',
        recommendation: 'Put descriptive text between the variables.',
      },
    });
    expect(JSON.parse(lastHit().raw.toString())).toEqual(expected);
  });

  it('builds Messenger text, quick-reply and postback events like the fixtures', async () => {
    for (const [name, build] of [
      ['messenger-text.json', (m: Record<string, unknown>) => ({ text: String(m.text) })],
      [
        'messenger-quick-reply.json',
        (m: Record<string, unknown>) => ({
          quickReply: {
            title: String(m.text),
            payload: (m.quick_reply as { payload: string }).payload,
          },
        }),
      ],
    ] as const) {
      const expected = fixture(name) as {
        entry: Array<{
          time: number;
          messaging: Array<{
            sender: { id: string };
            timestamp: number;
            message: Record<string, unknown>;
          }>;
        }>;
      };
      const entry = expected.entry[0];
      const event = entry?.messaging[0];
      if (entry === undefined || event === undefined) throw new Error('fixture');
      entry.time = event.timestamp;
      await fake.messenger.userSends({
        psid: event.sender.id,
        mid: String(event.message.mid),
        timestamp: event.timestamp,
        ...build(event.message),
      });
      expect(JSON.parse(lastHit().raw.toString())).toEqual(expected);
      expect(verify(lastHit(), appSecret)).toBe(true);
    }
    const postback = fixture('messenger-postback.json') as {
      entry: Array<{
        time: number;
        messaging: Array<{
          sender: { id: string };
          timestamp: number;
          postback: { mid: string; title: string; payload: string };
        }>;
      }>;
    };
    const entry = postback.entry[0];
    const event = entry?.messaging[0];
    if (entry === undefined || event === undefined) throw new Error('fixture');
    entry.time = event.timestamp;
    await fake.messenger.userSends({
      psid: event.sender.id,
      mid: event.postback.mid,
      timestamp: event.timestamp,
      postback: { title: event.postback.title, payload: event.postback.payload },
    });
    expect(JSON.parse(lastHit().raw.toString())).toEqual(postback);
  });

  it('builds Instagram events like the fixture, signed with the Instagram secret', async () => {
    const expected = fixture('instagram-text.json') as {
      entry: Array<{
        time: number;
        messaging: Array<{
          sender: { id: string };
          timestamp: number;
          message: { mid: string; text: string };
        }>;
      }>;
    };
    const entry = expected.entry[0];
    const event = entry?.messaging[0];
    if (entry === undefined || event === undefined) throw new Error('fixture');
    entry.time = event.timestamp;
    await fake.instagram.userSends({
      igsid: event.sender.id,
      mid: event.message.mid,
      timestamp: event.timestamp,
      text: event.message.text,
    });
    const hit = lastHit();
    expect(JSON.parse(hit.raw.toString())).toEqual(expected);
    expect(verify(hit, instagramSecret)).toBe(true);
    expect(verify(hit, appSecret)).toBe(false);
    await fake.instagram.sendSeen(event.sender.id, 'ig_mid.out');
    expect(JSON.parse(lastHit().raw.toString())).toMatchObject({
      object: 'instagram',
      entry: [{ messaging: [{ read: { mid: 'ig_mid.out' } }] }],
    });
  });

  it('sends Messenger delivery and read watermarks', async () => {
    await fake.messenger.sendDelivery('400000000000012', {
      mids: ['m_1'],
      watermark: 1717000000000,
    });
    expect(JSON.parse(lastHit().raw.toString())).toMatchObject({
      object: 'page',
      entry: [{ messaging: [{ delivery: { mids: ['m_1'], watermark: 1717000000000 } }] }],
    });
    await fake.messenger.sendRead('400000000000012', { watermark: 1717000000001 });
    expect(JSON.parse(lastHit().raw.toString())).toMatchObject({
      entry: [{ messaging: [{ read: { watermark: 1717000000001 } }] }],
    });
  });

  it('reports what the callback answered, and routes per channel and per ID', async () => {
    answerStatus = 500;
    const failed = await fake.whatsapp.userSends({ from: '15555550101', text: 'x' });
    expect(failed).toMatchObject({ delivered: true, status: 500, responseBody: 'nope' });
    answerStatus = 200;
    fake.setWebhookUrl('http://127.0.0.1:9/unreachable', { channel: 'messenger' });
    const unreachable = await fake.messenger.userSends({ psid: '1', text: 'x' });
    expect(unreachable.delivered).toBe(false);
    expect(unreachable.error).toBeDefined();
    fake.setWebhookUrl(`${callbackUrl}/page`, { id: '300000000000011' });
    await fake.messenger.userSends({ psid: '1', text: 'x' });
    expect(fake.stats().webhooks).toEqual({ delivered: 2, failed: 1 });
    fake.setWebhookUrl(undefined, { id: '300000000000011' });
    fake.setWebhookUrl(undefined, { channel: 'messenger' });
    fake.setWebhookUrl(undefined);
    const nowhere = await fake.whatsapp.userSends({ from: '15555550101', text: 'x' });
    expect(nowhere).toMatchObject({
      delivered: false,
      status: 0,
      error: expect.stringContaining('no webhook URL'),
    });
    fake.setWebhookUrl(callbackUrl);
  });
});
