import { EntityManager } from 'typeorm';

/** A pool (DataSource) or a transaction (Tx): reads run on either. */
export type Queryable = Pick<EntityManager, 'query'>;
