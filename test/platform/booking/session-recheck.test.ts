import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings } from '../../../platform/src/booking/schema.js';
import { persons, sessions } from '../../../platform/src/db/schema/index.js';
import { buildTestApp } from '../../helpers/app.js';
import { bookableFacilityIn, tvWithSession } from '../../helpers/booking.js';
import { orgId } from '../../helpers/staff.js';

// The hold route remembers a session it has looked up and has the hold's own statement check that
// it is still live (booking_hold_in_session, migration 0023): one round trip per hold. Whatever
// ends a session — logout on this TV, a revocation elsewhere, its expiry — the very next hold is
// refused, and nothing is booked; a person whose address changed is judged on the new one.

const { app, database } = await buildTestApp({}, { demo: true });
const { db } = database;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
const NANTO = '富山県南砺市城端５番地';
const ELSEWHERE = '東京都渋谷区神南１－１';

async function setup() {
  // A 南砺市 facility: residents 60 days ahead at 1,000円, others 30 days at 2,000円 (helpers/booking.ts).
  const { units } = await bookableFacilityIn(db, await orgId(db, '162108'));
  const tv = await tvWithSession(db, 'CATV-0001', ELSEWHERE);
  const hold = (key: string, day = inDays(10), unitId = units[0].id) =>
    app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: tv.session, payload: { unitId, day, period: 'pm', idempotencyKey: key } });
  // The first hold looks the session up; from then on it is remembered.
  const first = await hold('remembered-1', inDays(5));
  expect(first.statusCode).toBe(201);
  const heldBy = async (key: string) => (await db.select({ id: bookings.id }).from(bookings)
    .where(and(eq(bookings.personId, tv.personId), eq(bookings.idempotencyKey, key)))).length;
  return { tv, units, hold, heldBy };
}

describe('a remembered session on the hold path', () => {
  it('is refused at once after logout on the TV, and nothing is held', async () => {
    const { tv, hold, heldBy } = await setup();
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', headers: tv.session });
    expect(out.statusCode).toBe(204);
    const after = await hold('after-logout');
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('AUTH_SESSION_EXPIRED');
    expect(await heldBy('after-logout')).toBe(0);
  });

  it('is refused at once when the session is ended elsewhere (a revocation writes ended_at)', async () => {
    const { tv, hold, heldBy } = await setup();
    await db.update(sessions).set({ endedAt: new Date() }).where(eq(sessions.personId, tv.personId));
    const after = await hold('after-revoke');
    expect(after.json().error?.code).toBe('AUTH_SESSION_EXPIRED');
    expect(await heldBy('after-revoke')).toBe(0);
  });

  it('is refused once the session has expired, though it was remembered as live', async () => {
    const { tv, hold, heldBy } = await setup();
    await db.update(sessions).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(sessions.personId, tv.personId));
    const after = await hold('after-expiry');
    expect(after.json().error?.code).toBe('AUTH_SESSION_EXPIRED');
    expect(await heldBy('after-expiry')).toBe(0);
  });

  it("judges residency on the person's address as it is now, not as remembered", async () => {
    const { tv, hold } = await setup();
    const before = await hold('as-visitor', inDays(20));
    expect(before.json().fee).toBe(2000);
    await db.update(persons).set({ address: NANTO }).where(eq(persons.id, tv.personId));
    // 45 days ahead: beyond a visitor's horizon, within a resident's; the resident fee.
    const after = await hold('as-resident', inDays(45));
    expect(after.statusCode).toBe(201);
    expect(after.json().fee).toBe(1000);
    // Moved away again: the remembered (resident) address no longer matches the row.
    await db.update(persons).set({ address: ELSEWHERE }).where(eq(persons.id, tv.personId));
    const away = await hold('moved-away', inDays(21));
    expect(away.statusCode).toBe(201);
    expect(away.json().fee).toBe(2000);
    expect((await hold('moved-far', inDays(46))).json().error?.code).toBe('BOOKING_OUT_OF_HORIZON');
  });

  it("is not another TV's: the token with another device's credential is refused", async () => {
    const { tv, units } = await setup();
    const other = await tvWithSession(db, 'CATV-0002');
    const res = await app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: { authorization: tv.session.authorization, 'x-device': other.session['x-device'] },
      payload: { unitId: units[0].id, day: inDays(11), period: 'pm', idempotencyKey: 'other-tv-1' } });
    expect(res.json().error?.code).toBe('AUTH_REQUIRED');
  });
});
