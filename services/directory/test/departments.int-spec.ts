import { directoryV1 } from '@atrium/contracts';
import { DirectoryHarness, HarnessDatabase, TestCorp } from './directory-harness';
import { EMPTY_MEMBER } from '@atrium/testing';

describe.each<HarnessDatabase>(['postgres', 'pglite'])('department tree on %s', (engine) => {
  let dir: DirectoryHarness;
  let corp: TestCorp;

  beforeAll(async () => {
    dir = await DirectoryHarness.start(engine);
    corp = await dir.createCorp('tree');
  }, 180_000);
  afterAll(() => dir?.stop());

  const create = (name: string, parentId: number, extra: Partial<directoryV1.CreateDepartmentRequest> = {}) =>
    dir
      .call(corp.admin, (c, md) => c.createDepartment({ id: 0, parentId, name, nameEn: '', leaders: [], ...extra }, md))
      .then((r) => r.department!);
  const list = (id = 1) => dir.call(corp.admin, (c, md) => c.listDepartments({ id, directOnly: false }, md)).then((r) => r.departments);

  it('builds a four-level org with materialised paths', async () => {
    const sales = await create('Sales', 1);
    const east = await create('East', sales.id);
    const shanghai = await create('Shanghai', east.id, { nameEn: 'SH' });
    expect(shanghai.path).toEqual([1, sales.id, east.id, shanghai.id]);
    expect(shanghai.parentId).toBe(east.id);
    const subtree = await list(sales.id);
    expect(subtree.map((d) => d.name)).toEqual(['Sales', 'East', 'Shanghai']);
  });

  it('refuses a duplicate sibling name, a forbidden character and an unknown parent', async () => {
    await create('Finance', 1);
    await expect(create('finance', 1)).rejects.toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name' } });
    await expect(create('R&D: labs', 1)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'name' } });
    await expect(create('Orphan', 99_999)).rejects.toMatchObject({ code: 'NOT_FOUND', details: { field: 'parent_id' } });
  });

  it('moves a department with its subtree and refuses a move into its own subtree', async () => {
    const ops = await create('Ops', 1);
    const infra = await create('Infra', ops.id);
    const dba = await create('DBA', infra.id);
    const product = await create('Product', 1);
    const moved = await dir.call(corp.admin, (c, md) => c.moveDepartment({ id: infra.id, parentId: product.id, afterId: 0 }, md));
    expect(moved.department!.path).toEqual([1, product.id, infra.id]);
    const dbaNow = await dir.call(corp.admin, (c, md) => c.getDepartment({ id: dba.id }, md));
    expect(dbaNow.department!.path).toEqual([1, product.id, infra.id, dba.id]);
    await expect(
      dir.call(corp.admin, (c, md) => c.moveDepartment({ id: product.id, parentId: dba.id, afterId: 0 }, md)),
    ).rejects.toMatchObject({
      code: 'DEPARTMENT_CYCLE',
    });
    await expect(dir.call(corp.admin, (c, md) => c.updateDepartment({ id: infra.id, parentId: infra.id }, md))).rejects.toMatchObject({
      code: 'DEPARTMENT_CYCLE',
    });
  });

  it('re-orders siblings: a department lands right after the one it is dropped after', async () => {
    const parent = await create('Regions', 1);
    const a = await create('A', parent.id);
    const b = await create('B', parent.id);
    const c = await create('C', parent.id);
    const names = async () =>
      (await dir.call(corp.admin, (cl, md) => cl.listDepartments({ id: parent.id, directOnly: true }, md))).departments
        .slice(1)
        .map((d) => d.name);
    expect(await names()).toEqual(['A', 'B', 'C']);
    await dir.call(corp.admin, (cl, md) => cl.moveDepartment({ id: c.id, parentId: parent.id, afterId: a.id }, md));
    expect(await names()).toEqual(['A', 'C', 'B']);
    await dir.call(corp.admin, (cl, md) => cl.moveDepartment({ id: b.id, parentId: parent.id, afterId: 0 }, md));
    expect(await names()).toEqual(['B', 'A', 'C']);
  });

  it('refuses to nest deeper than 15 levels', async () => {
    let parent = 1;
    for (let level = 2; level <= 15; level++) parent = (await create(`L${level}`, parent)).id;
    await expect(create('L16', parent)).rejects.toMatchObject({ code: 'DEPARTMENT_TOO_DEEP' });
  });

  it('refuses to delete the root, a department with children, or one with members', async () => {
    await expect(dir.call(corp.admin, (c, md) => c.deleteDepartment({ id: 1 }, md))).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    const parent = await create('Temp', 1);
    const child = await create('TempChild', parent.id);
    await expect(dir.call(corp.admin, (c, md) => c.deleteDepartment({ id: parent.id }, md))).rejects.toMatchObject({
      code: 'DEPARTMENT_NOT_EMPTY',
      details: { reason: 'CHILDREN' },
    });
    await dir.call(corp.admin, (c, md) =>
      c.createMember(
        {
          member: {
            ...EMPTY_MEMBER,
            userid: 'temp.worker',
            name: 'Temp',
            mobile: '13800000001',
            departments: [{ departmentId: child.id, isLeader: false, order: 0 }],
          },
        },
        md,
      ),
    );
    await expect(dir.call(corp.admin, (c, md) => c.deleteDepartment({ id: child.id }, md))).rejects.toMatchObject({
      code: 'DEPARTMENT_NOT_EMPTY',
      details: { reason: 'MEMBERS' },
    });
    const empty = await create('Empty', 1);
    await dir.call(corp.admin, (c, md) => c.deleteDepartment({ id: empty.id }, md));
    await expect(dir.call(corp.admin, (c, md) => c.getDepartment({ id: empty.id }, md))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps corps apart: another corp sees none of these departments', async () => {
    const other = await dir.createCorp('other');
    const mine = await list();
    const theirs = (await dir.call(other.admin, (c, md) => c.listDepartments({ id: 1, directOnly: false }, md))).departments;
    expect(mine.length).toBeGreaterThan(5);
    expect(theirs.map((d) => d.id)).toEqual([1]);
    await expect(dir.call(other.admin, (c, md) => c.getDepartment({ id: mine[1].id }, md))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(dir.call(other.admin, (c, md) => c.deleteDepartment({ id: mine[1].id }, md))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('publishes every tree change through the outbox, in order, with the actor', async () => {
    const before = await dir.service.infra.dataSource.query<{ n: number }[]>(`SELECT coalesce(max(seq), 0)::int AS n FROM platform_outbox`);
    const a = await create('Audit A', 1);
    const b = await create('Audit B', 1);
    await dir.call(corp.admin, (c, md) => c.moveDepartment({ id: a.id, parentId: b.id, afterId: 0 }, md));
    await dir.call(corp.admin, (c, md) => c.updateDepartment({ id: a.id, name: 'Audit A2' }, md));
    await dir.call(corp.admin, (c, md) => c.deleteDepartment({ id: a.id }, md));
    const rows = await dir.service.infra.dataSource.query<
      { event_type: string; event_key: string; envelope: { payload: { actor: string } } }[]
    >(`SELECT event_type, event_key, envelope FROM platform_outbox WHERE seq > $1 ORDER BY seq`, [before[0].n]);
    expect(rows.map((r) => r.event_type)).toEqual([
      'directory.department.created',
      'directory.department.created',
      'directory.department.moved',
      'directory.department.updated',
      'directory.department.deleted',
    ]);
    expect(new Set(rows.map((r) => r.event_key))).toEqual(new Set([`${corp.corpId}:departments`]));
    expect(rows.every((r) => r.envelope.payload.actor === 'admin')).toBe(true);
  });
});
