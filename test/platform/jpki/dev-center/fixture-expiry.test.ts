import { describe, expect, it } from 'vitest';
import { FIXTURE_TIME, WALL_CLOCK_CARDS, jpkiFixtures } from '../../../helpers/jpki-fixtures.js';

/**
 * The fixture center is built with fixed dates, so its cards age with the calendar. On 2026-11-30
 * at 15:00 UTC 佐藤's card reached its fifth birthday and CI went red in three tests that verified it
 * at the wall clock. The cards tests use at the wall clock must have a year left; when this fails,
 * renew the card named in the message (a later `issued` in FIXTURE_CARDS), not the test.
 */
const YEAR_MS = 365 * 24 * 3600_000;

describe('fixture cards used at the wall clock', () => {
  it('are inside their validity now and for at least another year, both certificates', async () => {
    const { cards } = await jpkiFixtures();
    const soon = new Date(Date.now() + YEAR_MS);
    const ending = WALL_CLOCK_CARDS.flatMap((name) =>
      (['sign', 'auth'] as const)
        .filter((purpose) => new Date(cards[name][purpose].notAfter) < soon || new Date(cards[name][purpose].notBefore) > new Date())
        .map((purpose) => `${name} ${purpose} ends ${cards[name][purpose].notAfter}`));
    expect(ending).toEqual([]);
  });

  it('were valid at FIXTURE_TIME too, so the checks pinned to that instant see them as well', async () => {
    const { cards } = await jpkiFixtures();
    for (const name of WALL_CLOCK_CARDS) {
      for (const purpose of ['sign', 'auth'] as const) {
        expect(new Date(cards[name][purpose].notBefore) <= FIXTURE_TIME, `${name} ${purpose}`).toBe(true);
        expect(new Date(cards[name][purpose].notAfter) > FIXTURE_TIME, `${name} ${purpose}`).toBe(true);
      }
    }
  });
});
