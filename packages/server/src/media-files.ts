/**
 * Uploaded media files: operators upload a file (multipart) and the server keeps it under its
 * data directory, one file per media id. The gallery row's `url` is a public, unguessable
 * address on this server (`<CHATLOOM_PUBLIC_URL>/media-files/<id>/<token>`) because platform
 * adapters send media by link and Meta fetches the link itself, without our credentials.
 *
 * The token is an HMAC of the id with the server key, so nothing new is stored in the database
 * and a guessed or listed id alone does not reveal the file. The MIME type and size are kept
 * next to the bytes (`<id>.json`) to serve the file with the right headers.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import type { MediaTable } from './database.js';
import { HttpError, notFound } from './http.js';
import type { App } from './server.js';

type MediaKind = MediaTable['kind'];
const MB = 1024 * 1024;

/**
 * What WhatsApp takes, and how big (Cloud API "supported media types"; the testkit's fake
 * refuses the same). Messenger and Instagram take at least these at these sizes or more.
 */
const uploadTypes: Record<string, { kind: MediaKind; maxBytes: number; label: string }> = {
  'image/jpeg': { kind: 'image', maxBytes: 5 * MB, label: 'JPEG' },
  'image/png': { kind: 'image', maxBytes: 5 * MB, label: 'PNG' },
  'video/mp4': { kind: 'video', maxBytes: 16 * MB, label: 'MP4' },
  'video/3gpp': { kind: 'video', maxBytes: 16 * MB, label: '3GP' },
  'audio/aac': { kind: 'audio', maxBytes: 16 * MB, label: 'AAC' },
  'audio/amr': { kind: 'audio', maxBytes: 16 * MB, label: 'AMR' },
  'audio/mpeg': { kind: 'audio', maxBytes: 16 * MB, label: 'MP3' },
  'audio/mp4': { kind: 'audio', maxBytes: 16 * MB, label: 'M4A' },
  'audio/ogg': { kind: 'audio', maxBytes: 16 * MB, label: 'OGG' },
  'text/plain': { kind: 'document', maxBytes: 100 * MB, label: 'TXT' },
  'application/pdf': { kind: 'document', maxBytes: 100 * MB, label: 'PDF' },
  'application/msword': { kind: 'document', maxBytes: 100 * MB, label: 'Word' },
  'application/vnd.ms-excel': { kind: 'document', maxBytes: 100 * MB, label: 'Excel' },
  'application/vnd.ms-powerpoint': { kind: 'document', maxBytes: 100 * MB, label: 'PowerPoint' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    kind: 'document',
    maxBytes: 100 * MB,
    label: 'Word',
  },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
    kind: 'document',
    maxBytes: 100 * MB,
    label: 'Excel',
  },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': {
    kind: 'document',
    maxBytes: 100 * MB,
    label: 'PowerPoint',
  },
};

/** The MIME types an upload may have (for clients' `accept`). */
export const uploadMimeTypes = Object.keys(uploadTypes);
const largestUpload = Math.max(...Object.values(uploadTypes).map((t) => t.maxBytes));

const labelsOf = (kind: MediaKind) => [
  ...new Set(
    Object.values(uploadTypes)
      .filter((t) => t.kind === kind)
      .map((t) => t.label),
  ),
];
const supported = `an image (${labelsOf('image').join(', ')}), a video (${labelsOf('video').join(', ')}), audio (${labelsOf('audio').join(', ')}) or a document (${labelsOf('document').join(', ')})`;

/** Multipart limits: one file, a few short fields; a file's own limit is checked per kind. */
export const multipartLimits = {
  files: 1,
  fields: 5,
  fieldSize: 4096,
  parts: 8,
  // One byte over the largest kind's limit, so our own per-kind check (with its clear
  // message) is the one that fires.
  fileSize: largestUpload + 1,
};

const idPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const mediaDir = (config: ServerConfig) => join(config.dataDir, 'media');

/** The secret part of a file's public path. */
function fileToken(secretKey: string, id: string): string {
  return createHmac('sha256', secretKey)
    .update(`media-file:${id}`)
    .digest('base64url')
    .slice(0, 32);
}

interface StoredFile {
  mimeType: string;
  size: number;
  filename: string | null;
}

/** What an upload request carried, with the file already stored under its new media id. */
export interface ReceivedUpload {
  row: Omit<MediaTable, 'tenant_id' | 'created_at'>;
  /** Removes the stored file (when the row could not be recorded). */
  discard(): Promise<void>;
}

/** A client's file name, cut to its last path segment, printable and at most 240 characters. */
function cleanFilename(name: string | undefined): string | null {
  const base = (name ?? '')
    .split(/[/\\]/)
    .pop()!
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim();
  return base === '' ? null : base.slice(0, 240);
}

const formatMb = (bytes: number) => `${Number((bytes / MB).toFixed(1))} MB`;

/**
 * Reads a multipart upload (`file`, optional `name` and `caption`), checks its type and size
 * against WhatsApp's limits, and stores it. Throws `HttpError`s naming what is wrong.
 */
