import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { verifyAuditLog, type CheckpointSettings } from '../identity/audit-checkpoint.js';
import type { IdentityDeps } from '../identity/deps.js';
import { CERTIFICATE_ERRORS, errorCodes, NONCE_ERRORS, OCSP_ERRORS, withErrors } from '../routes/schemas.js';
import type { ErrorCode } from '../shared/errors.js';
import { AppError } from '../shared/errors.js';
import { callerOf, CONSOLE_PREFIX } from '../staff/access.js';
import { ROLES, ROLE_NAMES } from '../staff/roles.js';
import { describe, endStaffSession, staffLogin, startStaffChallenge, type StaffSessionPolicy } from '../staff/staff-login.js';
import { changeStaffRoles, inviteStaff, listStaff, reinviteStaff, removeStaff } from '../staff/staff.js';
import { auditPage } from './audit-view.js';
import {
  AuditPage, AuditQuery, AuditVerdict, Dashboard, DeviceList, DeviceParams, DeviceQuery, Invite, InviteBody, ProvisionedDevice,
  ProvisionTvBody, RolesBody, RolesChanged, StaffList, StaffLoginBody, StaffMe, StaffNonce, StaffNonceBody, StaffParams, StaffRemoved,
  StaffSession, TestAlertsBody, TestAlertsResult, WithdrawnDevice,
} from './console-schemas.js';
import { dashboardOf } from './dashboard.js';
import { actorOf, listDevices, provisionTv, setTestAlerts, withdrawTv } from './devices.js';

/** Every route behind a staff session may answer these: no or an ended session, a role without the permission, another organisation's target. */
const STAFF_ERRORS = ['AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED', 'STAFF_PERMISSION_DENIED', 'STAFF_OUT_OF_SCOPE'] as const satisfies readonly ErrorCode[];

/** A page size from the query string: 1–200, 50 when not given. */
function pageSize(raw: string | undefined): number {
  const n = raw === undefined ? 50 : Number(raw);
  if (n < 1 || n > 200) throw new AppError('REQ_INVALID', { detail: 'limit is 1–200' });
  return n;
}

export interface ConsoleRouteDeps {
  identity: IdentityDeps;
  policy: StaffSessionPolicy;
  inviteTtlSeconds: number;
  /** Where the audit log's signed checkpoints are (the chain check compares against the last). */
  checkpoint: CheckpointSettings;
}

/**
 * The operator console's HTTP API. Each route declares its access (`config.access`); the
 * consoleAccess hook enforces it before the handler runs, and the handler filters by the caller's
 * organisation. No cookies: the console sends its token in the Authorization header, so a page on
 * another site cannot make requests in a staff member's name (no CSRF).
 */
