import type { InjectOptions } from 'fastify';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { districts, households, organisations, shelters } from '../../../platform/src/db/schema/index.js';
import { appendAudit, CLI_ACTOR } from '../../../platform/src/identity/audit.js';
import { provisionDevice } from '../../../platform/src/identity/devices.js';
import { CONSOLE_PREFIX, type Access } from '../../../platform/src/staff/access.js';
import { ROLES, ROLE_NAMES, type OrganisationKind, type Role } from '../../../platform/src/staff/roles.js';
import { staffMembers } from '../../../platform/src/staff/schema.js';
import { buildTestApp } from '../../helpers/app.js';
import { createDraft } from '../../../platform/src/alerts/drafts.js';
import { alertBody, awaitingDraft, contextOf, placesOf, publishedAlert } from '../../helpers/alerts.js';
import { drawRound, openRound } from '../../../platform/src/booking/lottery.js';
import { bookableFacilityIn } from '../../helpers/booking.js';
import { pensionTargets } from '../../helpers/pension.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

/**
 * Every console route × every role × the caller's own organisation and another organisation of
 * the same kind: allowed exactly when the role grants the route's permission and the target is the
 * caller's own; otherwise 403 with STAFF_PERMISSION_DENIED or STAFF_OUT_OF_SCOPE. Lists never
 * contain the other organisation's rows. A console route this file does not know fails the test,
 * so a new route cannot ship without its row here.
 */
const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const db = database.db;

/** What one organisation of the matrix owns: ids a route can target. */
interface OrgWorld {
  id: string;
  code: string;
  deviceId: string | null;
  contractNo: string | null;
  staffId: string;
  /** A bookable facility (municipalities only). */
  facilityId: string | null;
  /** A shelter (municipalities only). */
  shelterId: string | null;
  unitId: string | null;
  /** Alerts (municipalities, alert routes only): a published console alert, a district, a draft awaiting approval by someone else. */
  alertId: string;
  districtId: string;
  awaitingDraftId: string;
  /** Pension targets (insurers only): a policy waiting for its code, a linked one, a sealed submission. */
  pension: { openPolicyId: string; linkedPolicyId: string; submissionId: string; credentialId: string } | null;
  /** A lottery round taking applications, one whose applications closed, and one already drawn (municipalities only). */
  roundId: string | null;
  closedRoundId: string | null;
  drawnRoundId: string | null;
}

/** Two organisations of each kind: "own" is the first, "other" the second. */
const ORGS: Record<OrganisationKind, [string, string]> = {
  cable_operator: ['catv-demo', 'catv-other'],
  municipality: ['162108', '162086'],
  insurer: ['insurer-demo', 'insurer-other'],
};

