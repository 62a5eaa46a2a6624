import { verify as verifySync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { AppError } from '../../shared/errors.js';
import { PRODUCTION_ROOTS, PRODUCTION_ROOTS_DIR } from '../roots/production.js';
import { JpkiCertificate, parseCertificate, parseCertificateBundle, type CertificateInput } from './certificate.js';
import { CERT_SIGNATURE_HASH, OID } from './oids.js';
import { assertStrongAlgorithms, isTestHierarchy, PURPOSE_OU, type JpkiPurpose } from './purpose.js';

/** Which roots a store holds: the real J-LIS ones, or the dev JPKI center's. */
export type TrustMode = 'production' | 'dev';

/** One trusted root: a self-signed JPKI CA of one purpose and generation. */
export interface TrustAnchor {
  readonly purpose: JpkiPurpose;
  /** Which root: `signca02` for production, the file name (or given label) for dev roots. */
  readonly generation: string;
  readonly certificate: JpkiCertificate;
}

/** A root to trust, as handed to `createTrustStore`; purpose comes from its OU when omitted. */
export interface RootInput {
  certificate: JpkiCertificate | CertificateInput;
  purpose?: JpkiPurpose;
  generation?: string;
}

const ISSUER_CACHE_SIZE = 4096;

/**
 * The roots of one mode, kept apart per purpose (sign roots never vouch for auth leaves). Parsed
 * and checked once; remembers which root signed a leaf so repeat logins skip that RSA check.
 */
export class TrustStore {
  readonly mode: TrustMode;
  readonly #anchors: Readonly<Record<JpkiPurpose, readonly TrustAnchor[]>>;
  readonly #issuerOf = new Map<string, TrustAnchor>();

  constructor(mode: TrustMode, anchors: readonly TrustAnchor[]) {
    this.mode = mode;
    this.#anchors = {
      sign: Object.freeze(anchors.filter((a) => a.purpose === 'sign')),
      auth: Object.freeze(anchors.filter((a) => a.purpose === 'auth')),
    };
  }

  /** The roots of one purpose, all generations. */
  anchors(purpose: JpkiPurpose): readonly TrustAnchor[] {
    return this.#anchors[purpose];
  }

  /** @internal the root already proven to have signed this leaf (by fingerprint), if any. */
  cachedIssuer(leaf: JpkiCertificate, purpose: JpkiPurpose): TrustAnchor | undefined {
    return this.#issuerOf.get(`${purpose}:${leaf.fingerprint}`);
  }

  /** @internal records a proven leaf → root signature. */
  rememberIssuer(leaf: JpkiCertificate, purpose: JpkiPurpose, anchor: TrustAnchor): void {
    this.#issuerOf.set(`${purpose}:${leaf.fingerprint}`, anchor);
    if (this.#issuerOf.size > ISSUER_CACHE_SIZE) this.#issuerOf.delete(this.#issuerOf.keys().next().value!);
  }
}

/**
 * Builds a store from roots. Each root must be a self-signed RSA-2048+ SHA-256 CA (CA:TRUE,
 * keyCertSign) whose OU names its purpose; a production store refuses `O=JPKI-TEST` roots and a
 * dev store's generation labels must be unique per purpose. Problems throw CONFIG_INVALID.
 */
export function createTrustStore(mode: TrustMode, roots: readonly RootInput[]): TrustStore {
  const anchors: TrustAnchor[] = [];
  for (const [index, root] of roots.entries()) {
    let certificate: JpkiCertificate;
    try {
      certificate = root.certificate instanceof JpkiCertificate ? root.certificate : parseCertificate(root.certificate);
    } catch (err) {
      throw configInvalid(`root #${index + 1} cannot be parsed`, err);
    }
    const named = purposeFromOu(certificate);
    const purpose = root.purpose ?? named;
    if (!purpose) throw configInvalid(`root ${certificate.subject} names neither JPKI purpose in its OU`);
    // Sign and auth roots never mix: a root's OU must not contradict the purpose it is given.
    if (named && named !== purpose) throw configInvalid(`root ${certificate.subject} is a ${named} root, given as ${purpose}`);
    if (mode === 'production' && isTestHierarchy(certificate)) throw configInvalid(`test root ${certificate.subject} in the production store`);
    assertUsableRoot(certificate);
    const generation = root.generation ?? `${purpose}ca-${certificate.serial}`;
    if (anchors.some((a) => a.purpose === purpose && (a.generation === generation || a.certificate.fingerprint === certificate.fingerprint))) {
      throw configInvalid(`duplicate ${purpose} root ${generation}`);
    }
    anchors.push({ purpose, generation, certificate });
  }
  return new TrustStore(mode, anchors);
}

let production: TrustStore | undefined;

/**
 * The production store: the six J-LIS roots shipped in `platform/src/jpki/roots/`, each checked
 * against its pinned SHA-256 (SPEC §5). Loaded once per process.
 */
export function loadProductionTrustStore(): TrustStore {
  if (production) return production;
  const roots = PRODUCTION_ROOTS.map((r) => {
    const certificate = parseCertificate(readFileSync(join(PRODUCTION_ROOTS_DIR, r.file), 'utf8'));
    if (certificate.fingerprint !== r.sha256) {
      throw configInvalid(`${r.file} has SHA-256 ${certificate.fingerprint}, expected ${r.sha256}`);
    }
    return { certificate, purpose: r.purpose, generation: r.generation };
  });
  production = createTrustStore('production', roots);
  return production;
}

const ROOT_FILE = /\.(pem|crt|cer|der)$/i;

/**
 * A dev store from a folder of root certificates (PEM or DER files; PEM files holding no
 * CERTIFICATE block, e.g. keys or CRLs, are skipped). A dev center folder with a `ca/`
 * subfolder is accepted too. Each root's generation label is its file name without extension.
 */
export async function loadDevTrustStore(dir: string): Promise<TrustStore> {
  let folder = dir;
  try {
    const ca = join(dir, 'ca');
    if ((await stat(ca)).isDirectory()) folder = ca;
  } catch {
    // no ca/ subfolder: the roots are in dir itself
  }
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => ROOT_FILE.test(n)).sort();
  } catch (err) {
    throw configInvalid(`cannot read dev roots folder ${folder}`, err);
  }
  const roots: RootInput[] = [];
  for (const name of names) {
    const bytes = new Uint8Array(await readFile(join(folder, name)));
    const text = Buffer.from(bytes).toString('latin1');
    if (text.includes('-----BEGIN') && !text.includes('-----BEGIN CERTIFICATE-----')) continue;
    let certs: JpkiCertificate[];
    try {
      certs = parseCertificateBundle(bytes);
    } catch (err) {
      throw configInvalid(`${join(folder, name)} is not a certificate file`, err);
    }
    const stem = basename(name, extname(name));
    certs.forEach((certificate, i) => roots.push({ certificate, generation: certs.length > 1 ? `${stem}#${i + 1}` : stem }));
  }
  if (!roots.length) throw configInvalid(`no root certificates in ${folder}`);
  return createTrustStore('dev', roots);
}

