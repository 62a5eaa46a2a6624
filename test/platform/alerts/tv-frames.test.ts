import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestAlert } from '../../../platform/src/alerts/ingest.js';
import { parseAlertDocument } from '../../../platform/src/alerts/parse.js';
import { alertTargets as alertTargetRows } from '../../../platform/src/alerts/schema.js';
import { alertFrames } from '../../../platform/src/alerts/tv-frames.js';
import { alertTargets, alertTemplates, householdMessages, tvAlertViews } from '../../../platform/src/alerts/tv-views.js';
import { householdMembers, households, persons, shelters } from '../../../platform/src/db/schema/index.js';
import { populateTown, townMembers } from '../../../platform/src/demo/populate.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { capTime, capXml } from '../../helpers/cap-messages.js';
import { freshDatabase } from '../../helpers/database.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/alerts');

describe('alert frames: the text a publish sends is the alert message of tvAlertViews, serialised', async () => {
  const database = await freshDatabase();
  afterAll(() => database.close());
  const db = database.db;
  await seedDemoWorld(db);
  const [yamada] = await db.select().from(households).where(eq(households.contractNo, 'CATV-0001'));
  // Names that JSON must escape, or that spell out a marker (PostgreSQL text cannot hold U+0000 itself), or that end a sentence.
  const awkward = ['山田　太郎', '"引用" と \\ バックスラッシュ', 'タブ\tと\u2028行区切り', '\\u0000marker:0\\u0000', 'Dr. Who.', '絵文字😀', '句点。。'];
  for (const name of awkward) {
    const [p] = await db.insert(persons).values({ name }).returning();
    await db.insert(householdMembers).values({ householdId: yamada!.id, personId: p!.id });
  }
  const all = (await db.select({ id: households.id }).from(households)).map((h) => h.id);
  const ingest = async (alert: ReturnType<typeof parseAlertDocument>) =>
    (await ingestAlert(db, { municipalityCode: '162108', alert, channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 })).alertId;

  const agree = async (alertId: string) => {
    const views = (await tvAlertViews(db, [alertId], all)).get(alertId)!;
    const frames = (await alertFrames(db, alertId))!;
    const targets = await alertTargets(db, [alertId], all);
    expect(targets.map((t) => t.householdId).sort()).toEqual([...views.keys()].sort());
    const options = [
      { acknowledged: false, replaces: [], extension: false },
      { acknowledged: true, replaces: [randomUUID(), randomUUID()], extension: true },
    ];
    for (const t of targets) {
      for (const o of options) {
        const expected = { type: 'alert', alert: { ...views.get(t.householdId)!, acknowledged: o.acknowledged }, replaces: o.replaces, ...(o.extension ? { extension: true } : {}) };
        expect(JSON.parse(frames.frame(t, o).toString())).toEqual(expected);
      }
    }
    return { views, frames, targets };
  };

  it('Japanese and English <info>, a household with awkward names, households greeted by their label, with and without shelter', async () => {
    // The fixture's expiry moved after now: an alert expired on arrival has no targets.
    const fixture = readFileSync(join(FIXTURES, 'cap-multilingual-nanto.xml'), 'utf8').replaceAll('2026-11-30T22:00:00+09:00', capTime(new Date(Date.now() + 6 * 3600_000)));
    const alertId = await ingest(parseAlertDocument(Buffer.from(fixture)));
    const whole = await ingest(parseAlertDocument(Buffer.from(capXml({ identifier: `frames-${randomUUID()}`, level: '4', headline: '南砺市全域に "避難指示"', wholeMunicipality: true }).xml)));
    const { views, targets, frames } = await agree(alertId);
    const mine = views.get(yamada!.id)!;
    expect(mine.messages[0]!.greeting).toContain('"引用" と \\ バックスラッシュさん');
    expect(mine.messages[1]!.greeting).toMatch(/^For 山田 太郎, /);
    // The marker-like name is sent as the name it is, not taken for a marker.
    expect(JSON.parse(frames.frame(targets.find((t) => t.householdId === yamada!.id)!, { acknowledged: false, replaces: [], extension: false }).toString()).alert.messages[0].greeting).toContain('\\u0000marker:0\\u0000さん');
    // Households sent to one shelter share a cut frame, each with its own distance: the same as said
    // (約…m) but not the same metres, or said otherwise (約…km), in both languages.
    const near = targets.find((t) => t.household.shelter)!;
    const shelter = near.household.shelter!;
    const at = (distanceM: number) => ({ ...near, household: { ...near.household, shelter: { ...shelter, distanceM } } });
    const nextDoor = at(shelter.distanceM + (shelter.distanceM % 10 === 9 ? -1 : 1));
    const farther = at(shelter.distanceM + 1234);
    const far = JSON.parse(frames.frame(farther, { acknowledged: false, replaces: [], extension: false }).toString());
    expect(far.alert.messages[0].lines.join()).toContain(`（約${((shelter.distanceM + 1234) / 1000).toFixed(1)}km）`);
    expect(far.alert.messages[1].speech).toContain(`(about ${((shelter.distanceM + 1234) / 1000).toFixed(1)} km)`);
    for (const t of [near, nextDoor, farther]) {
      const sent = JSON.parse(frames.frame(t, { acknowledged: false, replaces: [], extension: false }).toString());
      expect(sent.alert.messages.map((m: { shelter: { distanceM: number } }) => m.shelter.distanceM)).toEqual([t.household.shelter!.distanceM, t.household.shelter!.distanceM]);
      expect(sent.alert.messages).toEqual(householdMessages((await alertTemplates(db, [alertId])).get(alertId)!.infos, t.household));
    }
    const town = await agree(whole);
    expect(town.targets.length).toBeGreaterThan(1);
    expect(town.targets.some((t) => t.household.names.length === 0)).toBe(true);
  });

  it('a lift (解除) names no shelter; an alert not stored has no frames; no households asked, no targets', async () => {
    const lift = await ingest(parseAlertDocument(Buffer.from(capXml({ identifier: `frames-lift-${randomUUID()}`, level: 'lift', wholeMunicipality: true }).xml)));
    const { views } = await agree(lift);
    expect(views.get(yamada!.id)!.messages[0]!.lines.join()).not.toMatch(/避難所/);
    expect(await alertFrames(db, randomUUID())).toBeNull();
    expect(await alertTargets(db, [lift], [])).toEqual([]);
  });
});