/** Targets made afresh for one test (a removal or role change in one row cannot starve the next). */
async function orgWorld(code: string, kind: OrganisationKind, withAlerts = false): Promise<OrgWorld> {
  const id = await orgId(db, code);
  let deviceId: string | null = null;
  let contractNo: string | null = null;
  if (kind === 'cable_operator') {
    const [household] = await db.select().from(households).where(eq(households.operatorId, id));
    contractNo = household!.contractNo;
    deviceId = (await provisionDevice(db, { kind: 'tv', householdId: household!.id }, 'matrix TV', CLI_ACTOR)).id;
  }
  // Something in the audit log done for this organisation, which only it (or audit.read_all) may read.
  await appendAudit(db, { actor: 'operator:matrix', action: 'matrix.marker', subject: null, data: { org: id } });
  const otherRole = ROLE_NAMES.find((r) => ROLES[r].kind === kind && !r.endsWith('.admin'))!;
  const [target] = await db.insert(staffMembers).values({ organisationId: id, displayName: 'matrix target', roles: [otherRole] }).returning();
  const bookable = kind === 'municipality' ? await bookableFacilityIn(db, id) : null;
  let shelterId: string | null = null;
  if (kind === 'municipality') {
    const [district] = await db.select().from(districts).where(eq(districts.municipalityId, id));
    shelterId = (await db.insert(shelters).values({ municipalityId: id, districtId: district!.id, name: 'matrix 避難所', address: '-', capacity: 10 }).returning())[0]!.id;
  }
  let roundId: string | null = null;
  let closedRoundId: string | null = null;
  let drawnRoundId: string | null = null;
  if (bookable) {
    roundId = (await openRound(db, bookable.facility.id, '2030-01', new Date(Date.now() + 86_400_000), 'operator:matrix')).id;
    closedRoundId = (await openRound(db, bookable.facility.id, '2030-04', new Date(Date.now() - 1_000), 'operator:matrix')).id;
    drawnRoundId = (await openRound(db, bookable.facility.id, '2030-02', new Date(Date.now() - 1_000), 'operator:matrix')).id;
    await drawRound(db, drawnRoundId, 'operator:matrix');
  }
  const alerting = kind === 'municipality' && withAlerts;
  const pension = kind === 'insurer' ? await pensionTargets(db, id) : null;
  return {
    id, code, deviceId, contractNo, staffId: target!.id, facilityId: bookable?.facility.id ?? null, unitId: bookable?.units[0].id ?? null, shelterId,
    alertId: alerting ? (await publishedAlert(db, id)).alertId : NO_FACILITY,
    districtId: alerting ? (await placesOf(db, id)).districts[0]!.id : NO_FACILITY,
    awaitingDraftId: alerting ? (await awaitingDraft(db, id)).draft.id : NO_FACILITY,
    pension, roundId, closedRoundId, drawnRoundId,
  };
}

beforeAll(async () => {
  const [operatorB] = await db.insert(organisations).values([
    { kind: 'cable_operator', code: 'catv-other', name: '他社ケーブル' },
    { kind: 'insurer', code: 'insurer-other', name: '他社生命' },
  ]).returning();
  await db.insert(households).values({ operatorId: operatorB!.id, contractNo: 'OTHER-0001', label: '他社の世帯' });
  // Every organisation keeps an admin, so removals and role changes of the targets are allowed.
  for (const kind of Object.keys(ORGS) as OrganisationKind[]) {
    const adminRole = ROLE_NAMES.find((r) => ROLES[r].kind === kind && r.endsWith('.admin'))!;
    for (const code of ORGS[kind]) await db.insert(staffMembers).values({ organisationId: await orgId(db, code), displayName: 'matrix admin', roles: [adminRole] });
  }
});

interface RouteCase {
  /** The request against the caller's own organisation's target (or the list). */
  own(own: OrgWorld): InjectOptions;
  /** The same request against the other organisation's target; null for routes with no target. */
  other: ((other: OrgWorld) => InjectOptions) | null;
  /** For lists: whether the answer shows anything of the other organisation. */
  leaks?: (body: unknown, other: OrgWorld) => boolean;
  /** A permission that allows seeing the other organisation's rows here (then they must be seen). */
  seesAllWith?: string;
  /** When the request must be the caller's own doing (a draft only its composer may change): made for this caller, replacing `own`. */
  ownAs?: (own: OrgWorld, callerId: string) => Promise<InjectOptions>;
}

