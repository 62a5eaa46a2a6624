import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { IdentityDeps } from '../identity/deps.js';
import { householdOf, membersOf, tvHouseholdContext } from '../identity/household.js';
import { login, startChallenge } from '../identity/login.js';
import { identifyPresence } from '../identity/presence.js';
import { cancelRegistration, confirmRegistration, createRegistrationDraft, submitRegistration } from '../identity/registration.js';
import { linkService, servicesOf, unlinkService } from '../identity/service-links.js';
import { endSession } from '../identity/sessions.js';
import { recordLoginFailure } from '../console/login-failures.js';
import { tvHelp } from '../identity/help.js';
import { unregister } from '../identity/unregister.js';
import { requestAuth } from './request-auth.js';
import {
  LinkedServices, LoginRequest, NonceRequest, NonceResponse, PresenceRequest, PresenceResult, ProviderIdParams, RegistrationConfirmed,
  RegistrationConfirmRequest, RegistrationDraft, RegistrationDraftRequest, RegistrationIdParams, RegistrationResult, RegistrationSubmission,
  ServiceLinked, SessionResponse, SessionView, TvHelp, TvHousehold, Unregistered, UnregisterRequest,
} from './identity-schemas.js';
import {
  CERTIFICATE_ERRORS, DEVICE_AUTH_ERRORS, errorCodes, NONCE_ERRORS, OCSP_ERRORS, SESSION_AUTH_ERRORS, withErrors,
} from './schemas.js';

