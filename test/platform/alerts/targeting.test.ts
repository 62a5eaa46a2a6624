import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { householdAlertView } from '../../../platform/src/alerts/household-view.js';
import { ingestAlert } from '../../../platform/src/alerts/ingest.js';
import { parseAlertDocument } from '../../../platform/src/alerts/parse.js';
import type { CanonicalAlert } from '../../../platform/src/alerts/model.js';
import { distanceText, householdMessage } from '../../../platform/src/alerts/personalise.js';
import { composeAlert, OPEN_SHELTER_PARAMETER } from '../../../platform/src/alerts/compose.js';
import { alertTargets } from '../../../platform/src/alerts/schema.js';
import { aimAt, areaCodeOutcome, contextOf, nearestShelter, targetAlert, targetingContext, type Place } from '../../../platform/src/alerts/targeting.js';
import { homesOf } from '../../../platform/src/alerts/tv-homes.js';
import { householdMembers, households, organisations, persons, shelters } from '../../../platform/src/db/schema/index.js';
import { populateTown } from '../../../platform/src/demo/populate.js';
import { buildTestApp } from '../../helpers/app.js';
import { capTime, capXml } from '../../helpers/cap-messages.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/alerts');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

describe('matching households (pure)', () => {
  const places: Place[] = [
    { id: 'in-johana', districtId: 'd1', districtCode: 'johana', latitude: 36.512, longitude: 136.88 },
    { id: 'in-inami', districtId: 'd2', districtCode: 'inami', latitude: 36.5585, longitude: 136.96 },
    { id: 'no-coords', districtId: 'd2', districtCode: 'inami', latitude: null, longitude: null },
  ];
  const alert = parseAlertDocument(fixture('cap-multilingual-nanto.xml'));
  /** The households an alert reaches, by the rules both targeting and a process's aim go by (`aimAt`). */
  const matchHouseholds = (a: CanonicalAlert, among: Place[]) => {
    const context = contextOf('m', a, among.flatMap((p) => (p.districtCode ? [p.districtCode] : [])), []);
    return among.filter((p) => aimAt(context, { ...p, municipalityId: 'm' })).map((p) => p.id);
  };

  it('a district code wins over geometry and reaches households without coordinates too', () => {
    const inami = structuredClone(alert);
    inami.infos = [inami.infos[0]!];
    inami.infos[0]!.areas[0]!.geocodes = [{ valueName: 'district', value: 'inami' }];
    expect(matchHouseholds(inami, places)).toEqual(['in-inami', 'no-coords']);
  });

  it('polygons and circles (lat,lon order) match by household coordinates; radius 0 matches no one', () => {
    const geo = structuredClone(alert);
    geo.infos = [geo.infos[0]!];
    geo.infos[0]!.areas[0]!.geocodes = [{ valueName: 'jisX0402', value: '162108' }];
    expect(matchHouseholds(geo, places)).toEqual(['in-johana']);
    geo.infos[0]!.areas[0]!.polygons = [];
    geo.infos[0]!.areas[0]!.circles = [{ lat: 36.5585, lon: 136.961, radiusKm: 0.5 }];
    expect(matchHouseholds(geo, places)).toEqual(['in-inami']);
    geo.infos[0]!.areas[0]!.circles = [{ lat: 36.5585, lon: 136.96, radiusKm: 0 }];
    expect(matchHouseholds(geo, places)).toEqual([]);
  });

  it('an area with neither known codes nor geometry is the whole municipality', () => {
    const all = structuredClone(alert);
    all.infos[0]!.areas = [{ areaDesc: '南砺市全域', polygons: [], circles: [], geocodes: [{ valueName: 'jisX0402', value: '162108' }] }];
    all.infos = [all.infos[0]!];
    expect(matchHouseholds(all, places)).toEqual(['in-johana', 'in-inami', 'no-coords']);
  });
});

