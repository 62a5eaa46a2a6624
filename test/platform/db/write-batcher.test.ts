import { describe, expect, it, vi } from 'vitest';
import { WriteBatcher } from '../../../platform/src/db/write-batcher.js';

/** A run() whose batches the test releases by hand, recording what each batch carried. */
function manualRun<T>() {
  const batches: T[][] = [];
  const releases: Array<(fail?: Error) => void> = [];
  const run = (inputs: T[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push(inputs);
      releases.push((fail) => (fail ? reject(fail) : resolve(inputs.map((i) => `done ${String(i)}`))));
    });
  return { batches, releases, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteBatcher', () => {
  it('sends a lone input at once, alone', async () => {
    const m = manualRun<number>();
    const b = new WriteBatcher({ run: m.run, maxInFlight: 1, maxBatch: 10 });
    const out = b.submit(1);
    expect(m.batches).toEqual([[1]]);
    m.releases[0]!();
    expect(await out).toBe('done 1');
  });

  it('groups what arrives while the in-flight limit is reached, oldest first, up to maxBatch', async () => {
    const m = manualRun<number>();
    const b = new WriteBatcher({ run: m.run, maxInFlight: 1, maxBatch: 3 });
    const outs = [1, 2, 3, 4, 5, 6].map((i) => b.submit(i));
    expect(m.batches).toEqual([[1]]);
    m.releases[0]!();
    await tick();
    expect(m.batches).toEqual([[1], [2, 3, 4]]);
    m.releases[1]!();
    await tick();
    expect(m.batches).toEqual([[1], [2, 3, 4], [5, 6]]);
    m.releases[2]!();
    expect(await Promise.all(outs)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `done ${i}`));
    expect(b.stats).toEqual({ batches: 3, inputs: 6 });
  });

  it('runs up to maxInFlight batches at once', () => {
    const m = manualRun<number>();
    const b = new WriteBatcher({ run: m.run, maxInFlight: 2, maxBatch: 10 });
    for (const i of [1, 2, 3, 4]) void b.submit(i);
    expect(m.batches).toEqual([[1], [2]]);
  });

  it('never puts two inputs with the same key in one batch', async () => {
    const m = manualRun<string>();
    const b = new WriteBatcher({ run: m.run, maxInFlight: 1, maxBatch: 10, keyOf: (s) => s.split(':')[0]! });
    const outs = ['first', 'a:1', 'b:1', 'a:2', 'a:3', 'c:1'].map((s) => b.submit(s));
    m.releases[0]!();
    await tick();
    expect(m.batches[1]).toEqual(['a:1', 'b:1', 'c:1']);
    m.releases[1]!();
    await tick();
    expect(m.batches[2]).toEqual(['a:2']);
    m.releases[2]!();
    await tick();
    expect(m.batches[3]).toEqual(['a:3']);
    m.releases[3]!();
    expect(await Promise.all(outs)).toHaveLength(6);
  });

  it('keeps the oldest-first order of what waits when a keyed batch fills, and keys only what it takes', async () => {
    const m = manualRun<string>();
    const keyed: string[] = [];
    const b = new WriteBatcher({ run: m.run, maxInFlight: 1, maxBatch: 2, keyOf: (s) => (keyed.push(s), s.split(':')[0]!) });
    const outs = ['first', 'a:1', 'a:2', 'b:1', 'c:1', 'd:1'].map((s) => b.submit(s));
    keyed.length = 0;
    m.releases[0]!();
    await tick();
    expect(m.batches[1]).toEqual(['a:1', 'b:1']);
    // Full after b:1: c:1 and d:1 were not keyed for this batch.
    expect(keyed).toEqual(['a:1', 'a:2', 'b:1']);
    m.releases[1]!();
    await tick();
    expect(m.batches[2]).toEqual(['a:2', 'c:1']);
    m.releases[2]!();
    await tick();
    expect(m.batches[3]).toEqual(['d:1']);
    m.releases[3]!();
    expect(await Promise.all(outs)).toHaveLength(6);
  });

  it('runs a failed batch again one input at a time, so only the bad input fails', async () => {
    const runs: number[][] = [];
    const b = new WriteBatcher<number, string>({
      run: async (xs) => {
        runs.push(xs);
        if (xs.includes(3)) throw new Error('3 breaks the statement');
        return xs.map((x) => `done ${x}`);
      },
      maxInFlight: 1,
      maxBatch: 10,
    });
    const outs = [1, 2, 3, 4].map((x) => b.submit(x));
    const settled = await Promise.allSettled(outs);
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['done 1', 'done 2', '3 breaks the statement', 'done 4']);
    expect(runs).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    // And it carries on.
    expect(await b.submit(5)).toBe('done 5');
  });

  it('rejects an input whose statement keeps returning the wrong number of results', async () => {
    const b = new WriteBatcher<number, string>({ run: async () => [], maxInFlight: 1, maxBatch: 10 });
    const outs = [b.submit(1), b.submit(2), b.submit(3)];
    for (const out of outs) await expect(out).rejects.toThrow(/returned 0 results for 1 inputs/);
  });

  it('accepts a batch whose inputs, run alone, each give one result', async () => {
    const b = new WriteBatcher<number, string>({ run: async (xs) => (xs.length === 1 ? [`alone ${xs[0]}`] : ['one']), maxInFlight: 1, maxBatch: 10 });
    expect(await Promise.all([b.submit(1), b.submit(2), b.submit(3)])).toEqual(['alone 1', 'alone 2', 'alone 3']);
  });

  it('turns a run() that throws synchronously into rejections', async () => {
    const b = new WriteBatcher<number, string>({
      run: () => {
        throw new Error('bad statement');
      },
      maxInFlight: 1,
      maxBatch: 10,
    });
    await expect(b.submit(1)).rejects.toThrow('bad statement');
    await expect(b.submit(2)).rejects.toThrow('bad statement');
  });

  it('with gatherMs, an input at an idle batcher waits that long for company; a full batch and what came during a batch go at once', async () => {
    vi.useFakeTimers();
    try {
      const m = manualRun<number>();
      const b = new WriteBatcher({ run: m.run, maxInFlight: 1, maxBatch: 3, gatherMs: 20 });
      const outs = [b.submit(1), b.submit(2)];
      expect(m.batches).toEqual([]);
      vi.advanceTimersByTime(19);
      expect(m.batches).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(m.batches).toEqual([[1, 2]]);
      // Arriving while a batch runs: no window of their own, they go when it ends.
      outs.push(b.submit(3), b.submit(4));
      m.releases[0]!();
      await vi.advanceTimersByTimeAsync(0);
      expect(m.batches).toEqual([[1, 2], [3, 4]]);
      m.releases[1]!();
      await vi.advanceTimersByTimeAsync(0);
      // A full batch does not wait out the window.
      outs.push(b.submit(5), b.submit(6), b.submit(7));
      expect(m.batches).toEqual([[1, 2], [3, 4], [5, 6, 7]]);
      m.releases[2]!();
      expect(await Promise.all(outs)).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `done ${i}`));
    } finally {
      vi.useRealTimers();
    }
  });

  it('drain() starts what is gathering at once, writes what comes meanwhile without a window, and resolves when all is written', async () => {
    vi.useFakeTimers();
    try {
      const m = manualRun<number>();
      const b = new WriteBatcher({ run: m.run, maxInFlight: 1, maxBatch: 10, gatherMs: 500 });
      const outs = [b.submit(1), b.submit(2)];
      let drained = false;
      const draining = b.drain().then(() => (drained = true));
      // No waiting out the 500 ms.
      expect(m.batches).toEqual([[1, 2]]);
      outs.push(b.submit(3));
      m.releases[0]!();
      await vi.advanceTimersByTimeAsync(0);
      expect(m.batches).toEqual([[1, 2], [3]]);
      expect(drained).toBe(false);
      m.releases[1]!();
      await draining;
      expect(await Promise.all(outs)).toEqual(['done 1', 'done 2', 'done 3']);
      // Idle again: drain resolves at once, and gathering is back for what comes next.
      await b.drain();
      void b.submit(4);
      expect(m.batches).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(500);
      expect(m.batches[2]).toEqual([4]);
    } finally {
      vi.useRealTimers();
    }
  });
});
