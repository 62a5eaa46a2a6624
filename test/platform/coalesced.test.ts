import { describe, expect, it } from 'vitest';
import { coalesced, coalescedBy } from '../../platform/src/shared/coalesced.js';

/** A job that waits to be let go, counting its runs per key. */
function gatedJob() {
  const runs: string[] = [];
  const gates: (() => void)[] = [];
  const job = (key: string) => new Promise<void>((resolve) => {
    runs.push(key);
    gates.push(resolve);
  });
  const release = async () => {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { runs, job, release };
}

describe('coalescing work', () => {
  it('requests that come while a run is in progress cost one more run, not one each; another key runs beside it', async () => {
    const { runs, job, release } = gatedJob();
    const push = coalescedBy(job);
    push('a');
    for (let i = 0; i < 50; i++) push('a');
    push('b');
    expect(runs).toEqual(['a', 'b']);
    await release();
    expect(runs).toEqual(['a', 'b', 'a']);
    await release();
    await release();
    expect(runs).toEqual(['a', 'b', 'a']);
    // Idle again: the next request runs at once.
    push('a');
    expect(runs).toEqual(['a', 'b', 'a', 'a']);
    await release();
  });

  it('without a key, the same', async () => {
    const { runs, job, release } = gatedJob();
    const push = coalesced(() => job('only'));
    push();
    push();
    push();
    await release();
    await release();
    expect(runs).toEqual(['only', 'only']);
  });
});
