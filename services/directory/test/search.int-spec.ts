import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryV1, protoPathFor } from '@atrium/contracts';
import {
  CallerIdentity,
  createLogger,
  GrpcServiceClient,
  loadServiceConfig,
  openDatabase,
  PLATFORM_ADMIN_ROLE,
  RunningService,
  startService,
  SUPER_ADMIN_ROLE,
} from '@atrium/platform';
import { freePort } from '@atrium/testing';
import { directoryEnvSchema } from '../src/config';
import { directoryService } from '../src/directory.service-definition';
import { MemberSearchService } from '../src/search/member-search.service';
import { DirectoryHarness, HarnessDatabase, TestCorp } from './directory-harness';
import { memberInput } from '@atrium/testing';

interface Hit {
  userid: string;
  match: string;
  field: string;
}

describe.each<HarnessDatabase>(['postgres', 'pglite'])('member search on %s', (engine) => {
  let dir: DirectoryHarness;
  let corp: TestCorp;

  const createMember = (input: directoryV1.MemberInput, target = corp) =>
    dir.call(target.admin, (c, md) => c.createMember({ member: input }, md)).then((r) => r.member!);
  const search = (query: string, caller: CallerIdentity = corp.admin, limit = 20): Promise<Hit[]> =>
    dir
      .call(caller, (c, md) => c.searchMembers({ query, limit }, md))
      .then((r) => r.hits.map((h) => ({ userid: h.member!.userid, match: h.match, field: h.field })));
  const userids = async (query: string, caller?: CallerIdentity) => (await search(query, caller)).map((h) => h.userid);

  beforeAll(async () => {
    dir = await DirectoryHarness.start(engine);
    corp = await dir.createCorp('search');
    await createMember(memberInput('zhangsan', [1], { name: '张三' }));
    await createMember(memberInput('zhangsan2', [1], { name: '张三', enabled: false }));
    await createMember(memberInput('sanfeng', [1], { name: '张三丰' }));
    await createMember(memberInput('laoli', [1], { name: '老李', email: 'ex-zhangsan@example.com' }));
    await createMember(memberInput('xm.zeng', [1], { name: '曾小明' }));
    await createMember(memberInput('tianfang', [1], { name: '单田芳', alias: 'Storyteller', email: 'tianfang@example.org' }));
    await createMember(memberInput('lilei', [1], { name: 'Li Lei', nameEn: 'Lei Li', mobile: '+86 139-1234-5678' }));
  }, 180_000);
  afterAll(() => dir?.stop());

  it('ranks exact before prefix before fuzzy, and active before disabled within a rank', async () => {
    expect(await search('zhangsan')).toEqual([
      { userid: 'zhangsan', match: 'exact', field: 'userid' },
      { userid: 'zhangsan2', match: 'exact', field: 'pinyin' },
      { userid: 'sanfeng', match: 'prefix', field: 'pinyin' },
      { userid: 'laoli', match: 'fuzzy', field: 'email' },
    ]);
  });

  it('finds 张三 by pinyin initials, and by its Chinese name and its prefix', async () => {
    const initials = await search('zs');
    expect(initials.slice(0, 2)).toEqual([
      { userid: 'zhangsan', match: 'exact', field: 'pinyin_initials' },
      { userid: 'zhangsan2', match: 'exact', field: 'pinyin_initials' },
    ]);
    expect(initials).toContainEqual({ userid: 'sanfeng', match: 'prefix', field: 'pinyin_initials' });
    expect(await search('张三')).toEqual([
      { userid: 'zhangsan', match: 'exact', field: 'name' },
      { userid: 'zhangsan2', match: 'exact', field: 'name' },
      { userid: 'sanfeng', match: 'prefix', field: 'name' },
    ]);
  });

  it('finds polyphonic surnames by each reading: 曾 zeng/ceng, 单 shan/dan', async () => {
    for (const query of ['zengxm', 'cengxm', 'zengxiaoming', 'cengxiaoming', 'zxm', 'cxm']) {
      expect({ query, hits: await search(query) }).toEqual({
        query,
        hits: [expect.objectContaining({ userid: 'xm.zeng', match: 'exact' })],
      });
    }
    for (const query of ['shantianfang', 'dantianfang', 'stf', 'dtf']) {
      expect({ query, hits: await userids(query) }).toEqual({ query, hits: ['tianfang'] });
    }
  });

  it('finds a given name inside a name and a typo by trigram similarity, as fuzzy hits', async () => {
    expect(await search('小明')).toEqual([{ userid: 'xm.zeng', match: 'fuzzy', field: 'name' }]);
    expect(await search('曾')).toEqual([{ userid: 'xm.zeng', match: 'prefix', field: 'name' }]);
    expect(await search('xiaoming')).toEqual([{ userid: 'xm.zeng', match: 'fuzzy', field: 'pinyin' }]);
    const typo = await search('zhangsna');
    expect(typo).toContainEqual({ userid: 'zhangsan', match: 'fuzzy', field: 'userid' });
    expect(typo.every((h) => h.match === 'fuzzy')).toBe(true);
  });

  it('finds Latin names, aliases, mobiles and emails', async () => {
    expect(await search('Li Lei')).toEqual([{ userid: 'lilei', match: 'exact', field: 'name' }]);
    expect(await search('lei li')).toEqual([{ userid: 'lilei', match: 'exact', field: 'name_en' }]);
    expect(await search('storyteller')).toEqual([{ userid: 'tianfang', match: 'exact', field: 'alias' }]);
    expect(await search('139 1234')).toEqual([{ userid: 'lilei', match: 'prefix', field: 'mobile' }]);
    expect(await search('+86 13912345678')).toEqual([{ userid: 'lilei', match: 'exact', field: 'mobile' }]);
    expect(await search('tianfang@example.org')).toEqual([{ userid: 'tianfang', match: 'exact', field: 'email' }]);
  });

  it('lets every member of the corp search, and shows another corp nothing of this one', async () => {
    expect(await userids('zhangsan', dir.as(corp, 'lilei'))).toEqual(['zhangsan', 'zhangsan2', 'sanfeng', 'laoli']);
    const other = await dir.createCorp('elsewhere');
    expect(await search('zhangsan', other.admin)).toEqual([]);
    expect(await search('张', other.admin)).toEqual([]);
    await createMember(memberInput('zhangsan', [1], { name: '张三' }), other);
    expect(await search('张三', other.admin)).toEqual([{ userid: 'zhangsan', match: 'exact', field: 'name' }]);
  });

  it('drops an offboarded member from search, in the same transaction as the offboarding', async () => {
    await createMember(memberInput('leaver', [1], { name: '解晓东' }));
    expect(await userids('xiexd')).toEqual(['leaver']);
    expect(await userids('jiexd')).toEqual(['leaver']);
    await dir.call(corp.admin, (c, md) => c.offboardMember({ userid: 'leaver', successorUserid: 'zhangsan' }, md));
    expect(await search('xiexd')).toEqual([]);
    expect(await search('解晓东')).toEqual([]);
    expect(await search('leaver')).toEqual([]);
  });

  it('re-indexes a renamed member and forgets a deleted one', async () => {
    await createMember(memberInput('renamed', [1], { name: '王五' }));
    expect(await userids('wangwu')).toEqual(['renamed']);
    await dir.call(corp.admin, (c, md) => c.updateMember({ userid: 'renamed', patch: { name: '朴树' } }, md));
    expect(await search('wangwu')).toEqual([]);
    expect(await userids('piaoshu')).toEqual(['renamed']);
    expect(await userids('pushu')).toEqual(['renamed']);
    await dir.call(corp.admin, (c, md) => c.deleteMembers({ userids: ['renamed'] }, md));
    expect(await search('piaoshu')).toEqual([]);
    const [{ n }] = await dir.service.infra.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM member_search_terms WHERE corp_id = $1 AND userid = 'renamed'`,
      [corp.corpId],
    );
    expect(n).toBe(0);
  });

  it('backfills members that have no terms (written before the index existed)', async () => {
    await dir.service.infra.dataSource.query(`DELETE FROM member_search_terms WHERE corp_id = $1 AND userid = 'sanfeng'`, [corp.corpId]);
    expect(await userids('zhangsanfeng')).not.toContain('sanfeng');
    expect(await dir.service.app.get(MemberSearchService).backfill()).toBeGreaterThanOrEqual(1);
    expect(await search('zhangsanfeng')).toContainEqual({ userid: 'sanfeng', match: 'exact', field: 'pinyin' });
    expect(await dir.service.app.get(MemberSearchService).backfill()).toBe(0);
  });

  it('honours the limit and rejects an empty query or an oversized limit', async () => {
    expect(await search('zhangsan', corp.admin, 2)).toHaveLength(2);
    await expect(search('   ')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'query' } });
    await expect(search('zs', corp.admin, 101)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'limit' } });
  });
});

// PGlite in a child process (its wasm loader needs dynamic import(), which CommonJS jest does not
// provide), on a data directory when given one; SIGTERM closes it cleanly. `plain`: PGlite alone,
// without extensions (as a PostgreSQL without contrib, and embedded mode before it loaded
// pg_trgm); `embedded`: startEmbeddedPostgres itself, as embedded mode runs it.
const PGLITE_SERVER = `
  const [mode, port, dataDir] = process.argv.slice(1);
  const start = mode === 'plain'
    ? async () => {
        const { PGlite } = require('@electric-sql/pglite');
        const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
        const db = await PGlite.create(dataDir || undefined);
        const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: Number(port) });
        await server.start();
        return { close: async () => { await server.stop(); await db.close(); } };
      }
    : async () => {
        require('ts-node').register({ transpileOnly: true });
        return require(${JSON.stringify(join(__dirname, '..', '..', '..', 'libs', 'platform', 'src', 'database', 'embedded-postgres.ts'))})
          .startEmbeddedPostgres(dataDir, Number(port));
      };
  start().then((db) => {
    process.once('SIGTERM', () => db.close().then(() => process.exit(0)));
    process.stdout.write('listening\\n');
  });`;

async function startPglite(mode: 'plain' | 'embedded', dataDir = ''): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', PGLITE_SERVER, mode, String(port), dataDir], {
    cwd: __dirname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout, 'data');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** The directory on a PGlite database, with one connection as embedded mode runs it, and a corp with 张三 and 曾小明. */
async function startDirectoryOn(url: string) {
  const identityKey = randomBytes(32).toString('hex');
  const grpcPort = await freePort();
  const config = loadServiceConfig(directoryEnvSchema, {
    DATABASE_URL: url,
    ATRIUM_EVENT_BUS: 'inprocess',
    ATRIUM_PUBSUB: 'inprocess',
    ATRIUM_IDENTITY_KEY: identityKey,
    LOG_LEVEL: process.env.ATRIUM_TEST_LOG_LEVEL ?? 'silent',
  });
  const definition = directoryService();
  const service: RunningService = await startService({ ...definition, database: { ...definition.database, poolSize: 1 } }, config, {
    httpPort: 0,
    grpcPort,
    host: '127.0.0.1',
    logger: createLogger('directory', config.LOG_LEVEL),
  });
  const client = new GrpcServiceClient<directoryV1.DirectoryServiceClient>(
    { caller: 'test', url: `127.0.0.1:${grpcPort}`, packageName: 'atrium.directory.v1', protoPath: protoPathFor('directory'), identityKey },
    directoryV1.DIRECTORY_SERVICE_NAME,
  );
  const created = await client.call(
    'test',
    (c, md) =>
      c.createCorp({ code: 'embedded', name: 'Embedded', adminUserid: 'admin', adminName: 'Admin', adminPassword: 'admin-password' }, md),
    { corpId: '', userId: 'operator', roles: [PLATFORM_ADMIN_ROLE] },
  );
  const admin: CallerIdentity = { corpId: created.corp!.id, userId: 'admin', roles: [SUPER_ADMIN_ROLE] };
  for (const input of [memberInput('zhangsan', [1], { name: '张三' }), memberInput('xm.zeng', [1], { name: '曾小明' })]) {
    await client.call('test', (c, md) => c.createMember({ member: input }, md), admin);
  }
  return {
    service,
    search: (query: string): Promise<Hit[]> =>
      client
        .call('test', (c, md) => c.searchMembers({ query, limit: 20 }, md), admin)
        .then((r) => r.hits.map((h) => ({ userid: h.member!.userid, match: h.match, field: h.field }))),
    /** The corp's root with its subtree: subtree_members, kept by triggers, on PGlite too. */
    resolveAll: (): Promise<string[]> =>
      client
        .call(
          'test',
          (c, md) =>
            c.resolveRecipients({ userids: [], departmentIds: [1], directDepartmentIds: [], tagIds: [], pageSize: 0, pageToken: '' }, md),
          admin,
        )
        .then((r) => r.userids),
    trigramIndexes: async () =>
      (
        await service.infra.dataSource.query<{ indexname: string }[]>(
          `SELECT indexname FROM pg_indexes WHERE tablename = 'member_search_terms' AND indexdef LIKE '%gin_trgm_ops%' ORDER BY indexname`,
        )
      ).map((r) => r.indexname),
    async stop() {
      await client.close();
      await service.stop();
    },
  };
}

/** Where pg_trgm is missing (a PostgreSQL without contrib), search falls back to a plain substring scan. */
describe('member search on PGlite without pg_trgm', () => {
  let pglite: Awaited<ReturnType<typeof startPglite>>;
  let directory: Awaited<ReturnType<typeof startDirectoryOn>>;

  beforeAll(async () => {
    pglite = await startPglite('plain');
    directory = await startDirectoryOn(pglite.url);
  }, 120_000);
  afterAll(async () => {
    await directory?.stop();
    await pglite?.stop();
  });

  it('finds exact, prefix and substring hits with a plain scan, and gives up on typos', async () => {
    expect(await directory.trigramIndexes()).toEqual([]);
    expect(await directory.search('zs')).toEqual([{ userid: 'zhangsan', match: 'exact', field: 'pinyin_initials' }]);
    expect(await directory.search('cengx')).toEqual([{ userid: 'xm.zeng', match: 'prefix', field: 'pinyin' }]);
    expect(await directory.search('xiaoming')).toEqual([{ userid: 'xm.zeng', match: 'fuzzy', field: 'pinyin' }]);
    expect(await directory.search('小明')).toEqual([{ userid: 'xm.zeng', match: 'fuzzy', field: 'name' }]);
    expect(await directory.search('zhangsna')).toEqual([]);
  });
});

/** Embedded mode loads pg_trgm into PGlite: typo search works there, also on data migrated before it did. */
describe('member search in embedded mode (PGlite with pg_trgm)', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'atrium-pglite-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('gains the trigram indexes on upgrade and then finds typos', async () => {
    // A data directory as an earlier release left it: migrated on PGlite without pg_trgm.
    const before = await startPglite('plain', dataDir);
    try {
      const old = await openDatabase({
        url: before.url,
        entities: [],
        migrations: directoryService().database.migrations.slice(0, 4),
        poolSize: 1,
      });
      await old.destroy();
    } finally {
      await before.stop();
    }

    const pglite = await startPglite('embedded', dataDir);
    const directory = await startDirectoryOn(pglite.url);
    try {
      expect(await directory.trigramIndexes()).toEqual(['member_search_terms_trgm', 'member_search_terms_trgm_words']);
      expect(await directory.search('zhangsna')).toEqual([{ userid: 'zhangsan', match: 'fuzzy', field: 'userid' }]);
      expect(await directory.search('zengxiaomign')).toEqual([{ userid: 'xm.zeng', match: 'fuzzy', field: 'pinyin' }]);
      expect(await directory.resolveAll()).toEqual(['admin', 'xm.zeng', 'zhangsan']);
    } finally {
      await directory.stop();
      await pglite.stop();
    }
  }, 180_000);
});
