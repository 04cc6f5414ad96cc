import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { createCorp } from '../src/corp-admin';
import { Json, restClient, watchForCrashes } from './support/hostile-client';
import { startTestPlatform, TestPlatform } from './support/test-platform';

const BOUNDARY = 'hostile-boundary-7MA4YWxkTrZu0gW';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A multipart/form-data body exactly as given: each part its raw header lines and its bytes. */
function multipart(parts: { headers: string[]; body: Buffer | string }[], ending = `--${BOUNDARY}--\r\n`): Buffer {
  return Buffer.concat([
    ...parts.flatMap((p) => [
      Buffer.from(`--${BOUNDARY}\r\n${p.headers.join('\r\n')}\r\n\r\n`, 'latin1'),
      Buffer.from(p.body),
      Buffer.from('\r\n'),
    ]),
    Buffer.from(ending),
  ]);
}
const filePart = (body: Buffer, filename = 'a.bin', field = 'media') => ({
  headers: [`Content-Disposition: form-data; name="${field}"; filename="${filename}"`, 'Content-Type: application/octet-stream'],
  body,
});

/** One deflated entry of `expanded` zero bytes: a few KiB on the wire, far more once unpacked. */
function zipBomb(expanded: number): Buffer {
  const data = Buffer.alloc(expanded);
  const packed = deflateRawSync(data, { level: 9 });
  const crc = crc32(data);
  const name = Buffer.from('zeros.bin');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(expanded, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(expanded, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + packed.length, 16);
  return Buffer.concat([local, name, packed, central, name, end]);
}

/**
 * Uploads from a hostile client: malformed multipart bodies, lying content, hostile names, a zip
 * bomb and a full disk. Each is refused with a clear 4xx (503 for the full disk) or stored safely,
 * nothing half-stored stays behind, and the process (the whole platform, in this process) lives on.
 */
describe('media uploads from a hostile client', () => {
  let platform: TestPlatform;
  let rest: ReturnType<typeof restClient>;
  const crashes = watchForCrashes();
  const corp = `mh-${uniqueSuffix()}`;
  const password = 'correct horse battery';
  let corpId = '';
  let token = '';
  let accessToken = '';

  beforeAll(async () => {
    platform = await startTestPlatform();
    rest = restClient(platform.gatewayUrl);
    corpId = (
      await createCorp(platform.grpcUrls.directory, platform.identityKey, {
        code: corp,
        name: 'Hostile',
        adminUserid: 'admin',
        adminPassword: password,
      })
    ).corp!.id;
    const admin = await rest.login(corp, 'admin', password);
    await rest.addMember(admin, 'alice', password);
    token = await rest.login(corp, 'alice', password);
    const app = await rest.call('POST', '/api/v1/admin/apps', admin, { name: 'Uploader' });
    expect(app.status).toBe(201);
    const got = (await (
      await fetch(`${platform.gatewayUrl}/cgi-bin/gettoken?corpid=${corp}&corpsecret=${app.body.secret as string}`)
    ).json()) as Json;
    accessToken = got.access_token as string;
  }, 180_000);

  afterAll(async () => {
    crashes.stop();
    await platform?.teardown();
  });

  const post = async (path: string, body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`) => {
    const res = await fetch(`${platform.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
  };
  const storedFiles = () =>
    readdirSync(platform.blobDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  const registered = async () => {
    const pg = new Client({ connectionString: platform.databases.messaging.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ n: string }>('SELECT count(*) AS n FROM media WHERE corp_id = $1', [corpId]);
      return Number(rows[0].n);
    } finally {
      await pg.end();
    }
  };
  const expectAlive = async () => {
    expect(crashes.errors).toEqual([]);
    expect(await rest.healthy()).toBe(true);
  };

  const controlNames = multipart([
    { headers: ['Content-Disposition: form-data; name="a\x07b"'], body: 'x' },
    { headers: ['Content-Disposition: form-data; name="c\x07d"'], body: 'y' },
    filePart(randomBytes(100)),
  ]);

  it('answers 400 to part headers with control characters, on /api/v1/media and on WeCom media/upload', async () => {
    const before = storedFiles().length;
    const native = await post('/api/v1/media?type=file', controlNames);
    expect(native.status).toBe(400);
    expect(native.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { reason: 'MALFORMED' } });
    const wecom = await post(`/cgi-bin/media/upload?access_token=${accessToken}&type=file`, controlNames);
    expect(wecom.status).toBe(200);
    expect(wecom.body.errcode).toBe(47001);
    expect(storedFiles().length).toBe(before);
    await expectAlive();
  });

  it.each([
    [
      'a control character after the file part',
      multipart([filePart(randomBytes(5_000)), { headers: ['Content-Disposition: form-data; name="z\x01"'], body: 'z' }]),
    ],
    ['a part header without a colon', multipart([{ headers: ['this is not a header'], body: 'x' }, filePart(randomBytes(100))])],
    ['a body cut off inside the file', multipart([filePart(randomBytes(5_000))]).subarray(0, 3_000)],
    ['a body without its closing boundary', multipart([filePart(randomBytes(100))], '')],
    [
      'a body of another boundary',
      Buffer.from(
        multipart([filePart(randomBytes(100))])
          .toString('latin1')
          .replaceAll(BOUNDARY, 'other'),
        'latin1',
      ),
    ],
    ['a part header of 100 KiB', multipart([{ headers: [`X-Long: ${'a'.repeat(100 * 1024)}`], body: 'x' }, filePart(randomBytes(100))])],
    ['a body of random bytes', randomBytes(20_000)],
  ])('answers 400 to %s and keeps nothing', async (_name, body) => {
    const before = storedFiles().length;
    const res = await post('/api/v1/media?type=file', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(storedFiles().length).toBe(before);
    await expectAlive();
  });

  it('answers 400 to a body that is not multipart, or multipart without a boundary', async () => {
    expect((await post('/api/v1/media?type=file', Buffer.from('{}'), 'application/json')).status).toBe(400);
    expect((await post('/api/v1/media?type=file', multipart([filePart(randomBytes(10))]), 'multipart/form-data')).status).toBe(400);
    await expectAlive();
  });

  it('refuses content that lies about its type and an empty file', async () => {
    const text = Buffer.from('just some text, not a picture at all');
    const asImage = await post('/api/v1/media?type=image', multipart([filePart(text, 'photo.png')]));
    expect(asImage).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: { reason: 'CONTENT_MISMATCH' } } });
    const pngAsVideo = await post('/api/v1/media?type=video', multipart([filePart(Buffer.concat([PNG, randomBytes(500)]), 'clip.mp4')]));
    expect(pngAsVideo).toMatchObject({ status: 400, body: { details: { reason: 'CONTENT_MISMATCH' } } });
    const empty = await post('/api/v1/media?type=file', multipart([filePart(Buffer.alloc(0), 'empty.txt')]));
    expect(empty).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: { reason: 'EMPTY' } } });
    await expectAlive();
  });

  it('stores a file named with path separators and control characters under a clean name', async () => {
    // Raw control characters in the header make the header malformed (400 above); percent-encoded
    // (RFC 5987) they decode into the name, which is cleaned.
    const encoded = {
      headers: [`Content-Disposition: form-data; name="media"; filename*=UTF-8''..%2F..%2Fetc%2F%1Bpass%07wd%7F%0D%0A.txt`],
      body: randomBytes(300),
    };
    const res = await post('/api/v1/media?type=file', multipart([encoded]));
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('passwd.txt');
    const windows = await post('/api/v1/media?type=file', multipart([filePart(randomBytes(300), '..\\..\\boot.ini')]));
    expect(windows.body.name).toBe('boot.ini');
    const raw = await post('/api/v1/media?type=file', multipart([filePart(randomBytes(300), 'bell\x07.txt')]));
    expect(raw).toMatchObject({ status: 400, body: { details: { reason: 'MALFORMED' } } });
    // The bytes sit under the store's own key, nowhere the name pointed.
    expect(storedFiles().every((f) => f.startsWith(join(platform.blobDir, 'media', corpId)))).toBe(true);
    await expectAlive();
  });

  it('stores a zip bomb as the bytes it is, never unpacking it', async () => {
    const bomb = zipBomb(64 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(200_000);
    const res = await post('/api/v1/media?type=file', multipart([filePart(bomb, 'zeros.zip')]));
    expect(res.status).toBe(201);
    expect(res.body.size).toBe(bomb.length);
    const download = await fetch(`${platform.gatewayUrl}/api/v1/media/${res.body.mediaId as string}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(Buffer.from(await download.arrayBuffer()).equals(bomb)).toBe(true);
    await expectAlive();
  });

  it('answers 503 storage_full when the blob store disk is full, and keeps and registers nothing', async () => {
    // A real full disk: a 1 MiB tmpfs over the store's directory. Without the right to mount, this
    // test fails rather than pretending (run it as root, or in a container with CAP_SYS_ADMIN).
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', platform.blobDir], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(`could not mount a 1 MiB tmpfs for the disk-full test (needs root or CAP_SYS_ADMIN): ${String(error)}`);
    }
    try {
      const media = await registered();
      const res = await post('/api/v1/media?type=file', multipart([filePart(randomBytes(3 * 1024 * 1024), 'big.bin')]));
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'STORAGE_FULL' } });
      const wecom = await post(
        `/cgi-bin/media/upload?access_token=${accessToken}&type=file`,
        multipart([filePart(randomBytes(3 * 1024 * 1024))]),
      );
      expect(wecom.body.errcode).toBe(-1);
      expect(storedFiles()).toEqual([]);
      expect(await registered()).toBe(media);
      // Room again: the next upload is stored.
      const small = await post('/api/v1/media?type=file', multipart([filePart(randomBytes(10_000), 'small.bin')]));
      expect(small.status).toBe(201);
      expect(await registered()).toBe(media + 1);
    } finally {
      execFileSync('umount', [platform.blobDir]);
    }
    await expectAlive();
  });
});
