/**
 * `createInstagramAdapter(settings)`: Instagram direct messages of a professional account as a
 * Chatloom channel adapter (`@chatloom/core/adapter`, version 1), through either of Meta's two
 * setups (`host`). One adapter serves every account; what differs per account arrives in each
 * call's `ChannelConfig`.
 */
import {
  AdapterError,
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
  type GraphClient,
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
import { instagramCapabilities, instagramMaxTextBytes, instagramProfile } from './capabilities.js';
import { instagramErrorTable } from './errors.js';
import type { InstagramHost, InstagramSigningSecret } from './settings.js';

/** Settings of {@link createInstagramAdapter}. */
export interface InstagramAdapterSettings {
  /**
   * The setup: `instagram` (A, Instagram Login, `graph.instagram.com`) or `facebook` (B, a linked
   * Page, `graph.facebook.com`). A channel may override it with `settings.host`.
   */
  host: InstagramHost;
  /** Graph API base URL for both hosts (default: the host's; tests use the fake's URL). */
  graphApiBaseUrl?: string;
  /** Graph API version (default `v23.0`). */
  apiVersion?: string;
  /** A `fetch` implementation (default the global one). */
  fetch?: typeof globalThis.fetch;
  /** Timeout of one Graph call in ms (default 30 000). */
  timeoutMs?: number;
}

/** The Instagram adapter: core's interface, its optional members, and `render`. */
export interface InstagramAdapter extends ChannelAdapter {
  readonly platform: 'instagram';
  readonly host: InstagramHost;
  markAsRead(platformMessageId: string, context: SendContext): Promise<void>;
  validateCredentials(channel: ChannelConfig): Promise<CredentialCheck>;
  subscribe(channel: ChannelConfig, options?: SubscribeOptions): Promise<void>;
  /** What `send` would post for a message (no I/O): the messages, their form, what was cut. */
  render(message: OutboundMessage): SendApiRendering;
}

/** Graph hosts of the two setups. */
export const instagramHosts: Readonly<Record<InstagramHost, string>> = {
  instagram: 'https://graph.instagram.com',
  facebook: 'https://graph.facebook.com',
};

/** Webhook fields `subscribe` asks for: the account's (setup A) or the linked Page's (setup B). */
export const instagramSubscribedFields: Readonly<Record<InstagramHost, readonly string[]>> = {
  instagram: ['messages', 'messaging_postbacks', 'messaging_seen', 'message_reactions'],
  // Setup B subscribes the Page; the Instagram fields themselves are chosen in the App Dashboard.
  facebook: ['messages', 'messaging_postbacks', 'message_reactions'],
};

const platform = 'Instagram';
const accountIdHint =
  'set it to the Instagram professional account id (the entry[].id of its webhooks; `user_id` of GET /me on graph.instagram.com)';

function isHost(value: unknown): value is InstagramHost {
  return value === 'facebook' || value === 'instagram';
}

export function createInstagramAdapter(settings: InstagramAdapterSettings): InstagramAdapter {
  if (!isHost(settings?.host)) {
    throw new TypeError(
      `createInstagramAdapter: host must be "instagram" (Instagram Login, graph.instagram.com) or "facebook" (a linked Page, graph.facebook.com), not ${JSON.stringify(settings?.host)}`,
    );
  }
  const clients = new Map<InstagramHost, GraphClient>();
  const clientFor = (host: InstagramHost): GraphClient => {
    let client = clients.get(host);
    if (client === undefined) {
      client = createGraphClient({
        baseUrl: settings.graphApiBaseUrl ?? instagramHosts[host],
        ...(settings.apiVersion !== undefined && { apiVersion: settings.apiVersion }),
        ...(settings.fetch !== undefined && { fetch: settings.fetch }),
        ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
        errors: instagramErrorTable,
      });
      clients.set(host, client);
    }
    return client;
  };
  // Settings are checked at start, so a wrong base URL or version fails here, not on a send.
  clientFor(settings.host);

  const render = (message: OutboundMessage): SendApiRendering =>
    renderSendApiMessage(message, instagramProfile, {
      platform,
      maxTextBytes: instagramMaxTextBytes,
    });
  const hostOf = (channel: ChannelConfig): InstagramHost => {
    const host = optionalSetting(channel, 'host');
    if (host === undefined) return settings.host;
    if (isHost(host)) return host;
    throw new AdapterError(
      'permanent',
      `[${platform}] channel "${channel.id}": settings.host is "${host.slice(0, 40)}"; use "instagram" or "facebook"`,
      { code: 'invalid-host' },
    );
  };
  const accountId = (channel: ChannelConfig) =>
    requireChannelValue(channel, 'settings', 'instagramAccountId', platform, accountIdHint);
  const pageId = (channel: ChannelConfig) =>
    requireChannelValue(
      channel,
      'settings',
      'pageId',
      platform,
      'setup B (host "facebook") subscribes through the Facebook Page linked to the account',
    );
  const accessToken = (channel: ChannelConfig) =>
    requireChannelValue(channel, 'credentials', 'accessToken', platform);
  const target = (channel: ChannelConfig): SendApiTarget => {
    const host = hostOf(channel);
    // Setup A sends from the account; setup B from the linked Page (`me` is the Page's token).
    const linkedPage = optionalSetting(channel, 'pageId');
    const path =
      host === 'instagram'
        ? graphPath(accountId(channel), 'messages')
        : graphPath(linkedPage ?? 'me', 'messages');
    return { client: clientFor(host), path, accessToken: accessToken(channel), platform };
  };

  /** The secrets that may sign this account's webhooks. */
  const signingSecrets = (channel: ChannelConfig): string[] => {
    const pinned = optionalSetting(channel, 'signingSecret');
    const names: InstagramSigningSecret[] =
      pinned === 'appSecret' || pinned === 'instagramAppSecret'
        ? [pinned]
        : ['appSecret', 'instagramAppSecret'];
    return names
      .map((name) => optionalCredential(channel, name))
      .filter((secret): secret is string => secret !== undefined);
  };

  async function validateCredentials(channel: ChannelConfig): Promise<CredentialCheck> {
    let host: InstagramHost;
    try {
      host = hostOf(channel);
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
    const missing = missingChannelValues(channel, {
      settings: host === 'facebook' ? ['instagramAccountId', 'pageId'] : ['instagramAccountId'],
      credentials: ['accessToken', 'verifyToken'],
    });
    if (optionalSetting(channel, 'signingSecret') !== undefined) {
      const pinned = optionalSetting(channel, 'signingSecret');
      if (pinned !== 'appSecret' && pinned !== 'instagramAppSecret') {
        missing.push(`a valid settings.signingSecret ("appSecret" or "instagramAppSecret")`);
      }
    }
    if (signingSecrets(channel).length === 0) {
      missing.push(
        optionalSetting(channel, 'signingSecret') === undefined
          ? 'credentials.appSecret or credentials.instagramAppSecret'
          : `credentials.${optionalSetting(channel, 'signingSecret')}`,
      );
    }
    if (missing.length > 0) return { ok: false, reason: `Missing ${missing.join(', ')}` };
    const id = accountId(channel);
    let account: unknown;
    try {
      account = await clientFor(host).request({
        path: graphPath(id),
        accessToken: accessToken(channel),
        query: { fields: host === 'instagram' ? 'user_id,username,name' : 'id,username,name' },
      });
    } catch (error) {
      return credentialRefusal(error, {
        platform,
        token:
          host === 'instagram'
            ? 'an Instagram user token with instagram_business_basic and instagram_business_manage_messages (a Page token does not work on graph.instagram.com)'
            : 'a Page access token of the linked Page with instagram_basic and instagram_manage_messages (an Instagram token does not work on graph.facebook.com)',
        notFound: `Instagram account id "${id}" was not found, or this token cannot see it`,
        permissions:
          host === 'instagram'
            ? 'instagram_business_basic and instagram_business_manage_messages'
            : 'instagram_basic, instagram_manage_messages, pages_manage_metadata and pages_show_list',
      });
    }
    const a = isRecord(account) ? account : {};
    const answered = stringOrNumber(a.user_id) ?? stringOrNumber(a.id);
    if (answered !== undefined && answered !== id) {
      return {
        ok: false,
        reason: `The token belongs to Instagram account ${answered}, not ${id}.`,
      };
    }
    const username = nonEmptyString(a.username);
    const name = nonEmptyString(a.name);
    return {
      ok: true,
      details: {
        instagramAccountId: id,
        host,
        ...(username !== undefined && { username }),
        ...(name !== undefined && { name }),
      },
    };
  }

  return {
    adapterApiVersion,
    platform: 'instagram',
    host: settings.host,
    capabilities: instagramCapabilities,
    verifyHandshake: (query, channel) =>
      verifyHubHandshake(query, optionalCredential(channel, 'verifyToken')),
    verifySignature(rawBody, headers, channel) {
      const header = headerValue(headers, 'x-hub-signature-256');
      return signingSecrets(channel).some((secret) => verifyHubSignature(rawBody, header, secret));
    },
    parseWebhook(rawBody, channel) {
      const id = optionalSetting(channel, 'instagramAccountId');
      if (id === undefined) {
        return {
          ok: false,
          error: `channel "${channel.id}" has no settings.instagramAccountId; cannot tell its webhooks apart`,
        };
      }
      return parseMessagingWebhook(rawBody, {
        object: 'instagram',
        platform,
        accountId: id,
        detailsKey: 'instagram',
      });
    },
    async send(message, context) {
      const rendering = render(message);
      return sendApiSend(target(context.channel), rendering, context);
    },
    markAsRead: (_platformMessageId, context) =>
      sendApiMarkSeen(target(context.channel), context.to),
    validateCredentials,
    // Webhook callback URLs are the app's (App Dashboard), not an account's.
    async subscribe(channel) {
      const host = hostOf(channel);
      await subscribeApp(
        {
          client: clientFor(host),
          node: host === 'instagram' ? accountId(channel) : pageId(channel),
          accessToken: accessToken(channel),
          platform,
        },
        instagramSubscribedFields[host],
      );
    },
    render,
  };
}
