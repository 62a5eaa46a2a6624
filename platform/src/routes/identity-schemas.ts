import { Type, type Static } from '@sinclair/typebox';

/**
 * The identity API's request and response shapes (API.md beside this file), as TypeBox schemas the
 * routes validate and serialise with, and as the TypeScript types the identity code and the TV
 * page's client import. One definition, so the page cannot drift from what the platform expects
 * and sends (test/platform/contract.test.ts checks the client against the routes).
 */

/** Request bodies refuse fields they do not name. */
const Strict = { additionalProperties: false } as const;

export const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]+={0,2}$', maxLength: 16_384 });
export const Nonce = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.-]+$' });
export const Uuid = Type.String({ format: 'uuid' });
/** A name is null for a member who has not confirmed their 基本4情報 yet. */
export const Member = Type.Object({ personId: Uuid, name: Type.Union([Type.String(), Type.Null()]) });
export const HouseholdView = Type.Object({ id: Uuid, label: Type.String(), members: Type.Array(Member) });
export const PersonView = Type.Object({ id: Uuid, name: Type.Union([Type.String(), Type.Null()]) });
export const District = Type.Object({ code: Type.String(), name: Type.String() });
/** The 基本4情報 from the sign certificate: dateOfBirth YYYY-MM-DD; gender the JPKI code (1 男性, 2 女性, 3 / 9 other). */
export const PersonalData = Type.Object({ name: Type.String(), dateOfBirth: Type.String(), gender: Type.String(), address: Type.String() });

// ---- requests ----

/** `POST /api/v1/nonces` */
/** `unregister`: the card proves it is the person's own before their registration is cancelled. */
export const NonceRequest = Type.Object({ purpose: Type.Union([Type.Literal('login'), Type.Literal('unregister')]) }, Strict);
/** `POST /api/v1/sessions`: the auth certificate (base64 DER) and the card's signature over the nonce's challenge. */
export const LoginRequest = Type.Object({ nonce: Nonce, certificate: Base64, signature: Base64 }, Strict);
/** `DELETE /api/v1/me/registration`: the card's answer to an `unregister` nonce (the same shape as a login). */
export const UnregisterRequest = LoginRequest;
/** `POST /api/v1/registrations/drafts`: the district code the person chose. */
export const RegistrationDraftRequest = Type.Object({ district: Type.String({ minLength: 1, maxLength: 64 }) }, Strict);
/** `POST /api/v1/registrations`: both certificates and both signatures, base64. */
export const RegistrationSubmission = Type.Object(
  { draftId: Uuid, signCertificate: Base64, signSignature: Base64, authCertificate: Base64, authSignature: Base64 }, Strict,
);
/** `POST /api/v1/registrations/{id}/confirm`: no fields (an empty object or no body). */
export const RegistrationConfirmRequest = Type.Optional(Type.Object({}, Strict));
/** `POST /api/v1/presence`: the auth certificate, base64 DER. */
export const PresenceRequest = Type.Object({ certificate: Base64 }, Strict);
/** Path parameters. */
export const RegistrationIdParams = Type.Object({ id: Uuid });
export const ProviderIdParams = Type.Object({ providerId: Uuid });

// ---- responses ----

