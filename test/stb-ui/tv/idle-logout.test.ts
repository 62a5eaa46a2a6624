import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDLE_ANNOUNCE_SECONDS, IdleLogout } from '../../../stb-ui/src/tv/idle-logout.js';

describe('IdleLogout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function armed(taskUnderWay: () => boolean) {
    vi.useFakeTimers();
    const seen: string[] = [];
    const idle = new IdleLogout({
      onCountdown: (left) => seen.push(`countdown ${left}`), onDismiss: () => seen.push('dismiss'), onLogout: () => seen.push('logout'), taskUnderWay,
    });
    idle.setMinutes(5);
    idle.setArmed(true);
    return { idle, seen };
  }

  it('counts down after the quiet period and logs out when nothing is under way', () => {
    const { seen } = armed(() => false);
    vi.advanceTimersByTime(5 * 60_000);
    expect(seen).toEqual([`countdown ${IDLE_ANNOUNCE_SECONDS}`]);
    vi.advanceTimersByTime(IDLE_ANNOUNCE_SECONDS * 1000);
    expect(seen.at(-1)).toBe('logout');
  });

  it('while the screen holds unfinished work, the quiet period starts again instead of the countdown; once it is done, the countdown comes at the next end of it', () => {
    let busy = true;
    const { seen } = armed(() => busy);
    vi.advanceTimersByTime(3 * 5 * 60_000);
    expect(seen).toEqual([]);
    busy = false;
    // The next end of the quiet period.
    vi.advanceTimersByTime(5 * 60_000);
    expect(seen).toEqual([`countdown ${IDLE_ANNOUNCE_SECONDS}`]);
  });
});
