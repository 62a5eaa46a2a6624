import {
  assembleCms, readCmsParts, signatureTimestampAttribute, timestampRequest, tokenFromResponse,
  verifyCms, verifyTimestampToken, type ChainResult, type EvidenceSigner, type RevocationStatus, type TrustStore,
} from '../jpki/index.js';
import { AppError } from '../shared/errors.js';
import { decodeDocument } from './document.js';
import { assembleBundle, buildReport, revocationStatement, type EvidenceBundle } from './evidence-bundle.js';

/** Gets an RFC 3161 token over some bytes (here: a signature value). */
export interface TimestampClient {
  timestamp(data: Uint8Array): Promise<{ token: Uint8Array; genTime: Date; serial: string; tsa: string }>;
}

/**
 * Where the revocation status of a verified sign certificate comes from. Today the CRL store
 * (`JpkiContext.revocationStatus`); an OCSP source plugs in here and states its own evidence.
 */
export interface RevocationSource {
  status(chain: ChainResult, at: Date): RevocationStatus;
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
  /** The CRL must have been issued at most this long before the timestamp. */
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
 * gets the signature timestamp, then asks the revocation source. Good → the bundle; revoked →
 * PKI_REVOKED (never sealed); no CRL fresh enough → `revocation-pending`, completed by
 * `completePending` when one arrives. Nothing is ever accepted without a good status.
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
  const status = ctx.revocation.status(chain, now);
  if (status.state === 'revoked') throw new AppError('PKI_REVOKED', { detail: `sign certificate revoked (${status.reason ?? 'no reason'})` });
  const fresh = status.state === 'good' && genTime.getTime() - status.crl.thisUpdate.getTime() <= ctx.maxCrlAgeSeconds * 1000;
  if (status.state !== 'good' || !fresh) return { state: 'revocation-pending', pending, chain };

  const document = Buffer.from(pending.document, 'base64');
  const cms = Buffer.from(pending.cms, 'base64');
  const parts = readCmsParts(cms);
  const doc = decodeDocument(document);
  const certificate = chain.certificate.der;
  const statement = revocationStatement({
    certificate, signatureValue: parts.signatureValue, checkedAt: now, maxCrlAgeSeconds: ctx.maxCrlAgeSeconds,
    crl: { issuerKeyId: status.crl.issuerKeyId, crlNumber: status.crl.crlNumber, thisUpdate: status.crl.thisUpdate, nextUpdate: status.crl.nextUpdate, derSha256: status.crl.derSha256 },
  });
  const report = buildReport(doc, chain, genTime, pending.timestamp, statement);
  return { state: 'sealed', chain, bundle: assembleBundle({ document, cms, chain, statement, signer: ctx.signer, report }) };
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
