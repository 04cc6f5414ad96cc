import { QueryFailedError } from 'typeorm';

/** PostgreSQL's SQLSTATE for a broken unique index or constraint. */
const UNIQUE_VIOLATION = '23505';

/** A unique violation PostgreSQL reported, with the index or constraint it broke ('' when the server named none). */
export interface UniqueViolation {
  constraint: string;
}

/** The unique violation an error reports, if it is one. TypeORM wraps the driver's error; nothing else is looked into. */
export function uniqueViolationOf(error: unknown): UniqueViolation | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driver = error.driverError as { code?: unknown; constraint?: unknown } | undefined;
  if (driver?.code !== UNIQUE_VIOLATION) return undefined;
  return { constraint: typeof driver.constraint === 'string' ? driver.constraint : '' };
}

/**
 * Runs a write and turns a unique violation into the repository's own domain error: `conflict`
 * returns the error for the constraint that was broken, or undefined to let that violation through
 * unchanged (a constraint the repository does not expect is a bug, not a conflict). Every other
 * error passes unchanged.
 */
export async function translateUniqueViolation<T>(
  write: () => Promise<T>,
  conflict: (violation: UniqueViolation) => Error | undefined,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const violation = uniqueViolationOf(error);
    throw (violation && conflict(violation)) ?? error;
  }
}
