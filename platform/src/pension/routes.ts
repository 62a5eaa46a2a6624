import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { JpkiContext } from '../jpki/index.js';
import { requestAuth } from '../routes/request-auth.js';
import { CERTIFICATE_ERRORS, errorCodes, OCSP_ERRORS, SESSION_AUTH_ERRORS, withErrors } from '../routes/schemas.js';
import { prepareConfirmation, submitConfirmation } from './confirmation.js';
import { badgeCount, inboxOf, openItem } from './inbox.js';
import {
  ConfirmationBody, ConfirmationDraft, ConfirmationReceipt, DraftBody, IdParams, Inbox, InboxBadge, InboxItem, LinkBody, LinkCodeBody, LinkPreview, PolicyLinked,
} from './pension-schemas.js';
import { linkPolicy, previewLink } from './policies.js';
import type { SealServices } from './seal-services.js';

export interface PensionDeps {
  db: Db;
  jpki: JpkiContext;
  seal: SealServices;
  config: Pick<Readonly<Config>, 'nonceSecret' | 'pensionLinkCodeTtlSeconds'>;
}

const LINK_ERRORS = ['PENSION_LINK_CODE_INVALID', 'PENSION_LINK_TRIES_EXCEEDED'] as const;

/** The TV's pension API: link a policy with its code, the inbox, and the signed 現況確認届 (a person's session). */
export const pensionRoutes: FastifyPluginAsyncTypebox<{ deps: PensionDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const { sessionOf } = requestAuth(db);
  const p = '/api/v1/pension';
  const who = async (request: Parameters<typeof sessionOf>[0]) => {
    const s = await sessionOf(request);
    return { personId: s.person.id, deviceId: s.device.id, sessionCreatedAt: s.session.createdAt };
  };

  app.post(`${p}/link-codes/preview`, {
    config: { rateLimited: true },
    schema: { summary: 'What linking this code would give the insurer (session; wrong codes count against the TV)', ...errorCodes(SESSION_AUTH_ERRORS, ...LINK_ERRORS), body: LinkCodeBody, response: withErrors({ 200: LinkPreview }) },
  }, async (request) => previewLink(db, await who(request), request.body.code, deps.config.nonceSecret));

  app.post(`${p}/links`, {
    config: { rateLimited: true },
    schema: {
      summary: 'Link the policy: consent is the card login made just now (session)',
      ...errorCodes(SESSION_AUTH_ERRORS, ...LINK_ERRORS, 'PENSION_CONSENT_STALE', 'REQ_NOT_FOUND'), body: LinkBody, response: withErrors({ 201: PolicyLinked }),
    },
  }, async (request, reply) => reply.code(201).send(await linkPolicy(db, await who(request), request.body, deps.config.nonceSecret)));

  app.get(`${p}/inbox`, {
    schema: { summary: 'My inbox (電子私書箱): requests, reminders, notices (session)', ...errorCodes(SESSION_AUTH_ERRORS), response: withErrors({ 200: Inbox }) },
  }, async (request) => inboxOf(db, (await who(request)).personId));

  app.get(`${p}/inbox/badge`, {
    schema: { summary: "The home screen's badge: unread inbox items (session)", ...errorCodes(SESSION_AUTH_ERRORS), response: withErrors({ 200: InboxBadge }) },
  }, async (request) => ({ unread: await badgeCount(db, (await who(request)).personId) }));

  app.post(`${p}/inbox/:id/open`, {
    schema: { summary: 'Open an inbox item of mine (session)', ...errorCodes(SESSION_AUTH_ERRORS, 'REQ_NOT_FOUND'), params: IdParams, response: withErrors({ 200: InboxItem }) },
  }, async (request) => openItem(db, (await who(request)).personId, request.params.id));

  app.post(`${p}/confirmations/drafts`, {
    schema: {
      summary: 'Prepare my 現況確認届 with my answers: the document and the digest the card signs (session)',
      ...errorCodes(SESSION_AUTH_ERRORS, 'REQ_NOT_FOUND', 'PENSION_CAMPAIGN_CLOSED', 'PENSION_ALREADY_SUBMITTED'), body: DraftBody, response: withErrors({ 201: ConfirmationDraft }),
    },
  }, async (request, reply) => reply.code(201).send(await prepareConfirmation(db, await who(request), request.body)));

  app.post(`${p}/confirmations`, {
    config: { rateLimited: true },
    schema: {
      summary: "Submit the sign certificate's signature: verified, timestamped, sealed (or revocation pending) (session)",
      ...errorCodes(
        SESSION_AUTH_ERRORS, CERTIFICATE_ERRORS, OCSP_ERRORS, 'AUTH_CARD_NOT_YOURS', 'PENSION_DRAFT_EXPIRED', 'PENSION_ALREADY_SUBMITTED', 'PKI_SIGNATURE_INVALID',
        'PKI_CMS_ATTRIBUTES_INVALID', 'PKI_CMS_CONTENT_TYPE_MISMATCH', 'PKI_CMS_DIGEST_MISMATCH', 'PKI_CMS_SIGNER_NOT_FOUND', 'TSA_UNAVAILABLE', 'TSA_REJECTED',
      ),
      body: ConfirmationBody, response: withErrors({ 201: ConfirmationReceipt }),
    },
  }, async (request, reply) => {
    const seal = await deps.seal.context();
    return reply.code(201).send(await submitConfirmation(db, deps.jpki, seal, await who(request), request.body));
  });
};