function purposeFromOu(cert: JpkiCertificate): JpkiPurpose | null {
  const ous = cert.subjectAttributes.filter((a) => a.type === '2.5.4.11').map((a) => a.value);
  const sign = ous.includes(PURPOSE_OU.sign);
  const auth = ous.includes(PURPOSE_OU.auth);
  return sign === auth ? null : sign ? 'sign' : 'auth';
}

function assertUsableRoot(cert: JpkiCertificate): void {
  try {
    assertStrongAlgorithms(cert, 'root');
  } catch (err) {
    throw configInvalid(`root ${cert.subject} (${cert.serial}) uses a weak algorithm`, err);
  }
  if (!cert.basicConstraints?.ca) throw configInvalid(`root ${cert.serial} is not a CA (basicConstraints)`);
  if (!cert.keyUsage?.bits.has('keyCertSign')) throw configInvalid(`root ${cert.serial} lacks keyUsage keyCertSign`);
  if (!cert.isSelfIssued) throw configInvalid(`root ${cert.serial} is not self-issued`);
  // One-off at load time, so the synchronous call is fine here.
  const ok = verifySync(CERT_SIGNATURE_HASH[cert.signatureAlgorithm]!, cert.tbs, cert.publicKey, cert.signature);
  if (!ok) throw configInvalid(`root ${cert.serial} is not validly self-signed`);
  if (cert.subjectAttribute(OID.countryName) !== 'JP') throw configInvalid(`root ${cert.serial} is not C=JP`);
}

function configInvalid(detail: string, cause?: unknown): AppError {
  return new AppError('CONFIG_INVALID', { detail, cause });
}
