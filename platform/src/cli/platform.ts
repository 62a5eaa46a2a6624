import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { OperatorCommand } from '../admin/commands.js';
import { runOperatorCommandSomewhere as run } from '../admin/run-here-or-there.js';
import { loadConfig } from '../config.js';
import { setAuditChainKey } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';

/**
 * `npm run platform -- <command>`: operator tasks against the configured database.
 *   provision-device --kind tv --household CATV-0001 --label "居間のテレビ"
 *   provision-device --kind tablet --shelter <shelter-id> --label "受付1"
 *   withdraw-device <device-id>          (lost or stolen: refused at once, its sessions end)
 *   ingest-crl --purpose sign|auth [--dp "C=JP, O=JPKI, …, CN=Nanto-shi CRLDP"] FILE.crl
 *   ingest-crl --purpose sign|auth DIR  (every file in DIR, e.g. one partitioned CRL per
 *                                        distribution point; each on its own, refusals listed;
 *                                        exit 4 when any file was refused)
 *   ingest-linkage FILE.json            (J-LIS linkage: each card's sign↔auth pair, and renewals;
 *                                        settles registrations waiting for it)
 *   verify-audit
 *   add-staff --org CODE --role ROLE [--role ROLE…] --name "氏名" --invite   (an organisation's first admin; the code is printed once)
 *   issue-alert-feed --municipality CODE --sender S [--sender …] [--label TEXT]
 *                                       (a token for POST /api/v1/alerts/cap, sending only as those
 *                                        CAP senders / L-Alert senderIDs; printed once)
 *   record-alert-receipt --alert ID --device ID --kind delivered|displayed|acknowledged [--answer evacuated|safe_at_home]
 *                                       (a TV's receipt by hand, for demos of the console's funnel)
 *   populate-town --households N        (the demo world's synthetic town, homes with TVs; `npm run demo -- populate --households N`)
 *
 * With PostgreSQL the command connects to it. With the embedded database, only one process may
 * open it: when the platform runs, the command runs inside it through its admin channel
 * (`admin/channel.ts`); when it does not, the command opens the database itself under the owner lock.
 */
const USAGE = `usage: npm run platform -- provision-device --kind tv|tablet (--household CONTRACT | --shelter ID) --label TEXT
       npm run platform -- withdraw-device DEVICE-ID
       npm run platform -- ingest-crl --purpose sign|auth [--dp DISTRIBUTION-POINT] FILE|DIR
       npm run platform -- ingest-linkage FILE
       npm run platform -- verify-audit
       npm run platform -- add-staff --org CODE --role ROLE [--role ROLE] --name TEXT --invite
       npm run platform -- issue-alert-feed --municipality CODE --sender S [--sender …] [--label TEXT]
       npm run platform -- record-alert-receipt --alert ID --device ID --kind delivered|displayed|acknowledged [--answer evacuated|safe_at_home]
       npm run platform -- populate-town --households N`;

async function main() {
  const cmd = parseCommand(process.argv.slice(2));
  const config = loadConfig();
  setAuditChainKey(config.auditHmacSecret);
  const { result, warnings, exitCode } = await run(config, cmd);
  print(result);
  for (const warning of warnings) console.error(warning);
  process.exitCode = exitCode;
}

/** Reads the arguments (and the files they name) into one command. */
function parseCommand(argv: string[]): OperatorCommand {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      kind: { type: 'string' }, household: { type: 'string' }, shelter: { type: 'string' }, label: { type: 'string' }, purpose: { type: 'string' }, dp: { type: 'string' },
      org: { type: 'string' }, municipality: { type: 'string' }, households: { type: 'string' }, role: { type: 'string', multiple: true }, name: { type: 'string' }, invite: { type: 'boolean' },
      alert: { type: 'string' }, device: { type: 'string' }, answer: { type: 'string' }, sender: { type: 'string', multiple: true },
    },
  });
  switch (command) {
    case 'provision-device': {
      const label = values.label ?? 'device';
      if (values.kind === 'tv' && values.household) return { command, binding: { kind: 'tv', householdContractNo: values.household }, label };
      if (values.kind === 'tablet' && values.shelter) return { command, binding: { kind: 'tablet', shelterId: values.shelter }, label };
      throw usage();
    }
    case 'withdraw-device':
      if (!positionals[0]) throw usage();
      return { command, deviceId: positionals[0] };
    case 'ingest-crl': {
      const purpose = values.purpose;
      const path = positionals[0];
      if ((purpose !== 'sign' && purpose !== 'auth') || !path) throw usage();
      if (statSync(path).isDirectory()) {
        if (values.dp !== undefined) throw usage(); // each partition names its own DP
        const names = readdirSync(path).filter((name) => statSync(join(path, name)).isFile()).sort();
        return { command: 'ingest-crl-dir', purpose, files: names.map((name) => ({ name, derBase64: readFileSync(join(path, name)).toString('base64') })) };
      }
      return { command, purpose, derBase64: readFileSync(path).toString('base64'), ...(values.dp === undefined ? {} : { filedUnder: values.dp }) };
    }
    case 'ingest-linkage':
      if (!positionals[0]) throw usage();
      return { command, linkageJson: readFileSync(positionals[0], 'utf8') };
    case 'verify-audit':
      return { command };
    case 'add-staff':
      // The CLI only ever invites: staff enrol by redeeming the code with their own card.
      if (!values.org || !values.role?.length || !values.invite) throw usage();
      return { command, org: values.org, roles: values.role, displayName: values.name ?? values.role.join(' ') };
    case 'populate-town': {
      const households = Number(values.households);
      if (!Number.isInteger(households) || households < 1) throw usage();
      return { command, households };
    }
    case 'issue-alert-feed':
      if (!values.municipality || !values.sender?.length) throw usage();
      return { command, municipality: values.municipality, label: values.label ?? 'CAP feed', senders: values.sender };
    case 'record-alert-receipt': {
      const kind = values.kind;
      if (!values.alert || !values.device || (kind !== 'delivered' && kind !== 'displayed' && kind !== 'acknowledged')) throw usage();
      const answer = values.answer;
      if (answer !== undefined && answer !== 'evacuated' && answer !== 'safe_at_home') throw usage();
      return { command, alertId: values.alert, deviceId: values.device, kind, ...(answer ? { answer } : {}) };
    }
    default:
      throw usage();
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
