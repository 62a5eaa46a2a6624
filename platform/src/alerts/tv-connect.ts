import { getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import { WriteBatcher } from '../db/write-batcher.js';
import { devices, type Device } from '../db/schema/index.js';
import { checkDeviceSecret, noteDevicesSeen, parseDeviceCredential } from '../identity/devices.js';
import { AppError } from '../shared/errors.js';
import { homeJson, type Home } from './tv-homes.js';

/**
 * A TV connecting to the alert channel (issue 13 §5): its device and what its household has in force,
 * for many TVs in ONE statement. After a power cut 20,000 TVs connect within a minute; three
 * statements each (device, "seen", active alerts) took 2–3 minutes for 5,000 on PGlite. Lookups
 * arriving together share a statement (a short gathering window, so that PGlite, which blocks this
 * thread while it runs, does not turn them into one statement each); "seen" is written the same way,
 * off the TV's path.
 */

/** An alert in force for the TV's household: its expiry and whether this TV acknowledged it already. */
export interface ActiveForTv {
  id: string;
  expiresAt: number;
  acknowledged: boolean;
}

export interface TvConnection {
  device: Device & { householdId: string };
  /** Oldest first: Actual only, unless the TV is flagged for test alerts. */
  active: ActiveForTv[];
  /** What pushing an alert needs of its household (tv-homes.ts). */
  home: Home;
}

/** How long a connecting TV waits for others to share its statement, and how many share one. */
const GATHER_MS = 10;
const MAX_BATCH = 1000;

interface ConnectRow extends Device {
  active: ActiveForTv[] | null;
  home: Home | null;
}

/**
 * The devices by id, each with its household's alerts in force at `now` (the same rule as
 * `residentVisible` in tv-views.ts) and its Home. Ids as one array parameter: the same prepared statement for 1
 * or 1,000 TVs. The outer columns are written out qualified: drizzle names a one-table select's
 * columns bare, which inside the subquery would mean the alert's `id`.
 */
const connectRows = (db: Db) => prepared(db, 'alerts_tv_connect', () => db.select({
  ...getTableColumns(devices),
  active: sql<ActiveForTv[] | null>`(
    select json_agg(json_build_object(
      'id', a.id,
      'expiresAt', (extract(epoch from a.expires_at) * 1000)::float8,
      'acknowledged', exists (select 1 from alert_receipts r where r.alert_id = a.id and r.device_id = devices.id and r.kind = 'acknowledged')
    ) order by a.sent_at, a.id)
    from alert_targets t join alerts a on a.id = t.alert_id
    where t.household_id = devices.household_id and a.state = 'active' and (a.status = 'Actual' or devices.test_alerts)
      and a.msg_type in ('Alert', 'Update') and a.expires_at > ${sql.placeholder('now')}::timestamptz
  )`,
  home: homeJson(sql`devices.household_id`),
}).from(devices).where(sql`${devices.id} = any(${sql.placeholder('ids')}::uuid[])`).prepare('alerts_tv_connect'));

/**
 * Devices already connected, by id, with their households' alerts in force now: no credential (they
 * were checked on connecting), the same statement as connecting, 1,000 ids at a time. For checking
 * every TV of a process again (`tvAlertChannel` once a lost LISTEN is back).
 */
export async function tvStates(db: Db, ids: string[]): Promise<Map<string, Device & { active: ActiveForTv[]; home: Home | null }>> {
  const states = new Map<string, Device & { active: ActiveForTv[]; home: Home | null }>();
  for (let i = 0; i < ids.length; i += MAX_BATCH) {
    const rows = await connectRows(db).execute({ ids: ids.slice(i, i + MAX_BATCH), now: new Date().toISOString() }) as ConnectRow[];
    for (const { active, ...device } of rows) states.set(device.id, { ...device, active: active ?? [] });
  }
  return states;
}

/** `connect(credential)`: the TV's device and its household's alerts in force; AUTH_* refusals as `authenticateDevice`, AUTH_FORBIDDEN for a tablet. */
export function tvConnector(db: Db): (credential: string) => Promise<TvConnection> {
  const lookups = new WriteBatcher<string, ConnectRow | undefined>({
    maxInFlight: 1,
    maxBatch: MAX_BATCH,
    gatherMs: GATHER_MS,
    run: async (ids) => {
      const rows = await connectRows(db).execute({ ids: [...new Set(ids)], now: new Date().toISOString() }) as ConnectRow[];
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id));
    },
  });
  // "In use now" for the console: best effort, never on the TV's path.
  const seen = new WriteBatcher<string, void>({
    maxInFlight: 1,
    maxBatch: 5000,
    gatherMs: 200,
    run: async (ids) => {
      await noteDevicesSeen(db, [...new Set(ids)]);
      return ids.map(() => undefined);
    },
  });
  return async (credential) => {
    const { id, secret } = parseDeviceCredential(`Device ${credential}`);
    const { active, home, ...device } = checkDeviceSecret(await lookups.submit(id), secret);
    if (device.kind !== 'tv' || !device.householdId || !home) throw new AppError('AUTH_FORBIDDEN', { detail: 'not a household TV' });
    seen.submit(device.id).catch(() => undefined);
    return { device: { ...device, householdId: device.householdId }, active: active ?? [], home };
  };
}
