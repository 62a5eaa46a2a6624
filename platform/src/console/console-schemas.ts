import { Type, type Static } from '@sinclair/typebox';
import type { FunnelView } from '../alerts/alert-console-schemas.js';
import type { ShelterOverview } from '../shelter/shelter-schemas.js';

/**
 * The operator console's API (platform/src/console/README.md): request and response shapes as
 * TypeBox schemas the routes validate and serialise with, and the TypeScript types the console page
 * imports. One definition, so the page cannot drift from what the platform sends.
 */

const Strict = { additionalProperties: false } as const;
const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]+={0,2}$', maxLength: 16_384 });
const Uuid = Type.String({ format: 'uuid' });
const Iso = Type.String({ format: 'date-time' });
const RoleName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z_]+\\.[a-z_]+$' });

/** `POST /api/v1/console/nonces`: `clientId` is the console tab's own random id. */
export const StaffNonceBody = Type.Object({ clientId: Uuid }, Strict);
export const StaffNonce = Type.Object({ nonce: Type.String(), digestInfo: Base64, expiresAt: Iso });

/** `POST /api/v1/console/sessions`: the card's auth signature; `inviteCode` on the first login only. */
export const StaffLoginBody = Type.Object(
  {
    clientId: Uuid,
    nonce: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.-]+$' }),
    certificate: Base64,
    signature: Base64,
    inviteCode: Type.Optional(Type.String({ minLength: 12, maxLength: 20, pattern: '^[A-Za-z0-9 -]+$' })),
  },
  Strict,
);

export const StaffMe = Type.Object({
  staff: Type.Object({ id: Uuid, displayName: Type.String(), roles: Type.Array(Type.String()) }),
  organisation: Type.Object({
    id: Uuid,
    kind: Type.Union([Type.Literal('cable_operator'), Type.Literal('municipality'), Type.Literal('insurer')]),
    code: Type.String(),
    name: Type.String(),
  }),
  permissions: Type.Array(Type.String()),
  /** The session ends at this time unless the console makes another request before. */
  idleExpiresAt: Iso,
});
export const StaffSession = Type.Composite([StaffMe, Type.Object({ token: Type.String(), expiresAt: Iso })]);

export const Dashboard = Type.Object({
  at: Iso,
  counters: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), value: Type.Number() })),
  series: Type.Array(Type.Object({
    key: Type.String(),
    label: Type.String(),
    unit: Type.Union([Type.Literal('count'), Type.Literal('per_minute')]),
    points: Type.Array(Type.Tuple([Type.Number(), Type.Number()])),
  })),
  breakdowns: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), rows: Type.Array(Type.Object({ key: Type.String(), count: Type.Number() })) })),
});

/** A whole number in a query string (the platform never coerces types, so it is checked as text). */
const QueryInt = (digits: number) => Type.String({ pattern: `^[0-9]{1,${digits}}$` });

export const DeviceQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('withdrawn')])),
    q: Type.Optional(Type.String({ maxLength: 64 })),
    /** 1–200 */
    limit: Type.Optional(QueryInt(3)),
    offset: Type.Optional(QueryInt(7)),
  },
  Strict,
);
export const DeviceRow = Type.Object({
  id: Uuid,
  kind: Type.String(),
  label: Type.String(),
  contractNo: Type.String(),
  household: Type.String(),
  createdAt: Iso,
  withdrawnAt: Type.Union([Iso, Type.Null()]),
  lastSeenAt: Type.Union([Iso, Type.Null()]),
  online: Type.Boolean(),
});
export const DeviceList = Type.Object({ total: Type.Integer(), devices: Type.Array(DeviceRow) });
export const ProvisionTvBody = Type.Object(
  { contractNo: Type.String({ minLength: 1, maxLength: 64 }), label: Type.String({ minLength: 1, maxLength: 64 }) },
  Strict,
);
/** The credential is shown once: the console renders it as text and as a QR code. */
export const ProvisionedDevice = Type.Object({ id: Uuid, credential: Type.String() });
export const WithdrawnDevice = Type.Object({ withdrawn: Type.Boolean(), sessionsEnded: Type.Integer() });
export const DeviceParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, Strict);

