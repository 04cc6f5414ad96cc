/** Which key-encryption key: one per corp and version (a rotation adds a version). */
export interface KekRef {
  corpId: string;
  version: number;
}

/**
 * The port to whatever holds the archive's root secrets: a master key in the environment
 * (embedded mode, small installs) or a KMS/HSM in a cluster. Only wrapped data keys and
 * signatures ever leave it; the KEKs and the signing key themselves never reach the database.
 */
export interface KeyProvider {
  /** Stable name of the root key (never the key): a restart with a different key fails loudly. */
  readonly fingerprint: string;
  /** Encrypts a data key under the corp's KEK version; `context` is bound as associated data. */
  wrapKey(kek: KekRef, dataKey: Buffer, context: string): Promise<Buffer>;
  unwrapKey(kek: KekRef, wrapped: Buffer, context: string): Promise<Buffer>;
  /** Ed25519 signature of a checkpoint. */
  sign(message: Buffer): Promise<Buffer>;
  /** The checkpoint signing key, SPKI PEM, exported with the checkpoints. */
  signingPublicKeyPem(): Promise<string>;
}

/**
 * What a cluster's KMS must offer (AWS KMS, GCP KMS, Vault transit, an HSM via PKCS#11 all do):
 * encrypt/decrypt under a key id with an encryption context, and asymmetric signing.
 */
export interface KmsClient {
  encrypt(keyId: string, plaintext: Buffer, context: Record<string, string>): Promise<Buffer>;
  decrypt(keyId: string, ciphertext: Buffer, context: Record<string, string>): Promise<Buffer>;
  sign(keyId: string, message: Buffer): Promise<Buffer>;
  publicKeyPem(keyId: string): Promise<string>;
}

export interface KmsKeyProviderOptions {
  client: KmsClient;
  /** The KMS key that is the corp's KEK at a version, e.g. `alias/atrium-audit/<corp>/v<n>`. */
  kekId(kek: KekRef): string;
  signingKeyId: string;
}

/** The cluster adapter: every KEK operation is a KMS call, the KEK never leaves the KMS. */
export class KmsKeyProvider implements KeyProvider {
  readonly fingerprint: string;

  constructor(private readonly options: KmsKeyProviderOptions) {
    this.fingerprint = `kms:${options.signingKeyId}`;
  }

  wrapKey(kek: KekRef, dataKey: Buffer, context: string): Promise<Buffer> {
    return this.options.client.encrypt(this.options.kekId(kek), dataKey, { purpose: 'atrium-audit', context });
  }

  unwrapKey(kek: KekRef, wrapped: Buffer, context: string): Promise<Buffer> {
    return this.options.client.decrypt(this.options.kekId(kek), wrapped, { purpose: 'atrium-audit', context });
  }

  sign(message: Buffer): Promise<Buffer> {
    return this.options.client.sign(this.options.signingKeyId, message);
  }

  signingPublicKeyPem(): Promise<string> {
    return this.options.client.publicKeyPem(this.options.signingKeyId);
  }
}