/** The identity core's HTTP API (see API.md beside this file). */
export const identityRoutes: FastifyPluginAsyncTypebox<{ deps: IdentityDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const { deviceOf, sessionOf } = requestAuth(db);

  app.post(
    '/api/v1/nonces',
    {
      config: { rateLimited: true },
      schema: {
        summary: 'A single-use nonce and the DigestInfo the card signs for it (device)',
        ...errorCodes(DEVICE_AUTH_ERRORS),
        body: NonceRequest,
        response: withErrors({ 201: NonceResponse }),
      },
    },
    async (request, reply) => reply.code(201).send(await startChallenge(deps, await deviceOf(request), request.body.purpose)),
  );

  app.post(
    '/api/v1/sessions',
    {
      config: { rateLimited: true },
      schema: {
        summary: 'Log in with the auth certificate and the card signature over the nonce (device)',
        ...errorCodes(DEVICE_AUTH_ERRORS, NONCE_ERRORS, CERTIFICATE_ERRORS, OCSP_ERRORS, 'AUTH_FORBIDDEN', 'PKI_SIGNATURE_INVALID', 'AUTH_NOT_REGISTERED', 'AUTH_NOT_HOUSEHOLD_MEMBER'),
        body: LoginRequest,
        response: withErrors({ 201: SessionResponse }),
      },
    },
    async (request, reply) => {
      const device = await deviceOf(request);
      try {
        return reply.code(201).send(await login(deps, device, request.body));
      } catch (err) {
        recordLoginFailure(deps.db, device.id, err);
        throw err;
      }
    },
  );

  app.get(
    '/api/v1/sessions/current',
    { schema: { summary: 'The person signed in on this TV (session)', ...errorCodes(SESSION_AUTH_ERRORS, 'AUTH_FORBIDDEN'), response: withErrors({ 200: SessionView }) } },
    async (request) => {
      const { device, session, person } = await sessionOf(request);
      const household = await householdOf(db, device);
      return {
        expiresAt: session.expiresAt.toISOString(),
        person: { id: person.id, name: person.name },
        household: { id: household.id, label: household.label, members: await membersOf(db, household.id) },
      };
    },
  );

  app.delete(
    '/api/v1/sessions/current',
    { schema: { summary: 'Log out (session)', ...errorCodes(SESSION_AUTH_ERRORS), response: withErrors({ 204: Type.Null() }) } },
    async (request, reply) => {
      const { session } = await sessionOf(request);
      await endSession(db, session.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/tv/household',
    {
      schema: {
        summary: 'Household members, districts to choose from, consent text (TV device)',
        ...errorCodes(DEVICE_AUTH_ERRORS, 'AUTH_FORBIDDEN'),
        response: withErrors({ 200: TvHousehold }),
      },
    },
    async (request) => tvHouseholdContext(db, await deviceOf(request)),
  );

  app.get(
    '/api/v1/tv/help',
    { schema: { summary: "Who helps this household: its cable operator and municipality, with phone numbers (TV device)", ...errorCodes(DEVICE_AUTH_ERRORS, 'AUTH_FORBIDDEN'), response: withErrors({ 200: TvHelp }) } },
    async (request) => tvHelp(db, await deviceOf(request)),
  );

  app.post(
    '/api/v1/registrations/drafts',
    {
      config: { rateLimited: true },
      schema: {
        summary: 'Start a registration: the document and the digests the card signs (TV device)',
        ...errorCodes(DEVICE_AUTH_ERRORS, 'AUTH_FORBIDDEN'),
        body: RegistrationDraftRequest,
        response: withErrors({ 201: RegistrationDraft }),
      },
    },
    async (request, reply) => reply.code(201).send(await createRegistrationDraft(deps, await deviceOf(request), request.body)),
  );

  app.post(
    '/api/v1/registrations',
    {
      schema: {
        summary: "Submit the card's signatures; returns the 基本4情報 to confirm (TV device)",
        ...errorCodes(
          DEVICE_AUTH_ERRORS, NONCE_ERRORS, CERTIFICATE_ERRORS, OCSP_ERRORS, 'AUTH_FORBIDDEN', 'AUTH_REGISTRATION_EXPIRED', 'AUTH_REGISTRATION_MISMATCH', 'AUTH_CARD_PAIR_MISMATCH',
          'PKI_SIGNATURE_INVALID',
          'PKI_CMS_ATTRIBUTES_INVALID', 'PKI_CMS_CONTENT_TYPE_MISMATCH', 'PKI_CMS_DIGEST_MISMATCH', 'PKI_CMS_SIGNER_NOT_FOUND', 'PKI_PERSONAL_DATA_INVALID',
        ),
        body: RegistrationSubmission,
        response: withErrors({ 201: RegistrationResult }),
      },
    },
    async (request, reply) => reply.code(201).send(await submitRegistration(deps, await deviceOf(request), request.body)),
  );

  app.post(
    '/api/v1/registrations/:id/confirm',
    {
      schema: {
        summary: 'The person confirmed the 基本4情報: create or update them (TV device)',
        ...errorCodes(DEVICE_AUTH_ERRORS, 'AUTH_FORBIDDEN', 'AUTH_REGISTRATION_EXPIRED', 'AUTH_REGISTRATION_MISMATCH', 'AUTH_CARD_PAIR_MISMATCH'),
        params: RegistrationIdParams,
        body: RegistrationConfirmRequest,
        response: withErrors({ 201: RegistrationConfirmed }),
      },
    },
    async (request, reply) => reply.code(201).send(await confirmRegistration(deps, await deviceOf(request), request.params.id)),
  );

  app.delete(
    '/api/v1/registrations/:id',
    { schema: { summary: 'Drop a registration the person did not confirm (TV device)', ...errorCodes(DEVICE_AUTH_ERRORS, 'AUTH_FORBIDDEN', 'AUTH_REGISTRATION_EXPIRED'), params: RegistrationIdParams, response: withErrors({ 204: Type.Null() }) } },
    async (request, reply) => {
      await cancelRegistration(deps, await deviceOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/presence',
    {
      schema: {
        summary: 'Identify a registered person by the auth certificate alone, low assurance (shelter tablet; a TV: its own household only)',
        ...errorCodes(DEVICE_AUTH_ERRORS, CERTIFICATE_ERRORS, OCSP_ERRORS, 'AUTH_FORBIDDEN', 'AUTH_NOT_REGISTERED'),
        body: PresenceRequest,
        response: withErrors({ 200: PresenceResult }),
      },
    },
    async (request) => identifyPresence(deps, await deviceOf(request), request.body),
  );

  app.get(
    '/api/v1/me/services',
    { schema: { summary: 'Services that know me (session)', ...errorCodes(SESSION_AUTH_ERRORS), response: withErrors({ 200: LinkedServices }) } },
    async (request) => ({ services: await servicesOf(db, (await sessionOf(request)).person.id) }),
  );

  app.post(
    '/api/v1/me/services/:providerId',
    {
      schema: {
        summary: 'Link me to a service provider (session)',
        ...errorCodes(SESSION_AUTH_ERRORS, 'REQ_NOT_FOUND'),
        params: ProviderIdParams,
        response: withErrors({ 201: ServiceLinked }),
      },
    },
    async (request, reply) => {
      const { person } = await sessionOf(request);
      const { providerId, linkedAt } = await linkService(db, person.id, request.params.providerId);
      return reply.code(201).send({ providerId, linkedAt }); // the UID is for the provider, not the TV
    },
  );

  app.delete(
    '/api/v1/me/services/:providerId',
    { schema: { summary: 'Unlink me from a service provider (session)', ...errorCodes(SESSION_AUTH_ERRORS, 'REQ_NOT_FOUND'), params: ProviderIdParams, response: withErrors({ 204: Type.Null() }) } },
    async (request, reply) => {
      const { person } = await sessionOf(request);
      await unlinkService(db, person.id, request.params.providerId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/me/registration',
    {
      schema: {
        summary: 'Cancel my registration: the card signs an unregister nonce again; every session of mine ends (session)',
        ...errorCodes(SESSION_AUTH_ERRORS, NONCE_ERRORS, CERTIFICATE_ERRORS, OCSP_ERRORS, 'AUTH_CARD_NOT_YOURS', 'AUTH_NOT_REGISTERED', 'PKI_REVOKED'),
        body: UnregisterRequest,
        response: withErrors({ 200: Unregistered }),
      },
    },
    async (request) => unregister(deps, await sessionOf(request), request.body),
  );
};
