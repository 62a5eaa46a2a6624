import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { preparedSql } from '../db/prepared.js';
import { WriteBatcher } from '../db/write-batcher.js';
import type { AlertAnswer, ReceiptKind } from './alerts-schemas.js';

/**
 * Receipts from the TVs (issue 13 §4–§5): delivered, displayed, acknowledged, once per alert, TV
 * and kind. After a publication 20,000 TVs answer within a second, three times each: the receipts
 * go through a WriteBatcher, so a burst is a few multi-row statements, not 60,000 round trips.
 * Idempotent by the table's key: the same receipt again changes nothing, except that a later
 * acknowledgement may add the answer or the person the first one lacked. A receipt for an alert
 * that does not target the TV's household is dropped by the statement itself (the join), and so is
 * one for a Test or Exercise alert from a TV not flagged for test alerts: such a TV is never sent
 * one (tv-channel.ts, tv-connect.ts), so its receipt is forged or a bug, and would fill a drill's funnel.
 */

export interface ReceiptInput {
  alertId: string;
  deviceId: string;
  householdId: string;
  /** What one message from the TV stands for: a `displayed` is its `delivered` too (tv-channel.ts). */
  kinds: readonly ReceiptKind[];
  answer: AlertAnswer | null;
  personId: string | null;
  /**
   * When the platform received it: the funnel's delivery times and its watchdog read this, and a
   * batch's own statement time would add the gathering and any queue behind a slow database.
   */
  receivedAt: Date;
}

/**
 * One batch at a time: while it is written the next burst gathers, so a storm of receipts becomes
 * a few large statements instead of many small commits (each costing a WAL flush). A statement
 * has seven parameters (arrays) whatever its size. A receipt arriving at an idle writer waits up to
 * GATHER_MS for others (a full batch goes at once): on PGlite nothing arrives while a statement
 * runs (it runs in this thread), and without the window 10,000 receipts from 5,000 TVs were written
 * one per statement (64 s). The first receipts of a publish come while this and the other
 * processes are still sending it: gathered for 20 ms, they went as small statements whose work
 * (PostgreSQL's and the driver's, on the same cores) delayed the last TVs (20,000-TV bench, two
 * processes, 6 runs each: p99 delivered median 1.29 s with 20 ms, 1.09 s with 500 ms; every receipt
 * stored 1.93 s and 1.76 s). A lone acknowledgement reaches the console half a second later.
 */
const MAX_IN_FLIGHT = 1;
const MAX_BATCH = 2000;
const GATHER_MS = 500;

export function receiptWriter(db: Db): WriteBatcher<ReceiptInput, void> {
  return new WriteBatcher<ReceiptInput, void>({
    maxInFlight: MAX_IN_FLIGHT,
    maxBatch: MAX_BATCH,
    gatherMs: GATHER_MS,
    // One statement cannot touch a row twice (ON CONFLICT DO UPDATE): one TV's messages about one
    // alert go in separate batches (they come seconds apart: displayed, then acknowledged).
    keyOf: (r) => `${r.alertId}/${r.deviceId}`,
    run: async (inputs) => {
      await writeReceipts(db, inputs);
      return inputs.map(() => undefined);
    },
  });
}

/**
 * One statement for all `inputs`, their columns as seven array parameters (`unnest`): the same
 * prepared statement for a batch of 1 or 2,000, nothing for the driver to build per receipt.
 */
const insertReceipts = (db: Db) => preparedSql<never>(db, 'alerts_write_receipts', () => sql`
  insert into alert_receipts (alert_id, device_id, household_id, kind, answer, person_id, at)
  select v.alert_id, v.device_id, v.household_id, v.kind, v.answer, v.person_id, v.at
  from unnest(${sql.placeholder('alertIds')}::uuid[], ${sql.placeholder('deviceIds')}::uuid[], ${sql.placeholder('householdIds')}::uuid[],
    ${sql.placeholder('kinds')}::text[], ${sql.placeholder('answers')}::text[], ${sql.placeholder('personIds')}::uuid[],
    ${sql.placeholder('ats')}::timestamptz[])
    as v(alert_id, device_id, household_id, kind, answer, person_id, at)
  join alert_targets t on t.alert_id = v.alert_id and t.household_id = v.household_id
  join alerts a on a.id = v.alert_id
  join devices d on d.id = v.device_id
  where a.status = 'Actual' or d.test_alerts
  on conflict (alert_id, device_id, kind) do update
    set answer = coalesce(excluded.answer, alert_receipts.answer), person_id = coalesce(excluded.person_id, alert_receipts.person_id)
    where excluded.answer is not null or excluded.person_id is not null`);

export async function writeReceipts(db: Db, inputs: ReceiptInput[]): Promise<void> {
  const rows = inputs.flatMap((r) => r.kinds.map((kind) => ({ r, kind, at: r.receivedAt.toISOString() })));
  if (!rows.length) return;
  await insertReceipts(db).execute({
    alertIds: rows.map(({ r }) => r.alertId),
    deviceIds: rows.map(({ r }) => r.deviceId),
    householdIds: rows.map(({ r }) => r.householdId),
    kinds: rows.map(({ kind }) => kind),
    answers: rows.map(({ r }) => r.answer),
    personIds: rows.map(({ r }) => r.personId),
    ats: rows.map(({ at }) => at),
  });
}
