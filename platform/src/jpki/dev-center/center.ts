import { randomBytes, type KeyObject } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AUTH_PIN_MAX_TRIES, CARD_FILE_FORMAT, SIGN_PIN_MAX_TRIES, type CardFile,
} from '../../shared/card-file.js';
import { toBase64 } from '../../shared/base64.js';
import { AppError } from '../../shared/errors.js';
import { ensurePrivateDir } from '../../shared/private-fs.js';
import { PIN_RULES } from '../../shared/pins.js';
import { buildAuthCertificate, buildCaCertificate, buildSignCertificate, keyIdentifier, parseCertificate, type Issuer } from './certificates.js';
import { buildCrlDer, isRevocationReason, REVOCATION_REASONS, type RevocationReason } from './crl.js';
import { HmacDrbg } from './hmac-drbg.js';
import { fifthBirthdayAfter, isCalendarDate, jstDate, normalizePerson, type Person, type PersonInput } from './personal-data.js';
import { caDn, DEFAULT_OCSP_URL, dnToString, PURPOSES, serialHex, type Purpose } from './profile.js';
import { generateRsaKey } from './seeded-rsa.js';
import {
  CENTER_FORMAT, loadState, readCaCertificate, readCaKey, saveState, STATE_FILE, toPem, withCenterLock, writeFileAtomic,
  type CaRecord, type CardRecord, type CenterState, type CertificateRecord, type RevocationRecord,
} from './store.js';

/** EF 0006 token label of a My Number Card (SPEC §1.3). */
export const TOKEN_LABEL = 'JPKIAPICCTOKEN2';
/** Contact ATR of the card (SPEC §1.2, OpenSC), hex without spaces. */
export const CARD_ATR = '3BE000FF8131FE4514';
const CARD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DAY_MS = 24 * 3600_000;

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

/** What `issue-card` takes: the person plus card settings. */
export interface CardRequest extends PersonInput {
  /** Name of the card in the card bay (`CardFile.id`); default `card-<n>`. */
  id?: string;
  /** 利用者証明用 PIN, 4 digits. */
  authPin: string;
  /** 署名用パスワード, 6–16 of A–Z 0–9. */
  signPin: string;
  /** Issue instant: `YYYY-MM-DD` (= 00:00Z, 09:00 JST), an ISO instant with zone, or a Date. Default now. */
  issued?: string | Date;
}

