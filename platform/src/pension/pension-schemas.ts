import { Type, type Static } from '@sinclair/typebox';

/**
 * The pension API's request and response shapes (TV, console, insurer API): one definition the
 * routes validate with and the TV and console pages import as types.
 */
const Strict = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]+={0,2}$', maxLength: 16_384 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
export const IdParams = Type.Object({ id: Uuid });

// ---- TV (a person's session) ----
export const LinkCodeBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }) }, Strict);
export const LinkPreview = Type.Object({
  insurer: Type.Object({ providerId: Uuid, name: Type.String() }),
  policyRef: Type.String(), dueMonth: Type.Integer(),
  /** The insurer's UID for this person if already linked to it; null: a new one is issued on consent. */
  serviceUid: Nullable(Type.String()),
  /** What the link gives the insurer now (plus the 基本4情報 if ticked). */
  receives: Type.Array(Type.String()),
  /**
   * What each signed 現況確認届 gives it besides: the document, and the sign certificate that
   * verifies it — which states the 基本4情報 whatever was ticked (the evidence bundle, pension/README.md).
   */
  receivesWhenSigning: Type.Array(Type.String()),
  mayShareBasic4: Type.Boolean(),
});
export const LinkBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }), shareBasic4: Type.Boolean() }, Strict);
export const PolicyLinked = Type.Object({
  policyId: Uuid, policyRef: Type.String(), insurer: Type.Object({ providerId: Uuid, name: Type.String() }),
  serviceUid: Type.String(), sharesBasic4: Type.Boolean(), linkedAt: Type.String(),
});
/** `booking`: a booking notice (receipt, lottery result, waitlist offer, override) in the same inbox. */
export const InboxItemKind = Type.Union([Type.Literal('campaign'), Type.Literal('reminder'), Type.Literal('notice'), Type.Literal('status_changed'), Type.Literal('booking')]);
export const Inbox = Type.Object({
  unread: Type.Integer(),
  items: Type.Array(Type.Object({
    id: Uuid, kind: InboxItemKind, from: Type.String(), title: Type.String(), body: Type.String(), at: Type.String(),
    opened: Type.Boolean(), done: Type.Boolean(), campaignId: Nullable(Uuid),
  })),
});
export const InboxBadge = Type.Object({ unread: Type.Integer() });
export const SubmissionState = Type.Union([Type.Literal('sealed'), Type.Literal('revocation_pending')]);
export const InboxItem = Type.Object({
  id: Uuid, kind: InboxItemKind, from: Type.String(), title: Type.String(), body: Type.String(), at: Type.String(),
  confirmation: Nullable(Type.Object({
    campaignId: Uuid, policyId: Uuid, policyRef: Type.String(), period: Type.String(), deadline: Type.String(), open: Type.Boolean(),
    submission: Nullable(Type.Object({ id: Uuid, state: SubmissionState, signedAt: Type.String() })),
  })),
});
export const Declarations = Type.Object({
  aliveAndSigningMyself: Type.Literal(true), addressUnchanged: Type.Boolean(), nameUnchanged: Type.Boolean(), paymentAccountUnchanged: Type.Boolean(),
  changes: Nullable(Type.String({ maxLength: 400 })),
}, Strict);
export const DraftBody = Type.Object({ campaignId: Uuid, policyId: Uuid, declarations: Declarations }, Strict);
export const ConfirmationDraft = Type.Object({
  draftId: Uuid, document: Type.String(), lines: Type.Array(Type.String()), insurer: Type.String(), policyRef: Type.String(), period: Type.String(),
  sign: Type.Object({ digestInfo: Base64 }), expiresAt: Type.String(),
});
export const ConfirmationBody = Type.Object({ draftId: Uuid, signature: Base64, certificate: Base64 }, Strict);
export const ConfirmationReceipt = Type.Object({ id: Uuid, state: SubmissionState, signedAt: Type.String(), changesDeclared: Type.Boolean() });

export type LinkPreviewView = Static<typeof LinkPreview>;
export type PolicyLinkedView = Static<typeof PolicyLinked>;
export type InboxView = Static<typeof Inbox>;
export type InboxItemView = Static<typeof InboxItem>;
export type DeclarationsBody = Static<typeof Declarations>;
export type ConfirmationDraftView = Static<typeof ConfirmationDraft>;
export type ConfirmationReceiptView = Static<typeof ConfirmationReceipt>;

