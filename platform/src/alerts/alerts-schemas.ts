import { Type, type Static } from '@sinclair/typebox';

/** Contracts of the alert routes (issue 13); stb-ui imports the types with `import type`. */

/** What `POST /api/v1/alerts/cap` answers for an accepted document. */
export const AlertIngestResult = Type.Object({
  /** stored: new; duplicate: this exact message was already stored; stale: an older L-Alert revision than stored, or a CAP Update/Cancel sent before the one that already replaced what it references (not stored). */
  outcome: Type.Union([Type.Literal('stored'), Type.Literal('duplicate'), Type.Literal('stale')]),
  alertId: Type.String({ format: 'uuid' }),
  /** Whether residents' TVs will show it (only status Actual). */
  shownToResidents: Type.Optional(Type.Boolean()),
  /** The alerts it superseded or withdrew. */
  affected: Type.Optional(Type.Array(Type.String({ format: 'uuid' }))),
  /** District codes the message named that the municipality does not know (a stored Alert or Update; empty when all are known). */
  unknownAreaCodes: Type.Optional(Type.Array(Type.String())),
  /** An area named only unknown codes, so the alert went to the whole municipality. */
  widenedToMunicipality: Type.Optional(Type.Boolean()),
});
export type AlertIngestResult = Static<typeof AlertIngestResult>;

/* ---- The TV's alert channel: WebSocket /api/v1/tv/alerts/ws (issue 13 §4) ---- */

/** How the resident answered on acknowledging: 「避難しました／避難します」 or 「自宅で安全です」. */
export const AlertAnswer = Type.Union([Type.Literal('evacuated'), Type.Literal('safe_at_home')]);
export type AlertAnswer = Static<typeof AlertAnswer>;

/** The household's own text for one language of the alert (personalise.ts). */
export const TvAlertMessage = Type.Object({
  language: Type.String(),
  title: Type.String(),
  colour: Type.String(),
  greeting: Type.String(),
  lines: Type.Array(Type.String()),
  speech: Type.String(),
  shelter: Type.Optional(Type.Object({ name: Type.String(), distanceM: Type.Number() })),
});
export type TvAlertMessage = Static<typeof TvAlertMessage>;

/** One still-active Actual alert as this household's TV shows it. */
export const TvAlert = Type.Object({
  id: Type.String({ format: 'uuid' }),
  /** 3, 4, 5 or lift; absent when the message names no level. */
  level: Type.Optional(Type.String()),
  sentAt: Type.String({ format: 'date-time' }),
  /** CAP status: Actual, or (only on a TV flagged for test alerts) Test, Exercise, … — the overlay says so. */
  status: Type.Optional(Type.String()),
  expiresAt: Type.String({ format: 'date-time' }),
  /** One per language of the source, source order first. */
  messages: Type.Array(TvAlertMessage, { minItems: 1 }),
  /** This TV already acknowledged it (shown again only under 避難情報, not as an overlay). */
  acknowledged: Type.Boolean(),
});
export type TvAlert = Static<typeof TvAlert>;

/** `displayed` implies `delivered` (the platform stores both): a TV sends `delivered` alone only for an alert it does not show at once. */
export const ReceiptKind = Type.Union([Type.Literal('delivered'), Type.Literal('displayed'), Type.Literal('acknowledged')]);
export type ReceiptKind = Static<typeof ReceiptKind>;

/**
 * TV → platform. `auth` is the first message, sent after the server's hello (a browser cannot set
 * headers on a WebSocket): the device credential as in `Authorization: Device <id>:<secret>`, and
 * `have`, the resume cursor: the ids of the alerts the TV already holds. The platform sends only
 * active alerts that are not in it, and says which of them are gone.
 */
export const TvAlertClientMessage = Type.Union([
  Type.Object({
    type: Type.Literal('auth'),
    credential: Type.String({ maxLength: 300 }),
    have: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 100 }),
  }),
  Type.Object({
    type: Type.Literal('receipt'),
    alertId: Type.String({ format: 'uuid' }),
    kind: ReceiptKind,
    answer: Type.Optional(AlertAnswer),
    /** The logged-in person's session token, when someone is logged in (the receipt names them). */
    session: Type.Optional(Type.String({ maxLength: 200 })),
  }),
]);
export type TvAlertClientMessage = Static<typeof TvAlertClientMessage>;

/** platform → TV. */
export const TvAlertServerMessage = Type.Union([
  Type.Object({ type: Type.Literal('hello') }),
  /**
   * Authenticated. `active`: every alert of the household still in force (ids); the TV drops any
   * other it holds. `now`: the platform's clock as it sent this (ms since the epoch): the TV ends
   * alerts at their expiry by this clock, not by its own (a TV clock set ahead would end an
   * evacuation order early). `heartbeatMs`: a `beat` (or any other message) comes at least this
   * often; a TV that hears nothing for much longer takes the link for dead and connects again.
   */
  Type.Object({
    type: Type.Literal('ready'), active: Type.Array(Type.String({ format: 'uuid' })), now: Type.Integer({ minimum: 0 }),
    heartbeatMs: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
  /** Nothing new: the link is alive (see `heartbeatMs`). */
  Type.Object({ type: Type.Literal('beat') }),
  /** Not accepted; the socket closes with TV_ALERT_CLOSE.refused. */
  Type.Object({ type: Type.Literal('refused'), code: Type.String() }),
  /**
   * A new alert, or an Update: it replaces the alerts in `replaces`. `extension`: the Update only
   * moves the expiry of what it replaces (same text, same level), so it is no new alarm — no chime,
   * no overlay that was not already up; an acknowledgement of the replaced alert carries over.
   */
  Type.Object({
    type: Type.Literal('alert'), alert: TvAlert, replaces: Type.Array(Type.String({ format: 'uuid' })),
    extension: Type.Optional(Type.Literal(true)),
  }),
  /** Lifted by a Cancel, replaced for a household the Update no longer reaches, or (reason `expired`) past its expiry. */
  Type.Object({
    type: Type.Literal('withdrawn'), alertIds: Type.Array(Type.String({ format: 'uuid' })),
    reason: Type.Optional(Type.Literal('expired')),
  }),
  /**
   * Receipts are stored (or were already): all of this TV's that one batch wrote, in one message
   * (20,000 TVs answering an alert twice each are not 40,000 replies). Never sent before storing.
   */
  Type.Object({
    type: Type.Literal('receipted'),
    receipts: Type.Array(Type.Object({ alertId: Type.String({ format: 'uuid' }), kind: ReceiptKind })),
  }),
]);
export type TvAlertServerMessage = Static<typeof TvAlertServerMessage>;

/**
 * WebSocket close codes the TV understands: refused (credential) → ask the reader driver again;
 * malformed → a bug; reconnect → the TV's settings changed (test alerts): connect again.
 */
export const TV_ALERT_CLOSE = { refused: 4001, malformed: 4002, reconnect: 4003 } as const;
export const TV_ALERT_PATH = '/api/v1/tv/alerts/ws';
