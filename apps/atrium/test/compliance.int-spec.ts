import { constants, createDecipheriv, createHash, generateKeyPairSync, privateDecrypt, randomUUID } from 'node:crypto';
import { MessageSent } from '@atrium/contracts';
import { RetentionService } from '@atrium/service-audit';
import { eventually, uniqueSuffix } from '@atrium/testing';
import { createCorp } from '../src/corp-admin';
import { HttpApi } from './support/http-api';
import { startTestPlatform, TestPlatform } from './support/test-platform';

// Response bodies are free-form JSON that the assertions take apart.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const DAY_MS = 86_400_000;
const ZERO_WIDTH = /\u2063|\u200b|\u200c|\u200d|\u2060/gu;

/** The invisible export token, decoded as the README says: U+2063, then 64 symbols of two bits each. */
function invisibleToken(text: string): Buffer | undefined {
  const symbols = ['\u200b', '\u200c', '\u200d', '\u2060'];
  const match = /\u2063((?:\u200b|\u200c|\u200d|\u2060){64})/u.exec(text);
  if (!match) return undefined;
  const bits = [...match[1]].map((ch) => symbols.indexOf(ch));
  return Buffer.from(
    Array.from({ length: 16 }, (_, i) => (bits[4 * i] << 6) | (bits[4 * i + 1] << 4) | (bits[4 * i + 2] << 2) | bits[4 * i + 3]),
  );
}

/** What a third-party archive tool does with a pulled record (README: decrypting pulled records). */
function decryptChatMsg(privateKeyPem: string, r: Json): Json {
  const key = privateDecrypt(
    { key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    Buffer.from(r.encrypt_random_key as string, 'base64'),
  );
  const packed = Buffer.from(r.encrypt_chat_msg as string, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, 12));
  decipher.setAAD(Buffer.from(r.msgid as string, 'utf8'));
  decipher.setAuthTag(packed.subarray(packed.length - 16));
  return JSON.parse(Buffer.concat([decipher.update(packed.subarray(12, packed.length - 16)), decipher.final()]).toString('utf8')) as Json;
}

/**
 * The compliance archive through the gateway, end to end, as an officer uses it: people chat in
 * Chinese over the REST API, a super admin appoints officers, an officer searches, reads the
 * context, exports, and puts a conversation on legal hold; an archive tool pulls WeCom-style.
 */
