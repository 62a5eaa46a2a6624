import pg from 'pg';

/**
 * The two PostgreSQL roles (README "Running at scale"): the owner runs migrations and owns every
 * table; the platform role, which every platform process works as, may read and change the
 * tables it serves but may only add to and read the audit log. So a stolen platform connection,
 * or a bug, cannot rewrite history; only the owner could, and the HMAC key and the signed
 * checkpoint (identity/audit.ts) show it if it does.
 */

/** Tables the platform role may only SELECT and INSERT into. */
export const APPEND_ONLY_TABLES = ['audit_log', 'ocsp_responses'] as const;

/**
 * Run as the owner after migrations, every start (idempotent): grants cover tables that new
 * migrations added, and the revoke is re-applied whatever a migration granted.
 */
export function platformRoleGrants(role: string): string[] {
  const r = pg.escapeIdentifier(role);
  return [
    `GRANT USAGE ON SCHEMA public TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
    `REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM ${r}`,
    ...APPEND_ONLY_TABLES.map((t) => `REVOKE UPDATE, DELETE ON ${pg.escapeIdentifier(t)} FROM ${r}`),
  ];
}

/** The client's queries, as both `pg.Client` and `pg.PoolClient` offer them. */
type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * Grants the platform role its rights, then checks that it really cannot change an append-only
 * table (it would if it owned the table, or were a superuser): the platform refuses to start
 * rather than run with an audit log its own connection could rewrite.
 */
export async function grantPlatformRole(owner: Queryable, role: string): Promise<void> {
  for (const statement of platformRoleGrants(role)) await owner.query(statement);
  for (const table of APPEND_ONLY_TABLES) {
    const { rows } = await owner.query<{ can: boolean }>(
      `select has_table_privilege($1, $2, 'UPDATE') or has_table_privilege($1, $2, 'DELETE') or has_table_privilege($1, $2, 'TRUNCATE') as can`,
      [role, `public.${table}`],
    );
    if (rows[0]?.can) {
      throw new Error(`the platform role "${role}" can still change ${table}: it must not own the tables or be a superuser (README "Running at scale")`);
    }
  }
}
