import { ConflictError, translateUniqueViolation, Tx } from '@atrium/platform';
import { Corp } from '../members/member';

export class CorpsRepository {
  async insert(tx: Tx, corp: { code: string; name: string }): Promise<Corp> {
    return translateUniqueViolation(
      async () => {
        const [row] = await tx.query<Corp[]>(`INSERT INTO corps (code, name) VALUES ($1, $2) RETURNING id, code, name`, [
          corp.code,
          corp.name,
        ]);
        return row;
      },
      () => new ConflictError(`corp code "${corp.code}" is taken`, { field: 'code' }),
    );
  }

  async insertRootDepartment(tx: Tx, corpId: string, name: string): Promise<void> {
    await tx.query(`INSERT INTO departments (corp_id, id, parent_id, name, path) VALUES ($1, 1, NULL, $2, ARRAY[1])`, [corpId, name]);
  }

  async findByCode(tx: Tx, code: string): Promise<Corp | undefined> {
    const [row] = await tx.query<Corp[]>(`SELECT id, code, name FROM corps WHERE lower(code) = lower($1)`, [code]);
    return row;
  }

  async list(tx: Tx): Promise<Corp[]> {
    return tx.query<Corp[]>(`SELECT id, code, name FROM corps ORDER BY code`);
  }

  async findById(tx: Tx, id: string): Promise<Corp | undefined> {
    const [row] = await tx.query<Corp[]>(`SELECT id, code, name FROM corps WHERE id::text = $1`, [id]);
    return row;
  }
}
