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
 * them and waits for the next trigger. Triggers: `online`, the page becoming visible, a timer.
 */
export class OutboxDrainer {
  private running: Promise<void> | null = null;
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

  /** Drain now (one run at a time). */
  kick(): Promise<void> {
    this.running ??= this.drain().finally(() => { this.running = null; });
    return this.running;
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { void this.kick().finally(() => this.schedule(BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!)); }, ms);
  }

  private async drain(): Promise<void> {
    let size = BATCH;
    for (let sent = false; ; sent = true) {
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
