/**
 * `createMessengerAdapter(settings)`: Facebook Messenger (a Page's inbox) as a Chatloom channel
 * adapter (`@chatloom/core/adapter`, version 1). One adapter serves every Page; what differs
 * per Page (its id, token, secrets) arrives in each call's `ChannelConfig`.
 */
import {
  adapterApiVersion,
  type ChannelAdapter,
  type ChannelConfig,
  type CredentialCheck,
  type OutboundMessage,
  type SendContext,
  type SubscribeOptions,
} from '@chatloom/core/adapter';
import {
  createGraphClient,
  credentialRefusal,
  graphPath,
  headerValue,
  isRecord,
  missingChannelValues,
  nonEmptyString,
  optionalCredential,
  optionalSetting,
  parseMessagingWebhook,
  renderSendApiMessage,
  requireChannelValue,
  type SendApiRendering,
  type SendApiTarget,
  sendApiMarkSeen,
  sendApiSend,
  stringOrNumber,
  subscribeApp,
  verifyHubHandshake,
  verifyHubSignature,
} from '@chatloom/meta-graph';
import { messengerCapabilities, messengerProfile } from './capabilities.js';
import { messengerErrorTable } from './errors.js';

/** Settings of {@link createMessengerAdapter}; all optional. */
export interface MessengerAdapterSettings {
  /** Graph API base URL (default `https://graph.facebook.com`; tests use the fake's URL). */
  graphApiBaseUrl?: string;
  /** Graph API version (default `v23.0`). */
  apiVersion?: string;
  /** A `fetch` implementation (default the global one). */
  fetch?: typeof globalThis.fetch;
  /** Timeout of one Graph call in ms (default 30 000). */
  timeoutMs?: number;
}

/** The Messenger adapter: core's interface, its optional members, and `render`. */
export interface MessengerAdapter extends ChannelAdapter {
  readonly platform: 'messenger';
  markAsRead(platformMessageId: string, context: SendContext): Promise<void>;
  validateCredentials(channel: ChannelConfig): Promise<CredentialCheck>;
  subscribe(channel: ChannelConfig, options?: SubscribeOptions): Promise<void>;
  /** What `send` would post for a message (no I/O): the messages, their form, what was cut. */
  render(message: OutboundMessage): SendApiRendering;
}

/** The Page webhook fields `subscribe` asks for (messenger-platform.md §1.2, plus reactions). */
export const messengerSubscribedFields = [
  'messages',
  'messaging_postbacks',
  'message_deliveries',
  'message_reads',
  'message_echoes',
  'message_reactions',
] as const;

const platform = 'Messenger';
const pageIdHint = "set it to the Facebook Page's id (Meta Business Suite → Settings → Page info)";

export function createMessengerAdapter(settings: MessengerAdapterSettings = {}): MessengerAdapter {
  const client = createGraphClient({
    ...(settings.graphApiBaseUrl !== undefined && { baseUrl: settings.graphApiBaseUrl }),
    ...(settings.apiVersion !== undefined && { apiVersion: settings.apiVersion }),
    ...(settings.fetch !== undefined && { fetch: settings.fetch }),
    ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
    errors: messengerErrorTable,
  });
  const render = (message: OutboundMessage): SendApiRendering =>
    renderSendApiMessage(message, messengerProfile, { platform });
  const pageId = (channel: ChannelConfig) =>
    requireChannelValue(channel, 'settings', 'pageId', platform, pageIdHint);
  const accessToken = (channel: ChannelConfig) =>
    requireChannelValue(channel, 'credentials', 'accessToken', platform);
  const target = (channel: ChannelConfig): SendApiTarget => ({
    client,
    path: graphPath(pageId(channel), 'messages'),
    accessToken: accessToken(channel),
    platform,
  });

  async function validateCredentials(channel: ChannelConfig): Promise<CredentialCheck> {
    const missing = missingChannelValues(channel, {
      settings: ['pageId'],
      credentials: ['accessToken', 'appSecret', 'verifyToken'],
    });
    if (missing.length > 0) return { ok: false, reason: `Missing ${missing.join(', ')}` };
    const id = pageId(channel);
    let page: unknown;
    try {
      page = await client.request({
        path: graphPath(id),
        accessToken: accessToken(channel),
        query: { fields: 'id,name' },
      });
    } catch (error) {
      return credentialRefusal(error, {
        platform,
        token: 'a Page access token with pages_messaging',
        notFound: `Page id "${id}" was not found, or this token cannot see it`,
        permissions: 'pages_messaging and pages_manage_metadata',
      });
    }
    const p = isRecord(page) ? page : {};
    const answered = stringOrNumber(p.id);
    if (answered !== undefined && answered !== id) {
      return { ok: false, reason: `Graph answered for Page ${answered}, not ${id}.` };
    }
    const name = nonEmptyString(p.name);
    return { ok: true, details: { pageId: id, ...(name !== undefined && { name }) } };
  }

  return {
    adapterApiVersion,
    platform: 'messenger',
    capabilities: messengerCapabilities,
    verifyHandshake: (query, channel) =>
      verifyHubHandshake(query, optionalCredential(channel, 'verifyToken')),
    verifySignature: (rawBody, headers, channel) =>
      verifyHubSignature(
        rawBody,
        headerValue(headers, 'x-hub-signature-256'),
        optionalCredential(channel, 'appSecret') ?? '',
      ),
    parseWebhook(rawBody, channel) {
      const accountId = optionalSetting(channel, 'pageId');
      if (accountId === undefined) {
        return {
          ok: false,
          error: `channel "${channel.id}" has no settings.pageId; cannot tell its webhooks apart`,
        };
      }
      return parseMessagingWebhook(rawBody, {
        object: 'page',
        platform,
        accountId,
        detailsKey: 'messenger',
      });
    },
    async send(message, context) {
      const rendering = render(message);
      return sendApiSend(target(context.channel), rendering, context);
    },
    markAsRead: (_platformMessageId, context) =>
      sendApiMarkSeen(target(context.channel), context.to),
    validateCredentials,
    // The callback URL of Page webhooks is the app's (App Dashboard), not a Page's: a
    // `callbackUrl` option has nothing to set here.
    subscribe: async (channel) =>
      subscribeApp(
        { client, node: pageId(channel), accessToken: accessToken(channel), platform },
        messengerSubscribedFields,
      ),
    render,
  };
}
