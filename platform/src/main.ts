import { loadConfigOrExit } from './config.js';
import { startPlatform } from './server.js';
import { stopOnSignals } from './shared/shutdown.js';
import { describeStartError } from './shared/errors.js';

/** Entry point of one platform process: config → start → clean shutdown on SIGTERM/SIGINT. */
async function main() {
  const config = loadConfigOrExit();
  const platform = await startPlatform(config);
  const shutdown = async (signal: string) => {
    platform.app.log.info({ signal }, 'shutting down');
    await platform.close();
    process.exit(0);
  };
  stopOnSignals(shutdown);
}

main().catch((err) => {
  console.error('platform failed to start:', describeStartError(err));
  process.exit(1);
});