const P = CONSOLE_PREFIX;
const NO_FACILITY = '00000000-0000-4000-8000-00000000beef';
const NO_SHELTER = '00000000-0000-4000-8000-00000000cafe';
const POLICY = { residentHorizonDays: 60, nonResidentHorizonDays: 30, cancelDeadlineDays: 2, monthlyQuota: 4, holdMinutes: 45 };
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
let adminKey = 0;
const adminBooking = (w: OrgWorld) => ({ unitId: w.unitId ?? NO_FACILITY, day: inDays(10), period: 'am', note: '市の行事', idempotencyKey: `matrix-${++adminKey}-key` });
const get = (url: string) => ({ method: 'GET' as const, url });
const A = `${P}/alerts`;
/** A draft of the caller's own (only its composer may change or submit it); a placeholder where the caller has no municipality. */
const ownDraft = async (w: OrgWorld, callerId: string) => {
  if (w.districtId === NO_FACILITY) return NO_FACILITY;
  return (await createDraft(db, await contextOf(db, callerId), await alertBody(db, w.id))).id;
};
const editBody = (w: OrgWorld) => ({ version: 1, status: 'Actual', validMinutes: 60, level: '5', districtIds: [w.districtId] });
const NONE = '00000000-0000-4000-8000-00000000feed';
let campaignYear = 2100;
const pensionRoute = (method: 'GET' | 'POST', path: (w: OrgWorld) => string, payload?: () => object) => (w: OrgWorld): InjectOptions => ({
  method, url: `${P}/pension${path(w)}`, ...(payload ? { payload: payload() } : {}),
});
const openPolicy = (w: OrgWorld) => w.pension?.openPolicyId ?? NONE;
const linkedPolicy = (w: OrgWorld) => w.pension?.linkedPolicyId ?? NONE;
const submission = (w: OrgWorld) => w.pension?.submissionId ?? NONE;
const credential = (w: OrgWorld) => w.pension?.credentialId ?? NONE;
const ROUTES: Record<string, RouteCase> = {
  [`GET ${A}`]: { own: () => get(A), other: null, leaks: (body, other) => JSON.stringify(body).includes(other.alertId) },
  [`POST ${A}/preview`]: {
    own: (w) => ({ method: 'POST', url: `${A}/preview`, payload: { level: '4', districtIds: [w.districtId] } }),
    other: (w) => ({ method: 'POST', url: `${A}/preview`, payload: { level: '4', districtIds: [w.districtId] } }),
  },
  [`POST ${A}/drafts`]: {
    own: (w) => ({ method: 'POST', url: `${A}/drafts`, payload: { action: 'alert', status: 'Actual', validMinutes: 60, level: '4', districtIds: [w.districtId] } }),
    other: (w) => ({ method: 'POST', url: `${A}/drafts`, payload: { action: 'extend', referencesAlertId: w.alertId, status: 'Actual', validMinutes: 60 } }),
  },
  [`PUT ${A}/drafts/:id`]: {
    own: (w) => ({ method: 'PUT', url: `${A}/drafts/${w.awaitingDraftId}`, payload: editBody(w) }),
    ownAs: async (w, callerId) => ({ method: 'PUT', url: `${A}/drafts/${await ownDraft(w, callerId)}`, payload: editBody(w) }),
    other: (w) => ({ method: 'PUT', url: `${A}/drafts/${w.awaitingDraftId}`, payload: editBody(w) }),
  },
  [`POST ${A}/drafts/:id/submit`]: {
    own: (w) => ({ method: 'POST', url: `${A}/drafts/${w.awaitingDraftId}/submit`, payload: { version: 1 } }),
    ownAs: async (w, callerId) => ({ method: 'POST', url: `${A}/drafts/${await ownDraft(w, callerId)}/submit`, payload: { version: 1 } }),
    other: (w) => ({ method: 'POST', url: `${A}/drafts/${w.awaitingDraftId}/submit`, payload: { version: 1 } }),
  },
  [`POST ${A}/drafts/:id/approve`]: {
    own: (w) => ({ method: 'POST', url: `${A}/drafts/${w.awaitingDraftId}/approve`, payload: { version: 2 } }),
    other: (w) => ({ method: 'POST', url: `${A}/drafts/${w.awaitingDraftId}/approve`, payload: { version: 2 } }),
  },
  [`POST ${A}/drafts/:id/discard`]: {
    own: (w) => ({ method: 'POST', url: `${A}/drafts/${w.awaitingDraftId}/discard`, payload: { version: 2 } }),
    other: (w) => ({ method: 'POST', url: `${A}/drafts/${w.awaitingDraftId}/discard`, payload: { version: 2 } }),
  },
  [`GET ${A}/:id/funnel`]: { own: (w) => get(`${A}/${w.alertId}/funnel`), other: (w) => get(`${A}/${w.alertId}/funnel`) },
  [`PUT ${A}/settings`]: { own: () => ({ method: 'PUT', url: `${A}/settings`, payload: { approvalRequired: true } }), other: null },
  [`GET ${P}/me`]: { own: () => get(`${P}/me`), other: null },
  [`DELETE ${P}/sessions/current`]: { own: () => ({ method: 'DELETE', url: `${P}/sessions/current` }), other: null },
  [`GET ${P}/dashboard`]: { own: () => get(`${P}/dashboard`), other: null },
  [`GET ${P}/shelters`]: { own: () => get(`${P}/shelters`), other: null },
  [`PUT ${P}/shelters/:shelterId/settings`]: {
    own: (w) => ({ method: 'PUT', url: `${P}/shelters/${w.shelterId ?? NO_SHELTER}/settings`, payload: { requirePin: false } }),
    other: (w) => ({ method: 'PUT', url: `${P}/shelters/${w.shelterId ?? NO_SHELTER}/settings`, payload: { requirePin: false } }),
  },
  [`GET ${P}/shelters/unconfirmed`]: { own: () => get(`${P}/shelters/unconfirmed`), other: null },
  [`GET ${P}/shelters/unconfirmed.csv`]: { own: () => get(`${P}/shelters/unconfirmed.csv`), other: null },
  [`GET ${P}/devices`]: {
    own: () => get(`${P}/devices?limit=200&offset=0&status=active`), other: null,
    leaks: (body, other) => JSON.stringify(body).includes(other.deviceId ?? '\u0000'),
  },
  // A contract number names a household only within its own operator: another operator's number is
  // simply not found here (404), and the "own" row proves the route is scoped to the caller.
  [`POST ${P}/devices`]: {
    own: (w) => ({ method: 'POST', url: `${P}/devices`, payload: { contractNo: w.contractNo ?? 'NONE', label: 'matrix' } }),
    other: null,
  },
  [`POST ${P}/devices/:id/withdraw`]: {
    own: (w) => ({ method: 'POST', url: `${P}/devices/${w.deviceId ?? '00000000-0000-4000-8000-00000000dead'}/withdraw` }),
    other: (w) => ({ method: 'POST', url: `${P}/devices/${w.deviceId ?? '00000000-0000-4000-8000-00000000dead'}/withdraw` }),
  },
  [`PUT ${P}/devices/:id/test-alerts`]: {
    own: (w) => ({ method: 'PUT', url: `${P}/devices/${w.deviceId ?? '00000000-0000-4000-8000-00000000dead'}/test-alerts`, payload: { testAlerts: false } }),
    other: (w) => ({ method: 'PUT', url: `${P}/devices/${w.deviceId ?? '00000000-0000-4000-8000-00000000dead'}/test-alerts`, payload: { testAlerts: false } }),
  },
  [`GET ${P}/audit`]: {
    own: () => get(`${P}/audit?limit=200&before=999999999`), other: null,
    leaks: (body, other) => JSON.stringify(body).includes(other.id),
    seesAllWith: 'audit.read_all',
  },
  [`POST ${P}/audit/verify`]: { own: () => ({ method: 'POST', url: `${P}/audit/verify` }), other: null },
  [`GET ${P}/staff`]: { own: () => get(`${P}/staff`), other: null, leaks: (body, other) => JSON.stringify(body).includes(other.staffId) },
  [`POST ${P}/staff/invites`]: { own: (w) => ({ method: 'POST', url: `${P}/staff/invites`, payload: { displayName: 'matrix invitee', roles: [kindRole(w)] } }), other: null },
  [`POST ${P}/staff/:id/invites`]: {
    own: (w) => ({ method: 'POST', url: `${P}/staff/${w.staffId}/invites` }),
    other: (w) => ({ method: 'POST', url: `${P}/staff/${w.staffId}/invites` }),
  },
  [`PUT ${P}/staff/:id/roles`]: {
    own: (w) => ({ method: 'PUT', url: `${P}/staff/${w.staffId}/roles`, payload: { roles: [kindRole(w)] } }),
    other: (w) => ({ method: 'PUT', url: `${P}/staff/${w.staffId}/roles`, payload: { roles: [kindRole(w)] } }),
  },
  [`DELETE ${P}/staff/:id`]: {
    own: (w) => ({ method: 'DELETE', url: `${P}/staff/${w.staffId}` }),
    other: (w) => ({ method: 'DELETE', url: `${P}/staff/${w.staffId}` }),
  },
  [`GET ${P}/booking/board`]: {
    own: () => get(`${P}/booking/board?from=${inDays(1)}`), other: null,
    leaks: (body, other) => JSON.stringify(body).includes(other.facilityId ?? '\u0000'),
  },
  [`POST ${P}/booking/facilities/:id/blackouts`]: {
    own: (w) => ({ method: 'POST', url: `${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/blackouts`, payload: { day: inDays(20), reason: '点検' } }),
    other: (w) => ({ method: 'POST', url: `${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/blackouts`, payload: { day: inDays(20), reason: '点検' } }),
  },
  [`POST ${P}/booking/facilities/:id/blackouts/weekly`]: {
    own: (w) => ({ method: 'POST', url: `${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/blackouts/weekly`, payload: { weekday: 2, from: inDays(20), until: inDays(40), reason: '定休日' } }),
    other: (w) => ({ method: 'POST', url: `${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/blackouts/weekly`, payload: { weekday: 2, from: inDays(20), until: inDays(40), reason: '定休日' } }),
  },
  [`GET ${P}/booking/facilities`]: {
    own: () => get(`${P}/booking/facilities`), other: null,
    leaks: (body, other) => JSON.stringify(body).includes(other.facilityId ?? '\u0000'),
  },
  [`PUT ${P}/booking/facilities/:id/policy`]: {
    own: (w) => ({ method: 'PUT', url: `${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/policy`, payload: POLICY }),
    other: (w) => ({ method: 'PUT', url: `${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/policy`, payload: POLICY }),
  },
  [`POST ${P}/booking/facilities/:id/lottery-rounds`]: {
    own: (w) => ({ method: 'POST', url: `${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/lottery-rounds`, payload: { month: '2030-03', applyUntil: '2030-02-10T00:00:00Z' } }),
    other: (w) => ({ method: 'POST', url: `${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/lottery-rounds`, payload: { month: '2030-03', applyUntil: '2030-02-10T00:00:00Z' } }),
  },
  [`POST ${P}/booking/lottery-rounds/:id/close`]: {
    own: (w) => ({ method: 'POST', url: `${P}/booking/lottery-rounds/${w.roundId ?? NO_FACILITY}/close` }),
    other: (w) => ({ method: 'POST', url: `${P}/booking/lottery-rounds/${w.roundId ?? NO_FACILITY}/close` }),
  },
  [`POST ${P}/booking/lottery-rounds/:id/draw`]: {
    own: (w) => ({ method: 'POST', url: `${P}/booking/lottery-rounds/${w.closedRoundId ?? NO_FACILITY}/draw` }),
    other: (w) => ({ method: 'POST', url: `${P}/booking/lottery-rounds/${w.closedRoundId ?? NO_FACILITY}/draw` }),
  },
  [`GET ${P}/booking/facilities/:id/day`]: {
    own: (w) => get(`${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/day?day=${inDays(3)}`),
    other: (w) => get(`${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/day?day=${inDays(3)}`),
  },
  [`POST ${P}/booking/lottery-rounds/:id/replay`]: {
    own: (w) => ({ method: 'POST', url: `${P}/booking/lottery-rounds/${w.drawnRoundId ?? NO_FACILITY}/replay` }),
    other: (w) => ({ method: 'POST', url: `${P}/booking/lottery-rounds/${w.drawnRoundId ?? NO_FACILITY}/replay` }),
  },
  [`POST ${P}/booking/facilities/:id/admin-bookings`]: {
    own: (w) => ({ method: 'POST', url: `${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/admin-bookings`, payload: adminBooking(w) }),
    other: (w) => ({ method: 'POST', url: `${P}/booking/facilities/${w.facilityId ?? NO_FACILITY}/admin-bookings`, payload: adminBooking(w) }),
  },
  [`GET ${P}/pension/policies`]: { own: pensionRoute('GET', () => '/policies'), other: null, leaks: (body, other) => JSON.stringify(body).includes(linkedPolicy(other)) },
  [`POST ${P}/pension/policies`]: { own: pensionRoute('POST', () => '/policies', () => ({ policyRef: `MX-${++adminKey}`, dueMonth: 4 })), other: null },
  [`POST ${P}/pension/policies/csv`]: { own: pensionRoute('POST', () => '/policies/csv', () => ({ csv: `MC-${++adminKey},4\n` })), other: null },
  [`POST ${P}/pension/policies/:id/link-code`]: {
    own: pensionRoute('POST', (w) => `/policies/${openPolicy(w)}/link-code`), other: pensionRoute('POST', (w) => `/policies/${openPolicy(w)}/link-code`),
  },
  [`POST ${P}/pension/policies/:id/notices`]: {
    own: pensionRoute('POST', (w) => `/policies/${linkedPolicy(w)}/notices`, () => ({ title: 'お知らせ', body: '本文' })),
    other: pensionRoute('POST', (w) => `/policies/${linkedPolicy(w)}/notices`, () => ({ title: 'お知らせ', body: '本文' })),
  },
  [`GET ${P}/pension/campaigns`]: { own: pensionRoute('GET', () => '/campaigns'), other: null },
  [`POST ${P}/pension/campaigns`]: {
    own: pensionRoute('POST', () => '/campaigns', () => ({ title: 'matrix', period: `${++campaignYear}-05`, deadline: new Date(Date.now() + 86_400_000).toISOString(), reminderDates: [] })),
    other: null,
  },
  [`GET ${P}/pension/submissions`]: { own: pensionRoute('GET', () => '/submissions'), other: null, leaks: (body, other) => JSON.stringify(body).includes(submission(other)) },
  [`GET ${P}/pension/submissions/:id/bundle`]: {
    own: pensionRoute('GET', (w) => `/submissions/${submission(w)}/bundle`), other: pensionRoute('GET', (w) => `/submissions/${submission(w)}/bundle`),
  },
  [`GET ${P}/pension/api-credentials`]: { own: pensionRoute('GET', () => '/api-credentials'), other: null, leaks: (body, other) => JSON.stringify(body).includes(credential(other)) },
  [`POST ${P}/pension/api-credentials`]: { own: pensionRoute('POST', () => '/api-credentials', () => ({ label: 'matrix' })), other: null },
  [`POST ${P}/pension/api-credentials/:id/revoke`]: {
    own: pensionRoute('POST', (w) => `/api-credentials/${credential(w)}/revoke`), other: pensionRoute('POST', (w) => `/api-credentials/${credential(w)}/revoke`),
  },
};
/** Routes that are not behind a staff session (the login itself, and the live channel, which authenticates its first message: see live.test.ts). */
const UNAUTHENTICATED = [`POST ${P}/nonces`, `POST ${P}/sessions`, `GET ${P}/live`];

