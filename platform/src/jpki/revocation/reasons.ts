/** CRLReason names by code (RFC 5280 §5.3.1); 7 is not used. */
export const CRL_REASONS = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
} as const;

/** An RFC 5280 CRLReason name. */
export type CrlReason = (typeof CRL_REASONS)[keyof typeof CRL_REASONS];

/** The name of a CRLReason code, or null for a code RFC 5280 does not define. */
export function reasonName(code: number): CrlReason | null {
  return CRL_REASONS[code as keyof typeof CRL_REASONS] ?? null;
}