describe('alert targets: read as one row per alert, each household zipped back with its own label, names and shelter', async () => {
  const database = await freshDatabase();
  afterAll(() => database.close());
  const db = database.db;
  await seedDemoWorld(db);

  it('two alerts over overlapping households, one household with no shelter, one with nobody named: every value where it belongs', async () => {
    await populateTown(db, 3);
    const homes = await db.select({ id: households.id, contractNo: households.contractNo, label: households.label }).from(households)
      .where(inArray(households.contractNo, ['TOWN-0', 'TOWN-1', 'TOWN-2']));
    const [h0, h1, h2] = ['TOWN-0', 'TOWN-1', 'TOWN-2'].map((c) => homes.find((h) => h.contractNo === c)!);
    // Nobody named lives at TOWN-1 any more (its household_names row goes with its members).
    await db.update(householdMembers).set({ leftAt: new Date() }).where(and(eq(householdMembers.householdId, h1!.id), isNull(householdMembers.leftAt)));
    const [s1, s2] = await db.select({ id: shelters.id, name: shelters.name }).from(shelters).orderBy(shelters.name).limit(2);
    expect(s1!.name).not.toBe(s2!.name);
    // Written as targeting would, with shelters and distances chosen here so that no two households look alike.
    const [a, b] = [randomUUID(), randomUUID()];
    const target = (alertId: string, householdId: string, shelter: { id: string } | null, shelterDistanceM: number | null) =>
      ({ alertId, householdId, matchedBy: 'municipality' as const, shelterId: shelter?.id ?? null, shelterDistanceM });
    await db.insert(alertTargetRows).values([
      target(a, h0!.id, s1!, 812.4), target(a, h1!.id, s2!, 1500.6), target(a, h2!.id, null, null),
      target(b, h1!.id, s1!, 99.5), target(b, h2!.id, s2!, 2000.2),
    ]);
    const [yamada] = await db.select().from(households).where(eq(households.contractNo, 'CATV-0001'));

    const read = await alertTargets(db, [a, b], [yamada!.id, h2!.id, h1!.id, h0!.id]);
    const of = (alertId: string) => read.filter((t) => t.alertId === alertId).sort((x, y) => (x.householdId < y.householdId ? -1 : 1));
    const sorted = <T extends { householdId: string }>(xs: T[]) => xs.sort((x, y) => (x.householdId < y.householdId ? -1 : 1));
    expect(read).toHaveLength(5);
    expect(of(a)).toEqual(sorted([
      { alertId: a, householdId: h0!.id, household: { names: townMembers(0), householdLabel: h0!.label, shelter: { name: s1!.name, distanceM: 812 } } },
      { alertId: a, householdId: h1!.id, household: { names: [], householdLabel: h1!.label, shelter: { name: s2!.name, distanceM: 1501 } } },
      { alertId: a, householdId: h2!.id, household: { names: townMembers(2), householdLabel: h2!.label } },
    ]));
    expect(of(b)).toEqual(sorted([
      { alertId: b, householdId: h1!.id, household: { names: [], householdLabel: h1!.label, shelter: { name: s1!.name, distanceM: 100 } } },
      { alertId: b, householdId: h2!.id, household: { names: townMembers(2), householdLabel: h2!.label, shelter: { name: s2!.name, distanceM: 2000 } } },
    ]));
    // Only the households asked for, of only the alerts asked for.
    expect(await alertTargets(db, [b], [h0!.id, h2!.id])).toEqual(of(b).filter((t) => t.householdId === h2!.id));
    expect(await alertTargets(db, [a, b], [yamada!.id])).toEqual([]);
  });
});
