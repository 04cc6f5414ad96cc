import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  nonce: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  ciphertext: Buffer;
}

/**
 * AES-256-GCM with a fresh random 96-bit nonce per message. A bulk writer may pass the nonce: random
 * bytes it drew for many messages at once (one call to the CSPRNG per batch), each used once.
 */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer, nonce: Buffer = randomBytes(NONCE_BYTES)): Sealed {
  if (nonce.length !== NONCE_BYTES) throw new Error(`a nonce is ${NONCE_BYTES} bytes`);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return { nonce, ciphertext: Buffer.concat([body, final, cipher.getAuthTag()]) };
}

/** Throws when the key, the nonce, the associated data or a single bit of the ciphertext is wrong. */
export function open(key: Buffer, sealed: Sealed, aad: Buffer): Buffer {
  const { nonce, ciphertext } = sealed;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
  return Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES)), decipher.final()]);
}

/** nonce ‖ ciphertext ‖ tag in one buffer, for wrapped keys. */
export function sealPacked(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const sealed = seal(key, plaintext, aad);
  return Buffer.concat([sealed.nonce, sealed.ciphertext]);
}

export function openPacked(key: Buffer, packed: Buffer, aad: Buffer): Buffer {
  return open(key, { nonce: packed.subarray(0, NONCE_BYTES), ciphertext: packed.subarray(NONCE_BYTES) }, aad);
}
