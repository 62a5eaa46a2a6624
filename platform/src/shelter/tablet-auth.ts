import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { shelters, type Device, type Shelter } from '../db/schema/index.js';
import { cachedDeviceAuthenticator } from '../identity/devices.js';
import { AppError } from '../shared/errors.js';
import { authenticateStaff, type StaffContext, type StaffSessionPolicy } from '../staff/staff-login.js';

/** Who is at the tablet: the tablet (the place) and the staff member on shift (the person). */
export interface TabletCaller {
  device: Device;
  shelter: Shelter;
  staff: StaffContext;
}

/**
 * Both are required, and each proves something the other cannot: `X-Device: <id>:<secret>` is the
 * provisioned tablet (which shelter — a staff member cannot pick another one), and
 * `Authorization: Bearer <token>` is the staff member's own console session, opened on the tablet
 * with their card (who; shelters.checkin; their municipality must run this shelter). A stolen
 * tablet without a staff card writes nothing; a staff token copied elsewhere lacks the tablet.
 */
export function tabletAuthenticator(db: Db, policy: StaffSessionPolicy) {
  const deviceOf = cachedDeviceAuthenticator(db);
  return async (request: FastifyRequest): Promise<TabletCaller> => {
    const header = request.headers['x-device'];
    const device = await deviceOf(typeof header === 'string' ? `Device ${header}` : undefined);
    if (device.kind !== 'tablet' || !device.shelterId) throw new AppError('AUTH_FORBIDDEN', { detail: 'shelter check-in is for shelter tablets' });
    const staff = await authenticateStaff(db, request.headers.authorization, policy);
    if (!staff.permissions.has('shelters.checkin')) throw new AppError('STAFF_PERMISSION_DENIED', { detail: 'needs shelters.checkin' });
    const [shelter] = await db.select().from(shelters).where(eq(shelters.id, device.shelterId));
    if (!shelter) throw new Error('tablet bound to a shelter that does not exist');
    if (shelter.municipalityId !== staff.organisation.id) throw new AppError('STAFF_OUT_OF_SCOPE');
    return { device, shelter, staff };
  };
}
