/** What a WhatsApp channel carries, and reading it out of core's untyped `ChannelConfig`. */
import { AdapterError, type ChannelConfig } from '@chatloom/core/adapter';

/** Non-secret settings of a WhatsApp channel (one business phone number). */
export interface WhatsAppChannelSettings {
  /** The business phone number's id (`metadata.phone_number_id` of webhooks). */
  phoneNumberId: string;
  /** The WhatsApp Business Account the number belongs to (templates, webhook subscription). */
  wabaId: string;
  /** The Meta app's id, for the operator's reference. */
  appId?: string;
}

/** Secrets of a WhatsApp channel. */
export interface WhatsAppCredentials {
  /** A system-user (or business) token with `whatsapp_business_messaging` and `_management`. */
  accessToken: string;
  /** The Meta app's secret: it signs webhooks (`X-Hub-Signature-256`). */
  appSecret: string;
  /** Our string for the GET handshake on the callback URL. */
  verifyToken: string;
}

/** A channel as core hands it to this adapter. */
export type WhatsAppChannelConfig = ChannelConfig<
  WhatsAppChannelSettings & Record<string, unknown>,
  WhatsAppCredentials & Record<string, string>
>;

function text(source: Record<string, unknown>, name: string): string | undefined {
  const value = source[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A setting that must be there; its absence is a permanent error naming the channel. */
export function requireSetting(channel: ChannelConfig, name: 'phoneNumberId' | 'wabaId'): string {
  const value = text(channel.settings ?? {}, name);
  if (value === undefined) {
    throw new AdapterError(
      'permanent',
      `[WhatsApp] channel "${channel.id}": settings.${name} is missing; set it to the ${name === 'phoneNumberId' ? 'business phone number id' : 'WhatsApp Business Account id'} from Meta's WhatsApp Manager`,
      { code: `missing-${name}` },
    );
  }
  return value;
}

/** A credential that must be there. */
export function requireCredential(
  channel: ChannelConfig,
  name: 'accessToken' | 'appSecret' | 'verifyToken',
): string {
  const value = text(channel.credentials ?? {}, name);
  if (value === undefined) {
    throw new AdapterError(
      'permanent',
      `[WhatsApp] channel "${channel.id}": credentials.${name} is missing`,
      { code: `missing-${name}` },
    );
  }
  return value;
}

/** A credential, or undefined (for checks that answer false rather than throw). */
export function optionalCredential(channel: ChannelConfig, name: string): string | undefined {
  const credentials = channel.credentials as Record<string, unknown> | undefined;
  const value = credentials?.[name];
  // Pasted secrets often carry a trailing new line; no Meta secret has surrounding spaces.
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A setting, or undefined. */
export function optionalSetting(channel: ChannelConfig, name: string): string | undefined {
  return text((channel.settings as Record<string, unknown> | undefined) ?? {}, name);
}
