import { Type, type Static } from '@sinclair/typebox';

/**
 * The booking API's request and response shapes (TV and console): one definition the routes
 * validate with and the TV and console pages import as types.
 */
const Strict = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
export const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const PeriodCode = Type.String({ minLength: 1, maxLength: 20, pattern: '^[a-z0-9_-]+$' });

export const Period = Type.Object({ code: Type.String(), label: Type.String(), start: Type.String(), end: Type.String() });
export const Fee = Type.Object({ period: Type.String(), resident: Type.Integer(), nonResident: Type.Integer() });
/** A lottery round taking applications now: the TV offers 抽選に申し込む until `applyUntil`. */
export const OpenRound = Type.Object({ id: Uuid, month: Type.String(), applyUntil: Type.String() });
export const FacilitySummary = Type.Object({
  id: Uuid, name: Type.String(), kind: Type.String(), units: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
  /** The 区分 table (the TV names a booking's 区分 with it). */
  periods: Type.Array(Period),
  /** Residents may cancel until this many days before the day of use. */
  cancelDeadlineDays: Type.Integer(),
  lottery: Type.Union([OpenRound, Type.Null()]),
});
export const FacilityList = Type.Object({ facilities: Type.Array(FacilitySummary) });
export const FacilityParams = Type.Object({ id: Uuid });
export const WeekQuery = Type.Object({ from: Type.Optional(Day) }, Strict);

export const SlotState = Type.Union([Type.Literal('free'), Type.Literal('taken'), Type.Literal('closed')]);
export const WeekGrid = Type.Object({
  facilityId: Uuid, name: Type.String(), from: Day, days: Type.Array(Day), periods: Type.Array(Period), fees: Type.Array(Fee), residentLastDay: Day,
  /** Whom the grid is marked for (the logged-in person, else the TV's household): their horizon and their fee per 区分. */
  viewer: Type.Object({ resident: Type.Boolean(), lastDay: Day, fees: Type.Array(Type.Object({ period: Type.String(), fee: Type.Integer() })) }),
  /** The week's 休館日 (blackouts): closed whatever the viewer's horizon, so never a lottery choice either. */
  closedDays: Type.Array(Day),
  units: Type.Array(Type.Object({ id: Uuid, name: Type.String(), slots: Type.Array(Type.Object({ day: Day, period: Type.String(), state: SlotState })) })),
});

/** `POST /api/v1/booking/holds`: the key is the TV's for one press of OK (a retry sends the same). */
export const HoldBody = Type.Object({
  unitId: Uuid, day: Day, period: PeriodCode, idempotencyKey: Type.String({ minLength: 8, maxLength: 80, pattern: '^[A-Za-z0-9_-]+$' }),
}, Strict);
export const SlotBody = Type.Object({ unitId: Uuid, day: Day, period: PeriodCode }, Strict);
export const BookingParams = Type.Object({ id: Uuid });

export const BookingView = Type.Object({
  id: Uuid, facilityId: Uuid, unitId: Uuid, day: Day, period: Type.String(),
  state: Type.Union([Type.Literal('held'), Type.Literal('confirmed'), Type.Literal('cancelled'), Type.Literal('expired'), Type.Literal('overridden')]),
  source: Type.String(),
  holdExpiresAt: Type.Union([Type.String(), Type.Null()]),
  permitNo: Type.Union([Type.String(), Type.Null()]),
  /** What this booker pays at the counter (the non-resident fee for a non-resident), yen; null when not known. */
  fee: Type.Union([Type.Integer(), Type.Null()]),
});
export const Notice = Type.Object({ id: Uuid, kind: Type.String(), text: Type.String(), bookingId: Type.Union([Uuid, Type.Null()]), createdAt: Type.String() });
export const MyBookings = Type.Object({ bookings: Type.Array(BookingView), notices: Type.Array(Notice) });
export const Waiting = Type.Object({ waiting: Type.Boolean() });

export const LotteryParams = Type.Object({ id: Uuid });
export const LotteryApplyBody = Type.Object({ choices: Type.Array(SlotBody, { minItems: 1, maxItems: 5 }) }, Strict);
export const Applied = Type.Object({ applied: Type.Boolean() });

export type WeekGridView = Static<typeof WeekGrid>;
export type FacilityListView = Static<typeof FacilityList>;
export type FacilitySummaryView = Static<typeof FacilitySummary>;
export type SlotRequestBody = Static<typeof SlotBody>;
export type LotteryApplyRequestBody = Static<typeof LotteryApplyBody>;
export type WaitingView = Static<typeof Waiting>;
export type AppliedView = Static<typeof Applied>;
export type BookingViewT = Static<typeof BookingView>;
export type BlackoutsView = Static<typeof Blackouts>;
export type WeeklyBlackoutsView = Static<typeof WeeklyBlackouts>;
export type WeeklyBlackoutRequestBody = Static<typeof WeeklyBlackoutBody>;
export type MyBookingsView = Static<typeof MyBookings>;
export type HoldRequestBody = Static<typeof HoldBody>;

