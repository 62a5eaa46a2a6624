import { describe, expect, it } from 'vitest';
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

  it('fails every input of a failed batch, and carries on with the next', async () => {
    const m = manualRun<number>();
    const b = new WriteBatcher({ run: m.run, maxInFlight: 1, maxBatch: 10 });
    const first = b.submit(1);
    const [second, third] = [b.submit(2), b.submit(3)];
    const boom = new Error('connection lost');
    m.releases[0]!(boom);
    await expect(first).rejects.toBe(boom);
    await tick();
    expect(m.batches[1]).toEqual([2, 3]);
    m.releases[1]!();
    expect(await Promise.all([second, third])).toEqual(['done 2', 'done 3']);
  });

  it('fails a batch whose statement returned the wrong number of results', async () => {
    // The first goes alone; the next two go together and get one result back.
    const blocker = new WriteBatcher<number, string>({ run: async (xs) => (xs.length === 1 ? ['x'] : ['one']), maxInFlight: 1, maxBatch: 10 });
    const outs = [blocker.submit(1), blocker.submit(2), blocker.submit(3)];
    await expect(outs[0]).resolves.toBe('x');
    await expect(outs[1]).rejects.toThrow(/returned 1 results for 2 inputs/);
    await expect(outs[2]).rejects.toThrow(/returned 1 results for 2 inputs/);
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
});
