import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../../platform/src/db/schema/index.js';
import { CLI_ACTOR, verifyAuditChain } from '../../../platform/src/identity/audit.js';
import { staffInvites, staffMembers, staffSessions } from '../../../platform/src/staff/schema.js';
import { changeStaffRoles, inviteStaff, organisationByCode, removeStaff } from '../../../platform/src/staff/staff.js';
import { buildTestApp } from '../../helpers/app.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { FIXTURE_CARDS } from '../../helpers/jpki-fixtures.js';
import { consoleLogin, enrolStaff, orgId } from '../../helpers/staff.js';

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const db = database.db;
const ITO = FIXTURE_CARDS['ito-shiro'];
const HANAKO = FIXTURE_CARDS['yamada-hanako'];
const TTL = 3600;

let ito: CardInReader;
let hanako: CardInReader;
beforeAll(async () => {
  ito = await CardInReader.insert('ito-shiro');
  hanako = await CardInReader.insert('yamada-hanako');
});
afterAll(async () => {
  await ito.close();
  await hanako.close();
});

const me = (token: string) => app.inject({ method: 'GET', url: '/api/v1/console/me', headers: { authorization: `Bearer ${token}` } });

describe('enrolment by invitation', () => {
  it('binds the card on the first login with the code, then the card alone logs in', async () => {
    const org = await organisationByCode(db, 'insurer-demo');
    const invite = await inviteStaff(db, org, { displayName: '招待 太郎', roles: ['insurer.clerk'] }, CLI_ACTOR, TTL);
    expect(invite.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const first = await consoleLogin(app, ito, ITO.authPin, invite.code.toLowerCase().replace(/-/g, ' '));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ staff: { id: invite.staffId, displayName: '招待 太郎', roles: ['insurer.clerk'] }, organisation: { code: 'insurer-demo', kind: 'insurer' } });
    expect(first.body.permissions).toEqual(['dashboard.read', 'pension.manage']);

    const again = await consoleLogin(app, ito, ITO.authPin);
    expect(again.status).toBe(201);
    expect((await me(again.body.token)).json()).toMatchObject({ staff: { id: invite.staffId } });

    const reused = await consoleLogin(app, hanako, HANAKO.authPin, invite.code);
    expect(reused.body.error.code).toBe('STAFF_INVITE_INVALID');

    const actions = await db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.subject, invite.staffId)).orderBy(auditLog.seq);
    expect(actions.map((a) => a.action)).toEqual(['staff.invited', 'staff.enrolled', 'staff.login']);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('refuses an unknown or expired code, and a card already enrolled for someone else', async () => {
    const org = await organisationByCode(db, '162108');
    expect((await consoleLogin(app, hanako, HANAKO.authPin, 'AAAA-BBBB-CCCC')).body.error.code).toBe('STAFF_INVITE_INVALID');

    const expired = await inviteStaff(db, org, { displayName: '期限切れ', roles: ['municipality.shelter_staff'] }, CLI_ACTOR, 1);
    await db.update(staffInvites).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(staffInvites.staffId, expired.staffId));
    expect((await consoleLogin(app, hanako, HANAKO.authPin, expired.code)).body.error.code).toBe('STAFF_INVITE_INVALID');

    // A card of this test's own, enrolled here: the first test enrols ito-shiro's card by its
    // invitation, so borrowing that card made this test's outcome depend on which ran first.
    const taken = await inviteStaff(db, org, { displayName: '二重', roles: ['municipality.shelter_staff'] }, CLI_ACTOR, TTL);
    const saburo = await CardInReader.insert('takahashi-saburo-renewed');
    try {
      await enrolStaff(db, t.jpki, await orgId(db, 'insurer-demo'), ['insurer.clerk'], saburo, '既存 三郎');
      expect((await consoleLogin(app, saburo, FIXTURE_CARDS['takahashi-saburo'].authPin, taken.code)).body.error.code).toBe('STAFF_CARD_IN_USE');
    } finally {
      await saburo.close();
    }
  });

  it('refuses roles of another kind of organisation, and unknown roles', async () => {
    const org = await organisationByCode(db, 'catv-demo');
    await expect(inviteStaff(db, org, { displayName: 'x', roles: ['insurer.clerk'] }, CLI_ACTOR, TTL)).rejects.toMatchObject({ code: 'STAFF_ROLE_INVALID' });
    await expect(inviteStaff(db, org, { displayName: 'x', roles: ['root'] }, CLI_ACTOR, TTL)).rejects.toMatchObject({ code: 'STAFF_ROLE_INVALID' });
    await expect(inviteStaff(db, org, { displayName: 'x', roles: [] }, CLI_ACTOR, TTL)).rejects.toMatchObject({ code: 'STAFF_ROLE_INVALID' });
  });
});

