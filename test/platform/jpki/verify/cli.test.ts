import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_TIME, jpkiFixtures, type JpkiFixtures } from '../../../helpers/jpki-fixtures.js';
import { runTs } from '../../../helpers/process.js';
import { toPem } from './pki-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'jpki-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fx: JpkiFixtures;
let centerDir: string;
beforeAll(async () => {
  fx = await jpkiFixtures();
  centerDir = join(fx.dir, 'center');
  writeFileSync(join(dir, 'taro-sign.pem'), toPem(fx.cards['yamada-taro'].signDer));
  writeFileSync(join(dir, 'taro-auth.der'), fx.cards['yamada-taro'].authDer);
  writeFileSync(join(dir, 'garbage.der'), Buffer.concat([fx.cards['yamada-taro'].authDer, Buffer.from([0])]));
}, 120_000);

async function inspect(...args: string[]) {
  const run = runTs('platform/src/cli/jpki.ts', ['inspect', ...args], {});
  const code = await run.exited;
  const out = run.output();
  return { code, out, json: () => JSON.parse(out.slice(out.indexOf('{'))) };
}

describe('npm run jpki -- inspect', () => {
  it('prints a good sign certificate with personal data and exits 0', async () => {
    const r = await inspect(join(dir, 'taro-sign.pem'), '--mode', 'dev', '--dev-roots', centerDir, '--at', FIXTURE_TIME.toISOString());
    expect(r.code, r.out).toBe(0);
    const sign = fx.cards['yamada-taro'].sign;
    expect(r.json()).toMatchObject({
      purpose: 'sign', serial: sign.serial, issuer: sign.issuer, rootGeneration: `signca${sign.generation}`, chain: { ok: true },
      notBefore: new Date(sign.notBefore).toISOString(), notAfter: new Date(sign.notAfter).toISOString(),
      personalData: { name: '山田\u3000太郎', dateOfBirth: '1950-04-01', gender: '1', address: '富山県南砺市城端１２３番地' },
    });
    expect(r.json().subject).toContain('L=Nanto-shi');
  });

  it('prints a DER auth certificate without personal data', async () => {
    const r = await inspect(join(dir, 'taro-auth.der'), '--mode', 'dev', '--dev-roots', centerDir, '--at', '2025-06-01');
    expect(r.code, r.out).toBe(0);
    const json = r.json();
    expect(json).toMatchObject({ purpose: 'auth', chain: { ok: true } });
    expect(json).not.toHaveProperty('personalData');
  });

  it('exits 1 with the refusal code for an expired certificate', async () => {
    const r = await inspect(join(dir, 'taro-auth.der'), '--mode', 'dev', '--dev-roots', centerDir, '--at', '2040-01-01T00:00:00Z');
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ purpose: 'auth', rootGeneration: null, chain: { ok: false, code: 'PKI_EXPIRED' } });
  });

  it('refuses a test certificate in the default production mode', async () => {
    const r = await inspect(join(dir, 'taro-sign.pem'), '--at', FIXTURE_TIME.toISOString());
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ purpose: 'sign', chain: { ok: false, code: 'PKI_TEST_HIERARCHY' } });
  });

  it('reports PKI_MALFORMED for trailing garbage', async () => {
    const r = await inspect(join(dir, 'garbage.der'), '--mode', 'dev', '--dev-roots', centerDir);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ purpose: null, subject: null, chain: { ok: false, code: 'PKI_MALFORMED' } });
  });

  it('exits 2 on a usage error', async () => {
    const r = await inspect(join(dir, 'taro-sign.pem'), '--mode', 'staging');
    expect(r.code).toBe(2);
  });
});
