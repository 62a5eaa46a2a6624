import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { serviceUids, sessions } from '../../../platform/src/db/schema/index.js';
import { feedDevCrls } from '../../../platform/src/demo/dev-jpki.js';
import { revokeCertificate } from '../../../platform/src/jpki/dev-center/index.js';
import { verifyBundle } from '../../../platform/src/pension/evidence-bundle.js';
import { MAX_FAILURES } from '../../../platform/src/pension/link-codes.js';
import { pensionPolicies, pensionSubmissions } from '../../../platform/src/pension/schema.js';
import { RENEW_NOTICE } from '../../../platform/src/pension/submissions.js';
import { AppError } from '../../../platform/src/shared/errors.js';
import { loadEvidenceTrust } from '../../../platform/src/pension/trust.js';
import { IdentityFlow } from '../../helpers/identity-flow.js';
import { DEMO_PENSION, nextPeriod, PensionWorld, UNCHANGED } from '../../helpers/pension.js';

const flow = await IdentityFlow.start();
const world = await PensionWorld.start(flow);
const db = flow.t.database.db;
const { period, month } = nextPeriod();
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000);
const day = (d: Date) => new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 10);

/** Links `policy` for the resident as the TV does: preview, then consent (a fresh session). */
async function linked(r: Awaited<ReturnType<PensionWorld['resident']>>, code: string, shareBasic4 = false) {
  const preview = await world.tv('POST', '/api/v1/pension/link-codes/preview', r.headers, { code });
  expect(preview.status, JSON.stringify(preview.body)).toBe(200);
  const link = await world.tv('POST', '/api/v1/pension/links', r.headers, { code, shareBasic4 });
  expect(link.status, JSON.stringify(link.body)).toBe(201);
  return { preview: preview.body, link: link.body };
}

let campaignPeriodUsed = false;
/** The demo insurer's campaign for next month (opened once per file; later policies join it when linked). */
async function campaign() {
  if (!campaignPeriodUsed) {
    const res = await world.console({ method: 'POST', url: '/campaigns', payload: { title: '年金現況確認 テスト', period, deadline: inDays(20).toISOString(), reminderDates: [day(inDays(10))] } });
    expect(res.status, res.raw).toBe(201);
    campaignPeriodUsed = true;
  }
  const list = await world.console({ method: 'GET', url: '/campaigns' });
  return list.body.campaigns.find((c: { period: string }) => c.period === period) as { id: string; progress: Record<string, number> };
}

/** Opens the campaign item in the resident's inbox, prepares the form and signs it with `key`. */
async function signAndSubmit(r: Awaited<ReturnType<PensionWorld['resident']>>, policyId: string, declarations: object = UNCHANGED, key: 'sign' | 'auth' = 'sign') {
  const c = await campaign();
  const draft = await world.tv('POST', '/api/v1/pension/confirmations/drafts', r.headers, { campaignId: c.id, policyId, declarations });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  const signed = await r.card.reader.sign(key, key === 'sign' ? r.card.signPin : r.card.authPin, draft.body.sign.digestInfo);
  return { draft: { ...draft.body, signed }, res: await world.tv('POST', '/api/v1/pension/confirmations', r.headers, { draftId: draft.body.draftId, ...signed }) };
}

/** A form prepared for `policyId` (linked to `r`) in this file's campaign, and signed with `r`'s card, not sent. */
async function signedForm(r: Awaited<ReturnType<PensionWorld['resident']>>, policyId: string) {
  const c = await campaign();
  const draft = await world.tv('POST', '/api/v1/pension/confirmations/drafts', r.headers, { campaignId: c.id, policyId, declarations: UNCHANGED });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  return { draftId: draft.body.draftId as string, ...(await r.card.reader.sign('sign', r.card.signPin, draft.body.sign.digestInfo)) };
}

/** The submissions stored for a draft (their ids). */
/**
 * For this test, the timestamp server answers no one until two seals wait on it (or `release()`,
 * when a send ends before reaching it): two sends then store at the same moment.
 */
