import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { CardFile } from '../../shared/card-file.js';
import { AppError } from '../../shared/errors.js';
import { ensurePrivateDir } from '../../shared/private-fs.js';
import { buildCaCertificate, keyIdentifier, parseCertificate } from './certificates.js';
import { invalid } from './checks.js';
import { HmacDrbg } from './hmac-drbg.js';
import { caDn, DEFAULT_OCSP_URL, dnToString, PURPOSES, serialHex, type Purpose } from './profile.js';
import { generateRsaKey } from './seeded-rsa.js';
import {
  CENTER_FORMAT, loadState, readCaCertificate, saveState, STATE_FILE, toPem, withCenterLock, writeFileAtomic,
  type CaRecord, type CardRecord, type CenterState,
} from './store.js';

// The center itself: its CA hierarchy (created once by `initCenter`) and how its records are
// found and shown to callers. Persistence is store.ts; what changes the state is issuance.ts,
// revocation.ts; linkage.ts only reads it.

/** A CA generation's validity window. */
export interface GenerationWindow {
  generation: string;
  notBefore: string;
  notAfter: string;
}

/** The real J-LIS generations' windows (SPEC §3.1, read from the roots); the test hierarchy copies them. */
export const DEFAULT_GENERATIONS: Readonly<Record<Purpose, readonly GenerationWindow[]>> = {
  sign: [
    { generation: '01', notBefore: '2015-10-20T02:40:28Z', notAfter: '2025-10-19T14:59:59Z' },
    { generation: '02', notBefore: '2019-09-14T23:41:56Z', notAfter: '2029-09-14T14:59:59Z' },
    { generation: '03', notBefore: '2023-07-16T00:50:27Z', notAfter: '2033-07-15T14:59:59Z' },
  ],
  auth: [
    { generation: '01', notBefore: '2015-10-20T03:08:13Z', notAfter: '2025-10-19T14:59:59Z' },
    { generation: '02', notBefore: '2019-09-14T23:41:59Z', notAfter: '2029-09-14T14:59:59Z' },
    { generation: '03', notBefore: '2023-07-16T01:01:04Z', notAfter: '2033-07-15T14:59:59Z' },
  ],
};

/** Options of `initCenter`. */
export interface InitOptions {
  /** Makes every key, serial and identifier reproducible; without it keys come from OpenSSL. */
  seed?: string;
  /** Which generations to create (default all of `DEFAULT_GENERATIONS`: 01, 02, 03). At least two. */
  generations?: string[];
  /** OCSP URL written into auth certificates (default `DEFAULT_OCSP_URL`, which never resolves). */
  ocspUrl?: string;
}

/** A CA generation as callers see it: for trust stores and checks. */
export interface CaInfo {
  purpose: Purpose;
  generation: string;
  serial: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  keyId: string;
  der: Buffer;
  /** Absolute path of the PEM. */
  file: string;
}

/** The center's roots by purpose, oldest generation first. */
export interface CenterInfo {
  dir: string;
  seed: string | null;
  roots: Record<Purpose, CaInfo[]>;
}

/** How a certificate is named across systems: issuer (DN + key id, since generations share the DN) and serial. */
export interface CertificateRef {
  purpose: Purpose;
  generation: string;
  issuer: string;
  issuerKeyId: string;
  /** Hex as openssl prints it, e.g. `0132C4AB`. */
  serial: string;
  notBefore: string;
  notAfter: string;
}

/** Clock injection for every operation; defaults to the system clock. */
export interface ClockOptions {
  now?: Date;
}

