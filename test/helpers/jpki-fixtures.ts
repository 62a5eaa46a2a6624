import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import type { CardFile } from '../../platform/src/shared/card-file.js';
import {
  buildCrl, initCenter, issueCard, loadCenter, renewCard, revokeCertificate, writeCardFile,
  type CardRequest, type CenterInfo, type CertificateRef, type Purpose,
} from '../../platform/src/jpki/dev-center/index.js';

/**
 * A ready dev JPKI center with issued, renewed and revoked cards, for any test that needs JPKI
 * certificates. Built once from a fixed seed with fixed dates, so every run sees byte-identical
 * certificates; cached in the OS temp folder under a hash of the dev-center sources, so only the
 * first test file of a run (and only after the sources change) pays the ~3 s of key generation.
 *
 * The cached files are shared: never write to them. Use `copyJpkiCenter()` for a center you may
 * change (revoke, renew, issue) and `copyFixtureCard()` for a card file a virtual card may update.
 */

/** Seed of the fixture center. */
export const FIXTURE_SEED = 'jpki-fixtures/1';
/**
 * Check fixture certificates at this instant: every fixture certificate is inside its validity,
 * and the revocations below have happened. Using it (not the clock) keeps tests from expiring.
 */
export const FIXTURE_TIME = new Date('2025-06-01T00:00:00Z');

/** The fixture cards and what is special about each. */
export const FIXTURE_CARDS = {
  /** 山田　太郎, issued 2025-04-01 by generation 03; the demo world's PINs. */
  'yamada-taro': { name: '山田　太郎', birth: '1950-04-01', gender: '1', address: '富山県南砺市城端１２３番地', authPin: '1234', signPin: 'YAMADA2024', issued: '2025-04-01' },
  /** 山田　花子, generation 03. */
  'yamada-hanako': { name: '山田　花子', birth: '1953-08-15', gender: '2', address: '富山県南砺市城端１２３番地', authPin: '5678', signPin: 'HANAKO53', issued: '2025-04-01' },
  /**
   * 佐藤　一郎, issued 2022-10-01 by generation 02 and valid at FIXTURE_TIME: a verifier must pick 02
   * by signature. Expired 2026-11-30T14:59:59Z (his 5th birthday after issue), so only for checks
   * at FIXTURE_TIME; a test that verifies at the wall clock takes `ito-shiro`.
   */
  'sato-ichiro': { name: '佐藤　一郎', birth: '1942-11-30', gender: '1', address: '富山県南砺市井波４５６番地', authPin: '2468', signPin: 'SATO1942', issued: '2022-10-01' },
  /** 高橋　三郎 (born 29 February), first card by generation 02; renewed (see `takahashi-saburo-renewed`). */
  'takahashi-saburo': { name: '高橋　三郎', birth: '1960-02-29', gender: '1', address: '東京都渋谷区神南１－１', authPin: '1357', signPin: 'TAKA1960', issued: '2021-06-01' },
  /** 鈴木　次郎, generation 03; sign certificate revoked (keyCompromise), auth on hold (certificateHold). */
  'suzuki-jiro': { name: '鈴木　次郎', birth: '1975-12-24', gender: '1', address: '神奈川県横浜市中区本町１－１', authPin: '9999', signPin: 'SUZUKI75', issued: '2024-02-01' },
  /**
   * 伊藤　四郎, generation 03, valid until 2030-04-30 (born the day before his issue day, so his
   * card lives almost the full five birthdays): the card for tests that verify at the wall clock
   * and need someone other than the 山田 household. `WALL_CLOCK_CARDS` lists who else may.
   */
  'ito-shiro': { name: '伊藤　四郎', birth: '1948-04-30', gender: '1', address: '富山県南砺市福野７８９番地', authPin: '8642', signPin: 'ITO1948', issued: '2025-05-01' },
} as const satisfies Record<string, Omit<CardRequest, 'id'>>;

/** Renewal of takahashi-saburo on this day (generation 03); the old pair is revoked as superseded. */
export const FIXTURE_RENEWAL = { from: 'takahashi-saburo', to: 'takahashi-saburo-renewed', issued: '2024-09-01' } as const;
/** Revocations in the fixture center. */
export const FIXTURE_REVOCATIONS = [
  { card: 'suzuki-jiro', which: 'sign', reason: 'keyCompromise', date: '2025-01-15T03:00:00Z' },
  { card: 'suzuki-jiro', which: 'auth', reason: 'certificateHold', date: '2025-01-15T03:00:00Z' },
] as const;

export type FixtureCardName = keyof typeof FIXTURE_CARDS | typeof FIXTURE_RENEWAL.to;

/**
 * The fixture cards a test may use at the wall clock (in a reader, through an app, for a login):
 * the ones whose certificates stay inside their validity for years (鈴木's pair is revoked, and a
 * test of that wants revocation, not expiry, to be the answer). 佐藤's generation-02 card and 高橋's
 * superseded first card are for checks at FIXTURE_TIME only; `CardInReader.insert` takes only
 * these names. `fixture-expiry.test.ts` fails a year before any of them expires, so the fixture is
 * renewed before CI meets an expired card (as it met 佐藤's on 2026-11-30).
 */
export const WALL_CLOCK_CARDS = ['yamada-taro', 'yamada-hanako', 'ito-shiro', 'suzuki-jiro', 'takahashi-saburo-renewed'] as const satisfies readonly FixtureCardName[];
export type WallClockCardName = (typeof WALL_CLOCK_CARDS)[number];

