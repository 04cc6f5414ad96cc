import { ConflictError, queryReturning, translateUniqueViolation, Tx } from '@atrium/platform';
import { AttributeType, MemberAttribute } from './member-attribute';

interface Row {
  name: string;
  type: AttributeType;
  sort_order: string;
}

const toAttribute = (row: Row): MemberAttribute => ({ name: row.name, type: row.type, order: Number(row.sort_order) });

const nameTaken = (name: string) => () => new ConflictError(`custom attribute "${name}" exists`, { field: 'name' });

// Members' values live in members.extattrs ([{name, type, value, title}]); these statements keep
// them in step with the definitions, element order preserved.
const HAS_VALUE = `EXISTS (SELECT 1 FROM jsonb_array_elements(extattrs) e WHERE lower(e->>'name') = lower($2))`;

/** The corp's custom member attributes. Every query is scoped by corp. */
export class MemberAttributesRepository {
  async list(tx: Tx, corpId: string): Promise<MemberAttribute[]> {
    const rows = await tx.query<Row[]>(
      `SELECT name, type, sort_order FROM member_attributes WHERE corp_id = $1 ORDER BY sort_order, lower(name)`,
      [corpId],
    );
    return rows.map(toAttribute);
  }

  async find(tx: Tx, corpId: string, name: string): Promise<MemberAttribute | undefined> {
    const [row] = await tx.query<Row[]>(
      `SELECT name, type, sort_order FROM member_attributes WHERE corp_id = $1 AND lower(name) = lower($2) FOR UPDATE`,
      [corpId, name],
    );
    return row && toAttribute(row);
  }

  async insert(tx: Tx, corpId: string, attribute: MemberAttribute): Promise<void> {
    await translateUniqueViolation(
      () =>
        tx.query(`INSERT INTO member_attributes (corp_id, name, type, sort_order) VALUES ($1, $2, $3, $4)`, [
          corpId,
          attribute.name,
          attribute.type,
          attribute.order,
        ]),
      nameTaken(attribute.name),
    );
  }

  async update(tx: Tx, corpId: string, currentName: string, attribute: MemberAttribute): Promise<void> {
    await translateUniqueViolation(
      () =>
        tx.query(`UPDATE member_attributes SET name = $3, sort_order = $4, updated_at = now() WHERE corp_id = $1 AND name = $2`, [
          corpId,
          currentName,
          attribute.name,
          attribute.order,
        ]),
      nameTaken(attribute.name),
    );
  }

  async delete(tx: Tx, corpId: string, name: string): Promise<void> {
    await tx.query(`DELETE FROM member_attributes WHERE corp_id = $1 AND name = $2`, [corpId, name]);
  }

  /** Renames the attribute in every member's values; answers how many members carried it. */
  async renameValues(tx: Tx, corpId: string, from: string, to: string): Promise<number> {
    const rows = await queryReturning<unknown>(
      tx,
      `UPDATE members SET updated_at = now(), extattrs = (
         SELECT jsonb_agg(CASE WHEN lower(e->>'name') = lower($2) THEN jsonb_set(e, '{name}', to_jsonb($3::text)) ELSE e END ORDER BY i)
           FROM jsonb_array_elements(extattrs) WITH ORDINALITY AS x(e, i))
        WHERE corp_id = $1 AND ${HAS_VALUE} RETURNING userid`,
      [corpId, from, to],
    );
    return rows.length;
  }

  /** Removes the attribute from every member's values; answers how many members carried it. */
  async clearValues(tx: Tx, corpId: string, name: string): Promise<number> {
    const rows = await queryReturning<unknown>(
      tx,
      `UPDATE members SET updated_at = now(), extattrs = coalesce((
         SELECT jsonb_agg(e ORDER BY i) FROM jsonb_array_elements(extattrs) WITH ORDINALITY AS x(e, i) WHERE lower(e->>'name') <> lower($2)
       ), '[]')
        WHERE corp_id = $1 AND ${HAS_VALUE} RETURNING userid`,
      [corpId, name],
    );
    return rows.length;
  }
}
