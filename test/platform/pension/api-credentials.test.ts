import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../platform/src/app.js';
import { auditLog } from '../../../platform/src/db/schema/index.js';
import { MAX_DEADLINE_AHEAD_DAYS } from '../../../platform/src/pension/campaigns.js';
import { IdentityFlow } from '../../helpers/identity-flow.js';
import { PensionWorld } from '../../helpers/pension.js';

/**
 * The insurer's API credentials in the console: the admin lists, issues and revokes them (a clerk
 * may not: a standing credential reads every submission and outlives any session). A revoked
 * credential is refused on its very next request, in every platform process, with its own 401 code.
 */
const flow = await IdentityFlow.start();
const world = await PensionWorld.start(flow);
const db = flow.t.database.db;
// A second platform process on the same database (as behind a load balancer): it caches nothing either.
const second = await buildApp({ config: flow.t.config, database: flow.t.database, jpki: flow.t.jpki });
afterAll(() => second.close());

const issue = async (label: string, as = world.admin.authorization) => {
  const res = await world.console({ method: 'POST', url: '/api-credentials', payload: { label } }, as);
  expect(res.status, res.raw).toBe(201);
  return res.body as { id: string; credential: string };
};
const list = async (as = world.admin.authorization) => world.console({ method: 'GET', url: '/api-credentials' }, as);
const revoke = (id: string, as = world.admin.authorization) => world.console({ method: 'POST', url: `/api-credentials/${id}/revoke` }, as);
const callApi = async (app: typeof second, credential: string) => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/insurer/submissions', headers: { authorization: `Insurer ${credential}` } });
  return { status: res.statusCode, code: res.statusCode === 200 ? null : (res.json().error.code as string) };
};

