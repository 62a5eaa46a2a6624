import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Db } from '../db/client.js';
import { publishAuditCheckpoint, verifyAuditLog, type CheckpointSettings } from '../identity/audit-checkpoint.js';
import type { CrlApplication } from '../identity/certificate-lifecycle.js';
import { ingestCrl } from '../identity/crl-store.js';
import type { IdentityDeps } from '../identity/deps.js';
import { provisionDevice, withdrawDevice } from '../identity/devices.js';
import { ingestLinkage, parseLinkageFile } from '../identity/linkage-ingest.js';
import { AppError } from '../shared/errors.js';
import { CLI_ACTOR } from '../identity/audit.js';
import { inviteStaff, organisationByCode } from '../staff/staff.js';
import { issueFeedCredential } from '../alerts/feed.js';
import { recordReceipt } from '../alerts/receipt-by-hand.js';
import { populateTown } from '../demo/populate.js';
import { ingestAlert } from '../alerts/ingest.js';
import { parseAlertDocument } from '../alerts/parse.js';

/**
 * The operator commands (`npm run platform -- …`), as data: the CLI builds one from its arguments
 * (files already read, so the command means the same wherever it runs) and runs it either itself
 * or, when the platform owns the embedded database, through the platform's admin channel.
 */
/** A pattern, not `format: 'uuid'`: the compiled checker below knows no formats. */
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const OperatorCommandSchema = Type.Union([
  Type.Object({
    command: Type.Literal('provision-device'),
    binding: Type.Union([
      Type.Object({ kind: Type.Literal('tv'), householdContractNo: Type.String({ minLength: 1 }) }),
      Type.Object({ kind: Type.Literal('tablet'), shelterId: Type.String({ minLength: 1 }) }),
    ]),
    label: Type.String({ minLength: 1 }),
  }),
  Type.Object({ command: Type.Literal('withdraw-device'), deviceId: Type.String() }),
  Type.Object({
    command: Type.Literal('ingest-crl'),
    purpose: Type.Union([Type.Literal('sign'), Type.Literal('auth')]),
    derBase64: Type.String(),
    /** The distribution point the CRL was published under; a CRL naming another is refused. */
    filedUnder: Type.Optional(Type.String({ minLength: 1 })),
  }),
  // A directory of CRLs (J-LIS: one per distribution point): each ingested on its own, atomically.
  Type.Object({
    command: Type.Literal('ingest-crl-dir'),
    purpose: Type.Union([Type.Literal('sign'), Type.Literal('auth')]),
    files: Type.Array(Type.Object({ name: Type.String(), derBase64: Type.String() })),
  }),
  // The file's text: `parseLinkageFile` checks it where the command runs.
  Type.Object({ command: Type.Literal('ingest-linkage'), linkageJson: Type.String() }),
  Type.Object({ command: Type.Literal('verify-audit') }),
  // Invites an organisation's first admin (staff enrol by redeeming the code with their own card).
  Type.Object({
    command: Type.Literal('add-staff'),
    org: Type.String({ minLength: 1, maxLength: 64 }),
    roles: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 8 }),
    displayName: Type.String({ minLength: 1, maxLength: 64 }),
  }),
  // An alert document (CAP 1.2 / L-Alert) for one municipality, bytes as read from the file.
  Type.Object({ command: Type.Literal('ingest-alert'), municipality: Type.String({ minLength: 1, maxLength: 16 }), documentBase64: Type.String() }),
  // A TV's alert receipt recorded by hand (demos, and browser tests while no TV connection sends them): idempotent like the TVs' own.
  Type.Object({
    command: Type.Literal('record-alert-receipt'),
    alertId: Type.String({ pattern: UUID_PATTERN }),
    deviceId: Type.String({ pattern: UUID_PATTERN }),
    kind: Type.Union([Type.Literal('delivered'), Type.Literal('displayed'), Type.Literal('acknowledged')]),
    answer: Type.Optional(Type.Union([Type.Literal('evacuated'), Type.Literal('safe_at_home')])),
  }),
  // A feed credential for POST /api/v1/alerts/cap (the token is printed once).
  Type.Object({
    command: Type.Literal('issue-alert-feed'), municipality: Type.String({ minLength: 1, maxLength: 16 }), label: Type.String({ minLength: 1, maxLength: 64 }),
    senders: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 16 }),
  }),
  // The demo world's synthetic town: homes with coordinates and TVs across the districts (demo/populate.ts).
  Type.Object({ command: Type.Literal('populate-town'), households: Type.Integer({ minimum: 1, maximum: 200_000 }) }),
]);
export type OperatorCommand = Static<typeof OperatorCommandSchema>;
const commandCheck = TypeCompiler.Compile(OperatorCommandSchema);

/** Audit actor of everything an operator command does. */
export const OPERATOR_ACTOR = CLI_ACTOR;

/** What a command runs against. `identity` is asked for only by the commands that need JPKI. */
export interface OperatorDeps {
  db: Db;
  identity: () => Promise<IdentityDeps>;
  /** Where the audit checkpoint is published (`Config`). */
  audit: CheckpointSettings;
  /** How long a staff invitation can be redeemed (`Config.staffInviteTtlSeconds`). */
  inviteTtlSeconds: number;
  /** Expiry given to an alert without `expires` (`Config.alertDefaultTtlSeconds`). */
  alertDefaultTtlSeconds: number;
}

