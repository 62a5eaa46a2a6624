import { createHash } from 'node:crypto';
import { AppError } from '../../shared/errors.js';
import { META_NO_REASON, META_REASON_MASK } from './crl-entries.js';
import { parseCrl, type ParsedCrl, type SignatureAlgorithm } from './parse-crl.js';
import { reasonName, type CrlReason } from './reasons.js';
import { probe, RevocationIndex } from './revocation-index.js';
import { serialKeyFrom, type SerialInput, type SerialKey } from './serial.js';
import { issuerKeyId, verifyCrlSignature, type JpkiPurpose, type TrustedIssuer } from './verify-crl.js';

/** What is known about the CRL behind an index (no entries; safe to log and show operators). */
export interface CrlInfo {
  purpose: JpkiPurpose;
  /** Generation label of the CA that signed it. */
  generation: string;
  /** Key identifier (lowercase hex) of the CA that signed it. */
  issuerKeyId: string;
  /** The distribution point this CRL is the partition of, or null for the whole CA's CRL. */
  distributionPoint: string | null;
  crlNumber: bigint | null;
  thisUpdate: Date;
  nextUpdate: Date | null;
  signatureAlgorithm: SignatureAlgorithm['name'];
  entryCount: number;
  /** Bytes held by the index (typed arrays). */
  indexBytes: number;
  /** SHA-256 (lowercase hex) of the CRL's DER: names exactly which CRL an evidence statement relied on. */
  derSha256: string;
}

/** Why a status is unknown. */
export type UnknownCause = 'unknown-issuer' | 'no-crl' | 'crl-expired' | 'crl-too-old';

/** The revocation status of one certificate at one time. */
export type RevocationStatus =
  | { state: 'good'; crl: CrlInfo }
  | { state: 'revoked'; reason: CrlReason | null; revokedAt: Date; invalidityDate: Date | null; crl: CrlInfo }
  | { state: 'unknown'; cause: UnknownCause; crl: CrlInfo | null };

/** The outcome of `ingest`: a first CRL, a newer one, or the one already in use again. */
export interface IngestResult {
  outcome: 'installed' | 'replaced' | 'unchanged';
  crl: CrlInfo;
  previous: CrlInfo | null;
}

/** Options of a RevocationStore; the platform's config owns where the values come from. */
export interface RevocationStoreOptions {
  /** The CAs whose CRLs are accepted (sign and auth roots of every generation). */
  issuers: readonly TrustedIssuer[];
  /**
   * A CRL older than this (thisUpdate + maxAgeSeconds, in seconds) gives `unknown` even before its
   * nextUpdate; `Infinity` relies on nextUpdate alone.
   */
  maxAgeSeconds: number;
}

interface Installed {
  info: CrlInfo;
  /** The one `good` answer for this CRL, shared so a lookup allocates nothing. */
  good: RevocationStatus;
  /** The one `unknown` answer once this CRL is stale. */
  stale: RevocationStatus;
  index: RevocationIndex;
  // The index's table parts, copied here so a lookup reaches the table without the index object.
  table: Uint32Array;
  his: Uint32Array | null;
  capacity: number;
  zero: number;
  signature: Buffer;
  thisUpdateMs: number;
  /** Time after which status is unknown: min(nextUpdate, thisUpdate + max age). */
  expiresMs: number;
}

// Local copies: under tsx an imported binding is a property getter, and `status` is the hot path.
const REASON_MASK = META_REASON_MASK;
const NO_REASON = META_NO_REASON;
const keyFrom = serialKeyFrom;
const probeTable = probe;

/**
 * One CA's place in the store: its whole-CA CRL (`current`) and its partitions by distribution
 * point; each is replaced whole when a newer CRL of the same scope arrives.
 */
interface CaSlot {
  current: Installed | null;
  partitions: Map<string, Installed>;
}

/** Options of `ingest`. */
export interface IngestOptions {
  /**
   * The distribution point the CRL was published under (null: the whole CA's CRL). When given, a
   * CRL whose issuingDistributionPoint names another scope is refused with PKI_CRL_PARTITION_MISMATCH.
   */
  filedUnder?: string | null;
}

const NO_CRL: RevocationStatus = Object.freeze({ state: 'unknown', cause: 'no-crl', crl: null });
const UNKNOWN_ISSUER: RevocationStatus = Object.freeze({ state: 'unknown', cause: 'unknown-issuer', crl: null });

/**
 * Revocation state for the whole country: one index per (purpose, issuing CA, distribution point)
 * — J-LIS publishes one partitioned CRL per municipality — plus optionally the CA's whole CRL,
 * each built from a signed CRL. `ingest` parses, verifies and indexes a CRL, then swaps it in whole (lookups never
 * see a half-built index); an older CRL than the one in use is refused with PKI_CRL_OUTDATED.
 * `status` answers good / revoked / unknown; what to do with unknown is the caller's policy
 * (`requireGood`, `acceptUnknown`).
 */
