import {
  assembleCms, readCmsParts, requireGood, signatureTimestampAttribute, timestampRequest, tokenFromResponse,
  verifyCms, verifyTimestampToken, type ChainResult, type EvidenceSigner, type RevocationDecision, type RevocationStatus, type TrustStore,
} from '../jpki/index.js';
import type { ErrorCode } from '../shared/errors.js';
import { AppError } from '../shared/errors.js';
import { decodeDocument } from './document.js';
import { assembleBundle, buildReport, revocationStatement, type EvidenceBundle } from './evidence-bundle.js';

/** Gets an RFC 3161 token over some bytes (here: a signature value). */
export interface TimestampClient {
  timestamp(data: Uint8Array): Promise<{ token: Uint8Array; genTime: Date; serial: string; tsa: string }>;
}

/**
 * How the revocation of a verified sign certificate is decided: `JpkiContext.decideRevocation`
 * for `pension-signature` (REVOCATION_POLICY; default OCSP, a fresh CRL when no responder answers),
 * and what the CRLs alone say (`JpkiContext.revocationStatus`), for when the responder answered
 * but could not decide.
 */
export interface RevocationSource {
  decide(chain: ChainResult, at: Date): Promise<RevocationDecision>;
  crl(chain: ChainResult, at: Date): RevocationStatus;
}

