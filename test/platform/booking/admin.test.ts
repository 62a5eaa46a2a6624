import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { addBlackout, adminBook, boardOf } from '../../../platform/src/booking/admin.js';
import { confirmBooking, holdSlot } from '../../../platform/src/booking/bookings.js';
import { bookingNotices, bookings } from '../../../platform/src/booking/schema.js';
import { auditLog } from '../../../platform/src/db/schema/index.js';
import { AppError } from '../../../platform/src/shared/errors.js';
import { bookableFacility, NOW, somePeople } from '../../helpers/booking.js';
import { freshDatabase } from '../../helpers/database.js';

const database = await freshDatabase();
const { db } = database;
afterAll(() => database.close());
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));

describe('facility staff', () => {
  it("override a resident's confirmed booking with an administrative one: the resident is told, it is audited, the board shows it", async () => {
    const { organisation, facility, units } = await bookableFacility(db);
    const staff = { staffId: '00000000-0000-4000-8000-0000000000aa', organisationId: organisation.id };
    const [resident] = await somePeople(db, 1);
    const held = await holdSlot(db, { personId: resident!, unitId: units[0].id, day: '2027-01-20', period: 'pm', idempotencyKey: 'r', resident: true }, NOW);
    await confirmBooking(db, resident!, held.id, NOW);
    const req = { facilityId: facility.id, unitId: units[0].id, day: '2027-01-20', period: 'pm', note: '市民運動会', idempotencyKey: 'admin-0001' };
    const result = await adminBook(db, staff, req, NOW);
    expect(result.overridden).toBe(1);
    expect(result.booking.state).toBe('confirmed');
    expect((await adminBook(db, staff, req, NOW)).booking.id).toBe(result.booking.id); // pressed twice
    const [old] = await db.select().from(bookings).where(eq(bookings.id, held.id));
    expect(old!.state).toBe('overridden');
    // The receipt of the confirmation, then the notice that it was overridden.
    const notices = await db.select().from(bookingNotices).where(eq(bookingNotices.personId, resident!));
    expect(notices.map((n) => n.kind).sort()).toEqual(['confirmed', 'overridden']);
    const overridden = notices.find((n) => n.kind === 'overridden')!.text;
    expect(overridden).toContain(`${facility.name} 第1室 1月20日（水） 午後（13:00–17:00）`); // as the receipt writes it, with the unit
    expect(overridden).not.toContain('2027-01-20');
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.subject, result.booking.id));
    expect(entry!.actor).toBe(`staff:${staff.staffId}`);
    expect(entry!.action).toBe('booking.admin');
    const board = await boardOf(db, staff, '2027-01-18', 7);
    expect(board.facilities[0]!.bookings.map((b) => [b.source, b.note])).toEqual([['admin', '市民運動会']]);
  });

  it("cannot touch another municipality's facility", async () => {
    const { facility, units } = await bookableFacility(db);
    const { organisation: otherTown } = await bookableFacility(db);
    const stranger = { staffId: '00000000-0000-4000-8000-0000000000bb', organisationId: otherTown.id };
    expect(await codeOf(adminBook(db, stranger, { facilityId: facility.id, unitId: units[0].id, day: '2027-01-20', period: 'am', note: 'x', idempotencyKey: 'admin-0002' }, NOW))).toBe('STAFF_OUT_OF_SCOPE');
    expect(await codeOf(addBlackout(db, stranger, facility.id, '2027-01-21', '点検'))).toBe('STAFF_OUT_OF_SCOPE');
    expect((await boardOf(db, stranger, '2027-01-18', 7)).facilities.map((f) => f.id)).not.toContain(facility.id);
  });

  it('close a day: residents can no longer hold it', async () => {
    const { organisation, facility, units } = await bookableFacility(db);
    await addBlackout(db, { staffId: '00000000-0000-4000-8000-0000000000cc', organisationId: organisation.id }, facility.id, '2027-01-22', '館内点検');
    const [resident] = await somePeople(db, 1);
    expect(await codeOf(holdSlot(db, { personId: resident!, unitId: units[0].id, day: '2027-01-22', period: 'am', idempotencyKey: 'b', resident: true }, NOW))).toBe('BOOKING_SLOT_CLOSED');
  });
});
