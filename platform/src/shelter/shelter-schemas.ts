import { Type, type Static } from '@sinclair/typebox';

/**
 * The shelter tablet's API (platform/src/shelter/README.md): request and response shapes the routes
 * validate and serialise with, and the types the tablet page imports (`import type`).
 */

const Strict = { additionalProperties: false } as const;
const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]+={0,2}$', maxLength: 16_384 });
const Uuid = Type.String({ format: 'uuid' });
const Iso = Type.String({ format: 'date-time' });
const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** A client-made UUIDv7 (time-ordered, so the tablet's ids sort the way it made them). */
export const EventId = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' });

/** A typed name: something other than spaces, and no control characters (PostgreSQL refuses NUL in text). */
const PersonName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$' });

/** Who an event is about, and how staff identified them. */
export const EventSubject = Type.Union([
  /**
   * The card's auth certificate (base64 DER), read without a PIN: low assurance. At a shelter that
   * requires the PIN, also `signature`: the card's auth signature (PIN entered) over
   * `shelterCheckinMessage(eventId, shelterId)` — made offline too, so no challenge from the platform.
   */
  Type.Object({ method: Type.Literal('card'), certificate: Base64, signature: Type.Optional(Base64) }, Strict),
  /** Another member of a carded person's household, added by one key. */
  Type.Object({ method: Type.Literal('household'), personId: Uuid }, Strict),
  /** No card: staff typed the name and birth date (recorded as such). */
  Type.Object({ method: Type.Literal('name'), name: PersonName, birthDate: Type.String({ format: 'date' }) }, Strict),
  /** Someone already in the list (check-out, move, outside). */
  Type.Object({ method: Type.Literal('person'), personId: Uuid }, Strict),
]);
export type EventSubject = Static<typeof EventSubject>;

export const EventKind = Type.Union([Type.Literal('checkin'), Type.Literal('checkout'), Type.Literal('move'), Type.Literal('outside')]);
export type EventKind = Static<typeof EventKind>;

export const CheckinEvent = Type.Object(
  {
    eventId: EventId,
    /** The tablet's own counter, 1, 2, 3… (its order of events). */
    sequence: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    occurredAt: Iso,
    kind: EventKind,
    subject: EventSubject,
    /** `move` only: the shelter the person is going to. */
    toShelterId: Type.Optional(Uuid),
  },
  Strict,
);
export type CheckinEvent = Static<typeof CheckinEvent>;

export const MAX_EVENTS_PER_BATCH = 200;
/** `POST /api/v1/shelter/events` */
export const EventBatch = Type.Object({ events: Type.Array(CheckinEvent, { minItems: 1, maxItems: MAX_EVENTS_PER_BATCH }) }, Strict);

/** What the platform answered when it stored an event (a replay gets the same, with `replayed: true`). */
export const EventOutcome = Type.Object({
  personId: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  /** A check-in of someone already inside this shelter: stored, never counted twice. */
  alreadyHere: Type.Boolean(),
  /** For staff: `revoked` (the card was revoked; still checked in), `revocation-unknown`, `no-card`. */
  flags: Type.Array(Type.String()),
});
export type EventOutcome = Static<typeof EventOutcome>;

export const EventResult = Type.Union([
  Type.Object({ eventId: Type.String(), status: Type.Union([Type.Literal('recorded'), Type.Literal('replayed')]), outcome: EventOutcome }),
  Type.Object({ eventId: Type.String(), status: Type.Literal('refused'), error: Type.Object({ code: Type.String(), message: Type.String(), ja: Type.String() }) }),
]);
export type EventResult = Static<typeof EventResult>;
export const EventBatchResult = Type.Object({ results: Type.Array(EventResult) });
export type EventBatchResult = Static<typeof EventBatchResult>;

/** `GET /api/v1/shelter/whitelist`: the municipality's registered residents, minimal data. */
export const Whitelist = Type.Object({
  /** `requirePin`: card check-ins here need the card's PIN (the municipality's setting). */
  shelter: Type.Object({ id: Uuid, name: Type.String(), capacity: Type.Integer(), requirePin: Type.Boolean() }),
  /** Hex; a card's key is SHA-256(salt ‖ SHA-256(certificate DER)), so the list names no certificate outside this copy. */
  salt: Hex64,
  generatedAt: Iso,
  cards: Type.Array(Type.Object({ key: Hex64, personId: Uuid })),
  people: Type.Array(Type.Object({ personId: Uuid, name: Type.String(), householdId: Type.Union([Uuid, Type.Null()]) })),
  /** The municipality's other shelters, for "move to another shelter". */
  shelters: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
});
export type Whitelist = Static<typeof Whitelist>;

export const PlacementStatus = Type.Union([Type.Literal('inside'), Type.Literal('outside'), Type.Literal('moved'), Type.Literal('left')]);
export const Placement = Type.Object({
  subject: Type.String(),
  personId: Type.Union([Uuid, Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  method: Type.String(),
  status: PlacementStatus,
  shelterId: Uuid,
  since: Iso,
  flags: Type.Array(Type.String()),
});
export type Placement = Static<typeof Placement>;

/** `GET /api/v1/shelter/state`: the tablet's shelter as the platform sees it. */
export const ShelterState = Type.Object({
  shelter: Type.Object({ id: Uuid, name: Type.String(), capacity: Type.Integer() }),
  inside: Type.Integer(),
  outside: Type.Integer(),
  /** 昼間・夜間: people inside at the last noon and the last midnight (Japan time), by the tablets' clocks. */
  day: Type.Object({ at: Iso, inside: Type.Integer() }),
  night: Type.Object({ at: Iso, inside: Type.Integer() }),
  people: Type.Array(Placement),
});
export type ShelterState = Static<typeof ShelterState>;

/** `GET /api/v1/console/shelters`: live occupancy and tablets' sync health, the caller's municipality only. */
export const ShelterOverview = Type.Object({
  /** Arrivals (first check-ins, never a second one of someone already there) per hour, the last 24 hours, oldest first. */
  arrivals: Type.Array(Type.Object({ hour: Iso, count: Type.Integer() })),
  /** 安否未確認 counted per district (names: `GET …/shelters/unconfirmed`, evacuees.read). */
  unconfirmed: Type.Array(Type.Object({ districtCode: Type.Union([Type.String(), Type.Null()]), district: Type.Union([Type.String(), Type.Null()]), count: Type.Integer() })),
  shelters: Type.Array(Type.Object({
    id: Uuid, name: Type.String(), capacity: Type.Integer(), requirePin: Type.Boolean(), inside: Type.Integer(), outside: Type.Integer(),
    tablets: Type.Array(Type.Object({
      deviceId: Uuid, label: Type.String(), lastSeenAt: Type.Union([Iso, Type.Null()]), lastEventAt: Type.Union([Iso, Type.Null()]), events: Type.Integer(),
      /** Events the tablet said it still holds unsent, at its last report (null: it never reported). */
      waiting: Type.Union([Type.Integer(), Type.Null()]),
      /** Its last contact: the later of its last authenticated request (kept per minute) and its last report. */
      lastContactAt: Type.Union([Iso, Type.Null()]),
    })),
  })),
});
export type ShelterOverview = Static<typeof ShelterOverview>;

/** `GET /api/v1/console/shelters/unconfirmed[.csv]?district=CODE` */
export const UnconfirmedQuery = Type.Object({ district: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$' })) }, Strict);
export type UnconfirmedQuery = Static<typeof UnconfirmedQuery>;

/** 安否未確認: people of the alerted households neither seen at a shelter nor answered safe on their TV. */
export const UnconfirmedList = Type.Object({
  people: Type.Array(Type.Object({
    personId: Uuid, name: Type.Union([Type.String(), Type.Null()]), address: Type.Union([Type.String(), Type.Null()]), household: Type.String(),
    districtCode: Type.Union([Type.String(), Type.Null()]), district: Type.Union([Type.String(), Type.Null()]),
  })),
});
export type UnconfirmedList = Static<typeof UnconfirmedList>;

/** `PUT /api/v1/console/shelters/:shelterId/settings` (shelters.manage): the municipality's setting for one shelter. */
export const ShelterSettings = Type.Object({ requirePin: Type.Boolean() }, Strict);
export type ShelterSettings = Static<typeof ShelterSettings>;
export const ShelterSettingsParams = Type.Object({ shelterId: Uuid });
export const ShelterSettingsResult = Type.Object({ shelterId: Uuid, requirePin: Type.Boolean() });
