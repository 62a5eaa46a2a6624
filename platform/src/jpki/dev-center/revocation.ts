import { AppError } from '../../shared/errors.js';
import { parseCertificate } from './certificates.js';
import { invalid, iso, parseInstant, throwIfProblems } from './checks.js';
import { buildCrlDer, isRevocationReason, REVOCATION_REASONS, type RevocationReason } from './crl.js';
import { PURPOSES, serialHex, type Purpose } from './profile.js';
import { cardCertificateSerial, findCa, type ClockOptions } from './state.js';
import type { CardFile } from '../../shared/card-file.js';
import {
  loadState, readCaCertificate, readCaKey, saveState, withCenterLock, type RevocationRecord,
} from './store.js';

// Revocations and the CRLs that publish them (the DER itself is built in crl.ts).

const DAY_MS = 24 * 3600_000;

/** Which certificate to revoke: one of a card's two, or a serial the center issued. */
export type RevocationTarget = { card: CardFile; which: Purpose } | { purpose: Purpose; serial: number };

/** A recorded revocation as callers see it. */
export interface Revocation {
  purpose: Purpose;
  generation: string;
  serial: string;
  revokedAt: string;
  reason: RevocationReason;
}

/** Records a revocation (RFC 5280 reason name) effective at `date` (default now). */
export async function revokeCertificate(
  dir: string, target: RevocationTarget, reason: string, opts: ClockOptions & { date?: string | Date } = {},
): Promise<Revocation> {
  const problems: string[] = [];
  if (!isRevocationReason(reason)) problems.push(`reason must be one of ${Object.keys(REVOCATION_REASONS).join(', ')}, got "${reason}"`);
  const revokedAt = parseInstant(opts.date, opts.now, 'date', problems);
  throwIfProblems([], problems);
  return withCenterLock(dir, async () => {
    const state = await loadState(dir);
    const { purpose, serial } = 'card' in target
      ? { purpose: target.which, serial: cardCertificateSerial(target.card, target.which) }
      : target;
    const cert = state.certificates.find((c) => c.serial === serial && c.purpose === purpose);
    if (!cert) throw new AppError('REQ_NOT_FOUND', { detail: `no ${purpose} certificate ${serialHex(serial)} was issued by this center` });
    if (state.revocations.some((r) => r.serial === serial)) throw invalid(`${purpose} certificate ${serialHex(serial)} is already revoked`);
    if (revokedAt! < new Date(cert.notBefore)) throw invalid(`revocation date ${iso(revokedAt!)} is before the certificate's notBefore ${cert.notBefore}`);
    const record: RevocationRecord = { purpose, generation: cert.generation, serial, revokedAt: iso(revokedAt!), reason: reason as RevocationReason };
    state.revocations.push(record);
    await saveState(dir, state);
    return { ...record, serial: serialHex(serial) };
  });
}

/** Options of `buildCrl`. */
export interface CrlOptions extends ClockOptions {
  which: Purpose;
  /** Issuing generation; default the newest. One CRL per CA: each generation lists what it issued. */
  generation?: string;
  /** Default now. Revocations dated after it are not listed yet. */
  thisUpdate?: string | Date;
  /** Default thisUpdate + 24 h. */
  nextUpdate?: string | Date;
}

/** A built CRL and what it says. */
export interface BuiltCrl {
  der: Buffer;
  purpose: Purpose;
  generation: string;
  crlNumber: number;
  thisUpdate: string;
  nextUpdate: string;
  entries: Revocation[];
  /** Revoked certificates of this purpose that other generations' CRLs list, by generation. */
  elsewhere: Record<string, number>;
}

/** Signs a CRL v2 of one CA generation (its revoked leaves, reasons, CRL number, AKI). */
export async function buildCrl(dir: string, opts: CrlOptions): Promise<BuiltCrl> {
  const problems: string[] = [];
  const thisUpdate = parseInstant(opts.thisUpdate, opts.now, 'this-update', problems);
  const nextUpdate = opts.nextUpdate === undefined && thisUpdate
    ? new Date(thisUpdate.getTime() + DAY_MS)
    : parseInstant(opts.nextUpdate, opts.now, 'next-update', problems);
  if (thisUpdate && nextUpdate && nextUpdate <= thisUpdate) problems.push('next-update must be after this-update');
  if (!(PURPOSES as readonly string[]).includes(opts.which)) problems.push(`which must be sign or auth, got "${opts.which}"`);
  throwIfProblems([], problems);
  return withCenterLock(dir, async () => {
    const state = await loadState(dir);
    const ca = findCa(state, opts.which, opts.generation);
    if (thisUpdate! < new Date(ca.notBefore) || thisUpdate! > new Date(ca.notAfter)) {
      throw invalid(`this-update ${iso(thisUpdate!)} is outside ${opts.which} CA generation ${ca.generation} (${ca.notBefore} – ${ca.notAfter})`);
    }
    const listed = state.revocations
      .filter((r) => r.purpose === ca.purpose && r.generation === ca.generation && new Date(r.revokedAt) <= thisUpdate!)
      .sort((a, b) => a.serial - b.serial);
    ca.crlNumber += 1;
    const der = buildCrlDer({
      issuer: parseCertificate(await readCaCertificate(dir, ca)),
      issuerKey: await readCaKey(dir, ca),
      crlNumber: ca.crlNumber,
      thisUpdate: thisUpdate!,
      nextUpdate: nextUpdate!,
      entries: listed.map((r) => ({ serial: r.serial, revokedAt: new Date(r.revokedAt), reason: r.reason })),
    });
    const elsewhere: Record<string, number> = {};
    for (const r of state.revocations) {
      if (r.purpose === ca.purpose && r.generation !== ca.generation) elsewhere[r.generation] = (elsewhere[r.generation] ?? 0) + 1;
    }
    await saveState(dir, state);
    return {
      der, purpose: ca.purpose, generation: ca.generation, crlNumber: ca.crlNumber,
      thisUpdate: iso(thisUpdate!), nextUpdate: iso(nextUpdate!),
      entries: listed.map((r) => ({ ...r, serial: serialHex(r.serial) })), elsewhere,
    };
  });
}
