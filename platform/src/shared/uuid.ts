/**
 * A UUID as PostgreSQL's uuid type reads it, in its usual hyphenated form. A looser check (e.g.
 * /[0-9a-f-]{36}/) lets through text the database refuses, which then surfaces as a 500.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}
