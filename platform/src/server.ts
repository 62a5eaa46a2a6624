import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type DbHandle } from './db/client.js';
import { seedDemoWorld } from './demo/seed.js';

/** A running platform process. */
export interface RunningPlatform {
  app: FastifyInstance;
  database: DbHandle;
  /** The address it listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/** Opens the database, applies migrations, seeds the demo world if asked, and listens. */
export async function startPlatform(config: Readonly<Config>): Promise<RunningPlatform> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let app: FastifyInstance | undefined;
  try {
    await database.migrate();
    if (config.seedDemo) await seedDemoWorld(database.db);
    app = await buildApp({ config, database });
    const url = await app.listen({ port: config.port, host: config.host });
    app.log.info({ database: database.kind }, 'platform ready');
    let closing: Promise<void> | undefined;
    const running: RunningPlatform = {
      app,
      database,
      url,
      close: () => (closing ??= (async () => {
        await running.app.close();
        await database.close();
      })()),
    };
    return running;
  } catch (err) {
    await app?.close().catch(() => {});
    await database.close().catch(() => {});
    throw err;
  }
}
