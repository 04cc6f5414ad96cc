import { directoryV1 } from '@atrium/contracts';
import { memberInput } from '@atrium/testing';
import { DirectoryHarness, HarnessDatabase, TestCorp } from './directory-harness';

/** 扩展属性: the corp defines its custom member attributes; members carry values of those only. */
describe.each<HarnessDatabase>(['postgres', 'pglite'])('custom member attributes on %s', (engine) => {
  let dir: DirectoryHarness;
  let corp: TestCorp;
  let other: TestCorp;
  let branch = 0;

  const define = (name: string, type: string, caller = corp.admin, order = 0) =>
    dir.call(caller, (c, md) => c.createMemberAttribute({ attribute: { name, type, order } }, md)).then((r) => r.attribute!);
  const list = (caller = corp.admin) => dir.call(caller, (c, md) => c.listMemberAttributes({}, md)).then((r) => r.attributes);
  const attr = (name: string, value: string, type = '', title = ''): directoryV1.ExtAttr => ({ name, type, value, title });
  const create = (userid: string, extattrs: directoryV1.ExtAttr[], caller = corp.admin) =>
    dir.call(caller, (c, md) => c.createMember({ member: memberInput(userid, [branch], { extattrs }) }, md)).then((r) => r.member!);
  const setValues = (userid: string, extattrs: directoryV1.ExtAttr[], caller = corp.admin) =>
    dir.call(caller, (c, md) => c.updateMember({ userid, patch: { extattrs: { values: extattrs } } }, md)).then((r) => r.member!);
  const valuesOf = async (userid: string) => (await dir.call(corp.admin, (c, md) => c.getMember({ userid }, md))).member!.extattrs;

  beforeAll(async () => {
    dir = await DirectoryHarness.start(engine);
    corp = await dir.createCorp('attrs');
    other = await dir.createCorp('attrs-other');
    branch = (
      await dir.call(corp.admin, (c, md) => c.createDepartment({ id: 0, parentId: 1, name: 'Branch', nameEn: '', leaders: [] }, md))
    ).department!.id;
    await create('branchadmin', []);
    await dir.call(corp.admin, (c, md) =>
      c.setAdminScope(
        { scope: { userid: 'branchadmin', role: 'sub_admin', departmentIds: [branch], permissions: ['manage_members'] } },
        md,
      ),
    );
  }, 180_000);
  afterAll(() => dir?.stop());

  it('lets a super admin define text and url attributes, listed in order to every member', async () => {
    expect(await define('Badge', 'text')).toEqual({ name: 'Badge', type: 'text', order: 0 });
    expect(await define('Homepage', 'url')).toEqual({ name: 'Homepage', type: 'url', order: 1 });
    expect(await define('Desk', 'text', corp.admin, 5)).toEqual({ name: 'Desk', type: 'text', order: 5 });
    expect((await list(dir.as(corp, 'branchadmin'))).map((a) => a.name)).toEqual(['Badge', 'Homepage', 'Desk']);
    // Another corp has none of them.
    expect(await list(other.admin)).toEqual([]);
  });

  it('refuses a duplicate name (case-insensitive), an unknown type, and anyone but a super admin', async () => {
    await expect(define('badge', 'text')).rejects.toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name' } });
    await expect(define('Birthday', 'date')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'type' } });
    await expect(define('', 'text')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'name' } });
    await expect(define('x'.repeat(33), 'text')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'name' } });
    // A sub-admin's power ends at their subtree; the corp's schema is the super admin's.
    await expect(define('Shoe size', 'text', dir.as(corp, 'branchadmin'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(dir.call(dir.as(corp, 'branchadmin'), (c, md) => c.deleteMemberAttribute({ name: 'Badge' }, md))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('stores values of defined attributes with their type, the corp spelling and a url title', async () => {
    const created = await create('zhao', [
      attr('badge', 'A-17'),
      attr('HOMEPAGE', 'https://zhao.example.com/', 'url', 'Zhao'),
      attr('Desk', ''), // empty: no value
    ]);
    expect(created.extattrs).toEqual([attr('Badge', 'A-17', 'text'), attr('Homepage', 'https://zhao.example.com/', 'url', 'Zhao')]);
    expect(await valuesOf('zhao')).toEqual(created.extattrs);
    // A sub-admin with manage_members sets values inside their scope.
    const updated = await setValues('zhao', [attr('Badge', 'A-18')], dir.as(corp, 'branchadmin'));
    expect(updated.extattrs).toEqual([attr('Badge', 'A-18', 'text')]);
  });

  it('refuses an unknown attribute by name, a wrong type, a non-http url, a long text and a repeat', async () => {
    await expect(create('qian', [attr('Badge', 'B-1'), attr('Shoe size', '42')])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'custom attribute "Shoe size" is not defined in this corp',
      details: { field: 'extattrs[1].name', attribute: 'Shoe size' },
    });
    await expect(create('qian', [attr('Badge', 'B-1', 'url')])).rejects.toMatchObject({
      details: { field: 'extattrs[0].type', attribute: 'Badge' },
    });
    for (const url of ['ftp://files.example.com', 'javascript:alert(1)', 'example.com', 'https://exa mple.com']) {
      await expect(create('qian', [attr('Homepage', url)])).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: 'extattrs[0].value', attribute: 'Homepage' },
      });
    }
    await expect(create('qian', [attr('Badge', '码'.repeat(65))])).rejects.toMatchObject({ details: { field: 'extattrs[0].value' } });
    await expect(create('qian', [attr('Badge', '1'), attr('BADGE', '2')])).rejects.toMatchObject({
      details: { field: 'extattrs[1].name', attribute: 'Badge' },
    });
    // The attributes of another corp are not this corp's.
    await dir.call(other.admin, (c, md) => c.createMemberAttribute({ attribute: { name: 'Team', type: 'text', order: 0 } }, md));
    await expect(create('qian', [attr('Team', 'red')])).rejects.toMatchObject({ details: { attribute: 'Team' } });
  });

  it('renames an attribute with every value, keeps its type, and deletes it with its values', async () => {
    await create('sun', [attr('Badge', 'S-1'), attr('Homepage', 'http://sun.example.com')]);
    const renamed = await dir.call(corp.admin, (c, md) => c.updateMemberAttribute({ name: 'badge', newName: 'Badge No.', order: 9 }, md));
    expect(renamed.attribute).toEqual({ name: 'Badge No.', type: 'text', order: 9 });
    expect(await valuesOf('sun')).toEqual([attr('Badge No.', 'S-1', 'text'), attr('Homepage', 'http://sun.example.com', 'url')]);
    expect(await valuesOf('zhao')).toEqual([attr('Badge No.', 'A-18', 'text')]);
    await expect(dir.call(corp.admin, (c, md) => c.updateMemberAttribute({ name: 'Homepage', newName: 'desk' }, md))).rejects.toMatchObject(
      { code: 'ALREADY_EXISTS' },
    );
    await expect(dir.call(corp.admin, (c, md) => c.updateMemberAttribute({ name: 'Nope' }, md))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { attribute: 'Nope' },
    });

    const deleted = await dir.call(corp.admin, (c, md) => c.deleteMemberAttribute({ name: 'BADGE NO.' }, md));
    expect(deleted.clearedMembers).toBe(2);
    expect(await valuesOf('sun')).toEqual([attr('Homepage', 'http://sun.example.com', 'url')]);
    expect(await valuesOf('zhao')).toEqual([]);
    expect((await list()).map((a) => a.name)).toEqual(['Homepage', 'Desk']);
    await expect(setValues('sun', [attr('Badge No.', 'S-2')])).rejects.toMatchObject({ details: { attribute: 'Badge No.' } });
  });
});