// ---- console (insurer staff) ----
const PolicyRef = Type.String({ minLength: 1, maxLength: 40 });
const Basic4 = Type.Object({ name: Type.String(), dateOfBirth: Type.String(), gender: Type.String(), address: Type.String() });
export const Policy = Type.Object({
  id: Uuid, policyRef: Type.String(), dueMonth: Type.Integer(), linked: Type.Boolean(), serviceUid: Nullable(Type.String()),
  basic4: Nullable(Basic4), linkedAt: Nullable(Type.String()), linkCodeExpiresAt: Nullable(Type.String()),
  certificateStatus: Nullable(Type.Union([Type.Literal('good'), Type.Literal('changed')])),
});
export const PolicyList = Type.Object({ policies: Type.Array(Policy) });
export const NewPolicyBody = Type.Object({ policyRef: PolicyRef, dueMonth: Type.Integer({ minimum: 1, maximum: 12 }) }, Strict);
export const PolicyCsvBody = Type.Object({ csv: Type.String({ minLength: 1, maxLength: 400_000 }) }, Strict);
export const IssuedCode = Type.Object({ id: Uuid, policyRef: Type.String(), dueMonth: Type.Integer(), linkCode: Type.String(), linkCodeExpiresAt: Type.String() });
export const IssuedCodes = Type.Object({ policies: Type.Array(IssuedCode) });
export const ReissuedCode = Type.Object({ policyId: Uuid, linkCode: Type.String(), linkCodeExpiresAt: Type.String() });
export const NewCampaignBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 100 }), period: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
  deadline: Type.String({ minLength: 10, maxLength: 40 }), reminderDates: Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { maxItems: 10 }),
}, Strict);
export const CampaignCreated = Type.Object({ id: Uuid, notified: Type.Integer() });
export const Campaign = Type.Object({
  id: Uuid, title: Type.String(), period: Type.String(), deadline: Type.String(), reminderDates: Type.Array(Type.String()),
  progress: Type.Object({ linked: Type.Integer(), notified: Type.Integer(), opened: Type.Integer(), submitted: Type.Integer(), overdue: Type.Integer() }),
});
export const CampaignList = Type.Object({ campaigns: Type.Array(Campaign) });
export const SubmissionsQuery = Type.Object({ campaignId: Type.Optional(Uuid), since: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })), limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })) }, Strict);
export const Submission = Type.Object({
  id: Uuid, policyRef: Type.String(), serviceUid: Type.String(), campaignId: Nullable(Uuid),
  /**
   * `status_changed`: sealed, and the declarations say something changed (follow up).
   * `certificate_changed`: it waited for a CRL, which showed the sign certificate's status changed
   * when it signed: not sealed, not an answer; the holder is asked to renew and confirm again.
   */
  state: Type.Union([Type.Literal('sealed'), Type.Literal('revocation_pending'), Type.Literal('status_changed'), Type.Literal('certificate_changed')]),
  declarations: Nullable(Type.Array(Type.String())), changes: Nullable(Type.String()),
  signedAt: Type.String(), sealedAt: Nullable(Type.String()), cursor: Type.String(),
});
export const SubmissionList = Type.Object({ submissions: Type.Array(Submission), next: Nullable(Type.String()) });
export const NoticeBody = Type.Object({ title: Type.String({ minLength: 1, maxLength: 100 }), body: Type.String({ minLength: 1, maxLength: 1000 }) }, Strict);
export const NoticeSent = Type.Object({ id: Uuid });
export const ApiCredentialBody = Type.Object({ label: Type.String({ minLength: 1, maxLength: 100 }) }, Strict);
export const ApiCredential = Type.Object({ id: Uuid, credential: Type.String() });
export const ApiCredentialList = Type.Object({
  credentials: Type.Array(Type.Object({ id: Uuid, label: Type.String(), createdAt: Type.String(), revokedAt: Nullable(Type.String()) })),
});
export const ApiCredentialRevoked = Type.Object({ id: Uuid, revokedAt: Type.String() });

export type PolicyView = Static<typeof Policy>;
export type CampaignView = Static<typeof Campaign>;
export type SubmissionView = Static<typeof Submission>;
export type IssuedCodeView = Static<typeof IssuedCode>;
export type ApiCredentialListView = Static<typeof ApiCredentialList>;
