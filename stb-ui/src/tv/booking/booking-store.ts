import type {
  BookingView, FacilitySummaryView, HouseholdMember, MyBookingsView, PlatformClient, SlotRequestBody, WeekGridView,
} from '../../api/platform-client.js';
import { failureText } from '../messages.js';
import { addDays } from './calendar.js';

/** A 区分 of one unit on one day: what the resident pointed at. */
export type Slot = SlotRequestBody;

/** What needs a person and is waiting for their login: done as soon as they are logged in. */
export type Intent =
  | { kind: 'hold'; slot: Slot; key: string }
  | { kind: 'wait'; slot: Slot }
  | { kind: 'mine' }
  | { kind: 'lottery'; roundId: string; choices: Slot[] };

/** A step the resident asked for, named on the 'working' screen while it is under way. */
export type Doing = 'hold' | 'confirm' | 'cancel' | 'wait' | 'lottery';

/** The screen the booking part of the TV shows. */
export type BookingScreenView =
  | { name: 'loading' }
  | { name: 'facilities' }
  | { name: 'week' }
  | { name: 'lottery'; roundId: string; month: string }
  | { name: 'who'; members: HouseholdMember[] }
  /** A step under way; `doing` says which, in the resident's words (none: something is loading). */
  | { name: 'working'; doing?: Doing; slot?: Slot }
  | { name: 'held'; booking: BookingView }
  | { name: 'confirmed'; booking: BookingView }
  | { name: 'taken'; slot: Slot; message: string }
  /** Waiting for it was refused because it has just become free: offer to book it now. */
  | { name: 'free'; slot: Slot }
  | { name: 'waiting'; slot: Slot }
  | { name: 'applied'; count: number }
  | { name: 'mine'; mine: MyBookingsView }
  | { name: 'failed'; message: string; retry: (() => void) | null };

export interface BookingStoreDeps {
  platform: Pick<PlatformClient, 'hasSession' | 'household' | 'bookingFacilities' | 'bookingWeek' | 'holdBookingSlot' | 'confirmBooking'
    | 'cancelBooking' | 'myBookings' | 'joinWaitlist' | 'applyToLottery'>;
  /** A fresh idempotency key for one press of OK on a slot. */
  newKey?: () => string;
}

/** Lottery applications take up to this many ranked choices (platform/src/booking/lottery.ts). */
export const MAX_CHOICES = 5;

/**
 * What a cell shows while choosing for a lottery: its rank among the choices; else closed on a
 * 休館日 (the platform refuses such a choice: a win would be a hold on a closed day); else free,
 * even past the viewer's booking horizon (the round's month usually is: that is why it has a lottery).
 */
export function lotteryCellState(week: WeekGridView, slot: Slot, choices: Slot[]): { state: 'free' | 'closed' | 'chosen'; rank: number } {
  const rank = choices.findIndex((c) => c.unitId === slot.unitId && c.day === slot.day && c.period === slot.period) + 1;
  if (rank) return { state: 'chosen', rank };
  return { state: week.closedDays.includes(slot.day) ? 'closed' : 'free', rank: 0 };
}

/**
 * The booking part of the TV, without any DOM: the facility list, the week grid being looked at,
 * the hold and its confirmation, my bookings, the waitlist and lottery choices. It lives in the app
 * (not in the screen), so going through the card login and coming back loses nothing: the slot
 * picked before the login is held right after it, under the same idempotency key.
 */
export class BookingStore {
  view: BookingScreenView = { name: 'loading' };
  facilities: FacilitySummaryView[] = [];
  facility: FacilitySummaryView | null = null;
  unitId: string | null = null;
  week: WeekGridView | null = null;
  /** The first day browsing may show (today, from the first week the platform sent). */
  firstDay: string | null = null;
  /** Ranked lottery choices being put together. */
  choices: Slot[] = [];
  /** Waiting for a login. */
  pending: Intent | null = null;
  /**
   * A hold or confirmation that succeeded after the resident had moved on from its 'working'
   * screen: said as a line on the screen they are on (where to find it), not shown instead of it.
   */
  late: BookingView | null = null;
  private readonly _listeners = new Set<() => void>();
  private _busy = false;
  /** Counts the resident's moves back (Back, another facility list): a step's answer is shown only on the visit that asked. */
  private _visit = 0;

  /**
   * Work not finished: a slot held and not yet confirmed (仮予約), a request on its way, or lottery
   * choices put together and not sent. The idle logout waits meanwhile.
   */
  get taskUnderWay(): boolean {
    return ['held', 'working', 'who'].includes(this.view.name) || (this.view.name === 'lottery' && this.choices.length > 0);
  }
  /** The key of the last hold asked for, per slot: a second OK (or a retry) sends the same. */
  private readonly _keys = new Map<string, string>();

