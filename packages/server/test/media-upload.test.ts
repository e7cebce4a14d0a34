/**
 * Uploading a file to the media gallery, on SQLite and Postgres: stored under the data
 * directory, served at a public unguessable URL under CHATLOOM_PUBLIC_URL (Meta fetches it),
 * type and size checked against WhatsApp's limits, removed with its gallery item, and sent by
 * link through the WhatsApp adapter to the fake Graph API.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeGraphApi, type FakeGraphApi } from '@chatloom/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Actor,
  actorWithRole,
  eventually,
  startServer,
  storeKinds,
  type TestServer,
  whatsappChannelOnFake,
} from './helpers.js';

const appSecret = 'media-upload-secret';
const accessToken = 'media-upload-token';
const publicUrl = 'https://chat.example.test';
// The 8-byte PNG signature and a little more: the server does not decode images.
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('not-really-an-image'),
]);

/** A multipart body built by the platform's FormData, as a browser would send it. */
async function multipart(
  file: { data: Uint8Array; type: string; name: string } | undefined,
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  if (file) form.append('file', new Blob([file.data], { type: file.type }), file.name);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type')!,
  };
}

describe.each(storeKinds)('media upload on $name', (kind) => {
  let t: TestServer;
  let fake: FakeGraphApi;
  let dataDir: string;
  let admin: Actor;
  let agent: Actor;
  let whatsappId: string;

  const upload = async (
    who: Actor,
    file: Parameters<typeof multipart>[0],
    fields?: Record<string, string>,
    server = t.server,
  ) => {
    const body = await multipart(file, fields);
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/media/upload',
      headers: { ...who.headers, 'content-type': body.contentType },
      payload: body.payload,
    });
    return { status: response.statusCode, body: response.json() };
  };
  const call = async (
    who: Actor,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: object,
  ) => {
    const response = await t.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: who.headers,
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    return { status: response.statusCode, body: response.json() };
  };
  const pathOf = (url: string) => url.slice(publicUrl.length);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chatloom-media-'));
    fake = await createFakeGraphApi({ appSecret, accessToken, messagesPerSecond: 0 });
    t = await startServer(kind, { config: { graphApiBaseUrl: fake.url, publicUrl, dataDir } });
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    admin = await actorWithRole(t.server, 'global-admin');
    agent = await actorWithRole(t.server, 'agent', { tenantId: admin.tenantId });
    whatsappId = await whatsappChannelOnFake(t, admin, fake, { accessToken, appSecret });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('an uploaded image is a gallery item served at its public URL; a wrong token is 404', async () => {
    const created = await upload(
      admin,
      { data: png, type: 'image/png', name: '../../etc/Pizza menu.png' },
      { caption: 'Our pizza' },
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      kind: 'image',
      url: expect.stringMatching(
        new RegExp(`^${publicUrl}/media-files/${created.body.id}/[A-Za-z0-9_-]{32}$`),
      ),
      name: 'Pizza menu.png',
      filename: 'Pizza menu.png',
      caption: 'Our pizza',
      createdAt: expect.any(Number),
    });
    // One file per media id, named by the id, never by the client's name.
    expect(readdirSync(join(dataDir, 'media')).sort()).toEqual(
      [created.body.id, `${created.body.id}.json`].sort(),
    );
    const list = await call(agent, 'GET', '/media');
    expect(list.body.map((m: { id: string }) => m.id)).toContain(created.body.id);

    // Public: no credentials, the same bytes, the type, cacheable.
    const file = await t.server.inject({ method: 'GET', url: pathOf(created.body.url) });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(file.rawPayload.equals(png)).toBe(true);

    const token = created.body.url.split('/').pop() as string;
    const wrongToken = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [
      `/media-files/${created.body.id}/${wrongToken}`,
      `/media-files/${created.body.id}/short`,
      `/media-files/..%2F..%2Fsecret.key/${token}`,
    ]) {
      const refused = await t.server.inject({ method: 'GET', url: path });
      expect(refused.statusCode, path).toBe(404);
      expect(refused.json().message).toBe('Media file not found');
    }
  });

  test('the name defaults to the file name and can be given; documents keep their file name', async () => {
    const pdf = await upload(
      admin,
      { data: Buffer.from('%PDF-1.4 menu'), type: 'application/pdf', name: 'menu.pdf' },
      { name: 'Spring menu' },
    );
    expect(pdf.status).toBe(201);
    expect(pdf.body).toMatchObject({
      kind: 'document',
      name: 'Spring menu',
      filename: 'menu.pdf',
      caption: null,
    });
    const voice = await upload(admin, {
      data: Buffer.from('OggS'),
      type: 'audio/ogg; codecs=opus',
      name: 'hello.ogg',
    });
    expect(voice.body).toMatchObject({ kind: 'audio', name: 'hello.ogg' });
    const served = await t.server.inject({ method: 'GET', url: pathOf(voice.body.url) });
    expect(served.headers['content-type']).toBe('audio/ogg');
  });

  test('types WhatsApp cannot send are 415, files over its limits 413, bad forms 400', async () => {
    const html = await upload(admin, {
      data: Buffer.from('<script>'),
      type: 'text/html',
      name: 'x.html',
    });
    expect(html.status).toBe(415);
    expect(html.body.message).toMatch(
      /^"text\/html" files can't be sent; upload an image \(JPEG, PNG\)/,
    );

    const big = await upload(admin, {
      data: Buffer.alloc(5 * 1024 * 1024 + 1, 1),
      type: 'image/jpeg',
      name: 'big.jpg',
    });
    expect(big.status).toBe(413);
    expect(big.body.message).toBe("The image is larger than 5 MB, WhatsApp's limit for images");
    // The same size is fine for a video (16 MB).
    const video = await upload(admin, {
      data: Buffer.alloc(5 * 1024 * 1024 + 1, 1),
      type: 'video/mp4',
      name: 'clip.mp4',
    });
    expect(video.status).toBe(201);

    const none = await upload(admin, undefined, { name: 'Nothing' });
    expect(none.status).toBe(400);
    expect(none.body.message).toBe('No file: send it in the "file" field');
    const empty = await upload(admin, { data: new Uint8Array(), type: 'image/png', name: 'e.png' });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toBe('The file is empty');
    const json = await call(admin, 'POST', '/media/upload', { url: 'https://example.com/a.png' });
    expect(json.status).toBe(415);
    expect(json.body.message).toBe(
      'Send the upload as multipart/form-data with the file in "file"',
    );
    // Nothing refused was left behind.
    const ids = (await call(admin, 'GET', '/media')).body.map((m: { id: string }) => m.id);
    const files = readdirSync(join(dataDir, 'media')).filter((f) => !f.endsWith('.json'));
    expect(files.sort()).toEqual(ids.filter((id: string) => files.includes(id)).sort());
    expect(files.every((f) => ids.includes(f))).toBe(true);
  });

  test('over real HTTP, a file over the limit gets its 413 and the connection is not left hanging', async () => {
    const { port } = t.server.server.address() as AddressInfo;
    const form = new FormData();
    form.append(
      'file',
      new Blob([Buffer.alloc(12 * 1024 * 1024, 1)], { type: 'image/png' }),
      'huge.png',
    );
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/media/upload`, {
      method: 'POST',
      headers: admin.headers,
      body: form,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { message: string }).message).toBe(
      "The image is larger than 5 MB, WhatsApp's limit for images",
    );
  });

  test('uploading is for media managers; another tenant neither lists nor deletes the item', async () => {
    const refused = await upload(agent, { data: png, type: 'image/png', name: 'a.png' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('Your role does not allow "media.manage"');

    const created = await upload(admin, { data: png, type: 'image/png', name: 'mine.png' });
    const stranger = await actorWithRole(t.server, 'global-admin');
    const theirs = await call(stranger, 'GET', '/media');
    expect(theirs.body.map((m: { id: string }) => m.id)).not.toContain(created.body.id);
    expect((await call(stranger, 'DELETE', `/media/${created.body.id}`)).status).toBe(404);
    expect(existsSync(join(dataDir, 'media', created.body.id))).toBe(true);

    // Deleting the item removes its file; the URL stops working.
    expect((await call(admin, 'DELETE', `/media/${created.body.id}`)).status).toBe(200);
    expect(existsSync(join(dataDir, 'media', created.body.id))).toBe(false);
    expect(existsSync(join(dataDir, 'media', `${created.body.id}.json`))).toBe(false);
    const gone = await t.server.inject({ method: 'GET', url: pathOf(created.body.url) });
    expect(gone.statusCode).toBe(404);
  });

  test('sending an uploaded image on WhatsApp posts an image message linking its public URL', async () => {
    await fake.whatsapp.userSends({ from: '15550009876', text: 'Send me the menu' });
    const conversation = await eventually(async () => {
      const page = await call(agent, 'GET', `/conversations?channelId=${whatsappId}`);
      return page.body.items[0] as { id: string } | undefined;
    });
    const image = await upload(admin, { data: png, type: 'image/png', name: 'menu.png' });
    const sent = await call(agent, 'POST', `/conversations/${conversation.id}/messages`, {
      mediaId: image.body.id,
      caption: 'Today *only*',
    });
    expect(sent.status).toBe(201);
    const message = await eventually(() => fake.sent({ channel: 'whatsapp', type: 'image' })[0]);
    expect(message.to).toBe('15550009876');
    expect(message.body).toMatchObject({
      type: 'image',
      image: { link: image.body.url, caption: 'Today *only*' },
    });
  });

  test('without CHATLOOM_PUBLIC_URL an upload is refused, saying to set it', async () => {
    const bare = await startServer(kind, { workers: false, config: { dataDir } });
    try {
      const who = await actorWithRole(bare.server, 'global-admin');
      const refused = await upload(
        who,
        { data: png, type: 'image/png', name: 'a.png' },
        {},
        bare.server,
      );
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(
        /^Uploading needs CHATLOOM_PUBLIC_URL: Meta fetches uploaded media from this server by link/,
      );
    } finally {
      await bare.close();
    }
  });
});