export class RevocationStore {
  private readonly _issuers: readonly TrustedIssuer[];
  private readonly _maxAgeMs: number;
  /**
   * Per purpose: generation label and key id → the CA's slot. `status` resolves an issuer with
   * one Map lookup and no string building; `ingest` swaps `slot.current` in one assignment.
   */
  private readonly _slots: Record<JpkiPurpose, Map<string, CaSlot>> = { sign: new Map(), auth: new Map() };
  private readonly _key: SerialKey = { hi: 0, lo: 0, long: null };

  constructor(options: RevocationStoreOptions) {
    const { issuers, maxAgeSeconds } = options;
    if (!(typeof maxAgeSeconds === 'number' && maxAgeSeconds > 0)) {
      throw new AppError('CONFIG_INVALID', { detail: 'revocation maxAgeSeconds must be a positive number of seconds' });
    }
    this._issuers = [...issuers];
    this._maxAgeMs = maxAgeSeconds * 1000;
    for (const issuer of this._issuers) {
      if (issuer.purpose !== 'sign' && issuer.purpose !== 'auth') {
        throw new AppError('CONFIG_INVALID', { detail: `CA ${issuer.generation} has no valid purpose` });
      }
      const keyId = issuerKeyId(issuer);
      const slots = this._slots[issuer.purpose];
      const slot = slots.get(keyId) ?? { current: null, partitions: new Map() };
      for (const alias of [keyId, issuer.generation]) {
        const existing = slots.get(alias);
        if (existing !== undefined && existing !== slot) {
          throw new AppError('CONFIG_INVALID', { detail: `two ${issuer.purpose} CAs share the label ${alias}` });
        }
        slots.set(alias, slot);
      }
    }
  }

  /**
   * Parses, verifies and indexes a DER CRL for `purpose`, then makes it the one in use for its
   * CA. Throws PKI_MALFORMED, PKI_WEAK_ALGORITHM, PKI_CRL_UNSUPPORTED, PKI_UNTRUSTED_ISSUER,
   * PKI_SIGNATURE_INVALID, PKI_CRL_PARTITION_MISMATCH when `filedUnder` names another scope than
   * the CRL's own, or PKI_CRL_OUTDATED when it is not newer than the CRL in use for the same scope
   * (CA and distribution point: each partition has its own number sequence). Re-ingesting the CRL
   * in use is harmless (`unchanged`).
   */
  ingest(purpose: JpkiPurpose, der: Buffer, options: IngestOptions = {}): IngestResult {
    const crl = parseCrl(der);
    const dp = crl.distributionPoint;
    if (options.filedUnder !== undefined && options.filedUnder !== dp) {
      throw new AppError('PKI_CRL_PARTITION_MISMATCH', {
        detail: `CRL covers ${dp ?? 'the whole CA'} but was filed under ${options.filedUnder ?? 'the whole CA'}`,
      });
    }
    const issuer = verifyCrlSignature(crl, purpose, this._issuers);
    const slot = this._slots[purpose].get(issuerKeyId(issuer))!;
    const previous = dp === null ? slot.current : slot.partitions.get(dp) ?? null;
    if (previous && compareToInstalled(crl, previous) === 'same') {
      return { outcome: 'unchanged', crl: previous.info, previous: previous.info };
    }
    const index = new RevocationIndex(crl.entries);
    const info: CrlInfo = {
      purpose,
      generation: issuer.generation,
      issuerKeyId: issuerKeyId(issuer),
      distributionPoint: dp,
      crlNumber: crl.crlNumber,
      thisUpdate: crl.thisUpdate,
      nextUpdate: crl.nextUpdate,
      signatureAlgorithm: crl.signatureAlgorithm.name,
      entryCount: index.count,
      indexBytes: index.byteLength,
      derSha256: createHash('sha256').update(der).digest('hex'),
    };
    const thisUpdateMs = crl.thisUpdate.getTime();
    const tooOldMs = thisUpdateMs + this._maxAgeMs;
    const nextMs = crl.nextUpdate?.getTime() ?? Infinity;
    const expiryCause: UnknownCause = nextMs <= tooOldMs ? 'crl-expired' : 'crl-too-old';
    const installed: Installed = {
      info,
      good: Object.freeze({ state: 'good', crl: info }),
      stale: Object.freeze({ state: 'unknown', cause: expiryCause, crl: info }),
      index,
      table: index.table,
      his: index.hi,
      capacity: index.capacity,
      zero: index.zero,
      signature: Buffer.from(crl.signature),
      thisUpdateMs,
      expiresMs: Math.min(nextMs, tooOldMs),
    };
    if (dp === null) slot.current = installed;
    else slot.partitions.set(dp, installed);
    return { outcome: previous ? 'replaced' : 'installed', crl: info, previous: previous?.info ?? null };
  }

