import { createTestDatabase, TestDatabase } from '@atrium/testing';
import { DataSource } from 'typeorm';
import { openDatabase } from './data-source';
import { runCombined } from './statements';

describe('runCombined (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('statements');
    dataSource = await openDatabase({ url: db.url, entities: [], migrations: [], poolSize: 2 });
    await dataSource.query(`CREATE TABLE counters (id TEXT PRIMARY KEY, n INT NOT NULL)`);
    await dataSource.query(`CREATE TABLE log (id SERIAL PRIMARY KEY, note TEXT NOT NULL, amount INT NOT NULL)`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE counters, log`);
    await dataSource.query(`INSERT INTO counters VALUES ('a', 1), ('b', 10)`);
  });

  it('runs every statement, each with its own parameters renumbered, in one query', async () => {
    const sent: string[] = [];
    await dataSource.transaction(async (tx) => {
      const query = tx.query.bind(tx);
      tx.query = ((text: string, values?: unknown[]) => {
        sent.push(text);
        return query(text, values);
      }) as typeof tx.query;
      await runCombined(tx, [
        { text: `UPDATE counters SET n = n + $2 WHERE id = $1`, values: ['a', 5] },
        { text: `INSERT INTO log (note, amount) VALUES ($1, $2), ($3, $2)`, values: ['first', 7, 'second'] },
        { text: `UPDATE counters SET n = $2 WHERE id = $1`, values: ['b', 99] },
      ]);
    });
    expect(sent).toHaveLength(1);
    expect(await dataSource.query(`SELECT id, n FROM counters ORDER BY id`)).toEqual([
      { id: 'a', n: 6 },
      { id: 'b', n: 99 },
    ]);
    expect(await dataSource.query(`SELECT note, amount FROM log ORDER BY id`)).toEqual([
      { note: 'first', amount: 7 },
      { note: 'second', amount: 7 },
    ]);
  });

  it('is atomic: a failing statement leaves none of the others applied', async () => {
    await expect(
      runCombined(dataSource.manager, [
        { text: `UPDATE counters SET n = 0 WHERE id = $1`, values: ['a'] },
        { text: `INSERT INTO counters VALUES ($1, $2)`, values: ['b', 1] },
      ]),
    ).rejects.toMatchObject({ driverError: { code: '23505' } });
    expect(await dataSource.query(`SELECT n FROM counters WHERE id = 'a'`)).toEqual([{ n: 1 }]);
  });

  it('refuses a placeholder with no value instead of binding another statement’s', async () => {
    await expect(
      runCombined(dataSource.manager, [
        { text: `UPDATE counters SET n = $2 WHERE id = $1`, values: ['a'] },
        { text: `UPDATE counters SET n = 0 WHERE id = $1`, values: ['b'] },
      ]),
    ).rejects.toThrow('statement 0 uses $2 but has 1 values');
    expect(await dataSource.query(`SELECT n FROM counters ORDER BY id`)).toEqual([{ n: 1 }, { n: 10 }]);
  });

  it('runs a single statement as it is', async () => {
    await runCombined(dataSource.manager, [{ text: `UPDATE counters SET n = $2 WHERE id = $1`, values: ['a', 3] }]);
    await runCombined(dataSource.manager, []);
    expect(await dataSource.query(`SELECT n FROM counters WHERE id = 'a'`)).toEqual([{ n: 3 }]);
  });
});
