import { describe, expect, it } from 'vitest';
import type { BookingView, FacilityListView, WeekGridView } from '../../../../stb-ui/src/api/platform-client.js';
import { PlatformError } from '../../../../stb-ui/src/api/platform-client.js';
import { BookingStore, lotteryCellState, type BookingStoreDeps } from '../../../../stb-ui/src/tv/booking/booking-store.js';

// The TV's booking logic without a screen: what waits for a login is done after it under the same
// idempotency key; a second OK while the first is under way sends nothing; a slot taken meanwhile
// has its own view; the lottery choices rank in the order picked.

const FACILITY: FacilityListView['facilities'][number] = {
  id: '00000000-0000-4000-8000-0000000000f1', name: '城端公民館 会議室', kind: 'meeting_room',
  units: [{ id: '00000000-0000-4000-8000-0000000000a1', name: '会議室A' }],
  periods: [{ code: 'am', label: '午前', start: '09:00', end: '12:00' }], cancelDeadlineDays: 1,
  lottery: { id: '00000000-0000-4000-8000-0000000000c1', month: '2027-03', applyUntil: '2027-01-10T00:00:00.000Z' },
};
const WEEK: WeekGridView = {
  facilityId: FACILITY.id, name: FACILITY.name, from: '2027-01-04', days: ['2027-01-04'], periods: FACILITY.periods, fees: [], residentLastDay: '2027-03-01',
  viewer: { resident: true, lastDay: '2027-03-01', fees: [] }, closedDays: [],
  units: [{ id: FACILITY.units[0]!.id, name: '会議室A', slots: [{ day: '2027-01-04', period: 'am', state: 'free' }] }],
};
const SLOT = { unitId: FACILITY.units[0]!.id, day: '2027-01-04', period: 'am' };
const HELD: BookingView = { id: '00000000-0000-4000-8000-0000000000b1', facilityId: FACILITY.id, unitId: SLOT.unitId, day: SLOT.day, period: 'am', state: 'held', source: 'resident', holdExpiresAt: '2027-01-04T00:30:00.000Z', permitNo: null, fee: null };

/** A platform that records every hold request; `gate` holds the answer back until released. */
function fakePlatform(loggedIn: boolean) {
  const holds: string[] = [];
  let release: () => void = () => {};
  const gate = { hold: false };
  const platform: BookingStoreDeps['platform'] & { hasSession: boolean } = {
    hasSession: loggedIn,
    household: async () => ({ household: { id: 'h', label: '山田さん宅', districtCode: null }, members: [{ personId: 'p1', name: '山田　太郎' }], districts: [], consent: { version: '1', text: '' } }),
    bookingFacilities: async () => ({ facilities: [FACILITY] }),
    bookingWeek: async () => WEEK,
    holdBookingSlot: async (body) => {
      holds.push(body.idempotencyKey);
      if (gate.hold) await new Promise<void>((r) => { release = r; });
      return HELD;
    },
    confirmBooking: async () => ({ ...HELD, state: 'confirmed', permitNo: '1234-567-890', holdExpiresAt: null }),
    cancelBooking: async () => ({ ...HELD, state: 'cancelled' }),
    myBookings: async () => ({ bookings: [], notices: [] }),
    joinWaitlist: async () => ({ waiting: true }),
    applyToLottery: async () => ({ applied: true }),
  };
  return { platform, holds, gate, release: () => release() };
}

/** A store showing FACILITY's week grid. */
async function onGrid(fake: ReturnType<typeof fakePlatform>): Promise<BookingStore> {
  const store = new BookingStore({ platform: fake.platform, newKey });
  await store.open();
  await store.pickFacility(FACILITY);
  return store;
}

let keys = 0;
const newKey = () => `key-${++keys}-press`;

