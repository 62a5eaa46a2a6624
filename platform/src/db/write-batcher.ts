/**
 * Groups concurrent calls of one statement into fewer round trips ("natural batching"). A call
 * made while fewer than `maxInFlight` batches are running goes at once, alone: no timer, so an
 * idle server adds no latency. Calls made while the limit is reached wait, and the next free slot
 * takes up to `maxBatch` of them in one statement. Under load this turns many round trips and
 * commits into a few, which is what a login burst (everyone at once after an alert) needs. A batch
 * that fails is run again one input at a time, so nobody's login fails for somebody else's.
 */
export interface WriteBatcherOptions<In, Out> {
  /**
   * Runs one batch; must return one result per input, in order. It must be all-or-nothing (one
   * statement, one transaction): when a batch of several fails, each input is run again alone, so
   * one bad input fails only itself.
   */
  run(inputs: In[]): Promise<Out[]>;
  maxInFlight: number;
  maxBatch: number;
  /**
   * A key two inputs of one batch must not share (say, a nonce: the statement could not tell which
   * of two equal ones came first). An input whose key is already in the batch waits for the next.
   */
  keyOf?(input: In): string;
  /**
   * Milliseconds an input arriving at an idle batcher waits for company before its batch starts (a
   * full batch starts at once). Without it a lone input goes at once, which is right when the
   * database is another process. With PGlite the statement runs in this thread and blocks it:
   * nothing arrives while a batch runs, so every batch would be the one input that came first
   * (a storm of TV receipts became thousands of one-row statements). Inputs arriving while a batch
   * runs still go together as soon as it ends.
   */
  gatherMs?: number;
}

interface Waiting<In, Out> {
  input: In;
  resolve(out: Out): void;
  reject(err: unknown): void;
}

export class WriteBatcher<In, Out> {
  readonly #opts: WriteBatcherOptions<In, Out>;
  #waiting: Waiting<In, Out>[] = [];
  #inFlight = 0;
  #gathering: ReturnType<typeof setTimeout> | null = null;
  #idle: (() => void)[] = [];
  /** Batches run and inputs carried, for benchmarks and tests. */
  readonly stats = { batches: 0, inputs: 0 };

  constructor(opts: WriteBatcherOptions<In, Out>) {
    if (!(opts.maxInFlight >= 1 && opts.maxBatch >= 1)) throw new Error('WriteBatcher needs maxInFlight and maxBatch of at least 1');
    this.#opts = opts;
  }

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#waiting.push({ input, resolve, reject });
      const { gatherMs, maxInFlight } = this.#opts;
      // While draining nothing gathers: it goes as soon as a slot is free.
      if (gatherMs && !this.#idle.length && this.#waiting.length === 1 && this.#inFlight < maxInFlight && !this.#gathering) {
        this.#gathering = setTimeout(() => {
          this.#gathering = null;
          this.#pump();
        }, gatherMs);
      }
      this.#pump();
    });
  }

  /**
   * Starts what is gathering at once and resolves when nothing waits or runs: a process stopping
   * writes what it accepted before its database closes, instead of leaving it to a timer that
   * fires too late. Inputs submitted meanwhile are written too.
   */
  drain(): Promise<void> {
    if (this.#gathering) {
      clearTimeout(this.#gathering);
      this.#gathering = null;
      this.#pump();
    }
    if (!this.#inFlight && !this.#waiting.length) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    if (this.#gathering && this.#waiting.length < this.#opts.maxBatch) return;
    while (this.#inFlight < this.#opts.maxInFlight && this.#waiting.length) this.#start(this.#take());
    if (this.#gathering && !this.#waiting.length) {
      clearTimeout(this.#gathering);
      this.#gathering = null;
    }
  }

  /** Up to maxBatch waiting inputs, oldest first, skipping (for now) any whose key is taken. */
  #take(): Waiting<In, Out>[] {
    const { keyOf, maxBatch } = this.#opts;
    if (!keyOf) return this.#waiting.splice(0, maxBatch);
    const batch: Waiting<In, Out>[] = [];
    const later: Waiting<In, Out>[] = [];
    const keys = new Set<string>();
    let i = 0;
    // Once the batch is full the rest wait as they are: 40,000 receipts waiting were otherwise
    // keyed again at every batch taken from them (20 batches: 400,000 keys).
    for (; i < this.#waiting.length && batch.length < maxBatch; i++) {
      const w = this.#waiting[i]!;
      const key = keyOf(w.input);
      if (!keys.has(key)) {
        keys.add(key);
        batch.push(w);
      } else later.push(w);
    }
    this.#waiting = i < this.#waiting.length ? later.concat(this.#waiting.slice(i)) : later;
    return batch;
  }

  #start(batch: Waiting<In, Out>[]): void {
    this.#inFlight++;
    this.stats.batches++;
    this.stats.inputs += batch.length;
    this.#runBatch(batch).finally(() => {
      this.#inFlight--;
      this.#pump();
      if (!this.#inFlight && !this.#waiting.length) for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  async #runBatch(batch: Waiting<In, Out>[]): Promise<void> {
    try {
      const outs = await this.#opts.run(batch.map((w) => w.input));
      if (outs.length !== batch.length) throw new Error(`batch statement returned ${outs.length} results for ${batch.length} inputs`);
      batch.forEach((w, i) => w.resolve(outs[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // Nothing of the batch was written; find out whose input it was, one at a time.
      for (const w of batch) await this.#runBatch([w]);
    }
  }
}
