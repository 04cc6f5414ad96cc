import { CallerIdentity } from '@atrium/platform';
import { eventually, memberInput } from '@atrium/testing';
import { formatCsv } from '../src/import/csv';
import { APPLY_CHUNK } from '../src/import/members-import.service';
import { DirectoryHarness, HarnessDatabase, TestCorp } from './directory-harness';

/**
 * Imports on both databases the directory runs on: PostgreSQL (a cluster) and PGlite with one
 * connection (embedded mode, `npm start`), where a transaction excludes every other caller.
 */

const MEMBER_HEADER = ['User ID', 'Name', 'Mobile', 'Email', 'Departments'];
const DEPARTMENT_HEADER = ['Department ID', 'Parent Department ID', 'Name', 'English Name', 'Order', 'Leaders'];
const FINISHED = ['invalid', 'done', 'failed'];

const membersCsv = (userids: string[], name = (userid: string) => `Member ${userid}`) =>
  formatCsv([MEMBER_HEADER, ...userids.map((u) => [u, name(u), '', `${u}@example.com`, '1'])]);

describe.each<HarnessDatabase>(['pglite', 'postgres'])('directory import on %s', (database) => {
  let dir: DirectoryHarness;

  beforeAll(async () => {
    dir = await DirectoryHarness.start(database);
  }, 120_000);
  afterAll(() => dir?.stop());

  const start = (caller: CallerIdentity, kind: string, csv: string, mode: string) =>
    dir.call(caller, (c, md) => c.startImport({ kind, mode, csv }, md)).then((r) => r.job!);
  const getJob = (caller: CallerIdentity, id: string) => dir.call(caller, (c, md) => c.getImportJob({ id }, md)).then((r) => r.job!);
  const finished = (caller: CallerIdentity, id: string, timeoutMs = 120_000) =>
    eventually(
      () => getJob(caller, id),
      (job) => FINISHED.includes(job.status),
      timeoutMs,
      `import job ${id}`,
    );
  const getMember = (corp: TestCorp, userid: string) => dir.call(corp.admin, (c, md) => c.getMember({ userid }, md)).then((r) => r.member!);
  const memberExists = (corp: TestCorp, userid: string) =>
    getMember(corp, userid).then(
      () => true,
      (error: { code?: string }) => {
        if (error.code === 'NOT_FOUND') return false;
        throw error;
      },
    );

  it.each(['all_or_nothing', 'partial'])('imports 3 departments, then 3 members, in %s mode', async (mode) => {
    const corp = await dir.createCorp('small');
    const departments = formatCsv([
      DEPARTMENT_HEADER,
      ['10', '1', 'Sales', '', '', ''],
      ['20', '10', 'East', '', '', ''],
      ['30', '1', 'Engineering', '', '', ''],
    ]);
    const tree = await finished(corp.admin, (await start(corp.admin, 'departments', departments, mode)).id);
    expect(tree).toMatchObject({ status: 'done', totalRows: 3, processedRows: 3, errorCount: 0 });
    expect((await dir.call(corp.admin, (c, md) => c.getDepartment({ id: 20 }, md))).department).toMatchObject({ path: [1, 10, 20] });

    const members = formatCsv([
      MEMBER_HEADER,
      ['ann', 'Ann', '', 'ann@example.com', '10'],
      ['bob', 'Bob', '', 'bob@example.com', '20'],
      ['cy', 'Cy', '', 'cy@example.com', '30'],
    ]);
    const job = await finished(corp.admin, (await start(corp.admin, 'members', members, mode)).id);
    expect(job).toMatchObject({ status: 'done', totalRows: 3, processedRows: 3, errorCount: 0, errors: [] });
    expect((await getMember(corp, 'bob')).departments.map((d) => d.departmentId)).toEqual([20]);
  });

  it('answers the service’s other callers between the chunks of a large all_or_nothing import', async () => {
    const corp = await dir.createCorp('busy');
    const rows = APPLY_CHUNK * 6;
    const job = await start(corp.admin, 'members', membersCsv(Array.from({ length: rows }, (_, i) => `busy.${i}`)), 'all_or_nothing');
    // A read that starts after the job was seen applying and completes before a later poll still
    // sees it applying was answered in the middle of the import, not after it.
    let readsDuringApply = 0;
    let current = job;
    while (!FINISHED.includes(current.status)) {
      const applying = current.status === 'applying';
      expect(await getMember(corp, 'admin')).toMatchObject({ userid: 'admin' });
      current = await getJob(corp.admin, job.id);
      if (applying && current.status === 'applying') readsDuringApply += 1;
    }
    expect(current).toMatchObject({ status: 'done', totalRows: rows, processedRows: rows, errorCount: 0 });
    expect(readsDuringApply).toBeGreaterThan(0);
    expect(await memberExists(corp, `busy.${rows - 1}`)).toBe(true);
  }, 300_000);

  it('reverts the chunks it applied when a later chunk fails, so all_or_nothing writes nothing', async () => {
    const corp = await dir.createCorp('revert');
    await dir.call(corp.admin, (c, md) => c.createMember({ member: memberInput('keeper', [1], { name: 'Old Name' }) }, md));
    const dataSource = dir.service.infra.dataSource;
    // A database error in the third chunk, after two chunks committed (a stand-in for a conflict
    // with a concurrent writer, or a constraint only the database knows).
    await dataSource.query(`CREATE FUNCTION import_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.userid = 'fails' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    await dataSource.query(`CREATE TRIGGER import_test_fail BEFORE INSERT ON members FOR EACH ROW EXECUTE FUNCTION import_test_fail()`);
    try {
      const userids = ['keeper', ...Array.from({ length: APPLY_CHUNK * 2 + 10 }, (_, i) => `revert.${i}`), 'fails'];
      const job = await finished(
        corp.admin,
        (
          await start(
            corp.admin,
            'members',
            membersCsv(userids, (u) => `New ${u}`),
            'all_or_nothing',
          )
        ).id,
      );
      expect(job.status).toBe('failed');
      expect(job.errors[0]).toMatchObject({ line: 0, field: '' });
      expect(job.errors[0].reason).toMatch(/injected failure.*nothing was written/);
      expect(await getMember(corp, 'keeper')).toMatchObject({ name: 'Old Name' });
      expect(await memberExists(corp, 'revert.0')).toBe(false);
      expect(await memberExists(corp, `revert.${APPLY_CHUNK * 2}`)).toBe(false);
      const search = await dir.call(corp.admin, (c, md) => c.searchMembers({ query: 'Old Name', limit: 5 }, md));
      expect(search.hits.map((h) => h.member!.userid)).toEqual(['keeper']);
    } finally {
      await dataSource.query(`DROP TRIGGER import_test_fail ON members`);
      await dataSource.query(`DROP FUNCTION import_test_fail()`);
    }
  }, 300_000);

  it('keeps a bounded error report for a huge malformed file', async () => {
    const corp = await dir.createCorp('huge');
    // 20 MB without a line break: one header cell.
    const header = await finished(corp.admin, (await start(corp.admin, 'members', 'x'.repeat(20_000_000), 'all_or_nothing')).id);
    expect(header.status).toBe('invalid');
    expect(header.errorCount).toBeGreaterThan(0);
    const unknown = header.errors.find((e) => e.reason.startsWith('unknown column'))!;
    expect(unknown.field).toMatch(/^x{100}… \(20000000 characters, cut\)$/);
    expect(JSON.stringify(header).length).toBeLessThan(10_000);

    // 5,000 bad rows with a 10,000-character mobile each: the first 1,000 errors are kept, cut.
    const long = 'y'.repeat(10_000);
    const rows = Array.from({ length: 5_000 }, (_, i) => [`bad.${i}`, `Bad ${i}`, long, '', '1']);
    const job = await finished(corp.admin, (await start(corp.admin, 'members', formatCsv([MEMBER_HEADER, ...rows]), 'partial')).id);
    expect(job).toMatchObject({ status: 'invalid', errorCount: 10_000 }); // mobile malformed, and then no contact at all
    expect(job.errors).toHaveLength(1_000);
    expect(Math.max(...job.errors.map((e) => e.reason.length))).toBeLessThanOrEqual(600);
    expect(JSON.stringify(job).length).toBeLessThan(1_000_000);
  }, 300_000);
});
