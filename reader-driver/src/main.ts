import pino from 'pino';
import { loggerOptions } from '../../platform/src/shared/logger.js';
import { stopOnSignals } from '../../platform/src/shared/shutdown.js';
import { loadDriverConfig } from './config.js';
import { startDriver } from './driver.js';

/** Entry point: `tsx reader-driver/src/main.ts [--demo [DIR]]`. */
async function main() {
  let config;
  try {
    config = loadDriverConfig(process.env, process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const log = pino(loggerOptions(config.logLevel)).child({ service: 'reader-driver' });
  const driver = await startDriver(config, log);
  const shutdown = async () => {
    await driver.close();
    process.exit(0);
  };
  stopOnSignals(shutdown);
}

main().catch((err) => {
  console.error('reader driver failed to start:', err);
  process.exit(1);
});