  /**
   * The revocation status of certificate `serial` issued by `issuer` (the CA's generation label
   * or key identifier, i.e. the certificate's AKI keyid), judged at `at` (default now).
   * `distributionPoint` is the certificate's own CRLDP (`distributionPointOfExtension`): the CRL of
   * that partition answers, and so does the CA's whole CRL when one is loaded; a CRL of another
   * partition never does. `unknown` when no fresh CRL covers it (none loaded, or past nextUpdate
   * or the maximum age). A listed serial is `revoked` whatever `at` is; its dates let a caller
   * doing historical validation decide.
   */
  status(
    purpose: JpkiPurpose,
    issuer: string,
    serial: SerialInput,
    at: Date | number = Date.now(),
    distributionPoint: string | null = null,
  ): RevocationStatus {
    const slot = this._slot(purpose, issuer);
    if (slot === undefined) return UNKNOWN_ISSUER;
    const partition = distributionPoint === null ? undefined : slot.partitions.get(distributionPoint);
    const whole = slot.current;
    if (partition === undefined && whole === null) return NO_CRL;
    const atMs = typeof at === 'number' ? at : at.getTime();
    const key = this._key;
    // JPKI serials are 4-byte positive integers: a number that is one skips the general conversion.
    if (typeof serial === 'number' && serial >>> 0 === serial) {
      key.hi = 0;
      key.lo = serial;
      key.long = null;
    } else {
      keyFrom(serial, key);
    }
    let good: RevocationStatus | null = null;
    let stale: RevocationStatus | null = null;
    // Partition first, then the whole CA: listed in any fresh CRL covering it is revoked.
    if (partition !== undefined) {
      if (atMs <= partition.expiresMs) {
        const p = partition;
        const pos = key.long === null ? probeTable(p.table, p.his, p.capacity, p.zero, key.hi, key.lo) : p.index.find(key);
        if (pos >= 0) return revokedStatus(partition, pos);
        good = partition.good;
      } else {
        stale = partition.stale;
      }
    }
    if (whole !== null) {
      if (atMs <= whole.expiresMs) {
        const w = whole;
        const pos = key.long === null ? probeTable(w.table, w.his, w.capacity, w.zero, key.hi, key.lo) : w.index.find(key);
        if (pos >= 0) return revokedStatus(whole, pos);
        good ??= whole.good;
      } else {
        stale ??= whole.stale;
      }
    }
    return good ?? stale!;
  }

  /** The CRL in use for a CA (its whole CRL, or the partition of `distributionPoint`), or null. */
  crl(purpose: JpkiPurpose, issuer: string, distributionPoint: string | null = null): CrlInfo | null {
    const slot = this._slot(purpose, issuer);
    if (slot === undefined) return null;
    return (distributionPoint === null ? slot.current : slot.partitions.get(distributionPoint))?.info ?? null;
  }

  /** Every CRL in use: each CA's whole CRL, then its partitions. */
  list(): CrlInfo[] {
    const seen = new Set<CaSlot>([...this._slots.sign.values(), ...this._slots.auth.values()]);
    return [...seen].flatMap((slot) => [...(slot.current ? [slot.current.info] : []), ...[...slot.partitions.values()].map((p) => p.info)]);
  }

  private _slot(purpose: JpkiPurpose, issuer: string): CaSlot | undefined {
    const slots = this._slots[purpose];
    if (slots === undefined) return undefined;
    return slots.get(issuer) ?? slots.get(normaliseIssuer(issuer));
  }
}

function revokedStatus(installed: Installed, pos: number): RevocationStatus {
  const { index } = installed;
  const code = index.meta[pos]! & REASON_MASK;
  const invalid = index.invalidAtOf(pos);
  return {
    state: 'revoked',
    reason: code === NO_REASON ? null : reasonName(code),
    revokedAt: new Date(index.revokedAtOf(pos) * 1000),
    invalidityDate: invalid ? new Date(invalid * 1000) : null,
    crl: installed.info,
  };
}

function normaliseIssuer(issuer: string): string {
  return issuer.replace(/[:\s]/g, '').toLowerCase();
}

/**
 * Orders a new CRL against the installed one: by cRLNumber when both have one (RFC 5280 §5.2.3),
 * else by thisUpdate. A newer number with an earlier thisUpdate, or the same number with other
 * content, is refused: one of the two CRLs is not what the CA meant.
 */
function compareToInstalled(crl: ParsedCrl, installed: Installed): 'newer' | 'same' {
  const old = installed.info;
  const thisUpdateMs = crl.thisUpdate.getTime();
  const sameContent = crl.signature.equals(installed.signature);
  let order: number;
  if (crl.crlNumber !== null && old.crlNumber !== null) {
    order = crl.crlNumber > old.crlNumber ? 1 : crl.crlNumber < old.crlNumber ? -1 : 0;
  } else {
    order = Math.sign(thisUpdateMs - installed.thisUpdateMs);
  }
  if (order === 0 && sameContent) return 'same';
  if (order > 0 && thisUpdateMs >= installed.thisUpdateMs) return 'newer';
  throw new AppError('PKI_CRL_OUTDATED', {
    detail:
      order === 0
        ? `CRL ${crl.crlNumber ?? crl.thisUpdate.toISOString()} differs from the one in use with the same number`
        : `CRL (number ${crl.crlNumber ?? '-'}, thisUpdate ${crl.thisUpdate.toISOString()}) is not newer than the one in use (number ${old.crlNumber ?? '-'}, thisUpdate ${old.thisUpdate.toISOString()})`,
  });
}
