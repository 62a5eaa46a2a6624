import { createHash, createHmac } from 'node:crypto';

/** One slot a resident asks for in a lottery. */
export interface Choice {
  unitId: string;
  day: string;
  period: string;
}

export interface Entrant {
  personId: string;
  /** Ranked: the first is the one most wanted. */
  choices: Choice[];
}

export interface Win {
  personId: string;
  choice: Choice;
  /** 0 for a first choice. */
  rank: number;
}

const slotKey = (c: Choice) => `${c.unitId}|${c.day}|${c.period}`;

/** The floor parts a unit covers (opaque labels); units sharing one block each other. */
export type FloorOf = (unitId: string) => readonly string[];
/** Every unit has a floor of its own: the draw before units could share floor. */
const ownFloor: FloorOf = (unitId) => [unitId];

/** The entrant list in a canonical order, as published with the result. */
function canonical(entrants: readonly Entrant[]): string {
  return [...entrants].sort((a, b) => (a.personId < b.personId ? -1 : 1))
    .map((e) => `${e.personId}:${e.choices.map(slotKey).join(',')}`).join('\n');
}

/** SHA-256 of the canonical entrant list: recorded at the draw, so nobody can add or drop an entry afterwards unseen. */
export function entrantsHash(entrants: readonly Entrant[]): string {
  return createHash('sha256').update(canonical(entrants), 'utf8').digest('hex');
}

/**
 * The draw, a pure function of the published seed and the entrants: each entrant's place in line
 * is HMAC-SHA256(seed, person); then rank by rank (all first choices, then all second…), each
 * entrant still without a win takes their choice if its floor is still free in that 区分 (全面
 * and its halves block each other, `floorOf`). One win per entrant. The
 * same seed and list give the same result on any machine, which is how staff re-run it.
 */
export function draw(seed: string, entrants: readonly Entrant[], floorOf: FloorOf = ownFloor): Win[] {
  return drawAround(seed, entrants, floorOf, new Set()).wins;
}

/**
 * `draw`, passing over the entrants in `atQuota` (people who already hold the facility's monthly
 * quota of bookings that month, so a win could not be a hold): where one of them would win, the
 * slot stays free for the next entrant in line, and they are out of the draw (`skipped`, with the
 * choice they would have won). Entrants in `atQuota` the draw never reaches a free choice for are
 * not in `skipped`: they lost as anyone else, so recording only `skipped` re-runs to the same result.
 */
export function drawAround(seed: string, entrants: readonly Entrant[], floorOf: FloorOf, atQuota: ReadonlySet<string>): { wins: Win[]; skipped: Win[] } {
  const ticket = (personId: string) => createHmac('sha256', seed).update(personId, 'utf8').digest('hex');
  const line = [...entrants].map((e) => ({ e, t: ticket(e.personId) })).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0)).map((x) => x.e);
  const taken = new Set<string>();
  const wins: Win[] = [];
  const skipped: Win[] = [];
  const done = new Set<string>();
  const maxRank = Math.max(0, ...entrants.map((e) => e.choices.length));
  for (let rank = 0; rank < maxRank; rank++) {
    for (const entrant of line) {
      const choice = entrant.choices[rank];
      if (!choice || done.has(entrant.personId)) continue;
      const parts = floorOf(choice.unitId).map((part) => slotKey({ ...choice, unitId: part }));
      if (parts.some((part) => taken.has(part))) continue;
      done.add(entrant.personId);
      if (atQuota.has(entrant.personId)) {
        skipped.push({ personId: entrant.personId, choice, rank });
        continue;
      }
      for (const part of parts) taken.add(part);
      wins.push({ personId: entrant.personId, choice, rank });
    }
  }
  return { wins, skipped };
}
