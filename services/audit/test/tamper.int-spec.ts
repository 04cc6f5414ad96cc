import { createPublicKey, verify as edVerify } from 'node:crypto';
import { auditV1 } from '@atrium/contracts';
import { openDatabase } from '@atrium/platform';
import { createTestDatabase, testInfra, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { chainHash } from '../src/archive/archive-record';
import { ArchiveRepository } from '../src/archive/archive.repository';
import { ArchiveService } from '../src/archive/archive.service';
import { AUDIT_MIGRATIONS } from '../src/audit.service-definition';
import { ownRecord } from '../src/compliance/own-records';
import { CheckpointService } from '../src/integrity/checkpoint.service';
import { AuditHarness, newCorp, superAdmin } from './audit-harness';

jest.setTimeout(120_000);

/**
 * Tampering made behind the service's back, as someone with superuser access to the database
 * would: the trigger first has to go, then a row is edited, deleted or moved. Verify finds it and
 * names the first record that does not match.
 */
describe('audit archive tamper evidence', () => {
  let h: AuditHarness;

  beforeAll(async () => {
    h = await AuditHarness.start();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  /** A corp with `n` records (admin actions, written directly) and a signed checkpoint over them. */
  const corpWithRecords = async (n: number, checkpoint = true) => {
    const corpId = newCorp('tamper');
    const drafts = Array.from({ length: n }, (_, i) => ownRecord(corpId, 'admin', 'admin_action', 'test.action', { i }));
    await h.db.transaction((tx) => h.get(ArchiveService).append(tx, drafts));
    if (checkpoint) await h.get(CheckpointService).checkpoint(corpId);
    return corpId;
  };
  const verify = (corpId: string) => h.call(superAdmin(corpId), (c, md) => c.verifyArchive({}, md));
  /** Drops the trigger, runs the statements, puts the trigger back: one transaction, as superuser. */
  const behindTheServiceBack = async (...statements: [string, unknown[]][]) => {
    await h.db.transaction(async (tx) => {
      await tx.query(`DROP TRIGGER audit_records_append_only ON audit_records`);
      for (const [sql, params] of statements) await tx.query(sql, params);
      await tx.query(
        `CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`,
      );
    });
  };

  it('refuses UPDATE, DELETE and TRUNCATE of archive rows, even to a superuser', async () => {
    const corpId = await corpWithRecords(3);
    await expect(h.db.query(`UPDATE audit_records SET actor = 'x' WHERE corp_id = $1`, [corpId])).rejects.toThrow(/append-only/);
    await expect(h.db.query(`DELETE FROM audit_records WHERE corp_id = $1`, [corpId])).rejects.toThrow(/append-only/);
    await expect(h.db.query(`TRUNCATE audit_records CASCADE`)).rejects.toThrow(/append-only/);
    await expect(h.db.query(`DELETE FROM audit_checkpoints WHERE corp_id = $1`, [corpId])).rejects.toThrow(/append-only/);
    expect(await h.recordCount(corpId)).toBe(3);
  });

  it('takes UPDATE and DELETE away from a service role that is not a superuser', async () => {
    const role = `audit_app_${uniqueSuffix()}`;
    const admin = new Client({ connectionString: testInfra.pgUrl() });
    await admin.connect();
    const database = await createTestDatabase('audit_role');
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'`);
      await admin.query(`ALTER DATABASE ${database.name} OWNER TO ${role}`);
      const url = new URL(database.url);
      url.username = role;
      url.password = 'pw';
      const ds = await openDatabase({ url: url.toString(), entities: [], migrations: AUDIT_MIGRATIONS });
      try {
        await expect(ds.query(`UPDATE audit_records SET actor = 'x'`)).rejects.toThrow(/permission denied/);
        await expect(ds.query(`DELETE FROM audit_records`)).rejects.toThrow(/permission denied/);
        await expect(ds.query(`SELECT count(*) FROM audit_records`)).resolves.toBeDefined();
      } finally {
        await ds.destroy();
      }
    } finally {
      await database.drop();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });

  it('verifies an untouched archive, checkpoints included', async () => {
    const corpId = await corpWithRecords(10);
    await h.db.transaction((tx) => h.get(ArchiveService).append(tx, [ownRecord(corpId, 'admin', 'admin_action', 'test.after', {})]));
    expect(await verify(corpId)).toEqual({
      ok: true,
      recordsChecked: 11,
      checkpointsChecked: 1,
      firstBadSeq: 0,
      firstBadEventId: '',
      reason: '',
    } satisfies auditV1.VerifyArchiveResponse);
  });

  it('checks checkpoints in chain order, however many there are', async () => {
    const corpId = await corpWithRecords(1);
    for (let i = 0; i < 11; i++) {
      await h.db.transaction((tx) => h.get(ArchiveService).append(tx, [ownRecord(corpId, 'admin', 'admin_action', 'test.step', { i })]));
      await h.get(CheckpointService).checkpoint(corpId);
    }
    expect(await verify(corpId)).toMatchObject({ ok: true, recordsChecked: 12, checkpointsChecked: 12 });
  });

  it('locates a single edited row', async () => {
    const corpId = await corpWithRecords(10);
    await behindTheServiceBack([
      `UPDATE audit_records SET ciphertext = set_byte(ciphertext, 0, (get_byte(ciphertext, 0) + 1) % 256) WHERE corp_id = $1 AND seq = 4`,
      [corpId],
    ]);
    expect(await verify(corpId)).toMatchObject({ ok: false, firstBadSeq: 4, reason: expect.stringContaining('altered') });
  });

  it('locates a deleted row', async () => {
    const corpId = await corpWithRecords(10);
    await behindTheServiceBack([`DELETE FROM audit_records WHERE corp_id = $1 AND seq = 5`, [corpId]]);
    expect(await verify(corpId)).toMatchObject({ ok: false, firstBadSeq: 5, reason: expect.stringContaining('missing') });
  });

  it('notices the newest row deleted', async () => {
    const corpId = await corpWithRecords(6, false);
    await behindTheServiceBack([`DELETE FROM audit_records WHERE corp_id = $1 AND seq = 6`, [corpId]]);
    expect(await verify(corpId)).toMatchObject({ ok: false, firstBadSeq: 6, reason: expect.stringContaining('missing') });
  });

  it('locates two rows swapped', async () => {
    const corpId = await corpWithRecords(10);
    await behindTheServiceBack(
      [`UPDATE audit_records SET seq = -1 WHERE corp_id = $1 AND seq = 6`, [corpId]],
      [`UPDATE audit_records SET seq = 6 WHERE corp_id = $1 AND seq = 7`, [corpId]],
      [`UPDATE audit_records SET seq = 7 WHERE corp_id = $1 AND seq = -1`, [corpId]],
    );
    expect(await verify(corpId)).toMatchObject({ ok: false, firstBadSeq: 6 });
  });

  it('catches a rewritten chain (every later hash recomputed) by its signed checkpoint', async () => {
    const corpId = await corpWithRecords(10);
    const records = await new ArchiveRepository().page(h.db, corpId, 0, 100);
    let prev = records[2].prevHash;
    const statements: [string, unknown[]][] = [];
    for (const record of records.slice(2)) {
      const forged = { ...record, actor: record.seq === 3 ? 'someone-else' : record.actor };
      const hash = chainHash(prev, forged);
      statements.push([
        `UPDATE audit_records SET actor = $3, prev_hash = $4, hash = $5 WHERE corp_id = $1 AND seq = $2`,
        [corpId, record.seq, forged.actor, prev, hash],
      ]);
      prev = hash;
    }
    statements.push([`UPDATE audit_chain_heads SET hash = $2 WHERE corp_id = $1`, [corpId, prev]]);
    await behindTheServiceBack(...statements);
    expect(await verify(corpId)).toMatchObject({ ok: false, firstBadSeq: 1, reason: expect.stringContaining('signed checkpoint') });
  });

  it('exports checkpoints that anyone can check with the public key', async () => {
    const corpId = await corpWithRecords(5);
    await h.db.transaction((tx) => h.get(ArchiveService).append(tx, [ownRecord(corpId, 'admin', 'admin_action', 'test.more', {})]));
    const created = await h.call(superAdmin(corpId), (c, md) => c.createCheckpoint({}, md));
    expect(created.checkpoint).toMatchObject({ fromSeq: 6, toSeq: 6 });
    expect((await h.call(superAdmin(corpId), (c, md) => c.createCheckpoint({}, md))).checkpoint).toBeUndefined();
    const { json } = await h.call(superAdmin(corpId), (c, md) => c.exportCheckpoints({}, md));
    const exported = JSON.parse(json) as { publicKeyPem: string; checkpoints: { statement: string; signature: string }[] };
    expect(exported.checkpoints).toHaveLength(2);
    for (const c of exported.checkpoints) {
      expect(edVerify(null, Buffer.from(c.statement), createPublicKey(exported.publicKeyPem), Buffer.from(c.signature, 'base64'))).toBe(
        true,
      );
      expect(JSON.parse(c.statement)).toMatchObject({ corpId });
    }
  });
});
