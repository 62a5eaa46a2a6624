import { randomUUID } from 'node:crypto';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestAlert } from '../../../platform/src/alerts/ingest.js';
import { parseAlertDocument } from '../../../platform/src/alerts/parse.js';
import { alertTargets } from '../../../platform/src/alerts/tv-views.js';
import { householdMembers, households, persons } from '../../../platform/src/db/schema/index.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { capXml } from '../../helpers/cap-messages.js';
import { freshDatabase, TEST_DB_KIND } from '../../helpers/database.js';

/**
 * The names an alert greets a household with are read from `household_names`, which triggers keep
 * (migration 0028) instead of the publish grouping the memberships itself. Whatever changes the
 * members — one joining, one renamed, one leaving, one joining at the same moment as another — the
 * next alert greets the household as it is now.
 */
describe('alert text: the household names kept for it follow every change of the members', async () => {
  const database = await freshDatabase();
  afterAll(() => database.close());
  const db = database.db;
  await seedDemoWorld(db);
  const [home] = await db.select().from(households).where(eq(households.contractNo, 'CATV-0002'));
  const homeId = home!.id;
  // Start from nobody, whatever the demo world put there.
  await db.update(householdMembers).set({ leftAt: new Date() }).where(and(eq(householdMembers.householdId, homeId), isNull(householdMembers.leftAt)));

  /** The names the next alert's text greets this household with. */
  const greeted = async (householdId = homeId) => {
    const alert = parseAlertDocument(Buffer.from(capXml({ identifier: `names-${randomUUID()}`, level: '4', wholeMunicipality: true }).xml));
    const { alertId } = await ingestAlert(db, { municipalityCode: '162108', alert, channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 });
    const [target] = await alertTargets(db, [alertId], [householdId]);
    return target!.household.names;
  };
  const person = async (name: string) => (await db.insert(persons).values({ name }).returning({ id: persons.id }))[0]!.id;
  const join = (personId: string) => db.insert(householdMembers).values({ householdId: homeId, personId });

  it('joining, renaming, an empty name, leaving: the next alert names who is there now, in the order they joined', async () => {
    expect(await greeted()).toEqual([]);
    const hanako = await person('砺波 花子');
    await join(hanako);
    expect(await greeted()).toEqual(['砺波 花子']);
    const jiro = await person('砺波 次郎');
    await join(jiro);
    expect(await greeted()).toEqual(['砺波 花子', '砺波 次郎']);
    await db.update(persons).set({ name: '城端 花子' }).where(eq(persons.id, hanako));
    expect(await greeted()).toEqual(['城端 花子', '砺波 次郎']);
    // Other columns changing leave the names as they are.
    await db.update(persons).set({ status: 'needs_reconfirmation' }).where(eq(persons.id, jiro));
    expect(await greeted()).toEqual(['城端 花子', '砺波 次郎']);
    await join(await person(''));
    expect(await greeted()).toEqual(['城端 花子', '砺波 次郎']);
    await db.update(householdMembers).set({ leftAt: new Date() }).where(and(eq(householdMembers.personId, hanako), isNull(householdMembers.leftAt)));
    expect(await greeted()).toEqual(['砺波 次郎']);
    // Moving to another household: named there, no longer here.
    const [other] = await db.select().from(households).where(ne(households.id, homeId)).limit(1);
    const before = await greeted(other!.id);
    await db.update(householdMembers).set({ householdId: other!.id }).where(eq(householdMembers.personId, jiro));
    expect(await greeted()).toEqual([]);
    expect(await greeted(other!.id)).toEqual([...before, '砺波 次郎']);
    await db.delete(householdMembers).where(eq(householdMembers.personId, jiro));
    expect(await greeted(other!.id)).toEqual(before);
  });

  it('two members joining at the same moment, in two transactions: the household is named with both', async () => {
    await db.update(householdMembers).set({ leftAt: new Date() }).where(and(eq(householdMembers.householdId, homeId), isNull(householdMembers.leftAt)));
    const [first, second] = [await person('福光 一郎'), await person('福光 二郎')];
    let firstInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (firstInserted = resolve));
    let secondStarted!: () => void;
    const started = new Promise<void>((resolve) => (secondStarted = resolve));
    const one = db.transaction(async (tx) => {
      await tx.insert(householdMembers).values({ householdId: homeId, personId: first });
      firstInserted();
      // Commits only once the second has sent its insert (on PostgreSQL: once that insert waits for this one).
      await started;
    });
    const two = (async () => {
      await inserted;
      const done = db.transaction(async (tx) => {
        await tx.insert(householdMembers).values({ householdId: homeId, personId: second });
      });
      if (TEST_DB_KIND === 'postgres') {
        // The second insert's trigger waits on the household row the first one locked.
        for (;;) {
          const { rows } = await db.execute(sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`) as unknown as { rows: { n: number }[] };
          if (rows[0]!.n > 0) break;
          await new Promise((r) => setImmediate(r));
        }
      }
      secondStarted();
      await done;
    })();
    await Promise.all([one, two]);
    expect(await greeted()).toEqual(['福光 一郎', '福光 二郎']);
  });
});
