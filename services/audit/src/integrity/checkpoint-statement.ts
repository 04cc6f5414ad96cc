import { createPublicKey, verify as edVerify } from 'node:crypto';
import { StoredCheckpoint } from './checkpoints.repository';

/** The exact bytes a checkpoint signature covers (stable key order, hex hashes). */
export function checkpointStatement(c: Omit<StoredCheckpoint, 'signature' | 'signer'>): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: 1,
      corpId: c.corpId,
      fromSeq: c.fromSeq,
      toSeq: c.toSeq,
      merkleRoot: c.merkleRoot.toString('hex'),
      headHash: c.headHash.toString('hex'),
      createdAt: c.createdAt.toISOString(),
    }),
  );
}

export function checkpointSignatureValid(c: StoredCheckpoint, publicKeyPem: string): boolean {
  return edVerify(null, checkpointStatement(c), createPublicKey(publicKeyPem), c.signature);
}
