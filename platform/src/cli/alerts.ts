import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { validateDocument } from '../alerts/parse.js';

const USAGE = `usage: npm run alerts -- validate FILE

Reads a CAP 1.2 or L-Alert EvacuationOrder document and prints one JSON object:
{ ok, code?, format, sender, identifier, sent, msgType, status, infos, areas }.
Needs no database. Exit 0 when accepted, 1 when refused (code says why), 2 on a usage error.`;

function usage(message: string): number {
  console.error(`${message}\n\n${USAGE}`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    return usage((err as Error).message);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, file, ...extra] = parsed.positionals;
  if (command !== 'validate' || !file || extra.length) return usage('expected: validate FILE');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return usage(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const summary = validateDocument(bytes);
  console.log(JSON.stringify(summary));
  return summary.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
