import { directoryV1 } from '@atrium/contracts';
import { DirectoryHarness, HarnessDatabase, TestCorp } from './directory-harness';
import { memberInput } from '@atrium/testing';

describe.each<HarnessDatabase>(['postgres', 'pglite'])('members, scopes, tags and the questions other services ask on %s', (engine) => {
  let dir: DirectoryHarness;
  let corp: TestCorp;
  const ids: Record<string, number> = {};

  const dept = async (name: string, parentId: number) =>
    (await dir.call(corp.admin, (c, md) => c.createDepartment({ id: 0, parentId, name, nameEn: '', leaders: [] }, md))).department!.id;
  const createMember = (input: directoryV1.MemberInput, caller = corp.admin) =>
    dir.call(caller, (c, md) => c.createMember({ member: input }, md)).then((r) => r.member!);

  beforeAll(async () => {
    dir = await DirectoryHarness.start(engine);
    corp = await dir.createCorp('people');
    ids.sales = await dept('Sales', 1);
    ids.east = await dept('East', ids.sales);
    ids.west = await dept('West', ids.sales);
    ids.rd = await dept('R&D', 1);
    await dir.call(corp.admin, (c, md) => c.createMemberAttribute({ attribute: { name: 'Blog', type: 'url', order: 0 } }, md));
    await createMember(memberInput('boss', [1], { name: '王总' }));
    await createMember(memberInput('salesvp', [ids.sales], { directLeaders: ['boss'] }));
    await createMember(memberInput('eastlead', [ids.east], { directLeaders: ['salesvp'] }));
    await createMember(memberInput('eastrep', [ids.east], { directLeaders: ['eastlead'], mobile: '+86 13900000001' }));
    await createMember(memberInput('westrep', [ids.west], { directLeaders: ['salesvp'] }));
    await createMember(memberInput('coder', [ids.rd]));
    await dir.call(corp.admin, (c, md) => c.updateDepartment({ id: ids.east, leaders: { values: ['eastlead'] } }, md));
    await dir.call(corp.admin, (c, md) => c.updateDepartment({ id: ids.sales, leaders: { values: ['salesvp'] } }, md));
  }, 180_000);
  afterAll(() => dir?.stop());

  it('stores the whole badge and returns userids lower-case', async () => {
    const created = await createMember(
      memberInput('Zhang.San', [ids.east, ids.rd], {
        name: '张三',
        alias: 'Sam',
        nameEn: 'San Zhang',
        position: 'Engineer',
        mobile: '13800138000',
        email: 'zhangsan@example.com',
        telephone: '021-5555',
        gender: 1,
        employeeNo: 'E-0042',
        address: 'Shanghai',
        mainDepartment: ids.rd,
        extattrs: [{ name: 'blog', type: '', value: 'https://blog.example.com', title: 'My blog' }],
      }),
    );
    expect(created).toMatchObject({
      userid: 'zhang.san',
      name: '张三',
      mainDepartment: ids.rd,
      status: directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE,
    });
    const read = (await dir.call(corp.admin, (c, md) => c.getMember({ userid: 'ZHANG.SAN' }, md))).member!;
    expect(read).toMatchObject({
      alias: 'Sam',
      nameEn: 'San Zhang',
      employeeNo: 'E-0042',
      gender: 1,
      extattrs: [{ name: 'Blog', type: 'url', value: 'https://blog.example.com', title: 'My blog' }],
    });
    expect(read.departments.map((d) => d.departmentId).sort()).toEqual([ids.east, ids.rd].sort());
  });

  it('validates members with field-level errors', async () => {
    await expect(createMember(memberInput('-bad', [1]))).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'userid' } });
    await expect(createMember(memberInput('nocontact', [1], { email: '' }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'mobile' },
    });
    await expect(createMember(memberInput('nodept', []))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'department' },
    });
    await expect(createMember(memberInput('ghostdept', [424242]))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { field: 'department' },
    });
    await expect(createMember(memberInput('dup', [1], { mobile: '13800138000' }))).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      details: { field: 'mobile' },
    });
    await expect(createMember(memberInput('BOSS', [1]))).rejects.toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'userid' } });
    await expect(createMember(memberInput('selfish', [1], { directLeaders: ['selfish'] }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('updates only the fields given and replaces departments atomically', async () => {
    const updated = await dir.call(corp.admin, (c, md) =>
      c.updateMember(
        {
          userid: 'coder',
          patch: { position: 'Staff Engineer', departments: { values: [{ departmentId: ids.west, isLeader: true, order: 3 }] } },
        },
        md,
      ),
    );
    expect(updated.member).toMatchObject({ position: 'Staff Engineer', mainDepartment: ids.west, email: 'coder@example.com' });
    expect(updated.member!.departments).toEqual([{ departmentId: ids.west, isLeader: true, order: 3 }]);
  });

  it('changes fields and status in one write: all of it or, when a part is refused, none of it', async () => {
    // A corp of its own: the member would otherwise show up in the recipient counts below.
    const own = await dir.createCorp('switching');
    await createMember(memberInput('switcher', [1]), own.admin);
    const update = (patch: directoryV1.MemberPatch) => dir.call(own.admin, (c, md) => c.updateMember({ userid: 'switcher', patch }, md));
    const get = async () => (await dir.call(own.admin, (c, md) => c.getMember({ userid: 'switcher' }, md))).member!;
    const unknownDepartment = { values: [{ departmentId: 99_999, isLeader: false, order: 0 }] };
    await expect(update({ name: 'Renamed', enabled: false, departments: unknownDepartment })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await get()).toMatchObject({ name: 'switcher', status: directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE });
    const both = await update({ name: 'Renamed', enabled: false });
    expect(both.member).toMatchObject({ name: 'Renamed', status: directoryV1.MemberStatus.MEMBER_STATUS_DISABLED });
    expect(await get()).toMatchObject({ name: 'Renamed', status: directoryV1.MemberStatus.MEMBER_STATUS_DISABLED });
    const back = await update({ enabled: true });
    expect(back.member).toMatchObject({ name: 'Renamed', status: directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE });
  });

  it('walks the manager chain and finds department heads by level', async () => {
    const chain = await dir.call(corp.admin, (c, md) => c.getManagerChain({ userid: 'eastrep', levels: 5 }, md));
    expect(chain.levels.map((l) => l.values)).toEqual([['eastlead'], ['salesvp'], ['boss']]);
    const heads0 = await dir.call(corp.admin, (c, md) => c.getDepartmentHeads({ userid: 'eastrep', level: 0 }, md));
    expect(heads0).toEqual({ departmentId: ids.east, leaders: ['eastlead'] });
    const heads1 = await dir.call(corp.admin, (c, md) => c.getDepartmentHeads({ userid: 'eastrep', level: 1 }, md));
    expect(heads1).toEqual({ departmentId: ids.sales, leaders: ['salesvp'] });
  });

  it('refuses an empty userid among tag targets as invalid, not an internal error', async () => {
    const tag = (await dir.call(corp.admin, (c, md) => c.createTag({ name: 'empty-target', id: 0 }, md))).tag!;
    await expect(
      dir.call(corp.admin, (c, md) => c.setTagTargets({ id: tag.id, userids: [''], departmentIds: [] }, md)),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'userids' },
    });
  });

  it('resolves recipients: users + subtrees + direct departments + tags, distinct, active only, paged', async () => {
    const tag = (await dir.call(corp.admin, (c, md) => c.createTag({ name: 'on-call', id: 0 }, md))).tag!;
    await dir.call(corp.admin, (c, md) => c.setTagTargets({ id: tag.id, userids: ['boss'], departmentIds: [ids.rd] }, md));
    await createMember(memberInput('sleeper', [ids.east]));
    await dir.call(corp.admin, (c, md) => c.setMemberEnabled({ userid: 'sleeper', enabled: false }, md));

    const all = await dir.call(corp.admin, (c, md) =>
      c.resolveRecipients(
        {
          userids: ['eastrep', 'ghost'],
          departmentIds: [ids.sales],
          directDepartmentIds: [],
          tagIds: [tag.id, 999],
          pageSize: 0,
          pageToken: '',
        },
        md,
      ),
    );
    // coder moved to West (in the Sales subtree) above; zhang.san is in East and R&D (tagged).
    expect(all.userids).toEqual(['boss', 'coder', 'eastlead', 'eastrep', 'salesvp', 'westrep', 'zhang.san']);
    expect(all.invalidUserids).toEqual(['ghost']);
    expect(all.invalidTagIds).toEqual([999]);
    expect(all.total).toBe(7);
    // The same mix, three at a time: each page continues after the last one, the total stays.
    const mixed: string[] = [];
    let next = '';
    do {
      const page = await dir.call(corp.admin, (c, md) =>
        c.resolveRecipients(
          {
            userids: ['eastrep'],
            departmentIds: [ids.sales],
            directDepartmentIds: [ids.rd],
            tagIds: [tag.id],
            pageSize: 3,
            pageToken: next,
          },
          md,
        ),
      );
      expect(page.total).toBe(7);
      expect(page.userids.length).toBeLessThanOrEqual(3);
      mixed.push(...page.userids);
      next = page.nextPageToken;
    } while (next);
    expect(mixed).toEqual(all.userids);

    const direct = await dir.call(corp.admin, (c, md) =>
      c.resolveRecipients({ userids: [], departmentIds: [], directDepartmentIds: [ids.sales], tagIds: [], pageSize: 0, pageToken: '' }, md),
    );
    expect(direct.userids).toEqual(['salesvp']);

    const pages: string[] = [];
    let token = '';
    do {
      const page = await dir.call(corp.admin, (c, md) =>
        c.resolveRecipients({ userids: [], departmentIds: [1], directDepartmentIds: [], tagIds: [], pageSize: 2, pageToken: token }, md),
      );
      pages.push(...page.userids);
      token = page.nextPageToken;
    } while (token);
    expect(pages).toEqual([...new Set(pages)].sort());
    expect(pages).not.toContain('sleeper');
    expect(pages.length).toBe(8);
  });

  describe('admin scopes', () => {
    beforeAll(async () => {
      await createMember(memberInput('eastadmin', [ids.east]));
      await dir.call(corp.admin, (c, md) =>
        c.setAdminScope(
          { scope: { userid: 'eastadmin', role: 'sub_admin', departmentIds: [ids.east], permissions: ['manage_members'] } },
          md,
        ),
      );
    });

    it('lets a sub-admin manage members inside their subtree only, naming the department outside it', async () => {
      const subAdmin = dir.as(corp, 'eastadmin');
      await expect(createMember(memberInput('east.new', [ids.east]), subAdmin)).resolves.toMatchObject({ userid: 'east.new' });
      await expect(createMember(memberInput('west.new', [ids.west]), subAdmin)).rejects.toMatchObject({
        code: 'FORBIDDEN',
        details: { departmentId: ids.west },
        message: expect.stringContaining('"West"'),
      });
      // Moving a member out of scope touches an out-of-scope department too.
      await expect(
        dir.call(subAdmin, (c, md) =>
          c.updateMember(
            { userid: 'east.new', patch: { departments: { values: [{ departmentId: ids.west, isLeader: false, order: 0 }] } } },
            md,
          ),
        ),
      ).rejects.toMatchObject({ code: 'FORBIDDEN', details: { departmentId: ids.west } });
      // manage_members does not include manage_departments.
      await expect(
        dir.call(subAdmin, (c, md) => c.createDepartment({ id: 0, parentId: ids.east, name: 'Sub', nameEn: '', leaders: [] }, md)),
      ).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    });

    it('answers CheckAdminScope for other services', async () => {
      const check = (departmentIds: number[], permission: string) =>
        dir.call(corp.admin, (c, md) => c.checkAdminScope({ userid: 'eastadmin', departmentIds, permission }, md));
      expect(await check([ids.east], 'manage_members')).toEqual({ allowed: true, deniedDepartmentId: 0 });
      expect(await check([ids.east, ids.west], 'manage_members')).toEqual({ allowed: false, deniedDepartmentId: ids.west });
      expect(await check([ids.east], 'manage_departments')).toEqual({ allowed: false, deniedDepartmentId: 0 });
    });

    it('refuses every write to a plain member and scope changes to a sub-admin', async () => {
      const plain = dir.as(corp, 'coder');
      await expect(createMember(memberInput('x1', [1]), plain)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(
        dir.call(dir.as(corp, 'eastadmin'), (c, md) =>
          c.setAdminScope({ scope: { userid: 'coder', role: 'super_admin', departmentIds: [], permissions: [] } }, md),
        ),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(dir.call(corp.admin, (c, md) => c.removeAdminScope({ userid: 'admin' }, md))).rejects.toMatchObject({
        code: 'PRECONDITION_FAILED',
      });
    });
  });

  describe('offboarding', () => {
    it('freezes the member, hands customers, department-head roles and reports to the successor, and records each transfer', async () => {
      await createMember(memberInput('leaver', [ids.west], { directLeaders: ['salesvp'] }));
      await createMember(memberInput('heir', [ids.west]));
      await createMember(memberInput('report.of.leaver', [ids.west], { directLeaders: ['leaver'] }));
      await dir.call(corp.admin, (c, md) => c.updateDepartment({ id: ids.west, leaders: { values: ['leaver'] } }, md));
      await dir.call(dir.as(corp, 'leaver'), (c, md) =>
        c.createExternalContact(
          {
            contact: { id: '', ownerUserid: '', name: '客户甲', company: 'ACME', mobile: '', email: 'a@acme.cn', notes: '', tags: ['vip'] },
          },
          md,
        ),
      );

      const result = await dir.call(corp.admin, (c, md) => c.offboardMember({ userid: 'leaver', successorUserid: 'heir' }, md));
      expect(result.member!.status).toBe(directoryV1.MemberStatus.MEMBER_STATUS_OFFBOARDED);
      const byType = Object.fromEntries(result.transfers.map((t) => [t.resourceType, { status: t.status, transferred: t.transferred }]));
      expect(byType).toEqual({
        external_contacts: { status: 'done', transferred: 1 },
        department_heads: { status: 'done', transferred: 1 },
        direct_reports: { status: 'done', transferred: 1 },
        groups: { status: 'pending', transferred: 0 },
        approvals: { status: 'pending', transferred: 0 },
        report_reviews: { status: 'pending', transferred: 0 },
      });
      const heirContacts = await dir.call(corp.admin, (c, md) => c.listExternalContacts({ ownerUserid: 'heir' }, md));
      expect(heirContacts.contacts.map((x) => x.name)).toEqual(['客户甲']);
      expect((await dir.call(corp.admin, (c, md) => c.getDepartment({ id: ids.west }, md))).department!.leaders).toEqual(['heir']);
      expect((await dir.call(corp.admin, (c, md) => c.getMember({ userid: 'report.of.leaver' }, md))).member!.directLeaders).toEqual([
        'heir',
      ]);

      await expect(dir.call(corp.admin, (c, md) => c.setMemberEnabled({ userid: 'leaver', enabled: true }, md))).rejects.toMatchObject({
        code: 'MEMBER_OFFBOARDED',
      });
      await expect(
        dir.call(corp.admin, (c, md) => c.offboardMember({ userid: 'leaver', successorUserid: 'heir' }, md)),
      ).rejects.toMatchObject({
        code: 'MEMBER_OFFBOARDED',
      });
    });

    it('requires an active successor other than the member', async () => {
      await expect(
        dir.call(corp.admin, (c, md) => c.offboardMember({ userid: 'westrep', successorUserid: 'westrep' }, md)),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(
        dir.call(corp.admin, (c, md) => c.offboardMember({ userid: 'westrep', successorUserid: 'leaver' }, md)),
      ).rejects.toMatchObject({
        code: 'PRECONDITION_FAILED',
      });
    });

    it('a disabled member can be re-enabled', async () => {
      await dir.call(corp.admin, (c, md) => c.setMemberEnabled({ userid: 'westrep', enabled: false }, md));
      const enabled = await dir.call(corp.admin, (c, md) => c.setMemberEnabled({ userid: 'westrep', enabled: true }, md));
      expect(enabled.member!.status).toBe(directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE);
    });
  });

  it('keeps corps apart: another corp can neither read nor change these members', async () => {
    const other = await dir.createCorp('rival');
    await expect(dir.call(other.admin, (c, md) => c.getMember({ userid: 'boss' }, md))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(dir.call(other.admin, (c, md) => c.updateMember({ userid: 'boss', patch: { name: 'pwned' } }, md))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      dir.call(other.admin, (c, md) => c.offboardMember({ userid: 'boss', successorUserid: 'admin' }, md)),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const resolved = await dir.call(other.admin, (c, md) =>
      c.resolveRecipients({ userids: ['boss'], departmentIds: [1], directDepartmentIds: [], tagIds: [], pageSize: 0, pageToken: '' }, md),
    );
    expect(resolved.userids).toEqual(['admin']);
    expect(resolved.invalidUserids).toEqual(['boss']);
    expect((await dir.call(corp.admin, (c, md) => c.getMember({ userid: 'boss' }, md))).member!.name).toBe('王总');
  });
});