/** `POST /api/v1/nonces`: `digestInfo` is the base64 DER DigestInfo the card signs verbatim. */
export const NonceResponse = Type.Object({ nonce: Nonce, digestInfo: Base64, expiresAt: Type.String() });
/** `GET /api/v1/sessions/current`; `POST /api/v1/sessions` adds the token. */
export const SessionView = Type.Object({ expiresAt: Type.String(), person: PersonView, household: HouseholdView });
export const SessionResponse = Type.Composite([SessionView, Type.Object({ token: Type.String() })]);
/** `GET /api/v1/tv/household`: `districtCode` is where the household is now (preselected at registration). */
export const TvHousehold = Type.Object({
  household: Type.Object({ id: Uuid, label: Type.String(), districtCode: Type.Union([Type.String(), Type.Null()]) }),
  members: Type.Array(Member),
  districts: Type.Array(District),
  consent: Type.Object({ version: Type.String(), text: Type.String() }),
});
/** Someone a resident can call. */
export const Contact = Type.Object({ name: Type.String(), phone: Type.Union([Type.String(), Type.Null()]) });
/** `GET /api/v1/tv/help`: the household's cable operator and its municipality (null: no district yet). */
export const TvHelp = Type.Object({ operator: Contact, municipality: Type.Union([Contact, Type.Null()]) });
/** `DELETE /api/v1/me/registration`: what cancelling the registration undid. */
export const Unregistered = Type.Object({ personId: Uuid, servicesUnlinked: Type.Integer(), sessionsEnded: Type.Integer() });
/** `POST /api/v1/registrations/drafts` */
export const RegistrationDraft = Type.Object({
  draftId: Uuid, document: Type.String(), sign: Type.Object({ digestInfo: Base64 }), auth: Type.Object({ digestInfo: Base64 }), expiresAt: Type.String(),
});
/**
 * `POST /api/v1/registrations`. `linkage`: `linked` — J-LIS linkage data says both certificates are
 * this card's, confirming completes the registration; `pending` — the card is newer than the
 * linkage data, confirming records the answer and the registration waits for it.
 */
export const RegistrationResult = Type.Object({
  registrationId: Uuid, personalData: PersonalData, district: District, expiresAt: Type.String(),
  linkage: Type.Union([Type.Literal('linked'), Type.Literal('pending')]),
});
/**
 * `POST /api/v1/registrations/{id}/confirm`: `registered` — the person can log in now;
 * `pending_linkage` — the answer is recorded and the registration completes (or is refused with
 * AUTH_CARD_PAIR_MISMATCH) when J-LIS linkage data for the card arrives; no login until then.
 */
export const RegistrationConfirmed = Type.Union([
  Type.Object({ status: Type.Literal('registered'), personId: Uuid, created: Type.Boolean() }),
  Type.Object({ status: Type.Literal('pending_linkage'), registrationId: Uuid }),
]);
/** `POST /api/v1/presence` */
export const PresenceResult = Type.Object({
  personId: Uuid, name: Type.Union([Type.String(), Type.Null()]), assurance: Type.Literal('low'), revocationUnknown: Type.Boolean(),
});
/** One entry of `GET /api/v1/me/services`. */
export const LinkedService = Type.Object({ providerId: Uuid, name: Type.String(), service: Type.String(), linkedAt: Type.String() });
/** `GET /api/v1/me/services` */
export const LinkedServices = Type.Object({ services: Type.Array(LinkedService) });
/** `POST /api/v1/me/services/{providerId}`: the UID is for the provider, never the TV. */
export const ServiceLinked = Type.Object({ providerId: Uuid, linkedAt: Type.String() });

export type NonceRequest = Static<typeof NonceRequest>;
export type LoginRequest = Static<typeof LoginRequest>;
export type UnregisterRequest = Static<typeof UnregisterRequest>;
export type RegistrationDraftRequest = Static<typeof RegistrationDraftRequest>;
export type RegistrationSubmission = Static<typeof RegistrationSubmission>;
export type PresenceRequest = Static<typeof PresenceRequest>;
export type HouseholdMember = Static<typeof Member>;
export type NonceResponse = Static<typeof NonceResponse>;
export type SessionView = Static<typeof SessionView>;
export type SessionResponse = Static<typeof SessionResponse>;
export type TvHousehold = Static<typeof TvHousehold>;
export type RegistrationDraft = Static<typeof RegistrationDraft>;
export type PersonalData = Static<typeof PersonalData>;
export type RegistrationResult = Static<typeof RegistrationResult>;
export type RegistrationConfirmed = Static<typeof RegistrationConfirmed>;
export type PresenceResult = Static<typeof PresenceResult>;
export type LinkedService = Static<typeof LinkedService>;
export type LinkedServices = Static<typeof LinkedServices>;
export type ServiceLinked = Static<typeof ServiceLinked>;
export type TvHelp = Static<typeof TvHelp>;
export type Unregistered = Static<typeof Unregistered>;
