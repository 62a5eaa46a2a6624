import type { AlertAnswer, ReceiptKind } from '../../../platform/src/alerts/alerts-schemas.js';

/**
 * The TV's alert receipts not yet confirmed stored (issue 13 §4: nothing acknowledged is lost).
 * A receipt (delivered / displayed / acknowledged, with the 「避難しました」/「自宅で安全です」
 * answer) stays here from the moment the resident gives it until the platform answers `receipted`
 * for it. A receipt sent just before the link dropped may never have arrived: when the link is up
 * again (`ready`), everything still here is sent again. The platform stores a receipt once per
 * alert, TV and kind, so sending one twice is harmless.
 *
 * Bounded: at most one entry per alert, kind and person (the same receipt again keeps the first
 * entry and its place, taking a newer answer), and at most MAX_PENDING entries; past that the
 * oldest delivered/displayed goes first, an acknowledgement only when nothing else is left.
 *
 * Kept in localStorage when the page has it, so a reload does not lose them either: only the
 * alert, the kind and the answer (not personal; the logged-in person's session token is never
 * written down, so after a reload the acknowledgement is stored without the person's name).
 */

export const MAX_PENDING = 200;
/** The localStorage key the unconfirmed receipts are kept under. */
export const PENDING_RECEIPTS_KEY = 'stb-tv-alert-receipts';

export interface PendingReceipt {
  alertId: string;
  kind: ReceiptKind;
  answer?: AlertAnswer;
  /** The logged-in person's session token when the receipt was given (memory only). */
  session?: string;
}

interface Entry extends PendingReceipt {
  /** Copies sent on the current link and not yet confirmed. */
  inFlight: number;
  /** When the last copy went (ms since the epoch). */
  sentAt: number;
}

const KINDS: readonly string[] = ['delivered', 'displayed', 'acknowledged'];
const ANSWERS: readonly string[] = ['evacuated', 'safe_at_home'];
const keyOf = (r: PendingReceipt) => `${r.alertId}/${r.kind}/${r.session ?? ''}`;
const plain = (e: PendingReceipt): PendingReceipt => ({
  alertId: e.alertId, kind: e.kind, ...(e.answer ? { answer: e.answer } : {}), ...(e.session ? { session: e.session } : {}),
});

export class PendingReceipts {
  /** Oldest first (a Map keeps insertion order). */
  private readonly _entries = new Map<string, Entry>();

  constructor(private readonly _storage: Pick<Storage, 'getItem' | 'setItem'> | null = null, private readonly _max = MAX_PENDING) {
    for (const r of this._load()) this._merge(r);
    this._trim();
  }

  /** The receipts waiting for confirmation, oldest first. */
  get list(): PendingReceipt[] {
    return [...this._entries.values()].map(plain);
  }

  /**
   * A receipt given: kept until confirmed. Returns what to send now, if the link is up — null when
   * the same receipt is already on its way and this one adds nothing (no new answer).
   */
  add(receipt: PendingReceipt): PendingReceipt | null {
    const { entry, changed } = this._merge(receipt);
    this._trim();
    this._save();
    return this._entries.has(keyOf(entry)) && (changed || entry.inFlight === 0) ? plain(entry) : null;
  }

  /** Whether a receipt of this alert and kind is waiting (by anyone). */
  has(alertId: string, kind: ReceiptKind): boolean {
    return [...this._entries.values()].some((e) => e.alertId === alertId && e.kind === kind);
  }

  /** A copy of `receipt` went out on the current link. */
  sent(receipt: PendingReceipt): void {
    const entry = this._entries.get(keyOf(receipt));
    if (entry) {
      entry.inFlight++;
      entry.sentAt = Date.now();
    }
  }

  /** The link is up: every receipt still waiting, oldest first, to send again (each marked sent). */
  resend(): PendingReceipt[] {
    return [...this._entries.values()].map((e) => {
      e.inFlight++;
      e.sentAt = Date.now();
      return plain(e);
    });
  }

  /**
   * Receipts sent on this link no later than `sentBefore` and still unconfirmed: taken as lost (the
   * platform answers every receipt it stores) and sent again, now the only copy on the way.
   */
  overdue(sentBefore: number): PendingReceipt[] {
    return [...this._entries.values()].filter((e) => e.inFlight > 0 && e.sentAt <= sentBefore).map((e) => {
      e.inFlight = 1;
      e.sentAt = Date.now();
      return plain(e);
    });
  }

  /**
   * The platform stored a receipt of this alert and kind (`receipted`): the oldest copy on its way
   * is confirmed; an entry goes once every copy sent is (a copy sent after a newer answer keeps it).
   */
  confirmed(alertId: string, kind: ReceiptKind): void {
    for (const [key, entry] of this._entries) {
      if (entry.alertId !== alertId || entry.kind !== kind || entry.inFlight === 0) continue;
      if (--entry.inFlight === 0) {
        this._entries.delete(key);
        this._save();
      }
      return;
    }
  }

  /** None of them can ever be stored (the operator withdrew this TV): forgotten, here and in storage. */
  clear(): void {
    this._entries.clear();
    this._save();
  }

  /** The link dropped: nothing sent on it will be confirmed; all is sent again after the next `ready`. */
  dropped(): void {
    for (const e of this._entries.values()) e.inFlight = 0;
  }

  private _merge(receipt: PendingReceipt): { entry: Entry; changed: boolean } {
    const key = keyOf(receipt);
    const known = this._entries.get(key);
    if (!known) {
      const entry: Entry = { ...plain(receipt), inFlight: 0, sentAt: 0 };
      this._entries.set(key, entry);
      return { entry, changed: true };
    }
    const changed = receipt.answer !== undefined && receipt.answer !== known.answer;
    if (changed) known.answer = receipt.answer;
    return { entry: known, changed };
  }

  private _trim() {
    while (this._entries.size > this._max) {
      const values = [...this._entries.values()];
      const victim = values.find((e) => e.kind !== 'acknowledged') ?? values[0]!;
      this._entries.delete(keyOf(victim));
    }
  }

  private _load(): PendingReceipt[] {
    let raw: unknown;
    try {
      raw = JSON.parse(this._storage?.getItem(PENDING_RECEIPTS_KEY) ?? '[]');
    } catch {
      return [];
    }
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((r: unknown) => {
      if (r === null || typeof r !== 'object') return [];
      const { alertId, kind, answer } = r as Record<string, unknown>;
      if (typeof alertId !== 'string' || !/^[0-9a-f-]{36}$/i.test(alertId) || typeof kind !== 'string' || !KINDS.includes(kind)) return [];
      return [{ alertId, kind: kind as ReceiptKind, ...(typeof answer === 'string' && ANSWERS.includes(answer) ? { answer: answer as AlertAnswer } : {}) }];
    });
  }

  private _save() {
    if (!this._storage) return;
    try {
      const kept = [...this._entries.values()].map((e) => ({ alertId: e.alertId, kind: e.kind, ...(e.answer ? { answer: e.answer } : {}) }));
      this._storage.setItem(PENDING_RECEIPTS_KEY, JSON.stringify(kept));
    } catch {
      // storage full or disabled: the receipts are still kept in memory
    }
  }
}