export const consoleRoutes: FastifyPluginAsyncTypebox<{ deps: ConsoleRouteDeps }> = async (app, { deps }) => {
  const { identity, policy } = deps;
  const { db } = identity;
  const p = CONSOLE_PREFIX;

  app.post(`${p}/nonces`, {
    config: { access: { public: true }, rateLimited: true },
    schema: { summary: 'Staff login challenge for one console tab', ...errorCodes(), body: StaffNonceBody, response: withErrors({ 201: StaffNonce }) },
  }, async (request, reply) => reply.code(201).send(startStaffChallenge(identity, request.body.clientId)));

  app.post(`${p}/sessions`, {
    config: { access: { public: true }, rateLimited: true },
    schema: { summary: "Staff login with their own card's auth signature (redeems an invitation on the first login)", ...errorCodes(NONCE_ERRORS, CERTIFICATE_ERRORS, OCSP_ERRORS, 'PKI_SIGNATURE_INVALID', 'STAFF_NOT_ENROLLED', 'STAFF_INVITE_INVALID', 'STAFF_ALREADY_ENROLLED', 'STAFF_CARD_IN_USE'), body: StaffLoginBody, response: withErrors({ 201: StaffSession }) },
  }, async (request, reply) => reply.code(201).send(await staffLogin(identity, policy, request.body)));

  app.get(`${p}/me`, {
    config: { access: { staff: true } },
    schema: { summary: 'The staff member, organisation and permissions of this session; extends it', ...errorCodes(STAFF_ERRORS), response: withErrors({ 200: StaffMe }) },
  }, async (request) => describe(callerOf(request)));

  app.delete(`${p}/sessions/current`, {
    config: { access: { staff: true } },
    schema: { summary: 'Log out', ...errorCodes(STAFF_ERRORS), response: withErrors({ 204: Type.Null() }) },
  }, async (request, reply) => {
    await endStaffSession(db, callerOf(request).sessionId);
    return reply.code(204).send(null);
  });

  app.get(`${p}/dashboard`, {
    config: { access: { permission: 'dashboard.read' } },
    schema: { summary: "The organisation's live numbers (the live channel pushes the same)", ...errorCodes(STAFF_ERRORS), response: withErrors({ 200: Dashboard }) },
  }, async (request) => dashboardOf(db, callerOf(request).organisation));

  app.get(`${p}/devices`, {
    config: { access: { permission: 'devices.read' } },
    schema: { summary: "The cable operator's TVs, filtered and paged", ...errorCodes(STAFF_ERRORS), querystring: DeviceQuery, response: withErrors({ 200: DeviceList }) },
  }, async (request) => {
    const { limit, offset, ...filter } = request.query;
    return listDevices(db, callerOf(request), { ...filter, limit: pageSize(limit), offset: offset === undefined ? undefined : Number(offset) });
  });

  app.post(`${p}/devices`, {
    config: { access: { permission: 'devices.manage' } },
    schema: { summary: "Provision a TV for one of the operator's households; the credential is shown once", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), body: ProvisionTvBody, response: withErrors({ 201: ProvisionedDevice }) },
  }, async (request, reply) => {
    const { id, credential } = await provisionTv(db, callerOf(request), request.body);
    return reply.code(201).send({ id, credential });
  });

  app.post(`${p}/devices/:id/withdraw`, {
    config: { access: { permission: 'devices.manage' } },
    schema: { summary: "Withdraw one of the operator's TVs: refused at once everywhere, its sessions end", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: DeviceParams, response: withErrors({ 200: WithdrawnDevice }) },
  }, async (request) => withdrawTv(db, callerOf(request), request.params.id));

  app.put(`${p}/devices/:id/test-alerts`, {
    config: { access: { permission: 'devices.manage' } },
    schema: { summary: "Flag one of the operator's TVs for test alerts (it also shows Test and Exercise messages), or unflag it", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: DeviceParams, body: TestAlertsBody, response: withErrors({ 200: TestAlertsResult }) },
  }, async (request) => setTestAlerts(db, callerOf(request), request.params.id, request.body.testAlerts));

  app.get(`${p}/audit`, {
    config: { access: { permission: 'audit.read' } },
    schema: { summary: "The organisation's audit entries, newest first (all of them with audit.read_all)", ...errorCodes(STAFF_ERRORS), querystring: AuditQuery, response: withErrors({ 200: AuditPage }) },
  }, async (request) => {
    const { before, limit, action } = request.query;
    return auditPage(db, callerOf(request), { action, limit: pageSize(limit), before: before === undefined ? undefined : Number(before) });
  });

  app.post(`${p}/audit/verify`, {
    config: { access: { permission: 'audit.verify' } },
    schema: { summary: 'Re-check the whole audit chain (the same check as verify-audit)', ...errorCodes(STAFF_ERRORS), response: withErrors({ 200: AuditVerdict }) },
  }, async () => verifyAuditLog(db, deps.checkpoint));

  app.get(`${p}/staff`, {
    config: { access: { permission: 'staff.manage' } },
    schema: { summary: "The organisation's staff and the roles it may give", ...errorCodes(STAFF_ERRORS), response: withErrors({ 200: StaffList }) },
  }, async (request) => {
    const context = callerOf(request);
    const roles = ROLE_NAMES.filter((r) => ROLES[r].kind === context.organisation.kind).map((name) => ({ name, ja: ROLES[name].ja }));
    return { staff: await listStaff(db, context.organisation.id), roles };
  });

  app.post(`${p}/staff/invites`, {
    config: { access: { permission: 'staff.manage' } },
    schema: { summary: 'Add a staff member and invite them (one-time code, shown once)', ...errorCodes(STAFF_ERRORS, 'STAFF_ROLE_INVALID'), body: InviteBody, response: withErrors({ 201: Invite }) },
  }, async (request, reply) => {
    const context = callerOf(request);
    return reply.code(201).send(await inviteStaff(db, context.organisation, request.body, actorOf(context), deps.inviteTtlSeconds));
  });

  app.post(`${p}/staff/:id/invites`, {
    config: { access: { permission: 'staff.manage' } },
    schema: { summary: 'A new invitation for a staff member who has not enrolled yet', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND', 'STAFF_ALREADY_ENROLLED'), params: StaffParams, response: withErrors({ 201: Invite }) },
  }, async (request, reply) => {
    const context = callerOf(request);
    return reply.code(201).send(await reinviteStaff(db, context.organisation.id, request.params.id, actorOf(context), deps.inviteTtlSeconds));
  });

  app.put(`${p}/staff/:id/roles`, {
    config: { access: { permission: 'staff.manage' } },
    schema: { summary: "Change a staff member's roles; their sessions end at once", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND', 'STAFF_ROLE_INVALID', 'STAFF_LAST_ADMIN', 'STAFF_OWN_ROLES'), params: StaffParams, body: RolesBody, response: withErrors({ 200: RolesChanged }) },
  }, async (request) => {
    const context = callerOf(request);
    // Another admin changes an admin's roles: otherwise a municipality.admin could give themself
    // municipality.disaster and read evacuees' names, with no second person involved. The id is
    // compared lower-cased, as PostgreSQL compares uuids (the route accepts either case).
    if (request.params.id.toLowerCase() === context.staff.id) throw new AppError('STAFF_OWN_ROLES');
    return changeStaffRoles(db, context.organisation, request.params.id, request.body.roles, actorOf(context));
  });

  app.delete(`${p}/staff/:id`, {
    config: { access: { permission: 'staff.manage' } },
    schema: { summary: 'Remove a staff member; their sessions end at once, everywhere', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND', 'STAFF_LAST_ADMIN'), params: StaffParams, response: withErrors({ 200: StaffRemoved }) },
  }, async (request) => {
    const context = callerOf(request);
    return removeStaff(db, context.organisation, request.params.id, actorOf(context));
  });
};
