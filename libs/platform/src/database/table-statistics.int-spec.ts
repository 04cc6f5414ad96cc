import { createTestDatabase, TestDatabase } from '@atrium/testing';
import { DataSource } from 'typeorm';
import { openDatabase } from './data-source';
import { analyzeChangedTables } from './table-statistics';

/** Real PostgreSQL with autovacuum off for these tables: what PGlite is for all of them. */
describe('analyzeChangedTables, real PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('table_statistics');
    dataSource = await openDatabase({ url: db.url, entities: [], migrations: [], poolSize: 1 });
    for (const table of ['grown', 'quiet'])
      await dataSource.query(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY) WITH (autovacuum_enabled = false)`);
    await dataSource.query(`INSERT INTO quiet SELECT g FROM generate_series(1, 1000) g`);
    // Its inserts counted before it is analysed (a backend reports them up to a second late).
    await dataSource.query(`SELECT pg_stat_force_next_flush()`);
    await dataSource.query(`ANALYZE quiet`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const estimatedRows = async (table: string) =>
    Number((await dataSource.query<{ reltuples: number }[]>(`SELECT reltuples FROM pg_class WHERE relname = $1`, [table]))[0].reltuples);

  it('analyses a table that changed by more than autovacuum allows, and only that one', async () => {
    await dataSource.query(`INSERT INTO grown SELECT g FROM generate_series(1, 5000) g`);
    // A few rows in an analysed table of 1,000: under 50 + 10 %.
    await dataSource.query(`INSERT INTO quiet SELECT g FROM generate_series(1001, 1010) g`);

    expect(await analyzeChangedTables(dataSource.manager, ['grown', 'quiet'])).toEqual(['grown']);
    expect(await estimatedRows('grown')).toBe(5000);
    expect(await estimatedRows('quiet')).toBe(1000);
    // Analysed now: nothing left to do until it changes again.
    expect(await analyzeChangedTables(dataSource.manager)).toEqual([]);
  });
});
