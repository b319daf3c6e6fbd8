/**
 * Helpers every store uses to read rows the same way on SQLite, PostgreSQL
 * and MySQL, and to keep statements below every database's bind limit.
 */

/** A time as a row holds it: SQLite returns numbers, PostgreSQL and MySQL Dates. */
export type DbTime = Date | string | number;

/**
 * Ids per `IN (...)` list: well below every database's bind limit (SQLite
 * 32,766, PostgreSQL 65,535, MySQL 65,535) even with other bindings.
 */
export const IN_LIST_CHUNK = 500;

/** A stored time as a Date; null and undefined (no time) as undefined. */
export function toDate(value: DbTime | null | undefined): Date | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  return value instanceof Date ? value : new Date(value);
}

/** A nullable column as an optional field. */
export function optional<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

/** The items in consecutive slices of at most `size` (default {@link IN_LIST_CHUNK}). */
export function chunks<T>(items: readonly T[], size = IN_LIST_CHUNK): T[][] {
  if (!(size >= 1) || !Number.isInteger(size)) {
    throw new Error(`Chunk size must be a whole number above 0, not ${size}`);
  }
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    result.push(items.slice(i, i + size));
  }
  return result;
}

/**
 * A transaction the database rolled back to break a deadlock or a
 * serialization conflict (or SQLite found the database busy): a lost race
 * like any other, safe to retry.
 */
export function isRolledBackRace(error: unknown): boolean {
  const e = error as { code?: string; errno?: number } | undefined;
  return (
    e?.code === 'ER_LOCK_DEADLOCK' ||
    e?.code === 'ER_LOCK_WAIT_TIMEOUT' ||
    e?.errno === 1213 ||
    e?.errno === 1205 ||
    e?.code === '40P01' ||
    e?.code === '40001' ||
    e?.code === 'SQLITE_BUSY'
  );
}
