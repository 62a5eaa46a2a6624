import { and, desc, like, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import type { StaffContext } from '../staff/staff-login.js';

export interface AuditFilter {
  before?: number | undefined;
  limit?: number | undefined;
  /** An action or the start of one (`device.` lists every device action). */
  action?: string | undefined;
}

/**
 * The audit log as one organisation may read it, newest first: entries done for that organisation
 * (`data.org`), or every entry with `audit.read_all` (the cable operator's admin, who runs the
 * platform). Paged by sequence number, so a page never shifts while new entries arrive.
 */
export async function auditPage(db: Db, context: StaffContext, filter: AuditFilter) {
  const limit = filter.limit ?? 50;
  const where: SQL[] = [];
  if (!context.permissions.has('audit.read_all')) where.push(sql`${auditLog.data}->>'org' = ${context.organisation.id}`);
  if (filter.before) where.push(lt(auditLog.seq, filter.before));
  if (filter.action) where.push(like(auditLog.action, `${filter.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  const rows = await db.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.seq)).limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    entries: page.map((r) => ({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, data: r.data as Record<string, unknown> })),
    nextBefore: rows.length > limit ? page[page.length - 1]!.seq : null,
  };
}
