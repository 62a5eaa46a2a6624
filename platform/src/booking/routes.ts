import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { facilities } from '../db/schema/index.js';
import { requestAuth } from '../routes/request-auth.js';
import { DEVICE_AUTH_ERRORS, errorCodes, SESSION_AUTH_ERRORS, withErrors } from '../routes/schemas.js';
import { weekGrid } from './availability.js';
import {
  Applied, BookingParams, BookingView, FacilityList, FacilityParams, HoldBody, LotteryApplyBody, LotteryParams, MyBookings, SlotBody, Waiting, WeekGrid, WeekQuery,
} from './booking-schemas.js';
import { bookingsOf, cancelBooking, confirmBooking, holdSlot, joinWaitlist } from './bookings.js';
import { applyToRound, openRounds } from './lottery.js';
import { rulesOf, rulesOfUnit } from './policy.js';
import { addressIn, bookingView, feeFor, householdLivesIn, personalViews, personLivesIn } from './residents.js';
import { bookingNotices, facilityPolicies, facilityUnits } from './schema.js';
import { japanDay } from './slots.js';

/**
 * The TV's booking API. Browsing needs only the TV's own credential (no card); holding, confirming
 * and cancelling need a person's session, and act only on that person's bookings.
 */
export const bookingRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const { deviceOf, sessionOf, sessionRechecked } = requestAuth(db);
  const p = '/api/v1/booking';

  app.get(`${p}/facilities`, {
    schema: { summary: 'Bookable facilities and their units (TV credential; no login)', ...errorCodes(DEVICE_AUTH_ERRORS), response: withErrors({ 200: FacilityList }) },
  }, async (request) => {
    await deviceOf(request);
    const rows = await db.select({ f: facilities, policy: facilityPolicies }).from(facilities).innerJoin(facilityPolicies, eq(facilityPolicies.facilityId, facilities.id)).orderBy(asc(facilities.name));
    const ids = rows.map((r) => r.f.id);
    const units = ids.length ? await db.select().from(facilityUnits).where(inArray(facilityUnits.facilityId, ids)).orderBy(asc(facilityUnits.sort)) : [];
    const rounds = ids.length ? await openRounds(db, ids) : [];
    return {
      facilities: rows.map(({ f, policy }) => {
        const round = rounds.find((r) => r.facilityId === f.id);
        return {
          id: f.id, name: f.name, kind: f.kind, units: units.filter((u) => u.facilityId === f.id).map((u) => ({ id: u.id, name: u.name })),
          periods: policy.periods, cancelDeadlineDays: policy.cancelDeadlineDays,
          lottery: round ? { id: round.id, month: round.month, applyUntil: round.applyUntil.toISOString() } : null,
        };
      }),
    };
  });

  app.get(`${p}/facilities/:id/week`, {
    schema: {
      summary: "A week of slots: free, taken or closed beyond the viewer's horizon (TV credential, or a session: then marked for that person; no personal data)",
      ...errorCodes(SESSION_AUTH_ERRORS, 'REQ_NOT_FOUND'), params: FacilityParams, querystring: WeekQuery, response: withErrors({ 200: WeekGrid }),
    },
  }, async (request) => {
    // Logged in: the person's own residency. Browsing without login: the TV's household's.
    const person = request.headers.authorization?.startsWith('Bearer ') ? (await sessionOf(request)).person.id : null;
    const device = person ? null : await deviceOf(request);
    const { municipalityId } = await rulesOf(db, request.params.id);
    const resident = device ? await householdLivesIn(db, device, municipalityId) : await personLivesIn(db, person!, municipalityId);
    return weekGrid(db, request.params.id, request.query.from ?? japanDay(new Date()), 7, { resident });
  });

  app.post(`${p}/holds`, {
    schema: {
      summary: 'Hold a slot for the logged-in person (the same idempotency key holds once)',
      ...errorCodes(SESSION_AUTH_ERRORS, 'REQ_NOT_FOUND', 'BOOKING_SLOT_TAKEN', 'BOOKING_SLOT_CLOSED', 'BOOKING_OUT_OF_HORIZON', 'BOOKING_QUOTA_REACHED', 'BOOKING_KEY_REUSED'),
      body: HoldBody, response: withErrors({ 201: BookingView }),
    },
  }, async (request, reply) => {
    // One round trip when the session is remembered: the hold's statement checks it is still live
    // (a logged-out token is refused at once) and that the address judged on is still the person's;
    // a horizon refused on a remembered address is judged again on the person's row as it is now.
    return sessionRechecked(request, async ({ session, person }) => {
      const rules = await rulesOfUnit(db, request.body.unitId);
      // The session's person row has the address and the unit's (cached) rules the municipality:
      // no round trip for residency on the hot path.
      const resident = addressIn(person.address, rules.municipality);
      const held = await holdSlot(db, { ...request.body, personId: person.id, resident, session: { id: session.id, address: person.address } });
      return reply.code(201).send(bookingView(held, feeFor(rules.policy, held.period, resident)));
    }, ['BOOKING_OUT_OF_HORIZON']);
  });

  app.post(`${p}/bookings/:id/confirm`, {
    schema: { summary: 'Confirm a hold: the booking gets its 利用許可番号', ...errorCodes(SESSION_AUTH_ERRORS, 'REQ_NOT_FOUND', 'BOOKING_HOLD_EXPIRED', 'BOOKING_NOT_ACTIVE'), params: BookingParams, response: withErrors({ 200: BookingView }) },
  }, async (request) => {
    const { person } = await sessionOf(request);
    return (await personalViews(db, person.id, [await confirmBooking(db, person.id, request.params.id)]))[0]!;
  });

  app.post(`${p}/bookings/:id/cancel`, {
    schema: { summary: "Release a hold, or cancel a booking until the facility's deadline", ...errorCodes(SESSION_AUTH_ERRORS, 'REQ_NOT_FOUND', 'BOOKING_NOT_ACTIVE', 'BOOKING_CANCEL_TOO_LATE'), params: BookingParams, response: withErrors({ 200: BookingView }) },
  }, async (request) => {
    const { person } = await sessionOf(request);
    return (await personalViews(db, person.id, [await cancelBooking(db, person.id, request.params.id)]))[0]!;
  });

  app.get(`${p}/mine`, {
    schema: { summary: "The logged-in person's bookings (receipts) and booking notices", ...errorCodes(SESSION_AUTH_ERRORS), response: withErrors({ 200: MyBookings }) },
  }, async (request) => {
    const { person } = await sessionOf(request);
    const notices = await db.select().from(bookingNotices).where(eq(bookingNotices.personId, person.id)).orderBy(desc(bookingNotices.createdAt)).limit(50);
    return {
      bookings: await personalViews(db, person.id, await bookingsOf(db, person.id)),
      notices: notices.map((n) => ({ id: n.id, kind: n.kind, text: n.text, bookingId: n.bookingId, createdAt: n.createdAt.toISOString() })),
    };
  });

  app.post(`${p}/waitlist`, {
    schema: { summary: 'Wait for a taken slot: the first waiting gets a hold when it frees', ...errorCodes(SESSION_AUTH_ERRORS, 'REQ_NOT_FOUND', 'BOOKING_SLOT_CLOSED', 'BOOKING_OUT_OF_HORIZON', 'BOOKING_QUOTA_REACHED', 'BOOKING_SLOT_FREE'), body: SlotBody, response: withErrors({ 201: Waiting }) },
  }, async (request, reply) => {
    const { person } = await sessionOf(request);
    const rules = await rulesOfUnit(db, request.body.unitId);
    await joinWaitlist(db, person.id, request.body, await personLivesIn(db, person.id, rules.municipalityId));
    return reply.code(201).send({ waiting: true });
  });

  app.post(`${p}/lottery/:id/applications`, {
    schema: { summary: "Apply to a lottery round with ranked choices (replaces one's earlier application)", ...errorCodes(SESSION_AUTH_ERRORS, 'REQ_NOT_FOUND', 'BOOKING_LOTTERY_CLOSED', 'BOOKING_LOTTERY_DRAWN', 'BOOKING_SLOT_CLOSED'), params: LotteryParams, body: LotteryApplyBody, response: withErrors({ 201: Applied }) },
  }, async (request, reply) => {
    await applyToRound(db, (await sessionOf(request)).person.id, request.params.id, request.body.choices);
    return reply.code(201).send({ applied: true });
  });
};