/** A non-admin role of the world's kind (a valid role to invite or assign). */
function kindRole(w: OrgWorld): Role {
  const kind = (Object.keys(ORGS) as OrganisationKind[]).find((k) => ORGS[k].includes(w.code))!;
  return ROLE_NAMES.find((r) => ROLES[r].kind === kind && !r.endsWith('.admin'))!;
}

/** Every console route the app registers, with the access it declared. */
const registered = () => app.consoleRouteTable.filter((r) => r.method !== 'HEAD');

describe('the console route table', () => {
  it('has a matrix row for every console route, and every authenticated route declares a permission or staff', async () => {
    const routes = new Map(registered().map((r) => [`${r.method} ${r.url}`, r.access]));
    expect(routes.size).toBeGreaterThan(10);
    for (const [key, access] of routes) {
      if (UNAUTHENTICATED.includes(key)) {
        expect(access, key).toEqual({ public: true });
        continue;
      }
      expect(ROUTES[key], `${key} has a row in the scope matrix`).toBeDefined();
      expect('public' in access!, `${key} is behind a staff session`).toBe(false);
    }
    for (const key of Object.keys(ROUTES)) expect(routes.has(key), `${key} still exists`).toBe(true);
  });
});

describe.each(ROLE_NAMES)('role %s', (role) => {
  const kind = ROLES[role].kind;
  const granted = new Set<string>(ROLES[role].permissions);

  it.each(Object.keys(ROUTES))('%s', async (key) => {
    const access = registered().find((r) => `${r.method} ${r.url}` === key)?.access;
    const needs = access && 'permission' in access ? access.permission : null;
    const allowed = needs === null || granted.has(needs);
    const alerting = key.includes('/alerts');
    const [own, other] = [await orgWorld(ORGS[kind][0], kind, alerting), await orgWorld(ORGS[kind][1], kind, alerting)];
    const caller = await staffWithSession(db, own.id, [role]);
    const as = (options: InjectOptions) => app.inject({ ...options, headers: { authorization: caller.authorization } });
    const routeCase = ROUTES[key]!;

    if (routeCase.other) {
      const res = await as(routeCase.other(other));
      expect(res.statusCode, `${role} → other organisation's target`).toBe(403);
      expect(res.json().error.code).toBe(allowed ? 'STAFF_OUT_OF_SCOPE' : 'STAFF_PERMISSION_DENIED');
    }
    const res = await as(routeCase.ownAs ? await routeCase.ownAs(own, caller.staffId) : routeCase.own(own));
    if (!allowed) {
      expect(res.statusCode, `${role} without ${needs}`).toBe(403);
      expect(res.json().error.code).toBe('STAFF_PERMISSION_DENIED');
      return;
    }
    // Allowed on its own organisation: the route did its work.
    expect(res.statusCode, `${role} with ${needs} on its own organisation: ${res.body}`).toBeGreaterThanOrEqual(200);
    expect(res.statusCode, `${role} with ${needs} on its own organisation: ${res.body}`).toBeLessThan(300);
    if (routeCase.leaks) {
      const seesAll = routeCase.seesAllWith !== undefined && granted.has(routeCase.seesAllWith);
      expect(routeCase.leaks(res.json(), other), `${role} sees the other organisation's rows`).toBe(seesAll);
    }
  });
});

