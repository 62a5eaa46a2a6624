import type { RevocationReason } from './crl.js';
import { iso } from './checks.js';
import { certificateRef, type CertificateRef, type ClockOptions } from './state.js';
import { loadState, type CardRecord } from './store.js';

// What J-LIS hands the platform operator: which sign and auth certificates are one card's.

/** The linkage file the platform operator receives from J-LIS (our dev stand-in; no personal data). */
export interface LinkageFile {
  format: 'jpki-dev-linkage/1';
  generatedAt: string;
  /** Each issued card: its sign and auth certificates belong to one person. */
  cards: Array<{ cardId: string; issuedAt: string; sign: LinkedCertificate; auth: LinkedCertificate }>;
  /** Each renewal: the old pair replaced by the new pair. */
  renewals: Array<{ cardId: string; renewedAt: string; old: { sign: LinkedCertificate; auth: LinkedCertificate }; new: { sign: LinkedCertificate; auth: LinkedCertificate } }>;
}

/** A certificate reference plus its revocation, if any. */
export type LinkedCertificate = CertificateRef & { revoked: { at: string; reason: RevocationReason } | null };

/** Exports the sign↔auth pairs of every card and the old→new pairs of every renewal. */
export async function exportLinkage(dir: string, opts: ClockOptions = {}): Promise<LinkageFile> {
  const state = await loadState(dir);
  const linked = (serial: number): LinkedCertificate => {
    const revocation = state.revocations.find((r) => r.serial === serial);
    return { ...certificateRef(state, serial), revoked: revocation ? { at: revocation.revokedAt, reason: revocation.reason } : null };
  };
  const pair = (card: CardRecord) => ({ sign: linked(card.sign), auth: linked(card.auth) });
  const bySeq = (seq: number) => state.cards.find((c) => c.seq === seq)!;
  return {
    format: 'jpki-dev-linkage/1',
    generatedAt: iso(opts.now ?? new Date()),
    cards: state.cards.map((c) => ({ cardId: c.id, issuedAt: c.issuedAt, ...pair(c) })),
    renewals: state.renewals.map((r) => ({ cardId: bySeq(r.to).id, renewedAt: r.renewedAt, old: pair(bySeq(r.from)), new: pair(bySeq(r.to)) })),
  };
}
