import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { IdentityDeps } from '../identity/deps.js';
import { householdOf, membersOf, tvHouseholdContext } from '../identity/household.js';
import { login, startChallenge } from '../identity/login.js';
import { identifyPresence } from '../identity/presence.js';
import { cancelRegistration, confirmRegistration, createRegistrationDraft, submitRegistration } from '../identity/registration.js';
import { linkService, servicesOf, unlinkService } from '../identity/service-links.js';
import { endSession } from '../identity/sessions.js';
import { requestAuth } from './request-auth.js';
import {
  Base64, LinkedService, NonceResponse, PresenceResult, RegistrationConfirmed, RegistrationDraft, RegistrationResult, SessionResponse, SessionView,
  TvHousehold, Nonce, Uuid,
} from './identity-schemas.js';
import { withErrors } from './schemas.js';

const Strict = { additionalProperties: false } as const;

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
        body: Type.Object({ purpose: Type.Literal('login') }, Strict),
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
        body: Type.Object({ nonce: Nonce, certificate: Base64, signature: Base64 }, Strict),
        response: withErrors({ 201: SessionResponse }),
      },
    },
    async (request, reply) => reply.code(201).send(await login(deps, await deviceOf(request), request.body)),
  );

  app.get(
    '/api/v1/sessions/current',
    { schema: { summary: 'The person signed in on this TV (session)', response: withErrors({ 200: SessionView }) } },
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
    { schema: { summary: 'Log out (session)', response: withErrors({ 204: Type.Null() }) } },
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
        response: withErrors({ 200: TvHousehold }),
      },
    },
    async (request) => tvHouseholdContext(db, await deviceOf(request)),
  );

  app.post(
    '/api/v1/registrations/drafts',
    {
      config: { rateLimited: true },
      schema: {
        summary: 'Start a registration: the document and the digests the card signs (TV device)',
        body: Type.Object({ district: Type.String({ minLength: 1, maxLength: 64 }) }, Strict),
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
        body: Type.Object({ draftId: Uuid, signCertificate: Base64, signSignature: Base64, authCertificate: Base64, authSignature: Base64 }, Strict),
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
        params: Type.Object({ id: Uuid }),
        body: Type.Optional(Type.Object({}, Strict)),
        response: withErrors({ 201: RegistrationConfirmed }),
      },
    },
    async (request, reply) => reply.code(201).send(await confirmRegistration(deps, await deviceOf(request), request.params.id)),
  );

  app.delete(
    '/api/v1/registrations/:id',
    { schema: { summary: 'Drop a registration the person did not confirm (TV device)', params: Type.Object({ id: Uuid }), response: withErrors({ 204: Type.Null() }) } },
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
        body: Type.Object({ certificate: Base64 }, Strict),
        response: withErrors({ 200: PresenceResult }),
      },
    },
    async (request) => identifyPresence(deps, await deviceOf(request), request.body),
  );

  app.get(
    '/api/v1/me/services',
    { schema: { summary: 'Services that know me (session)', response: withErrors({ 200: Type.Object({ services: Type.Array(LinkedService) }) }) } },
    async (request) => ({ services: await servicesOf(db, (await sessionOf(request)).person.id) }),
  );

  app.post(
    '/api/v1/me/services/:providerId',
    {
      schema: {
        summary: 'Link me to a service provider (session)',
        params: Type.Object({ providerId: Uuid }),
        response: withErrors({ 201: Type.Object({ providerId: Uuid, linkedAt: Type.String() }) }),
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
    { schema: { summary: 'Unlink me from a service provider (session)', params: Type.Object({ providerId: Uuid }), response: withErrors({ 204: Type.Null() }) } },
    async (request, reply) => {
      const { person } = await sessionOf(request);
      await unlinkService(db, person.id, request.params.providerId);
      return reply.code(204).send(null);
    },
  );
};