async function timestampsInPairs(): Promise<{ release: () => void; arrived: () => number }> {
  const tsa = (await flow.t.app.pensionSeal.context()).tsa;
  const real = tsa.timestamp.bind(tsa);
  let release!: () => void;
  const bothThere = new Promise<void>((resolve) => { release = resolve; });
  let arrived = 0;
  const gate = vi.spyOn(tsa, 'timestamp').mockImplementation(async (data) => {
    if (++arrived === 2) release();
    await bothThere;
    return real(data);
  });
  onTestFinished(() => gate.mockRestore());
  return { release, arrived: () => arrived };
}

async function submissionsOf(draftId: string): Promise<string[]> {
  const rows = await db.select({ id: pensionSubmissions.id }).from(pensionSubmissions).where(eq(pensionSubmissions.draftId, draftId));
  return rows.map((row) => row.id);
}

describe('policies and link codes', () => {
  it('registers policies one by one or by CSV; each code is answered once and never listed', async () => {
    const one = await world.policy(month);
    expect(one.linkCode).toMatch(/^\d{4}-\d{4}-\d{4}$/);
    const csv = await world.console({ method: 'POST', url: '/policies/csv', payload: { csv: 'policyRef,dueMonth\nCSV-1,3\r\nCSV-2,4\n' } });
    expect(csv.status, csv.raw).toBe(201);
    expect(csv.body.policies.map((p: { policyRef: string }) => p.policyRef)).toEqual(['CSV-1', 'CSV-2']);
    const bad = await world.console({ method: 'POST', url: '/policies/csv', payload: { csv: 'CSV-3,13' } });
    expect(bad.body.error.code).toBe('REQ_INVALID');
    const again = await world.console({ method: 'POST', url: '/policies/csv', payload: { csv: 'CSV-4,1\nCSV-1,2' } });
    expect(again.body.error.code).toBe('REQ_INVALID');
    const list = await world.console({ method: 'GET', url: '/policies' });
    expect(list.raw).not.toContain(one.linkCode);
    expect(list.body.policies.map((p: { policyRef: string }) => p.policyRef)).not.toContain('CSV-4');
    const [row] = await db.select().from(pensionPolicies).where(eq(pensionPolicies.id, one.id));
    expect(row!.linkCodeHash).not.toContain(one.linkCode.replace(/-/g, ''));
  });

  it('links with consent: the insurer sees its own UID (and the 基本4情報 only if ticked), nothing for another insurer', async () => {
    const r = await world.resident();
    const policy = await world.policy(month);
    const { preview, link } = await linked(r, policy.linkCode, true);
    expect(preview).toMatchObject({ insurer: { providerId: DEMO_PENSION }, policyRef: policy.policyRef, serviceUid: null });
    // Said before consent, truthfully: each signed 現況確認届 carries the sign certificate, which states the 基本4情報 whatever is ticked.
    expect(preview).toMatchObject({ receives: ['serviceUid', 'policyRef'], receivesWhenSigning: ['document', 'signCertificate', 'basic4'] });
    const [uid] = await db.select().from(serviceUids).where(eq(serviceUids.personId, r.personId));
    expect(link.serviceUid).toBe(uid!.uid);
    const list = await world.console({ method: 'GET', url: '/policies' });
    const seen = list.body.policies.find((p: { id: string }) => p.id === policy.id);
    expect(seen).toMatchObject({ linked: true, serviceUid: uid!.uid, basic4: { name: r.card.name, address: r.card.address }, certificateStatus: 'good' });
    const other = await world.console({ method: 'GET', url: '/policies' }, world.otherClerk);
    expect(other.raw).not.toContain(uid!.uid);
    expect((await world.console({ method: 'POST', url: `/policies/${policy.id}/link-code` }, world.otherClerk)).body.error.code).toBe('STAFF_OUT_OF_SCOPE');

    // Without the tick, no 基本4情報.
    const second = await world.policy(1);
    await linked(r, second.linkCode, false);
    const again = (await world.console({ method: 'GET', url: '/policies' })).body.policies.find((p: { id: string }) => p.id === second.id);
    expect(again).toMatchObject({ linked: true, serviceUid: uid!.uid, basic4: null });
  });

  it('refuses a used code (replay, or someone else using it), an expired code, and a stale consent', async () => {
    const [a, b] = [await world.resident(), await world.resident()];
    const policy = await world.policy(month);
    await linked(a, policy.linkCode);
    for (const who of [a, b]) {
      const res = await world.tv('POST', '/api/v1/pension/links', who.headers, { code: policy.linkCode, shareBasic4: false });
      expect(res.body.error.code).toBe('PENSION_LINK_CODE_INVALID');
    }
    const expired = await world.policy(month);
    await db.update(pensionPolicies).set({ linkCodeExpiresAt: new Date(Date.now() - 1000) }).where(eq(pensionPolicies.id, expired.id));
    expect((await world.tv('POST', '/api/v1/pension/link-codes/preview', b.headers, { code: expired.linkCode })).body.error.code).toBe('PENSION_LINK_CODE_INVALID');

    const fresh = await world.policy(month);
    await db.update(sessions).set({ createdAt: new Date(Date.now() - 3600_000) }).where(eq(sessions.personId, b.personId));
    expect((await world.tv('POST', '/api/v1/pension/links', b.headers, { code: fresh.linkCode, shareBasic4: false })).body.error.code).toBe('PENSION_CONSENT_STALE');
  });

  it(`stops a TV after ${MAX_FAILURES} wrong codes, even for a right one`, async () => {
    const r = await world.resident();
    const policy = await world.policy(month);
    for (let i = 1; i <= MAX_FAILURES; i++) {
      const res = await world.tv('POST', '/api/v1/pension/link-codes/preview', r.headers, { code: '0000-0000-0000' });
      expect(res.body.error).toMatchObject({ code: 'PENSION_LINK_CODE_INVALID', details: { triesLeft: MAX_FAILURES - i } });
    }
    const res = await world.tv('POST', '/api/v1/pension/link-codes/preview', r.headers, { code: policy.linkCode });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('PENSION_LINK_TRIES_EXCEEDED');
  });

  it('unlinking from "services that know me" ends the link: the insurer sees it unlinked, the form cannot be prepared', async () => {
    const r = await world.resident();
    const policy = await world.policy(month);
    await linked(r, policy.linkCode);
    const c = await campaign();
    expect((await world.tv('DELETE', `/api/v1/me/services/${DEMO_PENSION}`, r.headers)).status).toBe(204);
    const seen = (await world.console({ method: 'GET', url: '/policies' })).body.policies.find((p: { id: string }) => p.id === policy.id);
    expect(seen).toMatchObject({ linked: false, serviceUid: null });
    const draft = await world.tv('POST', '/api/v1/pension/confirmations/drafts', r.headers, { campaignId: c.id, policyId: policy.id, declarations: UNCHANGED });
    expect(draft.body.error.code).toBe('REQ_NOT_FOUND');
  });

  it('a form prepared and signed before unlinking is refused once the policy went to its new holder; they answer, and the old holder\'s inbox shows nothing of theirs', async () => {
    const [x, y] = [await world.resident(), await world.resident()];
    const policy = await world.policy(month);
    await linked(x, policy.linkCode);
    const c = await campaign();
    const form = await signedForm(x, policy.id);
    expect((await world.tv('DELETE', `/api/v1/me/services/${DEMO_PENSION}`, x.headers)).status).toBe(204);
    const code = await world.console({ method: 'POST', url: `/policies/${policy.id}/link-code` });
    expect(code.status, code.raw).toBe(201);
    await linked(y, code.body.linkCode);

    const late = await world.tv('POST', '/api/v1/pension/confirmations', x.headers, form);
    expect([late.status, late.body.error?.code]).toEqual([409, 'PENSION_POLICY_NOT_LINKED']);
    const answered = await signAndSubmit(y, policy.id, UNCHANGED);
    expect(answered.res.status, JSON.stringify(answered.res.body)).toBe(201);

    const inbox = await world.tv('GET', '/api/v1/pension/inbox', x.headers);
    const item = inbox.body.items.find((i: { campaignId: string | null }) => i.campaignId === c.id);
    const opened = await world.tv('POST', `/api/v1/pension/inbox/${item.id}/open`, x.headers);
    expect(opened.status).toBe(200);
    expect(opened.body.confirmation).toMatchObject({ policyId: policy.id, open: false, submission: null });
  });

  it('a form prepared before unlinking and linking again (a new UID) is refused: it names the retired UID', async () => {
    const r = await world.resident();
    const policy = await world.policy(month);
    await linked(r, policy.linkCode);
    const form = await signedForm(r, policy.id);
    expect((await world.tv('DELETE', `/api/v1/me/services/${DEMO_PENSION}`, r.headers)).status).toBe(204);
    const code = await world.console({ method: 'POST', url: `/policies/${policy.id}/link-code` });
    await linked(r, code.body.linkCode);
    const late = await world.tv('POST', '/api/v1/pension/confirmations', r.headers, form);
    expect([late.status, late.body.error?.code]).toEqual([409, 'PENSION_POLICY_NOT_LINKED']);
  });
});

