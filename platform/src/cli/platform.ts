import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { shelters } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { setAuditChainKey } from '../identity/audit.js';
import { publishAuditCheckpoint, verifyAuditLog } from '../identity/audit-checkpoint.js';
import { ingestCrl, loadStoredCrls } from '../identity/crl-store.js';
import { provisionDevice, withdrawDevice } from '../identity/devices.js';
import { ingestLinkage, parseLinkageFile } from '../identity/linkage-ingest.js';
import { createJpkiContext } from '../jpki/index.js';

/**
 * `npm run platform -- <command>`: operator tasks against the configured database.
 *   provision-device --kind tv --household CATV-0001 --label "居間のテレビ"
 *   provision-device --kind tablet --shelter <shelter-id> --label "受付1"
 *   withdraw-device <device-id>          (lost or stolen: refused at once, its sessions end)
 *   ingest-crl --purpose sign|auth FILE.crl
 *   ingest-linkage FILE.json            (J-LIS linkage: each card's sign↔auth pair, and renewals;
 *                                        settles registrations waiting for it)
 *   verify-audit
 */
const USAGE = `usage: npm run platform -- provision-device --kind tv|tablet (--household CONTRACT | --shelter ID) --label TEXT
       npm run platform -- withdraw-device DEVICE-ID
       npm run platform -- ingest-crl --purpose sign|auth FILE
       npm run platform -- ingest-linkage FILE
       npm run platform -- verify-audit`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { kind: { type: 'string' }, household: { type: 'string' }, shelter: { type: 'string' }, label: { type: 'string' }, purpose: { type: 'string' } },
  });
  const config = loadConfig();
  setAuditChainKey(config.auditHmacSecret);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, databaseOwnerUrl: config.databaseOwnerUrl, dataDir: config.dataDir });
  try {
    await database.migrate();
    const { db } = database;
    switch (command) {
      case 'provision-device': {
        const label = values.label ?? 'device';
        if (values.kind === 'tv' && values.household) {
          print(await provisionDevice(db, { kind: 'tv', householdContractNo: values.household }, label, 'operator:cli'));
        } else if (values.kind === 'tablet' && values.shelter) {
          const [shelter] = await db.select().from(shelters).where(eq(shelters.id, values.shelter));
          if (!shelter) throw new AppError('REQ_NOT_FOUND', { detail: `no shelter ${values.shelter}` });
          print(await provisionDevice(db, { kind: 'tablet', shelterId: shelter.id }, label, 'operator:cli'));
        } else throw usage();
        break;
      }
      case 'withdraw-device': {
        if (!positionals[0]) throw usage();
        print(await withdrawDevice(db, positionals[0], 'operator:cli'));
        break;
      }
      case 'ingest-crl': {
        const purpose = values.purpose;
        if ((purpose !== 'sign' && purpose !== 'auth') || !positionals[0]) throw usage();
        const identity = { db, jpki: await createJpkiContext(config), config };
        await loadStoredCrls(identity, null);
        const result = await ingestCrl(identity, purpose, readFileSync(positionals[0]), 'operator:cli');
        print({ outcome: result.outcome, entries: result.entries, revoked: result.revoked, reconfirm: result.reconfirm, crlNumber: result.crl.crlNumber?.toString() ?? null });
        break;
      }
      case 'ingest-linkage': {
        if (!positionals[0]) throw usage();
        const identity = { db, jpki: await createJpkiContext(config), config };
        print(await ingestLinkage(identity, parseLinkageFile(readFileSync(positionals[0], 'utf8')), 'operator:cli'));
        break;
      }
      case 'verify-audit': {
        const result = await verifyAuditLog(db, config);
        print(result);
        if (!result.ok) process.exitCode = 3;
        break;
      }
      default:
        throw usage();
    }
    if (command !== 'verify-audit') {
      // What this command wrote is vouched for now, not only at the platform's next checkpoint.
      const { verification } = await publishAuditCheckpoint(db, config);
      if (!verification.ok) console.error(`audit log break at ${verification.brokenAt ?? 'checkpoint'} (${verification.reason}): ${verification.detail}`);
    }
  } finally {
    await database.close();
  }
}

const usage = () => Object.assign(new Error(USAGE), { usage: true });
const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

main().catch((err) => {
  if ((err as { usage?: boolean }).usage) console.error((err as Error).message);
  else if (err instanceof AppError) console.error(`${err.code}: ${err.message}${err.detail ? ` (${err.detail})` : ''}`);
  else console.error(err);
  process.exit((err as { usage?: boolean }).usage ? 2 : 1);
});
