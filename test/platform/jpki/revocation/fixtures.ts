import { spawnSync } from 'node:child_process';
import { issuerFromCertificate, type JpkiPurpose, type TrustedIssuer } from '../../../../platform/src/jpki/revocation/index.js';
import { writeCrl, type CrlEntrySpec, type CrlSpec } from '../../../bench/lib/crl-writer.js';
import { AUTH_CA_NAME, makeTestCa, rsaKeys, SIGN_CA_NAME, type TestCa } from '../../../bench/lib/test-ca.js';

/** Fixed instants, so fixtures never expire (house style §9.5). */
export const THIS_UPDATE = new Date('2025-06-01T00:00:00Z');
export const NEXT_UPDATE = new Date('2025-06-02T00:00:00Z');
export const DAY = 86_400;

export interface TestCas {
  /** Auth CA generation 02 and 03: same subject DN, different keys (like the real roots). */
  auth02: TestCa;
  auth03: TestCa;
  sign03: TestCa;
  /** Same DN as the auth CAs, never trusted. */
  rogue: TestCa;
  trusted: TrustedIssuer[];
}

let cas: TestCas | undefined;

/** The test CAs of this file (RSA key generation is the slow part, so built once per file). */
export function testCas(): TestCas {
  if (!cas) {
    const auth02 = makeTestCa({ serial: 0x0133c349 });
    const auth03 = makeTestCa({ serial: 0x06d18006 });
    const sign03 = makeTestCa({ subjectDer: SIGN_CA_NAME, serial: 0x067c6a21 });
    const rogue = makeTestCa({ subjectDer: AUTH_CA_NAME, keys: rsaKeys() });
    const trusted = [
      issuerFromCertificate(auth02.certDer, 'auth', 'authca02'),
      issuerFromCertificate(auth03.certDer, 'auth', 'authca03'),
      issuerFromCertificate(sign03.certDer, 'sign', 'signca03'),
    ];
    cas = { auth02, auth03, sign03, rogue, trusted };
  }
  return cas;
}

/** A trusted issuer for one CA. */
export function trustedFor(ca: TestCa, purpose: JpkiPurpose, generation: string): TrustedIssuer {
  return issuerFromCertificate(ca.certDer, purpose, generation);
}

/** A CRL listing `entries` (or `count` generated ones), signed by `signer`. */
export function crl(signer: TestCa, options: Partial<CrlSpec> & { list?: readonly Partial<CrlEntrySpec>[] } = {}): Buffer {
  const { list, ...rest } = options;
  const spec: CrlSpec = {
    signer,
    thisUpdate: THIS_UPDATE,
    nextUpdate: NEXT_UPDATE,
    crlNumber: 1,
    count: list?.length ?? 0,
    ...rest,
  };
  if (list) {
    spec.entry = (i, out) => {
      const e = list[i]!;
      out.serial = e.serial ?? i + 1;
      out.revokedAt = e.revokedAt ?? THIS_UPDATE.getTime() / 1000 - DAY;
      out.reason = e.reason ?? null;
      out.invalidityDate = e.invalidityDate ?? null;
    };
  }
  return writeCrl(spec);
}

/** `openssl crl -inform DER -text -noout` of a CRL. */
export function opensslText(der: Buffer): string {
  const r = spawnSync('openssl', ['crl', '-inform', 'DER', '-text', '-noout'], { input: der, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

const OPENSSL_REASONS: Record<string, string> = {
  Unspecified: 'unspecified',
  'Key Compromise': 'keyCompromise',
  'CA Compromise': 'cACompromise',
  'Affiliation Changed': 'affiliationChanged',
  Superseded: 'superseded',
  'Cessation Of Operation': 'cessationOfOperation',
  'Certificate Hold': 'certificateHold',
  'Privilege Withdrawn': 'privilegeWithdrawn',
  'AA Compromise': 'aACompromise',
};

/** The entries openssl sees: serial (uppercase hex as printed), reason name or null. */
export function opensslEntries(der: Buffer): { serial: string; reason: string | null }[] {
  const text = opensslText(der);
  const list = text.split('Revoked Certificates:')[1] ?? '';
  const out: { serial: string; reason: string | null }[] = [];
  for (const block of list.split(/\n\s+Serial Number: /).slice(1)) {
    const serial = block.split('\n')[0]!.trim();
    const reason = /X509v3 CRL Reason Code: *\n\s+(.+)/.exec(block)?.[1]?.trim() ?? null;
    out.push({ serial, reason: reason === null ? null : (OPENSSL_REASONS[reason] ?? `?${reason}`) });
  }
  return out;
}