/** Creates a test JPKI hierarchy (sign and auth roots, several generations each) in `dir`. */
export async function initCenter(dir: string, opts: InitOptions = {}): Promise<CenterInfo> {
  return withCenterLock(dir, async () => {
    ensurePrivateDir(dir);
    if (await exists(join(dir, STATE_FILE))) throw invalid(`${dir} already holds a dev JPKI center`);
    const known = DEFAULT_GENERATIONS.sign.map((g) => g.generation);
    const wanted = opts.generations ?? known;
    const unknown = wanted.filter((g) => !known.includes(g));
    if (unknown.length) throw invalid(`unknown generation(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
    if (new Set(wanted).size < 2) throw invalid('at least two generations per purpose are needed (they share one DN, as the real ones do)');
    if (opts.seed !== undefined && opts.seed === '') throw invalid('seed must not be empty');

    const seed = opts.seed ?? null;
    const state: CenterState = {
      format: CENTER_FORMAT, seed, ocspUrl: opts.ocspUrl ?? DEFAULT_OCSP_URL,
      nextSerial: 0, nextCardSeq: 1, cas: [], certificates: [], cards: [], revocations: [], renewals: [],
    };
    // Serials: one 31-bit counter across the whole center, starting in the range real ones use (SPEC §3.4).
    state.nextSerial = 0x01000000 + drbg(state, 'serial-start').nextInt(0x05000000);
    for (const purpose of PURPOSES) {
      for (const window of DEFAULT_GENERATIONS[purpose].filter((g) => wanted.includes(g.generation))) {
        const key = generateRsaKey(state.seed === null ? null : new HmacDrbg(state.seed, `ca-key/${purpose}/${window.generation}`));
        const serial = state.nextSerial++;
        const der = await buildCaCertificate({
          purpose, serial, notBefore: new Date(window.notBefore), notAfter: new Date(window.notAfter), key,
        });
        const base = `ca/${purpose}ca${window.generation}`;
        await writeFileAtomic(join(dir, `${base}.pem`), toPem(der, 'CERTIFICATE'));
        await writeFileAtomic(join(dir, `${base}.key.pem`), toPem(key.export({ type: 'pkcs8', format: 'der' }), 'PRIVATE KEY'));
        state.cas.push({
          purpose, generation: window.generation, serial, notBefore: window.notBefore, notAfter: window.notAfter,
          keyId: keyIdentifier(key).toString('hex').toUpperCase(), certFile: `${base}.pem`, keyFile: `${base}.key.pem`, crlNumber: 0,
        });
      }
    }
    await saveState(dir, state);
    return describe(dir, state);
  });
}

/** Reads an existing center: its seed and CA certificates. */
export async function loadCenter(dir: string): Promise<CenterInfo> {
  return describe(dir, await loadState(dir));
}

export function findCa(state: CenterState, purpose: Purpose, generation: string | undefined): CaRecord {
  const all = state.cas.filter((c) => c.purpose === purpose).sort((a, b) => a.generation.localeCompare(b.generation));
  const ca = generation === undefined ? all[all.length - 1] : all.find((c) => c.generation === generation);
  if (!ca) throw invalid(`no ${purpose} CA generation "${generation}"; have ${all.map((c) => c.generation).join(', ')}`);
  return ca;
}

export function findCardOf(state: CenterState, card: CardFile): CardRecord {
  const serial = cardCertificateSerial(card, 'sign');
  const cert = state.certificates.find((c) => c.purpose === 'sign' && c.serial === serial);
  const record = cert && state.cards.find((c) => c.seq === cert.cardSeq);
  if (!record) throw new AppError('REQ_NOT_FOUND', { detail: `card ${card.id} (sign certificate ${serialHex(serial)}) was not issued by this center` });
  return record;
}

/** Serial of the sign (EF 0001) or auth (EF 000A) certificate in a card file. */
export function cardCertificateSerial(card: CardFile, which: Purpose): number {
  const b64 = card.files[which === 'sign' ? '0001' : '000A'];
  if (!b64) throw invalid(`card ${card.id} has no ${which} certificate`);
  const hex = Buffer.from(parseCertificate(Buffer.from(b64, 'base64')).serialNumber.valueBlock.valueHexView).toString('hex');
  return parseInt(hex, 16);
}

export function certificateRef(state: CenterState, serial: number): CertificateRef {
  const cert = state.certificates.find((c) => c.serial === serial)!;
  const ca = state.cas.find((c) => c.purpose === cert.purpose && c.generation === cert.generation)!;
  return {
    purpose: cert.purpose, generation: cert.generation, issuer: dnToString(caDn(cert.purpose)), issuerKeyId: ca.keyId,
    serial: serialHex(serial), notBefore: cert.notBefore, notAfter: cert.notAfter,
  };
}

async function describe(dir: string, state: CenterState): Promise<CenterInfo> {
  const roots: Record<Purpose, CaInfo[]> = { sign: [], auth: [] };
  for (const ca of [...state.cas].sort((a, b) => a.generation.localeCompare(b.generation))) {
    roots[ca.purpose].push({
      purpose: ca.purpose, generation: ca.generation, serial: serialHex(ca.serial), subject: dnToString(caDn(ca.purpose)),
      notBefore: ca.notBefore, notAfter: ca.notAfter, keyId: ca.keyId, der: await readCaCertificate(dir, ca), file: join(dir, ca.certFile),
    });
  }
  return { dir, seed: state.seed, roots };
}

/** A DRBG for identifiers: from the seed when there is one, else from the OS. */
export function drbg(state: CenterState, label: string): HmacDrbg {
  return new HmacDrbg(state.seed ?? randomBytes(32), label);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
