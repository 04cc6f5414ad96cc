import { constants, createDecipheriv, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import {
  auditV1,
  DepartmentCreated,
  DepartmentMoved,
  MemberCreated,
  MemberDeleted,
  MemberOffboarded,
  MemberUpdated,
  MessageRecalled,
} from '@atrium/contracts';
import { eventually } from '@atrium/testing';
import { findInvisibleTokens, rowMark } from '../src/exports/export-format';
import { RetentionService } from '../src/retention/retention.service';
import { AuditHarness, member, MessageInput, newCorp, superAdmin } from './audit-harness';

jest.setTimeout(120_000);

const DAY_MS = 86_400_000;

/** What a third-party archive tool does with a pulled record and the corp's private key. */
function decryptPulled(privateKeyPem: string, r: auditV1.PulledRecord): Record<string, unknown> {
  const key = privateDecrypt(
    { key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    Buffer.from(r.encryptRandomKey, 'base64'),
  );
  const packed = Buffer.from(r.encryptChatMsg, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, 12));
  decipher.setAAD(Buffer.from(r.msgid, 'utf8'));
  decipher.setAuthTag(packed.subarray(packed.length - 16));
  return JSON.parse(Buffer.concat([decipher.update(packed.subarray(12, packed.length - 16)), decipher.final()]).toString('utf8')) as Record<
    string,
    unknown
  >;
}

const emptyFilter = (): auditV1.ArchiveFilter => ({
  conversationId: '',
  participants: [],
  departmentId: 0,
  fromTime: '',
  toTime: '',
  messageType: '',
  keyword: '',
});

describe('compliance officers on the archive', () => {
  let h: AuditHarness;

  beforeAll(async () => {
    // Small export chunks: a few dozen records make a file of several chunks.
    h = await AuditHarness.start({ exportChunkRecords: 4 });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  const waitFor = (corpId: string, where: string, n: number, what: string) =>
    eventually(
      () => h.recordCount(corpId, where),
      (count) => count >= n,
      30_000,
      what,
    );
  const sendAll = async (corpId: string, inputs: Omit<MessageInput, 'corpId'>[]) => {
    const before = await h.recordCount(corpId, `event_type = 'messaging.message.sent'`);
    for (const input of inputs) await h.sendMessage({ corpId, ...input });
    await waitFor(corpId, `event_type = 'messaging.message.sent'`, before + inputs.length, `${inputs.length} messages`);
  };
  const grant = (corpId: string, userid: string, departmentIds: number[] = []) =>
    h.call(superAdmin(corpId), (c, md) => c.grantComplianceOfficer({ userid, departmentIds }, md));
  const search = (corpId: string, userid: string, filter: Partial<auditV1.ArchiveFilter> = {}, pageSize = 50) =>
    h.call(member(corpId, userid), (c, md) =>
      c.searchArchive(
        {
          conversationId: '',
          participant: '',
          fromTime: '',
          toTime: '',
          messageType: '',
          keyword: '',
          pageSize,
          pageToken: '',
          filter: { ...emptyFilter(), ...filter },
        },
        md,
      ),
    );
  const texts = (r: { messages: auditV1.ArchivedMessage[] }) =>
    r.messages.map((m) => (JSON.parse(m.contentJson) as { message: { content: { text: string } } }).message.content.text);
  const department = (corpId: string, id: number, path: number[]) =>
    h.publish(DepartmentCreated, corpId, {
      corpId,
      actor: 'admin',
      department: { id, parentId: path[path.length - 2] ?? 0, name: `d${id}`, nameEn: '', order: 0, path, leaders: [] },
    });
  const memberIn = (corpId: string, userid: string, departments: number[]) =>
    h.publish(MemberCreated, corpId, {
      corpId,
      actor: 'admin',
      member: { userid, name: userid, status: 'active', departments, mainDepartment: departments[0], directLeaders: [] },
    });
  const projected = (corpId: string, table: string, n: number) =>
    eventually(
      async () => (await h.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table} WHERE corp_id = $1`, [corpId]))[0].n,
      (count) => count >= n,
      30_000,
      `${n} rows of ${table}`,
    );

  it("ends an officer's grant when the member is offboarded or deleted, and archives why", async () => {
    const corpId = newCorp('endings');
    for (const userid of ['stays', 'leaves', 'goes']) await grant(corpId, userid);
    await h.publish(MemberOffboarded, corpId, { corpId, actor: 'admin', userid: 'leaves', successorUserid: 'stays' });
    await h.publish(MemberDeleted, corpId, { corpId, actor: 'admin', userid: 'goes' });
    const officers = async () =>
      (await h.call(superAdmin(corpId), (c, md) => c.listComplianceOfficers({}, md))).officers.map((o) => o.userid);
    await eventually(officers, (list) => list.length === 1, 60_000, 'the grants of the offboarded and the deleted member ended');
    expect(await officers()).toEqual(['stays']);
    await waitFor(corpId, `event_type = 'audit.officer.revoked'`, 2, 'the two revocations archived');
  });

  describe('department scopes', () => {
    const corpId = newCorp('scope');

    beforeAll(async () => {
      // 1 ─┬─ 2 (Sales) ── 3 (Sales East)
      //    └─ 4 (Ops)
      await department(corpId, 2, [1, 2]);
      await department(corpId, 3, [1, 2, 3]);
      await department(corpId, 4, [1, 4]);
      await memberIn(corpId, 'alice', [3]);
      await memberIn(corpId, 'bob', [4]);
      await memberIn(corpId, 'carol', [4]);
      await h.createConversation(corpId, 'sales-chat', ['alice', 'carol']);
      await h.createConversation(corpId, 'ops-chat', ['bob', 'carol']);
      await projected(corpId, 'audit_departments', 3);
      await projected(corpId, 'audit_member_departments', 3);
      await projected(corpId, 'audit_conversation_roster', 4);
      const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
      await sendAll(corpId, [
        { conversationId: 'sales-chat', sender: 'carol', text: '报价单发你了', sentAt: minutesAgo(30) },
        { conversationId: 'ops-chat', sender: 'carol', text: '服务器报价太高', sentAt: minutesAgo(20) },
        { conversationId: 'ops-chat', sender: 'bob', text: 'ok', sentAt: minutesAgo(10) },
      ]);
      await grant(corpId, 'whole');
      await grant(corpId, 'sales-officer', [2]);
      await grant(corpId, 'ops-officer', [4]);
    });

    it('shows a scoped officer only conversations with a participant in their subtree', async () => {
      expect(texts(await search(corpId, 'sales-officer'))).toEqual(['报价单发你了']);
      expect(texts(await search(corpId, 'sales-officer', { keyword: '报价' }))).toEqual(['报价单发你了']);
      // carol (Ops) is in both conversations.
      expect(texts(await search(corpId, 'ops-officer'))).toEqual(['ok', '服务器报价太高', '报价单发你了']);
      expect(texts(await search(corpId, 'whole', { keyword: '报价' }))).toEqual(['服务器报价太高', '报价单发你了']);
      const listed = await h.call(superAdmin(corpId), (c, md) => c.listComplianceOfficers({}, md));
      expect(listed.officers.find((o) => o.userid === 'sales-officer')?.departmentIds).toEqual([2]);
    });

    it('filters by department and by several participants', async () => {
      expect(texts(await search(corpId, 'whole', { departmentId: 3 }))).toEqual(['报价单发你了']);
      expect(texts(await search(corpId, 'whole', { participants: ['alice', 'bob'] }))).toEqual(['ok', '服务器报价太高', '报价单发你了']);
      // A department filter narrows a scope, never widens it: Ops' own chat stays out of Sales' sight.
      expect(texts(await search(corpId, 'sales-officer', { departmentId: 4 }))).toEqual(['报价单发你了']);
      expect(texts(await search(corpId, 'ops-officer', { departmentId: 3 }))).toEqual(['报价单发你了']);
    });

    it('judges each record by the departments of its participants when it was archived', async () => {
      // alice moves to Ops: what she said in Sales stays Sales', what she says now is not.
      await h.publish(MemberUpdated, corpId, {
        corpId,
        actor: 'admin',
        member: { userid: 'alice', name: 'alice', status: 'active', departments: [4], mainDepartment: 4, directLeaders: [] },
        changed: ['departments'],
      });
      await eventually(
        async () =>
          (
            await h.db.query<{ ids: string[] }[]>(
              `SELECT department_ids::text[] AS ids FROM audit_member_departments WHERE corp_id = $1 AND userid = 'alice'`,
              [corpId],
            )
          )[0]?.ids,
        (ids) => ids?.[0] === '4',
        30_000,
        'alice in Ops',
      );
      await sendAll(corpId, [{ conversationId: 'sales-chat', sender: 'alice', text: '我调到运维了' }]);
      expect(texts(await search(corpId, 'sales-officer'))).toEqual(['报价单发你了']);
      expect(texts(await search(corpId, 'ops-officer', { conversationId: 'sales-chat' }))).toEqual(['我调到运维了', '报价单发你了']);
    });

    it('moves a department with its whole subtree', async () => {
      await h.publish(DepartmentMoved, corpId, {
        corpId,
        actor: 'admin',
        department: { id: 2, parentId: 4, name: 'd2', nameEn: '', order: 0, path: [1, 4, 2], leaders: [] },
        fromParentId: 1,
      });
      await eventually(
        async () =>
          (
            await h.db.query<{ path: string }[]>(
              `SELECT path::text AS path FROM audit_departments WHERE corp_id = $1 AND department_id = 3`,
              [corpId],
            )
          )[0]?.path,
        (path) => path === '{1,4,2,3}',
        30_000,
        'the subtree moved',
      );
    });

    it('keeps the scope in context, export and pull', async () => {
      const [opsHit] = (await search(corpId, 'whole', { keyword: '服务器' })).messages;
      await expect(
        h.call(member(corpId, 'sales-officer'), (c, md) => c.getRecordContext({ eventId: opsHit.eventId, before: 5, after: 5 }, md)),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const created = await h.call(member(corpId, 'sales-officer'), (c, md) =>
        c.createArchiveExport({ filter: emptyFilter(), format: 'jsonl', maxRecords: 0 }, md),
      );
      const file = await readExport(corpId, 'sales-officer', created.export!.id);
      expect(
        file
          .trimEnd()
          .split('\n')
          .slice(1)
          .map((line) => (JSON.parse(line) as { text: string }).text.replace(/\u2063|\u200b|\u200c|\u200d|\u2060/gu, '')),
      ).toEqual(['报价单发你了']);
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      await h.call(superAdmin(corpId), (c, md) =>
        c.registerArchivePublicKey({ publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }, md),
      );
      const pulled = await h.call(member(corpId, 'sales-officer'), (c, md) => c.pullArchive({ seq: 0, limit: 100, pullToken: '' }, md));
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      expect(pulled.chatdata.map((r) => (decryptPulled(pem, r).text as { content: string }).content)).toEqual(['报价单发你了']);
    });
  });

  const readExport = async (corpId: string, userid: string, exportId: string) => {
    let data = '';
    let chunkToken = '';
    let chunks = 0;
    do {
      const chunk = await h.call(member(corpId, userid), (c, md) => c.readArchiveExport({ exportId, chunkToken }, md));
      data += chunk.data;
      chunkToken = chunk.nextChunkToken;
      chunks++;
    } while (chunkToken && chunks < 100);
    return data;
  };

  describe('context and exports', () => {
    const corpId = newCorp('export');
    const base = new Date('2025-04-01T09:00:00Z');
    const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000);
    const lines = [
      '周一上午开会',
      '好的',
      '=HYPERLINK("http://evil.example","点我")',
      '合同的预算需要再确认',
      '收到, "预算" 我来看',
      '-1+1',
      '@here 明天交付',
      '最后一条',
    ];

    beforeAll(async () => {
      await h.createConversation(corpId, 'deal', ['alice', 'bob']);
      await sendAll(
        corpId,
        lines.map((text, i) => ({ conversationId: 'deal', sender: i % 2 ? 'bob' : 'alice', text, sentAt: at(i) })),
      );
      await sendAll(corpId, [{ conversationId: 'other', sender: 'zed', text: '预算无关', sentAt: at(3) }]);
      await grant(corpId, 'officer');
      await grant(corpId, 'second');
    });

    it('opens the messages around a hit, in order, and archives the look', async () => {
      const [hit] = (await search(corpId, 'officer', { keyword: '合同' })).messages;
      const context = await h.call(member(corpId, 'officer'), (c, md) =>
        c.getRecordContext({ eventId: hit.eventId, before: 2, after: 2 }, md),
      );
      expect(texts({ messages: context.before })).toEqual([lines[1], lines[2]]);
      expect(texts({ messages: [context.record!] })).toEqual([lines[3]]);
      expect(texts({ messages: context.after })).toEqual([lines[4], lines[5]]);
      const edge = await h.call(member(corpId, 'officer'), (c, md) =>
        c.getRecordContext({ eventId: hit.eventId, before: 50, after: 0 }, md),
      );
      expect(texts({ messages: edge.before })).toEqual(lines.slice(0, 3));
      expect(edge.after).toEqual([]);
      expect(await h.recordCount(corpId, `event_type = 'audit.archive.context_viewed' AND actor = 'officer'`)).toBe(2);
      await expect(
        h.call(member(corpId, 'alice'), (c, md) => c.getRecordContext({ eventId: hit.eventId, before: 1, after: 1 }, md)),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(
        h.call(member(corpId, 'officer'), (c, md) => c.getRecordContext({ eventId: hit.eventId, before: 51, after: 1 }, md)),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('exports JSONL in chunks with a watermark and a token in every row that leads back to the export', async () => {
      const { export: created } = await h.call(member(corpId, 'officer'), (c, md) =>
        c.createArchiveExport({ filter: { ...emptyFilter(), conversationId: 'deal' }, format: 'jsonl', maxRecords: 0 }, md),
      );
      expect(created).toMatchObject({ officer: 'officer', format: 'jsonl', maxRecords: 100_000, completedAt: '' });
      const file = await readExport(corpId, 'officer', created!.id);
      const [header, ...rows] = file
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, string>);
      expect(header).toMatchObject({ exportId: created!.id, corpId, officer: 'officer', format: 'atrium-compliance-export/v1' });
      expect(header.watermark).toContain(`Atrium compliance export ${created!.id} of corp ${corpId}, by compliance officer officer`);
      expect(rows.map((r) => r.text.replace(/\u2063|\u200b|\u200c|\u200d|\u2060/gu, ''))).toEqual([...lines].reverse());
      for (const row of rows) {
        const [token] = findInvisibleTokens(row.text);
        expect(row.mark).toBe(rowMark(token, Number(row.seq)));
      }
      // A single leaked line is enough; so is a row's visible mark and seq.
      const leaked = rows[3].text;
      const traced = await h.call(member(corpId, 'second'), (c, md) =>
        c.traceArchiveExport({ text: `fwd: ${leaked}`, mark: '', seq: 0 }, md),
      );
      expect(traced).toMatchObject({ matchedBy: 'token', export: { id: created!.id, officer: 'officer', recordCount: lines.length } });
      expect(traced.export!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      const byMark = await h.call(superAdmin(corpId), (c, md) =>
        c.traceArchiveExport({ text: '', mark: rows[0].mark, seq: Number(rows[0].seq) }, md),
      );
      expect(byMark).toMatchObject({ matchedBy: 'mark', export: { id: created!.id } });
      const none = await h.call(superAdmin(corpId), (c, md) =>
        c.traceArchiveExport({ text: 'clean text', mark: 'deadbeefdeadbeef', seq: 1 }, md),
      );
      expect(none).toEqual({ matchedBy: '' });

      const listed = await h.call(superAdmin(corpId), (c, md) => c.listArchiveExports({}, md));
      expect(listed.exports.find((e) => e.id === created!.id)).toMatchObject({
        recordCount: lines.length,
        completedAt: expect.any(String),
      });
      expect(listed.exports.find((e) => e.id === created!.id)!.completedAt).not.toBe('');
      expect(
        await h.recordCount(corpId, `event_type IN ('audit.archive.export_created', 'audit.archive.exported')`),
      ).toBeGreaterThanOrEqual(2);
      // Only its officer reads an export.
      await expect(
        h.call(member(corpId, 'second'), (c, md) => c.readArchiveExport({ exportId: created!.id, chunkToken: '' }, md)),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('exports CSV by keyword and time, formula-safe and RFC 4180 quoted', async () => {
      const filter = { ...emptyFilter(), keyword: '预算', fromTime: at(0).toISOString(), toTime: at(10).toISOString() };
      const { export: created } = await h.call(member(corpId, 'officer'), (c, md) =>
        c.createArchiveExport({ filter, format: 'csv', maxRecords: 0 }, md),
      );
      const csv = await readExport(corpId, 'officer', created!.id);
      const records = csv.split('\r\n');
      expect(records[0]).toContain(`Atrium compliance export ${created!.id}`);
      expect(records[1]).toBe('seq,event_id,sent_at,conversation_id,sender,message_type,event_type,text,content_json,mark');
      expect(records.slice(2, -1).map((r) => r.split(',')[3])).toEqual(['deal', 'other', 'deal']);
      expect(records[2]).toContain('"收到, ""预算"" 我来看');
      expect(records[records.length - 1]).toBe('');

      const { export: all } = await h.call(member(corpId, 'officer'), (c, md) =>
        c.createArchiveExport({ filter: { ...emptyFilter(), conversationId: 'deal' }, format: 'csv', maxRecords: 3 }, md),
      );
      const limited = (await readExport(corpId, 'officer', all!.id)).split('\r\n');
      expect(limited).toHaveLength(2 + 3 + 1);
      const everything = await readExport(
        corpId,
        'officer',
        (
          await h.call(member(corpId, 'officer'), (c, md) =>
            c.createArchiveExport({ filter: { ...emptyFilter(), conversationId: 'deal' }, format: 'csv', maxRecords: 0 }, md),
          )
        ).export!.id,
      );
      expect(everything).toContain(`,"'=HYPERLINK(""http://evil.example"",""点我"")`);
      expect(everything).toContain(`,'-1+1`);
      expect(everything).toContain(`,'@here 明天交付`);
      expect(everything).not.toMatch(/,[=+@-]/);
    });

    it('refuses exports to anyone but an officer, and bad requests', async () => {
      await expect(
        h.call(superAdmin(corpId), (c, md) => c.createArchiveExport({ filter: emptyFilter(), format: 'jsonl', maxRecords: 0 }, md)),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(
        h.call(member(corpId, 'officer'), (c, md) => c.createArchiveExport({ filter: emptyFilter(), format: 'xlsx', maxRecords: 0 }, md)),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(
        h.call(member(corpId, 'officer'), (c, md) =>
          c.createArchiveExport({ filter: emptyFilter(), format: 'csv', maxRecords: 100_001 }, md),
        ),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('legal holds and retention', () => {
    const corpId = newCorp('hold');
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const daysAgo = (n: number) => new Date(today - n * DAY_MS + 3_600_000);
    const destroyedDays = async (corp: string) =>
      (
        await h.db.query<{ day: string }[]>(
          `SELECT to_char(bucket, 'YYYY-MM-DD') AS day FROM audit_data_keys WHERE corp_id = $1 AND purpose = 'record' AND destroyed_at IS NOT NULL
            ORDER BY bucket`,
          [corp],
        )
      ).map((r) => r.day);

    beforeAll(async () => {
      await h.createConversation(corpId, 'litigation', ['alice', 'bob']);
      await h.createConversation(corpId, 'lunch', ['carol', 'dave']);
      await sendAll(corpId, [
        { conversationId: 'litigation', sender: 'alice', text: 'held: the contract draft', sentAt: daysAgo(10) },
        { conversationId: 'lunch', sender: 'carol', text: 'same day: lunch at noon', sentAt: daysAgo(10) },
        { conversationId: 'lunch', sender: 'dave', text: 'older: pizza again', sentAt: daysAgo(12) },
        { conversationId: 'lunch', sender: 'dave', text: 'fresh: soup today', sentAt: daysAgo(1) },
      ]);
      await grant(corpId, 'officer');
      await h.call(superAdmin(corpId), (c, md) => c.setArchivePolicy({ policy: { archivingEnabled: true, retentionDays: 7 } }, md));
    });

    it('keeps the day key of held records past retention, shreds the others, and hides the unheld ones', async () => {
      await expect(
        h.call(member(corpId, 'alice'), (c, md) =>
          c.createLegalHold({ name: 'x', reason: '', participants: [], conversationIds: ['litigation'], fromTime: '', toTime: '' }, md),
        ),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(
        h.call(member(corpId, 'officer'), (c, md) =>
          c.createLegalHold({ name: 'nothing', reason: '', participants: [], conversationIds: [], fromTime: '', toTime: '' }, md),
        ),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      const { hold } = await h.call(member(corpId, 'officer'), (c, md) =>
        c.createLegalHold(
          { name: 'Case 42', reason: 'subpoena', participants: [], conversationIds: ['litigation'], fromTime: '', toTime: '' },
          md,
        ),
      );
      expect(hold).toMatchObject({ name: 'Case 42', conversationIds: ['litigation'], createdBy: 'officer', releasedAt: '' });

      expect(await h.get(RetentionService).sweep()).toBe(1);
      expect(await destroyedDays(corpId)).toEqual([daysAgo(12).toISOString().slice(0, 10)]);
      // The held day's key survives; that day's unheld message stays hidden past retention.
      expect(texts(await search(corpId, 'officer'))).toEqual(['fresh: soup today', 'held: the contract draft']);
      const [shredding] = await h.db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM audit_records WHERE corp_id = $1 AND event_type = 'audit.retention.shredded'`,
        [corpId],
      );
      expect(shredding.n).toBe(1);

      const listed = await h.call(superAdmin(corpId), (c, md) => c.listLegalHolds({ includeReleased: false }, md));
      expect(listed.holds.map((x) => x.id)).toEqual([hold!.id]);
      const released = await h.call(superAdmin(corpId), (c, md) => c.releaseLegalHold({ id: hold!.id }, md));
      expect(released.hold).toMatchObject({ releasedBy: 'admin', releasedAt: expect.any(String) });
      expect(await h.call(superAdmin(corpId), (c, md) => c.listLegalHolds({ includeReleased: false }, md))).toEqual({ holds: [] });
      expect(await h.recordCount(corpId, `event_type IN ('audit.hold.created', 'audit.hold.released')`)).toBe(2);

      expect(await h.get(RetentionService).sweep()).toBe(1);
      expect(texts(await search(corpId, 'officer'))).toEqual(['fresh: soup today']);
      expect(await h.call(superAdmin(corpId), (c, md) => c.verifyArchive({}, md))).toMatchObject({ ok: true });
    });

    it('leaves legal holds to officers of the whole corp: a department-scoped officer may not place or release one', async () => {
      await grant(corpId, 'branch-officer', [2]);
      const request = { name: 'Branch case', reason: '', participants: ['alice'], conversationIds: [], fromTime: '', toTime: '' };
      await expect(h.call(member(corpId, 'branch-officer'), (c, md) => c.createLegalHold(request, md))).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('whole corp'),
      });
      const { hold } = await h.call(member(corpId, 'officer'), (c, md) => c.createLegalHold(request, md));
      await expect(h.call(member(corpId, 'branch-officer'), (c, md) => c.releaseLegalHold({ id: hold!.id }, md))).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      const released = await h.call(member(corpId, 'officer'), (c, md) => c.releaseLegalHold({ id: hold!.id }, md));
      expect(released.hold).toMatchObject({ releasedBy: 'officer', releasedAt: expect.any(String) });
    });

    it('holds by participant and time range against a sweep run as of a later day', async () => {
      const other = newCorp('hold2');
      await h.createConversation(other, 'g', ['erin', 'frank']);
      await sendAll(other, [
        { conversationId: 'g', sender: 'frank', text: 'in range', sentAt: daysAgo(3) },
        { conversationId: 'g', sender: 'frank', text: 'out of range', sentAt: daysAgo(5) },
      ]);
      await grant(other, 'officer');
      await h.call(superAdmin(other), (c, md) => c.setArchivePolicy({ policy: { archivingEnabled: true, retentionDays: 30 } }, md));
      await h.call(member(other, 'officer'), (c, md) =>
        c.createLegalHold(
          { name: 'erin', reason: '', participants: ['erin'], conversationIds: [], fromTime: daysAgo(4).toISOString(), toTime: '' },
          md,
        ),
      );
      // As if 40 days had passed: every day is past retention; erin's conversation since day -4 is held.
      await h.get(RetentionService).sweep(new Date(Date.now() + 40 * DAY_MS));
      expect(await destroyedDays(other)).toEqual([daysAgo(5).toISOString().slice(0, 10)]);
      expect(texts(await search(other, 'officer'))).toEqual(['in range']);
    });
  });

  describe('msgaudit-style pull', () => {
    const corpId = newCorp('pull');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    let recalledId = '';

    beforeAll(async () => {
      await h.createConversation(corpId, 'team', ['alice', 'bob', 'carol']);
      await sendAll(
        corpId,
        ['第一条', '第二条', '第三条', '第四条', '第五条'].map((text, i) => ({
          conversationId: 'team',
          sender: i % 2 ? 'bob' : 'alice',
          text,
        })),
      );
      const recalled = await h.publish(MessageRecalled, corpId, {
        corpId,
        conversationId: 'team',
        messageId: 'm-1',
        seq: 1,
        actor: 'alice',
      });
      recalledId = recalled.id;
      await waitFor(corpId, `event_type = 'messaging.message.recalled'`, 1, 'the recall');
      await grant(corpId, 'officer');
    });

    it('returns records after a seq, encrypted to the newest public key, that a tool decrypts with its private key', async () => {
      await expect(
        h.call(member(corpId, 'officer'), (c, md) => c.pullArchive({ seq: 0, limit: 10, pullToken: '' }, md)),
      ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', details: { reason: 'NO_PUBLIC_KEY' } });
      await expect(
        h.call(member(corpId, 'officer'), (c, md) => c.registerArchivePublicKey({ publicKeyPem: publicPem }, md)),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(
        h.call(superAdmin(corpId), (c, md) =>
          c.registerArchivePublicKey(
            {
              publicKeyPem: generateKeyPairSync('rsa', { modulusLength: 1024 })
                .publicKey.export({ type: 'spki', format: 'pem' })
                .toString(),
            },
            md,
          ),
        ),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      const old = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      await h.call(superAdmin(corpId), (c, md) => c.registerArchivePublicKey({ publicKeyPem: old }, md));
      const { key } = await h.call(superAdmin(corpId), (c, md) => c.registerArchivePublicKey({ publicKeyPem: publicPem }, md));
      expect(key).toMatchObject({ version: 2, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const keys = await h.call(member(corpId, 'officer'), (c, md) => c.listArchivePublicKeys({}, md));
      expect(keys.keys.map((k) => k.version)).toEqual([2, 1]);

      const pulled: auditV1.PulledRecord[] = [];
      let seq = 0;
      for (;;) {
        const page = await h.call(member(corpId, 'officer'), (c, md) => c.pullArchive({ seq, limit: 4, pullToken: '' }, md));
        expect(page.chatdata.length).toBeLessThanOrEqual(4);
        if (page.chatdata.length === 0) break;
        pulled.push(...page.chatdata);
        seq = page.nextSeq;
      }
      const seqs = pulled.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(6);
      expect(pulled.every((r) => r.publickeyVer === 2)).toBe(true);
      const messages = pulled.map((r) => decryptPulled(privatePem, r));
      expect(messages.slice(0, 5).map((m) => (m.text as { content: string }).content)).toEqual([
        '第一条',
        '第二条',
        '第三条',
        '第四条',
        '第五条',
      ]);
      expect(messages[0]).toMatchObject({ action: 'send', from: 'alice', tolist: ['bob', 'carol'], roomid: 'team', msgtype: 'text' });
      expect(messages[0].msgid).toBe(pulled[0].msgid);
      expect(messages[5]).toMatchObject({ msgid: recalledId, action: 'recall', msgtype: 'revoke', revoke: { pre_msgid: 'm-1' } });
      // A tampered record does not decrypt.
      const tampered = { ...pulled[0], msgid: pulled[1].msgid };
      expect(() => decryptPulled(privatePem, tampered)).toThrow();
      expect(await h.recordCount(corpId, `event_type = 'audit.archive.pulled' AND actor = 'officer'`)).toBe(2);
      await expect(
        h.call(member(corpId, 'officer'), (c, md) => c.pullArchive({ seq: 0, limit: 1001, pullToken: '' }, md)),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('lets a tool pull with a token of the pull secret, until the secret is rotated', async () => {
      await expect(h.call(member(corpId, 'officer'), (c, md) => c.rotatePullSecret({}, md))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const { secret, version } = await h.call(superAdmin(corpId), (c, md) => c.rotatePullSecret({}, md));
      expect(version).toBe(1);
      const tool = member(corpId, 'app:msgaudit');
      await expect(h.call(tool, (c, md) => c.issuePullToken({ secret: 'wrong' }, md))).rejects.toMatchObject({
        code: 'INVALID_CREDENTIALS',
      });
      const { accessToken, expiresIn } = await h.call(tool, (c, md) => c.issuePullToken({ secret }, md));
      expect(expiresIn).toBe(7200);
      expect(Buffer.from(accessToken.split('.')[0], 'base64url').toString()).toBe(corpId);
      const page = await h.call(tool, (c, md) => c.pullArchive({ seq: 0, limit: 2, pullToken: accessToken }, md));
      expect(page.chatdata).toHaveLength(2);
      expect(page.chatdata[0].seq).toBeLessThan(page.chatdata[1].seq);
      // Without the token the tool is nobody; another corp's identity cannot use it.
      await expect(h.call(tool, (c, md) => c.pullArchive({ seq: 0, limit: 2, pullToken: '' }, md))).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(
        h.call(member(newCorp('x'), 'app:msgaudit'), (c, md) => c.pullArchive({ seq: 0, limit: 2, pullToken: accessToken }, md)),
      ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await h.call(superAdmin(corpId), (c, md) => c.rotatePullSecret({}, md));
      await expect(h.call(tool, (c, md) => c.pullArchive({ seq: 0, limit: 2, pullToken: accessToken }, md))).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    });

    it('honours the archiving policy', async () => {
      await h.call(superAdmin(corpId), (c, md) => c.setArchivePolicy({ policy: { archivingEnabled: false, retentionDays: 0 } }, md));
      await expect(h.call(superAdmin(corpId), (c, md) => c.pullArchive({ seq: 0, limit: 2, pullToken: '' }, md))).rejects.toMatchObject({
        code: 'PRECONDITION_FAILED',
        details: { reason: 'ARCHIVING_DISABLED' },
      });
      await h.call(superAdmin(corpId), (c, md) => c.setArchivePolicy({ policy: { archivingEnabled: true, retentionDays: 0 } }, md));
      expect((await h.call(superAdmin(corpId), (c, md) => c.pullArchive({ seq: 0, limit: 2, pullToken: '' }, md))).chatdata).toHaveLength(
        2,
      );
    });
  });
});
