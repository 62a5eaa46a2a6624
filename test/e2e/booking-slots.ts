import type { FacilityListView, WeekGridView } from '../../platform/src/booking/booking-schemas.js';
import { DEMO_HOUSEHOLDS } from '../../platform/src/demo/world.js';
import { expect, type Page } from '@playwright/test';
import { focusedKeys, press } from './remote.js';
import { api, moveTo } from './tv-session.js';

// What the booking browser tests need besides the remote: a free slot of a demo facility, found
// through the same no-login API the TV browses with (山田さん宅's TV credential).

const TV = DEMO_HOUSEHOLDS[0].tv;
const device = { authorization: `Device ${TV.id}:${TV.secret}` };

export interface FreeSlot {
  facilityId: string;
  unitId: string;
  day: string;
  period: string;
}

/**
 * A free slot of the facility's first unit in this week, at least two days ahead (so it can still
 * be cancelled), and none that `used` holds (each test books its own; the slot is added to it).
 */
export async function freeSlot(facilityName: string, used: Set<string>): Promise<FreeSlot> {
  const list = (await api<FacilityListView>('GET', '/api/v1/booking/facilities', device)).body;
  const facility = list.facilities.find((f) => f.name === facilityName)!;
  const week = (await api<WeekGridView>('GET', `/api/v1/booking/facilities/${facility.id}/week`, device)).body;
  const unit = week.units[0]!;
  const slot = unit.slots.find((s) => s.state === 'free' && s.day >= week.days[2]! && !used.has(`${unit.id}/${s.day}/${s.period}`))!;
  used.add(`${unit.id}/${slot.day}/${slot.period}`);
  return { facilityId: facility.id, unitId: unit.id, day: slot.day, period: slot.period };
}

/** A demo facility's id, by name. */
export async function facilityId(name: string): Promise<string> {
  const list = (await api<FacilityListView>('GET', '/api/v1/booking/facilities', device)).body;
  return list.facilities.find((f) => f.name === name)!.id;
}

/** A demo facility's open lottery round (its id and month of use), by the facility's name. */
export async function openRound(name: string): Promise<{ id: string; month: string }> {
  const list = (await api<FacilityListView>('GET', '/api/v1/booking/facilities', device)).body;
  return list.facilities.find((f) => f.name === name)!.lottery!;
}

/** From the booking screen's facility list: the facility, then focus on the slot's cell. */
export async function toSlot(page: Page, slot: Pick<FreeSlot, 'facilityId' | 'day' | 'period'>) {
  await expect.poll(async () => (await focusedKeys(page))[0] ?? '', { timeout: 15_000 }).toMatch(/^booking\/facility\//);
  await moveTo(page, `booking/facility/${slot.facilityId}`);
  await press(page, 'Enter');
  await expect(page.locator('stb-tv-booking-screen [data-screen="booking"]')).toHaveAttribute('data-view', 'week', { timeout: 15_000 });
  await expect.poll(async () => (await focusedKeys(page))[0] ?? '').toMatch(/^booking\/slot\//);
  await moveTo(page, `booking/slot/${slot.day}/${slot.period}`);
}

/** From a booking view that Back takes to the week grid: back to the facility list, home, then お知らせ (7). */
export async function bookingToInbox(page: Page) {
  const view = page.locator('stb-tv-booking-screen [data-screen="booking"]');
  await press(page, 'Backspace');
  await expect(view).toHaveAttribute('data-view', 'week', { timeout: 15_000 });
  await press(page, 'Backspace');
  await expect(view).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });
  await press(page, 'Backspace');
  await press(page, '7');
  const inbox = page.locator('stb-tv-pension-screen');
  await expect(inbox.locator('[data-pension-mode="inbox"]')).toBeVisible({ timeout: 15_000 });
  return inbox;
}
