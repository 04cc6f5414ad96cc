import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { messagingV1, protoPathFor } from '@atrium/contracts';
import { CallerIdentity, GrpcServiceClient, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { eventually, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { createCorp } from '../src/corp-admin';
import { startTestPlatform, TestPlatform } from './support/test-platform';

// Response bodies are free-form JSON that the assertions take apart.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (size: number) => Buffer.concat([PNG, randomBytes(size - PNG.length)]);
/** The start of a Windows program: what a renamed .exe begins with. */
const program = () => Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), randomBytes(4000)]);

/**
 * Media end to end on the whole platform: uploads stream through the gateway into the blob store
 * (a directory here; the S3 adapter passes the same contract suite), messaging keeps the registry
 * and decides who may read, and the WeCom-compatible media/upload and media/get sit on the same path.
 */
describe('media through the gateway', () => {
  let platform: TestPlatform;
  let messaging: GrpcServiceClient<messagingV1.MessagingServiceClient>;
  const corpA = `media-a-${uniqueSuffix()}`;
  const corpB = `media-b-${uniqueSuffix()}`;
  const password = 'correct horse battery';
  let corpAId = '';
  const tokens: Record<string, string> = {};

  const call = async (
    method: string,
    path: string,
    token: string | undefined,
    body?: FormData | Json,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${platform.gatewayUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    return res;
  };
  const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Json });
  const form = (bytes: Buffer, name: string, type = 'application/octet-stream', field = 'media') => {
    const data = new FormData();
    data.append('note', 'ignored');
    data.append(field, new Blob([bytes], { type }), name);
    return data;
  };
  const upload = async (token: string, type: string, bytes: Buffer, name: string, mime?: string) =>
    json(await call('POST', `/api/v1/media?type=${type}`, token, form(bytes, name, mime)));
  const download = (token: string, mediaId: string, headers: Record<string, string> = {}) =>
    call('GET', `/api/v1/media/${encodeURIComponent(mediaId)}`, token, undefined, headers);
  const login = async (corp: string, account: string) => {
    const res = await json(await call('POST', '/api/v1/auth/login', undefined, { corp, account, password }));
    expect(res.status).toBe(200);
    return res.body.accessToken as string;
  };
  const addMember = async (adminToken: string, userid: string) => {
    const res = await call('POST', '/api/v1/directory/members', adminToken, {
      userid,
      name: userid,
      email: `${userid}@media.test`,
      departments: [{ departmentId: 1 }],
      password,
    });
    expect(res.status).toBe(201);
  };
  const conversation = async (token: string, kind: 'direct' | 'group', members: string[]) => {
    const res = await json(
      await call('POST', '/api/v1/conversations', token, { kind, name: kind === 'group' ? 'Photos' : undefined, members }),
    );
    expect(res.status).toBeLessThan(300);
    return res.body.conversation.id as string;
  };
  const send = async (token: string, conversationId: string, type: string, content: Json) =>
    json(
      await call('POST', `/api/v1/conversations/${conversationId}/messages`, token, { clientMsgId: `c-${uniqueSuffix()}`, type, content }),
    );
  /** Every file under the blob store's directory (objects, sidecars, anything half-written). */
  const storedFiles = () =>
    readdirSync(platform.blobDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  const cgi = async (path: string, body?: FormData) => {
    const res = await fetch(`${platform.gatewayUrl}/cgi-bin/${path}`, { method: body ? 'POST' : 'GET', body });
    expect(res.status).toBe(200);
    return res;
  };
  const setMediaLimits = async (corpId: string, limits: Partial<messagingV1.MediaLimits>) => {
    const boss: CallerIdentity = { corpId, userId: 'admin', roles: [SUPER_ADMIN_ROLE] };
    const { policy } = await messaging.call('GetCorpPolicy', (m, md) => m.getCorpPolicy({}, md), boss);
    await messaging.call(
      'SetCorpPolicy',
      (m, md) => m.setCorpPolicy({ policy: { ...policy!, mediaLimits: { ...policy!.mediaLimits!, ...limits } } }, md),
      boss,
    );
  };

  beforeAll(async () => {
    platform = await startTestPlatform();
    messaging = new GrpcServiceClient(
      {
        caller: 'test',
        identityKey: platform.identityKey,
        url: platform.grpcUrls.messaging,
        packageName: 'atrium.messaging.v1',
        protoPath: protoPathFor('messaging'),
      },
      messagingV1.MESSAGING_SERVICE_NAME,
    );
    const created = await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpA,
      name: 'Acme',
      adminUserid: 'admin',
      adminPassword: password,
    });
    corpAId = created.corp!.id;
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpB,
      name: 'Bolt',
      adminUserid: 'admin',
      adminPassword: password,
    });
    tokens.adminA = await login(corpA, 'admin');
    tokens.adminB = await login(corpB, 'admin');
    for (const userid of ['alice', 'bob', 'carol', 'dave']) await addMember(tokens.adminA, userid);
    await addMember(tokens.adminB, 'mallory');
    for (const userid of ['alice', 'bob', 'carol', 'dave']) tokens[userid] = await login(corpA, userid);
    tokens.mallory = await login(corpB, 'mallory');
  }, 180_000);

  afterAll(async () => {
    await messaging?.close();
    await platform?.teardown();
  });

  describe('an image shared in a conversation', () => {
    const bytes = png(300_000);
    let media: Json;
    let groupId = '';

    beforeAll(async () => {
      const uploaded = await upload(tokens.alice, 'image', bytes, 'beach 海滩.png', 'image/png');
      expect(uploaded.status).toBe(201);
      media = uploaded.body;
      groupId = await conversation(tokens.alice, 'group', ['bob']);
      const sent = await send(tokens.alice, groupId, 'image', { mediaId: media.mediaId, width: 800, height: 600 });
      expect(sent.status).toBe(201);
    });

    it('answers the upload with its id, size, hash and the type its bytes have', () => {
      expect(media).toEqual({
        mediaId: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
        type: 'image',
        size: bytes.length,
        sha256: sha256(bytes),
        contentType: 'image/png',
        name: 'beach 海滩.png',
        createdAt: expect.any(String),
      });
    });

    it('lets another member of the conversation download exactly those bytes', async () => {
      const res = await download(tokens.bob, media.mediaId as string);
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(bytes)).toBe(true);
      expect(sha256(body)).toBe(media.sha256);
      expect(Object.fromEntries(res.headers)).toMatchObject({
        'content-type': 'image/png',
        'content-length': String(bytes.length),
        etag: `"${media.sha256 as string}"`,
        'x-content-type-options': 'nosniff',
        'content-disposition': `inline; filename="beach __.png"; filename*=UTF-8''beach%20%E6%B5%B7%E6%BB%A9.png`,
      });
      const again = await download(tokens.bob, media.mediaId as string, { 'if-none-match': `"${media.sha256 as string}"` });
      expect(again.status).toBe(304);
    });

    it('answers 404 to a member outside the conversation and to another corp, as for media that does not exist', async () => {
      for (const outsider of [tokens.carol, tokens.mallory]) {
        const res = await json(await download(outsider, media.mediaId as string));
        expect(res).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      }
      expect((await json(await download(tokens.bob, 'NoSuchMediaAtAllNoSuchMediaAtAll'))).status).toBe(404);
    });

    it('lets a reader share it onwards, but not someone who cannot read it', async () => {
      const refused = await send(tokens.carol, await conversation(tokens.carol, 'direct', ['dave']), 'image', { mediaId: media.mediaId });
      expect(refused).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: { field: 'content.mediaId' } } });
      expect((await download(tokens.dave, media.mediaId as string)).status).toBe(404);
      const onwards = await send(tokens.bob, await conversation(tokens.bob, 'direct', ['dave']), 'image', { mediaId: media.mediaId });
      expect(onwards.status).toBe(201);
      expect((await download(tokens.dave, media.mediaId as string)).status).toBe(200);
    });

    it('stops serving it to members once the message is recalled', async () => {
      const other = await upload(tokens.alice, 'image', png(2_000), 'gone.png');
      const sent = await send(tokens.alice, groupId, 'image', { mediaId: other.body.mediaId });
      expect((await download(tokens.bob, other.body.mediaId as string)).status).toBe(200);
      const recall = await call('POST', `/api/v1/conversations/${groupId}/messages/${sent.body.message.seq}/recall`, tokens.alice);
      expect(recall.status).toBe(200);
      expect((await download(tokens.bob, other.body.mediaId as string)).status).toBe(404);
      expect((await download(tokens.alice, other.body.mediaId as string)).status).toBe(200);
    });

    it('records the upload, with its hash, through the outbox into the compliance archive', async () => {
      const db = new Client({ connectionString: platform.databases.messaging.url });
      await db.connect();
      try {
        const rows = await eventually(
          () =>
            db.query<{ envelope: Json; published_at: Date | null }>(
              `SELECT envelope, published_at FROM platform_outbox WHERE event_type = 'messaging.media.uploaded' AND envelope->'payload'->>'mediaId' = $1`,
              [media.mediaId],
            ),
          (r) => r.rows.length === 1 && r.rows[0].published_at !== null,
          30_000,
          'the upload event published',
        );
        expect(rows.rows[0].envelope.payload).toEqual({
          corpId: corpAId,
          mediaId: media.mediaId,
          type: 'image',
          contentType: 'image/png',
          size: bytes.length,
          sha256: sha256(bytes),
          name: 'beach 海滩.png',
          actor: 'alice',
          storageKey: expect.stringMatching(new RegExp(`^media/${corpAId}/`)),
          uploadedAt: media.createdAt,
        });
      } finally {
        await db.end();
      }
      const audit = new Client({ connectionString: platform.databases.audit.url });
      await audit.connect();
      try {
        await eventually(
          async () =>
            (
              await audit.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM audit_records WHERE corp_id = $1 AND event_type = 'messaging.media.uploaded' AND actor = 'alice'`,
                [corpAId],
              )
            ).rows[0].n,
          (n) => n >= 1,
          30_000,
          'the upload archived',
        );
      } finally {
        await audit.end();
      }
    });
  });

  describe('messages that name media', () => {
    let image: Json;
    let voice: Json;
    let directId = '';

    beforeAll(async () => {
      image = (await upload(tokens.alice, 'image', png(1_000), 'small.png')).body;
      voice = (await upload(tokens.alice, 'voice', Buffer.concat([Buffer.from('#!AMR\n'), randomBytes(3_000)]), 'hello.amr')).body;
      directId = await conversation(tokens.alice, 'direct', ['bob']);
    });

    it('refuses media that does not exist, of another type, or of another corp', async () => {
      expect(await send(tokens.alice, directId, 'image', { mediaId: 'nope' })).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED', details: { field: 'content.mediaId' } },
      });
      expect(await send(tokens.alice, directId, 'image', { mediaId: voice.mediaId })).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED', message: expect.stringContaining('is a voice, not a image') },
      });
      const theirs = (await upload(tokens.mallory, 'image', png(1_000), 'theirs.png')).body;
      expect(theirs.mediaId).toEqual(expect.any(String));
      expect(await send(tokens.alice, directId, 'image', { mediaId: theirs.mediaId })).toMatchObject({
        status: 400,
        body: { details: { field: 'content.mediaId' } },
      });
      expect((await send(tokens.alice, directId, 'voice', { mediaId: voice.mediaId, durationSeconds: 3 })).status).toBe(201);
    });

    it('lets a file message name any media, with the size the registry knows', async () => {
      const sent = await send(tokens.alice, directId, 'file', { mediaId: image.mediaId, name: 'renamed.png', size: 1 });
      expect(sent.status).toBe(201);
      expect(sent.body.message.content).toEqual({ mediaId: image.mediaId, name: 'renamed.png', size: 1_000 });
    });
  });

  describe('uploads that are refused', () => {
    it("answers 413 past the corp's limit for the type and keeps none of it", async () => {
      await setMediaLimits(corpAId, { maxImageBytes: 1024 * 1024 });
      const before = storedFiles();
      const res = await upload(tokens.alice, 'image', png(1536 * 1024), 'huge.png');
      expect(res).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE', details: { maxBytes: 1024 * 1024, type: 'image' } } });
      expect(storedFiles()).toEqual(before);
      expect((await upload(tokens.alice, 'image', png(1024 * 1024), 'just-fits.png')).status).toBe(201);
    });

    it('refuses a program dressed up as an image or a document, and blocked extensions', async () => {
      const before = storedFiles();
      expect(await upload(tokens.alice, 'image', program(), 'cat.png', 'image/png')).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED', details: { field: 'media', reason: 'CONTENT_MISMATCH' } },
      });
      expect(await upload(tokens.alice, 'file', program(), 'report.pdf', 'application/pdf')).toMatchObject({
        status: 400,
        body: { details: { reason: 'EXECUTABLE' } },
      });
      expect(await upload(tokens.alice, 'file', randomBytes(100), 'setup.EXE')).toMatchObject({
        status: 400,
        body: { details: { reason: 'BLOCKED_EXTENSION', extension: 'exe' } },
      });
      expect(storedFiles()).toEqual(before);
      const pdf = await upload(tokens.alice, 'file', Buffer.from('%PDF-1.7\n…'), 'minutes.pdf', 'application/pdf');
      expect(pdf).toMatchObject({ status: 201, body: { type: 'file', contentType: 'application/pdf', name: 'minutes.pdf' } });
    });

    it('answers 400 to an unknown type, a missing or empty file, and a body that is not multipart', async () => {
      expect(await upload(tokens.alice, 'sticker', png(100), 'a.png')).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
      expect(
        await json(await call('POST', '/api/v1/media?type=image', tokens.alice, form(png(100), 'a.png', 'image/png', 'picture'))),
      ).toMatchObject({
        status: 400,
        body: { details: { field: 'media', reason: 'MISSING' } },
      });
      expect(await upload(tokens.alice, 'file', Buffer.alloc(0), 'empty.txt')).toMatchObject({
        status: 400,
        body: { details: { reason: 'EMPTY' } },
      });
      expect(await json(await call('POST', '/api/v1/media?type=file', tokens.alice, { media: 'x' }))).toMatchObject({
        status: 400,
        body: { details: { field: 'media' } },
      });
      expect((await call('POST', '/api/v1/media?type=file', undefined, form(png(100), 'a.png'))).status).toBe(401);
    });
  });

  it('documents the media API in OpenAPI: a multipart upload with its 413, and a binary download', async () => {
    const doc = (await (await call('GET', '/docs-json', undefined)).json()) as Json;
    const upload = doc.paths['/api/v1/media'].post as Json;
    expect(Object.keys(upload.requestBody.content as Json)).toEqual(['multipart/form-data']);
    expect(Object.keys(upload.responses as Json)).toEqual(expect.arrayContaining(['201', '400', '401', '413']));
    expect(upload.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'type', in: 'query' })]));
    expect(Object.keys(doc.paths['/api/v1/media/{mediaId}'].get.responses as Json)).toEqual(expect.arrayContaining(['200', '404']));
    expect(doc.paths['/cgi-bin/media/upload'].post).toBeDefined();
    expect(doc.paths['/cgi-bin/media/get'].get).toBeDefined();
  });

  describe('the WeCom-compatible media API', () => {
    let accessToken = '';

    beforeAll(async () => {
      const app = await json(await call('POST', '/api/v1/admin/apps', tokens.adminA, { name: 'Uploader' }));
      expect(app.status).toBe(201);
      const token = (await (await cgi(`gettoken?corpid=${corpA}&corpsecret=${app.body.secret as string}`)).json()) as Json;
      expect(token).toMatchObject({ errcode: 0 });
      accessToken = token.access_token as string;
    });

    it('uploads with an app token and gets the bytes back (media/upload, media/get)', async () => {
      const bytes = png(5_000);
      const uploaded = (await (
        await cgi(`media/upload?access_token=${accessToken}&type=image`, form(bytes, 'chart.png', 'image/png'))
      ).json()) as Json;
      expect(uploaded).toEqual({
        errcode: 0,
        errmsg: 'ok',
        type: 'image',
        media_id: expect.any(String),
        created_at: expect.stringMatching(/^\d{10}$/),
      });
      const got = await cgi(`media/get?access_token=${accessToken}&media_id=${uploaded.media_id as string}`);
      expect(got.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it("answers WeCom's errcodes: 40007 for another corp's media, 41006, 40005, 40004, 40009, 44001", async () => {
      const theirs = (await upload(tokens.mallory, 'image', png(1_000), 'theirs.png')).body;
      const errcode = async (res: Response) => ((await res.json()) as Json).errcode as number;
      expect(await errcode(await cgi(`media/get?access_token=${accessToken}&media_id=${theirs.mediaId as string}`))).toBe(40007);
      expect(await errcode(await cgi(`media/get?access_token=${accessToken}`))).toBe(41006);
      expect(await errcode(await cgi(`media/upload?access_token=${accessToken}&type=gif`, form(png(100), 'a.png')))).toBe(40005);
      expect(await errcode(await cgi(`media/upload?access_token=${accessToken}&type=image`, form(program(), 'a.png')))).toBe(40004);
      expect(await errcode(await cgi(`media/upload?access_token=${accessToken}&type=image`, form(png(1100 * 1024), 'big.png')))).toBe(
        40009,
      );
      expect(await errcode(await cgi(`media/upload?access_token=${accessToken}&type=file`, form(Buffer.alloc(0), 'e.txt')))).toBe(44001);
      expect(await errcode(await cgi(`media/upload?type=file`, form(png(100), 'a.png')))).toBe(41001);
    });
  });
});
