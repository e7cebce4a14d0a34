import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GraphError,
  invalidToken,
  missingToken,
  transientError,
  unsupportedRequest,
  whatsAppErrorTitles,
} from './graph-error.js';
import type { GraphRequest, GraphResponse, UploadedFile } from './graph-request.js';
import {
  handleInstagramNode,
  handlePageNode,
  instagramSeen,
  instagramUserSends,
  messengerReceipt,
  messengerUserSends,
} from './messenger.js';
import { FakeState, type Principal } from './state.js';
import {
  addTemplate,
  handleMessageTemplates,
  handleTemplateNode,
  publicTemplate,
  seedTemplates,
  sendTemplateStatus,
  templatesNamed,
} from './templates.js';
import type {
  Channel,
  FakeGraphApiOptions,
  FakeStats,
  FaultHandle,
  FaultRequest,
  FaultSpec,
  InstagramUserMessage,
  MediaRecord,
  MessengerUserMessage,
  RecordedRequest,
  SentFilter,
  SentMessage,
  TemplateRecord,
  TemplateSeed,
  TemplateStatus,
  UserMessageDelivery,
  WebhookDelivery,
  WebhookTarget,
  WhatsAppStatus,
  WhatsAppStatusError,
  WhatsAppUserMessage,
} from './types.js';
import { isRecord, type JsonRecord } from './values.js';
import { toMetaJson } from './webhooks.js';
import {
  downloadMedia,
  handleMediaNode,
  handlePhoneNumberNode,
  handleWabaNode,
  mediaRecord,
  sendWhatsAppStatus,
  whatsAppUserSends,
} from './whatsapp.js';

/** The WhatsApp side of the fake: simulated users, statuses, windows, media. */
export interface FakeWhatsApp {
  /** The phone numbers the fake serves. */
  readonly phoneNumbers: ReadonlyArray<{
    id: string;
    displayPhoneNumber: string;
    wabaId: string;
    verifiedName: string;
  }>;
  /** A user sends a message: builds Meta's webhook, signs it, POSTs it, opens the 24-hour window. */
  userSends(message: WhatsAppUserMessage): Promise<UserMessageDelivery>;
  /** Posts a status webhook for an accepted outbound message. */
  sendStatus(
    wamid: string,
    status: WhatsAppStatus,
    error?: WhatsAppStatusError,
  ): Promise<WebhookDelivery>;
  /** Opens (or moves) a user's window without a webhook; `at` defaults to now. */
  openWindow(user: string, options?: { phoneNumberId?: string; at?: number }): void;
  /** Forgets a user's window. */
  closeWindow(user: string, options?: { phoneNumberId?: string }): void;
  /** Fake-clock time of the user's last message, if any. */
  lastInboundAt(user: string, options?: { phoneNumberId?: string }): number | undefined;
  /** Stores media as if uploaded; returns its media ID. */
  addMedia(media: {
    data: Uint8Array | string;
    mimeType: string;
    filename?: string;
    phoneNumberId?: string;
  }): string;
  /** A stored media object. */
  media(id: string): MediaRecord | undefined;
}

/** Message templates of the fake's WABAs. */
export interface FakeTemplates {
  list(options?: { wabaId?: string }): TemplateRecord[];
  get(name: string, options?: { language?: string; wabaId?: string }): TemplateRecord | undefined;
  /** Adds a template directly (APPROVED unless `status` says otherwise); no webhook. */
  add(seed: TemplateSeed): TemplateRecord;
  /** Approves every language of `name` (or one) and posts `message_template_status_update` webhooks. */
  approve(
    name: string,
    options?: { language?: string; wabaId?: string },
  ): Promise<WebhookDelivery[]>;
  /** Rejects with a reason (default `INVALID_FORMAT`) and posts the webhooks. */
  reject(
    name: string,
    reason?: string,
    options?: {
      language?: string;
      wabaId?: string;
      rejectionInfo?: { reason: string; recommendation: string };
    },
  ): Promise<WebhookDelivery[]>;
  /** Sets any status (PAUSED, DISABLED …) and posts the webhooks with it as `event`. */
  setStatus(
    name: string,
    status: TemplateStatus,
    options?: { language?: string; wabaId?: string; reason?: string | null },
  ): Promise<WebhookDelivery[]>;
}

