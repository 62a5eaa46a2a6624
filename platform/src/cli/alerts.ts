import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { validateDocument } from '../alerts/parse.js';
import { AppError } from '../shared/errors.js';

const USAGE = `usage: npm run alerts -- validate FILE
       npm run alerts -- ingest FILE --municipality CODE

Reads a CAP 1.2 or L-Alert EvacuationOrder document and prints one JSON object:
{ ok, code?, format, sender, identifier, sent, msgType, status, infos, areas }.
Needs no database. Exit 0 when accepted, 1 when refused (code says why), 2 on a usage error.
ingest stores it for the municipality (through the running platform when it owns the embedded
database) and prints { ok, outcome, alertId, unknownAreaCodes, … } or { ok: false, code }; same exit codes.`;

function usage(message: string): number {
  console.error(`${message}\n\n${USAGE}`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, municipality: { type: 'string' } } });
  } catch (err) {
    return usage((err as Error).message);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, file, ...extra] = parsed.positionals;
  if ((command !== 'validate' && command !== 'ingest') || !file || extra.length) return usage('expected: validate FILE | ingest FILE --municipality CODE');
  if (command === 'ingest' && !parsed.values.municipality) return usage('ingest needs --municipality CODE');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return usage(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (command === 'ingest') return ingest(bytes, parsed.values.municipality!);
  const summary = validateDocument(bytes);
  console.log(JSON.stringify(summary));
  return summary.ok ? 0 : 1;
}

async function ingest(bytes: Buffer, municipality: string): Promise<number> {
  // Loaded only here: `validate` needs no database code at all.
  const { runOperatorCommandSomewhere } = await import('../admin/run-here-or-there.js');
  const { loadConfig } = await import('../config.js');
  const { setAuditChainKey } = await import('../identity/audit.js');
  const config = loadConfig();
  setAuditChainKey(config.auditHmacSecret);
  try {
    const { result } = await runOperatorCommandSomewhere(config, { command: 'ingest-alert', municipality, documentBase64: bytes.toString('base64') });
    console.log(JSON.stringify({ ok: true, ...(result as object) }));
    return 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    console.log(JSON.stringify({ ok: false, code: err.code }));
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