// ---- console (municipality facility staff) ----
export const BoardQuery = Type.Object({ from: Type.Optional(Day) }, Strict);
export const Board = Type.Object({
  from: Day, to: Day,
  facilities: Type.Array(Type.Object({
    id: Uuid, name: Type.String(),
    units: Type.Array(Type.Object({ id: Uuid, name: Type.String(), sharesFloorWith: Type.Array(Uuid) })),
    bookings: Type.Array(Type.Object({
      id: Uuid, unitId: Uuid, day: Day, period: Type.String(), state: Type.String(), source: Type.String(),
      permitNo: Type.Union([Type.String(), Type.Null()]), note: Type.Union([Type.String(), Type.Null()]), holdExpiresAt: Type.Union([Type.String(), Type.Null()]),
    })),
  })),
});
/** `GET …/facilities/:id/day?day=`: one day of one facility, every unit × 区分 (the day board). */
export const DayBoardQuery = Type.Object({ day: Day }, Strict);
export const DayBoard = Type.Object({
  facilityId: Uuid, name: Type.String(), day: Day, closedReason: Type.Union([Type.String(), Type.Null()]), periods: Type.Array(Period),
  units: Type.Array(Type.Object({
    id: Uuid, name: Type.String(),
    slots: Type.Array(Type.Object({
      period: Type.String(),
      state: Type.Union([Type.Literal('free'), Type.Literal('held'), Type.Literal('confirmed'), Type.Literal('closed')]),
      booking: Type.Union([Type.Object({
        id: Uuid, state: Type.String(), source: Type.String(), permitNo: Type.Union([Type.String(), Type.Null()]), note: Type.Union([Type.String(), Type.Null()]),
        holdExpiresAt: Type.Union([Type.String(), Type.Null()]),
      }), Type.Null()]),
    })),
  })),
});
export type DayBoardView = Static<typeof DayBoard>;
export const BlackoutBody = Type.Object({ day: Day, reason: Type.String({ minLength: 1, maxLength: 200 }) }, Strict);
/** Every `weekday` (0 Sunday … 6 Saturday) from `from` to `until` (both included, at most a year apart) closed: 毎週月曜 休館. */
export const WeeklyBlackoutBody = Type.Object({
  weekday: Type.Integer({ minimum: 0, maximum: 6 }), from: Day, until: Day, reason: Type.String({ minLength: 1, maxLength: 200 }),
}, Strict);
/** What closing did: the days closed (weekly only) and the held or confirmed bookings they hold, left for staff to handle. */
export const Blackouts = Type.Object({ ok: Type.Literal(true), booked: Type.Integer() });
export const WeeklyBlackouts = Type.Object({ days: Type.Integer(), booked: Type.Integer() });
export const AdminBookingBody = Type.Object({
  unitId: Uuid, day: Day, period: PeriodCode, note: Type.String({ minLength: 1, maxLength: 200 }),
  idempotencyKey: Type.String({ minLength: 8, maxLength: 80, pattern: '^[A-Za-z0-9_-]+$' }),
}, Strict);
export const AdminBooked = Type.Object({ booking: BookingView, overridden: Type.Integer() });
export const Done = Type.Object({ ok: Type.Boolean() });
export type BoardView = Static<typeof Board>;

/** `GET /api/v1/console/booking/facilities`: the municipality's facilities with policy, closed days and lottery rounds. */
export const LotteryRoundView = Type.Object({
  id: Uuid, month: Type.String(), applyUntil: Type.String(), seed: Type.String(), entrantsHash: Type.Union([Type.String(), Type.Null()]),
  drawnAt: Type.Union([Type.String(), Type.Null()]), confirmBy: Type.Union([Type.String(), Type.Null()]), applications: Type.Integer(),
});
export const LotteryWindowView = Type.Object({ applyFrom: Type.Integer(), applyUntil: Type.Integer(), monthsAhead: Type.Integer(), confirmDays: Type.Integer() });
export const ConsoleFacilities = Type.Object({
  facilities: Type.Array(Type.Object({
    id: Uuid, name: Type.String(), kind: Type.String(), units: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
    policy: Type.Object({
      periods: Type.Array(Period), fees: Type.Array(Fee), lottery: Type.Union([LotteryWindowView, Type.Null()]),
      residentHorizonDays: Type.Integer(), nonResidentHorizonDays: Type.Integer(), cancelDeadlineDays: Type.Integer(), monthlyQuota: Type.Integer(), holdMinutes: Type.Integer(),
    }),
    blackouts: Type.Array(Type.Object({ day: Day, reason: Type.String() })),
    /** Closed days after the ones listed in `blackouts`. */
    moreBlackouts: Type.Integer(),
    rounds: Type.Array(LotteryRoundView),
  })),
});
/** `PUT …/facilities/:id/policy`: the numbers staff may change. */
export const PolicyBody = Type.Object({
  residentHorizonDays: Type.Integer({ minimum: 1, maximum: 400 }),
  nonResidentHorizonDays: Type.Integer({ minimum: 0, maximum: 400 }),
  cancelDeadlineDays: Type.Integer({ minimum: 0, maximum: 60 }),
  monthlyQuota: Type.Integer({ minimum: 1, maximum: 100 }),
  holdMinutes: Type.Integer({ minimum: 5, maximum: 24 * 60 }),
}, Strict);
/** `POST …/facilities/:id/lottery-rounds`: open a round for a month (its seed is published at once). */
export const OpenRoundBody = Type.Object({ month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }), applyUntil: Type.String({ format: 'date-time' }) }, Strict);
export const RoundParams = Type.Object({ id: Uuid });
export const DrawResult = Type.Object({ entrantsHash: Type.String(), won: Type.Integer() });
export const ReplayResult = Type.Object({ entrantsHash: Type.String(), listUnchanged: Type.Boolean(), matchesHolds: Type.Boolean(), won: Type.Integer() });
export type ConsoleFacilitiesView = Static<typeof ConsoleFacilities>;
export type LotteryRoundT = Static<typeof LotteryRoundView>;
export type PolicyRequestBody = Static<typeof PolicyBody>;
export type DrawResultView = Static<typeof DrawResult>;
export type ReplayResultView = Static<typeof ReplayResult>;
