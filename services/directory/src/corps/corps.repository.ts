import { ConflictError, Tx } from '@atrium/platform';
import { QueryFailedError } from 'typeorm';
import { CorpEntity } from './corp.entity';

const UNIQUE_VIOLATION = '23505';

export class CorpsRepository {
  async insert(tx: Tx, corp: { code: string; name: string }): Promise<CorpEntity> {
    try {
      const [row] = await tx.query<{ id: string; code: string; name: string; created_at: Date }[]>(
        `INSERT INTO corps (code, name) VALUES ($1, $2) RETURNING id, code, name, created_at`,
        [corp.code, corp.name],
      );
      return Object.assign(new CorpEntity(), { id: row.id, code: row.code, name: row.name, createdAt: row.created_at });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ConflictError(`corp code "${corp.code}" is taken`, { field: 'code' });
      }
      throw error;
    }
  }

  async insertRootDepartment(tx: Tx, corpId: string, name: string): Promise<void> {
    await tx.query(`INSERT INTO departments (corp_id, id, parent_id, name) VALUES ($1, 1, NULL, $2)`, [corpId, name]);
  }

  findByCode(tx: Tx, code: string): Promise<CorpEntity | null> {
    return tx.getRepository(CorpEntity).createQueryBuilder('c').where('lower(c.code) = lower(:code)', { code }).getOne();
  }
}
