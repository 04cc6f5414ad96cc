import { DirectoryHarness, HarnessDatabase, TestCorp } from './directory-harness';

/**
 * The directory's own check of text that reaches PostgreSQL, for callers that do not pass the
 * gateway's edge (other services, imports): a NUL is VALIDATION_FAILED naming the field, never a
 * driver error; and an error naming non-ASCII input reaches the caller intact over gRPC.
 */
describe.each<HarnessDatabase>(['postgres', 'pglite'])('storable text in the directory on %s', (engine) => {
  let dir: DirectoryHarness;
  let corp: TestCorp;

  beforeAll(async () => {
    dir = await DirectoryHarness.start(engine);
    corp = await dir.createCorp('text');
  }, 180_000);
  afterAll(() => dir?.stop());

  it('refuses a NUL in a department name or English name', async () => {
    for (const [name, nameEn, field] of [
      ['a\u0000b', '', 'name'],
      ['ok', 'a\u0000b', 'name_en'],
    ]) {
      await expect(
        dir.call(corp.admin, (c, md) => c.createDepartment({ id: 0, parentId: 1, name, nameEn, leaders: [] }, md)),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field } });
    }
  });

  it('refuses a NUL in a tag name and an empty userid among tag targets', async () => {
    await expect(dir.call(corp.admin, (c, md) => c.createTag({ name: 'a\u0000b', id: 0 }, md))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'name' },
    });
    const { tag } = await dir.call(corp.admin, (c, md) => c.createTag({ name: 'On call', id: 0 }, md));
    await expect(
      dir.call(corp.admin, (c, md) => c.setTagTargets({ id: tag!.id, userids: [''], departmentIds: [] }, md)),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'userids' } });
  });

  it('refuses a NUL in a search query', async () => {
    await expect(dir.call(corp.admin, (c, md) => c.searchMembers({ query: 'a\u0000b', limit: 10 }, md))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'query' },
    });
  });

  it('answers NOT_FOUND with the Chinese userid or attribute name in its details', async () => {
    await expect(dir.call(corp.admin, (c, md) => c.getMember({ userid: '张三' }, md))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { userid: '张三' },
    });
    await expect(dir.call(corp.admin, (c, md) => c.deleteMemberAttribute({ name: '不存在' }, md))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { attribute: '不存在' },
    });
  });
});