describe('unknown area codes (pure)', () => {
  const alert = parseAlertDocument(fixture('cap-multilingual-nanto.xml'));
  const withAreas = (areas: { codes: string[]; circle?: boolean }[]) => {
    const a = structuredClone(alert);
    a.infos = [{ ...a.infos[0]!, areas: areas.map(({ codes, circle }) => ({
      areaDesc: 'x', polygons: [], circles: circle ? [{ lat: 36.5, lon: 136.9, radiusKm: 1 }] : [],
      geocodes: [{ valueName: 'jisX0402', value: '162108' }, ...codes.map((value) => ({ valueName: 'district', value }))],
    })) }];
    return a;
  };
  const known = new Set(['johana', 'inami']);

  it('names the codes that are neither the municipality nor a known district; widened only when an area had nothing else', () => {
    expect(areaCodeOutcome(withAreas([{ codes: ['johana'] }]), '162108', known)).toEqual({ unknownAreaCodes: [], widenedToMunicipality: false });
    expect(areaCodeOutcome(withAreas([{ codes: ['162108'] }]), '162108', known)).toEqual({ unknownAreaCodes: [], widenedToMunicipality: false });
    expect(areaCodeOutcome(withAreas([{ codes: ['jyohana', 'x9'] }, { codes: ['x9'] }]), '162108', known)).toEqual({ unknownAreaCodes: ['jyohana', 'x9'], widenedToMunicipality: true });
    // A known code beside it, or a circle, still narrows the area: reported, but nobody else was reached.
    expect(areaCodeOutcome(withAreas([{ codes: ['johana', 'x9'] }]), '162108', known)).toEqual({ unknownAreaCodes: ['x9'], widenedToMunicipality: false });
    expect(areaCodeOutcome(withAreas([{ codes: ['x9'], circle: true }]), '162108', known)).toEqual({ unknownAreaCodes: ['x9'], widenedToMunicipality: false });
  });
});

describe('the personalised text', () => {
  it('names, 2021 level wording, nearest shelter with distance, reminders', () => {
    const m = householdMessage({ names: ['山田　太郎', '山田　花子'], householdLabel: '山田さん宅', level: 4, headline: '城端地域に避難指示', areaNames: ['城端地域'], shelter: { name: '城端小学校 体育館', distanceM: 812 } });
    expect(m.title).toBe('警戒レベル4 避難指示');
    expect(m.greeting).toBe('山田 太郎さん、山田 花子さんへ');
    expect(m.lines).toContain('最寄りの避難所: 城端小学校 体育館（約810m）');
    expect(m.lines).toContain('火の元を 確かめてください。');
    expect(m.lines).toContain('マイナンバーカードを 持って 避難してください。');
    expect(householdMessage({ names: [], householdLabel: '佐藤さん宅', level: 3, areaNames: [] })).toMatchObject({ title: '警戒レベル3 高齢者等避難', greeting: '佐藤さん宅の皆さまへ' });
    expect(householdMessage({ names: [], householdLabel: 'x', level: 5, areaNames: [] }).title).toBe('警戒レベル5 緊急安全確保');
    const lift = householdMessage({ names: [], householdLabel: 'x', level: 'lift', areaNames: [], shelter: { name: 's', distanceM: 1 } });
    expect(lift.title).toBe('避難情報の解除');
    expect(lift.lines.join()).not.toMatch(/避難所|マイナンバーカード/);
    expect(distanceText(1234)).toBe('約1.2km');
  });
});

