import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '../../shared/errors.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../shared/private-fs.js';
import type { RevocationReason } from './crl.js';
import type { Person } from './personal-data.js';
import type { Purpose } from './profile.js';

/**
 * The dev center's state on disk: `DIR/center.json` (this file's `CenterState`), the CA
 * certificates and keys as PEM under `DIR/ca/`, and every issued leaf as PEM under `DIR/issued/`.
 * Keys are stored unencrypted: this is a development CA and must never hold anything real.
 */
export const CENTER_FORMAT = 'jpki-dev-center/1';
export const STATE_FILE = 'center.json';

/** One CA generation of one purpose. */
export interface CaRecord {
  purpose: Purpose;
  /** `01`, `02`, `03` as J-LIS numbers them. */
  generation: string;
  serial: number;
  notBefore: string;
  notAfter: string;
  /** SKI of the CA = AKI keyIdentifier of what it signs, hex. */
  keyId: string;
  /** Paths relative to the center directory. */
  certFile: string;
  keyFile: string;
  /** Number of the last CRL issued (0: none yet). */
  crlNumber: number;
  /** Number of the last partitioned CRL issued, per distribution point (each has its own sequence). */
  partitionCrlNumbers?: Record<string, number>;
}

/** One issued leaf certificate. */
export interface CertificateRecord {
  purpose: Purpose;
  generation: string;
  serial: number;
  /** `CardRecord.seq` of the card it went on. */
  cardSeq: number;
  subject: string;
  notBefore: string;
  notAfter: string;
  file: string;
}

/** One card as issued: the person (dev data only) and its two certificates. */
export interface CardRecord {
  /** Internal, unique per issuance. */
  seq: number;
  /** The card's name in the card bay (`CardFile.id`); a renewed card keeps it. */
  id: string;
  issuedAt: string;
  person: Person;
  sign: number;
  auth: number;
  /** `seq` of the card this one renewed. */
  renews?: number;
}

export interface RevocationRecord {
  purpose: Purpose;
  generation: string;
  serial: number;
  revokedAt: string;
  reason: RevocationReason;
}

export interface RenewalRecord {
  renewedAt: string;
  from: number;
  to: number;
}

export interface CenterState {
  format: typeof CENTER_FORMAT;
  /** `--seed`, or null when keys come from the OS generator. */
  seed: string | null;
  ocspUrl: string;
  nextSerial: number;
  nextCardSeq: number;
  cas: CaRecord[];
  certificates: CertificateRecord[];
  cards: CardRecord[];
  revocations: RevocationRecord[];
  renewals: RenewalRecord[];
}

export async function loadState(dir: string): Promise<CenterState> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (err) {
    throw new AppError('REQ_NOT_FOUND', { detail: `no dev JPKI center in ${dir} (run init first)`, cause: err });
  }
  const state = JSON.parse(text) as CenterState;
  if (state.format !== CENTER_FORMAT) throw new AppError('REQ_INVALID', { detail: `${join(dir, STATE_FILE)} is not a ${CENTER_FORMAT} file` });
  return state;
}

export async function saveState(dir: string, state: CenterState): Promise<void> {
  await writeFileAtomic(join(dir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}

/**
 * Writes via a temporary file and rename, so a crash never leaves half a file. Everything the
 * center writes (CA keys, card files with their keys and PINs) is private to the user: folders
 * it creates are 0700, files 0600.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode: PRIVATE_FILE_MODE });
  await rename(tmp, path);
}

export function toPem(der: Uint8Array, label: 'CERTIFICATE' | 'PRIVATE KEY' | 'X509 CRL'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

export async function readCaCertificate(dir: string, ca: CaRecord): Promise<Buffer> {
  return fromPem(await readFile(join(dir, ca.certFile), 'utf8'));
}

export async function readCaKey(dir: string, ca: CaRecord): Promise<KeyObject> {
  return createPrivateKey(await readFile(join(dir, ca.keyFile), 'utf8'));
}

const locks = new Map<string, Promise<unknown>>();

/** Runs one read-modify-write of a center directory at a time (within this process). */
export function withCenterLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(dir) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(fn);
  locks.set(dir, next);
  return next;
}
