import { randomUUID } from 'node:crypto';
import { auditV1, DepartmentCreated, MessageSent, TOPICS } from '@atrium/contracts';
import { DomainError, ReceivedMessage } from '@atrium/platform';
import { eventually, uniqueSuffix } from '@atrium/testing';
import { recordAad } from '../src/archive/archive-record';
import { indexTerms } from '../src/archive/search-terms';
import { open } from '../src/crypto/aead';
import { KeyRing } from '../src/crypto/key-ring.service';
import { IngestService } from '../src/ingest/ingest.service';
import { RetentionService } from '../src/retention/retention.service';
import { AuditHarness, member, messageSentPayload, newCorp, superAdmin } from './audit-harness';

jest.setTimeout(120_000);

describe('audit archive', () => {
  let h: AuditHarness;

  beforeAll(async () => {
    h = await AuditHarness.start();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  const messages = (corpId: string) => h.recordCount(corpId, `event_type = 'messaging.message.sent'`);
  const waitForMessages = (corpId: string, n: number) =>
    eventually(
      () => messages(corpId),
      (count) => count >= n,
      30_000,
      `${n} archived messages of ${corpId}`,
    );
  const grantOfficer = (corpId: string, userid = 'officer') =>
    h.call(superAdmin(corpId), (c, md) => c.grantComplianceOfficer({ userid, departmentIds: [] }, md));
  const search = (corpId: string, request: Partial<auditV1.SearchArchiveRequest>, userid = 'officer') =>
    h.call(member(corpId, userid), (c, md) =>
      c.searchArchive(
        {
          conversationId: '',
          participant: '',
          fromTime: '',
          toTime: '',
          messageType: '',
          keyword: '',
          pageSize: 20,
          pageToken: '',
          ...request,
        },
        md,
      ),
    );
  const decryptAll = async (corpId: string) => {
    const keys = h.get(KeyRing);
    const rows = await h.db.query<{ event_id: string; data_key_id: string; nonce: Buffer; ciphertext: Buffer }[]>(
      `SELECT event_id, data_key_id::text AS data_key_id, nonce, ciphertext FROM audit_records WHERE corp_id = $1 ORDER BY seq`,
      [corpId],
    );
    return Promise.all(
      rows.map(async (r) => {
        const key = await keys.keyById(corpId, r.data_key_id);
        return JSON.parse(open(key!, r, recordAad(corpId, r.event_id, r.data_key_id)).toString('utf8')) as { id: string };
      }),
    );
  };

  describe('ingest', () => {
    it('archives each message once, encrypted, even when the relay publishes it again', async () => {
      const corpId = newCorp();
      const sent = await h.sendMessage({ corpId, conversationId: 'c1', sender: 'alice', text: 'the quarterly numbers are final' });
      await waitForMessages(corpId, 1);
      // As if the relay crashed after Kafka acknowledged: the same event is published twice.
      await h.producer.query(`UPDATE platform_outbox SET published_at = NULL WHERE event_id = $1`, [sent.id]);
      await h.sendMessage({ corpId, conversationId: 'c1', sender: 'bob', text: 'second' });
      await waitForMessages(corpId, 2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await messages(corpId)).toBe(2);

      const [row] = await h.db.query<{ ciphertext: Buffer; nonce: Buffer }[]>(
        `SELECT ciphertext, nonce FROM audit_records WHERE event_id = $1`,
        [sent.id],
      );
      expect(row.nonce).toHaveLength(12);
      expect(row.ciphertext.toString('utf8')).not.toContain('quarterly');
      expect((await decryptAll(corpId)).map((d) => d.id)).toContain(sent.id);
    });

    it('keeps its own unique record id: the same event handed over twice leaves one record', async () => {
      const corpId = newCorp();
      const envelope = {
        id: randomUUID(),
        type: MessageSent.type,
        version: 1,
        corpId,
        occurredAt: new Date().toISOString(),
        payload: MessageSent.schema.parse({
          corpId,
          conversationId: 'c',
          message: {
            id: 'm',
            conversationId: 'c',
            seq: 1,
            sender: 'a',
            clientMsgId: 'x',
            type: 'text',
            content: { text: 'hi' },
            sentAt: new Date().toISOString(),
          },
        }),
      };
      const ingest = h.get(IngestService);
      for (let i = 0; i < 2; i++) await h.db.transaction((tx) => ingest.archiveEvent(tx, envelope, MessageSent));
      expect(await h.recordCount(corpId)).toBe(1);
    });

    it('writes a large batch (binary COPY) as a small one (INSERT): duplicates left out, chain verified, rows and index terms as computed', async () => {
      const corpId = newCorp();
      const start = Date.now() - 3 * 86_400_000;
      const texts: string[] = [];
      const envelopeOf = (i: number) => {
        // Chinese and Latin text, non-ASCII everywhere, over three UTC days (three data keys).
        const text = i % 2 ? `第${i}次预算会议，客户说：“好”` : `budget review ${i}: naïve café — ünïcode`;
        texts.push(text);
        return {
          id: randomUUID(),
          type: MessageSent.type,
          version: 1,
          corpId,
          occurredAt: new Date().toISOString(),
          payload: MessageSent.schema.parse(
            messageSentPayload({
              corpId,
              conversationId: `c-${i % 3}`,
              sender: `用户-${i % 4}`,
              text,
              sentAt: new Date(start + i * 3_600_000 + 1),
            }),
          ),
        };
      };
      const events = Array.from({ length: 60 }, (_, i) => envelopeOf(i));
      const ingest = h.get(IngestService);
      const archive = (list: typeof events) =>
        h.db.transaction((tx) =>
          ingest.archiveBatch(
            tx,
            list.map((envelope) => ({ envelope, definition: MessageSent })),
          ),
        );
      expect(await archive(events.slice(0, 20))).toBe(20);
      // 10 archived already, 40 new, 5 of them twice in the batch.
      expect(await archive([...events.slice(10, 60), ...events.slice(30, 35)])).toBe(40);
      const tail = [envelopeOf(60), envelopeOf(61)];
      expect(await archive(tail)).toBe(2);
      const all = [...events, ...tail];

      expect(await h.call(superAdmin(corpId), (c, md) => c.verifyArchive({}, md))).toMatchObject({ ok: true, recordsChecked: 62 });
      expect((await decryptAll(corpId)).map((d) => d.id)).toEqual(all.map((e) => e.id));
      const rows = await h.db.query<
        { seq: number; event_id: string; occurred_at: Date; conversation_id: string; actor: string; message_type: string; kind: string }[]
      >(
        `SELECT seq::int AS seq, event_id, occurred_at, conversation_id, actor, message_type, kind FROM audit_records WHERE corp_id = $1 ORDER BY seq`,
        [corpId],
      );
      expect(rows).toEqual(
        all.map((e, i) => ({
          seq: i + 1,
          event_id: e.id,
          occurred_at: new Date(e.payload.message.sentAt),
          conversation_id: e.payload.conversationId,
          actor: e.payload.message.sender,
          message_type: 'text',
          kind: 'message',
        })),
      );
      const hash = await h.get(KeyRing).termHasher(corpId);
      const index = await h.db.query<{ seq: number; occurred_at: Date; terms: string[] }[]>(
        `SELECT seq::int AS seq, occurred_at, terms::text[] AS terms FROM audit_search_index WHERE corp_id = $1 ORDER BY seq`,
        [corpId],
      );
      expect(index).toEqual(rows.map((r, i) => ({ seq: r.seq, occurred_at: r.occurred_at, terms: indexTerms(texts[i]).map(hash) })));

      await grantOfficer(corpId);
      expect((await search(corpId, { keyword: '预算会议', pageSize: 100 })).messages).toHaveLength(31);
      expect((await search(corpId, { keyword: 'naïve café', pageSize: 100 })).messages).toHaveLength(31);
    });

    it('dead-letters a malformed event without blocking the partition', async () => {
      const corpId = newCorp();
      const conversationId = `c-${uniqueSuffix()}`;
      const deadLetters: ReceivedMessage[] = [];
      const reader = await h.producerBus.broker.subscribe({
        groupId: `dlq-${uniqueSuffix()}`,
        topics: [`${TOPICS.messaging}.dlq`],
        handle: async (m) => void deadLetters.push(m),
      });
      try {
        // Same key as the valid message after it: same partition, right before it.
        await h.producerBus.broker.publish([
          { topic: TOPICS.messaging, key: `${corpId}:${conversationId}`, value: '{"id":"not a uuid"', headers: { 'x-test': corpId } },
        ]);
        await h.sendMessage({ corpId, conversationId, sender: 'alice', text: 'after the poison' });
        await waitForMessages(corpId, 1);
        await eventually(() => deadLetters.find((m) => m.headers['x-test'] === corpId), Boolean, 30_000, 'the dead letter');
      } finally {
        await reader.stop();
      }
    });

    it('archives only admin actions for a corp with archiving off', async () => {
      const corpId = newCorp();
      await h.call(superAdmin(corpId), (c, md) => c.setArchivePolicy({ policy: { archivingEnabled: false, retentionDays: 0 } }, md));
      await h.sendMessage({ corpId, conversationId: 'c1', sender: 'alice', text: 'not archived' });
      const dept = await h.publish(DepartmentCreated, corpId, {
        corpId,
        actor: 'admin',
        department: { id: 2, parentId: 1, name: 'Sales', nameEn: '', order: 0, path: [1, 2], leaders: [] },
      });
      await eventually(
        () => h.recordCount(corpId, `event_id = '${dept.id}'`),
        (n) => n === 1,
        30_000,
        'the admin action',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await messages(corpId)).toBe(0);
      expect(await h.recordCount(corpId, `kind = 'admin_action' AND event_type = 'directory.department.created'`)).toBe(1);
    });
  });

  describe('keys', () => {
    it('binds each ciphertext to its corp, record and key: moved elsewhere it does not open', async () => {
      const corpId = newCorp();
      await h.sendMessage({ corpId, conversationId: 'c1', sender: 'a', text: 'one' });
      await h.sendMessage({ corpId, conversationId: 'c1', sender: 'a', text: 'two' });
      await waitForMessages(corpId, 2);
      const rows = await h.db.query<{ event_id: string; data_key_id: string; nonce: Buffer; ciphertext: Buffer }[]>(
        `SELECT event_id, data_key_id::text AS data_key_id, nonce, ciphertext FROM audit_records WHERE corp_id = $1 ORDER BY seq`,
        [corpId],
      );
      const key = (await h.get(KeyRing).keyById(corpId, rows[0].data_key_id))!;
      expect(() => open(key, rows[0], recordAad(corpId, rows[1].event_id, rows[0].data_key_id))).toThrow();
      expect(() => open(key, rows[0], recordAad('other-corp', rows[0].event_id, rows[0].data_key_id))).toThrow();
      expect(() => open(key, rows[0], recordAad(corpId, rows[0].event_id, rows[0].data_key_id))).not.toThrow();
    });

    it('rotates the KEK: data keys are re-wrapped and old records still decrypt', async () => {
      const corpId = newCorp();
      await h.sendMessage({ corpId, conversationId: 'c1', sender: 'a', text: 'before rotation' });
      await waitForMessages(corpId, 1);
      const before = await h.db.query<{ wrapped_key: Buffer }[]>(`SELECT wrapped_key FROM audit_data_keys WHERE corp_id = $1 ORDER BY id`, [
        corpId,
      ]);
      const rotated = await h.call(superAdmin(corpId), (c, md) => c.rotateArchiveKey({}, md));
      expect(rotated.kekVersion).toBe(2);
      expect(rotated.rewrappedKeys).toBe(before.length);
      const after = await h.db.query<{ wrapped_key: Buffer; kek_version: number }[]>(
        `SELECT wrapped_key, kek_version FROM audit_data_keys WHERE corp_id = $1 ORDER BY id`,
        [corpId],
      );
      expect(after.every((k) => k.kek_version === 2)).toBe(true);
      after.forEach((k, i) => expect(k.wrapped_key.equals(before[i].wrapped_key)).toBe(false));
      await h.sendMessage({ corpId, conversationId: 'c1', sender: 'a', text: 'after rotation' });
      await waitForMessages(corpId, 2);
      // Cached keys are forgotten: every key is unwrapped again, under KEK version 2.
      h.get(KeyRing).forget(corpId);
      await grantOfficer(corpId);
      const found = await search(corpId, { keyword: 'rotation' });
      expect(found.messages.map(textOf)).toEqual(['after rotation', 'before rotation']);
    });

    it('crypto-shreds records past retention; the chain still verifies', async () => {
      const corpId = newCorp();
      const old = new Date(Date.now() - 10 * 86_400_000);
      await h.sendMessage({ corpId, conversationId: 'c1', sender: 'a', text: 'an old secret', sentAt: old });
      await h.sendMessage({ corpId, conversationId: 'c1', sender: 'a', text: 'a fresh secret' });
      await waitForMessages(corpId, 2);
      await grantOfficer(corpId);
      await h.call(superAdmin(corpId), (c, md) => c.setArchivePolicy({ policy: { archivingEnabled: true, retentionDays: 7 } }, md));
      const indexRows = () => h.db.query<{ seq: number }[]>(`SELECT seq::int AS seq FROM audit_search_index WHERE corp_id = $1`, [corpId]);
      expect(await indexRows()).toHaveLength(2);
      expect(await h.get(RetentionService).sweep()).toBe(1);
      // The shredded record's index row went with its key.
      const [fresh] = await h.db.query<{ seq: number }[]>(
        `SELECT seq::int AS seq FROM audit_records WHERE corp_id = $1 AND kind = 'message' AND occurred_at > $2`,
        [corpId, new Date(Date.now() - 86_400_000)],
      );
      expect(await indexRows()).toEqual([{ seq: fresh.seq }]);
      const found = await search(corpId, { keyword: 'secret' });
      expect(found.messages.map(textOf)).toEqual(['a fresh secret']);
      expect(await search(corpId, {})).toMatchObject({ messages: [expect.objectContaining({ sender: 'a' })] });
      expect(await h.call(superAdmin(corpId), (c, md) => c.verifyArchive({}, md))).toMatchObject({ ok: true });
    });
  });

  describe('compliance search', () => {
    const corpId = newCorp('search');
    const base = new Date('2025-03-01T08:00:00Z');
    const at = (hours: number) => new Date(base.getTime() + hours * 3_600_000);

    beforeAll(async () => {
      await h.createConversation(corpId, 'finance', ['alice', 'bob']);
      await h.createConversation(corpId, 'ops', ['carol', 'dave']);
      const inputs = [
        { conversationId: 'finance', sender: 'alice', text: '我们需要一个词来描述这个季度的预算', sentAt: at(1) },
        { conversationId: 'finance', sender: 'bob', text: 'The Quarterly budget is approved.', sentAt: at(2) },
        { conversationId: 'ops', sender: 'carol', text: '预算已经批准了', sentAt: at(3) },
        { conversationId: 'ops', sender: 'dave', text: 'budget-2025.xlsx', sentAt: at(4), type: 'file' as const },
        { conversationId: 'ops', sender: 'carol', text: '明天的会议取消', sentAt: at(5) },
        { conversationId: 'finance', sender: 'alice', text: 'quarterly review on Friday', sentAt: at(6) },
      ];
      for (const input of inputs) await h.sendMessage({ corpId, ...input });
      await waitForMessages(corpId, inputs.length);
      await grantOfficer(corpId);
    });

    const texts = (r: auditV1.SearchArchiveResponse) =>
      r.messages.map((m) => {
        const content = JSON.parse(m.contentJson).message.content;
        return (content.text ?? content.name) as string;
      });

    it('finds a Chinese word inside a sentence, newest first', async () => {
      expect(texts(await search(corpId, { keyword: '一个词' }))).toEqual(['我们需要一个词来描述这个季度的预算']);
      expect(texts(await search(corpId, { keyword: '预算' }))).toEqual(['预算已经批准了', '我们需要一个词来描述这个季度的预算']);
      expect(texts(await search(corpId, { keyword: '会议' }))).toEqual(['明天的会议取消']);
    });

    it('finds English words case-insensitively, in text and file names, and confirms phrases', async () => {
      expect(texts(await search(corpId, { keyword: 'BUDGET' }))).toEqual(['budget-2025.xlsx', 'The Quarterly budget is approved.']);
      expect(texts(await search(corpId, { keyword: 'quarterly budget' }))).toEqual(['The Quarterly budget is approved.']);
      expect(texts(await search(corpId, { keyword: 'budget approved' }))).toEqual([]);
    });

    it('filters by conversation, participant, message type and time', async () => {
      expect(texts(await search(corpId, { conversationId: 'ops', keyword: '预算' }))).toEqual(['预算已经批准了']);
      expect(texts(await search(corpId, { participant: 'bob' }))).toEqual([
        'quarterly review on Friday',
        'The Quarterly budget is approved.',
        '我们需要一个词来描述这个季度的预算',
      ]);
      expect(texts(await search(corpId, { messageType: 'file' }))).toEqual(['budget-2025.xlsx']);
      expect(texts(await search(corpId, { fromTime: at(2).toISOString(), toTime: at(4).toISOString() }))).toEqual([
        '预算已经批准了',
        'The Quarterly budget is approved.',
      ]);
    });

    it('pages newest first with a token', async () => {
      const first = await search(corpId, { pageSize: 4 });
      expect(first.messages.map((m) => m.sentAt)).toEqual([at(6), at(5), at(4), at(3)].map((d) => d.toISOString()));
      const second = await search(corpId, { pageSize: 4, pageToken: first.nextPageToken });
      expect(second.messages.map((m) => m.sentAt)).toEqual([at(2), at(1)].map((d) => d.toISOString()));
      expect(second.nextPageToken).toBe('');
    });

    it('archives every search with who asked what', async () => {
      const before = await h.recordCount(corpId, `kind = 'access'`);
      await search(corpId, { keyword: '预算' });
      expect(await h.recordCount(corpId, `kind = 'access' AND actor = 'officer' AND event_type = 'audit.archive.searched'`)).toBe(
        before + 1,
      );
    });

    it('refuses everyone but a compliance officer of the corp', async () => {
      const forbidden = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'FORBIDDEN' } satisfies Partial<DomainError>);
      await forbidden(search(corpId, { keyword: '预算' }, 'alice'));
      await forbidden(h.call(superAdmin(corpId), (c, md) => c.searchArchive({ ...emptySearch(), keyword: '预算' }, md)));
      await forbidden(h.call(member(corpId, 'alice'), (c, md) => c.grantComplianceOfficer({ userid: 'alice', departmentIds: [] }, md)));
      await forbidden(h.call(member(corpId, 'alice'), (c, md) => c.verifyArchive({}, md)));
      // Another corp's officer searches their own corp only.
      const other = newCorp('other');
      await grantOfficer(other);
      expect((await search(other, { keyword: '预算' })).messages).toEqual([]);
    });

    it('lists and revokes officers', async () => {
      await grantOfficer(corpId, 'second');
      const listed = await h.call(superAdmin(corpId), (c, md) => c.listComplianceOfficers({}, md));
      expect(listed.officers.map((o) => o.userid)).toEqual(['officer', 'second']);
      await h.call(superAdmin(corpId), (c, md) => c.revokeComplianceOfficer({ userid: 'second' }, md));
      await expect(search(corpId, {}, 'second')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('rejects a keyword with nothing to index', async () => {
      await expect(search(corpId, { keyword: '预' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
});

function textOf(m: auditV1.ArchivedMessage): string {
  return (JSON.parse(m.contentJson) as { message: { content: { text: string } } }).message.content.text;
}

function emptySearch(): auditV1.SearchArchiveRequest {
  return { conversationId: '', participant: '', fromTime: '', toTime: '', messageType: '', keyword: '', pageSize: 20, pageToken: '' };
}