describe('insurer API credentials in the console', () => {
  it('the admin issues one (secret shown once), the list shows label and dates but never the secret', async () => {
    const cred = await issue('基幹システム 本番');
    const secret = cred.credential.split('.')[1]!;
    const res = await list();
    expect(res.status).toBe(200);
    const mine = res.body.credentials.find((c: { id: string }) => c.id === cred.id);
    expect(mine).toMatchObject({ label: '基幹システム 本番', revokedAt: null });
    expect(Number.isNaN(Date.parse(mine.createdAt))).toBe(false);
    expect(res.raw).not.toContain(secret);
    expect(await callApi(flow.t.app, cred.credential)).toEqual({ status: 200, code: null });
  });

  it('a clerk may neither list, issue nor revoke credentials', async () => {
    const cred = await issue('clerk cannot touch');
    for (const res of [await list(world.clerk), await world.console({ method: 'POST', url: '/api-credentials', payload: { label: 'x' } }, world.clerk), await revoke(cred.id, world.clerk)]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('STAFF_PERMISSION_DENIED');
    }
    expect(await callApi(flow.t.app, cred.credential)).toEqual({ status: 200, code: null });
  });

  it('revoked: the next request is a 401 PENSION_API_CREDENTIAL_REVOKED in every process, at once; the revocation is audited once', async () => {
    const cred = await issue('漏れたかもしれない');
    const kept = await issue('残すもの');
    // Both processes have served it just now (whatever they might cache, they would have it).
    expect(await callApi(flow.t.app, cred.credential)).toEqual({ status: 200, code: null });
    expect(await callApi(second, cred.credential)).toEqual({ status: 200, code: null });

    const res = await revoke(cred.id);
    expect(res.status, res.raw).toBe(200);
    expect(res.body).toMatchObject({ id: cred.id });
    expect(await callApi(flow.t.app, cred.credential)).toEqual({ status: 401, code: 'PENSION_API_CREDENTIAL_REVOKED' });
    expect(await callApi(second, cred.credential)).toEqual({ status: 401, code: 'PENSION_API_CREDENTIAL_REVOKED' });
    const bundle = await second.inject({ method: 'GET', url: `/api/v1/insurer/submissions/${cred.id}/bundle`, headers: { authorization: `Insurer ${cred.credential}` } });
    expect(bundle.statusCode).toBe(401);
    expect(bundle.json().error.code).toBe('PENSION_API_CREDENTIAL_REVOKED');
    // The other credential of the insurer is untouched.
    expect(await callApi(second, kept.credential)).toEqual({ status: 200, code: null });

    // Revoking again changes nothing: the same time, no second audit entry.
    const again = await revoke(cred.id);
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(res.body.revokedAt);
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.action, 'pension.api_credential_revoked'), eq(auditLog.subject, cred.id)));
    expect(audited).toHaveLength(1);
    expect(audited[0]!.actor).toBe(`staff:${world.admin.staffId}`);
    expect(JSON.stringify(audited[0]!.data)).not.toContain(cred.credential.split('.')[1]!);
    expect((await list()).body.credentials.find((c: { id: string }) => c.id === cred.id).revokedAt).toBe(res.body.revokedAt);
  });

  it('a wrong secret for a revoked credential learns nothing about it: PENSION_API_UNAUTHORIZED', async () => {
    const cred = await issue('失効済み');
    expect((await revoke(cred.id)).status).toBe(200);
    expect(await callApi(flow.t.app, `${cred.id}.${'A'.repeat(43)}`)).toEqual({ status: 401, code: 'PENSION_API_UNAUTHORIZED' });
  });

  it('what passes for a credential or a cursor but the database could not read is a coded 4xx, never a 500', async () => {
    // 36 hyphens look like an id to a loose pattern; PostgreSQL refuses them as a uuid.
    expect(await callApi(flow.t.app, `${'-'.repeat(36)}.${'a'.repeat(30)}`)).toEqual({ status: 401, code: 'PENSION_API_UNAUTHORIZED' });
    const cred = await issue('cursor');
    const cursor = (text: string) => Buffer.from(text).toString('base64url');
    for (const since of [cursor(`2020-01-01T00:00:00.000Z|${'-'.repeat(36)}`), cursor('+275760-09-13T00:00:00.000Z|00000000-0000-4000-8000-000000000001'),
      cursor('-271821-04-20T00:00:00.000Z|00000000-0000-4000-8000-000000000001')]) {
      const api = await flow.t.app.inject({ method: 'GET', url: `/api/v1/insurer/submissions?since=${since}`, headers: { authorization: `Insurer ${cred.credential}` } });
      const desk = await world.console({ method: 'GET', url: `/submissions?since=${since}` });
      expect([api.statusCode, api.json().error?.code, desk.status, desk.body.error?.code]).toEqual([400, 'REQ_INVALID', 400, 'REQ_INVALID']);
    }
  });

  it('a campaign deadline further than MAX_DEADLINE_AHEAD_DAYS (or than the database holds) is REQ_INVALID', async () => {
    for (const deadline of ['+275760-09-13T00:00:00Z', '+100000-01-01T00:00:00Z', new Date(Date.now() + (MAX_DEADLINE_AHEAD_DAYS + 1) * 86_400_000).toISOString()]) {
      const res = await world.console({ method: 'POST', url: '/campaigns', payload: { title: 'x', period: '2031-01', deadline, reminderDates: [] } });
      expect([res.status, res.body.error?.code], deadline).toEqual([400, 'REQ_INVALID']);
    }
  });

  it("another insurer's admin cannot see or revoke ours (STAFF_OUT_OF_SCOPE); an unknown id is REQ_NOT_FOUND", async () => {
    const cred = await issue('ours');
    expect((await list(world.otherAdmin)).raw).not.toContain(cred.id);
    const res = await revoke(cred.id, world.otherAdmin);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('STAFF_OUT_OF_SCOPE');
    expect(await callApi(flow.t.app, cred.credential)).toEqual({ status: 200, code: null });
    const unknown = await revoke('00000000-0000-4000-8000-00000000dead');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('REQ_NOT_FOUND');
  });
});