describe('targeting stored alerts (database)', async () => {
  const { database } = await buildTestApp({}, { demo: true });
  const db = database.db;
  const [yamada] = await db.select().from(households).where(eq(households.contractNo, 'CATV-0001'));
  const [sato] = await db.select().from(households).where(eq(households.contractNo, 'CATV-0002'));
  const ingest = async (name: string) => {
    const out = await ingestAlert(db, { municipalityCode: '162108', alert: parseAlertDocument(fixture(name)), channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 });
    return out.alertId;
  };

  it('the CAP order for district johana reaches the Yamada household by code; L-Alert circle + name-only area reach both', async () => {
    const cap = await ingest('cap-multilingual-nanto.xml');
    expect(await targetAlert(db, cap)).toBe(1);
    expect(await db.select({ h: alertTargets.householdId, by: alertTargets.matchedBy }).from(alertTargets).where(eq(alertTargets.alertId, cap))).toEqual([{ h: yamada!.id, by: 'code' }]);
    expect(await targetAlert(db, cap)).toBe(1); // idempotent

    const lAlert = await ingest('l-alert-v3-bare.xml');
    await targetAlert(db, lAlert);
    const rows = await db.select({ h: alertTargets.householdId, by: alertTargets.matchedBy }).from(alertTargets).where(eq(alertTargets.alertId, lAlert));
    expect(new Map(rows.map((r) => [r.h, r.by]))).toEqual(new Map([[yamada!.id, 'geometry'], [sato!.id, 'municipality']]));
  });

  it('each target keeps the shelter its text points to: the nearest the alert opens, else the nearest of all, at the distance turf measures', async () => {
    const allShelters = await db.select().from(shelters).innerJoin(organisations, eq(organisations.id, shelters.municipalityId)).where(eq(organisations.code, '162108'));
    const options = allShelters.map((r) => r.shelters);
    const home = { id: yamada!.id, districtId: null, districtCode: null, latitude: yamada!.latitude, longitude: yamada!.longitude };
    const nearest = nearestShelter(home, options)!;
    const farthest = options.map((s) => nearestShelter(home, [s])!).sort((a, b) => b.distanceM - a.distanceM)[0]!;
    expect(farthest.shelter.id).not.toBe(nearest.shelter.id);
    const stored = async (open: string[]) => {
      const alert = parseAlertDocument(Buffer.from(capXml({ identifier: `shelter-${randomUUID()}`, wholeMunicipality: true }).xml));
      alert.infos[0]!.parameters.push(...open.map((value) => ({ valueName: OPEN_SHELTER_PARAMETER, value })));
      const { alertId } = await ingestAlert(db, { municipalityCode: '162108', alert, channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 });
      const [row] = await db.select().from(alertTargets).where(and(eq(alertTargets.alertId, alertId), eq(alertTargets.householdId, yamada!.id)));
      return row!;
    };
    const any = await stored([]);
    expect(any.shelterId).toBe(nearest.shelter.id);
    expect(any.shelterDistanceM).toBeCloseTo(nearest.distanceM, 6);
    const opened = await stored([farthest.shelter.name]);
    expect(opened.shelterId).toBe(farthest.shelter.id);
    expect(opened.shelterDistanceM).toBeCloseTo(farthest.distanceM, 6);
    // Naming no shelter of this municipality is naming none.
    expect((await stored(['どこにもない避難所'])).shelterId).toBe(nearest.shelter.id);
  });

  it("each household's view: members' names, level, nearest shelter and distance, per language", async () => {
    const [taro] = await db.insert(persons).values({ name: '山田　太郎' }).returning();
    await db.insert(householdMembers).values({ householdId: yamada!.id, personId: taro!.id });
    // The CAP order of its own (a duplicate of the one another test may have stored answers the same id).
    const alertId = await ingest('cap-multilingual-nanto.xml');
    await targetAlert(db, alertId);
    const view = await householdAlertView(db, alertId, yamada!.id);
    expect(view!.map((v) => v.language)).toEqual(['ja-JP', 'en-US']);
    const ja = view![0]!.message;
    expect(ja.greeting).toBe('山田 太郎さんへ');
    expect(ja.title).toBe('警戒レベル4 避難指示');
    expect(ja.lines.find((l) => l.startsWith('最寄りの避難所'))).toMatch(/^最寄りの避難所: 城端小学校 体育館（約\d+m）$/);
    // The English <info> in English: the level's wording, the greeting, the shelter line and the reminders, the names as registered.
    const en = view![1]!.message;
    expect(en).toMatchObject({ title: 'Alert Level 4: Evacuation order', greeting: 'For 山田 太郎', colour: ja.colour });
    expect(en.lines).toContain('Evacuation order for Johana');
    expect(en.lines.find((l) => l.startsWith('Nearest shelter'))).toMatch(/^Nearest shelter: 城端小学校 体育館 \(about \d+ m\)$/);
    expect(en.lines).toContain('Bring your My Number Card when you evacuate.');
    expect(en.speech).not.toMatch(/避難|さん/);
    expect(await householdAlertView(db, alertId, sato!.id)).toBeNull();
  });

  it("a household's view names the shelter stored at targeting (what the TV is sent), never one it works out again", async () => {
    const { xml } = capXml({ identifier: `view-shelter-${randomUUID()}`, wholeMunicipality: true });
    const { alertId } = await ingestAlert(db, { municipalityCode: '162108', alert: parseAlertDocument(Buffer.from(xml)), channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 });
    const [target] = await db.select().from(alertTargets).where(and(eq(alertTargets.alertId, alertId), eq(alertTargets.householdId, yamada!.id)));
    // Another shelter than the nearest (as if one had opened or closed since): the view must follow the stored choice.
    const other = (await db.select().from(shelters).where(eq(shelters.municipalityId, (await db.select().from(organisations).where(eq(organisations.code, '162108')))[0]!.id)))
      .find((s) => s.id !== target!.shelterId)!;
    await db.update(alertTargets).set({ shelterId: other.id, shelterDistanceM: 4321 }).where(and(eq(alertTargets.alertId, alertId), eq(alertTargets.householdId, yamada!.id)));
    const view = await householdAlertView(db, alertId, yamada!.id);
    expect(view![0]!.message.lines).toContain(`最寄りの避難所: ${other.name}（約4.3km）`);
  });

  it('stores the distance to the nearest shelter the alert opens, not to the nearest of all (none named: all of them)', async () => {
    const all = await db.select().from(shelters);
    const opened = all.find((s) => s.name === '福光中学校 体育館')!;
    const near = all.find((s) => s.name === '城端小学校 体育館')!;
    const compose = (shelterNames: string[]) => composeAlert({
      municipality: { code: '162108', name: '南砺市' }, identifier: `open-shelter-${crypto.randomUUID()}`, sent: new Date(), status: 'Actual',
      msgType: 'Alert', references: [], expires: new Date(Date.now() + 3600_000),
      content: { level: 4, event: '', headline: '', description: '', districts: [{ code: 'johana', name: '城端地域' }], shelters: shelterNames.map((name) => ({ name })) },
    });
    const distanceFor = async (shelterNames: string[]) => {
      const out = await ingestAlert(db, { municipalityCode: '162108', alert: compose(shelterNames), channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 });
      const [row] = await db.select({ d: alertTargets.shelterDistanceM }).from(alertTargets).where(eq(alertTargets.alertId, out.alertId));
      return row!.d!;
    };
    const to = (s: typeof opened) => nearestShelter(yamada!, [s])!.distanceM;
    // 福光 is about 5 km from the Yamada home, 城端 under 1 km: the text must point where the officer opened.
    expect(to(opened)).toBeGreaterThan(to(near) * 3);
    expect(await distanceFor([opened.name])).toBeCloseTo(to(opened), 3);
    expect(await distanceFor([])).toBeCloseTo(to(near), 3);
  });
});