  constructor(private readonly _deps: BookingStoreDeps) {}

  subscribe(listener: () => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  private _changed(): void {
    for (const l of this._listeners) l();
  }

  private _show(view: BookingScreenView): void {
    if (view.name === 'held' || view.name === 'confirmed' || view.name === 'mine') this.late = null;
    this.view = view;
    this._changed();
  }

  /**
   * The resident went back while a step was under way: its answer must not take over the screen
   * they went to, and it no longer keeps them from doing something else (a hold sent again goes
   * under the same idempotency key, so it is still made once).
   */
  private _leave(): void {
    this._visit++;
    this._busy = false;
  }

  /** Opens the facility list (again), keeping a pending intent and the place in the grid. */
  async open(): Promise<void> {
    this._leave();
    if (this.facilities.length) return this._show({ name: 'facilities' });
    this._show({ name: 'loading' });
    await this._run(async () => {
      this.facilities = (await this._deps.platform.bookingFacilities()).facilities;
      return { name: 'facilities' };
    }, () => void this.open());
  }

  async pickFacility(facility: FacilitySummaryView): Promise<void> {
    if (this.facility?.id !== facility.id) {
      this.facility = facility;
      this.unitId = facility.units[0]?.id ?? null;
      this.week = null;
      this.choices = [];
    }
    await this._loadWeek(this.week?.from ?? null);
  }

  pickUnit(unitId: string): void {
    this.unitId = unitId;
    this._changed();
  }

  /** Another week: `step` weeks on (negative: back), never before the first day. */
  async page(step: number): Promise<void> {
    if (!this.week) return;
    const from = addDays(this.week.from, 7 * step);
    if (this.firstDay && from < this.firstDay && step < 0) {
      if (this.week.from <= this.firstDay) return;
      return this._loadWeek(this.firstDay);
    }
    await this._loadWeek(from);
  }

  private async _loadWeek(from: string | null): Promise<void> {
    const facility = this.facility;
    if (!facility) return;
    const lottery = this.view.name === 'lottery' ? this.view : null;
    await this._run(async () => {
      this.week = await this._deps.platform.bookingWeek(facility.id, from ?? undefined);
      this.firstDay ??= this.week.from;
      return lottery ?? { name: 'week' };
    }, () => void this._loadWeek(from));
  }

  /** OK on a free slot: hold it (after a login when nobody is). A second OK meanwhile does nothing. */
  async hold(slot: Slot): Promise<void> {
    if (this._busy) return;
    const id = `${slot.unitId}|${slot.day}|${slot.period}`;
    let key = this._keys.get(id);
    if (!key) {
      key = (this._deps.newKey ?? newKey)();
      this._keys.set(id, key);
    }
    await this._asPerson({ kind: 'hold', slot, key });
  }

  /** OK on a taken slot, then 空いたら知らせる: join its waitlist. */
  async wait(slot: Slot): Promise<void> {
    await this._asPerson({ kind: 'wait', slot });
  }

  async showMine(): Promise<void> {
    await this._asPerson({ kind: 'mine' });
  }

  /** Starts putting together a lottery application for the facility's open round. */
  async startLottery(): Promise<void> {
    const round = this.facility?.lottery;
    if (!round) return;
    this.choices = [];
    this.view = { name: 'lottery', roundId: round.id, month: round.month };
    await this._loadWeek(`${round.month}-01`);
  }

  /**
   * OK on a slot while choosing for the lottery: add it as the next choice, or take it out again.
   * Only the round's month counts (a week paged to, or still showing while it loads, may show others),
   * and never a 休館日 of the week shown.
   */
  toggleChoice(slot: Slot): void {
    if (this.view.name !== 'lottery' || !slot.day.startsWith(`${this.view.month}-`)) return;
    if (!this.week || lotteryCellState(this.week, slot, this.choices).state === 'closed') return;
    const at = this.choices.findIndex((c) => c.unitId === slot.unitId && c.day === slot.day && c.period === slot.period);
    if (at >= 0) this.choices = this.choices.filter((_, i) => i !== at);
    else if (this.choices.length < MAX_CHOICES) this.choices = [...this.choices, slot];
    this._changed();
  }

  async applyLottery(): Promise<void> {
    const round = this.facility?.lottery;
    if (!round || !this.choices.length) return;
    await this._asPerson({ kind: 'lottery', roundId: round.id, choices: [...this.choices] });
  }

  async confirm(booking: BookingView): Promise<void> {
    await this._run(async () => ({ name: 'confirmed', booking: await this._deps.platform.confirmBooking(booking.id) }),
      () => void this.confirm(booking), { doing: 'confirm' });
  }

  /** Releases a hold or cancels a booking, then shows my bookings. */
  async cancel(booking: BookingView): Promise<void> {
    await this._run(async () => {
      await this._deps.platform.cancelBooking(booking.id);
      return { name: 'mine', mine: await this._deps.platform.myBookings() };
    }, () => void this.cancel(booking), { doing: 'cancel' });
  }

  /** Back to the week grid (fresh: what others booked meanwhile shows). */
  async backToWeek(): Promise<void> {
    this._leave();
    this.view = { name: 'week' };
    await this._loadWeek(this.week?.from ?? null);
  }

  /** The household member who books was picked: the app logs them in, then calls `resume`. */
  forgetPending(): void {
    this._leave();
    this.pending = null;
    if (this.view.name === 'who') this._show(this.week ? { name: 'week' } : { name: 'facilities' });
  }

  /** Logged in now: do what was waiting for it. */
  async resume(): Promise<void> {
    const intent = this.pending;
    this.pending = null;
    if (intent && this._deps.platform.hasSession) await this._do(intent);
    else this._changed();
  }

  /** After a logout: nothing of the person's stays on screen. */
  loggedOut(): void {
    this._leave();
    this.pending = null;
    this.late = null;
    if (['held', 'confirmed', 'mine', 'waiting', 'free', 'applied', 'who'].includes(this.view.name)) this.view = this.week ? { name: 'week' } : { name: 'facilities' };
    this._changed();
  }

  private async _asPerson(intent: Intent): Promise<void> {
    if (this._deps.platform.hasSession) return this._do(intent);
    this.pending = intent;
    await this._run(async () => ({ name: 'who', members: (await this._deps.platform.household()).members }),
      () => void this._asPerson(intent));
  }

  private async _do(intent: Intent): Promise<void> {
    const p = this._deps.platform;
    const slot = intent.kind === 'hold' || intent.kind === 'wait' ? intent.slot : undefined;
    const doing = intent.kind === 'mine' ? undefined : intent.kind;
    await this._run(async (): Promise<BookingScreenView> => {
      switch (intent.kind) {
        case 'hold':
          return { name: 'held', booking: await p.holdBookingSlot({ ...intent.slot, idempotencyKey: intent.key }) };
        case 'wait':
          await p.joinWaitlist(intent.slot);
          return { name: 'waiting', slot: intent.slot };
        case 'mine':
          return { name: 'mine', mine: await p.myBookings() };
        case 'lottery':
          await p.applyToLottery(intent.roundId, { choices: intent.choices });
          this.choices = [];
          return { name: 'applied', count: intent.choices.length };
      }
    }, () => void this._do(intent), { slot, doing });
  }

  /**
   * Runs one platform step and shows the view it answers with: a second press meanwhile is
   * ignored; a failure shows its plain text with もう一度 (the same request again). A slot someone
   * else took has its own screen, and so has a slot that became free while its waitlist was being
   * joined (the platform then refuses the wait: nothing would ever free it again), which offers to
   * book it instead. A step the resident asked for (`doing`: a hold, a confirmation…) shows the
   * 'working' screen at once, saying what is under way; a load from the grid keeps the grid on
   * screen meanwhile (another week). An answer after the resident went back is not shown: a failure
   * is dropped (they left what it was for) and a hold or confirmation becomes `late`.
   */
  private async _run(work: () => Promise<BookingScreenView>, retry: () => void, o: { slot?: Slot; doing?: Doing } = {}): Promise<void> {
    if (this._busy) return;
    this._busy = true;
    const visit = this._visit;
    if (o.doing || (this.view.name !== 'lottery' && this.view.name !== 'week')) this._show({ name: 'working', doing: o.doing, slot: o.slot });
    const slot = o.slot;
    try {
      const next = await work();
      if (visit === this._visit) this._show(next);
      else if ((next.name === 'held' || next.name === 'confirmed') && this._deps.platform.hasSession) {
        this.late = next.booking;
        this._changed();
      }
    } catch (err) {
      if (visit !== this._visit) return;
      const code = (err as { code?: string }).code;
      if (code === 'BOOKING_SLOT_TAKEN' && slot) {
        this._keys.delete(`${slot.unitId}|${slot.day}|${slot.period}`);
        this._show({ name: 'taken', slot, message: failureText(err) });
      } else if (code === 'BOOKING_SLOT_FREE' && slot) {
        this._show({ name: 'free', slot });
      } else {
        this._show({ name: 'failed', message: failureText(err), retry: code === 'CLIENT_TIMEOUT' || (err as { network?: boolean }).network ? retry : null });
      }
    } finally {
      if (visit === this._visit) this._busy = false;
    }
  }
}

/** An idempotency key: random, URL-safe, long enough never to repeat. */
function newKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `tv-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
