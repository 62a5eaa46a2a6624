import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { certificates, devices, districts, householdMembers, households, organisations, persons, shelters } from '../db/schema/index.js';
import type { IdentityDeps } from '../identity/deps.js';
import { issueCard, writeCardFile } from '../jpki/dev-center/index.js';
import type { CardFile } from '../shared/card-file.js';
import { hashDeviceSecret } from './seed.js';
import { DEMO_DRILL, DEMO_MUNICIPALITY, DEMO_OPERATOR, DEMO_TABLET, DEMO_TABLET_2, drillCardId, drillName } from './world.js';

/**
 * The demo shelter tablets (two desks at one shelter), bound to their shelter. Idempotent and separate from the world's one-time
 * seed, so a data folder seeded before the tablet existed gets it too.
 */
export async function ensureDemoTablet(db: Db): Promise<void> {
  const [shelter] = await db.select({ id: shelters.id }).from(shelters)
    .innerJoin(organisations, eq(organisations.id, shelters.municipalityId))
    .where(and(eq(shelters.name, DEMO_TABLET.shelter), eq(organisations.code, DEMO_MUNICIPALITY.code)));
  if (!shelter) return;
  await db.insert(devices).values([DEMO_TABLET, DEMO_TABLET_2].map((t) => ({
    id: t.id, kind: 'tablet' as const, label: t.label, shelterId: shelter.id, credentialHash: hashDeviceSecret(t.secret),
  }))).onConflictDoNothing();
}


/**
 * `DEMO_DRILL_RESIDENTS=N`: issues N drill cards (`drill-01`…) into the demo card bay's folder and
 * registers each person in a drill household of 南砺市 (persons, auth certificate with its
 * digest, membership), as the TV registration would leave them. Idempotent per card: an existing
 * card and an already registered person are left as they are. Answers the card ids it issued.
 */
export async function ensureDrillResidents(deps: IdentityDeps, centerDir: string, cardsDir: string, count: number): Promise<string[]> {
  const issued: string[] = [];
  for (let n = 1; n <= count; n++) {
    const id = drillCardId(n);
    const path = join(cardsDir, `${id}.json`);
    if (existsSync(path)) continue;
    const { card } = await issueCard(centerDir, {
      id, name: drillName(n), birth: `${1940 + (n % 60)}-0${(n % 9) + 1}-1${n % 10}`, gender: n % 2 ? '1' : '2',
      address: `富山県南砺市城端${900 + Math.ceil(n / DEMO_DRILL.perHousehold)}番地`, authPin: DEMO_DRILL.authPin, signPin: DEMO_DRILL.signPin,
    });
    await writeCardFile(path, card);
    issued.push(id);
  }
  for (let n = 1; n <= count; n++) await registerDrillResident(deps, cardsDir, n);
  return issued;
}

async function registerDrillResident(deps: IdentityDeps, cardsDir: string, n: number): Promise<void> {
  const card = JSON.parse(readFileSync(join(cardsDir, `${drillCardId(n)}.json`), 'utf8')) as CardFile;
  const chain = await deps.jpki.verify(deps.jpki.parse(card.files['000A']!), 'auth');
  const lookupKey = deps.jpki.lookupKeyOf(chain);
  const { db } = deps;
  if ((await db.select({ id: certificates.id }).from(certificates).where(eq(certificates.lookupKey, lookupKey))).length) return;
  const contractNo = `CATV-DRILL-${String(Math.ceil(n / DEMO_DRILL.perHousehold)).padStart(2, '0')}`;
  await db.transaction(async (tx) => {
    let [household] = await tx.select({ id: households.id }).from(households).where(eq(households.contractNo, contractNo));
    if (!household) {
      const [operator] = await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.code, DEMO_OPERATOR.code));
      const [district] = await tx.select({ id: districts.id }).from(districts).where(eq(districts.code, DEMO_DRILL.district));
      [household] = await tx.insert(households).values({ operatorId: operator!.id, contractNo, districtId: district!.id, label: `訓練 ${contractNo.slice(-2)} 宅` }).returning({ id: households.id });
    }
    const [person] = await tx.insert(persons).values({ name: drillName(n), consentedAt: new Date() }).returning({ id: persons.id });
    await tx.insert(certificates).values({
      personId: person!.id, purpose: 'auth', cardId: crypto.randomUUID(), lookupKey, derSha256: chain.certificate.fingerprint,
      rootGeneration: chain.rootGeneration, notBefore: chain.notBefore, notAfter: chain.notAfter,
    });
    await tx.insert(householdMembers).values({ householdId: household!.id, personId: person!.id });
  });
}
