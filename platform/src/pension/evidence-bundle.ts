import { createHash } from 'node:crypto';
import { canonicalJson } from '../identity/canonical-json.js';
import {
  assembleCms, certIdFor, readCmsParts, signatureTimestampAttribute, readPersonalData, signStatement, verifyCms, verifyOcspResponse, verifyStatement, verifyTimestampToken,
  type ChainResult, type EvidenceSigner, type OcspAnswer, type TrustStore,
} from '../jpki/index.js';
import { AppError, type ErrorCode } from '../shared/errors.js';
import { decodeDocument, type Declarations, type StatusConfirmation } from './document.js';

/** Format tag of the bundle; a verifier refuses any other. */
export const BUNDLE_VERSION = 'pension-evidence/1';
/** Format tag of the platform's revocation statement. */
export const STATEMENT_FORMAT = 'revocation-statement/1';
/** The key purpose the platform's evidence certificate carries (dev stand-in, see the dev center's services). */
export const EVIDENCE_SIGNING_PURPOSE = '1.3.6.1.4.1.99999.15.1';
/** How far the CMS signingTime claim may lie from the trusted timestamp. */
const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;

/** The signer's 基本4情報 as the sign certificate stated them at signing. */
export interface Signer {
  name: string;
  dateOfBirth: string;
  gender: string;
  address: string;
}

/**
 * What the platform states about the revocation status of the signer's certificate: which CRL
 * (issuer key id, number, thisUpdate, SHA-256 of its DER) showed it good — or, when OCSP answered
 * (`source: 'ocsp'`), the responder's signed response itself, which a verifier checks on its own
 * against the JPKI root — when, for which signature.
 */
export type RevocationStatement = CrlStatement | OcspStatement;

interface StatementBase {
  format: typeof STATEMENT_FORMAT;
  status: 'good';
  /** SHA-256 (hex) of the signer certificate's DER and of the CMS signature value it vouches for. */
  certificateSha256: string;
  signatureSha256: string;
  checkedAt: string;
}

export interface CrlStatement extends StatementBase {
  source: 'crl';
  /** The freshness the platform required: the CRL's thisUpdate at most this many seconds before the timestamp. */
  maxCrlAgeSeconds: number;
  crl: { issuerKeyId: string; number: string | null; thisUpdate: string; nextUpdate: string | null; sha256: string };
}

export interface OcspStatement extends StatementBase {
  source: 'ocsp';
  /** The freshness the platform required: the response produced at most this many seconds from the timestamp. */
  maxAgeSeconds: number;
  /** `response`: the DER OCSPResponse (base64) as the responder signed it. */
  ocsp: { response: string; producedAt: string; responder: string };
}

/** The verification results, as the platform found them and as `verifyBundle` must find them again. */
export interface EvidenceReport {
  signedAt: string;
  signer: Signer;
  declarations: Declarations;
  insurerId: string;
  policyRef: string;
  serviceUid: string;
  period: string;
  chain: { rootGeneration: string; purpose: 'sign' };
  timestamp: { serial: string; tsa: string };
  revocation: { status: 'good'; crlThisUpdate: string; checkedAt: string } | { status: 'good'; source: 'ocsp'; producedAt: string; checkedAt: string };
}

/** The evidence file: one JSON object, base64 for every binary field. */
export interface EvidenceBundle {
  version: typeof BUNDLE_VERSION;
  document: string;
  signature: string;
  certificates: string[];
  revocation: { statement: RevocationStatement; signature: string; certificate: string };
  report: EvidenceReport;
}

