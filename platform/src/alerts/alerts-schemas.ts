import { Type, type Static } from '@sinclair/typebox';

/** Contracts of the alert routes (issue 13); stb-ui imports the types with `import type`. */

/** What `POST /api/v1/alerts/cap` answers for an accepted document. */
export const AlertIngestResult = Type.Object({
  /** stored: new; duplicate: this exact message was already stored; stale: an older L-Alert revision than stored. */
  outcome: Type.Union([Type.Literal('stored'), Type.Literal('duplicate'), Type.Literal('stale')]),
  alertId: Type.String({ format: 'uuid' }),
  /** Whether residents' TVs will show it (only status Actual). */
  shownToResidents: Type.Optional(Type.Boolean()),
  /** The alerts it superseded or withdrew. */
  affected: Type.Optional(Type.Array(Type.String({ format: 'uuid' }))),
});
export type AlertIngestResult = Static<typeof AlertIngestResult>;
