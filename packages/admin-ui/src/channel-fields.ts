/**
 * What each platform's channel takes, as the adapters read it (their `validateCredentials`):
 * non-secret `settings` and write-only `credentials`. The card shows only these fields, and the
 * form turns into the `PATCH /channels/:id` body with only what changed.
 */
import type { Channel } from './api.js';

/** A channel as the API answers it: `settings` are returned, secrets never are. */

export interface ChannelField {
  /** The key in `settings` or `credentials`. */
  key: string;
  label: string;
  /** Settings are shown and edited; secrets are write-only (the card shows "set"). */
  kind: 'setting' | 'secret';
  help?: string;
  /** A fixed choice instead of free text. */
  options?: readonly { value: string; label: string }[];
}

export interface PlatformInfo {
  label: string;
  /** Receives webhooks on the callback URL (verify token handshake) and can subscribe them. */
  webhooks: boolean;
  fields: readonly ChannelField[];
}

export const platforms: Record<string, PlatformInfo> = {
  whatsapp: {
    label: 'WhatsApp',
    webhooks: true,
    fields: [
      {
        key: 'phoneNumberId',
        label: 'Phone number ID',
        kind: 'setting',
        help: 'WhatsApp Manager → API Setup',
      },
      { key: 'wabaId', label: 'WABA ID', kind: 'setting', help: 'WhatsApp Business Account ID' },
      { key: 'appId', label: 'App ID', kind: 'setting', help: 'For your reference' },
      { key: 'appSecret', label: 'App secret', kind: 'secret', help: 'Signs the webhooks' },
      {
        key: 'accessToken',
        label: 'Access token',
        kind: 'secret',
        help: 'A system-user token with whatsapp_business_messaging and _management',
      },
    ],
  },
  messenger: {
    label: 'Messenger',
    webhooks: true,
    fields: [
      { key: 'pageId', label: 'Page ID', kind: 'setting' },
      { key: 'appSecret', label: 'App secret', kind: 'secret', help: 'Signs the webhooks' },
      {
        key: 'accessToken',
        label: 'Access token',
        kind: 'secret',
        help: 'A Page access token with pages_messaging',
      },
    ],
  },
  instagram: {
    label: 'Instagram',
    webhooks: true,
    fields: [
      { key: 'instagramAccountId', label: 'Instagram account ID', kind: 'setting' },
      {
        key: 'host',
        label: 'Connected through',
        kind: 'setting',
        options: [
          { value: 'instagram', label: 'Instagram Login (graph.instagram.com)' },
          { value: 'facebook', label: 'A linked Facebook Page (graph.facebook.com)' },
        ],
      },
      {
        key: 'pageId',
        label: 'Page ID',
        kind: 'setting',
        help: 'Only when connected through a Facebook Page',
      },
      { key: 'appSecret', label: 'App secret', kind: 'secret', help: 'The Meta app secret' },
      {
        key: 'instagramAppSecret',
        label: 'Instagram app secret',
        kind: 'secret',
        help: 'Either secret may sign the webhooks',
      },
      { key: 'accessToken', label: 'Access token', kind: 'secret' },
    ],
  },
  simulator: { label: 'Simulator', webhooks: false, fields: [] },
};

export const platformInfo = (platform: string): PlatformInfo =>
  platforms[platform] ?? { label: platform, webhooks: false, fields: [] };

/** The card's form: every field as text (secrets start empty: empty means "keep"). */
export type ChannelForm = { name: string; verifyToken: string } & Record<string, string>;

export function initialForm(channel: Channel): ChannelForm {
  const form: ChannelForm = { name: channel.name, verifyToken: channel.verifyToken ?? '' };
  for (const field of platformInfo(channel.platform).fields) {
    const value = channel.settings[field.key];
    form[field.key] =
      field.kind === 'secret'
        ? ''
        : typeof value === 'string' || typeof value === 'number'
          ? String(value)
          : (field.options?.[0]?.value ?? '');
  }
  return form;
}

export interface ChannelPatch {
  name?: string;
  settings?: Record<string, string>;
  credentials?: Record<string, string>;
}

/**
 * The `PATCH` body for what changed: the name, changed settings, and secrets typed in (a
 * secret left empty keeps its value; the server never sends it back to be resent).
 */
export function patchFor(channel: Channel, form: ChannelForm): ChannelPatch {
  const patch: ChannelPatch = {};
  const name = form.name.trim();
  if (name !== '' && name !== channel.name) patch.name = name;
  const settings: Record<string, string> = {};
  const credentials: Record<string, string> = {};
  for (const field of platformInfo(channel.platform).fields) {
    const value = (form[field.key] ?? '').trim();
    if (field.kind === 'secret') {
      if (value !== '') credentials[field.key] = value;
    } else {
      const current = channel.settings[field.key];
      const before =
        typeof current === 'string' || typeof current === 'number' ? String(current) : '';
      if (value !== before) settings[field.key] = value;
    }
  }
  const verifyToken = form.verifyToken.trim();
  // An emptied verify token keeps the current one: Meta's handshake needs one.
  if (
    platformInfo(channel.platform).webhooks &&
    verifyToken !== '' &&
    verifyToken !== (channel.verifyToken ?? '')
  )
    credentials.verifyToken = verifyToken;
  if (Object.keys(settings).length > 0) patch.settings = settings;
  if (Object.keys(credentials).length > 0) patch.credentials = credentials;
  return patch;
}

/** Whether a PATCH with this body already checks the credentials (the server validates then). */
export const patchValidates = (patch: ChannelPatch) =>
  patch.settings !== undefined || patch.credentials !== undefined;
