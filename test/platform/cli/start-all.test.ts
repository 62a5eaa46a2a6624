import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_TABLET } from '../../../platform/src/demo/world.js';
import { freshDatabase } from '../../helpers/database.js';
import { DriverClient } from '../../helpers/driver-client.js';
import { freePort, runTs, waitForOk } from '../../helpers/process.js';

describe('npm start (platform + reader driver with the demo card bay)', { timeout: 180_000 }, () => {
  // From a fresh data folder: creates the dev JPKI center and issues the demo cards first. That
  // takes a few seconds on a quiet machine; the deadline leaves room for a busy CI box.
  it('serves the pages and /healthz, puts a demo card in the bay on request, and stops cleanly', async () => {
    const database = await freshDatabase();
    afterAll(() => database.close());
    const [port, operatorPort, shelterPort, readerPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const dataDir = mkdtempSync(join(tmpdir(), 'start-all-'));
    const env = { PORT: String(port), OPERATOR_PORT: String(operatorPort), SHELTER_PORT: String(shelterPort), READER_PORT: String(readerPort), DATA_DIR: dataDir, DATABASE_URL: database.url ?? '', DATABASE_OWNER_URL: database.ownerUrl ?? '', READER_PCSC: 'false', LOG_LEVEL: 'warn' };
    const run = runTs('platform/src/cli/start-all.ts', [], env);
    try {
      await waitForOk(`http://127.0.0.1:${port}/healthz`, 90_000, run.child);
      for (const [origin, page] of [[port, 'tv'], [shelterPort, 'shelter'], [operatorPort, 'operator']] as const) {
        const res = await fetch(`http://127.0.0.1:${origin}/${page}/`);
        expect(res.status).toBe(200);
        expect(await res.text()).toContain(`stb-${page}-app`);
      }
      // The reader driver starts once the demo world's cards and staff are issued (~25 s on a busy
      // 2-core machine with PostgreSQL): its start time is not what this test is about.
      await waitForOk(`http://127.0.0.1:${readerPort}/healthz`, 90_000, run.child);
      expect(run.output()).toContain(`TV:        http://127.0.0.1:${port}/tv/?reader=`);
      expect(run.output()).toContain(`Operator:  http://127.0.0.1:${operatorPort}/operator/`);
      expect(run.output()).not.toContain('demo-tv-yamada');

      // The demo TV's credential was provisioned to the driver (owner-only file), which hands it
      // to the TV page's origin only: the operator console uses the reader (staff cards) but never
      // gets the box's credential.
      expect(statSync(join(dataDir, 'demo-tv-credential.json')).mode & 0o777).toBe(0o600);
      const tv = await DriverClient.connect(readerPort, `http://127.0.0.1:${port}`);
      expect(await tv.request('device.credential')).toMatchObject({ ok: true, result: { id: '00000000-0000-4000-8000-000000000101', secret: 'demo-tv-yamada' } });
      await tv.close();
      const operator = await DriverClient.connect(readerPort, `http://127.0.0.1:${operatorPort}`);
      expect(await operator.request('device.credential')).toMatchObject({ ok: false, error: { code: 'WS_ORIGIN_REFUSED' } });
      await operator.close();
      // The shelter page's own origin gets the demo tablet's credential, never the TV's.
      expect(statSync(join(dataDir, 'demo-tablet-credential.json')).mode & 0o777).toBe(0o600);
      const tablet = await DriverClient.connect(readerPort, `http://127.0.0.1:${shelterPort}`);
      expect(await tablet.request('device.credential')).toMatchObject({ ok: true, result: { id: DEMO_TABLET.id, secret: DEMO_TABLET.secret } });
      await tablet.close();
      const stranger = await DriverClient.connect(readerPort, 'http://127.0.0.1:1').catch((e) => e);
      expect(stranger.status).toBe(403);

      const cards = runTs('reader-driver/src/cli/demo.ts', ['cards'], { DATA_DIR: dataDir });
      expect(await cards.exited).toBe(0);
      expect(cards.output()).toContain('yamada-taro');
      const insert = runTs('reader-driver/src/cli/demo.ts', ['insert', 'yamada-taro'], { DATA_DIR: dataDir });
      expect(await insert.exited).toBe(0);
      const health = await (await fetch(`http://127.0.0.1:${readerPort}/healthz`)).json();
      expect(health).toMatchObject({ ok: true, bays: ['virtual'], readers: 1 });
      const unknown = runTs('reader-driver/src/cli/demo.ts', ['insert', 'nobody'], { DATA_DIR: dataDir });
      expect(await unknown.exited).toBe(1);
      expect(unknown.output()).toContain('REQ_NOT_FOUND');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  });
});