/** One issued fixture card. */
export interface FixtureCard {
  /** Path of the (shared, read-only) card file. */
  path: string;
  card: CardFile;
  sign: CertificateRef;
  auth: CertificateRef;
  /** DER of the sign (EF 0001) and auth (EF 000A) certificates. */
  signDer: Buffer;
  authDer: Buffer;
}

export interface JpkiFixtures {
  /** The (shared, read-only) center directory. */
  dir: string;
  center: CenterInfo;
  cards: Record<FixtureCardName, FixtureCard>;
  /** CRLs at FIXTURE_TIME (DER), one per purpose and generation 02/03. */
  crls: Record<Purpose, Record<string, Buffer>>;
}

interface Manifest {
  cards: Record<string, { file: string; sign: CertificateRef; auth: CertificateRef }>;
  crls: Record<Purpose, Record<string, string>>;
}

let fixtures: Promise<JpkiFixtures> | null = null;

/** The fixture center, built or read from the cache on first use in this process. */
export function jpkiFixtures(): Promise<JpkiFixtures> {
  fixtures ??= loadFixtures();
  return fixtures;
}

/** A private copy of the fixture center (removed after the test file) for tests that change it. */
export async function copyJpkiCenter(): Promise<string> {
  const { dir } = await jpkiFixtures();
  const copy = await privateTempDir('jpki-center-');
  await cp(join(dir, 'center'), copy, { recursive: true });
  return copy;
}

/** A private copy of one fixture card file (removed after the test file). */
export async function copyFixtureCard(name: FixtureCardName): Promise<string> {
  const { cards } = await jpkiFixtures();
  const path = join(await privateTempDir('jpki-card-'), `${name}.json`);
  await cp(cards[name].path, path);
  return path;
}

async function loadFixtures(): Promise<JpkiFixtures> {
  const dir = join(tmpdir(), `jpki-fixtures-${await sourceHash()}`);
  let manifestText: string;
  try {
    manifestText = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    await buildCache(dir);
    manifestText = await readFile(join(dir, 'manifest.json'), 'utf8');
  }
  const manifest = JSON.parse(manifestText) as Manifest;
  const cards = {} as Record<FixtureCardName, FixtureCard>;
  for (const [name, entry] of Object.entries(manifest.cards)) {
    const path = join(dir, entry.file);
    const card = JSON.parse(await readFile(path, 'utf8')) as CardFile;
    cards[name as FixtureCardName] = {
      path, card, sign: entry.sign, auth: entry.auth,
      signDer: Buffer.from(card.files['0001']!, 'base64'), authDer: Buffer.from(card.files['000A']!, 'base64'),
    };
  }
  const crls: JpkiFixtures['crls'] = { sign: {}, auth: {} };
  for (const purpose of ['sign', 'auth'] as const) {
    for (const [generation, file] of Object.entries(manifest.crls[purpose])) crls[purpose][generation] = await readFile(join(dir, file));
  }
  return { dir, center: await loadCenter(join(dir, 'center')), cards, crls };
}

/** Builds into a private folder, then renames it into place (another worker may win the race). */
async function buildCache(dir: string): Promise<void> {
  const work = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const center = join(work, 'center');
  await initCenter(center, { seed: FIXTURE_SEED });
  const manifest: Manifest = { cards: {}, crls: { sign: {}, auth: {} } };
  const cardFiles: Record<string, CardFile> = {};
  const add = async (name: string, issued: { card: CardFile; sign: CertificateRef; auth: CertificateRef }) => {
    const file = `cards/${name}.json`;
    await writeCardFile(join(work, file), issued.card);
    cardFiles[name] = issued.card;
    manifest.cards[name] = { file, sign: issued.sign, auth: issued.auth };
  };
  for (const [name, request] of Object.entries(FIXTURE_CARDS)) await add(name, await issueCard(center, { ...request, id: name }));
  const renewed = await renewCard(center, cardFiles[FIXTURE_RENEWAL.from]!, { issued: FIXTURE_RENEWAL.issued });
  await add(FIXTURE_RENEWAL.to, renewed);
  for (const r of FIXTURE_REVOCATIONS) await revokeCertificate(center, { card: cardFiles[r.card]!, which: r.which }, r.reason, { date: r.date });
  for (const purpose of ['sign', 'auth'] as const) {
    for (const generation of ['02', '03']) {
      const crl = await buildCrl(center, { which: purpose, generation, thisUpdate: FIXTURE_TIME });
      const file = `crls/${purpose}ca${generation}.crl`;
      await mkdir(join(work, 'crls'), { recursive: true });
      await writeFile(join(work, file), crl.der);
      manifest.crls[purpose][generation] = file;
    }
  }
  await writeFile(join(work, 'manifest.json'), JSON.stringify(manifest, null, 2));
  try {
    await rename(work, dir);
  } catch {
    await rm(work, { recursive: true, force: true }); // someone else finished first; theirs is identical
  }
}

/** Hash of everything that shapes the fixtures: the dev-center sources, the card format and this file. */
async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const devCenter = join(root, 'platform/src/jpki/dev-center');
  const files = (await readdir(devCenter)).filter((f) => f.endsWith('.ts')).sort().map((f) => join(devCenter, f));
  files.push(join(root, 'platform/src/shared/card-file.ts'), fileURLToPath(import.meta.url));
  for (const file of files) hash.update(file.slice(root.length)).update(await readFile(file));
  return hash.digest('hex').slice(0, 16);
}

const privateDirs: string[] = [];
// Registered when a test file imports this helper, so copies go when that file's tests are done.
afterAll(async () => {
  await Promise.all(privateDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function privateTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  privateDirs.push(dir);
  return dir;
}
