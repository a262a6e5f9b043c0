/** Encryption at rest of app secrets and software seal keys: AES-256-GCM under the server's master key, bound to the owner by associated data. @module */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ServiceError } from '@govtrust/core/errors';

/** Seals and opens secrets with one master key. */
export interface SecretBox {
  /** Encrypts `plaintext`; `context` (e.g. "app:ID:secret:SID") must be given again to open it. */
  seal(plaintext: Uint8Array, context: string): string;
  /**
   * Decrypts what `seal` produced under the same context.
   * @throws {ServiceError} ERR_INTERNAL when the value was changed, moved to another owner, or the master key differs
   */
  open(sealed: string, context: string): Uint8Array;
}

/**
 * A secret box over a 32-byte master key.
 * @throws {ServiceError} ERR_INTERNAL for a key that is not 32 bytes
 */
export function createSecretBox(masterKey: Uint8Array): SecretBox {
  if (masterKey.length !== 32)
    throw new ServiceError('ERR_INTERNAL', 'The master key must be 32 bytes');
  const key = Buffer.from(masterKey);
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return `v1.${iv.toString('base64url')}.${ct.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
    },
    open(sealed, context) {
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== 'v1')
        throw new ServiceError('ERR_INTERNAL', 'A sealed secret is malformed');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1]!, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(parts[3]!, 'base64url'));
        return new Uint8Array(
          Buffer.concat([decipher.update(Buffer.from(parts[2]!, 'base64url')), decipher.final()]),
        );
      } catch (err) {
        throw new ServiceError(
          'ERR_INTERNAL',
          'A sealed secret cannot be opened (wrong master key or tampered)',
          {
            cause: err,
          },
        );
      }
    },
  };
}