export const AuditQuery = Type.Object(
  {
    before: Type.Optional(QueryInt(15)),
    /** 1–200 */
    limit: Type.Optional(QueryInt(3)),
    action: Type.Optional(Type.String({ maxLength: 64, pattern: '^[a-z_.]+$' })),
  },
  Strict,
);
export const AuditRow = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  subject: Type.Union([Type.String(), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export const AuditPage = Type.Object({ entries: Type.Array(AuditRow), nextBefore: Type.Union([Type.Integer(), Type.Null()]) });
const AuditHead = Type.Object({ seq: Type.Integer(), hash: Type.String() });
/**
 * The same check as `npm run platform -- verify-audit`: the whole chain against the last signed
 * checkpoint; where it breaks, and why, if it does.
 */
export const AuditVerdict = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Optional(Type.Integer()),
  head: Type.Optional(Type.Union([AuditHead, Type.Null()])),
  checkpoint: Type.Optional(Type.Union([AuditHead, Type.Null()])),
  brokenAt: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  reason: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
});

export const StaffRow = Type.Object({
  id: Uuid, displayName: Type.String(), roles: Type.Array(Type.String()), enrolled: Type.Boolean(), createdAt: Iso,
});
export const StaffList = Type.Object({ staff: Type.Array(StaffRow), roles: Type.Array(Type.Object({ name: Type.String(), ja: Type.String() })) });
export const InviteBody = Type.Object(
  { displayName: Type.String({ minLength: 1, maxLength: 64 }), roles: Type.Array(RoleName, { minItems: 1, maxItems: 8 }) },
  Strict,
);
/** The code is shown once. */
export const Invite = Type.Object({ staffId: Uuid, code: Type.String(), expiresAt: Iso });
export const RolesBody = Type.Object({ roles: Type.Array(RoleName, { minItems: 1, maxItems: 8 }) }, Strict);
export const StaffParams = Type.Object({ id: Uuid }, Strict);
export const RolesChanged = Type.Object({ staffId: Uuid, roles: Type.Array(Type.String()), sessionsEnded: Type.Integer() });
export const StaffRemoved = Type.Object({ staffId: Uuid, removed: Type.Boolean(), sessionsEnded: Type.Integer() });

/**
 * What the live channel (`GET /api/v1/console/live`, WebSocket) sends and takes. After `auth`, a
 * console showing an alert's funnel names it (`watch-alert`, null to stop) and gets it pushed when it changes.
 */
export type LiveClientMessage = { type: 'auth'; token: string } | { type: 'watch-alert'; alertId: string | null } | { type: 'watch-shelters'; on: boolean };
export type LiveServerMessage =
  | { type: 'hello' }
  | { type: 'ready'; me: Static<typeof StaffMe> }
  | { type: 'dashboard'; data: Static<typeof Dashboard> }
  | { type: 'alert-funnel'; data: FunnelView }
  /** The shelters overview (while the console shows it: `watch-shelters`), pushed when a tablet's upload or report changed it. */
  | { type: 'shelters'; data: ShelterOverview }
  | { type: 'shelters-refused'; code: 'STAFF_PERMISSION_DENIED' }
  | { type: 'watch-refused'; alertId: string; code: 'STAFF_PERMISSION_DENIED' | 'STAFF_OUT_OF_SCOPE' | 'REQ_NOT_FOUND' }
  | { type: 'ended'; code: 'AUTH_SESSION_EXPIRED' | 'AUTH_REQUIRED' };

export type StaffMeView = Static<typeof StaffMe>;
export type StaffSessionView = Static<typeof StaffSession>;
export type StaffNonceView = Static<typeof StaffNonce>;
export type StaffLoginRequest = Static<typeof StaffLoginBody>;
export type DashboardView = Static<typeof Dashboard>;
export type DeviceListView = Static<typeof DeviceList>;
export type DeviceRowView = Static<typeof DeviceRow>;
export type ProvisionedDeviceView = Static<typeof ProvisionedDevice>;
export type AuditPageView = Static<typeof AuditPage>;
export type AuditVerdictView = Static<typeof AuditVerdict>;
export type StaffListView = Static<typeof StaffList>;
export type InviteView = Static<typeof Invite>;