describe('card login', () => {
  it('refuses a card that belongs to no staff member, and uses the nonce up', async () => {
    const stranger = await CardInReader.insert('yamada-taro');
    try {
      const attempt = await consoleLogin(app, stranger, FIXTURE_CARDS['yamada-taro'].authPin);
      expect(attempt.status).toBe(403);
      expect(attempt.body.error.code).toBe('STAFF_NOT_ENROLLED');
      const replay = await app.inject({
        method: 'POST', url: '/api/v1/console/sessions',
        payload: { clientId: attempt.clientId, nonce: attempt.nonce, certificate: attempt.signed.certificate, signature: attempt.signed.signature },
      });
      expect(replay.json().error.code).toBe('AUTH_NONCE_REPLAYED');
    } finally {
      await stranger.close();
    }
  });

  it('binds the signature to the console tab: another tab id, or a TV login nonce, is refused', async () => {
    const clientId = randomUUID();
    const challenge = (await app.inject({ method: 'POST', url: '/api/v1/console/nonces', payload: { clientId } })).json();
    const signed = await ito.sign('auth', ITO.authPin, challenge.digestInfo);
    const otherTab = await app.inject({
      method: 'POST', url: '/api/v1/console/sessions',
      payload: { clientId: randomUUID(), nonce: challenge.nonce, certificate: signed.certificate, signature: signed.signature },
    });
    expect(otherTab.json().error.code).toBe('AUTH_NONCE_WRONG_DEVICE');

    const tv = 'Device 00000000-0000-4000-8000-000000000101:demo-tv-yamada';
    const tvNonce = (await app.inject({ method: 'POST', url: '/api/v1/nonces', headers: { authorization: tv }, payload: { purpose: 'login' } })).json();
    const tvSigned = await ito.sign('auth', ITO.authPin, tvNonce.digestInfo);
    const crossed = await app.inject({
      method: 'POST', url: '/api/v1/console/sessions',
      payload: { clientId: '00000000-0000-4000-8000-000000000101', nonce: tvNonce.nonce, certificate: tvSigned.certificate, signature: tvSigned.signature },
    });
    expect(crossed.json().error.code).toBe('AUTH_NONCE_WRONG_PURPOSE');
  });

  it('refuses a signature that does not match the certificate', async () => {
    const clientId = randomUUID();
    const challenge = (await app.inject({ method: 'POST', url: '/api/v1/console/nonces', payload: { clientId } })).json();
    const byIto = await ito.sign('auth', ITO.authPin, challenge.digestInfo);
    const hanakoCert = await hanako.authCertificate();
    const res = await app.inject({
      method: 'POST', url: '/api/v1/console/sessions',
      payload: { clientId, nonce: challenge.nonce, certificate: hanakoCert, signature: byIto.signature },
    });
    expect(res.json().error.code).toBe('PKI_SIGNATURE_INVALID');
  });
});

