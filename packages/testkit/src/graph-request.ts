import type { Channel } from './types.js';
import type { JsonRecord } from './values.js';

/** A routed Graph API request, as the handlers see it. */
export interface GraphRequest {
  method: string;
  version: string | undefined;
  /** The node: an ID or `me`. */
  node: string;
  /** The edge (`messages`, `subscribed_apps` …), if any. */
  edge: string | undefined;
  /** Path segments after the edge. */
  rest: string[];
  query: Record<string, string>;
  /** Body parameters merged with query parameters, as Graph reads them. */
  params: JsonRecord;
  /** The multipart files of an upload. */
  files: UploadedFile[];
}

/** A file of a multipart upload. */
export interface UploadedFile {
  field: string;
  filename: string;
  type: string;
  data: Buffer;
}

/** What a handler answers. */
export interface GraphResponse {
  status: number;
  body: unknown;
  channel?: Channel;
  warnings?: string[];
  /** Binary answer (media download) instead of JSON. */
  raw?: { data: Buffer; contentType: string };
}

export function ok(body: unknown, channel?: Channel): GraphResponse {
  return channel === undefined ? { status: 200, body } : { status: 200, body, channel };
}
