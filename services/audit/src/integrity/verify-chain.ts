import { Queryable } from '../queryable';
import { chainHash, GENESIS_HASH } from '../archive/archive-record';
import { ArchiveRepository } from '../archive/archive.repository';
import { checkpointSignatureValid } from './checkpoint-statement';
import { CheckpointsRepository, StoredCheckpoint } from './checkpoints.repository';
import { merkleRoot } from './merkle';

export interface VerifyReport {
  corpId: string;
  ok: boolean;
  recordsChecked: number;
  checkpointsChecked: number;
  /** The first chain position that does not match, with the record found there (if any). */
  firstBad?: { seq: number; eventId: string; reason: string };
}

const PAGE = 5_000;

/**
 * Recomputes a corp's chain from the first record: contiguous positions (a deleted row leaves a
 * gap), each record's hash from its stored bytes and the recomputed previous hash (an edited or
 * moved row breaks it), the signed checkpoints (a chain rewritten from some point on no longer
 * matches the Merkle root signed then) and the chain head (a deleted tail). Reads only.
 */
export async function verifyChain(
  db: Queryable,
  corpId: string,
  publicKeyPem: string,
  archive = new ArchiveRepository(),
  checkpointStore = new CheckpointsRepository(),
): Promise<VerifyReport> {
  const checkpoints = await checkpointStore.list(db, corpId);
  const head = await archive.head(db, corpId);
  const report: VerifyReport = { corpId, ok: true, recordsChecked: 0, checkpointsChecked: 0 };
  const fail = (seq: number, eventId: string, reason: string): VerifyReport => ({
    ...report,
    ok: false,
    firstBad: { seq, eventId, reason },
  });

  for (const c of checkpoints) {
    if (!checkpointSignatureValid(c, publicKeyPem))
      return fail(c.fromSeq, '', `checkpoint ${c.fromSeq}–${c.toSeq} has an invalid signature`);
  }
  let pending: StoredCheckpoint | undefined = checkpoints.shift();
  let leaves: Buffer[] = [];
  let prevHash: Buffer = GENESIS_HASH;
  let expected = 1;
  for (;;) {
    const page = await archive.page(db, corpId, expected - 1, PAGE);
    if (page.length === 0) break;
    for (const record of page) {
      if (record.seq !== expected) return fail(expected, '', `record ${expected} is missing (the next one found is ${record.seq})`);
      if (!record.prevHash.equals(prevHash)) return fail(record.seq, record.eventId, 'the link to the previous record does not match');
      const hash = chainHash(prevHash, record);
      if (!hash.equals(record.hash)) return fail(record.seq, record.eventId, 'the record does not match its hash (altered)');
      report.recordsChecked++;
      if (pending && record.seq >= pending.fromSeq) leaves.push(hash);
      if (pending && record.seq === pending.toSeq) {
        if (!merkleRoot(leaves).equals(pending.merkleRoot) || !hash.equals(pending.headHash)) {
          return fail(pending.fromSeq, '', `records ${pending.fromSeq}–${pending.toSeq} differ from the signed checkpoint`);
        }
        report.checkpointsChecked++;
        pending = checkpoints.shift();
        leaves = [];
      }
      prevHash = hash;
      expected++;
    }
  }
  const last = expected - 1;
  if (pending) return fail(last + 1, '', `records ${last + 1}–${pending.toSeq} of a signed checkpoint are missing`);
  if (head.seq > last) return fail(last + 1, '', `records ${last + 1}–${head.seq} are missing (the chain head is at ${head.seq})`);
  if (head.seq > 0 && !head.hash.equals(prevHash)) return fail(last, '', 'the chain head does not match the last record');
  return report;
}
