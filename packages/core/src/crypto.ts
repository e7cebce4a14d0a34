/**
 * Channel credentials at rest: AES-256-GCM with a 32-byte key from the embedder's config
 * (`CHATLOOM_SECRET_KEY` in the server). Sealed text is `v1.<iv>.<tag>.<ciphertext>` in
 * base64url; the channel id is bound as associated data, so a sealed value copied onto
 * another channel does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A 32-byte key, as bytes, or as 64 hex characters or base64 text. */
export type EncryptionKey = Uint8Array | string;

export class CredentialsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsKeyError';
  }
}

export function parseKey(key: EncryptionKey): Buffer {
  let bytes: Buffer;
  if (typeof key === 'string') {
    bytes = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  } else {
    bytes = Buffer.from(key);
  }
  if (bytes.length !== 32) {
    throw new CredentialsKeyError(
      `The encryption key must be 32 bytes (64 hex characters or 44 base64 characters); got ${bytes.length} bytes`,
    );
  }
  return bytes;
}

export function seal(key: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    'v1',
    iv.toString('base64url'),
    tag.toString('base64url'),
    ciphertext.toString('base64url'),
  ].join('.');
}

export function open(key: Buffer, sealed: string, associatedData: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || tag === undefined || ciphertext === undefined) {
    throw new CredentialsKeyError('Stored credentials are not in the sealed format v1');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new CredentialsKeyError(
      'Stored credentials do not open with this encryption key: the key changed, or the value was altered',
    );
  }
}
