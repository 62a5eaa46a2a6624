import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../helpers/database.js';
import { freePort, runNpm, runTs, waitForOk } from '../../helpers/process.js';

/**
 * `npm run demo -- pension-submit CARD --out FILE` against the running product (`npm start`, real
 * processes: platform, reader driver with the demo card bay, the dev TSA), then
 * `npm run evidence -- verify FILE` on what it wrote: the insurer could check it offline.
 */
describe('npm run demo -- pension-submit, then npm run evidence -- verify', { timeout: 480_000 }, () => {
  it('writes a bundle that verifies (exit 0, the person and the declarations); one flipped byte of the document fails with EVIDENCE_DOCUMENT_ALTERED (exit 1)', async () => {
    const database = await freshDatabase();
    afterAll(() => database.close());
    const [port, operatorPort, shelterPort, readerPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const dataDir = mkdtempSync(join(tmpdir(), 'pension-demo-'));
    const env = {
      PORT: String(port), OPERATOR_PORT: String(operatorPort), SHELTER_PORT: String(shelterPort), READER_PORT: String(readerPort), DATA_DIR: dataDir,
      DATABASE_URL: database.url ?? '', DATABASE_OWNER_URL: database.ownerUrl ?? '', READER_PCSC: 'false', READER_CARD_LATENCY: 'off', LOG_LEVEL: 'warn',
    };
    const product = runTs('platform/src/cli/start-all.ts', [], env);
    try {
      // A fresh data folder: the dev JPKI center and the demo cards are made first (minutes on a busy 2-core box).
      await waitForOk(`http://127.0.0.1:${port}/healthz`, 240_000, product.child);
      await waitForOk(`http://127.0.0.1:${readerPort}/healthz`, 120_000, product.child);

      const file = join(dataDir, 'genkyo.json');
      const demo = runNpm('demo', ['pension-submit', 'yamada-taro', '--out', file], { PORT: String(port), OPERATOR_PORT: String(operatorPort), DATA_DIR: dataDir });
      expect(await demo.exited, demo.stdout() + demo.stderr()).toBe(0);
      expect(demo.stdout()).toMatch(/TV: sealed, signed at \S+/);
      expect(demo.stdout()).toContain(`evidence bundle written to ${file}`);
      const text = readFileSync(file, 'utf8');
      // The PINs the demo used are in the card files only, never in what it printed or wrote.
      expect(demo.stdout() + text).not.toMatch(/YAMADA2024|"1234"/);

      const verify = runNpm('evidence', ['verify', file, '--roots', join(dataDir, 'jpki-dev')], {});
      expect(await verify.exited, verify.stdout() + verify.stderr()).toBe(0);
      const verdict = JSON.parse(verify.stdout()) as { ok: boolean; signedAt: string; declarations: Record<string, unknown>; signer: Record<string, string> };
      expect(verdict).toMatchObject({
        ok: true,
        declarations: { aliveAndSigningMyself: true, addressUnchanged: true, nameUnchanged: true, paymentAccountUnchanged: true, changes: null },
        signer: { name: '山田　太郎', dateOfBirth: '1950-04-01' },
      });
      expect(Math.abs(Date.parse(verdict.signedAt) - Date.now())).toBeLessThan(10 * 60_000);

      // One bit of one byte of the signed document, the file otherwise exactly as written.
      const bundle = JSON.parse(text) as { document: string };
      const document = Buffer.from(bundle.document, 'base64');
      document[Math.floor(document.length / 2)]! ^= 0x01;
      const tampered = join(dataDir, 'genkyo-tampered.json');
      writeFileSync(tampered, text.replace(bundle.document, document.toString('base64')));
      const refused = runNpm('evidence', ['verify', tampered, '--roots', join(dataDir, 'jpki-dev')], {});
      expect(await refused.exited).toBe(1);
      expect(JSON.parse(refused.stdout())).toMatchObject({ ok: false, code: 'EVIDENCE_DOCUMENT_ALTERED' });
    } catch (err) {
      throw new Error(`${String(err)}\n--- npm start said:\n${product.output().slice(-4000)}`, { cause: err });
    } finally {
      product.child.kill('SIGTERM');
    }
    expect(await product.exited).toBe(0);
  });
});
