import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrExit, type Config } from '../config.js';
import { enrolDemoStaff, feedDevLinkage, issueDemoCards } from '../demo/dev-jpki.js';
import { DEMO_HOUSEHOLDS } from '../demo/world.js';
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
    if ((await issueDemoCards(config.jpkiDevDir, demoCardsDir)).length > 0) await feedDevLinkage(identity, config.jpkiDevDir);
    await enrolDemoStaff(identity, demoCardsDir);
  }
  const tv = DEMO_HOUSEHOLDS[0];
  const credentialFile = config.readerDeviceCredentialFile ?? (config.seedDemo ? provisionDemoTv(config.dataDir, tv.tv) : undefined);
  const consoleOrigin = loopbackUrl(platform.operatorUrl);
  const driver = startReaderDriver(config, base, [consoleOrigin, consoleOrigin.replace('127.0.0.1', 'localhost')], demoCardsDir, credentialFile);

  const readerParam = config.readerPort === DEFAULT_READER_PORT ? '' : `?reader=${encodeURIComponent(readerUrl(config.readerPort))}`;
  console.log(
    `\n  TV:        ${base}/tv/${readerParam}${credentialFile ? `   (${tv.label}; the reader driver holds its device credential)` : ''}` +
      `\n  Shelter:   ${base}/shelter/\n  Operator:  ${loopbackUrl(platform.operatorUrl)}/operator/\n  Health:    ${base}/healthz` +
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

/**
 * Gives the demo TV's credential to the reader driver the way a set-top box is provisioned: a file
 * only this user can read. Answers its path.
 */
function provisionDemoTv(dataDir: string, tv: { id: string; secret: string }): string {
  const file = join(dataDir, 'demo-tv-credential.json');
  // Created afresh, so it is 0600 from its first byte (an existing file would keep its old mode).
  rmSync(file, { force: true });
  writeFileSync(file, JSON.stringify({ id: tv.id, secret: tv.secret }), { mode: 0o600, flag: 'wx' });
  return file;
}

function startReaderDriver(
  config: Readonly<Config>, platformOrigin: string, consoleOrigins: string[], demoCardsDir: string | null, credentialFile: string | undefined,
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
      // The TV page and the operator console (staff log in with their own card) use the reader; only
      // the TV page's origin may receive the box's device credential.
      READER_ALLOWED_ORIGINS: config.readerAllowedOrigins ?? [platformOrigin, localhost, ...consoleOrigins].join(','),
      READER_CREDENTIAL_ORIGINS: config.readerCredentialOrigins ?? `${platformOrigin},${localhost}`,
      ...(credentialFile ? { READER_DEVICE_CREDENTIAL_FILE: credentialFile } : {}),
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
