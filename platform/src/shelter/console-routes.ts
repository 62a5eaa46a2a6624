import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { and, eq, max, count } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { devices, shelters } from '../db/schema/index.js';
import { errorCodes, withErrors } from '../routes/schemas.js';
import { callerOf, CONSOLE_PREFIX } from '../staff/access.js';
import { occupancyByShelter } from './projection.js';
import { shelterEvents } from './schema.js';
import { ShelterOverview } from './shelter-schemas.js';

const STAFF_ERRORS = ['AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED', 'STAFF_PERMISSION_DENIED'] as const;

/** The municipality's shelters: occupancy against capacity and each tablet's last contact. Caller's organisation only. */
export async function shelterOverview(db: Db, municipalityId: string) {
  const rows = await db.select().from(shelters).where(eq(shelters.municipalityId, municipalityId)).orderBy(shelters.name);
  const occupancy = await occupancyByShelter(db, municipalityId);
  const tablets = await db.select({
    deviceId: devices.id, label: devices.label, shelterId: devices.shelterId, lastSeenAt: devices.lastSeenAt,
    lastEventAt: max(shelterEvents.receivedAt), events: count(shelterEvents.eventId),
  }).from(devices).innerJoin(shelters, eq(shelters.id, devices.shelterId)).leftJoin(shelterEvents, eq(shelterEvents.deviceId, devices.id))
    .where(and(eq(devices.kind, 'tablet'), eq(shelters.municipalityId, municipalityId)))
    .groupBy(devices.id);
  return {
    shelters: rows.map((s) => ({
      id: s.id, name: s.name, capacity: s.capacity, ...(occupancy.get(s.id) ?? { inside: 0, outside: 0 }),
      tablets: tablets.filter((t) => t.shelterId === s.id).map((t) => ({
        deviceId: t.deviceId, label: t.label, lastSeenAt: t.lastSeenAt?.toISOString() ?? null, lastEventAt: t.lastEventAt ? new Date(t.lastEventAt).toISOString() : null, events: t.events,
      })),
    })),
  };
}

/** The console's shelter routes (municipality roles with shelters.read). */
export const shelterConsoleRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(`${CONSOLE_PREFIX}/shelters`, {
    config: { access: { permission: 'shelters.read' } },
    schema: { summary: "Occupancy of the caller's municipality's shelters and their tablets' last contact", ...errorCodes(STAFF_ERRORS), response: withErrors({ 200: ShelterOverview }) },
  }, async (request) => shelterOverview(db, callerOf(request).organisation.id));
};