/** What a command answers, and what the operator must hear beside it (an audit log break). */
export interface OperatorOutcome {
  result: unknown;
  warnings: string[];
  /**
   * The process exit code the CLI ends with: 0; 3 when verify-audit found a break; 4 when a
   * directory of CRLs was ingested with some files refused (the others are installed, but a cron
   * job that only looks at the exit status must still hear that a partition is missing).
   */
  exitCode: number;
}

/** Runs one operator command; the same function whether the CLI or the running platform runs it. */
export async function runOperatorCommand(deps: OperatorDeps, cmd: OperatorCommand): Promise<OperatorOutcome> {
  // Checked here, not only where it is built: it may have come over the admin channel.
  const problem = commandCheck.Errors(cmd).First();
  if (problem) throw new AppError('REQ_INVALID', { detail: `operator command: ${problem.path || '/'} ${problem.message}` });
  if (cmd.command === 'verify-audit') {
    const result = await verifyAuditLog(deps.db, deps.audit);
    return { result, warnings: [], exitCode: result.ok ? 0 : 3 };
  }
  const result = await write(deps, cmd);
  // What this command wrote is vouched for now, not only at the platform's next checkpoint.
  const { verification } = await publishAuditCheckpoint(deps.db, deps.audit);
  const warnings = verification.ok ? [] : [`audit log break at ${verification.brokenAt ?? 'checkpoint'} (${verification.reason}): ${verification.detail}`];
  const refusedCrls = cmd.command === 'ingest-crl-dir' ? (result as CrlDirResult).results.filter((r) => 'refused' in r) : [];
  if (refusedCrls.length) warnings.push(`${refusedCrls.length} CRL file(s) refused: ${refusedCrls.map((r) => `${r.file} (${r.refused})`).join(', ')}`);
  return { result, warnings, exitCode: refusedCrls.length ? 4 : 0 };
}

async function write(deps: OperatorDeps, cmd: Exclude<OperatorCommand, { command: 'verify-audit' }>): Promise<unknown> {
  switch (cmd.command) {
    case 'provision-device':
      return provisionDevice(deps.db, cmd.binding, cmd.label, OPERATOR_ACTOR);
    case 'withdraw-device':
      return withdrawDevice(deps.db, cmd.deviceId, OPERATOR_ACTOR);
    case 'ingest-crl': {
      const options = cmd.filedUnder === undefined ? undefined : { filedUnder: cmd.filedUnder };
      return crlSummary(await ingestCrl(await deps.identity(), cmd.purpose, Buffer.from(cmd.derBase64, 'base64'), OPERATOR_ACTOR.name, options));
    }
    case 'ingest-crl-dir': {
      // One refused CRL (outdated, another CA's, malformed) must not hold back the other partitions.
      const identity = await deps.identity();
      const results: CrlDirResult['results'] = [];
      for (const file of cmd.files) {
        try {
          results.push({ file: file.name, ...crlSummary(await ingestCrl(identity, cmd.purpose, Buffer.from(file.derBase64, 'base64'), OPERATOR_ACTOR.name)) });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          results.push({ file: file.name, refused: err.code, detail: err.detail ?? null });
        }
      }
      return { ingested: results.filter((r) => !('refused' in r)).length, refused: results.filter((r) => 'refused' in r).length, results };
    }
    case 'ingest-linkage':
      return ingestLinkage(await deps.identity(), parseLinkageFile(cmd.linkageJson), OPERATOR_ACTOR.name);
    case 'add-staff':
      return inviteStaff(deps.db, await organisationByCode(deps.db, cmd.org), { displayName: cmd.displayName, roles: cmd.roles }, OPERATOR_ACTOR, deps.inviteTtlSeconds);
    case 'ingest-alert': {
      const alert = parseAlertDocument(Buffer.from(cmd.documentBase64, 'base64'));
      return ingestAlert(deps.db, { municipalityCode: cmd.municipality, alert, channel: 'cli', actor: OPERATOR_ACTOR.name, defaultTtlSeconds: deps.alertDefaultTtlSeconds });
    }
    case 'record-alert-receipt':
      return recordReceipt(deps.db, cmd);
    case 'issue-alert-feed':
      return issueFeedCredential(deps.db, cmd.municipality, cmd.label, cmd.senders, OPERATOR_ACTOR);
    case 'populate-town':
      return populateTown(deps.db, cmd.households);
  }
}

/** What `ingest-crl DIR` answers: one line per file, installed or refused with its code. */
interface CrlDirResult {
  ingested: number;
  refused: number;
  results: Array<({ file: string } & ReturnType<typeof crlSummary>) | { file: string; refused: string; detail: string | null }>;
}

function crlSummary(result: CrlApplication) {
  return {
    outcome: result.outcome, entries: result.entries, revoked: result.revoked, reconfirm: result.reconfirm,
    crlNumber: result.crl.crlNumber?.toString() ?? null, distributionPoint: result.crl.distributionPoint,
  };
}