/** A TSA reached over HTTP (RFC 3161 §3.4): the answer is checked against the TSA roots before use. */
export function httpTimestampClient(url: string, tsaRoots: readonly Uint8Array[], fetchImpl: typeof fetch = fetch): TimestampClient {
  return {
    async timestamp(data) {
      const request = timestampRequest(data);
      let body: Uint8Array;
      try {
        const res = await fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: Buffer.from(request.der), signal: AbortSignal.timeout(10_000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        body = new Uint8Array(await res.arrayBuffer());
      } catch (cause) {
        throw new AppError('TSA_UNAVAILABLE', { detail: `timestamp authority at ${url}: ${String(cause)}`, cause });
      }
      const token = tokenFromResponse(body);
      const verified = verifyTimestampToken(token, data, tsaRoots, request.nonce);
      return { token, ...verified };
    },
  };
}

/** What sealing needs besides the submission. */
export interface SealContext {
  trustStore: TrustStore;
  revocation: RevocationSource;
  tsa: TimestampClient;
  signer: EvidenceSigner;
  /** The CRL must have been issued, or the OCSP response produced, at most this long from the timestamp. */
  maxCrlAgeSeconds: number;
  now?: () => Date;
}

/** A signed, timestamped submission waiting for a CRL fresh enough to complete it (JSON-safe). */
export interface PendingSeal {
  document: string;
  cms: string;
  genTime: string;
  /** The timestamp's serial and TSA name, as the TSA client verified them. */
  timestamp: { serial: string; tsa: string };
}

export type SealOutcome =
  | { state: 'sealed'; bundle: EvidenceBundle; chain: ChainResult }
  | { state: 'revocation-pending'; pending: PendingSeal; chain: ChainResult };

/**
 * Seals a card signature over a 現況確認届: verifies the CMS (document, signature, chain for signing),
 * gets the signature timestamp, then asks the revocation source. Good → the bundle (with the signed
 * OCSP response when OCSP answered); revoked → PKI_REVOKED (never sealed); an OCSP answer that fails
 * its proof (signature, responder, nonce) → its PKI_OCSP_* code; no status decided yet (no fresh
 * CRL, or a responder that cannot say) → `revocation-pending`, completed by `completePending` when
 * a CRL arrives. Nothing is ever accepted without a good status.
 */
export async function sealSubmission(input: {
  document: Uint8Array; signedAttributes: Uint8Array; signature: Uint8Array; certificate: Uint8Array;
}, ctx: SealContext): Promise<SealOutcome> {
  const bare = assembleCms(input.document, input.signedAttributes, input.signature, input.certificate, { detached: true });
  const verified = await verifyCms(bare, { trustStore: ctx.trustStore, document: input.document, at: ctx.now?.() ?? new Date() });
  decodeDocument(input.document);
  const stamp = await ctx.tsa.timestamp(input.signature);
  const cms = assembleCms(input.document, input.signedAttributes, input.signature, input.certificate, {
    detached: true, unsignedAttributes: [signatureTimestampAttribute(stamp.token)],
  });
  const pending: PendingSeal = {
    document: b64(input.document), cms: b64(cms), genTime: stamp.genTime.toISOString(), timestamp: { serial: stamp.serial, tsa: stamp.tsa },
  };
  return completeWith(pending, verified.signer, ctx);
}

/** Retries a pending submission against the revocation source as it is now. */
export async function completePending(pending: PendingSeal, ctx: SealContext): Promise<SealOutcome> {
  const document = Buffer.from(pending.document, 'base64');
  const cms = Buffer.from(pending.cms, 'base64');
  const verified = await verifyCms(cms, { trustStore: ctx.trustStore, document, at: new Date(pending.genTime) });
  return completeWith(pending, verified.signer, ctx);
}

async function completeWith(pending: PendingSeal, chain: ChainResult, ctx: SealContext): Promise<SealOutcome> {
  const now = ctx.now?.() ?? new Date();
  const genTime = new Date(pending.genTime);
  const decision = await decide(ctx, chain, now);
  const maxAgeMs = ctx.maxCrlAgeSeconds * 1000;
  // A CRL must predate the timestamp by at most the window; an OCSP response (perhaps cached) must
  // have been produced within the window either side of it.
  const fresh = decision?.ocsp ? Math.abs(genTime.getTime() - decision.ocsp.producedAt.getTime()) <= maxAgeMs
    : decision?.crl ? genTime.getTime() - decision.crl.thisUpdate.getTime() <= maxAgeMs : false;
  if (!decision || !fresh) return { state: 'revocation-pending', pending, chain };

  const document = Buffer.from(pending.document, 'base64');
  const cms = Buffer.from(pending.cms, 'base64');
  const parts = readCmsParts(cms);
  const doc = decodeDocument(document);
  const certificate = chain.certificate.der;
  const statement = revocationStatement({
    certificate, signatureValue: parts.signatureValue, checkedAt: now, maxCrlAgeSeconds: ctx.maxCrlAgeSeconds,
    ...(decision.ocsp ? { ocsp: decision.ocsp } : { crl: decision.crl! }),
  });
  const report = buildReport(doc, chain, genTime, pending.timestamp, statement);
  return { state: 'sealed', chain, bundle: assembleBundle({ document, cms, chain, statement, signer: ctx.signer, report }) };
}

/**
 * OCSP answers that mean "the responder cannot decide now", not "someone forged this": its own
 * `unknown`, an unreadable body (a captive portal, a cut proxy), a responder error status, a
 * window that has passed. The resident has signed with the right card; refusing would throw that
 * work away and ask for the sign password again for a fault that is not theirs.
 */
const OCSP_UNDECIDED: ReadonlySet<ErrorCode> = new Set(['PKI_OCSP_MALFORMED', 'PKI_OCSP_REFUSED', 'PKI_OCSP_STALE']);

/**
 * The pension signature's revocation decision, or null while none can be made (the submission
 * waits for a CRL, as for a late one). When the OCSP responder answered but could not decide, the
 * CRLs decide as they do when it is unreachable: fresh and good → sealed with the CRL, revoked →
 * PKI_REVOKED, nothing fresh → wait. Revoked, and an OCSP answer that fails its proof (signature,
 * unauthorised responder, nonce: a forgery or a replay to report, never routed around), throw.
 */
async function decide(ctx: SealContext, chain: ChainResult, now: Date): Promise<Pick<RevocationDecision, 'ocsp' | 'crl'> | null> {
  try {
    const decision = await ctx.revocation.decide(chain, now);
    return decision.revocationUnknown ? null : decision;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'PKI_REVOCATION_UNKNOWN' && err.details?.source === 'crl') return null;
    const undecided = OCSP_UNDECIDED.has(err.code) || (err.code === 'PKI_REVOCATION_UNKNOWN' && err.details?.source === 'ocsp');
    if (!undecided) throw err;
    const status = ctx.revocation.crl(chain, now);
    return status.state === 'unknown' ? null : { ocsp: null, crl: requireGood(status).crl };
  }
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
