import { type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import {
  AUTH_PIN_MAX_TRIES, CARD_FILE_FORMAT, SIGN_PIN_MAX_TRIES, type CardFile,
} from '../../shared/card-file.js';
import { toBase64 } from '../../shared/base64.js';
import { AppError } from '../../shared/errors.js';
import { buildAuthCertificate, buildSignCertificate, parseCertificate, type Issuer } from './certificates.js';
import { checkPins, invalid, iso, parseInstant, throwIfProblems } from './checks.js';
import { HmacDrbg } from './hmac-drbg.js';
import { fifthBirthdayAfter, jstDate, normalizePerson, type Person, type PersonInput } from './personal-data.js';
import { serialHex, type Purpose } from './profile.js';
import { generateRsaKey } from './seeded-rsa.js';
import { certificateRef, drbg, findCardOf, type CertificateRef, type ClockOptions } from './state.js';
import {
  loadState, readCaCertificate, readCaKey, saveState, toPem, withCenterLock, writeFileAtomic,
  type CaRecord, type CenterState, type CertificateRecord,
} from './store.js';

// Issuing cards and renewing them (a renewal also revokes the old pair as `superseded`).

/** EF 0006 token label of a My Number Card (SPEC §1.3). */
export const TOKEN_LABEL = 'JPKIAPICCTOKEN2';

/** Contact ATR of the card (SPEC §1.2, OpenSC), hex without spaces. */
export const CARD_ATR = '3BE000FF8131FE4514';

const CARD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

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

function leafKey(state: CenterState, serial: number): KeyObject {
  return generateRsaKey(state.seed === null ? null : new HmacDrbg(state.seed, `leaf-key/${serial}`));
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
