import { directoryV1 } from '@atrium/contracts';
import { eventually, memberInput } from '@atrium/testing';
import { formatCsv } from '../src/import/csv';
import { MEMBER_COLUMNS } from '../src/import/import-formats';
import { DirectoryHarness, HarnessDatabase, TestCorp } from './directory-harness';

/**
 * ResolveRecipients reads subtrees from subtree_members, which triggers keep in step with every
 * write: each change below is followed by a comparison with what the memberships, statuses and
 * department paths say (the ground truth), department by department.
 */
describe.each<HarnessDatabase>(['postgres', 'pglite'])('recipients of department subtrees on %s', (engine) => {
  let dir: DirectoryHarness;
  let corp: TestCorp;
  const ids: Record<string, number> = {};

  const dept = async (name: string, parentId: number) =>
    (await dir.call(corp.admin, (c, md) => c.createDepartment({ id: 0, parentId, name, nameEn: '', leaders: [] }, md))).department!.id;
  const createMember = (userid: string, departmentIds: number[]) =>
    dir.call(corp.admin, (c, md) => c.createMember({ member: memberInput(userid, departmentIds) }, md));
  const resolveAll = async (departmentId: number, pageSize = 0) => {
    const userids: string[] = [];
    let pageToken = '';
    let total = 0;
    do {
      const page = await dir.call(corp.admin, (c, md) =>
        c.resolveRecipients({ userids: [], departmentIds: [departmentId], directDepartmentIds: [], tagIds: [], pageSize, pageToken }, md),
      );
      userids.push(...page.userids);
      total = page.total;
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(total).toBe(userids.length);
    return userids;
  };

  /** Every department's active members, from the source tables, as ResolveRecipients must answer them. */
  const groundTruth = async (): Promise<Map<number, string[]>> => {
    const rows = await dir.service.infra.dataSource.query<{ department_id: number; userids: string[] }[]>(
      `SELECT d.id AS department_id,
              coalesce((SELECT array_agg(DISTINCT md.userid ORDER BY md.userid) FROM member_departments md
                          JOIN departments sub ON sub.corp_id = md.corp_id AND sub.id = md.department_id
                          JOIN members m ON m.corp_id = md.corp_id AND m.userid = md.userid AND m.status = 'active'
                         WHERE md.corp_id = d.corp_id AND sub.path @> ARRAY[d.id]), '{}') AS userids
         FROM departments d WHERE d.corp_id = $1`,
      [corp.corpId],
    );
    return new Map(rows.map((r) => [r.department_id, [...r.userids].sort()]));
  };
  const stored = async (): Promise<Map<number, string[]>> => {
    const rows = await dir.service.infra.dataSource.query<{ department_id: number; userid: string }[]>(
      `SELECT department_id, userid FROM subtree_members WHERE corp_id = $1 ORDER BY department_id, userid`,
      [corp.corpId],
    );
    const byDepartment = new Map<number, string[]>();
    for (const r of rows) byDepartment.set(r.department_id, [...(byDepartment.get(r.department_id) ?? []), r.userid]);
    return byDepartment;
  };
  const expectConsistent = async () => {
    const truth = await groundTruth();
    const actual = await stored();
    for (const [departmentId, userids] of truth) {
      expect({ departmentId, userids: actual.get(departmentId) ?? [] }).toEqual({ departmentId, userids });
      expect(await resolveAll(departmentId)).toEqual(userids);
    }
    expect([...actual.keys()].filter((id) => !truth.has(id))).toEqual([]);
  };

  beforeAll(async () => {
    dir = await DirectoryHarness.start(engine);
    corp = await dir.createCorp('subtrees');
    ids.sales = await dept('Sales', 1);
    ids.north = await dept('North', ids.sales);
    ids.beijing = await dept('Beijing', ids.north);
    ids.rd = await dept('R&D', 1);
    await createMember('a.root', [1]);
    await createMember('b.sales', [ids.sales]);
    await createMember('c.beijing', [ids.beijing]);
    await createMember('d.two', [ids.beijing, ids.rd]);
    await createMember('e.rd', [ids.rd]);
  }, 180_000);
  afterAll(() => dir?.stop());

  it('holds each department with its subtree, and pages a subtree in byte order', async () => {
    await expectConsistent();
    expect(await resolveAll(ids.sales)).toEqual(['b.sales', 'c.beijing', 'd.two']);
    expect(await resolveAll(1, 2)).toEqual(['a.root', 'admin', 'b.sales', 'c.beijing', 'd.two', 'e.rd']);
  });

  it('follows a member between departments, and a department to a new parent', async () => {
    await dir.call(corp.admin, (c, md) =>
      c.updateMember(
        { userid: 'c.beijing', patch: { departments: { values: [{ departmentId: ids.rd, isLeader: false, order: 0 }] } } },
        md,
      ),
    );
    await expectConsistent();
    await dir.call(corp.admin, (c, md) => c.moveDepartment({ id: ids.north, parentId: ids.rd, afterId: 0 }, md));
    await expectConsistent();
    expect(await resolveAll(ids.rd)).toEqual(['c.beijing', 'd.two', 'e.rd']);
    expect(await resolveAll(ids.sales)).toEqual(['b.sales']);
    await dir.call(corp.admin, (c, md) => c.moveDepartment({ id: ids.north, parentId: ids.sales, afterId: 0 }, md));
    await expectConsistent();
  });

  it('leaves out disabled, offboarded and deleted members, and takes back a re-enabled one', async () => {
    await dir.call(corp.admin, (c, md) => c.setMemberEnabled({ userid: 'b.sales', enabled: false }, md));
    await expectConsistent();
    expect(await resolveAll(ids.sales)).toEqual(['d.two']);
    await dir.call(corp.admin, (c, md) => c.setMemberEnabled({ userid: 'b.sales', enabled: true }, md));
    await expectConsistent();
    await dir.call(corp.admin, (c, md) => c.offboardMember({ userid: 'd.two', successorUserid: 'b.sales' }, md));
    await expectConsistent();
    await dir.call(corp.admin, (c, md) => c.deleteMembers({ userids: ['e.rd'] }, md));
    await expectConsistent();
    expect(await resolveAll(ids.rd)).toEqual(['c.beijing']);
  });

  it('takes members written by a bulk import', async () => {
    const header = MEMBER_COLUMNS.map((c) => c.header);
    const row = (userid: string, departments: string, enabled = '') =>
      MEMBER_COLUMNS.map((c) =>
        c.key === 'userid' || c.key === 'name'
          ? userid
          : c.key === 'email'
            ? `${userid}@example.com`
            : c.key === 'departments'
              ? departments
              : c.key === 'enabled'
                ? enabled
                : '',
      );
    const csv = formatCsv([
      header,
      row('f.import', `${ids.beijing};${ids.rd}`),
      row('g.import', `${ids.north}`, 'no'),
      row('b.sales', `${ids.rd}`),
    ]);
    const { job } = await dir.call(corp.admin, (c, md) => c.startImport({ kind: 'members', mode: 'all_or_nothing', csv }, md));
    const done = await eventually(
      () => dir.call(corp.admin, (c, md) => c.getImportJob({ id: job!.id }, md)).then((r) => r.job!),
      (j: directoryV1.ImportJob) => ['done', 'invalid', 'failed'].includes(j.status),
      60_000,
      'the import',
    );
    expect(done).toMatchObject({ status: 'done', errorCount: 0 });
    await expectConsistent();
    // g.import arrived disabled; b.sales moved to R&D.
    expect(await resolveAll(ids.north)).toEqual(['f.import']);
    expect(await resolveAll(ids.rd)).toEqual(['b.sales', 'c.beijing', 'f.import']);
  });
});
