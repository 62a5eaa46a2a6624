import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRODUCTION_ROOTS, PRODUCTION_ROOTS_DIR } from '../../../../platform/src/jpki/roots/production.js';
import { createTrustStore, loadDevTrustStore, loadProductionTrustStore, verifyChain } from '../../../../platform/src/jpki/verify/index.js';
import { AT, buildHierarchy } from './hierarchy.js';
import { toPem } from './pki-builder.js';

const h = buildHierarchy();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('loadProductionTrustStore', () => {
  it('loads the six J-LIS roots, three per purpose, each matching its pinned SHA-256', () => {
    const store = loadProductionTrustStore();
    expect(store.mode).toBe('production');
    expect(store.anchors('sign').map((a) => a.generation)).toEqual(['signca01', 'signca02', 'signca03']);
    expect(store.anchors('auth').map((a) => a.generation)).toEqual(['authca01', 'authca02', 'authca03']);
    for (const root of PRODUCTION_ROOTS) {
      const anchor = store.anchors(root.purpose).find((a) => a.generation === root.generation)!;
      expect(anchor.certificate.fingerprint).toBe(root.sha256);
      const pem = readFileSync(join(PRODUCTION_ROOTS_DIR, root.file), 'utf8');
      const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
      expect(createHash('sha256').update(der).digest('hex')).toBe(root.sha256);
    }
  });

  it('pins the fingerprints of SPEC §5', () => {
    expect(Object.fromEntries(PRODUCTION_ROOTS.map((r) => [r.file, r.sha256]))).toEqual({
      'jpki-signca01-2015.pem': '19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355',
      'jpki-signca02-2019.pem': '79679c33e4cc9319440f1ad120a597ff1844e2ef217063adb176966fd5e6fbeb',
      'jpki-signca03-2023.pem': 'd227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f',
      'jpki-authca01-2015.pem': '4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d',
      'jpki-authca02-2019.pem': '0d98de47fc11b7f67126874b7028b6026a803d2638d6edfe53176953961fade6',
      'jpki-authca03-2023.pem': '64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5',
    });
  });

  it('is loaded once per process', () => {
    expect(loadProductionTrustStore()).toBe(loadProductionTrustStore());
  });

  it('has generation-01 roots that expired on 2025-10-19 14:59:59Z but stay for historical checks', () => {
    const gen1 = loadProductionTrustStore().anchors('sign')[0]!.certificate;
    expect(gen1.notAfter.toISOString()).toBe('2025-10-19T14:59:59.000Z');
  });
});

describe('createTrustStore', () => {
  it('takes the purpose from the root OU and keeps purposes apart', () => {
    const store = createTrustStore('dev', [{ certificate: h.roots.signA }, { certificate: toPem(h.roots.authA) }]);
    expect(store.anchors('sign')).toHaveLength(1);
    expect(store.anchors('auth')).toHaveLength(1);
    expect(store.anchors('sign')[0]!.generation).toBe('signca-0132C4AB');
  });

  it('refuses a root given a purpose its OU contradicts', () => {
    expect(() => createTrustStore('dev', [{ certificate: h.roots.authA, purpose: 'sign' }])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('refuses a test root in a production store with CONFIG_INVALID', () => {
    expect(() => createTrustStore('production', [{ certificate: h.roots.signA }])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('refuses a leaf as a root, and a duplicate root', () => {
    expect(() => createTrustStore('dev', [{ certificate: h.signLeaf, purpose: 'sign' }])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => createTrustStore('dev', [{ certificate: h.roots.signA }, { certificate: h.roots.signA, generation: 'again' }])).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

describe('loadDevTrustStore', () => {
  it('loads roots from a folder, naming generations by file, skipping key files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jpki-roots-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'signca02.pem'), toPem(h.roots.signA));
    writeFileSync(join(dir, 'signca03.der'), h.roots.signB);
    writeFileSync(join(dir, 'authca02.pem'), toPem(h.roots.authA));
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(join(dir, 'signca02.key.pem'), key);
    writeFileSync(join(dir, 'README.txt'), 'not a certificate');
    const store = await loadDevTrustStore(dir);
    expect(store.anchors('sign').map((a) => a.generation)).toEqual(['signca02', 'signca03']);
    expect((await verifyChain(h.leaf('sign', 'B'), { purpose: 'sign', trustStore: store, at: AT })).rootGeneration).toBe('signca03');
  });

  it('uses the ca/ subfolder of a dev center folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jpki-center-'));
    dirs.push(dir);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'ca'));
    writeFileSync(join(dir, 'ca', 'authca01.pem'), toPem(h.roots.authA));
    const store = await loadDevTrustStore(dir);
    expect(store.anchors('auth').map((a) => a.generation)).toEqual(['authca01']);
  });

  it('refuses an empty or missing folder with CONFIG_INVALID', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jpki-empty-'));
    dirs.push(dir);
    await expect(loadDevTrustStore(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(loadDevTrustStore(join(dir, 'nope'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a broken certificate file with CONFIG_INVALID', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jpki-broken-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'signca01.pem'), toPem(h.roots.signA).replace('M', '*'));
    await expect(loadDevTrustStore(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
