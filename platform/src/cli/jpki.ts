import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AppError } from '../shared/errors.js';
import {
  loadDevTrustStore, loadProductionTrustStore, parseCertificate, PURPOSE_OU, purposeOf, readPersonalData, verifyChain,
  type JpkiCertificate, type JpkiPurpose, type TrustStore,
} from '../jpki/verify/index.js';

const USAGE = `usage: npm run jpki -- inspect FILE [--at ISO-8601] [--mode production|dev] [--dev-roots DIR]

Prints one JSON object describing a JPKI certificate (PEM or DER) and whether its chain is good
at --at (default now) against the production J-LIS roots or the dev JPKI center's roots (--dev-roots:
a folder of root certificates, or a dev center folder). Exit 0 when the chain is good, 1 when not,
2 on a usage error.`;

interface InspectOutput {
  file: string;
  mode: 'production' | 'dev';
  at: string;
  purpose: 'sign' | 'auth' | null;
  subject: string | null;
  issuer: string | null;
  serial: string | null;
  notBefore: string | null;
  notAfter: string | null;
  fingerprint: string | null;
  rootGeneration: string | null;
  chain: { ok: true } | { ok: false; code: string; detail?: string };
  personalData?: { name: string; dateOfBirth: string; gender: string; address: string } | null;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { at: { type: 'string' }, mode: { type: 'string', default: 'production' }, 'dev-roots': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, file, ...extra] = positionals;
  if (command !== 'inspect' || !file || extra.length) return usage('expected: inspect FILE');
  const mode = values.mode;
  if (mode !== 'production' && mode !== 'dev') return usage('--mode must be production or dev');
  if (mode === 'dev' && !values['dev-roots']) return usage('--mode dev needs --dev-roots DIR');
  if (mode === 'production' && values['dev-roots']) return usage('--dev-roots only applies to --mode dev');
  const at = values.at ? new Date(values.at) : new Date();
  if (Number.isNaN(at.getTime()) || (values.at && !/^\d{4}-\d{2}-\d{2}/.test(values.at))) return usage('--at must be an ISO-8601 date or instant');

  let store: TrustStore;
  try {
    store = mode === 'production' ? loadProductionTrustStore() : await loadDevTrustStore(values['dev-roots']!);
  } catch (err) {
    console.error(`cannot load the ${mode} trust store: ${describe(err)}`);
    return 2;
  }

  const out: InspectOutput = {
    file, mode, at: at.toISOString(), purpose: null, subject: null, issuer: null, serial: null, notBefore: null, notAfter: null,
    fingerprint: null, rootGeneration: null, chain: { ok: false, code: 'PKI_MALFORMED' },
  };
  let cert: JpkiCertificate | null = null;
  try {
    cert = parseCertificate(new Uint8Array(await readFile(file)));
  } catch (err) {
    if (!(err instanceof AppError)) {
      console.error(`cannot read ${file}: ${describe(err)}`);
      return 2;
    }
    out.chain = failure(err);
  }
  if (cert) {
    Object.assign(out, {
      purpose: purposeOf(cert), subject: cert.subject, issuer: cert.issuer, serial: cert.serial,
      notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString(), fingerprint: cert.fingerprint,
    });
    // Without a policy, the issuer's OU still says which hierarchy to check against, so a CA
    // certificate or a policy-less leaf gets its precise refusal code.
    const purpose = out.purpose ?? purposeFromIssuer(cert);
    if (purpose === null) {
      out.chain = { ok: false, code: 'PKI_WRONG_PURPOSE', detail: 'neither the sign nor the auth hierarchy' };
    } else {
      try {
        const result = await verifyChain(cert, { purpose, trustStore: store, at });
        out.rootGeneration = result.rootGeneration;
        out.chain = { ok: true };
      } catch (err) {
        out.chain = failure(err);
      }
      if (out.purpose === 'sign') {
        try {
          const pd = readPersonalData(cert);
          out.personalData = { name: pd.name, dateOfBirth: pd.dateOfBirth, gender: pd.gender, address: pd.address };
        } catch {
          out.personalData = null;
        }
      }
    }
  }
  console.log(JSON.stringify(out, null, 2));
  return out.chain.ok ? 0 : 1;
}

function purposeFromIssuer(cert: JpkiCertificate): JpkiPurpose | null {
  const ous = new Set(cert.issuerAttributes.map((a) => a.value));
  if (ous.has(PURPOSE_OU.sign)) return 'sign';
  if (ous.has(PURPOSE_OU.auth)) return 'auth';
  return null;
}

function failure(err: unknown): { ok: false; code: string; detail?: string } {
  if (err instanceof AppError) return err.detail ? { ok: false, code: err.code, detail: err.detail } : { ok: false, code: err.code };
  return { ok: false, code: 'INTERNAL', detail: describe(err) };
}

function describe(err: unknown): string {
  if (err instanceof AppError) return `${err.code}${err.detail ? `: ${err.detail}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

function usage(problem: string): number {
  console.error(`${problem}\n\n${USAGE}`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