/** An issued card: the virtual card file and how its two certificates are referenced. */
export interface IssuedCard {
  card: CardFile;
  sign: CertificateRef;
  auth: CertificateRef;
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

/**
 * Issues a card: fresh sign and auth keys, both certificates from the CA generation valid at the
 * issue instant (the newest one if two overlap), and the virtual card file. Refuses bad PINs
 * (`CARD_PIN_FORMAT`) and bad person data or dates (`REQ_INVALID`), listing every problem.
 */
export async function issueCard(dir: string, request: CardRequest, opts: ClockOptions = {}): Promise<IssuedCard> {
  const problems: string[] = [];
  const pinProblems = checkPins(request.authPin, request.signPin);
  const issuedAt = parseInstant(request.issued, opts.now, 'issued', problems);
  const person = normalizePerson(request, problems);
  if (request.id !== undefined && !CARD_ID_PATTERN.test(request.id)) problems.push(`id must match ${CARD_ID_PATTERN}, got "${request.id}"`);
  if (person && issuedAt && person.birth > jstDate(issuedAt)) problems.push(`birth ${person.birth} is after the issue day ${jstDate(issuedAt)}`);
  throwIfProblems(pinProblems, problems);
  return withCenterLock(dir, async () => {
    const state = await loadState(dir);
    const issued = await issueInto(dir, state, {
      person: person!, issuedAt: issuedAt!, id: request.id, pins: { auth: request.authPin, sign: request.signPin },
    });
    await saveState(dir, state);
    return issued;
  });
}

/** Options of `renewCard`. */
export interface RenewOptions extends ClockOptions {
  /** Issue instant of the new certificates (default now); not before the old card's. */
  issued?: string | Date;
  /** Changed person data (a move, a new name); anything absent is kept. */
  person?: Partial<PersonInput>;
  /** Keep the old certificates valid instead of revoking them as `superseded`. */
  keepOld?: boolean;
}

/**
 * Renews a card: new keys and certificates for the same person and PINs (counters full), the
 * link old → new recorded for `exportLinkage`, and the old pair revoked as `superseded` at the
 * renewal instant unless `keepOld`.
 */
export async function renewCard(dir: string, oldCard: CardFile, opts: RenewOptions = {}): Promise<IssuedCard> {
  return withCenterLock(dir, async () => {
    const state = await loadState(dir);
    const old = findCardOf(state, oldCard);
    const successor = state.cards.find((c) => c.renews === old.seq);
    if (successor) throw invalid(`card ${old.id} was already renewed (certificates ${serialHex(successor.sign)}/${serialHex(successor.auth)}); renew the newest card`);

    const problems: string[] = [];
    const pinProblems = checkPins(oldCard.pins.auth.value, oldCard.pins.sign.value);
    const issuedAt = parseInstant(opts.issued, opts.now, 'issued', problems);
    if (issuedAt && issuedAt < new Date(old.issuedAt)) problems.push(`renewal ${iso(issuedAt)} is before the old card's issue ${old.issuedAt}`);
    const person = normalizePerson(mergePerson(old.person, opts.person ?? {}), problems);
    if (person && issuedAt && person.birth > jstDate(issuedAt)) problems.push(`birth ${person.birth} is after the issue day ${jstDate(issuedAt)}`);
    throwIfProblems(pinProblems, problems);

    const issued = await issueInto(dir, state, {
      person: person!, issuedAt: issuedAt!, id: old.id, renews: old.seq,
      pins: { auth: oldCard.pins.auth.value, sign: oldCard.pins.sign.value },
    });
    const seq = state.cards[state.cards.length - 1]!.seq;
    state.renewals.push({ renewedAt: iso(issuedAt!), from: old.seq, to: seq });
    if (!opts.keepOld) {
      for (const serial of [old.sign, old.auth]) {
        if (!state.revocations.some((r) => r.serial === serial)) {
          const cert = state.certificates.find((c) => c.serial === serial)!;
          state.revocations.push({ purpose: cert.purpose, generation: cert.generation, serial, revokedAt: iso(issuedAt!), reason: 'superseded' });
        }
      }
    }
    await saveState(dir, state);
    return issued;
  });
}

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

/** Writes a card file atomically (pretty JSON). */
export async function writeCardFile(path: string, card: CardFile): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(card, null, 2) + '\n');
}

/** Reads a card file written by `issueCard`/`renewCard` (or changed since by the virtual card). */
export async function readCardFile(path: string): Promise<CardFile> {
  let card: CardFile;
  try {
    card = JSON.parse(await readFile(path, 'utf8')) as CardFile;
  } catch (err) {
    throw new AppError('REQ_INVALID', { detail: `cannot read card file ${path}: ${(err as Error).message}`, cause: err });
  }
  if (card.format !== CARD_FILE_FORMAT) throw invalid(`${path} is not a ${CARD_FILE_FORMAT} card file`);
  return card;
}

// ---------------------------------------------------------------------------------------------

interface IssueSpec {
  person: Person;
  issuedAt: Date;
  id: string | undefined;
  pins: { auth: string; sign: string };
  renews?: number;
}

