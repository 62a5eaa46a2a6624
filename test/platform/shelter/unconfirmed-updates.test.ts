import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { alertReceipts, alerts, alertTargets } from '../../../platform/src/alerts/schema.js';
import { households } from '../../../platform/src/db/schema/index.js';
import { DEMO_HOUSEHOLDS, DEMO_SHELTERS } from '../../../platform/src/demo/world.js';
import type { EventBatchResult, UnconfirmedList } from '../../../platform/src/shelter/shelter-schemas.js';
import { buildTestApp } from '../../helpers/app.js';
import { eventMaker, householdMember, tabletWithStaff } from '../../helpers/shelter.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

// 安否未確認 across an Update: the order changed, the people did not. Someone seen at a shelter
// since the first message of the chain, or a household that answered 「避難しました」 to any of its
// messages, is not sent a visitor again; 「自宅で安全です」 is asked again of a changed order (a
// higher level may mean home is no longer safe).

const t = await buildTestApp({}, { demo: true });
const db = t.database.db;

async function message(municipalityId: string, identifier: string, sentAt: Date, contractNos: string[]) {
  const [alert] = await db.insert(alerts).values({
    municipalityId, sender: 'test@nanto', identifier, sent: sentAt.toISOString(), sentAt, bodyHash: identifier, format: 'cap-1.2', status: 'Actual',
    msgType: 'Alert', state: 'active', level: '3', expiresAt: new Date(Date.now() + 86_400_000), channel: 'cli', document: {},
  }).returning();
  for (const contractNo of contractNos) {
    const [h] = await db.select().from(households).where(eq(households.contractNo, contractNo));
    await db.insert(alertTargets).values({ alertId: alert!.id, householdId: h!.id, districtId: h!.districtId, matchedBy: 'code' });
  }
  return alert!.id;
}

async function answered(alertId: string, index: 0 | 1, answer: 'evacuated' | 'safe_at_home') {
  const [h] = await db.select().from(households).where(eq(households.contractNo, DEMO_HOUSEHOLDS[index].contractNo));
  await db.insert(alertReceipts).values({ alertId, deviceId: DEMO_HOUSEHOLDS[index].tv.id, householdId: h!.id, kind: 'acknowledged', answer });
}

describe('安否未確認 across an Update', () => {
  it('keeps off the list someone checked in before the Update and a household that answered 避難しました to the first message; asks again of 自宅で安全です', async () => {
    const nanto = await orgId(db, '162108');
    const tablet = await tabletWithStaff(db, nanto, DEMO_SHELTERS[0].name);
    const officer = (await staffWithSession(db, nanto, ['municipality.disaster'])).authorization;
    const [taro, hanako, ichiro] = [
      await householdMember(db, '山田　太郎', DEMO_HOUSEHOLDS[0].contractNo), await householdMember(db, '山田　花子', DEMO_HOUSEHOLDS[0].contractNo),
      await householdMember(db, '佐藤　一郎', DEMO_HOUSEHOLDS[1].contractNo),
    ];
    const contracts = [DEMO_HOUSEHOLDS[0].contractNo, DEMO_HOUSEHOLDS[1].contractNo];
    const first = await message(nanto, 'chain-1', new Date(Date.now() - 2 * 3600_000), contracts);
    // 太郎 checks in at a shelter; 山田さん宅 answers 自宅で安全です, 佐藤さん宅 避難しました.
    const event = eventMaker(1)('checkin', { method: 'household', personId: taro });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/shelter/events', headers: tablet.headers, payload: { events: [event] } });
    expect((res.json() as EventBatchResult).results[0]!.status).toBe('recorded');
    await answered(first, 0, 'safe_at_home');
    await answered(first, 1, 'evacuated');
    const list = async () => ((await t.app.inject({ method: 'GET', url: '/api/v1/console/shelters/unconfirmed', headers: { authorization: officer } })).json() as UnconfirmedList)
      .people.map((p) => p.personId);
    expect(await list()).toEqual([]);

    // The order is raised (an Update, sent after the check-in and the answers): the same households.
    const update = await message(nanto, 'chain-2', new Date(Date.now() + 60_000), contracts);
    await db.update(alerts).set({ state: 'superseded', supersededBy: update }).where(eq(alerts.id, first));
    expect(await list()).toEqual([hanako]);
    expect(await list()).not.toContain(taro);
    expect(await list()).not.toContain(ichiro);
  });
});