describe('a platform process aiming at its own TVs (tv-channel.ts) and the stored targets agree', async () => {
  const { database } = await buildTestApp({}, { demo: true });
  const db = database.db;
  await populateTown(db, 400);
  // A second shelter exactly where 城端小学校 is: households nearest to it must pick the same one of the two (the lower id) both ways.
  const [johanaSchool] = await db.select().from(shelters).where(eq(shelters.name, '城端小学校 体育館'));
  await db.insert(shelters).values({ ...johanaSchool!, id: undefined, name: '城端小学校 体育館（分館）' });
  const all = (await db.select({ id: households.id }).from(households)).map((h) => h.id);
  const homes = await homesOf(db, all);
  const ingest = async (alert: ReturnType<typeof parseAlertDocument>) =>
    (await ingestAlert(db, { municipalityCode: '162108', alert, channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 })).alertId;

  it.each([
    ['the whole municipality', () => capXml({ identifier: `aim-${randomUUID()}`, wholeMunicipality: true }).xml],
    ['a district by code', () => capXml({ identifier: `aim-${randomUUID()}`, district: 'inami' }).xml],
    // Its expiry moved after now: an alert expired on arrival is never targeted.
    ['a circle, and an area named only', () => fixture('l-alert-v3-bare.xml').toString().replaceAll('2026-12-01T10:00:00+09:00', capTime(new Date(Date.now() + 6 * 3600_000)))],
  ])('%s: the same households, the same shelters, the same distances', async (_, xml) => {
    const alertId = await ingest(parseAlertDocument(Buffer.from(xml())));
    const stored = new Map((await db.select().from(alertTargets).where(eq(alertTargets.alertId, alertId))).map((t) => [t.householdId, t]));
    const context = (await targetingContext(db, alertId))!;
    expect(homes.size).toBe(all.length);
    let withShelter = 0;
    for (const [householdId, home] of homes) {
      const aim = aimAt(context, home);
      const target = stored.get(householdId);
      expect({ householdId, reached: aim !== null }).toEqual({ householdId, reached: target !== undefined });
      if (!aim || !target) continue;
      expect(aim.shelter?.id ?? null).toBe(target.shelterId);
      if (aim.shelter) {
        withShelter += 1;
        expect(aim.shelter.distanceM).toBeCloseTo(target.shelterDistanceM!, 6);
      }
    }
    expect(stored.size).toBeGreaterThan(0);
    expect(withShelter).toBeGreaterThan(0);
  });

  it('breaks a tie between two shelters at one place by the lower id, as the database does', () => {
    const twins = [{ id: 'b', name: 'B', latitude: 36.5, longitude: 136.9 }, { id: 'a', name: 'A', latitude: 36.5, longitude: 136.9 }];
    expect(nearestShelter({ latitude: 36.51, longitude: 136.88 }, twins)!.shelter.id).toBe('a');
    expect(nearestShelter({ latitude: 36.51, longitude: 136.88 }, [...twins].reverse())!.shelter.id).toBe('a');
  });
});
