import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDriverConfig } from '../../../reader-driver/src/config.js';
import { readDeviceCredential } from '../../../reader-driver/src/device-credential.js';
import { ReaderHub } from '../../../reader-driver/src/reader-hub.js';
import { startDriverServer, type DriverServer } from '../../../reader-driver/src/ws/server.js';
import { DriverClient } from '../../helpers/driver-client.js';

const TV_ORIGIN = 'http://127.0.0.1:8080';
const OPERATOR_ORIGIN = 'http://127.0.0.1:8081';
const DEVICE = { id: '00000000-0000-4000-8000-000000000101', secret: 'tv-secret-from-provisioning' };
const CONTROL_TOKEN = 'control-token';
const dir = mkdtempSync(join(tmpdir(), 'drv-cred-'));

async function driver(device: typeof DEVICE | null): Promise<DriverServer> {
  const config = loadDriverConfig({
    READER_PORT: '0',
    READER_ALLOWED_ORIGINS: TV_ORIGIN,
    READER_CONTROL_TOKEN_FILE: join(dir, 'token'),
  });
  return startDriverServer({ config, hub: new ReaderHub(), log: pino({ level: 'silent' }), demo: null, controlToken: CONTROL_TOKEN, device });
}

describe('reader driver: the device credential (device.credential)', () => {
  let provisioned: DriverServer;
  let unprovisioned: DriverServer;
  beforeAll(async () => {
    provisioned = await driver(DEVICE);
    unprovisioned = await driver(null);
  });
  afterAll(async () => {
    await provisioned.close();
    await unprovisioned.close();
  });

  it('hands the provisioned credential to the allow-listed TV page origin', async () => {
    const tv = await DriverClient.connect(provisioned.port, TV_ORIGIN);
    const res = await tv.request('device.credential');
    expect(res).toMatchObject({ ok: true, result: DEVICE });
    await tv.close();
  });

  it('never reaches the operator console origin, which is not allow-listed: its connection is refused', async () => {
    const refused = await DriverClient.connect(provisioned.port, OPERATOR_ORIGIN).catch((e) => e);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('WS_ORIGIN_REFUSED');
  });

  it('refuses it to the control CLI, even when the control connection claims an allow-listed origin', async () => {
    for (const origin of [null, TV_ORIGIN]) {
      const control = await DriverClient.connect(provisioned.port, origin, { 'x-control-token': CONTROL_TOKEN });
      const res = await control.request('device.credential');
      expect(res.ok).toBe(false);
      expect(res.error.code).toBe('WS_ORIGIN_REFUSED');
      expect(JSON.stringify(res)).not.toContain(DEVICE.secret);
      await control.close();
    }
  });

  it('says DEVICE_NOT_PROVISIONED when the box holds no credential', async () => {
    const tv = await DriverClient.connect(unprovisioned.port, TV_ORIGIN);
    const res = await tv.request('device.credential');
    expect(res.ok).toBe(false);
    expect(res.error.code).toBe('DEVICE_NOT_PROVISIONED');
    await tv.close();
  });
});

describe('reader driver: a shelter tablet\'s credential goes to the shelter page\'s origin only', () => {
  const SHELTER_ORIGIN = 'http://127.0.0.1:8082';
  const TABLET = { id: '00000000-0000-4000-8000-000000000301', secret: 'tablet-secret-from-provisioning' };
  let both: DriverServer;
  beforeAll(async () => {
    const config = loadDriverConfig({
      READER_PORT: '0', READER_ALLOWED_ORIGINS: `${TV_ORIGIN},${SHELTER_ORIGIN}`, READER_TABLET_CREDENTIAL_ORIGINS: SHELTER_ORIGIN,
      READER_TABLET_CREDENTIAL_FILE: join(dir, 'unused-here.json'), READER_CONTROL_TOKEN_FILE: join(dir, 'token2'),
    });
    both = await startDriverServer({ config, hub: new ReaderHub(), log: pino({ level: 'silent' }), demo: null, controlToken: CONTROL_TOKEN, device: DEVICE, tablet: TABLET });
  });
  afterAll(() => both.close());

  it('hands the tablet page the tablet\'s credential and the TV page the TV\'s', async () => {
    for (const [origin, expected] of [[SHELTER_ORIGIN, TABLET], [TV_ORIGIN, DEVICE]] as const) {
      const page = await DriverClient.connect(both.port, origin);
      expect(await page.request('device.credential')).toMatchObject({ ok: true, result: expected });
      await page.close();
    }
  });

  it('refuses a configuration that gives one origin both credentials, or tablet origins without a file', () => {
    expect(() => loadDriverConfig({ READER_ALLOWED_ORIGINS: TV_ORIGIN, READER_CREDENTIAL_ORIGINS: TV_ORIGIN, READER_TABLET_CREDENTIAL_ORIGINS: TV_ORIGIN, READER_TABLET_CREDENTIAL_FILE: 'x' }))
      .toThrow(/one page gets one credential/);
    expect(() => loadDriverConfig({ READER_ALLOWED_ORIGINS: SHELTER_ORIGIN, READER_TABLET_CREDENTIAL_ORIGINS: SHELTER_ORIGIN })).toThrow(/needs READER_TABLET_CREDENTIAL_FILE/);
    expect(() => loadDriverConfig({ READER_ALLOWED_ORIGINS: TV_ORIGIN, READER_TABLET_CREDENTIAL_ORIGINS: SHELTER_ORIGIN, READER_TABLET_CREDENTIAL_FILE: 'x' })).toThrow(/must also be in READER_ALLOWED_ORIGINS/);
  });

  it('by default the TV credential goes to every allowed origin except the tablet\'s', () => {
    const config = loadDriverConfig({ READER_ALLOWED_ORIGINS: `${TV_ORIGIN},${SHELTER_ORIGIN}`, READER_TABLET_CREDENTIAL_ORIGINS: SHELTER_ORIGIN, READER_TABLET_CREDENTIAL_FILE: 'x' });
    expect(config.credentialOrigins).toEqual([TV_ORIGIN]);
    expect(config.tabletCredentialOrigins).toEqual([SHELTER_ORIGIN]);
  });
});

describe('readDeviceCredential (the provisioning file)', () => {
  const file = (name: string, text: string, mode: number) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };

  it('reads { id, secret } from a file only its owner can read', () => {
    expect(readDeviceCredential(file('ok.json', JSON.stringify(DEVICE), 0o600))).toEqual(DEVICE);
  });

  it('refuses a file that others may read, naming chmod 600', () => {
    expect(() => readDeviceCredential(file('open.json', JSON.stringify(DEVICE), 0o644))).toThrow(/chmod 600/);
  });

  it('refuses a malformed credential', () => {
    expect(() => readDeviceCredential(file('bad.json', 'id:secret', 0o600))).toThrow(/not JSON/);
    expect(() => readDeviceCredential(file('colon.json', JSON.stringify({ id: 'a:b', secret: 's' }), 0o600))).toThrow(/no ":" in the id/);
    expect(() => readDeviceCredential(file('empty.json', JSON.stringify({ id: 'a', secret: '' }), 0o600))).toThrow(/must be/);
  });
});