describe('the TV booking store', () => {
  it('asks who books when nobody is logged in, then holds after the login under the key of that OK', async () => {
    const fake = fakePlatform(false);
    const store = new BookingStore({ platform: fake.platform, newKey });
    await store.open();
    await store.pickFacility(FACILITY);
    await store.hold(SLOT);
    expect(store.view.name).toBe('who');
    expect(fake.holds).toEqual([]);
    fake.platform.hasSession = true;
    await store.resume();
    expect(store.view).toMatchObject({ name: 'held', booking: { id: HELD.id } });
    expect(fake.holds).toHaveLength(1);
    await store.hold(SLOT); // OK again on the same slot: the same key (the platform answers with the same hold)
    expect(new Set(fake.holds).size).toBe(1);
  });

  it('sends nothing for a second OK while the first hold is under way', async () => {
    const fake = fakePlatform(true);
    const store = await onGrid(fake);
    fake.gate.hold = true;
    const first = store.hold(SLOT);
    await store.hold(SLOT);
    fake.release();
    await first;
    expect(fake.holds).toHaveLength(1);
    expect(store.view.name).toBe('held');
  });

  it('shows the hold under way at once; a hold answered after Back stays off the grid and is kept as late, a failure then is dropped', async () => {
    const fake = fakePlatform(true);
    const store = await onGrid(fake);
    fake.gate.hold = true;
    const first = store.hold(SLOT);
    expect(store.view).toEqual({ name: 'working', doing: 'hold', slot: SLOT });
    await store.backToWeek();
    fake.release();
    await first;
    expect(store.view.name).toBe('week');
    expect(store.late).toEqual(HELD);
    await store.showMine();
    expect(store.late).toBeNull();

    let fail: () => void = () => {};
    fake.platform.holdBookingSlot = async () => {
      await new Promise<void>((r) => { fail = r; });
      throw new PlatformError({ code: 'CLIENT_TIMEOUT', message: 'no answer', ja: '' });
    };
    const second = store.hold(SLOT);
    await store.backToWeek();
    fail();
    await second;
    expect(store.view.name).toBe('week');
    expect(store.late).toBeNull();
  });

  it('shows a slot taken meanwhile on its own view with the catalogue text, and a fresh key next time', async () => {
    const fake = fakePlatform(true);
    fake.platform.holdBookingSlot = async (body) => {
      fake.holds.push(body.idempotencyKey);
      throw new PlatformError({ code: 'BOOKING_SLOT_TAKEN', message: 'taken', ja: 'この枠は、ほかの方が先に予約しました。別の枠をお選びください。' }, { status: 409 });
    };
    const store = new BookingStore({ platform: fake.platform, newKey });
    await store.open();
    await store.pickFacility(FACILITY);
    await store.hold(SLOT);
    expect(store.view).toMatchObject({ name: 'taken', slot: SLOT, message: expect.stringContaining('ほかの方が先に予約しました') });
    await store.hold(SLOT);
    expect(fake.holds[0]).not.toBe(fake.holds[1]);
  });

  it('answers a wait for a slot that has just become free (BOOKING_SLOT_FREE) with its own view, from which OK holds that slot', async () => {
    const fake = fakePlatform(true);
    fake.platform.joinWaitlist = async () => {
      throw new PlatformError({ code: 'BOOKING_SLOT_FREE', message: 'free', ja: 'この枠は空いています。待たずに、このまま予約できます。' }, { status: 409 });
    };
    const store = new BookingStore({ platform: fake.platform, newKey });
    await store.open();
    await store.pickFacility(FACILITY);
    await store.wait(SLOT);
    expect(store.view).toEqual({ name: 'free', slot: SLOT });
    await store.hold(SLOT);
    expect(fake.holds).toHaveLength(1);
    expect(store.view).toEqual({ name: 'held', booking: HELD });
  });

  it('ranks lottery choices in the order picked; picking one again takes it out', async () => {
    const fake = fakePlatform(true);
    const store = new BookingStore({ platform: fake.platform, newKey });
    await store.open();
    await store.pickFacility(FACILITY);
    await store.startLottery();
    const first = { ...SLOT, day: '2027-03-01' };
    const second = { ...SLOT, day: '2027-03-02' };
    const third = { ...SLOT, day: '2027-03-03' };
    store.toggleChoice(first);
    store.toggleChoice(second);
    store.toggleChoice(third);
    store.toggleChoice(second);
    // A day outside the round's month (a week before it, paged to) is not a choice.
    store.toggleChoice({ ...SLOT, day: '2027-02-28' });
    expect(store.choices).toEqual([first, third]);
    await store.applyLottery();
    expect(store.view).toEqual({ name: 'applied', count: 2 });
  });

  it('never takes a 休館日 as a lottery choice: the cell shows it closed and OK on it adds nothing', async () => {
    const fake = fakePlatform(true);
    const march: WeekGridView = { ...WEEK, from: '2027-03-01', days: ['2027-03-01', '2027-03-02'], closedDays: ['2027-03-02'],
      // Past the viewer's horizon every slot is closed; the lottery month is chosen regardless, but not its 休館日.
      units: [{ ...WEEK.units[0]!, slots: [{ day: '2027-03-01', period: 'am', state: 'closed' }, { day: '2027-03-02', period: 'am', state: 'closed' }] }] };
    fake.platform.bookingWeek = async () => march;
    const store = new BookingStore({ platform: fake.platform, newKey });
    await store.open();
    await store.pickFacility(FACILITY);
    await store.startLottery();
    const open = { ...SLOT, day: '2027-03-01' };
    const closed = { ...SLOT, day: '2027-03-02' };
    expect(lotteryCellState(march, closed, [])).toEqual({ state: 'closed', rank: 0 });
    expect(lotteryCellState(march, open, [])).toEqual({ state: 'free', rank: 0 });
    store.toggleChoice(closed);
    store.toggleChoice(open);
    expect(store.choices).toEqual([open]);
    expect(lotteryCellState(march, open, store.choices)).toEqual({ state: 'chosen', rank: 1 });
  });
});
