import type { Static, TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { DEMO_HOUSEHOLDS } from '../../platform/src/demo/world.js';
import type { Health } from '../../platform/src/routes/health-schemas.js';
import type * as PS from '../../platform/src/pension/pension-schemas.js';
import type * as S from '../../platform/src/routes/identity-schemas.js';
import type * as B from '../../platform/src/booking/booking-schemas.js';
import { facilities } from '../../platform/src/db/schema/index.js';
import { PlatformClient, PlatformError } from '../../stb-ui/src/api/platform-client.js';
import { buildTestApp } from '../helpers/app.js';

/**
 * The TV page's platform client and the platform's routes agree (issue 10 §2).
 *
 * At compile time (`npm run typecheck`): every client method takes exactly the route's request
 * schema type and promises exactly its response schema type. At run time: every request the client
 * makes, driven through the real app, names a route in the app's route table (its OpenAPI
 * document) with that method, passes that route's request validation, and any refusal it gets is
 * among the codes the route declares (`x-error-codes`).
 */

// ---- compile time ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Holds<T extends true> = T;
type Method = keyof PlatformClient;
type Arg<M extends Method> = PlatformClient[M] extends (...args: infer P) => unknown ? P : never;
type Answer<M extends Method> = PlatformClient[M] extends (...args: never[]) => Promise<infer R> ? R : never;
type Of<T extends TSchema> = Static<T>;

export type ClientMatchesSchemas = [
  Holds<Equal<Answer<'health'>, Of<typeof Health>>>,
  Holds<Equal<{ purpose: NonNullable<Arg<'createNonce'>[0]> }, Of<typeof S.NonceRequest>>>,
  Holds<Equal<Answer<'createNonce'>, Of<typeof S.NonceResponse>>>,
  Holds<Equal<Arg<'createSession'>[0], Of<typeof S.LoginRequest>>>,
  Holds<Equal<Answer<'createSession'>, Of<typeof S.SessionResponse>>>,
  Holds<Equal<Answer<'currentSession'>, Of<typeof S.SessionView>>>,
  Holds<Equal<Answer<'household'>, Of<typeof S.TvHousehold>>>,
  Holds<Equal<{ district: Arg<'createRegistrationDraft'>[0] }, Of<typeof S.RegistrationDraftRequest>>>,
  Holds<Equal<Answer<'createRegistrationDraft'>, Of<typeof S.RegistrationDraft>>>,
  Holds<Equal<Arg<'submitRegistration'>[0], Of<typeof S.RegistrationSubmission>>>,
  Holds<Equal<Answer<'submitRegistration'>, Of<typeof S.RegistrationResult>>>,
  Holds<Equal<Answer<'confirmRegistration'>, Of<typeof S.RegistrationConfirmed>>>,
  Holds<Equal<{ certificate: Arg<'presence'>[0] }, Of<typeof S.PresenceRequest>>>,
  Holds<Equal<Answer<'presence'>, Of<typeof S.PresenceResult>>>,
  Holds<Equal<Answer<'myServices'>, Of<typeof S.LinkedServices>>>,
  Holds<Equal<Answer<'linkService'>, Of<typeof S.ServiceLinked>>>,
  Holds<Equal<Answer<'help'>, Of<typeof S.TvHelp>>>,
  Holds<Equal<Arg<'unregister'>[0], Of<typeof S.UnregisterRequest>>>,
  Holds<Equal<Answer<'unregister'>, Of<typeof S.Unregistered>>>,
  Holds<Equal<Answer<'pensionInbox'>, Of<typeof PS.Inbox>>>,
  Holds<Equal<Answer<'pensionBadge'>, Of<typeof PS.InboxBadge>>>,
  Holds<Equal<Answer<'openInboxItem'>, Of<typeof PS.InboxItem>>>,
  Holds<Equal<{ code: Arg<'previewLinkCode'>[0] }, Of<typeof PS.LinkCodeBody>>>,
  Holds<Equal<Answer<'previewLinkCode'>, Of<typeof PS.LinkPreview>>>,
  Holds<Equal<Arg<'linkPolicy'>[0], Of<typeof PS.LinkBody>>>,
  Holds<Equal<Answer<'linkPolicy'>, Of<typeof PS.PolicyLinked>>>,
  Holds<Equal<Arg<'preparePensionConfirmation'>[0], Of<typeof PS.DraftBody>>>,
  Holds<Equal<Answer<'preparePensionConfirmation'>, Of<typeof PS.ConfirmationDraft>>>,
  Holds<Equal<Arg<'submitPensionConfirmation'>[0], Of<typeof PS.ConfirmationBody>>>,
  Holds<Equal<Answer<'submitPensionConfirmation'>, Of<typeof PS.ConfirmationReceipt>>>,
  Holds<Equal<Answer<'bookingFacilities'>, Of<typeof B.FacilityList>>>,
  Holds<Equal<{ from?: NonNullable<Arg<'bookingWeek'>[1]> }, Of<typeof B.WeekQuery>>>,
  Holds<Equal<Answer<'bookingWeek'>, Of<typeof B.WeekGrid>>>,
  Holds<Equal<Arg<'holdBookingSlot'>[0], Of<typeof B.HoldBody>>>,
  Holds<Equal<Answer<'holdBookingSlot'>, Of<typeof B.BookingView>>>,
  Holds<Equal<Answer<'confirmBooking'>, Of<typeof B.BookingView>>>,
  Holds<Equal<Answer<'cancelBooking'>, Of<typeof B.BookingView>>>,
  Holds<Equal<Answer<'myBookings'>, Of<typeof B.MyBookings>>>,
  Holds<Equal<Arg<'joinWaitlist'>[0], Of<typeof B.SlotBody>>>,
  Holds<Equal<Answer<'joinWaitlist'>, Of<typeof B.Waiting>>>,
  Holds<Equal<Arg<'applyToLottery'>[1], Of<typeof B.LotteryApplyBody>>>,
  Holds<Equal<Answer<'applyToLottery'>, Of<typeof B.Applied>>>,
];

// ---- run time ----
const UUID = '00000000-0000-4000-8000-0000000000ff';
const B64 = 'AAAA';

/** One call of each client method, with arguments of the right shape (the values are refused later, by the handlers, not by validation). */
const CALLS: Record<string, (c: PlatformClient) => Promise<unknown>> = {
  health: (c) => c.health(),
  createNonce: (c) => c.createNonce(),
  createSession: (c) => c.createSession({ nonce: 'abc.def', certificate: B64, signature: B64 }),
  currentSession: (c) => c.currentSession(),
  logout: (c) => c.logout(),
  household: (c) => c.household(),
  createRegistrationDraft: (c) => c.createRegistrationDraft('johana'),
  submitRegistration: (c) => c.submitRegistration({ draftId: UUID, signCertificate: B64, signSignature: B64, authCertificate: B64, authSignature: B64 }),
  confirmRegistration: (c) => c.confirmRegistration(UUID),
  cancelRegistration: (c) => c.cancelRegistration(UUID),
  presence: (c) => c.presence(B64),
  myServices: (c) => c.myServices(),
  linkService: (c) => c.linkService(UUID),
  unlinkService: (c) => c.unlinkService(UUID),
  help: (c) => c.help(),
  unregister: (c) => c.unregister({ nonce: 'abc.def', certificate: B64, signature: B64 }),
  pensionInbox: (c) => c.pensionInbox(),
  pensionBadge: (c) => c.pensionBadge(),
  openInboxItem: (c) => c.openInboxItem(UUID),
  previewLinkCode: (c) => c.previewLinkCode('1234-5678-9012'),
  linkPolicy: (c) => c.linkPolicy({ code: '1234-5678-9012', shareBasic4: false }),
  preparePensionConfirmation: (c) => c.preparePensionConfirmation({
    campaignId: UUID, policyId: UUID, declarations: { aliveAndSigningMyself: true, addressUnchanged: true, nameUnchanged: true, paymentAccountUnchanged: true, changes: null },
  }),
  submitPensionConfirmation: (c) => c.submitPensionConfirmation({ draftId: UUID, signature: B64, certificate: B64 }),
  bookingFacilities: (c) => c.bookingFacilities(),
  // A demo facility's id (the week of an unknown one is REQ_NOT_FOUND, which would hide a drift).
  bookingWeek: (c) => c.bookingWeek(demoFacility.id, '2027-01-04'),
  holdBookingSlot: (c) => c.holdBookingSlot({ unitId: UUID, day: '2027-01-04', period: 'am', idempotencyKey: 'press-0001' }),
  confirmBooking: (c) => c.confirmBooking(UUID),
  cancelBooking: (c) => c.cancelBooking(UUID),
  myBookings: (c) => c.myBookings(),
  joinWaitlist: (c) => c.joinWaitlist({ unitId: UUID, day: '2027-01-04', period: 'am' }),
  applyToLottery: (c) => c.applyToLottery(UUID, { choices: [{ unitId: UUID, day: '2027-01-04', period: 'am' }] }),
};

/** Filled once the demo world exists (below). */
const demoFacility = { id: UUID };

/** Methods that only change the client (no request). */
const LOCAL_ONLY = new Set(['forgetSession']);

interface Sent {
  method: string;
  path: string;
  status: number;
  code: string | null;
}

describe('the TV client and the platform routes agree', async () => {
  const { app, database } = await buildTestApp({}, { demo: true });
  demoFacility.id = (await database.db.select({ id: facilities.id }).from(facilities).limit(1))[0]!.id;
  const sent: Sent[] = [];
  const viaApp: typeof fetch = async (input, init) => {
    const url = new URL(String(input), 'http://platform.test');
    const res = await app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers: init?.headers as Record<string, string>,
      ...(init?.body === undefined ? {} : { payload: String(init.body) }),
    });
    const code = res.statusCode >= 400 ? ((res.json() as { error?: { code?: string } }).error?.code ?? null) : null;
    sent.push({ method: init?.method ?? 'GET', path: url.pathname, status: res.statusCode, code });
    return new Response(res.body === '' ? null : res.body, { status: res.statusCode, headers: { 'content-type': 'application/json' } });
  };
  const tv = DEMO_HOUSEHOLDS[0]!.tv;

  const routeTable = async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { 'x-error-codes'?: string[] }>> };
    return Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.entries(ops).map(([m, op]) => ({
        method: m.toUpperCase(), template, pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`), errorCodes: op['x-error-codes'] ?? [],
      })),
    );
  };

  it('covers every method of the client', () => {
    const methods = Object.getOwnPropertyNames(PlatformClient.prototype).filter(
      (name) => name !== 'constructor' && !name.startsWith('_') && typeof Object.getOwnPropertyDescriptor(PlatformClient.prototype, name)?.value === 'function',
    );
    expect(methods.filter((m) => !LOCAL_ONLY.has(m)).sort()).toEqual(Object.keys(CALLS).sort());
  });

  it('every request names a route with that method and passes its validation', async () => {
    for (const [name, call] of Object.entries(CALLS)) {
      const client = new PlatformClient({ device: tv, fetch: viaApp });
      // Session routes need a token; a made-up one is refused by the handler (AUTH_*), after validation.
      Object.assign(client, { _token: 'not-a-session' });
      const before = sent.length;
      await call(client).catch((err: unknown) => {
        if (!(err instanceof PlatformError)) throw err;
      });
      expect(sent.length, `${name} sent one request`).toBe(before + 1);
    }
    const table = await routeTable();
    const problems = sent.flatMap(({ method, path, code }) => {
      const route = table.find((r) => r.method === method && r.pattern.test(path));
      if (!route) return [`${method} ${path}: no such route in the app's route table`];
      if (code === 'REQ_NOT_FOUND' || code === 'REQ_INVALID') return [`${method} ${path} (${route.template}) answered ${code}`];
      // What the route answered is among the codes it declares (its x-error-codes).
      if (code !== null && !route.errorCodes.includes(code)) return [`${method} ${route.template} answered ${code}, which it does not declare`];
      return [];
    });
    expect(problems).toEqual([]);
  });

  it('would notice a client that drifts (a path the app does not serve, a body the route refuses)', async () => {
    const table = await routeTable();
    expect(table.some((r) => r.method === 'POST' && r.pattern.test('/api/v1/session'))).toBe(false);
    const res = await app.inject({
      method: 'POST', url: '/api/v1/sessions', headers: { authorization: `Device ${tv.id}:${tv.secret}` }, payload: { nonce: 'abc.def', cert: B64, signature: B64 },
    });
    expect(res.json().error.code).toBe('REQ_INVALID');
  });
});
