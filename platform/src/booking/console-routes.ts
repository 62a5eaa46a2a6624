import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/client.js';
import { errorCodes, withErrors } from '../routes/schemas.js';
import type { ErrorCode } from '../shared/errors.js';
import { AppError } from '../shared/errors.js';
import { callerOf, CONSOLE_PREFIX } from '../staff/access.js';
import { addBlackout, addWeeklyBlackouts, adminBook, boardOf, dayBoardOf, type StaffActor } from './admin.js';
import {
  AdminBooked, AdminBookingBody, BlackoutBody, Blackouts, Board, BoardQuery, ConsoleFacilities, DayBoard, DayBoardQuery, Done, DrawResult, FacilityParams, LotteryRoundView, OpenRoundBody,
  PolicyBody, ReplayResult, RoundParams, WeeklyBlackoutBody, WeeklyBlackouts,
} from './booking-schemas.js';
import { closeRoundFor, drawRoundFor, facilitiesOf, openRoundFor, replayRoundFor, updatePolicy } from './console-lottery.js';
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

  app.get(`${p}/facilities/:id/day`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: { summary: "One day of a facility: every unit × 区分, held/confirmed/free/closed (the day board)", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: FacilityParams, querystring: DayBoardQuery, response: withErrors({ 200: DayBoard }) },
  }, async (request) => {
    if (!isDay(request.query.day)) throw new AppError('REQ_INVALID', { detail: 'day is not a day' });
    return dayBoardOf(db, actorOf(request), request.params.id, request.query.day);
  });

  app.get(`${p}/facilities`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: { summary: "The municipality's facilities: policy, closed days ahead, lottery rounds", ...errorCodes(STAFF_ERRORS), response: withErrors({ 200: ConsoleFacilities }) },
  }, async (request) => facilitiesOf(db, actorOf(request)));

  app.put(`${p}/facilities/:id/policy`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: { summary: "Change a facility's horizons, cancel deadline, quota and hold time (audited)", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: FacilityParams, body: PolicyBody, response: withErrors({ 200: Done }) },
  }, async (request) => {
    await updatePolicy(db, actorOf(request), request.params.id, request.body);
    return { ok: true };
  });

  app.post(`${p}/facilities/:id/lottery-rounds`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: {
      summary: 'Open a lottery round for a month; its seed is published at once (audited)', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND', 'BOOKING_LOTTERY_DRAWN'),
      params: FacilityParams, body: OpenRoundBody, response: withErrors({ 201: LotteryRoundView }),
    },
  }, async (request, reply) => reply.code(201).send(await openRoundFor(db, actorOf(request), request.params.id, request.body.month, new Date(request.body.applyUntil))));

  app.post(`${p}/lottery-rounds/:id/close`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: { summary: "End a round's applications now, so it can be drawn (audited)", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND', 'BOOKING_LOTTERY_DRAWN'), params: RoundParams, response: withErrors({ 200: LotteryRoundView }) },
  }, async (request) => closeRoundFor(db, actorOf(request), request.params.id));

  app.post(`${p}/lottery-rounds/:id/draw`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: {
      summary: 'Draw a round whose applications have closed, from its published seed: winners get holds, everyone a notice (audited)',
      ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND', 'BOOKING_LOTTERY_DRAWN', 'BOOKING_LOTTERY_STILL_OPEN'), params: RoundParams, response: withErrors({ 200: DrawResult }) },
  }, async (request) => drawRoundFor(db, actorOf(request), request.params.id));

  app.post(`${p}/lottery-rounds/:id/replay`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: { summary: 'Re-run a drawn round from its seed: the same entrant list and the same winners as the holds given?', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: RoundParams, response: withErrors({ 200: ReplayResult }) },
  }, async (request) => replayRoundFor(db, actorOf(request), request.params.id));

  app.post(`${p}/facilities/:id/blackouts`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: { summary: 'Close a facility for a day (休館日); says how many bookings that day holds', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: FacilityParams, body: BlackoutBody, response: withErrors({ 201: Blackouts }) },
  }, async (request, reply) => {
    if (!isDay(request.body.day)) throw new AppError('REQ_INVALID', { detail: 'day is not a day' });
    const { booked } = await addBlackout(db, actorOf(request), request.params.id, request.body.day, request.body.reason);
    return reply.code(201).send({ ok: true, booked });
  });

  app.post(`${p}/facilities/:id/blackouts/weekly`, {
    config: { access: { permission: 'facilities.manage' } },
    schema: {
      summary: 'Close a facility on one weekday every week, up to a year (毎週月曜 休館): a 休館日 for each of those days',
      ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: FacilityParams, body: WeeklyBlackoutBody, response: withErrors({ 201: WeeklyBlackouts }),
    },
  }, async (request, reply) => reply.code(201).send(await addWeeklyBlackouts(db, actorOf(request), request.params.id, request.body)));

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
