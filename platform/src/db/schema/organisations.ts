import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Every organisation that uses the platform: a cable operator (runs the TVs), a municipality
 * (districts, shelters, facilities, alerts) or an insurer (pension status confirmation).
 * Operator-dashboard scopes hang off this row.
 */
export const organisations = pgTable('organisations', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: text('kind', { enum: ['cable_operator', 'municipality', 'insurer'] }).notNull(),
  /** Short stable code, e.g. a municipality's 全国地方公共団体コード. */
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  /**
   * The number residents call for help (a cable operator's support line; a municipality's
   * マイナンバーカード窓口). The TV's help screen shows it; null when none was given.
   */
  helpPhone: text('help_phone'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type Organisation = typeof organisations.$inferSelect;
