import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { serviceProviders } from '../db/schema/index.js';
import { errorCodes, withErrors } from '../routes/schemas.js';
import { AppError, type ErrorCode } from '../shared/errors.js';
import { callerOf, CONSOLE_PREFIX } from '../staff/access.js';
import { apiCredentialsOf, createApiCredential, revokeApiCredential } from './api-credentials.js';
import { campaignsOf, createCampaign } from './campaigns.js';
import { sendNotice } from './inbox.js';
import { submissionsOf } from './insurer-view.js';
import {
  ApiCredential, ApiCredentialBody, ApiCredentialList, ApiCredentialRevoked, CampaignCreated, CampaignList, IdParams, IssuedCodes, NewCampaignBody, NewPolicyBody, NoticeBody, NoticeSent,
  PolicyCsvBody, PolicyList, ReissuedCode, SubmissionList, SubmissionsQuery,
} from './pension-schemas.js';
import { checkPolicy, parsePolicyCsv, policiesOf, registerPolicies, reissueLinkCode, type InsurerActor } from './policies.js';
import { pensionSubmissions } from './schema.js';

const STAFF_ERRORS = ['AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED', 'STAFF_PERMISSION_DENIED', 'STAFF_OUT_OF_SCOPE'] as const satisfies readonly ErrorCode[];
const access = { access: { permission: 'pension.manage' as const } };
/** A standing credential reads every submission of the insurer and outlives any session: the admin's to give and take. */
const credentialAccess = { access: { permission: 'pension.api_credentials' as const } };

/** The insurer's pension service in its console (permission pension.manage; only its own provider's data). */
export const pensionConsoleRoutes: FastifyPluginAsyncTypebox<{ db: Db; link: { secret: string; ttlSeconds: number } }> = async (app, { db, link }) => {
  const p = `${CONSOLE_PREFIX}/pension`;

  /** The caller's organisation's pension service (an insurer runs one). */
  const actorOf = async (request: FastifyRequest): Promise<InsurerActor> => {
    const c = callerOf(request);
    const [provider] = await db.select({ id: serviceProviders.id }).from(serviceProviders)
      .where(and(eq(serviceProviders.organisationId, c.organisation.id), eq(serviceProviders.service, 'pension'))).orderBy(asc(serviceProviders.code)).limit(1);
    if (!provider) throw new AppError('REQ_NOT_FOUND', { detail: 'this organisation runs no pension service' });
    return { staffId: c.staff.id, organisationId: c.organisation.id, providerId: provider.id };
  };

  app.get(`${p}/policies`, {
    config: access, schema: { summary: "The insurer's policies: linked (to its UID only) or waiting for a code", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), response: withErrors({ 200: PolicyList }) },
  }, async (request) => ({ policies: await policiesOf(db, (await actorOf(request)).providerId) }));

  app.post(`${p}/policies`, {
    config: access, schema: { summary: 'Register one policy: its link code is in this answer only', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), body: NewPolicyBody, response: withErrors({ 201: IssuedCodes }) },
  }, async (request, reply) => reply.code(201).send({ policies: await registerPolicies(db, await actorOf(request), [checkPolicy(request.body)], link) }));

  app.post(`${p}/policies/csv`, {
    config: access, schema: { summary: 'Register many policies from CSV (policyRef,dueMonth): all or none; codes in this answer only', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), body: PolicyCsvBody, response: withErrors({ 201: IssuedCodes }) },
  }, async (request, reply) => reply.code(201).send({ policies: await registerPolicies(db, await actorOf(request), parsePolicyCsv(request.body.csv), link) }));

  app.post(`${p}/policies/:id/link-code`, {
    config: access, schema: { summary: 'A new link code for a policy not linked now (the old one stops working)', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: IdParams, response: withErrors({ 201: ReissuedCode }) },
  }, async (request, reply) => reply.code(201).send(await reissueLinkCode(db, await actorOf(request), request.params.id, link)));

  app.post(`${p}/policies/:id/notices`, {
    config: access, schema: { summary: "A notice to a linked policy's holder, in their TV inbox", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: IdParams, body: NoticeBody, response: withErrors({ 201: NoticeSent }) },
  }, async (request, reply) => reply.code(201).send(await sendNotice(db, await actorOf(request), request.params.id, request.body)));

  app.get(`${p}/campaigns`, {
    config: access, schema: { summary: 'Campaigns with live progress (linked, notified, opened, submitted, overdue)', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), response: withErrors({ 200: CampaignList }) },
  }, async (request) => ({ campaigns: await campaignsOf(db, (await actorOf(request)).providerId) }));

  app.post(`${p}/campaigns`, {
    config: access, schema: { summary: 'Open a campaign for the policies due in a month: inbox items and reminders', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), body: NewCampaignBody, response: withErrors({ 201: CampaignCreated }) },
  }, async (request, reply) => reply.code(201).send(await createCampaign(db, await actorOf(request), request.body)));

  app.get(`${p}/submissions`, {
    config: access, schema: { summary: 'Submissions with their declarations and state', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), querystring: SubmissionsQuery, response: withErrors({ 200: SubmissionList }) },
  }, async (request) => submissionsOf(db, (await actorOf(request)).providerId, request.query));

  app.get(`${p}/submissions/:id/bundle`, {
    config: access, schema: { summary: 'The evidence bundle of a sealed submission (JSON file)', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: IdParams },
  }, async (request, reply) => {
    const actor = await actorOf(request);
    const [row] = await db.select({ providerId: pensionSubmissions.providerId, bundle: pensionSubmissions.bundle }).from(pensionSubmissions).where(eq(pensionSubmissions.id, request.params.id));
    if (!row) throw new AppError('REQ_NOT_FOUND', { detail: 'no such submission' });
    if (row.providerId !== actor.providerId) throw new AppError('STAFF_OUT_OF_SCOPE');
    if (!row.bundle) throw new AppError('REQ_NOT_FOUND', { detail: 'not sealed yet (revocation pending)' });
    return reply.type('application/json').header('content-disposition', `attachment; filename="genkyo-${request.params.id}.json"`).send(row.bundle);
  });

  app.get(`${p}/api-credentials`, {
    config: credentialAccess, schema: { summary: "The credentials of the insurer's own systems: label, issued, revoked (never the secret)", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), response: withErrors({ 200: ApiCredentialList }) },
  }, async (request) => ({ credentials: await apiCredentialsOf(db, (await actorOf(request)).providerId) }));

  app.post(`${p}/api-credentials`, {
    config: credentialAccess, schema: { summary: "A credential for the insurer's own systems (shown once)", ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), body: ApiCredentialBody, response: withErrors({ 201: ApiCredential }) },
  }, async (request, reply) => reply.code(201).send(await createApiCredential(db, await actorOf(request), request.body.label)));

  app.post(`${p}/api-credentials/:id/revoke`, {
    config: credentialAccess, schema: { summary: 'Revoke a credential: its next request is refused (PENSION_API_CREDENTIAL_REVOKED), audited', ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: IdParams, response: withErrors({ 200: ApiCredentialRevoked }) },
  }, async (request) => revokeApiCredential(db, await actorOf(request), request.params.id));
};
