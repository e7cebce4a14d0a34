/** Reading one value out of core's untyped `ChannelConfig` (settings and credentials). */
import { AdapterError, type ChannelConfig } from '@chatloom/core/adapter';

function text(source: unknown, name: string): string | undefined {
  const value =
    typeof source === 'object' && source !== null
      ? (source as Record<string, unknown>)[name]
      : undefined;
  // Pasted ids and secrets often carry a trailing new line; none of Meta's has surrounding spaces.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A setting, or undefined. */
export function optionalSetting(channel: ChannelConfig, name: string): string | undefined {
  return text(channel.settings, name);
}

/** A credential, or undefined (for checks that answer false rather than throw). */
export function optionalCredential(channel: ChannelConfig, name: string): string | undefined {
  return text(channel.credentials, name);
}

/**
 * A setting or credential that must be there; its absence is a permanent `AdapterError`
 * naming the channel and, with `hint`, where to find the value.
 */
export function requireChannelValue(
  channel: ChannelConfig,
  where: 'settings' | 'credentials',
  name: string,
  platform: string,
  hint?: string,
): string {
  const value =
    where === 'settings' ? optionalSetting(channel, name) : optionalCredential(channel, name);
  if (value === undefined) {
    throw new AdapterError(
      'permanent',
      `[${platform}] channel "${channel.id}": ${where}.${name} is missing${hint === undefined ? '' : `; ${hint}`}`,
      { code: `missing-${name}` },
    );
  }
  return value;
}

/** The names (`settings.pageId`, `credentials.appSecret` …) of required values a channel lacks. */
export function missingChannelValues(
  channel: ChannelConfig,
  required: { settings?: readonly string[]; credentials?: readonly string[] },
): string[] {
  return [
    ...(required.settings ?? [])
      .filter((name) => optionalSetting(channel, name) === undefined)
      .map((name) => `settings.${name}`),
    ...(required.credentials ?? [])
      .filter((name) => optionalCredential(channel, name) === undefined)
      .map((name) => `credentials.${name}`),
  ];
}
