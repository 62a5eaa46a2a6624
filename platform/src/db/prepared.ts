import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import type { Db } from './client.js';

/**
 * Prepared statements for the hot paths, built once per database handle. Drizzle then skips
 * building the SQL on every call, and PostgreSQL skips parsing and planning it (a named server-side
 * statement per connection). `build` receives the handle and returns `query.prepare(name)`.
 */
const cache = new WeakMap<object, Map<string, unknown>>();

export function prepared<T>(db: object, name: string, build: () => T): T {
  let statements = cache.get(db);
  if (!statements) cache.set(db, (statements = new Map()));
  let statement = statements.get(name) as T | undefined;
  if (statement === undefined) statements.set(name, (statement = build()));
  return statement;
}

export interface PreparedSql<Row> {
  /** Runs the statement with the values of its `sql.placeholder(...)`s; rows keyed by column alias. */
  execute(values: Record<string, unknown>): Promise<Row[]>;
}

const dialect = new PgDialect();

/**
 * A prepared statement written as SQL, for what the query builder cannot say: a statement whose
 * data-modifying CTEs do several writes in one round trip. Same caching as `prepared`. Columns come
 * back as the driver gives them (json parsed; timestamps differ by driver, so don't return them).
 */
export function preparedSql<Row>(db: Db, name: string, build: () => SQL): PreparedSql<Row> {
  return prepared(db, name, () => {
    const statement = db._.session.prepareQuery(dialect.sqlToQuery(build()), undefined, name, false);
    return {
      execute: async (values: Record<string, unknown>) => ((await statement.execute(values)) as { rows: Row[] }).rows,
    };
  });
}
