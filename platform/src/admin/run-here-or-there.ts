import { PlatformGone, sendOperatorCommand } from './channel.js';
import { runOperatorCommand, type OperatorCommand, type OperatorOutcome } from './commands.js';
import type { Config } from '../config.js';
import { openDatabase } from '../db/client.js';
import { setAuditChainKey } from '../identity/audit.js';
import { loadStoredCrls } from '../identity/crl-store.js';
import type { IdentityDeps } from '../identity/deps.js';
import { createJpkiContext } from '../jpki/index.js';
import { AppError } from '../shared/errors.js';

/** Runs the command where the database is: here, or in the running platform that owns it. */
export async function runOperatorCommandSomewhere(config: Readonly<Config>, cmd: OperatorCommand): Promise<OperatorOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await runHere(config, cmd);
    } catch (err) {
      const owner = err instanceof AppError && err.code === 'DB_IN_USE' ? (err.details?.owner as { role?: string } | undefined) : undefined;
      if (owner?.role !== 'platform') throw err;
    }
    try {
      return await sendOperatorCommand(config.dataDir, cmd);
    } catch (err) {
      // The platform stopped before it took the command: it is ours to open now (once more at most).
      if (!(err instanceof PlatformGone) || attempt > 0) throw err;
    }
  }
}

async function runHere(config: Readonly<Config>, cmd: OperatorCommand): Promise<OperatorOutcome> {
  // The command writes audit entries here, in this process: key the chain as the platform does
  // (a caller that is not one of our CLIs — a test, a script — would otherwise fail on its first entry).
  setAuditChainKey(config.auditHmacSecret);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, databaseOwnerUrl: config.databaseOwnerUrl, poolSize: config.databasePoolSize, dataDir: config.dataDir, role: 'cli' });
  try {
    await database.migrate();
    const { db } = database;
    let identity: Promise<IdentityDeps> | undefined;
    const loadIdentity = async (): Promise<IdentityDeps> => {
      const deps = { db, jpki: await createJpkiContext(config), config };
      await loadStoredCrls(deps, null);
      return deps;
    };
    return await runOperatorCommand({ db, identity: () => (identity ??= loadIdentity()), audit: config, inviteTtlSeconds: config.staffInviteTtlSeconds, alertDefaultTtlSeconds: config.alertDefaultTtlSeconds }, cmd);
  } finally {
    await database.close();
  }
}