describe('without a staff session', () => {
  it.each(Object.keys(ROUTES))('%s answers 401 AUTH_REQUIRED', async (key) => {
    const res = await app.inject(ROUTES[key]!.own(await orgWorld('catv-demo', 'cable_operator')));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('AUTH_REQUIRED');
  });

  it('a TV device credential is not a staff session', async () => {
    const res = await app.inject({ ...get(`${P}/devices`), headers: { authorization: 'Device 00000000-0000-4000-8000-000000000101:demo-tv-yamada' } });
    expect(res.json().error.code).toBe('AUTH_REQUIRED');
  });
});

describe('an undeclared console route', () => {
  it('stops the app from building', async () => {
    const { default: Fastify } = await import('fastify');
    const { consoleAccess } = await import('../../../platform/src/staff/access.js');
    const bare = Fastify();
    await bare.register(consoleAccess, { db, policy: { idleSeconds: 60, maxSeconds: 600 } });
    await bare.after();
    expect(() => bare.get(`${P}/forgotten`, async () => ({}))).toThrow(/console route GET \/api\/v1\/console\/forgotten declares no access/);
    await bare.close().catch(() => {});
  });
});


describe('provisioning with another operator\'s contract number', () => {
  it('finds no such household for this operator and creates nothing', async () => {
    const caller = await staffWithSession(db, await orgId(db, 'catv-demo'), ['operator.admin']);
    const before = await db.select({ id: households.id }).from(households).where(eq(households.contractNo, 'OTHER-0001'));
    const res = await app.inject({ method: 'POST', url: `${P}/devices`, headers: { authorization: caller.authorization }, payload: { contractNo: 'OTHER-0001', label: 'x' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('REQ_NOT_FOUND');
    expect(before).toHaveLength(1);
  });
});