describe('compliance officers through the gateway', () => {
  let platform: TestPlatform;
  const corpA = `cmpa-${uniqueSuffix()}`;
  const corpB = `cmpb-${uniqueSuffix()}`;
  const password = 'correct horse battery';
  const tokens: Record<string, string> = {};
  let adminB = '';
  let salesId = 0;
  let salesChat = '';
  let opsChat = '';
  const started = new Date();

  const http = new HttpApi(() => platform.gatewayUrl);
  const call = (method: string, path: string, token?: string, body?: unknown) => http.call(method, path, { token, body });
  const ok = (method: string, path: string, token: string, body?: unknown) => http.ok(method, `/api/v1${path}`, { token, body });
  const login = (corp: string, account: string, pass = password) => http.login(corp, account, pass);
  const say = (userid: string, conversationId: string, text: string) =>
    ok('POST', `/conversations/${conversationId}/messages`, tokens[userid], { clientMsgId: randomUUID(), type: 'text', content: { text } });
  const search = (userid: string, query: Record<string, string | number>, token = tokens[userid]) =>
    call(
      'GET',
      `/api/v1/compliance/search?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`,
      token,
    );
  const textsOf = (messages: unknown) => (messages as Json[]).map((m) => m.payload.message.content.text as string);

  beforeAll(async () => {
    platform = await startTestPlatform();
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpA,
      name: 'Acme',
      adminUserid: 'admin',
      adminPassword: password,
    });
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpB,
      name: 'Bolt',
      adminUserid: 'admin',
      adminPassword: password,
    });
    tokens.admin = await login(corpA, 'admin');
    adminB = await login(corpB, 'admin');
    salesId = (await ok('POST', '/directory/departments', tokens.admin, { parentId: 1, name: '销售部' })).id as number;
    const opsId = (await ok('POST', '/directory/departments', tokens.admin, { parentId: 1, name: '运维部' })).id as number;
    const people: [string, number][] = [
      ['alice', salesId],
      ['bob', salesId],
      ['carol', opsId],
      ['dave', opsId],
      ['olivia', 1],
      ['sam', opsId],
    ];
    for (const [userid, department] of people) {
      await ok('POST', '/directory/members', tokens.admin, {
        userid,
        name: userid,
        email: `${userid}@acme.test`,
        departments: [{ departmentId: department }],
        password,
      });
      tokens[userid] = await login(corpA, userid);
    }
    await ok('POST', '/directory/members', adminB, {
      userid: 'olivia',
      name: 'olivia',
      email: 'olivia@bolt.test',
      departments: [{ departmentId: 1 }],
      password,
    });
    tokens.oliviaB = await login(corpB, 'olivia');

    salesChat = (await ok('POST', '/conversations', tokens.alice, { kind: 'group', name: 'Q3 预算', members: ['bob'] })).conversation
      .id as string;
    opsChat = (await ok('POST', '/conversations', tokens.carol, { kind: 'group', name: '上线', members: ['dave'] })).conversation
      .id as string;
    await say('alice', salesChat, '我们下周讨论预算的问题');
    await say('bob', salesChat, '好的，我准备一下报表');
    await say('alice', salesChat, '预算表已经发到你的邮箱');
    await say('bob', salesChat, '=SUM(A1:A9) 是预算合计');
    await say('carol', opsChat, '服务器预算超了');
    await say('dave', opsChat, '明天上线');
  }, 180_000);

  afterAll(async () => {
    await platform?.teardown();
  });

  it('lets a super admin appoint officers, and nobody else', async () => {
    const denied = await call('PUT', '/api/v1/compliance/officers/alice', tokens.alice, {});
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(await ok('PUT', '/compliance/officers/Olivia', tokens.admin, {})).toMatchObject({
      userid: 'olivia',
      departmentIds: [],
      grantedBy: 'admin',
    });
    expect(await ok('PUT', '/compliance/officers/sam', tokens.admin, { departmentIds: [salesId] })).toMatchObject({
      departmentIds: [salesId],
    });
    expect(((await ok('GET', '/compliance/officers', tokens.olivia)).officers as Json[]).map((o) => o.userid as string)).toEqual([
      'olivia',
      'sam',
    ]);
    expect((await call('PUT', '/api/v1/compliance/officers/x', tokens.admin, { departmentIds: ['sales'] })).status).toBe(400);
    await ok('PUT', '/compliance/officers/olivia', adminB, {});
  });

  it('grants officer rights only to an active member, and ends them when the member is offboarded or deleted', async () => {
    const member = async (userid: string) => {
      await ok('POST', '/directory/members', tokens.admin, {
        userid,
        name: userid,
        email: `${userid}@acme.test`,
        departments: [{ departmentId: 1 }],
        password,
      });
      return login(corpA, userid);
    };
    const officers = async () =>
      ((await ok('GET', '/compliance/officers', tokens.admin)).officers as Json[]).map((o) => o.userid as string);

    const unknown = await call('PUT', '/api/v1/compliance/officers/nobody-such-user', tokens.admin, {});
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: 'member nobody-such-user not found' } });
    // Whoever is given that userid later holds no grant.
    const newcomer = await member('nobody-such-user');
    expect((await search('newcomer', { keyword: '预算' }, newcomer)).status).toBe(403);
    expect(await officers()).not.toContain('nobody-such-user');

    await member('dora.disabled');
    await ok('POST', '/directory/members/dora.disabled/disable', tokens.admin);
    expect(await call('PUT', '/api/v1/compliance/officers/dora.disabled', tokens.admin, {})).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', details: { field: 'userid', reason: 'MEMBER_NOT_ACTIVE' } },
    });

    await member('otto.leaving');
    await member('quinn.deleted');
    await ok('PUT', '/compliance/officers/otto.leaving', tokens.admin, {});
    await ok('PUT', '/compliance/officers/quinn.deleted', tokens.admin, {});
    expect(await officers()).toEqual(expect.arrayContaining(['otto.leaving', 'quinn.deleted']));
    await ok('POST', '/directory/members/otto.leaving/offboard', tokens.admin, { successorUserid: 'admin' });
    expect((await call('DELETE', '/api/v1/directory/members/quinn.deleted', tokens.admin)).status).toBe(204);
    const after = await eventually(
      officers,
      (list) => !list.includes('otto.leaving') && !list.includes('quinn.deleted'),
      20_000,
      'the grants of the offboarded and the deleted member ended',
    );
    expect(after).toEqual(['olivia', 'sam']);
  });

  it('finds a Chinese word inside a sentence within a date range, newest first', async () => {
    const range = { keyword: '预算', from: started.toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const found = await eventually(
      async () => (await search('olivia', range)).body,
      (body) => body.messages?.length === 4,
      30_000,
      'the archived messages',
    );
    expect(textsOf(found.messages)).toEqual([
      '服务器预算超了',
      '=SUM(A1:A9) 是预算合计',
      '预算表已经发到你的邮箱',
      '我们下周讨论预算的问题',
    ]);
    expect(found.messages[0]).toMatchObject({
      conversationId: opsChat,
      sender: 'carol',
      messageType: 'text',
      eventType: 'messaging.message.sent',
    });
    expect(found.nextCursor).toBe('');
    const before = await search('olivia', { keyword: '预算', to: started.toISOString() });
    expect(before.body.messages).toEqual([]);
    const paged = await search('olivia', { ...range, conversationId: salesChat, pageSize: 2 });
    expect(textsOf(paged.body.messages)).toEqual(['=SUM(A1:A9) 是预算合计', '预算表已经发到你的邮箱']);
    const next = await search('olivia', { ...range, conversationId: salesChat, pageSize: 2, cursor: paged.body.nextCursor as string });
    expect(textsOf(next.body.messages)).toEqual(['我们下周讨论预算的问题']);
    expect((await search('olivia', { keyword: '预' })).body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('opens the conversation around a hit', async () => {
    const [hit] = (await search('olivia', { keyword: '报表' })).body.messages as Json[];
    const context = await ok('GET', `/compliance/records/${hit.eventId}/context?before=1&after=2`, tokens.olivia);
    expect(textsOf(context.before)).toEqual(['我们下周讨论预算的问题']);
    expect(textsOf([context.record])).toEqual(['好的，我准备一下报表']);
    expect(textsOf(context.after)).toEqual(['预算表已经发到你的邮箱', '=SUM(A1:A9) 是预算合计']);
    expect((await call('GET', `/api/v1/compliance/records/${randomUUID()}/context`, tokens.olivia)).status).toBe(404);
  });

  it('exports JSONL and CSV with a watermark, and a token that leads back to the export', async () => {
    const jsonl = await call('POST', '/api/v1/compliance/exports', tokens.olivia, {
      format: 'jsonl',
      keyword: '预算',
      from: started.toISOString(),
    });
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toContain('application/x-ndjson');
    const exportId = jsonl.headers.get('x-atrium-export-id')!;
    expect(jsonl.headers.get('content-disposition')).toBe(`attachment; filename="atrium-export-${exportId}.jsonl"`);
    const [watermark, ...rows] = jsonl.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    expect(watermark.watermark).toMatch(
      new RegExp(`^CONFIDENTIAL - Atrium compliance export ${exportId} of corp .+, by compliance officer olivia at `),
    );
    expect(watermark).toMatchObject({ exportId, officer: 'olivia', filter: { keyword: '预算' } });
    expect(rows.map((r) => (r.text as string).replace(ZERO_WIDTH, ''))).toEqual([
      '服务器预算超了',
      '=SUM(A1:A9) 是预算合计',
      '预算表已经发到你的邮箱',
      '我们下周讨论预算的问题',
    ]);
    // The invisible token of any row: its SHA-256 is the export's recorded token hash.
    const token = invisibleToken(rows[2].text as string)!;
    const listed = (await ok('GET', '/compliance/exports', tokens.olivia)).exports as Json[];
    const recorded = listed.find((e) => e.id === exportId)!;
    expect(recorded).toMatchObject({ officer: 'olivia', format: 'jsonl', recordCount: 4, completedAt: expect.stringMatching(/^\d{4}-/) });
    expect(createHash('sha256').update(token).digest('hex')).toBe(recorded.tokenHash);
    // A leaked line pasted somewhere else is still traced.
    const traced = await ok('POST', '/compliance/exports/trace', tokens.admin, { text: `forwarded: ${rows[2].text as string}` });
    expect(traced).toMatchObject({ matchedBy: 'token', export: { id: exportId, officer: 'olivia' } });

    const csv = await call('POST', '/api/v1/compliance/exports', tokens.olivia, { format: 'csv', conversationId: salesChat });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toContain(`CONFIDENTIAL - Atrium compliance export ${csv.headers.get('x-atrium-export-id')}`);
    expect(lines[0]).toContain('olivia');
    expect(lines[1]).toBe('seq,event_id,sent_at,conversation_id,sender,message_type,event_type,text,content_json,mark');
    expect(lines).toHaveLength(2 + 4 + 1);
    // A formula is shown as text; quotes are doubled inside a quoted field.
    expect(lines[2]).toContain(`,'=SUM(A1:A9) 是预算合计`);
    expect(lines[2]).toContain(`,"{""text"":""=SUM(A1:A9) 是预算合计""`);
    const byMark = await ok('POST', '/compliance/exports/trace', tokens.olivia, {
      mark: lines[3].split(',').pop(),
      seq: Number(lines[3].split(',')[0]),
    });
    expect(byMark.export.id).toBe(csv.headers.get('x-atrium-export-id'));
  });

  it('answers 403 with a stable code to a member who is not an officer', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/compliance/search?keyword=预算', undefined],
      ['POST', '/api/v1/compliance/exports', { format: 'csv' }],
      ['POST', '/api/v1/compliance/holds', { name: 'mine', participants: ['bob'] }],
      ['POST', '/api/v1/compliance/pull', { seq: 0 }],
      ['GET', '/api/v1/compliance/verify', undefined],
    ] as const) {
      const reply = await call(method, path, tokens.alice, body);
      expect({ path, status: reply.status, code: reply.body.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
      expect(reply.body.traceId).toEqual(expect.any(String));
    }
    expect((await call('GET', '/api/v1/compliance/search?keyword=预算')).status).toBe(401);
  });

  it("shows another corp's officer nothing of this corp", async () => {
    const theirs = await search('oliviaB', { keyword: '预算' }, tokens.oliviaB);
    expect(theirs.status).toBe(200);
    expect(theirs.body.messages).toEqual([]);
    const [hit] = (await search('olivia', { keyword: '报表' })).body.messages as Json[];
    expect((await call('GET', `/api/v1/compliance/records/${hit.eventId}/context`, tokens.oliviaB)).status).toBe(404);
  });

  it("shows a department-scoped officer only their department's conversations", async () => {
    const scoped = await search('sam', {});
    expect(new Set((scoped.body.messages as Json[]).map((m) => m.conversationId as string))).toEqual(new Set([salesChat]));
    expect(textsOf((await search('sam', { keyword: '预算' })).body.messages)).toEqual([
      '=SUM(A1:A9) 是预算合计',
      '预算表已经发到你的邮箱',
      '我们下周讨论预算的问题',
    ]);
    // sam sits in Ops, but reads Sales only: Ops' chat stays out of sight, also in an export.
    const exported = await call('POST', '/api/v1/compliance/exports', tokens.sam, { format: 'jsonl', conversationId: opsChat });
    expect(exported.text.trimEnd().split('\n')).toHaveLength(1);
  });

  it('lets an archive tool pull WeCom-style with the pull secret, and decrypt with its private key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const registered = await ok('POST', '/compliance/public-keys', tokens.admin, {
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
    });
    expect(registered).toMatchObject({ version: 1, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await call('POST', '/api/v1/compliance/public-keys', tokens.olivia, { publicKeyPem: registered.publicKeyPem })).status).toBe(
      403,
    );
    const { secret } = await ok('POST', '/compliance/pull-secret', tokens.admin);

    const gettoken = (corpsecret: string) =>
      call('GET', `/cgi-bin/msgaudit/gettoken?corpid=${corpA}&corpsecret=${encodeURIComponent(corpsecret)}`).then((r) => r.body);
    expect(await gettoken('wrong')).toMatchObject({ errcode: 40001 });
    const issued = await eventually(
      () => gettoken(secret as string),
      (body) => body.errcode === 0,
      15_000,
      'a pull token',
    );
    expect(issued).toMatchObject({ errmsg: 'ok', expires_in: 7200 });
    const chatData = (body: unknown, token = issued.access_token as string) =>
      call('POST', `/cgi-bin/msgaudit/get_chat_data?access_token=${encodeURIComponent(token)}`, undefined, body).then((r) => {
        expect(r.status).toBe(200);
        return r.body;
      });
    expect(await chatData({ seq: 0, limit: 1001 })).toMatchObject({ errcode: 40058 });
    expect(await chatData({ seq: 0, limit: 10 }, 'bm9wZQ.nope')).toMatchObject({ errcode: 40014 });
    expect(await call('POST', '/cgi-bin/msgaudit/get_chat_data', undefined, { seq: 0 }).then((r) => r.body)).toMatchObject({
      errcode: 41001,
    });

    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pulled: Json[] = [];
    let seq = 0;
    for (let calls = 0; calls < 20; calls++) {
      const page = await chatData({ seq, limit: 2 });
      expect(page.errcode).toBe(0);
      expect(page.chatdata.length).toBeLessThanOrEqual(2);
      if (page.chatdata.length === 0) break;
      for (const record of page.chatdata as Json[]) {
        expect(record.seq).toBeGreaterThan(seq);
        seq = record.seq as number;
        pulled.push(record);
      }
    }
    const messages: Json[] = pulled.map((r) => ({ ...decryptChatMsg(pem, r), publickey_ver: r.publickey_ver as number }));
    // Chain order: each conversation in the order it was said (two conversations may interleave).
    const inRoom = (room: string) => messages.filter((m) => m.roomid === room).map((m) => m.text.content as string);
    expect(inRoom(salesChat)).toEqual([
      '我们下周讨论预算的问题',
      '好的，我准备一下报表',
      '预算表已经发到你的邮箱',
      '=SUM(A1:A9) 是预算合计',
    ]);
    expect(inRoom(opsChat)).toEqual(['服务器预算超了', '明天上线']);
    expect(messages).toHaveLength(6);
    const first = messages.find((m) => m.text.content === '我们下周讨论预算的问题')!;
    expect(first).toMatchObject({ action: 'send', from: 'alice', tolist: ['bob'], roomid: salesChat, msgtype: 'text', publickey_ver: 1 });
    expect(first.msgtime).toEqual(expect.any(Number));

    // Officers pull over the native API too, within their scope.
    const scoped = await ok('POST', '/compliance/pull', tokens.sam, { seq: 0, limit: 1000 });
    expect((scoped.chatdata as Json[]).map((r) => decryptChatMsg(pem, r).roomid as string)).toEqual([
      salesChat,
      salesChat,
      salesChat,
      salesChat,
    ]);
  });

  it('documents the compliance API in OpenAPI', async () => {
    const doc = (await call('GET', '/docs-json')).body as { paths: Record<string, Record<string, { tags?: string[] }>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/compliance/officers',
        '/api/v1/compliance/officers/{userid}',
        '/api/v1/compliance/search',
        '/api/v1/compliance/records/{id}/context',
        '/api/v1/compliance/exports',
        '/api/v1/compliance/exports/trace',
        '/api/v1/compliance/holds',
        '/api/v1/compliance/holds/{id}/release',
        '/api/v1/compliance/verify',
        '/api/v1/compliance/checkpoints',
        '/api/v1/compliance/policy',
        '/api/v1/compliance/public-keys',
        '/api/v1/compliance/pull-secret',
        '/api/v1/compliance/pull',
        '/cgi-bin/msgaudit/gettoken',
        '/cgi-bin/msgaudit/get_chat_data',
      ]),
    );
    expect(doc.paths['/api/v1/compliance/search'].get.tags).toEqual(['compliance']);
  });

  it('keeps held records past retention while unheld ones are crypto-shredded', async () => {
    const hold = await call('POST', '/api/v1/compliance/holds', tokens.olivia, {
      name: 'Q3 预算 dispute',
      reason: 'litigation',
      conversationIds: [salesChat],
    });
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ createdBy: 'olivia', conversationIds: [salesChat], releasedAt: '' });
    expect(((await ok('GET', '/compliance/holds', tokens.admin)).holds as Json[]).map((h) => h.id as string)).toEqual([hold.body.id]);
    expect(await ok('PUT', '/compliance/policy', tokens.admin, { archivingEnabled: true, retentionDays: 30 })).toEqual({
      archivingEnabled: true,
      retentionDays: 30,
    });

    // A message imported from the corp's previous system: five days old, in the Ops chat (not held).
    const messaging = platform.services.messaging.infra;
    const corpId = (await ok('GET', '/me', tokens.admin)).corpId as string;
    const oldSentAt = new Date(Date.now() - 5 * DAY_MS).toISOString();
    await messaging.dataSource.transaction((tx) =>
      messaging.bus.publish(tx, MessageSent, corpId, {
        corpId,
        conversationId: opsChat,
        message: {
          id: randomUUID(),
          conversationId: opsChat,
          seq: 1_000,
          sender: 'carol',
          clientMsgId: randomUUID(),
          type: 'text',
          content: { text: '去年的旧预算' },
          sentAt: oldSentAt,
          burnAfterReading: false,
        },
      }),
    );
    messaging.bus.relay.nudge();
    await eventually(
      async () => textsOf((await search('olivia', { keyword: '旧预算' })).body.messages ?? []),
      (texts) => texts.length === 1,
      30_000,
      'the imported message',
    );

    // Forty days on: everything is past the 30-day retention; only the held conversation's day survives.
    await platform.services.audit.app.get(RetentionService).sweep(new Date(Date.now() + 40 * DAY_MS));
    expect(textsOf((await search('olivia', { keyword: '旧预算' })).body.messages)).toEqual([]);
    expect(textsOf((await search('olivia', { keyword: '预算', conversationId: salesChat })).body.messages)).toHaveLength(3);
    expect(await ok('GET', '/compliance/verify', tokens.olivia)).toMatchObject({ ok: true, firstBadSeq: 0 });
    const checkpoint = await ok('POST', '/compliance/checkpoints', tokens.olivia);
    expect(checkpoint.checkpoint).toMatchObject({ fromSeq: 1, signature: expect.any(String) });
    expect((await ok('GET', '/compliance/checkpoints', tokens.admin)).checkpoints).toHaveLength(1);

    const released = await ok('POST', `/compliance/holds/${hold.body.id as string}/release`, tokens.admin);
    expect(released).toMatchObject({ releasedBy: 'admin', releasedAt: expect.stringMatching(/^\d{4}-/) });
    expect((await ok('GET', '/compliance/holds', tokens.olivia)).holds).toEqual([]);
    expect((await ok('GET', '/compliance/holds?includeReleased=true', tokens.olivia)).holds).toHaveLength(1);
  });
});
