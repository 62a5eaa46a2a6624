import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCmsParts } from '../../../platform/src/jpki/index.js';
import { serializeBundle, verifyBundle, type EvidenceBundle, type EvidenceTrust } from '../../../platform/src/pension/evidence-bundle.js';
import { completePending, httpTimestampClient, sealSubmission, type SealContext } from '../../../platform/src/pension/seal.js';
import { pensionRevocation } from '../../../platform/src/pension/seal-services.js';
import { FIXTURE_TIME, jpkiFixtures } from '../../helpers/jpki-fixtures.js';
import { cardSigned as signed, DECLARATIONS as declarations, NOW, sealWorld } from './seal-world.js';

let world: Awaited<ReturnType<typeof sealWorld>>;
let dir: string;
let trust: EvidenceTrust;
let ctx: SealContext;

beforeAll(async () => {
  world = await sealWorld();
  ({ dir, trust, ctx } = world);
});
afterAll(async () => world?.tsa.close());

async function sealedBundle(): Promise<EvidenceBundle> {
  const outcome = await sealSubmission(await signed(), ctx);
  if (outcome.state !== 'sealed') throw new Error(`expected sealed, got ${outcome.state}`);
  return outcome.bundle;
}

/** The bundle file with `edit` applied to a parsed copy. */
const edited = (bundle: EvidenceBundle, edit: (b: EvidenceBundle) => void) => {
  const copy = JSON.parse(JSON.stringify(bundle)) as EvidenceBundle;
  edit(copy);
  return serializeBundle(copy);
};
/** Flips one bit of `part` where it sits inside the base64 field. */
const flipInside = (field: string, part: Uint8Array, at: number) => {
  const bytes = Buffer.from(field, 'base64');
  const offset = bytes.indexOf(Buffer.from(part));
  expect(offset).toBeGreaterThanOrEqual(0);
  bytes[offset + at]! ^= 0x01;
  return bytes.toString('base64');
};

describe('sealing a 現況確認届', () => {
  it('gives a bundle that verifies offline with the roots alone, stating the timestamp, declarations and 基本4情報', async () => {
    const bundle = await sealedBundle();
    const result = await verifyBundle(serializeBundle(bundle), trust);
    expect(result).toMatchObject({ ok: true, signedAt: NOW.toISOString(), declarations, signer: { name: '山田　太郎', dateOfBirth: '1950-04-01', address: '富山県南砺市城端１２３番地' } });
    expect(bundle.revocation.statement).toMatchObject({ status: 'good', source: 'crl', crl: { thisUpdate: FIXTURE_TIME.toISOString() } });
  });

  it('refuses a revoked sign certificate with PKI_REVOKED and seals nothing', async () => {
    await expect(sealSubmission(await signed('suzuki-jiro'), ctx)).rejects.toMatchObject({ code: 'PKI_REVOKED' });
  });

  it('keeps the submission as revocation pending without a fresh CRL, and completes it when one arrives', async () => {
    const fx = await jpkiFixtures();
    const stale = await world.withoutCrl();
    const waiting = { ...ctx, revocation: pensionRevocation(stale) };
    const first = await sealSubmission(await signed(), waiting);
    expect(first.state).toBe('revocation-pending');
    if (first.state !== 'revocation-pending') return;
    stale.ingestCrl('sign', fx.crls.sign['03']!);
    const done = await completePending(first.pending, waiting);
    expect(done.state).toBe('sealed');
    if (done.state === 'sealed') expect((await verifyBundle(serializeBundle(done.bundle), trust)).ok).toBe(true);
  });

  it('treats a CRL older than the freshness window as pending, never as good', async () => {
    const outcome = await sealSubmission(await signed(), { ...ctx, maxCrlAgeSeconds: 60 });
    expect(outcome.state).toBe('revocation-pending');
  });

  it('fails with TSA_UNAVAILABLE when the timestamp authority cannot be reached', async () => {
    const down = { ...ctx, tsa: httpTimestampClient('http://127.0.0.1:9/tsa', trust.services) };
    await expect(sealSubmission(await signed(), down)).rejects.toMatchObject({ code: 'TSA_UNAVAILABLE' });
  });
});

