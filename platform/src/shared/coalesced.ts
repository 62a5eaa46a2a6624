/**
 * Runs `job(key)` now, or once more after the run in progress for the same key: however many
 * requests for a key come while it runs, they cost one more run, not one each.
 */
export function coalescedBy<K>(job: (key: K) => Promise<void>): (key: K) => void {
  const running = new Map<K, { again: boolean }>();
  const run = async (key: K, state: { again: boolean }) => {
    try {
      do {
        state.again = false;
        await job(key);
      } while (state.again);
    } finally {
      running.delete(key);
    }
  };
  return (key) => {
    const state = running.get(key);
    if (state) return void (state.again = true);
    const fresh = { again: false };
    running.set(key, fresh);
    void run(key, fresh);
  };
}

/** `coalescedBy` for a job with no key. */
export function coalesced(job: () => Promise<void>): () => void {
  const once = coalescedBy<null>(job);
  return () => once(null);
}
