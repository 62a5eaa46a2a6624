import { Type, type Static } from '@sinclair/typebox';

/**
 * The console's alert routes (issue 13 §3): compose, preview, approve, publish, the funnel, and
 * the municipality's setting. The console page imports these types (one definition).
 */

const Strict = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
const Iso = Type.String({ format: 'date-time' });
/** Officers' text: no control characters (an XML document could not carry them), tab and newline allowed. */
const text = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$' });

export const LevelValue = Type.Union([Type.Literal('3'), Type.Literal('4'), Type.Literal('5'), Type.Literal('lift')]);
export const DraftAction = Type.Union([Type.Literal('alert'), Type.Literal('update'), Type.Literal('extend'), Type.Literal('lift'), Type.Literal('cancel')]);
export const CapStatusValue = Type.Union([Type.Literal('Actual'), Type.Literal('Exercise'), Type.Literal('Test')]);

/** What an officer writes: the level, the districts, the shelters to open and the text. */
const contentFields = {
  level: Type.Optional(LevelValue),
  event: Type.Optional(text(40)),
  headline: Type.Optional(text(120)),
  description: Type.Optional(text(2000)),
  districtIds: Type.Optional(Type.Array(Uuid, { maxItems: 200, uniqueItems: true })),
  shelterIds: Type.Optional(Type.Array(Uuid, { maxItems: 200, uniqueItems: true })),
};

/**
 * `POST /alerts/drafts`. `alert` is a new message; `update`/`extend`/`lift`/`cancel` name the
 * active alert they change in `referencesAlertId` (extend takes only `validMinutes`; lift keeps the
 * districts unless given; cancel takes no content).
 */
export const DraftCreateBody = Type.Object({
  action: DraftAction,
  referencesAlertId: Type.Optional(Uuid),
  status: CapStatusValue,
  /** How long the message stays in force after it is published: 10 minutes to 7 days. */
  validMinutes: Type.Integer({ minimum: 10, maximum: 10_080 }),
  ...contentFields,
}, Strict);
export type DraftCreateBody = Static<typeof DraftCreateBody>;

/** `PUT /alerts/drafts/:id`: the draft's content again, with the version it was read at. */
export const DraftEditBody = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  status: CapStatusValue,
  validMinutes: Type.Integer({ minimum: 10, maximum: 10_080 }),
  ...contentFields,
}, Strict);
export type DraftEditBody = Static<typeof DraftEditBody>;

/** Submit, approve, discard: the version the officer saw (a changed draft is refused as stale). */
export const DraftVersionBody = Type.Object({ version: Type.Integer({ minimum: 1 }) }, Strict);
export const DraftParams = Type.Object({ id: Uuid }, Strict);
export const AlertParams = Type.Object({ id: Uuid }, Strict);

const Person = Type.Object({ id: Uuid, displayName: Type.String() });

export const DraftView = Type.Object({
  id: Uuid,
  action: DraftAction,
  referencesAlertId: Type.Union([Uuid, Type.Null()]),
  status: CapStatusValue,
  level: Type.Union([LevelValue, Type.Null()]),
  event: Type.String(),
  headline: Type.String(),
  description: Type.String(),
  districtIds: Type.Array(Uuid),
  shelterIds: Type.Array(Uuid),
  validMinutes: Type.Integer(),
  state: Type.Union([Type.Literal('draft'), Type.Literal('awaiting_approval'), Type.Literal('published'), Type.Literal('discarded')]),
  version: Type.Integer(),
  composedBy: Person,
  approvedBy: Type.Union([Person, Type.Null()]),
  publishedAlertId: Type.Union([Uuid, Type.Null()]),
  /** Whether publishing it waits for a second officer (Actual, and the municipality requires it). */
  needsApproval: Type.Boolean(),
  createdAt: Iso,
  updatedAt: Iso,
});
export type DraftView = Static<typeof DraftView>;

export const AlertRow = Type.Object({
  id: Uuid,
  identifier: Type.String(),
  msgType: Type.String(),
  status: Type.String(),
  state: Type.String(),
  level: Type.Union([Type.String(), Type.Null()]),
  channel: Type.String(),
  headline: Type.String(),
  areas: Type.Array(Type.String()),
  sentAt: Iso,
  expiresAt: Iso,
  supersedes: Type.Union([Uuid, Type.Null()]),
  supersededBy: Type.Union([Uuid, Type.Null()]),
  targeted: Type.Integer(),
  /** Composed here: it can be updated, extended, lifted or cancelled (while active). */
  composedHere: Type.Boolean(),
});