describe('a tampered bundle fails with the code of the part that changed', () => {
  let bundle: EvidenceBundle;
  beforeAll(async () => { bundle = await sealedBundle(); });

  it('document → EVIDENCE_DOCUMENT_ALTERED', async () => {
    const file = edited(bundle, (b) => {
      b.document = Buffer.from(Buffer.from(b.document, 'base64').toString('utf8').replace('"nameUnchanged":true', '"nameUnchanged":false')).toString('base64');
    });
    expect(await verifyBundle(file, trust)).toMatchObject({ ok: false, code: 'EVIDENCE_DOCUMENT_ALTERED' });
  });

  it('signature value → EVIDENCE_SIGNATURE_INVALID', async () => {
    const parts = readCmsParts(Buffer.from(bundle.signature, 'base64'));
    const file = edited(bundle, (b) => { b.signature = flipInside(b.signature, parts.signatureValue, 100); });
    expect(await verifyBundle(file, trust)).toMatchObject({ ok: false, code: 'EVIDENCE_SIGNATURE_INVALID' });
  });

  it('timestamp token → EVIDENCE_TIMESTAMP_INVALID', async () => {
    const token = readCmsParts(Buffer.from(bundle.signature, 'base64')).timestampToken!;
    const file = edited(bundle, (b) => { b.signature = flipInside(b.signature, token, token.length - 5); });
    expect(await verifyBundle(file, trust)).toMatchObject({ ok: false, code: 'EVIDENCE_TIMESTAMP_INVALID' });
  });

  it('revocation statement → EVIDENCE_REVOCATION_INVALID', async () => {
    const file = edited(bundle, (b) => { if (b.revocation.statement.source === 'crl') b.revocation.statement.crl.number = '999'; });
    expect(bundle.revocation.statement.source).toBe('crl');
    expect(await verifyBundle(file, trust)).toMatchObject({ ok: false, code: 'EVIDENCE_REVOCATION_INVALID' });
  });

  it('report → EVIDENCE_REPORT_MISMATCH', async () => {
    const file = edited(bundle, (b) => { b.report.signer.name = '山田　次郎'; });
    expect(await verifyBundle(file, trust)).toMatchObject({ ok: false, code: 'EVIDENCE_REPORT_MISMATCH' });
  });

  it('any single changed byte of the file fails', async () => {
    const file = Buffer.from(serializeBundle(bundle));
    const failures = new Set<string>();
    for (let at = 0; at < file.length; at += 53) {
      const copy = Buffer.from(file);
      copy[at] = copy[at] === 0x41 ? 0x42 : 0x41;
      const result = await verifyBundle(copy.toString('utf8'), trust);
      expect(result.ok, `byte ${at}`).toBe(false);
      if (!result.ok) failures.add(result.code);
    }
    expect(failures.size).toBeGreaterThan(3);
  });

  it('fails closed against other roots (EVIDENCE_CHAIN_INVALID / TIMESTAMP) — a bundle is only as good as its roots', async () => {
    const otherTrust = { ...trust, services: [] };
    expect(await verifyBundle(serializeBundle(bundle), otherTrust)).toMatchObject({ ok: false, code: 'EVIDENCE_TIMESTAMP_INVALID' });
  });
});

describe('outside tools', () => {
  it('openssl cms -verify accepts the CMS against the dev root', async () => {
    const bundle = await sealedBundle();
    const work = mkdtempSync(join(tmpdir(), 'pension-openssl-'));
    writeFileSync(join(work, 'cms.der'), Buffer.from(bundle.signature, 'base64'));
    writeFileSync(join(work, 'doc.json'), Buffer.from(bundle.document, 'base64'));
    const root = Buffer.from(bundle.certificates[0]!, 'base64').toString('base64').replace(/.{64}/g, '$&\n');
    writeFileSync(join(work, 'root.pem'), `-----BEGIN CERTIFICATE-----\n${root}\n-----END CERTIFICATE-----\n`);
    const run = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work, 'cms.der'), '-content', join(work, 'doc.json'),
      '-CAfile', join(work, 'root.pem'), '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
    expect(run.stderr).toMatch(/Verification successful/);
    writeFileSync(join(work, 'doc.json'), Buffer.from(Buffer.from(bundle.document, 'base64').toString('utf8').replace('n-1', 'n-2')));
    const bad = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work, 'cms.der'), '-content', join(work, 'doc.json'),
      '-CAfile', join(work, 'root.pem'), '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  });

  it('openssl ts -verify accepts the signature timestamp token over the signature value', async () => {
    const bundle = await sealedBundle();
    const parts = readCmsParts(Buffer.from(bundle.signature, 'base64'));
    const work = mkdtempSync(join(tmpdir(), 'pension-ts-'));
    writeFileSync(join(work, 'token.der'), parts.timestampToken!);
    writeFileSync(join(work, 'sig.bin'), parts.signatureValue);
    writeFileSync(join(work, 'root.pem'), readFileSync(join(dir, 'services', 'root.pem')));
    const run = spawnSync('openssl', ['ts', '-verify', '-token_in', '-in', join(work, 'token.der'), '-data', join(work, 'sig.bin'), '-CAfile', join(work, 'root.pem')], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/Verification: OK/);
  });

  it('npm run evidence -- verify prints one JSON object and exits 0, or 1 with the code', async () => {
    const bundle = await sealedBundle();
    const work = mkdtempSync(join(tmpdir(), 'pension-cli-'));
    const good = join(work, 'good.json');
    const bad = join(work, 'bad.json');
    writeFileSync(good, serializeBundle(bundle));
    writeFileSync(bad, edited(bundle, (b) => { b.revocation.statement.checkedAt = '2030-01-01T00:00:00.000Z'; }));
    const ok = JSON.parse(execFileSync('npx', ['tsx', 'platform/src/cli/evidence.ts', 'verify', good, '--roots', dir], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(ok).toMatchObject({ ok: true, signedAt: NOW.toISOString(), declarations, signer: { name: '山田　太郎' } });
    const failed = spawnSync('npx', ['tsx', 'platform/src/cli/evidence.ts', 'verify', bad, '--roots', dir], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ ok: false, code: 'EVIDENCE_REVOCATION_INVALID' });
    expect(createHash('sha256').update(serializeBundle(bundle)).digest('hex')).toHaveLength(64);
  }, 30_000);
});