describe('campaigns, inbox and the signed 現況確認届', () => {
  it('puts the campaign in the inbox with a badge; signing gives a sealed, timestamped submission whose bundle verifies', async () => {
    const r = await world.resident();
    const policy = await world.policy(month);
    await linked(r, policy.linkCode);
    const c = await campaign();
    const inbox = await world.tv('GET', '/api/v1/pension/inbox', r.headers);
    expect(inbox.body.unread).toBe(1); // the reminder is for a later day
    expect(inbox.body.items).toHaveLength(1);
    expect((await world.tv('GET', '/api/v1/pension/inbox/badge', r.headers)).body).toEqual({ unread: 1 });
    const opened = await world.tv('POST', `/api/v1/pension/inbox/${inbox.body.items[0].id}/open`, r.headers);
    expect(opened.body.confirmation).toMatchObject({ campaignId: c.id, policyId: policy.id, period, open: true, submission: null });
    expect((await world.tv('GET', '/api/v1/pension/inbox/badge', r.headers)).body).toEqual({ unread: 0 });

    const { draft, res } = await signAndSubmit(r, policy.id, { ...UNCHANGED, addressUnchanged: false, changes: '富山市に引っ越しました' });
    expect(draft.lines).toContain('住所が変わりました。');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ state: 'sealed', changesDeclared: true });
    expect(Number.isNaN(Date.parse(res.body.signedAt))).toBe(false);

    const subs = await world.console({ method: 'GET', url: `/submissions?campaignId=${c.id}` });
    const mine = subs.body.submissions.find((s: { id: string }) => s.id === res.body.id);
    expect(mine).toMatchObject({ state: 'status_changed', policyRef: policy.policyRef, changes: '富山市に引っ越しました' });
    const bundle = await world.console({ method: 'GET', url: `/submissions/${res.body.id}/bundle` });
    expect(bundle.status).toBe(200);
    const verified = await verifyBundle(bundle.raw, await loadEvidenceTrust(flow.t.centerDir));
    expect(verified).toMatchObject({ ok: true });
    expect((await world.console({ method: 'GET', url: `/submissions/${res.body.id}/bundle` }, world.otherClerk)).body.error.code).toBe('STAFF_OUT_OF_SCOPE');
    expect((await world.console({ method: 'GET', url: '/submissions' }, world.otherClerk)).raw).not.toContain(res.body.id);

    const progress = (await campaign()).progress;
    expect(progress.submitted).toBeGreaterThanOrEqual(1);
    expect(progress.opened).toBeGreaterThanOrEqual(1);
    // Answered once: a second draft is refused.
    const second = await world.tv('POST', '/api/v1/pension/confirmations/drafts', r.headers, { campaignId: c.id, policyId: policy.id, declarations: UNCHANGED });
    expect(second.body.error.code).toBe('PENSION_ALREADY_SUBMITTED');
  });

  it('refuses a signature by the auth certificate, a used draft with another signature, and another person\'s card; the same signature again gets its submission', async () => {
    const [r, other] = [await world.resident(), await world.resident()];
    const policy = await world.policy(month);
    await linked(r, policy.linkCode);
    const byAuth = await signAndSubmit(r, policy.id, UNCHANGED, 'auth');
    expect(byAuth.res.body.error.code).toBe('PKI_WRONG_PURPOSE');

    const c = await campaign();
    const draft = await world.tv('POST', '/api/v1/pension/confirmations/drafts', r.headers, { campaignId: c.id, policyId: policy.id, declarations: UNCHANGED });
    const notMine = await other.card.reader.sign('sign', other.card.signPin, draft.body.sign.digestInfo);
    expect((await world.tv('POST', '/api/v1/pension/confirmations', r.headers, { draftId: draft.body.draftId, ...notMine })).body.error.code).toBe('AUTH_CARD_NOT_YOURS');
    const mine = await r.card.reader.sign('sign', r.card.signPin, draft.body.sign.digestInfo);
    const ok = await world.tv('POST', '/api/v1/pension/confirmations', r.headers, { draftId: draft.body.draftId, ...mine });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.state).toBe('sealed');
    // The same signature again (its answer lost on the way to the TV) gets the stored submission; another is refused.
    const replay = await world.tv('POST', '/api/v1/pension/confirmations', r.headers, { draftId: draft.body.draftId, ...mine });
    expect(replay.status, JSON.stringify(replay.body)).toBe(201);
    expect(replay.body).toEqual(ok.body);
    const byAuthKey = await r.card.reader.sign('auth', r.card.authPin, draft.body.sign.digestInfo);
    const notThatOne = await world.tv('POST', '/api/v1/pension/confirmations', r.headers, { draftId: draft.body.draftId, ...mine, signature: byAuthKey.signature });
    expect(notThatOne.body.error.code).toBe('PENSION_DRAFT_EXPIRED');
    // Another person's session cannot use the draft either.
    expect((await world.tv('POST', '/api/v1/pension/confirmations', other.headers, { draftId: draft.body.draftId, ...mine })).body.error.code).toBe('AUTH_CARD_NOT_YOURS');
  });

  it('a seal that failed on the way (no timestamp) leaves the draft: the same signature sent again is sealed, once', async () => {
    const r = await world.resident();
    const policy = await world.policy(month);
    await linked(r, policy.linkCode);
    const tsa = (await flow.t.app.pensionSeal.context()).tsa;
    const down = vi.spyOn(tsa, 'timestamp').mockRejectedValueOnce(new AppError('TSA_UNAVAILABLE'));
    onTestFinished(() => down.mockRestore());
    const { draft, res } = await signAndSubmit(r, policy.id);
    expect(res.body.error.code).toBe('TSA_UNAVAILABLE');
    const again = await world.tv('POST', '/api/v1/pension/confirmations', r.headers, { draftId: draft.draftId, ...draft.signed });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.state).toBe('sealed');
    expect(await submissionsOf(draft.draftId)).toEqual([again.body.id]);
  });

  it('one draft sent twice at once (both sealing): stored once, both told the same submission', async () => {
    const r = await world.resident();
    const policy = await world.policy(month);
    await linked(r, policy.linkCode);
    const c = await campaign();
    const draft = await world.tv('POST', '/api/v1/pension/confirmations/drafts', r.headers, { campaignId: c.id, policyId: policy.id, declarations: UNCHANGED });
    const signed = await r.card.reader.sign('sign', r.card.signPin, draft.body.sign.digestInfo);
    // Both sends reach the timestamp before either is stored (or one is refused before it: then the other goes on).
    const { release } = await timestampsInPairs();
    const send = () => world.tv('POST', '/api/v1/pension/confirmations', r.headers, { draftId: draft.body.draftId, ...signed }).finally(release);
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status], JSON.stringify([a.body, b.body])).toEqual([201, 201]);
    expect(b.body).toEqual(a.body);
    expect(await submissionsOf(draft.body.draftId)).toEqual([a.body.id]);
  });

  it('two different drafts of one policy sealing at once: one is stored, the other is PENSION_ALREADY_SUBMITTED (409)', async () => {
    const r = await world.resident();
    const policy = await world.policy(month);
    await linked(r, policy.linkCode);
    const [first, second] = [await signedForm(r, policy.id), await signedForm(r, policy.id)];
    // Both pass "not yet submitted" and reach the timestamp before either is stored.
    const { release, arrived } = await timestampsInPairs();
    const send = (body: object) => world.tv('POST', '/api/v1/pension/confirmations', r.headers, body).finally(release);
    const answers = await Promise.all([send(first), send(second)]);
    expect(arrived(), 'both reached the seal').toBe(2);
    const [won, lost] = answers[0]!.status === 201 ? answers : [answers[1]!, answers[0]!];
    expect([won!.status, lost!.status, lost!.body.error?.code], JSON.stringify(answers.map((a) => a.body))).toEqual([201, 409, 'PENSION_ALREADY_SUBMITTED']);
    const stored = await db.select({ id: pensionSubmissions.id }).from(pensionSubmissions).where(eq(pensionSubmissions.policyId, policy.id));
    expect(stored.map((row) => row.id)).toEqual([won!.body.id]);
  });

  it('a revoked sign certificate: refused, the TV asks to renew, the insurer sees "certificate status changed" — nothing else', async () => {
    const r = await world.resident();
    const policy = await world.policy(month);
    await linked(r, policy.linkCode);
    await revokeCertificate(flow.t.centerDir, { card: r.card.file, which: 'sign' }, 'affiliationChanged', { now: new Date(Date.now() - 60_000) });
    await feedDevCrls(flow.t.identity, flow.t.centerDir);
    const { res } = await signAndSubmit(r, policy.id);
    expect(res.body.error.code).toBe('PKI_REVOKED');
    const inbox = await world.tv('GET', '/api/v1/pension/inbox', r.headers);
    const renew = inbox.body.items.find((i: { kind: string }) => i.kind === 'status_changed');
    // Shown on the TV as stored: in its plain words (no 署名用; tests/stb-ui/tv/plain-words checks RENEW_NOTICE).
    expect({ title: renew.title, body: renew.body }).toEqual(RENEW_NOTICE);
    const seen = (await world.console({ method: 'GET', url: '/policies' })).body.policies.find((p: { id: string }) => p.id === policy.id);
    expect(seen.certificateStatus).toBe('changed');
    expect(JSON.stringify(seen) + JSON.stringify(inbox.body)).not.toMatch(/死亡|deceased|death/i);
  });

  it('notices from the insurer reach the linked holder; the insurer API lists its own submissions since a cursor', async () => {
    const r = await world.resident();
    const policy = await world.policy(month);
    await linked(r, policy.linkCode);
    const notice = await world.console({ method: 'POST', url: `/policies/${policy.id}/notices`, payload: { title: 'お知らせ', body: '書類を送りました。' } });
    expect(notice.status).toBe(201);
    expect((await world.tv('GET', '/api/v1/pension/inbox', r.headers)).body.items.some((i: { kind: string }) => i.kind === 'notice')).toBe(true);
    const { res } = await signAndSubmit(r, policy.id);
    expect(res.status).toBe(201);

    const cred = await world.console({ method: 'POST', url: '/api-credentials', payload: { label: '基幹システム' } }, world.admin.authorization);
    expect(cred.status).toBe(201);
    const api = (url: string, authorization = `Insurer ${cred.body.credential}`) => flow.t.app.inject({ method: 'GET', url, headers: { authorization } });
    const first = await api('/api/v1/insurer/submissions?limit=500');
    expect(first.statusCode).toBe(200);
    const listed = first.json().submissions as { id: string; cursor: string }[];
    expect(listed.map((s) => s.id)).toContain(res.body.id);
    const before = listed[listed.findIndex((s) => s.id === res.body.id) - 1];
    const since = await api(`/api/v1/insurer/submissions?since=${before?.cursor ?? ''}`);
    if (before) expect(since.json().submissions?.[0]?.id, since.body).toBe(res.body.id);
    const mine = listed.find((s) => s.id === res.body.id)!;
    const after = await api(`/api/v1/insurer/submissions?since=${mine.cursor}`);
    expect(after.statusCode).toBe(200);
    expect(after.json().submissions.map((s: { id: string }) => s.id)).not.toContain(res.body.id);
    expect((await api(`/api/v1/insurer/submissions/${res.body.id}/bundle`)).statusCode).toBe(200);
    expect((await api('/api/v1/insurer/submissions', 'Insurer nope')).json().error.code).toBe('PENSION_API_UNAUTHORIZED');

    const otherCred = await world.console({ method: 'POST', url: '/api-credentials', payload: { label: 'ほか' } }, world.otherAdmin);
    const foreign = await api(`/api/v1/insurer/submissions/${res.body.id}/bundle`, `Insurer ${otherCred.body.credential}`);
    expect(foreign.json().error.code).toBe('REQ_NOT_FOUND');
    expect((await api('/api/v1/insurer/submissions', `Insurer ${otherCred.body.credential}`)).body).not.toContain(res.body.id);
  });
});