async function issueInto(dir: string, state: CenterState, spec: IssueSpec): Promise<IssuedCard> {
  const { person, issuedAt } = spec;
  const notAfter = fifthBirthdayAfter(person.birth, issuedAt);
  const signCa = pickIssuingCa(state, 'sign', issuedAt, notAfter);
  const authCa = pickIssuingCa(state, 'auth', issuedAt, notAfter);
  const signIssuer = await loadIssuer(dir, signCa);
  const authIssuer = await loadIssuer(dir, authCa);

  const seq = state.nextCardSeq++;
  const signSerial = state.nextSerial++;
  const authSerial = state.nextSerial++;
  if (state.nextSerial > 0x7fffffff) throw new AppError('INTERNAL', { detail: 'serial counter exhausted' });
  const signKey = leafKey(state, signSerial);
  const authKey = leafKey(state, authSerial);
  const ids = drbg(state, `leaf-cn/${seq}`);
  const code = person.locality.code;
  const signCn = jstStamp(issuedAt) + code + digits(ids, 9);
  const authCn = digits(ids, 6) + '4E' + pick(ids, '0123456789ABCDEF', 1) + pick(ids, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 5) + code + '003A';

  const common = { notBefore: issuedAt, notAfter, locality: person.locality };
  const signDer = await buildSignCertificate({ ...common, issuer: signIssuer, serial: signSerial, key: signKey, commonName: signCn, person });
  const authDer = await buildAuthCertificate({ ...common, issuer: authIssuer, serial: authSerial, key: authKey, commonName: authCn, ocspUrl: state.ocspUrl });

  const record = (purpose: Purpose, ca: CaRecord, serial: number, subject: string): CertificateRecord => ({
    purpose, generation: ca.generation, serial, cardSeq: seq, subject,
    notBefore: iso(issuedAt), notAfter: iso(notAfter), file: `issued/${serialHex(serial)}-${purpose}.pem`,
  });
  const signRecord = record('sign', signCa, signSerial, `C=JP, L=${person.locality.prefecture}, L=${person.locality.municipality}, CN=${signCn}`);
  const authRecord = record('auth', authCa, authSerial, `C=JP, CN=${authCn}`);
  await writeFileAtomic(join(dir, signRecord.file), toPem(signDer, 'CERTIFICATE'));
  await writeFileAtomic(join(dir, authRecord.file), toPem(authDer, 'CERTIFICATE'));
  state.certificates.push(signRecord, authRecord);
  const id = spec.id ?? `card-${seq}`;
  state.cards.push({
    seq, id, issuedAt: iso(issuedAt), person, sign: signSerial, auth: authSerial,
    ...(spec.renews === undefined ? {} : { renews: spec.renews }),
  });

  const b64 = toBase64;
  const pkcs8 = (key: KeyObject) => b64(key.export({ type: 'pkcs8', format: 'der' }));
  const card: CardFile = {
    format: CARD_FILE_FORMAT,
    id,
    tokenLabel: TOKEN_LABEL,
    atr: CARD_ATR,
    files: {
      '0001': b64(signDer),
      '0002': b64(signIssuer.der),
      '000A': b64(authDer),
      '000B': b64(authIssuer.der),
    },
    keys: { auth: pkcs8(authKey), sign: pkcs8(signKey) },
    pins: {
      auth: { value: spec.pins.auth, triesLeft: AUTH_PIN_MAX_TRIES },
      sign: { value: spec.pins.sign, triesLeft: SIGN_PIN_MAX_TRIES },
    },
  };
  return { card, sign: certificateRef(state, signSerial), auth: certificateRef(state, authSerial) };
}

/**
 * The generation that issues at `at`: valid then, and the newest such (a new generation takes over
 * issuance when it starts; SPEC §3.1: a cert of 2023-05-19 chains to gen 02, not 03).
 */
function pickIssuingCa(state: CenterState, purpose: Purpose, at: Date, leafNotAfter: Date): CaRecord {
  const candidates = state.cas
    .filter((c) => c.purpose === purpose && new Date(c.notBefore) <= at && at <= new Date(c.notAfter))
    .sort((a, b) => b.notBefore.localeCompare(a.notBefore));
  const ca = candidates[0];
  if (!ca) {
    const windows = state.cas.filter((c) => c.purpose === purpose).map((c) => `${c.generation} ${c.notBefore} – ${c.notAfter}`).join('; ');
    throw invalid(`no ${purpose} CA generation is valid at ${iso(at)} (generations: ${windows})`);
  }
  if (leafNotAfter > new Date(ca.notAfter)) {
    throw invalid(`a ${purpose} certificate issued at ${iso(at)} would end ${iso(leafNotAfter)}, after CA generation ${ca.generation} ends (${ca.notAfter})`);
  }
  return ca;
}

async function loadIssuer(dir: string, ca: CaRecord): Promise<Issuer & { der: Buffer }> {
  const der = await readCaCertificate(dir, ca);
  return { purpose: ca.purpose, certificate: parseCertificate(der), key: await readCaKey(dir, ca), der };
}

