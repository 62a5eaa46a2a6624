/**
 * Groups concurrent calls of one statement into fewer round trips ("natural batching"). A call
 * made while fewer than `maxInFlight` batches are running goes at once, alone: no timer, so an
 * idle server adds no latency. Calls made while the limit is reached wait, and the next free slot
 * takes up to `maxBatch` of them in one statement. Under load this turns many round trips and
 * commits into a few, which is what a login burst (everyone at once after an alert) needs.
 */
export interface WriteBatcherOptions<In, Out> {
  /** Runs one batch; must return one result per input, in order. A throw fails the whole batch. */
  run(inputs: In[]): Promise<Out[]>;
  maxInFlight: number;
  maxBatch: number;
  /**
   * A key two inputs of one batch must not share (say, a nonce: the statement could not tell which
   * of two equal ones came first). An input whose key is already in the batch waits for the next.
   */
  keyOf?(input: In): string;
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
  /** Batches run and inputs carried, for benchmarks and tests. */
  readonly stats = { batches: 0, inputs: 0 };

  constructor(opts: WriteBatcherOptions<In, Out>) {
    if (!(opts.maxInFlight >= 1 && opts.maxBatch >= 1)) throw new Error('WriteBatcher needs maxInFlight and maxBatch of at least 1');
    this.#opts = opts;
  }

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#waiting.push({ input, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#opts.maxInFlight && this.#waiting.length) this.#start(this.#take());
  }

  /** Up to maxBatch waiting inputs, oldest first, skipping (for now) any whose key is taken. */
  #take(): Waiting<In, Out>[] {
    const { keyOf, maxBatch } = this.#opts;
    if (!keyOf) return this.#waiting.splice(0, maxBatch);
    const batch: Waiting<In, Out>[] = [];
    const later: Waiting<In, Out>[] = [];
    const keys = new Set<string>();
    for (const w of this.#waiting) {
      const key = keyOf(w.input);
      if (batch.length < maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(w);
      } else later.push(w);
    }
    this.#waiting = later;
    return batch;
  }

  #start(batch: Waiting<In, Out>[]): void {
    this.#inFlight++;
    this.stats.batches++;
    this.stats.inputs += batch.length;
    const settle = (fn: () => void) => {
      this.#inFlight--;
      fn();
      this.#pump();
    };
    let running: Promise<Out[]>;
    try {
      running = this.#opts.run(batch.map((w) => w.input));
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(
      (outs) =>
        settle(() => {
          if (outs.length !== batch.length) {
            const err = new Error(`batch statement returned ${outs.length} results for ${batch.length} inputs`);
            for (const w of batch) w.reject(err);
            return;
          }
          batch.forEach((w, i) => w.resolve(outs[i]!));
        }),
      (err: unknown) => settle(() => batch.forEach((w) => w.reject(err))),
    );
  }
}