export const AlertSettings = Type.Object({ approvalRequired: Type.Boolean() }, Strict);
export type AlertSettings = Static<typeof AlertSettings>;

/** `GET /alerts`: the municipality's alerts (newest first), open drafts, the setting, and what a draft can name. */
export const AlertsOverview = Type.Object({
  alerts: Type.Array(AlertRow),
  drafts: Type.Array(DraftView),
  settings: AlertSettings,
  places: Type.Object({
    districts: Type.Array(Type.Object({ id: Uuid, code: Type.String(), name: Type.String() })),
    shelters: Type.Array(Type.Object({ id: Uuid, name: Type.String(), districtId: Uuid })),
  }),
});
export type AlertsOverview = Static<typeof AlertsOverview>;

/** `POST /alerts/preview`: the content being composed (nothing is stored). */
export const PreviewBody = Type.Object({ ...contentFields, level: LevelValue }, Strict);
export type PreviewBody = Static<typeof PreviewBody>;

/** The TV overlay's text for one sample household of the chosen districts (personalise.ts, as the TV gets it). */
export const PreviewView = Type.Object({
  /** Households in the chosen districts (the whole municipality when none is chosen). */
  households: Type.Integer(),
  sample: Type.Union([Type.Object({ label: Type.String() }), Type.Null()]),
  message: Type.Object({ title: Type.String(), colour: Type.String(), greeting: Type.String(), lines: Type.Array(Type.String()), speech: Type.String() }),
});
export type PreviewView = Static<typeof PreviewView>;

const Stage = {
  targeted: Type.Integer(),
  delivered: Type.Integer(),
  displayed: Type.Integer(),
  acknowledged: Type.Integer(),
  evacuated: Type.Integer(),
  safeAtHome: Type.Integer(),
};

/** `GET /alerts/:id/funnel`: households per stage and district, the TVs not reached, delivery times, the watchdog. */
export const FunnelView = Type.Object({
  alertId: Uuid,
  publishedAt: Iso,
  /** District codes the message named that the municipality does not know (ingest.ts stores them). */
  unknownAreaCodes: Type.Array(Type.String()),
  /** Because of them it went to every household of the municipality: the page warns. */
  widenedToMunicipality: Type.Boolean(),
  totals: Type.Object(Stage),
  districts: Type.Array(Type.Object({ districtId: Type.Union([Uuid, Type.Null()]), name: Type.String(), ...Stage })),
  tvs: Type.Object({ reachable: Type.Integer(), delivered: Type.Integer() }),
  notReached: Type.Object({
    total: Type.Integer(),
    items: Type.Array(Type.Object({
      deviceId: Uuid, label: Type.String(), household: Type.String(), district: Type.String(), lastSeenAt: Type.Union([Iso, Type.Null()]),
    })),
  }),
  /** Seconds from publishing to each TV's first receipt: `counts[i]` TVs in [edges[i], edges[i+1]), the last bucket open-ended. */
  histogram: Type.Object({ edgesSeconds: Type.Array(Type.Number()), counts: Type.Array(Type.Integer()) }),
  /** Seconds by which half / 99 % of the reachable TVs had it; null while not reached. */
  p50Seconds: Type.Union([Type.Number(), Type.Null()]),
  p99Seconds: Type.Union([Type.Number(), Type.Null()]),
  watchdog: Type.Object({
    boundSeconds: Type.Integer(),
    /** ok: 99 % within the bound; pending: not yet, the bound has not passed; late: the bound passed first; not_applicable: a Cancel, or no TVs. */
    state: Type.Union([Type.Literal('ok'), Type.Literal('pending'), Type.Literal('late'), Type.Literal('not_applicable')]),
  }),
});
export type FunnelView = Static<typeof FunnelView>;

/** Public CAP out: a municipality code (全国地方公共団体コード) and one of its alerts. */
export const PublicFeedParams = Type.Object({ code: Type.String({ pattern: '^[0-9A-Za-z_-]{1,32}$' }) }, Strict);
export const PublicCapParams = Type.Object({ code: Type.String({ pattern: '^[0-9A-Za-z_-]{1,32}$' }), id: Uuid }, Strict);
