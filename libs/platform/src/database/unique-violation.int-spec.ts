import { createTestDatabase, TestDatabase } from '@atrium/testing';
import { DataSource } from 'typeorm';
import { ConflictError } from '../errors';
import { openDatabase } from './data-source';
import { translateUniqueViolation, uniqueViolationOf } from './unique-violation';

describe('unique violations (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('unique_violation');
    dataSource = await openDatabase({ url: db.url, entities: [], migrations: [], poolSize: 2 });
    await dataSource.query(`CREATE TABLE things (id INT PRIMARY KEY, name TEXT NOT NULL CHECK (name <> ''))`);
    await dataSource.query(`CREATE UNIQUE INDEX things_name ON things (lower(name))`);
    await dataSource.query(`INSERT INTO things VALUES (1, 'one')`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const insert = (id: number, name: string) => () => dataSource.query(`INSERT INTO things VALUES ($1, $2)`, [id, name]);
  const conflicts = (violation: { constraint: string }) =>
    violation.constraint === 'things_name' ? new ConflictError('the name is taken', { field: 'name' }) : undefined;

  it('names the constraint a duplicate broke, whether a primary key or a unique index', async () => {
    const byKey = await insert(1, 'other')().catch((e: unknown) => e);
    const byName = await insert(2, 'ONE')().catch((e: unknown) => e);
    expect(uniqueViolationOf(byKey)).toEqual({ constraint: 'things_pkey' });
    expect(uniqueViolationOf(byName)).toEqual({ constraint: 'things_name' });
  });

  it("turns the violation of an expected constraint into the repository's domain error", async () => {
    const error = await translateUniqueViolation(insert(2, 'One'), conflicts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'ALREADY_EXISTS', message: 'the name is taken', details: { field: 'name' } });
  });

  it('lets a violation the repository did not expect, and every other error, through unchanged', async () => {
    await expect(translateUniqueViolation(insert(1, 'other'), conflicts)).rejects.toMatchObject({
      driverError: { code: '23505', constraint: 'things_pkey' },
    });
    const check = await translateUniqueViolation(insert(3, ''), conflicts).catch((e: unknown) => e);
    expect(uniqueViolationOf(check)).toBeUndefined();
    expect(check).toMatchObject({ driverError: { code: '23514' } });
    expect(uniqueViolationOf(new Error('duplicate key value violates unique constraint'))).toBeUndefined();
  });

  it('returns what the write returns when nothing is violated', async () => {
    await expect(translateUniqueViolation(async () => (await insert(4, 'four')()) as unknown, conflicts)).resolves.toEqual([]);
  });
});
