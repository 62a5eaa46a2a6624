import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/client.js';
import { errorCodes, withErrors } from '../routes/schemas.js';
import type { ErrorCode } from '../shared/errors.js';
import { AppError } from '../shared/errors.js';
import { callerOf, CONSOLE_PREFIX } from '../staff/access.js';
import { addBlackout, adminBook, boardOf, type StaffActor } from './admin.js';
import { AdminBooked, AdminBookingBody, BlackoutBody, Board, BoardQuery, Done, FacilityParams } from './booking-schemas.js';
import { bookingView } from './residents.js';
import { isDay, japanDay } from './slots.js';

const STAFF_ERRORS = ['AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED', 'STAFF_PERMISSION_DENIED', 'STAFF_OUT_OF_SCOPE'] as const satisfies readonly ErrorCode[];

/** The console's booking routes (permission facilities.manage; every target is the caller's municipality's). */
export const bookingConsoleRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const p = `${CONSOLE_PREFIX}/booking`;
  const actorOf = (request: Parameters<typeof callerOf>[0]): StaffActor => {
    const c = callerOf(request);
    return { staffId: c.staff.id, organisationId: c.organisation.id };
  };

  app.get(`${p}/board`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: { summary: "A week of the municipality's facilities and their bookings", ...errorCodes(STAFF_ERRORS), querystring: BoardQuery, response: withErrors({ 200: Board }) },
  }, async (request) => {
    const from = request.query.from ?? japanDay(new Date());
    if (!isDay(from)) throw new AppError('REQ_INVALID', { detail: 'from is not a day' });
    return boardOf(db, actorOf(request), from, 7);
  });

  app.post(`${p}/facilities/:id/blackouts`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: { summary: 'Close a facility for a day (休館日)', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: FacilityParams, body: BlackoutBody, response: withErrors({ 201: Done }) },
  }, async (request, reply) => {
    if (!isDay(request.body.day)) throw new AppError('REQ_INVALID', { detail: 'day is not a day' });
    await addBlackout(db, actorOf(request), request.params.id, request.body.day, request.body.reason);
    return reply.code(201).send({ ok: true });
  });

  app.post(`${p}/facilities/:id/admin-bookings`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: {
      summary: "An administrative booking that overrides residents' (they are told on the TV; audited)",
      ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND', 'BOOKING_SLOT_CLOSED', 'BOOKING_OUT_OF_HORIZON', 'BOOKING_SLOT_TAKEN', 'BOOKING_KEY_REUSED'),
      params: FacilityParams, body: AdminBookingBody, response: withErrors({ 201: AdminBooked }),
    },
  }, async (request, reply) => {
    const { booking, overridden } = await adminBook(db, actorOf(request), { ...request.body, facilityId: request.params.id });
    return reply.code(201).send({ booking: bookingView(booking), overridden });
  });
};
