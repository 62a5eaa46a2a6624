import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrExit, type Config } from '../config.js';
import { enrolDemoStaff, feedDevLinkage, issueDemoCards } from '../demo/dev-jpki.js';
import { ensureDemoTablet, ensureDrillResidents } from '../demo/shelter-demo.js';
import { DEMO_HOUSEHOLDS, DEMO_TABLET } from '../demo/world.js';
import { startPlatform } from '../server.js';
import { DEFAULT_READER_PORT, readerUrl } from '../shared/reader-address.js';
import { stopOnSignals } from '../shared/shutdown.js';
import { describeStartError } from '../shared/errors.js';

/**
 * `npm start`: the whole product on one machine. The platform runs in this process (embedded
 * PGlite in ./data unless DATABASE_URL is set) and serves the three UI pages; the reader driver,
 * which on a real device runs next to the TV, runs as a child process. In dev mode with the demo
 * world, the demo people's virtual cards are issued by the dev JPKI center and wait in the
 * driver's demo card bay (`npm run demo -- insert yamada-taro`), and the demo TV's device
 * credential is handed to the driver as provisioning would (a 0600 file), never put in the TV link.
 */
async function main() {
  const config = loadConfigOrExit();
  const platform = await startPlatform(config);
  const base = loopbackUrl(platform.url);
  const demoCardsDir = config.jpkiMode === 'dev' && config.seedDemo ? join(config.dataDir, 'demo-cards') : null;
  if (demoCardsDir) {
    const identity = { db: platform.database.db, jpki: platform.jpki, config };
    // Cards issued after the platform's start-up feed: their linkage too, so they register at once.
    const issued = [...await issueDemoCards(config.jpkiDevDir, demoCardsDir), ...await ensureDrillResidents(identity, config.jpkiDevDir, demoCardsDir, config.demoDrillResidents)];
    if (issued.length > 0) await feedDevLinkage(identity, config.jpkiDevDir);
    await enrolDemoStaff(identity, demoCardsDir);
  }
  const tv = DEMO_HOUSEHOLDS[0];
  const credentialFile = config.readerDeviceCredentialFile ?? (config.seedDemo ? provisionDemoDevice(config.dataDir, 'demo-tv-credential.json', tv.tv) : undefined);
  if (config.seedDemo) await ensureDemoTablet(platform.database.db);
  const tabletFile = config.seedDemo ? provisionDemoDevice(config.dataDir, 'demo-tablet-credential.json', DEMO_TABLET) : undefined;
  const consoleOrigin = loopbackUrl(platform.operatorUrl);
  const shelterOrigin = loopbackUrl(platform.shelterUrl);
  const driver = startReaderDriver(config, base, {
    console: withLocalhost(consoleOrigin), shelter: withLocalhost(shelterOrigin),
  }, demoCardsDir, credentialFile, tabletFile);

  const readerParam = config.readerPort === DEFAULT_READER_PORT ? '' : `?reader=${encodeURIComponent(readerUrl(config.readerPort))}`;
  console.log(
    `\n  TV:        ${base}/tv/${readerParam}${credentialFile ? `   (${tv.label}; the reader driver holds its device credential)` : ''}` +
      `\n  Shelter:   ${shelterOrigin}/shelter/${readerParam}${tabletFile ? `   (${DEMO_TABLET.label}; staff card staff-nanto-shelter)` : ''}\n  Operator:  ${loopbackUrl(platform.operatorUrl)}/operator/\n  Health:    ${base}/healthz` +
      (demoCardsDir ? `\n\n  Demo cards: npm run demo -- cards | insert yamada-taro | remove   (PINs in README.md)\n` : '\n'),
  );

  const shutdown = async () => {
    driver.kill('SIGTERM');
    await platform.close();
    process.exit(0);
  };
  stopOnSignals(shutdown);
}

/** A listen address as a browser on this machine opens it. */
function loopbackUrl(url: string): string {
  return url.replace('0.0.0.0', '127.0.0.1').replace('[::1]', '127.0.0.1');
}

/** An origin as 127.0.0.1 and as localhost (a browser may open either). */
function withLocalhost(origin: string): string[] {
  return [origin, origin.replace('127.0.0.1', 'localhost')];
}

/**
 * Gives a demo device's credential (the TV's, the shelter tablet's) to the reader driver the way
 * a set-top box or tablet is provisioned: a file only this user can read. Answers its path.
 */
function provisionDemoDevice(dataDir: string, name: string, device: { id: string; secret: string }): string {
  const file = join(dataDir, name);
  // Created afresh, so it is 0600 from its first byte (an existing file would keep its old mode).
  rmSync(file, { force: true });
  writeFileSync(file, JSON.stringify({ id: device.id, secret: device.secret }), { mode: 0o600, flag: 'wx' });
  return file;
}

function startReaderDriver(
  config: Readonly<Config>, platformOrigin: string, pages: { console: string[]; shelter: string[] }, demoCardsDir: string | null,
  credentialFile: string | undefined, tabletFile: string | undefined,
): ChildProcess {
  const args = ['--import', 'tsx', 'reader-driver/src/main.ts', ...(demoCardsDir ? ['--demo', demoCardsDir] : [])];
  const localhost = platformOrigin.replace('127.0.0.1', 'localhost');
  const child = spawn(process.execPath, args, {
    stdio: 'inherit',
    // The driver reads its own settings (reader-driver/src/config.ts) from the environment it
    // inherits; this process only adds what it decided: where the data is, which page may connect.
    env: {
      ...process.env,
      DATA_DIR: config.dataDir,
      READER_PORT: String(config.readerPort),
      // The TV page, the operator console (staff log in with their own card) and the shelter tablet
      // use the reader; only the TV page's origin may receive the box's device credential, only the
      // shelter page's the tablet's.
      READER_ALLOWED_ORIGINS: config.readerAllowedOrigins ?? [platformOrigin, localhost, ...pages.console, ...pages.shelter].join(','),
      READER_CREDENTIAL_ORIGINS: config.readerCredentialOrigins ?? `${platformOrigin},${localhost}`,
      ...(credentialFile ? { READER_DEVICE_CREDENTIAL_FILE: credentialFile } : {}),
      ...(tabletFile ? { READER_TABLET_CREDENTIAL_FILE: tabletFile, READER_TABLET_CREDENTIAL_ORIGINS: pages.shelter.join(',') } : {}),
    },
  });
  child.on('exit', (code, signal) => {
    if (signal !== 'SIGTERM') console.error(`reader driver stopped (${code ?? signal}); the TV page will say the reader is unavailable`);
  });
  return child;
}

main().catch((err) => {
  console.error('start failed:', describeStartError(err));
  process.exit(1);
});
