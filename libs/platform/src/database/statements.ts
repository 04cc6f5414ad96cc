import { Tx } from './data-source';

/** A parameterised SQL statement not yet run: repositories return these to be combined. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

const PLACEHOLDER = /\$(\d+)/g;

/**
 * Runs several data-modifying statements (INSERT, UPDATE, DELETE) as one: each becomes a
 * data-modifying CTE, which PostgreSQL always executes to completion, in one round trip instead of
 * one each. On a hot path (a message send writes four tables) the round trips, not the statements,
 * are what costs. The statements see one snapshot, so none may depend on another's effect, and
 * they must not contain a literal `$` followed by digits outside their placeholders.
 */
export async function runCombined(tx: Tx, statements: SqlStatement[]): Promise<void> {
  if (statements.length === 0) return;
  if (statements.length === 1) {
    await tx.query(statements[0].text, statements[0].values);
    return;
  }
  const values: unknown[] = [];
  const parts = statements.map((statement, i) => {
    const offset = values.length;
    values.push(...statement.values);
    const text = statement.text.replace(PLACEHOLDER, (_, n: string) => {
      const index = Number(n);
      if (index < 1 || index > statement.values.length)
        throw new Error(`statement ${i} uses $${index} but has ${statement.values.length} values`);
      return `$${index + offset}`;
    });
    return `s${i} AS (${text})`;
  });
  await tx.query(`WITH ${parts.join(', ')} SELECT 1`, values);
}
