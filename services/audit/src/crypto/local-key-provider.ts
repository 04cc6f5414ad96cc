import { createHmac, createPrivateKey, createPublicKey, hkdfSync, KeyObject, sign as edSign } from 'node:crypto';
import { openPacked, sealPacked } from './aead';
import { KekRef, KeyProvider } from './key-provider';

// PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.from('atrium-audit'), Buffer.from(info), 32));
}

/**
 * Embedded mode and small installs: every KEK and the checkpoint signing key are derived (HKDF)
 * from one 32-byte master key, so nothing but that key needs backing up. A KEK version is a
 * different derivation, hence rotation needs no key storage either.
 */
export class LocalKeyProvider implements KeyProvider {
  readonly fingerprint: string;
  private readonly signingKey: KeyObject;
  private readonly keks = new Map<string, Buffer>();

  constructor(private readonly master: Buffer) {
    if (master.length !== 32) throw new Error('the audit master key must be 32 bytes');
    this.fingerprint = `local:${createHmac('sha256', master).update('atrium-audit-fingerprint').digest('hex').slice(0, 16)}`;
    const seed = derive(master, 'checkpoint-signing-key');
    this.signingKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  }

  private kek({ corpId, version }: KekRef): Buffer {
    const id = `${corpId}\u0000${version}`;
    let key = this.keks.get(id);
    if (!key) {
      key = derive(this.master, `kek\u0000${id}`);
      this.keks.set(id, key);
    }
    return key;
  }

  async wrapKey(kek: KekRef, dataKey: Buffer, context: string): Promise<Buffer> {
    return sealPacked(this.kek(kek), dataKey, Buffer.from(context));
  }

  async unwrapKey(kek: KekRef, wrapped: Buffer, context: string): Promise<Buffer> {
    return openPacked(this.kek(kek), wrapped, Buffer.from(context));
  }

  async sign(message: Buffer): Promise<Buffer> {
    return edSign(null, message, this.signingKey);
  }

  async signingPublicKeyPem(): Promise<string> {
    return createPublicKey(this.signingKey).export({ format: 'pem', type: 'spki' }).toString();
  }
}
