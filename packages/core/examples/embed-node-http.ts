// Embedding Chatloom in an existing node:http backend (the README shows this file; test/embed.test.ts runs it).
import { createServer } from 'node:http';
import { type ChannelAdapter, createChatloom, createSqliteStore } from '@chatloom/core';

export async function startChatbot(options: {
  adapter: ChannelAdapter;
  filename: string;
  secretKey: string;
  port?: number;
}) {
  const store = createSqliteStore({ filename: options.filename, encryptionKey: options.secretKey });
  await store.migrate();
  const chatloom = createChatloom({ store, adapters: [options.adapter] });
  chatloom.on('message.received', ({ message }) => console.log('received', message.content));

  // POST/GET /webhooks/:platform/:channelId: hand the raw bytes to Chatloom, send back its answer.
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const channelId = /^\/webhooks\/[a-z]+\/([^/]+)$/.exec(url.pathname)?.[1];
    if (!channelId) return void response.writeHead(404).end();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const { status, headers, body } = await chatloom.handleWebhook(channelId, {
        method: request.method ?? 'GET',
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        rawBody: Buffer.concat(chunks),
      });
      response.writeHead(status, headers).end(body);
    });
  });

  await chatloom.start(); // processing, dispatcher and timers run in this process
  await new Promise<void>((resolve) => server.listen(options.port ?? 3000, resolve));
  return {
    chatloom,
    server,
    async stop() {
      server.close();
      await chatloom.stop();
      await store.close();
    },
  };
}
