import type { CheckinEvent, EventBatchResult } from '../../../platform/src/shelter/shelter-schemas.js';
import type { TabletStore } from './store.js';

const BATCH = 100;
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

export interface DrainTransport {
  /** POST /api/v1/shelter/events; resolves with the HTTP status and body, rejects on no answer. */
  send(events: CheckinEvent[]): Promise<{ status: number; body: unknown }>;
}

/**
 * Empties the outbox into the platform, oldest first. An answer removes what it answered
 * (recorded, replayed) and moves refusals (and an event the platform cannot even parse, 400) to "needs attention"; no answer, 5xx or 429 keeps the
 * events and retries with backoff; a 4xx for the whole batch (e.g. the staff session ended) keeps
 * them and waits for the next trigger. Triggers: `online`, the page becoming visible, a timer, and
 * each event recorded (the page kicks after its outbox write).
 *
 * One run at a time. A kick while a run is under way is not lost in it: the run's last read may
 * already have found the outbox empty (the tap's write committed just after), or its upload may be
 * failing under conditions the kick says have changed (`online`). So a kick marks the run `again`;
 * each read of the outbox clears the mark (what it reads covers every kick before it), and a run
 * that ends with the mark set reads once more at once. Only kicks set it, so a run repeats at most
 * once per kick: no busy loop, and a failing run nobody kicked waits for the timer's backoff.
 */
export class OutboxDrainer {
  private running: Promise<void> | null = null;
  /** Kicked since the running drain last read the outbox. */
  private again = false;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  lastError: string | null = null;
  /** Events taken out of the outbox so far (answered): a view of the platform asked for before one of them was stored may lack it. */
  acknowledged = 0;

  /** `onSent`: told after a drain that sent something, or failed to (the page asks the platform for its view and reports what waits). */
  constructor(private readonly db: TabletStore, private readonly transport: DrainTransport, private readonly onChange: () => void, private readonly onSent: () => void = () => {}) {}

  start(): void {
    addEventListener('online', () => this.kick());
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') this.kick(); });
    this.schedule(5_000);
    this.kick();
  }

  /** Drain now (one run at a time; a kick during a run makes it read the outbox again before it ends). Resolves when the outbox was read after this kick. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.runs().finally(() => { this.running = null; });
    return this.running;
  }

  private async runs(): Promise<void> {
    do await this.drain(); while (this.again);
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { void this.kick().finally(() => this.schedule(BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!)); }, ms);
  }

  private async drain(): Promise<void> {
    let size = BATCH;
    for (let sent = false; ; sent = true) {
      this.again = false;
      const batch = await this.db.getAll('outbox', undefined, size);
      if (!batch.length) {
        if (sent) this.onSent();
        return;
      }
      let answer: { status: number; body: unknown };
      try {
        answer = await this.transport.send(batch);
      } catch {
        return this.failed('ネットワークにつながっていません');
      }
      if (answer.status >= 500 || answer.status === 429) return this.failed(`サーバー応答 ${answer.status}`);
      if (answer.status === 400 && batch.length > 1) {
        size = 1; // one malformed event refuses its whole batch: find it by sending one at a time
        continue;
      }
      if (answer.status === 400) {
        const error = (answer.body as { error: { code: string; message: string; ja: string } }).error;
        const tx = this.db.transaction(['outbox', 'attention'], 'readwrite');
        await Promise.all([tx.objectStore('attention').put({ event: batch[0]!, error }), tx.objectStore('outbox').delete(batch[0]!.sequence), tx.done]);
        this.acknowledged++;
        this.onChange();
        continue;
      }
      if (answer.status !== 200) return this.failed(`送信できません（${answer.status}）。職員カードでもう一度受付を開始してください`);
      const { results } = answer.body as EventBatchResult;
      const tx = this.db.transaction(['outbox', 'attention', 'people'], 'readwrite');
      const bySequence = new Map(batch.map((e) => [e.eventId, e]));
      const writes: Promise<unknown>[] = [];
      for (const result of results) {
        const event = bySequence.get(result.eventId)!;
        writes.push(tx.objectStore('outbox').delete(event.sequence));
        if (result.status === 'refused') writes.push(tx.objectStore('attention').put({ event, error: result.error }));
      }
      await Promise.all([...writes, tx.done]);
      this.acknowledged += results.length;
      this.failures = 0;
      this.lastError = null;
      this.onChange();
    }
  }

  private failed(message: string) {
    this.failures++;
    this.lastError = message;
    this.onChange();
    this.onSent();
  }
}
