import { createTestDatabase, TestDatabase } from '@atrium/testing';
import { DataSource } from 'typeorm';
import { openDatabase } from './data-source';

/** Longer than the 10 s a caller used to wait in the queue of a one-connection pool. */
const HELD_SECONDS = 12;

describe('a pool of one connection (embedded mode), real PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('pool_wait');
    dataSource = await openDatabase({ url: db.url, entities: [], migrations: [], poolSize: 1 });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('lets a caller queue behind a long transaction and answers it, instead of failing it with a connect timeout', async () => {
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const long = dataSource.transaction(async (tx) => {
      holding();
      await tx.query(`SELECT pg_sleep(${HELD_SECONDS})`);
      return 'long';
    });
    await held;
    const queued = dataSource.query<{ answer: number }[]>(`SELECT 42 AS answer`);
    await expect(long).resolves.toBe('long');
    await expect(queued).resolves.toEqual([{ answer: 42 }]);
  }, 60_000);
});
