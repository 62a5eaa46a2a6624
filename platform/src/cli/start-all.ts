import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { startPlatform } from '../server.js';

/**
 * `npm start`: the whole product on one machine. The platform runs in this process (embedded
 * PGlite in ./data unless DATABASE_URL is set) and serves the three UI pages; the reader driver,
 * which on a real device runs next to the TV, runs as a child process with the demo card bay.
 */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const platform = await startPlatform(config);
  const driver = startReaderDriver();
  const base = platform.url.replace('0.0.0.0', '127.0.0.1');
  console.log(`\n  TV:        ${base}/tv/\n  Shelter:   ${base}/shelter/\n  Operator:  ${base}/operator/\n  Health:    ${base}/healthz\n`);

  const shutdown = async () => {
    driver?.kill('SIGTERM');
    await platform.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

function startReaderDriver(): ChildProcess | null {
  const entry = 'reader-driver/src/main.ts';
  if (!existsSync(entry)) return null;
  const child = spawn(process.execPath, ['--import', 'tsx', entry, '--demo'], { stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (signal !== 'SIGTERM') console.error(`reader driver stopped (${code ?? signal}); the TV page will say the reader is unavailable`);
  });
  return child;
}

main().catch((err) => {
  console.error('start failed:', err);
  process.exit(1);
});
