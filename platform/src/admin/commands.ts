import type { Db } from '../db/client.js';
import { verifyAuditChain } from '../identity/audit.js';
import { applyRenewals, type RenewalLinkage } from '../identity/certificate-lifecycle.js';
import { ingestCrl } from '../identity/crl-store.js';
import type { IdentityDeps } from '../identity/deps.js';
import { provisionDevice, withdrawDevice, type DeviceBinding } from '../identity/devices.js';
import { AppError } from '../shared/errors.js';

/**
 * The operator commands (`npm run platform -- …`), as data: the CLI builds one from its arguments
 * (files already read, so the command means the same wherever it runs) and runs it either itself
 * or, when the platform owns the embedded database, through the platform's admin channel.
 */
export type OperatorCommand =
  | { command: 'provision-device'; binding: DeviceBinding; label: string }
  | { command: 'withdraw-device'; deviceId: string }
  | { command: 'ingest-crl'; purpose: 'sign' | 'auth'; derBase64: string }
  | { command: 'ingest-linkage'; linkage: RenewalLinkage }
  | { command: 'verify-audit' };

/** Audit actor of everything an operator command does. */
export const OPERATOR_ACTOR = 'operator:cli';

/** What a command runs against. `identity` is asked for only by the commands that need JPKI. */
export interface OperatorDeps {
  db: Db;
  identity: () => Promise<IdentityDeps>;
}

/** Runs one operator command; the same function whether the CLI or the running platform runs it. */
export async function runOperatorCommand(deps: OperatorDeps, cmd: OperatorCommand): Promise<unknown> {
  switch (cmd.command) {
    case 'provision-device':
      return provisionDevice(deps.db, cmd.binding, cmd.label);
    case 'withdraw-device':
      return withdrawDevice(deps.db, cmd.deviceId, OPERATOR_ACTOR);
    case 'ingest-crl': {
      const result = await ingestCrl(await deps.identity(), cmd.purpose, Buffer.from(cmd.derBase64, 'base64'), OPERATOR_ACTOR);
      return { outcome: result.outcome, entries: result.entries, revoked: result.revoked, reconfirm: result.reconfirm, crlNumber: result.crl.crlNumber?.toString() ?? null };
    }
    case 'ingest-linkage':
      return applyRenewals(await deps.identity(), cmd.linkage, OPERATOR_ACTOR);
    case 'verify-audit':
      return verifyAuditChain(deps.db);
    default:
      throw new AppError('REQ_INVALID', { detail: `unknown operator command ${(cmd as { command?: unknown }).command}` });
  }
}
