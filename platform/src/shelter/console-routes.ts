import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { and, count, eq, gte, max, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { devices, shelters } from '../db/schema/index.js';
import { errorCodes, withErrors } from '../routes/schemas.js';
import { callerOf, CONSOLE_PREFIX, requireOwn } from '../staff/access.js';
import { occupancyByShelter } from './projection.js';
import { shelterEvents, shelterTabletHealth } from './schema.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import { ShelterOverview, ShelterSettings, ShelterSettingsParams, ShelterSettingsResult, UnconfirmedList, UnconfirmedQuery } from './shelter-schemas.js';
import { unconfirmedCsv, unconfirmedSafe } from './unconfirmed.js';

const STAFF_ERRORS = ['AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED', 'STAFF_PERMISSION_DENIED'] as const;

/** The municipality's shelters: occupancy against capacity and each tablet's last contact. Caller's organisation only. */
export async function shelterOverview(db: Db, municipalityId: string) {
  const rows = await db.select().from(shelters).where(eq(shelters.municipalityId, municipalityId)).orderBy(shelters.name);
  const occupancy = await occupancyByShelter(db, municipalityId);
  const tablets = await db.select({
    deviceId: devices.id, label: devices.label, shelterId: devices.shelterId, lastSeenAt: devices.lastSeenAt,
    lastEventAt: max(shelterEvents.receivedAt), events: count(shelterEvents.eventId),
    waiting: shelterTabletHealth.waiting, reportedAt: shelterTabletHealth.reportedAt,
  }).from(devices).innerJoin(shelters, eq(shelters.id, devices.shelterId)).leftJoin(shelterEvents, eq(shelterEvents.deviceId, devices.id))
    .leftJoin(shelterTabletHealth, eq(shelterTabletHealth.deviceId, devices.id))
    .where(and(eq(devices.kind, 'tablet'), eq(shelters.municipalityId, municipalityId)))
    .groupBy(devices.id, shelterTabletHealth.deviceId);
  return {
    arrivals: await arrivalsPerHour(db, municipalityId),
    unconfirmed: perDistrict(await unconfirmedSafe(db, municipalityId)),
    shelters: rows.map((s) => ({
      id: s.id, name: s.name, capacity: s.capacity, requirePin: s.requirePin, ...(occupancy.get(s.id) ?? { inside: 0, outside: 0 }),
      tablets: tablets.filter((t) => t.shelterId === s.id).map((t) => ({
        deviceId: t.deviceId, label: t.label, lastSeenAt: t.lastSeenAt?.toISOString() ?? null, lastEventAt: t.lastEventAt ? new Date(t.lastEventAt).toISOString() : null, events: t.events,
        waiting: t.waiting, lastContactAt: latest(t.lastSeenAt, t.reportedAt),
      })),
    })),
  };
}

/** The later of two instants (either may be unknown), as ISO. */
function latest(a: Date | null, b: Date | null): string | null {
  const at = Math.max(a?.getTime() ?? -Infinity, b?.getTime() ?? -Infinity);
  return Number.isFinite(at) ? new Date(at).toISOString() : null;
}

/** First check-ins per hour over the last 24 hours (a second check-in of someone already there is no arrival). */
async function arrivalsPerHour(db: Db, municipalityId: string) {
  const hour = sql<string>`date_trunc('hour', ${shelterEvents.occurredAt})`;
  const rows = await db.select({ hour, count: count() }).from(shelterEvents)
    .where(and(eq(shelterEvents.municipalityId, municipalityId), eq(shelterEvents.kind, 'checkin'), gte(shelterEvents.occurredAt, sql`now() - interval '24 hours'`),
      sql`(${shelterEvents.result}->>'alreadyHere')::boolean is not true`))
    .groupBy(hour).orderBy(hour);
  return rows.map((r) => ({ hour: new Date(r.hour).toISOString(), count: r.count }));
}

function perDistrict(people: Awaited<ReturnType<typeof unconfirmedSafe>>) {
  const counts = new Map<string, { districtCode: string | null; district: string | null; count: number }>();
  for (const p of people) {
    const key = p.districtCode ?? '';
    const entry = counts.get(key) ?? { districtCode: p.districtCode, district: p.district, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()];
}

/** The console's shelter routes (municipality roles with shelters.read; names with evacuees.read). */
export const shelterConsoleRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(`${CONSOLE_PREFIX}/shelters`, {
    config: { access: { permission: 'shelters.read' } },
    schema: { summary: "Occupancy of the caller's municipality's shelters and their tablets' last contact", ...errorCodes(STAFF_ERRORS), response: withErrors({ 200: ShelterOverview }) },
  }, async (request) => shelterOverview(db, callerOf(request).organisation.id));

  app.put(`${CONSOLE_PREFIX}/shelters/:shelterId/settings`, {
    config: { access: { permission: 'shelters.manage' } },
    schema: {
      summary: "Whether card check-ins at one of the caller's municipality's shelters need the card's PIN (audited)",
      params: ShelterSettingsParams, body: ShelterSettings, ...errorCodes([...STAFF_ERRORS, 'STAFF_OUT_OF_SCOPE', 'REQ_NOT_FOUND', 'REQ_INVALID']),
      response: withErrors({ 200: ShelterSettingsResult }),
    },
  }, async (request) => {
    const caller = callerOf(request);
    return db.transaction(async (tx) => {
      const [shelter] = await tx.select().from(shelters).where(eq(shelters.id, request.params.shelterId));
      if (!shelter) throw new AppError('REQ_NOT_FOUND', { detail: 'no such shelter' });
      requireOwn(caller, shelter.municipalityId);
      await tx.update(shelters).set({ requirePin: request.body.requirePin }).where(eq(shelters.id, shelter.id));
      await appendAudit(tx, {
        actor: `staff:${caller.staff.id}`, action: 'shelter.settings_changed', subject: shelter.id, data: { org: caller.organisation.id, requirePin: request.body.requirePin },
      });
      return { shelterId: shelter.id, requirePin: request.body.requirePin };
    });
  });

  app.get(`${CONSOLE_PREFIX}/shelters/unconfirmed`, {
    config: { access: { permission: 'evacuees.read' } },
    schema: {
      summary: "安否未確認: residents of the caller's municipality's alerted households neither seen at a shelter nor answered safe on their TV",
      querystring: UnconfirmedQuery, ...errorCodes([...STAFF_ERRORS, 'REQ_INVALID']), response: withErrors({ 200: UnconfirmedList }),
    },
  }, async (request) => ({ people: await unconfirmedSafe(db, callerOf(request).organisation.id, request.query) }));

  app.get(`${CONSOLE_PREFIX}/shelters/unconfirmed.csv`, {
    config: { access: { permission: 'evacuees.read' } },
    schema: {
      summary: 'The same list as CSV for door-to-door checks (UTF-8 with BOM; cells a spreadsheet would run as formulas are kept text)',
      querystring: UnconfirmedQuery, ...errorCodes([...STAFF_ERRORS, 'REQ_INVALID']),
    },
  }, async (request, reply) => {
    const csv = unconfirmedCsv(await unconfirmedSafe(db, callerOf(request).organisation.id, request.query));
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="anpi-mikakunin.csv"').send(csv);
  });
};

