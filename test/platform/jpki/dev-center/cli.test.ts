import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTs } from '../../../helpers/process.js';
import { openssl, otherNames, parseCert } from './inspect.js';

const CLI = 'platform/src/cli/jpki-center.ts';

async function cli(...args: string[]): Promise<{ code: number | null; output: string }> {
  const run = runTs(CLI, args, {});
  const code = await run.exited;
  return { code, output: run.output() };
}

let work: string;
let dir: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'jpki-cli-'));
  dir = join(work, 'center');
  const init = await cli('init', '--dir', dir, '--generations', '02,03');
  expect(init.code, init.output).toBe(0);
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('npm run jpki-center', () => {
  it('issue-card writes a card file for the person given on the command line', async () => {
    const out = join(work, 'sato.json');
    const r = await cli('issue-card', '--dir', dir, '--out', out, '--id', 'sato-ichiro', '--name', '佐藤 一郎', '--birth', '1942-11-30',
      '--gender', '1', '--address', '東京都渋谷区神南1-2-3', '--auth-pin', '2468', '--sign-pin', 'SATO1942', '--issued', '2024-06-01');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/sign certificate [0-9A-F]{8} \(CA 03\)/);
    const card = JSON.parse(await readFile(out, 'utf8'));
    expect(card).toMatchObject({ id: 'sato-ichiro', pins: { auth: { value: '2468', triesLeft: 3 }, sign: { value: 'SATO1942', triesLeft: 5 } } });
    const sign = Buffer.from(card.files['0001'], 'base64');
    expect(otherNames(parseCert(sign)).map(([, v]) => v)).toEqual(['佐藤\u3000一郎', '319421130', '1', '東京都渋谷区神南１－２－３', '00000', '0'.repeat(13)]);
    expect(openssl(['x509', '-inform', 'DER', '-noout', '-subject'], sign)).toMatch(/L = Tokyo-to, L = Shibuya-ku/);
  });

  it('issue-card refuses a bad PIN with a clear message and exit code 1', async () => {
    const r = await cli('issue-card', '--dir', dir, '--out', join(work, 'bad.json'), '--auth-pin', '12', '--sign-pin', 'lower1');
    expect(r.code).toBe(1);
    expect(r.output).toContain('CARD_PIN_FORMAT');
    expect(r.output).toContain('auth PIN (利用者証明用) must be exactly 4 digits');
    expect(r.output).toContain('sign PIN (署名用パスワード) must be 6–16 characters');
  });

  it('revoke, crl and linkage work on the issued card', async () => {
    const card = join(work, 'default.json');
    expect((await cli('issue-card', '--dir', dir, '--out', card, '--issued', '2024-07-01')).code).toBe(0);
    const revoked = await cli('revoke', '--dir', dir, '--card', card, '--which', 'auth', '--reason', 'keyCompromise', '--date', '2024-08-01');
    expect(revoked.code, revoked.output).toBe(0);
    const crlFile = join(work, 'auth.crl');
    const crl = await cli('crl', '--dir', dir, '--which', 'auth', '--out', crlFile, '--this-update', '2024-09-01T00:00:00Z');
    expect(crl.code, crl.output).toBe(0);
    const text = openssl(['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text']);
    expect(text).toContain('Key Compromise');
    expect(text).toContain('Revocation Date: Aug  1 00:00:00 2024 GMT');
    const linkageFile = join(work, 'linkage.json');
    expect((await cli('linkage', '--dir', dir, '--out', linkageFile)).code).toBe(0);
    const linkage = JSON.parse(await readFile(linkageFile, 'utf8'));
    expect(linkage.cards.at(-1).auth.revoked).toEqual({ at: '2024-08-01T00:00:00Z', reason: 'keyCompromise' });
  });

  it('renew writes the new card and says the old pair was revoked', async () => {
    const old = join(work, 'renew-old.json');
    const next = join(work, 'renew-new.json');
    expect((await cli('issue-card', '--dir', dir, '--out', old, '--id', 'renew-me', '--issued', '2024-01-01')).code).toBe(0);
    const r = await cli('renew', '--dir', dir, '--card', old, '--out', next, '--issued', '2025-01-01');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('revoked (superseded)');
    expect(JSON.parse(await readFile(next, 'utf8')).id).toBe('renew-me');
  });

  it('rejects unknown commands and missing options with usage help', async () => {
    const r = await cli('mint', '--dir', dir);
    expect(r.code).toBe(1);
    expect(r.output).toContain('unknown command "mint"');
    const missing = await cli('crl', '--dir', dir, '--which', 'sign');
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('--out is required');
  });
});