/** Everything an offline verifier trusts: the JPKI roots and the roots of the TSA and the platform. */
export interface EvidenceTrust {
  jpki: TrustStore;
  services: readonly Uint8Array[];
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The bundle's file form: sorted keys, two-space indent, final newline — the only accepted form. */
export function serializeBundle(bundle: EvidenceBundle): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(bundle)), null, 2)}\n`;
}

/** The statement the platform signs after it found the certificate good, by a CRL or an OCSP response. */
export function revocationStatement(input: {
  certificate: Uint8Array; signatureValue: Uint8Array; checkedAt: Date; maxCrlAgeSeconds: number;
} & (
  | { crl: { issuerKeyId: string; crlNumber: bigint | null; thisUpdate: Date; nextUpdate: Date | null; derSha256: string } }
  | { ocsp: Pick<OcspAnswer, 'der' | 'producedAt' | 'responder'> }
)): RevocationStatement {
  const base = {
    format: STATEMENT_FORMAT,
    status: 'good',
    certificateSha256: sha256Hex(input.certificate),
    signatureSha256: sha256Hex(input.signatureValue),
    checkedAt: input.checkedAt.toISOString(),
  } as const;
  if ('ocsp' in input) {
    return {
      ...base,
      source: 'ocsp',
      maxAgeSeconds: input.maxCrlAgeSeconds,
      ocsp: { response: b64(input.ocsp.der), producedAt: input.ocsp.producedAt.toISOString(), responder: input.ocsp.responder },
    };
  }
  return {
    ...base,
    source: 'crl',
    maxCrlAgeSeconds: input.maxCrlAgeSeconds,
    crl: {
      issuerKeyId: input.crl.issuerKeyId,
      number: input.crl.crlNumber === null ? null : input.crl.crlNumber.toString(),
      thisUpdate: input.crl.thisUpdate.toISOString(),
      nextUpdate: input.crl.nextUpdate?.toISOString() ?? null,
      sha256: input.crl.derSha256,
    },
  };
}

/** The report of a sealed submission: what the document, the certificate, the timestamp and the statement say. */
export function buildReport(doc: StatusConfirmation, chain: ChainResult, genTime: Date, timestamp: { serial: string; tsa: string }, statement: RevocationStatement): EvidenceReport {
  const personal = readPersonalData(chain.certificate);
  return {
    signedAt: genTime.toISOString(),
    signer: { name: personal.name, dateOfBirth: personal.dateOfBirth, gender: personal.gender, address: personal.address },
    declarations: doc.declarations,
    insurerId: doc.insurer.id,
    policyRef: doc.policyRef,
    serviceUid: doc.serviceUid,
    period: doc.period,
    chain: { rootGeneration: chain.rootGeneration, purpose: 'sign' },
    timestamp: { serial: timestamp.serial, tsa: timestamp.tsa },
    revocation: statement.source === 'ocsp'
      ? { status: 'good', source: 'ocsp', producedAt: statement.ocsp.producedAt, checkedAt: statement.checkedAt }
      : { status: 'good', crlThisUpdate: statement.crl.thisUpdate, checkedAt: statement.checkedAt },
  };
}

/** Assembles and signs a bundle from a CMS that already carries its signature timestamp. */
export function assembleBundle(input: {
  document: Uint8Array; cms: Uint8Array; chain: ChainResult; statement: RevocationStatement; signer: EvidenceSigner; report: EvidenceReport;
}): EvidenceBundle {
  const statementBytes = new TextEncoder().encode(canonicalJson(input.statement));
  return {
    version: BUNDLE_VERSION,
    document: b64(input.document),
    signature: b64(input.cms),
    certificates: [b64(input.chain.root.certificate.der)],
    revocation: { statement: input.statement, signature: b64(signStatement(statementBytes, input.signer)), certificate: b64(input.signer.certificate) },
    report: input.report,
  };
}

/** The outcome of an offline check; `code` says exactly which part failed. */
export type BundleVerification =
  | { ok: true; signedAt: string; declarations: Declarations; signer: Signer; report: EvidenceReport }
  | { ok: false; code: ErrorCode; detail: string };

/**
 * Re-checks a bundle file offline, needing only the roots: file form, the CMS over the document
 * (EVIDENCE_DOCUMENT_ALTERED / EVIDENCE_SIGNATURE_INVALID), the signer's chain for signing at the
 * claimed time and the certificate's validity at the timestamp (EVIDENCE_CHAIN_INVALID), the
 * signature timestamp (EVIDENCE_TIMESTAMP_INVALID), the platform's revocation statement and that it
 * covers this certificate, signature and time (EVIDENCE_REVOCATION_INVALID), and that the report
 * states exactly what was found (EVIDENCE_REPORT_MISMATCH). Never throws for bad input.
 */
export async function verifyBundle(text: string, trust: EvidenceTrust): Promise<BundleVerification> {
  try {
    const report = await check(text, trust);
    return { ok: true, signedAt: report.signedAt, declarations: report.declarations, signer: report.signer, report };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, code: err.code, detail: err.detail ?? err.message };
    return { ok: false, code: 'EVIDENCE_MALFORMED', detail: String(err) };
  }
}

/** Which part a failure inside `verifyCms` names: the document, the signer's chain, else the signature. */
const CMS_FAILURES: Partial<Record<ErrorCode, ErrorCode>> = {
  PKI_CMS_DIGEST_MISMATCH: 'EVIDENCE_DOCUMENT_ALTERED',
  PKI_UNTRUSTED_ISSUER: 'EVIDENCE_CHAIN_INVALID',
  PKI_EXPIRED: 'EVIDENCE_CHAIN_INVALID',
  PKI_NOT_YET_VALID: 'EVIDENCE_CHAIN_INVALID',
  PKI_WRONG_PURPOSE: 'EVIDENCE_CHAIN_INVALID',
  PKI_TEST_HIERARCHY: 'EVIDENCE_CHAIN_INVALID',
  PKI_LEAF_IS_CA: 'EVIDENCE_CHAIN_INVALID',
  PKI_UNSUPPORTED_CRITICAL_EXTENSION: 'EVIDENCE_CHAIN_INVALID',
};

/**
 * Runs one part of the check and translates any failure once, to the code naming that part
 * (`code`), or to a finer one from `map` for inner codes that say more.
 */
async function part<T>(code: ErrorCode, fn: () => T | Promise<T>, map: Partial<Record<ErrorCode, ErrorCode>> = {}): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const inner = err instanceof AppError ? err.code : null;
    if (inner && EVIDENCE_CODES.has(inner)) throw err;
    const outer = (inner && map[inner]) || code;
    throw new AppError(outer, { detail: err instanceof AppError ? `${err.code}: ${err.detail ?? err.message}` : String(err), cause: err });
  }
}

const EVIDENCE_CODES = new Set<ErrorCode>([
  'EVIDENCE_MALFORMED', 'EVIDENCE_DOCUMENT_ALTERED', 'EVIDENCE_SIGNATURE_INVALID', 'EVIDENCE_CHAIN_INVALID',
  'EVIDENCE_TIMESTAMP_INVALID', 'EVIDENCE_REVOCATION_INVALID', 'EVIDENCE_REPORT_MISMATCH',
]);

async function check(text: string, trust: EvidenceTrust): Promise<EvidenceReport> {
  const bundle = await part('EVIDENCE_MALFORMED', () => readBundle(text));
  const document = strictBase64(bundle.document, 'document');
  const cms = strictBase64(bundle.signature, 'signature');

  const parts = await part('EVIDENCE_SIGNATURE_INVALID', () => readCmsParts(cms), { PKI_TIMESTAMP_INVALID: 'EVIDENCE_TIMESTAMP_INVALID' });
  const verified = await part('EVIDENCE_SIGNATURE_INVALID', () => verifyCms(cms, { trustStore: trust.jpki, document }), CMS_FAILURES);
  const chain = verified.signer;
  // The CMS must be exactly what the platform assembles from its parts: nothing outside the signed
  // attributes (version, digestAlgorithms, certificate order, extra attributes) can vary unnoticed.
  const rebuilt = await part('EVIDENCE_SIGNATURE_INVALID', () => assembleCms(document, parts.signedAttributes, parts.signatureValue, chain.certificate, {
    detached: true, unsignedAttributes: parts.timestampToken ? [signatureTimestampAttribute(parts.timestampToken)] : [],
  }));
  if (sha256Hex(rebuilt) !== sha256Hex(cms)) throw new AppError('EVIDENCE_SIGNATURE_INVALID', { detail: 'the CMS is not in the form the platform seals' });
  const doc = await part('EVIDENCE_MALFORMED', () => decodeDocument(verified.content));

  if (!parts.timestampToken) throw new AppError('EVIDENCE_TIMESTAMP_INVALID', { detail: 'the signature has no signature timestamp' });
  const stamp = await part('EVIDENCE_TIMESTAMP_INVALID', () => verifyTimestampToken(parts.timestampToken!, parts.signatureValue, trust.services));
  if (verified.signingTime && Math.abs(verified.signingTime.getTime() - stamp.genTime.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new AppError('EVIDENCE_TIMESTAMP_INVALID', { detail: 'the timestamp is far from the claimed signing time' });
  }
  if (stamp.genTime < chain.notBefore || stamp.genTime > chain.notAfter) {
    throw new AppError('EVIDENCE_CHAIN_INVALID', { detail: 'the signer certificate was not valid at the timestamp' });
  }
  const certificates = bundle.certificates.map((c, i) => strictBase64(c, `certificates[${i}]`));
  if (certificates.length !== 1 || sha256Hex(certificates[0]!) !== sha256Hex(chain.root.certificate.der)) {
    throw new AppError('EVIDENCE_CHAIN_INVALID', { detail: 'certificates is not the issuing chain of the signer' });
  }

  await part('EVIDENCE_REVOCATION_INVALID', () => checkStatement(bundle.revocation, chain, parts.signatureValue, stamp.genTime, trust.services));

  const expected = buildReport(doc, chain, stamp.genTime, stamp, bundle.revocation.statement);
  if (canonicalJson(expected) !== canonicalJson(bundle.report)) {
    throw new AppError('EVIDENCE_REPORT_MISMATCH', { detail: 'the report does not state what the evidence shows' });
  }
  return expected;
}

function checkStatement(revocation: EvidenceBundle['revocation'], chain: ChainResult, signatureValue: Uint8Array, genTime: Date, anchors: readonly Uint8Array[]): void {
  const s = revocation.statement;
  const bad = (detail: string) => new AppError('EVIDENCE_REVOCATION_INVALID', { detail });
  const checkedAt = new Date(s.checkedAt);
  verifyStatement(new TextEncoder().encode(canonicalJson(s)), strictBase64(revocation.signature, 'revocation.signature'),
    strictBase64(revocation.certificate, 'revocation.certificate'), anchors, EVIDENCE_SIGNING_PURPOSE, checkedAt);
  if (s.format !== STATEMENT_FORMAT || (s.source !== 'crl' && s.source !== 'ocsp') || s.status !== 'good') throw bad('the statement does not say good from a CRL or OCSP');
  if (s.certificateSha256 !== sha256Hex(chain.certificate.der)) throw bad('the statement is about another certificate');
  if (s.signatureSha256 !== sha256Hex(signatureValue)) throw bad('the statement is about another signature');
  if (Number.isNaN(checkedAt.getTime())) throw bad('the statement times cannot be read');
  if (checkedAt < genTime) throw bad('the status was checked before the signature was timestamped');
  if (s.source === 'ocsp') {
    checkOcsp(s, chain, genTime, checkedAt);
    return;
  }
  const thisUpdate = new Date(s.crl.thisUpdate);
  if (Number.isNaN(thisUpdate.getTime())) throw bad('the statement times cannot be read');
  if (thisUpdate > checkedAt) throw bad('the CRL is newer than the check');
  if (genTime.getTime() - thisUpdate.getTime() > s.maxCrlAgeSeconds * 1000) throw bad('the CRL was not fresh enough at the timestamp');
}

/** Clock difference tolerated between the platform, the TSA and the OCSP responder. */
const OCSP_SKEW_MS = 5 * 60 * 1000;

/**
 * The OCSP response kept in the statement, checked on its own: signed by the signer's CA or a
 * responder it delegated (id-kp-OCSPSigning, valid at the timestamp), answering good for exactly
 * this certificate, current at the timestamp, and produced within the statement's window of it
 * and not after the check. Its nonce was checked when the platform received it; a replayed old
 * response fails the window.
 */
function checkOcsp(s: OcspStatement, chain: ChainResult, genTime: Date, checkedAt: Date): void {
  const bad = (detail: string) => new AppError('EVIDENCE_REVOCATION_INVALID', { detail });
  const issuer = chain.root.certificate.der;
  const answer = verifyOcspResponse(strictBase64(s.ocsp.response, 'revocation.statement.ocsp.response'), {
    issuer, id: certIdFor(issuer, chain.serial), nonce: null, now: genTime.getTime(), skewMs: OCSP_SKEW_MS, maxAgeMs: s.maxAgeSeconds * 1000,
  });
  if (answer.state !== 'good') throw bad(`the OCSP response says ${answer.state}`);
  if (answer.producedAt.toISOString() !== s.ocsp.producedAt || answer.responder !== s.ocsp.responder) throw bad('the statement misstates the OCSP response');
  if (Math.abs(genTime.getTime() - answer.producedAt.getTime()) > s.maxAgeSeconds * 1000) throw bad('the OCSP response was not produced near the timestamp');
  if (answer.producedAt.getTime() > checkedAt.getTime() + OCSP_SKEW_MS) throw bad('the OCSP response is newer than the check');
}

const TOP_KEYS = ['certificates', 'document', 'report', 'revocation', 'signature', 'version'];

function readBundle(text: string): EvidenceBundle {
  let value: EvidenceBundle;
  try {
    value = JSON.parse(text) as EvidenceBundle;
  } catch {
    throw new AppError('EVIDENCE_MALFORMED', { detail: 'the file is not JSON' });
  }
  if (!value || typeof value !== 'object' || Object.keys(value).sort().join() !== TOP_KEYS.join()) {
    throw new AppError('EVIDENCE_MALFORMED', { detail: `the bundle must have exactly ${TOP_KEYS.join(', ')}` });
  }
  if (value.version !== BUNDLE_VERSION) throw new AppError('EVIDENCE_MALFORMED', { detail: `version is not ${BUNDLE_VERSION}` });
  if (!Array.isArray(value.certificates) || !hasSourceFields(value.revocation?.statement) || !value.report) throw new AppError('EVIDENCE_MALFORMED', { detail: 'parts are missing' });
  // One form only: any other spelling of the same values (whitespace, escapes, order) is a change.
  if (serializeBundle(value) !== text) throw new AppError('EVIDENCE_MALFORMED', { detail: 'the file is not in the canonical bundle form' });
  return value;
}

/** The statement carries the fields of the source it names (untrusted JSON, read before any check). */
function hasSourceFields(statement: RevocationStatement | undefined): boolean {
  if (statement?.source === 'ocsp') return typeof statement.ocsp === 'object' && statement.ocsp !== null;
  return typeof statement?.crl === 'object' && statement.crl !== null;
}

/** Base64 that re-encodes to itself (no stray bits, no whitespace), so one value has one spelling. */
function strictBase64(text: unknown, field: string): Uint8Array {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'base64') : null;
  if (!bytes || bytes.toString('base64') !== text) throw new AppError('EVIDENCE_MALFORMED', { detail: `${field} is not canonical base64` });
  return new Uint8Array(bytes);
}