function findCa(state: CenterState, purpose: Purpose, generation: string | undefined): CaRecord {
  const all = state.cas.filter((c) => c.purpose === purpose).sort((a, b) => a.generation.localeCompare(b.generation));
  const ca = generation === undefined ? all[all.length - 1] : all.find((c) => c.generation === generation);
  if (!ca) throw invalid(`no ${purpose} CA generation "${generation}"; have ${all.map((c) => c.generation).join(', ')}`);
  return ca;
}

function findCardOf(state: CenterState, card: CardFile): CardRecord {
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

function certificateRef(state: CenterState, serial: number): CertificateRef {
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

function mergePerson(old: Person, change: Partial<PersonInput>): PersonInput {
  const nameChanged = change.name !== undefined;
  const addressChanged = change.address !== undefined;
  return {
    name: change.name ?? old.name,
    birth: change.birth ?? old.birth,
    gender: change.gender ?? old.gender,
    address: change.address ?? old.address,
    locality: change.locality ?? (addressChanged ? undefined : `${old.locality.prefecture}/${old.locality.municipality}`),
    nameSubstitutes: change.nameSubstitutes ?? (nameChanged ? undefined : old.nameSubstitutes),
    addressSubstitutes: change.addressSubstitutes ?? (addressChanged ? undefined : old.addressSubstitutes),
  };
}

function checkPins(authPin: string, signPin: string): string[] {
  const problems: string[] = [];
  if (!PIN_RULES.auth.pattern.test(authPin)) problems.push('auth PIN (利用者証明用) must be exactly 4 digits');
  if (!PIN_RULES.sign.pattern.test(signPin)) problems.push('sign PIN (署名用パスワード) must be 6–16 characters of A–Z and 0–9 (upper case)');
  return problems;
}

/** PIN problems alone → CARD_PIN_FORMAT; anything else too → REQ_INVALID listing all. */
function throwIfProblems(pinProblems: string[], problems: string[]): void {
  const all = [...pinProblems, ...problems];
  if (!all.length) return;
  const code = problems.length ? 'REQ_INVALID' : 'CARD_PIN_FORMAT';
  throw new AppError(code, { detail: all.join('; '), details: { problems: all } });
}

/**
 * An instant from `YYYY-MM-DD` (00:00Z = 09:00 JST that day), an ISO date-time with `Z` or an
 * offset, or a Date; absent → `now` (default the system clock). Cut to whole seconds, as
 * certificates carry them.
 */
function parseInstant(value: string | Date | undefined, now: Date | undefined, label: string, problems: string[]): Date | null {
  let d: Date;
  if (value === undefined) d = now ?? new Date();
  else if (value instanceof Date) d = value;
  else if (isCalendarDate(value)) d = new Date(`${value}T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && isCalendarDate(value.slice(0, 10))) d = new Date(value);
  else {
    problems.push(`${label} must be YYYY-MM-DD or an ISO date-time with Z or an offset, got "${value}"`);
    return null;
  }
  if (Number.isNaN(d.getTime())) {
    problems.push(`${label} is not a valid instant`);
    return null;
  }
  if (d.getUTCFullYear() < 2000 || d.getUTCFullYear() >= 2050) {
    problems.push(`${label} ${iso(d)} is outside 2000–2049`);
    return null;
  }
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function leafKey(state: CenterState, serial: number): KeyObject {
  return generateRsaKey(state.seed === null ? null : new HmacDrbg(state.seed, `leaf-key/${serial}`));
}

/** A DRBG for identifiers: from the seed when there is one, else from the OS. */
function drbg(state: CenterState, label: string): HmacDrbg {
  return new HmacDrbg(state.seed ?? randomBytes(32), label);
}

function digits(source: HmacDrbg, n: number): string {
  return pick(source, '0123456789', n);
}

function pick(source: HmacDrbg, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[source.nextInt(alphabet.length)];
  return s;
}

/** `YYYYMMDDhhmmss` in JST: the issue timing at the start of the sign CN (SPEC §3.2, MW dummy). */
function jstStamp(at: Date): string {
  return new Date(at.getTime() + 9 * 3600_000).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** ISO 8601 in UTC without milliseconds (certificate times are whole seconds). */
function iso(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

function invalid(detail: string): AppError {
  return new AppError('REQ_INVALID', { detail });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
