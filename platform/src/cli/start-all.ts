import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadConfigOrExit, type Config } from '../config.js';
import { issueDemoCards } from '../demo/dev-jpki.js';
import { DEMO_HOUSEHOLDS } from '../demo/world.js';
import { startPlatform } from '../server.js';
import { stopOnSignals } from '../shared/shutdown.js';
import { describeStartError } from '../shared/errors.js';

/**
 * `npm start`: the whole product on one machine. The platform runs in this process (embedded
 * PGlite in ./data unless DATABASE_URL is set) and serves the three UI pages; the reader driver,
 * which on a real device runs next to the TV, runs as a child process. In dev mode with the demo
 * world, the demo people's virtual cards are issued by the dev JPKI center and wait in the
 * driver's demo card bay (`npm run demo -- insert yamada-taro`).
 */
async function main() {
  const config = loadConfigOrExit();
  const platform = await startPlatform(config);
  const base = platform.url.replace('0.0.0.0', '127.0.0.1').replace('[::1]', '127.0.0.1');
  const demoCardsDir = config.jpkiMode === 'dev' && config.seedDemo ? join(config.dataDir, 'demo-cards') : null;
  if (demoCardsDir) await issueDemoCards(config.jpkiDevDir, demoCardsDir);
  const driver = startReaderDriver(config, base, demoCardsDir);

  const readerPort = process.env.READER_PORT ?? '24780';
  const readerParam = readerPort === '24780' ? '' : `?reader=${encodeURIComponent(`ws://127.0.0.1:${readerPort}/v1`)}`;
  const tv = DEMO_HOUSEHOLDS[0];
  console.log(
    `\n  TV:        ${base}/tv/${readerParam}${config.seedDemo ? `#device=${tv.tv.id}:${tv.tv.secret}` : ''}` +
      `\n  Shelter:   ${base}/shelter/\n  Operator:  ${base}/operator/\n  Health:    ${base}/healthz` +
      (demoCardsDir ? `\n\n  Demo cards: npm run demo -- cards | insert yamada-taro | remove   (PINs in README.md)\n` : '\n'),
  );

  const shutdown = async () => {
    driver.kill('SIGTERM');
    await platform.close();
    process.exit(0);
  };
  stopOnSignals(shutdown);
}

function startReaderDriver(config: Readonly<Config>, platformOrigin: string, demoCardsDir: string | null): ChildProcess {
  const args = ['--import', 'tsx', 'reader-driver/src/main.ts', ...(demoCardsDir ? ['--demo', demoCardsDir] : [])];
  const localhost = platformOrigin.replace('127.0.0.1', 'localhost');
  const child = spawn(process.execPath, args, {
    stdio: 'inherit',
    env: {
      ...process.env,
      DATA_DIR: config.dataDir,
      READER_ALLOWED_ORIGINS: process.env.READER_ALLOWED_ORIGINS ?? `${platformOrigin},${localhost}`,
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
