import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { verifyBundle } from '../pension/evidence-bundle.js';
import { loadEvidenceTrust } from '../pension/trust.js';

/**
 * `npm run evidence -- verify FILE [--roots DIR]`: re-checks a pension evidence bundle offline and
 * prints one JSON object — `{ ok, code?, detail?, signedAt, declarations, signer }` — exit 0 when it
 * holds, 1 when not (2 for usage). DIR holds the JPKI roots and `services/` (TSA and platform
 * roots); default the configured dev JPKI folder.
 */
const USAGE = 'usage: npm run evidence -- verify FILE [--roots DIR]\n';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { roots: { type: 'string' } } });
  const [command, file] = positionals;
  if (command !== 'verify' || !file) {
    process.stderr.write(USAGE);
    return 2;
  }
  const roots = values.roots ?? loadConfig(process.env).jpkiDevDir;
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) {
    process.stdout.write(`${JSON.stringify({ ok: false, code: 'EVIDENCE_MALFORMED', detail: `cannot read ${file}` })}\n`);
    return 1;
  }
  const result = await verifyBundle(text, await loadEvidenceTrust(roots));
  const out = result.ok
    ? { ok: true, signedAt: result.signedAt, declarations: result.declarations, signer: result.signer }
    : { ok: false, code: result.code, detail: result.detail };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  return result.ok ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
