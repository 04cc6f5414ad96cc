import { directoryV1 } from '@atrium/contracts';
import { CallerIdentity } from '@atrium/platform';
import { eventually } from '@atrium/testing';
import { Client } from 'pg';
import { formatCsv, parseCsv } from '../src/import/csv';
import { DirectoryHarness, HarnessDatabase, TestCorp } from './directory-harness';
import { memberInput } from '@atrium/testing';

const MEMBER_HEADER = [
  'User ID',
  'Name',
  'Alias',
  'English Name',
  'Position',
  'Mobile',
  'Email',
  'Telephone',
  'Gender',
  'Employee No',
  'Address',
  'Departments',
  'Leader In Departments',
  'Main Department',
  'Direct Leaders',
  'Enabled',
];
const DEPARTMENT_HEADER = ['Department ID', 'Parent Department ID', 'Name', 'English Name', 'Order', 'Leaders'];

type MemberCells = Partial<{
  userid: string;
  name: string;
  alias: string;
  nameEn: string;
  position: string;
  mobile: string;
  email: string;
  telephone: string;
  gender: string;
  employeeNo: string;
  address: string;
  departments: string;
  leaderIn: string;
  main: string;
  leaders: string;
  enabled: string;
}>;

const memberRow = (c: MemberCells): string[] => [
  c.userid ?? '',
  c.name ?? c.userid ?? '',
  c.alias ?? '',
  c.nameEn ?? '',
  c.position ?? '',
  c.mobile ?? '',
  c.email ?? (c.userid ? `${c.userid}@example.com` : ''),
  c.telephone ?? '',
  c.gender ?? '',
  c.employeeNo ?? '',
  c.address ?? '',
  c.departments ?? '1',
  c.leaderIn ?? '',
  c.main ?? '',
  c.leaders ?? '',
  c.enabled ?? '',
];

const membersCsv = (...rows: MemberCells[]) => formatCsv([MEMBER_HEADER, ...rows.map(memberRow)]);
const departmentsCsv = (...rows: (string | number)[][]) => formatCsv([DEPARTMENT_HEADER, ...rows.map((r) => r.map(String))]);

const FINISHED = ['invalid', 'done', 'failed'];

