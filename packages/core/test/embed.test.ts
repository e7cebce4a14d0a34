/** The README's embedding snippet, run for real: HTTP in, a reply out through the adapter. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { startChatbot } from '../examples/embed-node-http.js';
import { createTestAdapter, textEvent } from '../src/testing.js';
import { echoFlow } from './helpers.js';

test('the node:http embedding from the README answers a signed webhook', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatloom-embed-'));
  const adapter = createTestAdapter();
  const app = await startChatbot({
    adapter,
    filename: join(dir, 'chat.db'),
    secretKey: randomBytes(32).toString('hex'),
    port: 0,
  });
  try {
    const tenant = await app.chatloom.createTenant({ name: 'Shop' });
    const channel = await app.chatloom.createChannel({
      tenantId: tenant.id,
      platform: 'test',
      credentials: { appSecret: 's3cret', verifyToken: 'tok' },
    });
    await app.chatloom.saveFlow(tenant.id, echoFlow(), { publish: true });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/webhooks/test/${channel.id}`;

    const handshake = await fetch(
      `${base}?hub.mode=subscribe&hub.verify_token=tok&hub.challenge=42`,
    );
    expect([handshake.status, await handshake.text()]).toEqual([200, '42']);

    const replied = new Promise<void>((resolve) =>
      app.chatloom.on('message.status', () => resolve()),
    );
    const { rawBody, headers } = adapter.webhook(
      [textEvent({ id: 'wamid.1', from: { phone: '15550100' }, text: 'hi' })],
      's3cret',
    );
    const response = await fetch(base, { method: 'POST', headers, body: rawBody });
    expect(response.status).toBe(200);
    await replied;
    expect(adapter.sent.map((s) => s.message)).toEqual([{ kind: 'text', text: 'You said: ' }]);

    const forged = await fetch(base, {
      method: 'POST',
      headers: { 'x-chatloom-signature': `sha256=${'0'.repeat(64)}` },
      body: rawBody,
    });
    expect(forged.status).toBe(401);
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the README shows the embedding file and the adapter interface as they are', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const example = readFileSync(
    new URL('../examples/embed-node-http.ts', import.meta.url),
    'utf8',
  ).trim();
  expect(readme).toContain(example);
  const adapter = readFileSync(new URL('../src/adapter.ts', import.meta.url), 'utf8');
  const start = adapter.indexOf('/** A channel adapter, API version 1.');
  const end = adapter.indexOf('/** An adapter declares an interface version');
  expect(readme).toContain(adapter.slice(start, end).trim());
});
