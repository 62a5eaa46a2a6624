import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { IdentityDeps } from '../identity/deps.js';
import { CERTIFICATE_ERRORS, DEVICE_AUTH_ERRORS, errorCodes, OCSP_ERRORS, withErrors } from '../routes/schemas.js';
import type { StaffSessionPolicy } from '../staff/staff-login.js';
import { recordEvents } from './events.js';
import { reportHealth, waitingReported } from './health.js';
import { insideAt, lastJstHour, placementsAt } from './projection.js';
import { EventBatch, EventBatchResult, ShelterState, Whitelist } from './shelter-schemas.js';
import { tabletAuthenticator } from './tablet-auth.js';
import { whitelistFor } from './whitelist.js';

/** The tablet's credential, then the staff member's session on it (tablet-auth.ts). */
const TABLET_ERRORS = [...DEVICE_AUTH_ERRORS, 'AUTH_FORBIDDEN', 'AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED', 'STAFF_PERMISSION_DENIED', 'STAFF_OUT_OF_SCOPE', 'REQ_INVALID'] as const;

/**
 * The shelter tablet's API. Every route needs the tablet (`X-Device`) and a staff session on it
 * (`Authorization: Bearer`); per-event problems are answered inside a 200, so one bad event never
 * holds back the rest of a queue. Each request may carry `X-Outbox-Waiting: N`, the events the
 * tablet still holds besides those in the request: the console's sync health (health.ts).
 */
export const shelterRoutes: FastifyPluginAsyncTypebox<{ deps: IdentityDeps; policy: StaffSessionPolicy }> = async (app, { deps, policy }) => {
  const authenticate = tabletAuthenticator(deps.db, policy);
  /** Who calls, and the outbox count the tablet reports with it (`X-Outbox-Waiting`, checked before any work). */
  const callerOf = async (request: FastifyRequest) => ({ ...(await authenticate(request)), waiting: waitingReported(request) });

  app.get('/api/v1/shelter/whitelist', {
    schema: { summary: "The shelter's municipality's registered residents, for identifying cards offline (tablet + staff)", ...errorCodes(TABLET_ERRORS), response: withErrors({ 200: Whitelist }) },
  }, async (request, reply) => {
    const caller = await callerOf(request);
    const list = await whitelistFor(deps.db, caller.shelter);
    await reportHealth(deps.db, caller, caller.waiting);
    return reply.header('cache-control', 'no-store').send(list);
  });

  app.post('/api/v1/shelter/events', {
    schema: {
      summary: 'Upload check-in events; idempotent per event id, answered per event (tablet + staff)',
      description: `Per-event refusals: ${['SHELTER_EVENT_ID_TAKEN', 'SHELTER_SEQUENCE_REUSED', 'SHELTER_PERSON_UNKNOWN', 'SHELTER_MOVE_TARGET_INVALID', 'SHELTER_PIN_REQUIRED', 'PKI_SIGNATURE_INVALID', 'REQ_INVALID', 'AUTH_NOT_REGISTERED', ...CERTIFICATE_ERRORS, ...OCSP_ERRORS].join(', ')}`,
      ...errorCodes(TABLET_ERRORS), body: EventBatch, response: withErrors({ 200: EventBatchResult }),
    },
  }, async (request) => {
    const caller = await callerOf(request);
    const results = await recordEvents(deps, caller, request.body.events);
    // After the commit: the tablet's reading counts what it still holds beside this batch.
    await reportHealth(deps.db, caller, caller.waiting, results.some((r) => r.status === 'recorded'));
    return { results };
  });

  app.get('/api/v1/shelter/state', {
    schema: { summary: "Who is at the tablet's shelter, as the platform's events say (tablet + staff)", ...errorCodes(TABLET_ERRORS), response: withErrors({ 200: ShelterState }) },
  }, async (request) => {
    const caller = await callerOf(request);
    const { shelter } = caller;
    await reportHealth(deps.db, caller, caller.waiting);
    const people = await placementsAt(deps.db, shelter.municipalityId, shelter.id);
    const [noon, midnight] = [lastJstHour(new Date(), 12), lastJstHour(new Date(), 0)];
    return {
      day: { at: noon.toISOString(), inside: await insideAt(deps.db, shelter.municipalityId, shelter.id, noon) },
      night: { at: midnight.toISOString(), inside: await insideAt(deps.db, shelter.municipalityId, shelter.id, midnight) },
      shelter: { id: shelter.id, name: shelter.name, capacity: shelter.capacity },
      inside: people.filter((p) => p.status === 'inside').length,
      outside: people.filter((p) => p.status === 'outside').length,
      people,
    };
  });
};