/** The Messenger side of the fake. */
export interface FakeMessenger {
  readonly pages: ReadonlyArray<{ id: string; name: string }>;
  userSends(message: MessengerUserMessage): Promise<UserMessageDelivery>;
  openWindow(psid: string, options?: { pageId?: string; at?: number }): void;
  /** `message_deliveries` webhook (watermark, optional mids). */
  sendDelivery(
    psid: string,
    options?: { pageId?: string; mids?: string[]; watermark?: number },
  ): Promise<WebhookDelivery>;
  /** `message_reads` webhook (watermark). */
  sendRead(
    psid: string,
    options?: { pageId?: string; watermark?: number },
  ): Promise<WebhookDelivery>;
}

/** The Instagram side of the fake. */
export interface FakeInstagram {
  readonly accounts: ReadonlyArray<{ id: string; username: string; pageId: string | undefined }>;
  userSends(message: InstagramUserMessage): Promise<UserMessageDelivery>;
  openWindow(igsid: string, options?: { accountId?: string; at?: number }): void;
  /** `messaging_seen` webhook (`read.mid`). */
  sendSeen(igsid: string, mid: string, options?: { accountId?: string }): Promise<WebhookDelivery>;
}

/** A running fake of Meta's Graph API. */
export interface FakeGraphApi {
  /** Base URL (`http://127.0.0.1:PORT`); adapters append `/{version}/…`. */
  readonly url: string;
  readonly appSecret: string;
  readonly accessToken: string;
  readonly apiVersion: string;
  readonly whatsapp: FakeWhatsApp;
  readonly templates: FakeTemplates;
  readonly messenger: FakeMessenger;
  readonly instagram: FakeInstagram;
  /** Every request, accepted or rejected, oldest first (the last `maxRecorded`). */
  readonly requests: readonly RecordedRequest[];
  /** Accepted outbound messages, optionally filtered. */
  sent(filter?: SentFilter): SentMessage[];
  stats(): FakeStats;
  /** Sets (or with undefined, clears) the callback URL: the default, a channel's, or one number's/Page's/account's. */
  setWebhookUrl(url: string | undefined, target?: WebhookTarget): void;
  inject(fault: FaultSpec): FaultHandle;
  clearFaults(): void;
  /** The fake clock (ms). */
  now(): number;
  /** Moves the fake clock forward (on top of `options.now`). */
  advanceTime(ms: number): void;
  /** Back to the configured state: requests, windows, templates, media, faults and clock offset; webhook URLs stay. */
  reset(): void;
  /** Resolves when automatic background webhooks (statuses, approvals) have been delivered. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface FaultRule {
  spec: FaultSpec;
  remaining: number;
  hits: number;
}

const versionPattern = /^v\d+\.\d+$/;

/** Starts a fake Graph API on a local port. */
export async function createFakeGraphApi(options: FakeGraphApiOptions): Promise<FakeGraphApi> {
  const state = new FakeState(options);
  seedTemplates(state, options.whatsapp?.templates);
  let faults: FaultRule[] = [];

  const takeFault = (request: FaultRequest): FaultSpec | undefined => {
    for (const rule of faults) {
      const m = rule.spec.match;
      const matches =
        m === undefined ||
        (typeof m === 'string'
          ? request.path.includes(m)
          : m instanceof RegExp
            ? m.test(request.path)
            : m(request));
      if (!matches) continue;
      rule.hits++;
      rule.remaining--;
      if (rule.remaining <= 0) faults = faults.filter((r) => r !== rule);
      return rule.spec;
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the fake, never a verdict on the request: say so loudly.
      console.error('[chatloom/testkit] fake Graph API failed on', req.method, req.url, error);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { message: 'fake Graph API internal error', type: 'FakeError', code: 1 },
          }),
        );
      }
    });
  });
  server.keepAliveTimeout = 10_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = state.now();
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const parsed = await parseBody(req.headers['content-type'], raw);
    const record: RecordedRequest = {
      seq: state.nextSeq(),
      method,
      path: url.pathname,
      version: undefined,
      query,
      headers: req.headers,
      body:
        parsed.files.length > 0
          ? { fields: parsed.body, files: parsed.files.map(describeFile) }
          : parsed.body,
      status: 0,
      response: undefined,
      accepted: false,
      at,
    };
    const fault =
      faults.length === 0
        ? undefined
        : takeFault({ method, path: url.pathname, query, headers: req.headers, body: record.body });
    // A timeout or a dropped connection loses the answer: before handling, or after it (the
    // message went out but the client cannot know).
    const losesAnswer = fault?.dropConnection === true || fault?.timeout === true;
    const loseAnswer = (): void => {
      record.status = 0;
      state.recordRequest(record);
      if (fault?.dropConnection === true) req.socket.destroy();
    };
    let response: GraphResponse | undefined;
    if (fault !== undefined) {
      record.injected = true;
      if (fault.latencyMs !== undefined && fault.latencyMs > 0) await state.sleep(fault.latencyMs);
      if (losesAnswer && fault.afterHandling !== true) return loseAnswer();
      const injected = injectedError(fault);
      if (injected !== undefined) response = errorResponse(injected);
    }
    if (response === undefined) {
      try {
        if (parsed.error !== undefined) throw parsed.error;
        response = await route(method, url.pathname, query, parsed.body, parsed.files, req, record);
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
        response = errorResponse(error);
      }
    }
    record.status = response.status;
    record.accepted = response.status >= 200 && response.status < 300;
    record.response = response.body;
    if (response.channel !== undefined) record.channel = response.channel;
    if (response.warnings !== undefined) record.warnings = response.warnings;
    if (!record.accepted && isRecord(response.body) && isRecord(response.body.error)) {
      const code = response.body.error.code;
      if (typeof code === 'number') record.errorCode = code;
    }
    if (losesAnswer) return loseAnswer();
    state.recordRequest(record);
    if (response.raw !== undefined) {
      res.writeHead(response.status, {
        'content-type': response.raw.contentType,
        'content-length': response.raw.data.length,
      });
      res.end(response.raw.data);
      return;
    }
    const text = toMetaJson(response.body);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
      'facebook-api-version': record.version ?? state.apiVersion,
    };
    if (response.status === 401)
      headers['www-authenticate'] = 'OAuth "Facebook Platform" "invalid_token"';
    res.writeHead(response.status, headers);
    res.end(text);
  }

  async function route(
    method: string,
    pathname: string,
    query: Record<string, string>,
    body: unknown,
    files: UploadedFile[],
    req: IncomingMessage,
    record: RecordedRequest,
  ): Promise<GraphResponse> {
    const segments = pathname
      .split('/')
      .filter((s) => s.length > 0)
      .map(safeDecode);
    const authorization = req.headers.authorization;
    const bearer =
      typeof authorization === 'string' && /^Bearer\s+/i.test(authorization)
        ? authorization.replace(/^Bearer\s+/i, '').trim()
        : undefined;
    const bodyToken =
      isRecord(body) && typeof body.access_token === 'string' ? body.access_token : undefined;
    const token = bearer ?? query.access_token ?? bodyToken;

    if (segments[0] === 'whatsapp_business' && segments[1] === 'attachments') {
      if (token === undefined) throw missingToken();
      if (state.principal(token) === undefined) throw invalidToken();
      return downloadMedia(state, query);
    }
    let version: string | undefined;
    if (segments[0] !== undefined && versionPattern.test(segments[0])) {
      version = segments.shift();
      record.version = version;
    }
    if (token === undefined) throw missingToken();
    const principal = state.principal(token);
    if (principal === undefined) throw invalidToken();
    const node = segments[0];
    if (node === undefined) throw unsupportedRequest(method, '');

    const params: JsonRecord = {};
    for (const [key, value] of Object.entries(query))
      if (key !== 'access_token') params[key] = value;
    if (isRecord(body)) Object.assign(params, body);
    delete params.access_token;
    const request: GraphRequest = {
      method,
      version,
      node,
      edge: segments[1],
      rest: segments.slice(2),
      query,
      params,
      files,
    };

    const target = resolveNode(node, principal);
    if (target === undefined) throw unsupportedRequest(method, node);
    record.channel = target.channel;
    return target.handle(request);
  }

  /** The node an ID (or `me`) names, with the channel it belongs to. */
  function resolveNode(
    node: string,
    principal: Principal,
  ):
    | {
        channel: Channel;
        handle: (request: GraphRequest) => GraphResponse | Promise<GraphResponse>;
      }
    | undefined {
    if (node === 'me') {
      if (principal.kind === 'instagram') {
        const account = state.instagramAccount(principal.accountId);
        return { channel: 'instagram', handle: (r) => handleInstagramNode(state, r, account) };
      }
      const page =
        principal.kind === 'page'
          ? state.page(principal.pageId)
          : state.pages.values().next().value;
      if (page === undefined) return undefined;
      return { channel: 'messenger', handle: (r) => handlePageNode(state, r, page) };
    }
    const phone = state.phoneNumbers.get(node);
    if (phone !== undefined) {
      return { channel: 'whatsapp', handle: (r) => handlePhoneNumberNode(state, r, phone) };
    }
    const waba = state.wabas.get(node);
    if (waba !== undefined) {
      return {
        channel: 'whatsapp',
        handle: (r) =>
          r.edge === 'message_templates'
            ? handleMessageTemplates(state, r, waba.id)
            : handleWabaNode(state, r, waba),
      };
    }
    const page = state.pages.get(node);
    if (page !== undefined)
      return { channel: 'messenger', handle: (r) => handlePageNode(state, r, page) };
    const account = state.instagramAccounts.get(node);
    if (account !== undefined) {
      return { channel: 'instagram', handle: (r) => handleInstagramNode(state, r, account) };
    }
    const media = state.media.get(node);
    if (media !== undefined)
      return { channel: 'whatsapp', handle: (r) => handleMediaNode(state, r, media) };
    const template = state.templates.find((t) => t.id === node);
    if (template !== undefined)
      return { channel: 'whatsapp', handle: (r) => handleTemplateNode(r, template) };
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  state.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  const templateTargets = (name: string, o: { language?: string; wabaId?: string } = {}) =>
    templatesNamed(state, name, o);
  const setTemplateStatus = (
    name: string,
    status: TemplateStatus,
    reason: string | null,
    o: {
      language?: string;
      wabaId?: string;
      rejectionInfo?: { reason: string; recommendation: string };
    } = {},
  ): Promise<WebhookDelivery[]> =>
    Promise.all(
      templateTargets(name, o).map((t) => {
        t.status = status;
        t.rejectedReason = status === 'REJECTED' && reason !== null ? reason : undefined;
        return sendTemplateStatus(state, t, status, reason, o.rejectionInfo);
      }),
    );

  const whatsapp: FakeWhatsApp = {
    get phoneNumbers() {
      return [...state.phoneNumbers.values()].map(
        ({ id, displayPhoneNumber, wabaId, verifiedName }) => ({
          id,
          displayPhoneNumber,
          wabaId,
          verifiedName,
        }),
      );
    },
    userSends: (message) => whatsAppUserSends(state, message),
    sendStatus: (wamid, status, error) => sendWhatsAppStatus(state, wamid, status, error),
    openWindow(user, o = {}) {
      state.openWindow(
        'whatsapp',
        state.phoneNumber(o.phoneNumberId).id,
        userKey(user),
        o.at ?? state.now(),
      );
    },
    closeWindow(user, o = {}) {
      state.windows.delete(
        state.windowKey('whatsapp', state.phoneNumber(o.phoneNumberId).id, userKey(user)),
      );
    },
    lastInboundAt: (user, o = {}) =>
      state.lastInbound('whatsapp', state.phoneNumber(o.phoneNumberId).id, userKey(user)),
    addMedia(media) {
      const phone = state.phoneNumber(media.phoneNumberId);
      const id = state.numericId();
      const data = Buffer.from(typeof media.data === 'string' ? media.data : media.data);
      state.media.set(id, mediaRecord(id, phone.id, media.mimeType, data, media.filename));
      return id;
    },
    media: (id) => state.media.get(id),
  };

  const templates: FakeTemplates = {
    list: (o = {}) =>
      state.templates
        .filter((t) => o.wabaId === undefined || t.wabaId === o.wabaId)
        .map(publicTemplate),
    get(name, o = {}) {
      const found = state.templates.find(
        (t) =>
          t.name === name &&
          (o.language === undefined || t.language === o.language) &&
          (o.wabaId === undefined || t.wabaId === o.wabaId),
      );
      return found === undefined ? undefined : publicTemplate(found);
    },
    add: (seed) => publicTemplate(addTemplate(state, seed)),
    approve: (name, o) => setTemplateStatus(name, 'APPROVED', 'NONE', o),
    reject: (name, reason = 'INVALID_FORMAT', o) => setTemplateStatus(name, 'REJECTED', reason, o),
    setStatus: (name, status, o = {}) =>
      setTemplateStatus(name, status, o.reason === undefined ? null : o.reason, o),
  };

  const messenger: FakeMessenger = {
    get pages() {
      return [...state.pages.values()].map(({ id, name }) => ({ id, name }));
    },
    userSends: (message) => messengerUserSends(state, message),
    openWindow(psid, o = {}) {
      state.openWindow('messenger', state.page(o.pageId).id, psid, o.at ?? state.now());
    },
    sendDelivery: (psid, o = {}) => messengerReceipt(state, 'delivery', psid, o),
    sendRead: (psid, o = {}) => messengerReceipt(state, 'read', psid, o),
  };

  const instagram: FakeInstagram = {
    get accounts() {
      return [...state.instagramAccounts.values()].map(({ id, username, pageId }) => ({
        id,
        username,
        pageId,
      }));
    },
    userSends: (message) => instagramUserSends(state, message),
    openWindow(igsid, o = {}) {
      state.openWindow(
        'instagram',
        state.instagramAccount(o.accountId).id,
        igsid,
        o.at ?? state.now(),
      );
    },
    sendSeen: (igsid, mid, o = {}) => instagramSeen(state, igsid, mid, o),
  };

  return {
    url: state.baseUrl,
    appSecret: state.appSecret,
    accessToken: state.accessToken,
    apiVersion: state.apiVersion,
    whatsapp,
    templates,
    messenger,
    instagram,
    get requests() {
      const all = state.requests;
      return all.length > state.maxRecorded ? all.slice(-state.maxRecorded) : all;
    },
    sent(filter = {}) {
      const all =
        state.sentMessages.length > state.maxRecorded
          ? state.sentMessages.slice(-state.maxRecorded)
          : state.sentMessages;
      return all.filter(
        (m) =>
          (filter.channel === undefined || m.channel === filter.channel) &&
          (filter.to === undefined || m.to === filter.to) &&
          (filter.from === undefined || m.from === filter.from) &&
          (filter.type === undefined || m.type === filter.type),
      );
    },
    stats: () => structuredClone(state.stats),
    setWebhookUrl(url, target = {}) {
      if (target.id !== undefined) {
        if (url === undefined) state.webhookUrlsById.delete(target.id);
        else state.webhookUrlsById.set(target.id, url);
      } else if (target.channel !== undefined) {
        if (url === undefined) state.webhookUrlsByChannel.delete(target.channel);
        else state.webhookUrlsByChannel.set(target.channel as Channel, url);
      } else {
        state.defaultWebhookUrl = url;
      }
    },
    inject(spec) {
      const rule: FaultRule = { spec, remaining: spec.times ?? 1, hits: 0 };
      faults.push(rule);
      return {
        get hits() {
          return rule.hits;
        },
        get remaining() {
          return Math.max(0, rule.remaining);
        },
        remove() {
          faults = faults.filter((r) => r !== rule);
        },
      };
    },
    clearFaults() {
      faults = [];
    },
    now: () => state.now(),
    advanceTime: (ms) => state.advanceTime(ms),
    reset() {
      state.resetEntities();
      seedTemplates(state, options.whatsapp?.templates);
      faults = [];
    },
    async idle() {
      while (state.pending.size > 0) await Promise.all([...state.pending]);
    },
    async close() {
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Phone numbers lose `+`, spaces and dashes, as wa_ids have none; BSUIDs stay as they are. */
function userKey(user: string): string {
  return /^[+\d\s\-().]+$/.test(user) ? user.replace(/\D/g, '') : user;
}

function errorResponse(error: GraphError): GraphResponse {
  return { status: error.status, body: error.toBody() };
}

function injectedError(fault: FaultSpec): GraphError | undefined {
  if (fault.status5xx !== undefined)
    return transientError(fault.status5xx === true ? 500 : fault.status5xx);
  const e = fault.error;
  if (e === undefined) return undefined;
  const message = e.message ?? `(#${e.code}) ${whatsAppErrorTitles[e.code] ?? 'Injected error'}`;
  const o: ConstructorParameters<typeof GraphError>[2] = { status: e.status ?? 400 };
  if (e.subcode !== undefined) o.subcode = e.subcode;
  if (e.details !== undefined) o.details = e.details;
  if (e.isTransient !== undefined) o.isTransient = e.isTransient;
  return new GraphError(e.code, message, o);
}

const maxBody = 120 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) {
        reject(new Error('request body over 120 MB'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

interface ParsedBody {
  body: unknown;
  files: UploadedFile[];
  error?: GraphError;
}

async function parseBody(contentType: string | undefined, raw: Buffer): Promise<ParsedBody> {
  if (raw.length === 0) return { body: {}, files: [] };
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'multipart/form-data' && contentType !== undefined) {
    try {
      const form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': contentType },
      }).formData();
      const fields: JsonRecord = {};
      const files: UploadedFile[] = [];
      for (const [name, value] of form.entries()) {
        if (typeof value === 'string') fields[name] = value;
        else
          files.push({
            field: name,
            filename: value.name,
            type: value.type,
            data: Buffer.from(await value.arrayBuffer()),
          });
      }
      return { body: fields, files };
    } catch {
      return {
        body: undefined,
        files: [],
        error: new GraphError(100, '(#100) Invalid multipart/form-data body'),
      };
    }
  }
  const text = raw.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    const fields: JsonRecord = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const json = /^\s*[[{]/.test(value) ? tryJson(value) : invalidJson;
      fields[key] = json === invalidJson ? value : json;
    }
    return { body: fields, files: [] };
  }
  const json = tryJson(text);
  if (json === invalidJson) {
    return {
      body: text,
      files: [],
      error: new GraphError(100, '(#100) Invalid JSON in request body'),
    };
  }
  return { body: json, files: [] };
}

const invalidJson = Symbol('invalid JSON');

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return invalidJson;
  }
}

function describeFile(file: UploadedFile): {
  field: string;
  filename: string;
  type: string;
  size: number;
} {
  return { field: file.field, filename: file.filename, type: file.type, size: file.data.length };
}