describe('sessions end', () => {
  async function loggedInStaff(roles: string[], orgCode: string) {
    const card = await CardInReader.insert('yamada-hanako');
    const staffId = await enrolStaff(db, t.jpki, await orgId(db, orgCode), roles, card, `職員 ${randomUUID().slice(0, 8)}`);
    const login = await consoleLogin(app, card, HANAKO.authPin);
    await card.close();
    expect(login.status).toBe(201);
    return { staffId, token: login.body.token as string };
  }

  it('after the idle period without a request; each request moves the deadline', async () => {
    const { staffId, token } = await loggedInStaff(['operator.support'], 'catv-demo');
    const before = (await me(token)).json().idleExpiresAt;
    expect(Date.parse(before)).toBeGreaterThan(Date.now() + 800_000);
    await db.update(staffSessions).set({ lastSeenAt: new Date(Date.now() - 901_000) }).where(eq(staffSessions.staffId, staffId));
    const idle = await me(token);
    expect(idle.statusCode).toBe(401);
    expect(idle.json().error.code).toBe('AUTH_SESSION_EXPIRED');
    await db.update(staffMembers).set({ removedAt: new Date() }).where(eq(staffMembers.id, staffId));
  });

  it('at logout', async () => {
    const { staffId, token } = await loggedInStaff(['operator.support'], 'catv-demo');
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/console/sessions/current', headers: { authorization: `Bearer ${token}` } });
    expect(out.statusCode).toBe(204);
    expect((await me(token)).json().error.code).toBe('AUTH_SESSION_EXPIRED');
    await db.update(staffMembers).set({ removedAt: new Date() }).where(eq(staffMembers.id, staffId));
  });

  it('at once when the staff member is removed, and their card no longer logs in', async () => {
    const { staffId, token } = await loggedInStaff(['operator.support'], 'catv-demo');
    const org = await organisationByCode(db, 'catv-demo');
    // The organisation keeps an admin (the demo world's operator admin), so the removal is allowed.
    const removed = await removeStaff(db, org, staffId, CLI_ACTOR);
    expect(removed).toEqual({ staffId, removed: true, sessionsEnded: 1 });
    expect((await me(token)).json().error.code).toBe('AUTH_SESSION_EXPIRED');
    expect((await consoleLogin(app, hanako, HANAKO.authPin)).body.error.code).toBe('STAFF_NOT_ENROLLED');
  });

  it('at once when their roles change', async () => {
    const { staffId, token } = await loggedInStaff(['insurer.clerk'], 'insurer-demo');
    const org = await organisationByCode(db, 'insurer-demo');
    expect(await changeStaffRoles(db, org, staffId, ['insurer.admin'], CLI_ACTOR)).toMatchObject({ roles: ['insurer.admin'], sessionsEnded: 1 });
    expect((await me(token)).json().error.code).toBe('AUTH_SESSION_EXPIRED');
    const [member] = await db.select().from(staffMembers).where(and(eq(staffMembers.id, staffId)));
    expect(member!.roles).toEqual(['insurer.admin']);
    // Now the organisation's only enrolled admin, whom removeStaff keeps: frees the card directly.
    await db.update(staffMembers).set({ removedAt: new Date() }).where(eq(staffMembers.id, staffId));
  });

  it('never leaves an organisation without an administrator', async () => {
    const org = await organisationByCode(db, '162086');
    const [admin] = await db.select().from(staffMembers).where(eq(staffMembers.organisationId, org.id));
    expect(admin!.roles).toContain('municipality.admin');
    // Enrolled, as at start: an admin who has not redeemed their invitation does not count.
    await db.update(staffMembers).set({ certLookupKey: 'test-card-tonami-admin' }).where(eq(staffMembers.id, admin!.id));
    await expect(removeStaff(db, org, admin!.id, CLI_ACTOR)).rejects.toMatchObject({ code: 'STAFF_LAST_ADMIN' });
    await expect(changeStaffRoles(db, org, admin!.id, ['municipality.disaster'], CLI_ACTOR)).rejects.toMatchObject({ code: 'STAFF_LAST_ADMIN' });
  });
});
