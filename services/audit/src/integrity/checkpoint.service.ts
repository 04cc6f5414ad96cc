import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { KEY_PROVIDER } from '../audit.tokens';
import { ArchiveRepository } from '../archive/archive.repository';
import { KeyProvider } from '../crypto/key-provider';
import { checkpointStatement } from './checkpoint-statement';
import { CheckpointsRepository, StoredCheckpoint } from './checkpoints.repository';
import { merkleRoot } from './merkle';

/**
 * Signed checkpoints: an Ed25519 signature over the Merkle root of the record hashes since the
 * previous checkpoint and the chain head. Exported, they let anyone outside the database prove
 * that a range of the archive is what it was when signed.
 */
@Injectable()
export class CheckpointService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(KEY_PROVIDER) private readonly provider: KeyProvider,
    private readonly archive: ArchiveRepository,
    private readonly checkpoints: CheckpointsRepository,
  ) {}

  /** Cuts a checkpoint for the corp, or returns undefined when nothing was archived since the last one. */
  async checkpoint(corpId: string): Promise<StoredCheckpoint | undefined> {
    return this.transactions.run(async (tx) => {
      // Holding the head lock: no record joins the chain while its range is hashed.
      const head = (await this.archive.lockHeads(tx, [corpId])).get(corpId)!;
      const fromSeq = (await this.checkpoints.lastToSeq(tx, corpId)) + 1;
      if (head.seq < fromSeq) return undefined;
      const hashes = await this.archive.hashesBetween(tx, corpId, fromSeq, head.seq);
      const unsigned = { corpId, fromSeq, toSeq: head.seq, merkleRoot: merkleRoot(hashes), headHash: head.hash, createdAt: new Date() };
      const checkpoint: StoredCheckpoint = {
        ...unsigned,
        signature: await this.provider.sign(checkpointStatement(unsigned)),
        signer: this.provider.fingerprint,
      };
      await this.checkpoints.insert(tx, checkpoint);
      return checkpoint;
    });
  }

  /** One round of the periodic job: every corp with records since its last checkpoint. */
  async checkpointAll(): Promise<number> {
    let cut = 0;
    for (const corpId of await this.archive.corpsWithRecords(this.db)) {
      if (await this.checkpoint(corpId)) cut++;
    }
    return cut;
  }

  /** The corp's checkpoints as a self-contained JSON document (with the public key to check them). */
  async export(corpId: string): Promise<string> {
    const list = await this.checkpoints.list(this.db, corpId);
    return JSON.stringify(
      {
        format: 'atrium-audit-checkpoints/v1',
        corpId,
        algorithm: 'Ed25519 over the JSON statement; merkleRoot: RFC 6962 over SHA-256 record hashes',
        publicKeyPem: await this.provider.signingPublicKeyPem(),
        checkpoints: list.map((c) => ({
          statement: checkpointStatement(c).toString('utf8'),
          signature: c.signature.toString('base64'),
          signer: c.signer,
        })),
      },
      null,
      2,
    );
  }
}
