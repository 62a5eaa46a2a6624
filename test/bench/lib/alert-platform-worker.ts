/**
 * A second platform process for `npm run bench -- alerts --platforms 2`: the same app on the same
 * PostgreSQL database (BENCH_DATABASE_URL), listening on BENCH_PORT. It learns of the published
 * alert by NOTIFY like any platform process, and pushes to the TVs connected to it.
 */
import { buildApp } from '../../../platform/src/app.js';
import { loadConfig } from '../../../platform/src/config.js';
import { openDatabase } from '../../../platform/src/db/client.js';
import { setAuditChainKey } from '../../../platform/src/identity/audit.js';
import { createJpkiContext } from '../../../platform/src/jpki/index.js';

const config = Object.freeze({
  ...loadConfig({ LOG_LEVEL: 'warn', SEED_DEMO: 'false', UI_DIR: 'dist/stb-ui', CERT_LOOKUP_SECRET: 'bench-lookup-secret', JPKI_MODE: 'dev' }),
  jpkiDevDir: process.env.BENCH_JPKI_DIR!,
});
setAuditChainKey(config.auditHmacSecret);
const database = await openDatabase({ databaseUrl: process.env.BENCH_DATABASE_URL!, dataDir: null });
const jpki = await createJpkiContext(config);
const app = await buildApp({ config, database, jpki });
await app.listen({ port: Number(process.env.BENCH_PORT), host: '127.0.0.1' });
process.send!({ done: 'listening' });
process.on('message', async (m: { do: string }) => {
  if (m.do !== 'close') return;
  await app.close();
  await database.close();
  process.exit(0);
});
