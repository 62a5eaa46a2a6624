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
