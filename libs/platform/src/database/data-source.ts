import { DataSource, EntityManager, MixedList, EntitySchema } from 'typeorm';
import { PLATFORM_MIGRATIONS } from './platform-migrations';

export interface DatabaseOptions {
  url: string;
  entities: MixedList<string | (new () => unknown) | EntitySchema>;
  /** The service's own migrations; the platform's (outbox, inbox) always run first. */
  migrations: (new () => unknown)[];
  /** PGlite multiplexes connections onto one backend without isolation: embedded mode uses 1. */
  poolSize?: number;
  applicationName?: string;
}

/**
 * How long a caller waits for a connection (pg-pool applies connectionTimeoutMillis to connecting
 * and to waiting in the pool's queue alike). With a pool of 1 (embedded mode) a burst of callers
 * queues behind one busy connection for a while: they should wait their turn, as callers of a
 * busy server do, not fail after 10 s. Connecting to PGlite on loopback fails fast anyway.
 */
export function poolWaitMs(poolSize: number): number {
  return poolSize === 1 ? 120_000 : 10_000;
}

/** One DataSource per service on its own database; schema changes only through migrations. */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: [...PLATFORM_MIGRATIONS, ...options.migrations],
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    applicationName: options.applicationName,
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: poolWaitMs(options.poolSize ?? 10) },
  });
}

export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

export type Tx = EntityManager;

/**
 * Runs work in one transaction. Repositories take the `Tx` they are given, so a service method
 * can write its rows and its outbox events atomically.
 */
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** How many connections the pool opens at most: 1 in embedded mode, where a transaction excludes every other caller. */
  get connections(): number {
    return (this.dataSource.options as { extra?: { max?: number } }).extra?.max ?? 10;
  }
}

/**
 * Runs an UPDATE or DELETE … RETURNING and gives its rows. TypeORM answers those statements with
 * `[rows, affectedCount]` (unlike SELECT and INSERT), so they are wrapped in a CTE whose SELECT
 * returns plain rows.
 */
export function queryReturning<T>(tx: Tx, statement: string, parameters: unknown[]): Promise<T[]> {
  return tx.query<T[]>(`WITH affected AS (${statement}) SELECT * FROM affected`, parameters);
}