export async function receiveUpload(
  request: FastifyRequest,
  config: ServerConfig,
): Promise<ReceivedUpload> {
  const publicUrl = config.publicUrl;
  if (!publicUrl)
    throw new HttpError(
      409,
      'Uploading needs CHATLOOM_PUBLIC_URL: Meta fetches uploaded media from this server by link, so set CHATLOOM_PUBLIC_URL to the address it is reachable at (like https://chat.example.com), or add media by a public URL instead',
    );
  if (!request.isMultipart())
    throw new HttpError(415, 'Send the upload as multipart/form-data with the file in "file"');

  const id = randomUUID();
  const dir = mediaDir(config);
  const partial = join(dir, `${id}.upload`);
  const fields: { name?: string; caption?: string } = {};
  let file: (StoredFile & { kind: MediaKind }) | undefined;
  const discard = async () => {
    await rm(partial, { force: true });
    await removeStoredFile(config, id);
  };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.fieldname !== 'name' && part.fieldname !== 'caption')
          throw new HttpError(
            400,
            `Unknown field "${part.fieldname}"; send file, name and caption`,
          );
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file')
        throw new HttpError(400, `Send the file in the "file" field (got "${part.fieldname}")`);
      await mkdir(dir, { recursive: true });
      file = await storePart(part, partial);
    }
  } catch (error) {
    await discard();
    throw friendlyMultipartError(error);
  }
  if (!file) throw new HttpError(400, 'No file: send it in the "file" field');

  const name = (fields.name?.trim() || file.filename || 'Upload').slice(0, 200);
  const caption = fields.caption?.trim() || null;
  if (caption !== null && caption.length > 1024) {
    await discard();
    throw new HttpError(400, `caption is ${caption.length} characters; the limit is 1024`);
  }
  const meta: StoredFile = { mimeType: file.mimeType, size: file.size, filename: file.filename };
  await rename(partial, join(dir, id));
  await writeFile(join(dir, `${id}.json`), JSON.stringify(meta));
  return {
    row: {
      id,
      kind: file.kind,
      url: `${publicUrl}/media-files/${id}/${fileToken(config.secretKey, id)}`,
      name,
      filename: file.filename,
      caption,
    },
    discard,
  };
}

/** Writes one file part to `path`, refusing types and sizes WhatsApp would refuse. */
async function storePart(part: Multipart & { type: 'file' }, path: string) {
  const mimeType = part.mimetype.split(';')[0]!.trim().toLowerCase();
  const type = uploadTypes[mimeType];
  if (!type) {
    part.file.resume();
    throw new HttpError(415, `"${mimeType || 'unknown'}" files can't be sent; upload ${supported}`);
  }
  const handle = await open(path, 'w');
  let size = 0;
  try {
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > type.maxBytes) {
        part.file.resume();
        throw new HttpError(
          413,
          `The ${type.kind} is larger than ${formatMb(type.maxBytes)}, WhatsApp's limit for ${type.kind === 'audio' ? 'audio' : `${type.kind}s`}`,
        );
      }
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
  if (size === 0) throw new HttpError(400, 'The file is empty');
  return { kind: type.kind, mimeType, size, filename: cleanFilename(part.filename) };
}

/** Multipart's own errors, said plainly. */
function friendlyMultipartError(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_FILES_LIMIT') return new HttpError(400, 'Send one file per upload');
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT')
    return new HttpError(400, 'Too many fields; send file, name and caption');
  if (code === 'FST_REQ_FILE_TOO_LARGE')
    return new HttpError(413, `The file is larger than ${formatMb(largestUpload)}`);
  return error;
}

async function removeStoredFile(config: ServerConfig, id: string): Promise<void> {
  if (!idPattern.test(id)) return;
  const dir = mediaDir(config);
  await rm(join(dir, id), { force: true });
  await rm(join(dir, `${id}.json`), { force: true });
}

/** Removes a gallery item's uploaded file, if it has one (items added by URL have none). */
export const removeMediaFile = (context: ServerContext, id: string) =>
  removeStoredFile(context.config, id);

/**
 * `GET /media-files/:id/:token`: an uploaded file, for Meta's fetchers and the browser. Public
 * by design (Meta can't sign in); the token makes the address unguessable. Files never change
 * under an id, so they may be cached for long.
 */
export async function mediaFileRoutes(app: App, context: ServerContext): Promise<void> {
  app.get(
    '/media-files/:id/:token',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['media'],
        summary:
          "An uploaded media file, at the unguessable address in its gallery item's url (no sign-in: Meta fetches it)",
        params: Type.Object({
          id: Type.String({ maxLength: 100 }),
          token: Type.String({ maxLength: 100 }),
        }),
      },
    },
    async (request, reply) => {
      const { id, token } = request.params;
      const missing = notFound('Media file');
      if (!idPattern.test(id)) throw missing;
      const expected = Buffer.from(fileToken(context.config.secretKey, id));
      const given = Buffer.from(token);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw missing;
      const dir = mediaDir(context.config);
      let meta: StoredFile;
      try {
        meta = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as StoredFile;
      } catch {
        throw missing;
      }
      const disposition = meta.filename
        ? `inline; filename*=UTF-8''${encodeURIComponent(meta.filename)}`
        : 'inline';
      // Served on our origin: nothing in it may run as a page of ours (see media-headers.ts).
      return reply
        .type(meta.mimeType)
        .header('content-length', meta.size)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('content-disposition', disposition)
        .send(createReadStream(join(dir, id)));
    },
  );
}