describe.each<HarnessDatabase>(['postgres', 'pglite'])('directory CSV import and export on %s', (engine) => {
  let dir: DirectoryHarness;
  let corp: TestCorp;

  beforeAll(async () => {
    dir = await DirectoryHarness.start(engine);
    corp = await dir.createCorp('import');
  }, 180_000);
  afterAll(() => dir?.stop());

  const start = (caller: CallerIdentity, kind: string, csv: string, mode = 'all_or_nothing') =>
    dir.call(caller, (c, md) => c.startImport({ kind, mode, csv }, md)).then((r) => r.job!);

  /** Polls the job until it finishes; returns it with every status seen on the way. */
  async function finished(caller: CallerIdentity, id: string): Promise<directoryV1.ImportJob & { seen: string[] }> {
    const seen: string[] = [];
    const job = await eventually(
      async () => {
        const current = (await dir.call(caller, (c, md) => c.getImportJob({ id }, md))).job!;
        if (seen[seen.length - 1] !== current.status) seen.push(current.status);
        return current;
      },
      (j) => FINISHED.includes(j.status),
      60_000,
      `import job ${id}`,
    );
    return { ...job, seen };
  }

  const importCsv = async (caller: CallerIdentity, kind: string, csv: string, mode = 'all_or_nothing') =>
    finished(caller, (await start(caller, kind, csv, mode)).id);

  const getMember = (target: TestCorp, userid: string) =>
    dir.call(target.admin, (c, md) => c.getMember({ userid }, md)).then((r) => r.member!);
  const exportCsv = (caller: CallerIdentity, kind: string) =>
    dir.call(caller, (c, md) => c.exportDirectory({ kind }, md)).then((r) => r.csv);
  const errorsOf = (job: directoryV1.ImportJob) => job.errors.map((e) => ({ line: e.line, field: e.field }));

  it('imports departments, then members, and the job reports its progress until done', async () => {
    // Children before their parents: the file is resolved as a whole.
    const departments = await importCsv(
      corp.admin,
      'departments',
      departmentsCsv(
        [20, 10, 'East', 'East Region', '', ''],
        [10, 1, 'Sales', '', 5000, ''],
        [30, 1, 'Engineering', '', '', ''],
        [31, 30, 'Platform', '', '', ''],
      ),
    );
    expect(departments).toMatchObject({
      kind: 'departments',
      status: 'done',
      mode: 'all_or_nothing',
      totalRows: 4,
      processedRows: 4,
      errorCount: 0,
    });
    expect(departments.createdBy).toBe('admin');
    expect(departments.finishedAt).not.toBe('');
    const east = (await dir.call(corp.admin, (c, md) => c.getDepartment({ id: 20 }, md))).department!;
    expect(east).toMatchObject({ parentId: 10, name: 'East', nameEn: 'East Region', path: [1, 10, 20] });

    const csv = membersCsv(
      {
        userid: 'Li.Lei',
        name: '李雷',
        mobile: '13900000001',
        departments: '10;20',
        leaderIn: '20',
        main: '20',
        leaders: 'han.meimei',
        gender: 'male',
      },
      { userid: 'han.meimei', name: '韩梅梅', departments: '10', leaderIn: '10', gender: '女', address: 'Room 1, "Tower" A\r\nShanghai' },
      {
        userid: 'jim.green',
        name: 'Jim Green',
        nameEn: 'Jim',
        position: 'Engineer',
        departments: '31',
        enabled: 'no',
        employeeNo: 'E-003',
      },
    );
    const job = await start(corp.admin, 'members', csv);
    expect(job.status).toBe('validating');
    const done = await finished(corp.admin, job.id);
    expect(done).toMatchObject({ status: 'done', totalRows: 3, processedRows: 3, errorCount: 0, errors: [] });
    expect(done.seen[done.seen.length - 1]).toBe('done');

    const lilei = await getMember(corp, 'li.lei');
    expect(lilei).toMatchObject({ name: '李雷', mobile: '13900000001', gender: 1, mainDepartment: 20, directLeaders: ['han.meimei'] });
    expect(lilei.departments.map((d) => [d.departmentId, d.isLeader])).toEqual([
      [10, false],
      [20, true],
    ]);
    expect(await getMember(corp, 'han.meimei')).toMatchObject({ gender: 2, address: 'Room 1, "Tower" A\r\nShanghai', mainDepartment: 10 });
    expect(await getMember(corp, 'jim.green')).toMatchObject({
      status: directoryV1.MemberStatus.MEMBER_STATUS_DISABLED,
      employeeNo: 'E-003',
      nameEn: 'Jim',
    });
    const hits = await dir.call(corp.admin, (c, md) => c.searchMembers({ query: '李雷', limit: 5 }, md));
    expect(hits.hits.map((h) => h.member!.userid)).toContain('li.lei');
  });

  it('reports every bad row by line, field and reason, and writes nothing in all_or_nothing mode', async () => {
    const csv = membersCsv(
      { userid: 'good.one', departments: '10' }, // line 2
      { userid: 'bad.mobile', mobile: 'call me', departments: '10' }, // line 3
      { userid: 'multi.line', address: 'one\ntwo\nthree', departments: '99999' }, // lines 4-6
      { userid: 'good.one', departments: '10', email: 'other@example.com' }, // line 7: userid twice
      { userid: '-nope', name: '', gender: 'robot', departments: '10', email: '' }, // line 8
      { userid: 'taken.mobile', mobile: '13900000001', departments: '10' }, // line 9: li.lei's mobile
      { userid: 'lonely', leaders: 'nobody.here', departments: '10', leaderIn: '20' }, // line 10
    );
    const job = await importCsv(corp.admin, 'members', csv);
    expect(job.status).toBe('invalid');
    expect(errorsOf(job)).toEqual([
      { line: 3, field: 'mobile' },
      { line: 4, field: 'departments' },
      { line: 7, field: 'userid' },
      { line: 8, field: 'userid' },
      { line: 8, field: 'name' },
      { line: 8, field: 'gender' },
      { line: 8, field: 'mobile' },
      { line: 9, field: 'mobile' },
      { line: 10, field: 'leader_in_departments' },
    ]);
    expect(job.errorCount).toBe(9);
    expect(job.errors.find((e) => e.line === 4)!.reason).toBe('department 99999 does not exist');
    expect(job.errors.find((e) => e.line === 9)!.reason).toBe('mobile 13900000001 belongs to member li.lei');
    expect(job.errors.find((e) => e.line === 7)!.reason).toBe('userid good.one is also on line 2');
    await expect(getMember(corp, 'good.one')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('applies the good rows in partial mode and reports the others, with the rows that relied on them', async () => {
    const csv = membersCsv(
      { userid: 'p.one', departments: '10' }, // line 2
      { userid: 'p.bad', departments: '10', mobile: '12' }, // line 3
      { userid: 'p.two', departments: '20', leaders: 'p.bad' }, // line 4: its leader is the bad row
      { userid: 'p.three', departments: '20', leaders: 'p.one' }, // line 5: its leader arrives with it
    );
    const job = await importCsv(corp.admin, 'members', csv, 'partial');
    expect(job).toMatchObject({ status: 'done', mode: 'partial', totalRows: 4, processedRows: 2 });
    expect(errorsOf(job)).toEqual([
      { line: 3, field: 'mobile' },
      { line: 4, field: 'direct_leaders' },
    ]);
    expect(job.errors[1].reason).toBe('direct leader p.bad is on line 3, which has errors');
    expect((await getMember(corp, 'p.three')).directLeaders).toEqual(['p.one']);
    await expect(getMember(corp, 'p.two')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('updates members on re-import: changed attributes, swapped mobiles, absent columns left alone', async () => {
    await dir.call(corp.admin, (c, md) =>
      c.createMember({ member: memberInput('swap.a', [10], { mobile: '13800000101', alias: 'A' }) }, md),
    );
    await dir.call(corp.admin, (c, md) => c.createMember({ member: memberInput('swap.b', [10], { mobile: '13800000102' }) }, md));
    const swapped = await importCsv(
      corp.admin,
      'members',
      membersCsv(
        { userid: 'swap.a', mobile: '13800000102', departments: '10;31', position: 'Lead', alias: 'A' },
        { userid: 'swap.b', mobile: '13800000101', departments: '10' },
      ),
    );
    expect(swapped).toMatchObject({ status: 'done', errorCount: 0 });
    expect(await getMember(corp, 'swap.a')).toMatchObject({ mobile: '13800000102', position: 'Lead', alias: 'A' });
    expect((await getMember(corp, 'swap.a')).departments.map((d) => d.departmentId)).toEqual([10, 31]);
    expect((await getMember(corp, 'swap.b')).mobile).toBe('13800000101');

    // Only three columns: the others keep their values.
    const narrow = await importCsv(
      corp.admin,
      'members',
      formatCsv([
        ['userid', 'name', 'departments'],
        ['swap.a', 'Swapper A', '10'],
      ]),
    );
    expect(narrow.status).toBe('done');
    expect(await getMember(corp, 'swap.a')).toMatchObject({ name: 'Swapper A', mobile: '13800000102', position: 'Lead', alias: 'A' });
  });

  it('refuses a departments file whose tree would be broken', async () => {
    const job = await importCsv(
      corp.admin,
      'departments',
      departmentsCsv(
        [10, 20, 'Sales', '', '', ''], // line 2: Sales under East, which is under Sales
        [40, 1, 'engineering', '', '', ''], // line 3: a sibling is already "Engineering"
        [41, 777, 'Orphan', '', '', ''], // line 4
        [1, 30, 'Root', '', '', ''], // line 5
        [42, 1, 'Bad: name', '', '', 'nobody.here'], // line 6
      ),
    );
    expect(job.status).toBe('invalid');
    expect(errorsOf(job)).toEqual([
      { line: 2, field: 'parent_id' },
      { line: 3, field: 'name' },
      { line: 4, field: 'parent_id' },
      { line: 5, field: 'parent_id' },
      { line: 6, field: 'name' },
      { line: 6, field: 'leaders' },
    ]);
    expect(job.errors[0].reason).toBe('parents make a cycle: 10 → 20 → 10');
  });

  it('applies the good departments in partial mode, leaving out the children of a bad one', async () => {
    const job = await importCsv(
      corp.admin,
      'departments',
      departmentsCsv([71, 70, 'Child', '', '', ''], [70, 1, 'Bad: name', '', '', ''], [72, 1, 'Fine', '', '', '']),
      'partial',
    );
    expect(job).toMatchObject({ status: 'done', totalRows: 3, processedRows: 1 });
    expect(job.errors.map((e) => [e.line, e.field, e.reason])).toEqual([
      [2, 'parent_id', 'parent department 70 is on line 3, which has errors'],
      [3, 'name', 'name must not contain any of \\ : * ? " < > |'],
    ]);
    expect((await dir.call(corp.admin, (c, md) => c.getDepartment({ id: 72 }, md))).department!.path).toEqual([1, 72]);
    await expect(dir.call(corp.admin, (c, md) => c.getDepartment({ id: 71 }, md))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('moves and renames departments in one file, sibling names swapping included', async () => {
    await importCsv(
      corp.admin,
      'departments',
      departmentsCsv([50, 1, 'Alpha', '', '', ''], [51, 1, 'Beta', '', '', ''], [52, 50, 'Alpha Child', '', '', '']),
    );
    const job = await importCsv(
      corp.admin,
      'departments',
      departmentsCsv([50, 1, 'Beta', '', '', ''], [51, 1, 'Alpha', '', '', ''], [50, 51, 'x', '', '', '']),
    );
    expect(errorsOf(job)).toEqual([{ line: 4, field: 'id' }]);
    const swapped = await importCsv(
      corp.admin,
      'departments',
      departmentsCsv([50, 30, 'Beta', '', '', ''], [51, 1, 'Alpha', '', '', ''], [52, 50, 'Alpha Child', '', '', 'han.meimei']),
    );
    expect(swapped).toMatchObject({ status: 'done', errorCount: 0 });
    const child = (await dir.call(corp.admin, (c, md) => c.getDepartment({ id: 52 }, md))).department!;
    expect(child).toMatchObject({ path: [1, 30, 50, 52], leaders: ['han.meimei'] });
    expect((await dir.call(corp.admin, (c, md) => c.getDepartment({ id: 51 }, md))).department!.name).toBe('Alpha');
  });

  it('holds a sub-admin to their scope: rows outside it are errors, the export shows their subtree only', async () => {
    await dir.call(corp.admin, (c, md) => c.createMember({ member: memberInput('sub.admin', [30]) }, md));
    await dir.call(corp.admin, (c, md) =>
      c.setAdminScope({ scope: { userid: 'sub.admin', role: 'sub_admin', departmentIds: [30], permissions: ['manage_members'] } }, md),
    );
    const sub = dir.as(corp, 'sub.admin');
    const job = await importCsv(
      sub,
      'members',
      membersCsv(
        { userid: 'in.scope', departments: '31' },
        { userid: 'out.of.scope', departments: '10' },
        { userid: 'li.lei', departments: '31' },
      ),
    );
    expect(job.status).toBe('invalid');
    expect(errorsOf(job)).toEqual([
      { line: 3, field: 'departments' },
      { line: 4, field: 'departments' },
    ]);
    expect(job.errors[0].reason).toBe('department "Sales" (10) is outside your administrative scope');
    await expect(start(sub, 'departments', departmentsCsv([60, 30, 'Sub', '', '', '']))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(start(dir.as(corp, 'han.meimei'), 'members', membersCsv({ userid: 'x.y' }))).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const exported = parseCsv(await exportCsv(sub, 'departments')).map((r) => r.fields[0]);
    expect(exported).toEqual(['Department ID', '30', '31', '50', '52']);
    const members = parseCsv(await exportCsv(sub, 'members')).map((r) => r.fields[0]);
    expect(members).toEqual(expect.arrayContaining(['jim.green', 'sub.admin']));
    expect(members).not.toContain('han.meimei');
    // Someone else's job is not a sub-admin's to read.
    await expect(dir.call(sub, (c, md) => c.getImportJob({ id: job.id }, md))).resolves.toBeDefined();
    const adminJob = await start(corp.admin, 'members', membersCsv({ userid: 'li.lei', departments: '10;20', main: '20' }));
    await expect(dir.call(sub, (c, md) => c.getImportJob({ id: adminJob.id }, md))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await finished(corp.admin, adminJob.id);
  });

  it('round-trips: an export imported into a new corp yields the same directory', async () => {
    const departments = await exportCsv(corp.admin, 'departments');
    const members = await exportCsv(corp.admin, 'members');
    const copy = await dir.createCorp('copy');
    // Leaders must be members before they lead: the tree first without them, the members, then the tree again.
    const withoutLeaders = formatCsv(parseCsv(departments).map((r) => r.fields.slice(0, 5)));
    expect((await importCsv(copy.admin, 'departments', withoutLeaders)).status).toBe('done');
    expect(await importCsv(copy.admin, 'members', members)).toMatchObject({ status: 'done', errorCount: 0 });
    expect(await importCsv(copy.admin, 'departments', departments)).toMatchObject({ status: 'done', errorCount: 0 });
    expect(await exportCsv(copy.admin, 'departments')).toBe(departments);
    expect(await exportCsv(copy.admin, 'members')).toBe(members);
    // Importing the export again changes nothing.
    expect(await importCsv(copy.admin, 'members', members)).toMatchObject({ status: 'done', processedRows: parseCsv(members).length - 1 });
    expect(await exportCsv(copy.admin, 'members')).toBe(members);
  });

  it('keeps corps apart: another corp sees neither the jobs nor the members', async () => {
    const other = await dir.createCorp('elsewhere');
    const job = await importCsv(corp.admin, 'members', membersCsv({ userid: 'only.here', departments: '10' }));
    await expect(dir.call(other.admin, (c, md) => c.getImportJob({ id: job.id }, md))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(getMember(other, 'only.here')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The same userid and mobile are free in another corp; its department 10 does not exist.
    const there = await importCsv(other.admin, 'members', membersCsv({ userid: 'li.lei', mobile: '13900000001', departments: '10' }));
    expect(errorsOf(there)).toEqual([{ line: 2, field: 'departments' }]);
    const fixed = await importCsv(other.admin, 'members', membersCsv({ userid: 'li.lei', mobile: '13900000001', departments: '1' }));
    expect(fixed.status).toBe('done');
    expect((await getMember(corp, 'li.lei')).departments.map((d) => d.departmentId)).toEqual([10, 20]);
    const exported = parseCsv(await exportCsv(other.admin, 'members')).map((r) => r.fields[0]);
    expect(exported).toEqual(['User ID', 'admin', 'li.lei']);
  });

  it('refuses a malformed file, an unknown column and a second import while one runs', async () => {
    const broken = await importCsv(corp.admin, 'members', `${MEMBER_HEADER.join(',')}\r\na,"open\r\n`);
    expect(broken).toMatchObject({ status: 'invalid', errors: [{ line: 2, field: '' }] });
    const unknown = await importCsv(corp.admin, 'members', 'userid,name,departments,shoe size\r\nx,y,1,42\r\n');
    expect(unknown).toMatchObject({ status: 'invalid', errors: [{ line: 1, field: 'shoe size' }] });
    await expect(start(corp.admin, 'people', 'a\r\n')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'kind' } });

    const busy = await dir.createCorp('busy');
    await dir.service.infra.dataSource.query(
      `INSERT INTO import_jobs (corp_id, kind, mode, status, created_by) VALUES ($1, 'members', 'partial', 'applying', 'admin')`,
      [busy.corpId],
    );
    await expect(start(busy.admin, 'members', membersCsv({ userid: 'x.y' }))).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('fails a job whose process stopped vouching for it', async () => {
    const stale = await dir.createCorp('stale');
    const [{ id }] = await dir.service.infra.dataSource.query<{ id: string }[]>(
      `INSERT INTO import_jobs (corp_id, kind, mode, status, created_by, heartbeat_at)
       VALUES ($1, 'members', 'all_or_nothing', 'applying', 'admin', now() - interval '5 minutes') RETURNING id`,
      [stale.corpId],
    );
    const job = await finished(stale.admin, id);
    expect(job.status).toBe('failed');
    expect(job.errors[0]).toMatchObject({ line: 0, field: '' });
    expect(job.errors[0].reason).toMatch(/stopped .* nothing was written/);
  }, 30_000);
});

describe('directory import during shutdown', () => {
  it('marks the running job failed, having written nothing, when the service stops', async () => {
    const dir = await DirectoryHarness.start();
    const corp = await dir.createCorp('shutdown');
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ userid: `bulk${i}`, departments: '1' }));
    const job = (
      await dir.call(corp.admin, (c, md) => c.startImport({ kind: 'members', mode: 'all_or_nothing', csv: membersCsv(...rows) }, md))
    ).job!;
    await eventually(
      () => dir.call(corp.admin, (c, md) => c.getImportJob({ id: job.id }, md)).then((r) => r.job!),
      (j) => j.status === 'applying' && j.processedRows > 0,
      60_000,
      'the import to be applying',
    );
    await dir.client.close();
    await dir.service.stop();
    const db = new Client({ connectionString: dir.database.url });
    await db.connect();
    try {
      const { rows: jobs } = await db.query<{ status: string; failure: string }>(`SELECT status, failure FROM import_jobs WHERE id = $1`, [
        job.id,
      ]);
      expect(jobs[0].status).toBe('failed');
      expect(jobs[0].failure).toBe('the directory service shut down during the import; nothing was written');
      const { rows: count } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM members WHERE userid LIKE 'bulk%'`);
      expect(count[0].n).toBe(0);
    } finally {
      await db.end();
      await dir.database.drop();
    }
  }, 120_000);
});
