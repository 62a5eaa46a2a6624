import { parseArgs } from 'node:util';
import { AppError } from '../shared/errors.js';
import {
  buildCrl, exportLinkage, initCenter, issueCard, readCardFile, renewCard, revokeCertificate, startOcspServer, startTsaServer, writeCardFile,
  type IssuedCard, type Purpose,
} from '../jpki/dev-center/index.js';
import { writeFileAtomic } from '../jpki/dev-center/store.js';

/**
 * `npm run jpki-center -- <command>`: the dev JPKI center (a J-LIS stand-in issuing O=JPKI-TEST
 * cards). Commands and options are in platform/src/jpki/dev-center/README.md and `help`.
 */
const USAGE = `usage: npm run jpki-center -- <command> [options]

  init        --dir DIR [--seed S] [--generations 01,02,03] [--ocsp-url URL]
  issue-card  --dir DIR --out CARD.json [--id ID] [--name 氏名] [--birth YYYY-MM-DD] [--gender 1|2|3|9]
              [--address 住所] [--locality Toyama-ken/Nanto-shi] [--auth-pin 1234] [--sign-pin ABCD1234]
              [--issued YYYY-MM-DD|ISO] [--name-substitutes 0010] [--address-substitutes 00…]
  renew       --dir DIR --card OLD.json --out NEW.json [--issued …] [--name …] [--address …] [--locality …] [--keep-old]
  revoke      --dir DIR --card CARD.json --which sign|auth --reason REASON [--date YYYY-MM-DD|ISO]
  crl         --dir DIR --which sign|auth --out FILE.crl [--generation 02] [--this-update ISO] [--next-update ISO]
  linkage     --dir DIR --out FILE.json
  tsa         --dir DIR [--port 8318] [--host 127.0.0.1]   RFC 3161 timestamp authority over HTTP (dev only)
  ocsp        --dir DIR [--port 8319] [--host 127.0.0.1] [--validity-seconds 3600]   RFC 6960 OCSP responder over HTTP (dev only)
`;

/** Defaults of issue-card: the demo world's 山田　太郎 (README, platform/src/demo/world.ts). */
const DEFAULT_PERSON = {
  name: '山田　太郎', birth: '1950-04-01', gender: '1', address: '富山県南砺市城端１２３番地', authPin: '1234', signPin: 'YAMADA2024',
};

const OPTIONS = {
  dir: { type: 'string' }, seed: { type: 'string' }, generations: { type: 'string' }, 'ocsp-url': { type: 'string' },
  out: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, birth: { type: 'string' },
  gender: { type: 'string' }, address: { type: 'string' }, locality: { type: 'string' },
  'auth-pin': { type: 'string' }, 'sign-pin': { type: 'string' }, issued: { type: 'string' },
  'name-substitutes': { type: 'string' }, 'address-substitutes': { type: 'string' },
  card: { type: 'string' }, 'keep-old': { type: 'boolean' }, which: { type: 'string' }, reason: { type: 'string' },
  date: { type: 'string' }, generation: { type: 'string' }, 'this-update': { type: 'string' }, 'next-update': { type: 'string' },
  port: { type: 'string' }, host: { type: 'string' }, 'validity-seconds': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

async function main(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const command = positionals[0];
  if (v.help || !command || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (positionals.length > 1) throw usage(`unexpected argument "${positionals[1]}"`);
  const dir = required(v, 'dir');
  const started = performance.now();
  switch (command) {
    case 'init': {
      const info = await initCenter(dir, {
        seed: v.seed, ocspUrl: v['ocsp-url'], generations: v.generations?.split(',').map((g) => g.trim()),
      });
      for (const ca of [...info.roots.sign, ...info.roots.auth]) {
        console.log(`${ca.purpose} CA ${ca.generation}  serial ${ca.serial}  ${ca.notBefore} – ${ca.notAfter}  ${ca.file}`);
      }
      console.log(`center ready in ${dir}${info.seed === null ? '' : ` (seed "${info.seed}")`}`);
      break;
    }
    case 'issue-card': {
      const out = required(v, 'out');
      const issued = await issueCard(dir, {
        id: v.id, name: v.name ?? DEFAULT_PERSON.name, birth: v.birth ?? DEFAULT_PERSON.birth,
        gender: v.gender ?? DEFAULT_PERSON.gender, address: v.address ?? DEFAULT_PERSON.address, locality: v.locality,
        nameSubstitutes: v['name-substitutes'], addressSubstitutes: v['address-substitutes'],
        authPin: v['auth-pin'] ?? DEFAULT_PERSON.authPin, signPin: v['sign-pin'] ?? DEFAULT_PERSON.signPin, issued: v.issued,
      });
      await writeCardFile(out, issued.card);
      report(issued, out);
      break;
    }
    case 'renew': {
      const out = required(v, 'out');
      const old = await readCardFile(required(v, 'card'));
      const person = Object.fromEntries(Object.entries({
        name: v.name, birth: v.birth, gender: v.gender, address: v.address, locality: v.locality,
        nameSubstitutes: v['name-substitutes'], addressSubstitutes: v['address-substitutes'],
      }).filter(([, value]) => value !== undefined));
      const issued = await renewCard(dir, old, { issued: v.issued, person, keepOld: v['keep-old'] ?? false });
      await writeCardFile(out, issued.card);
      report(issued, out);
      if (!v['keep-old']) console.log('old sign and auth certificates revoked (superseded)');
      break;
    }
    case 'revoke': {
      const card = await readCardFile(required(v, 'card'));
      const r = await revokeCertificate(dir, { card, which: purpose(required(v, 'which')) }, required(v, 'reason'), { date: v.date });
      console.log(`revoked ${r.purpose} certificate ${r.serial} (CA ${r.generation}) at ${r.revokedAt}: ${r.reason}`);
      break;
    }
    case 'crl': {
      const out = required(v, 'out');
      const crl = await buildCrl(dir, {
        which: purpose(required(v, 'which')), generation: v.generation, thisUpdate: v['this-update'], nextUpdate: v['next-update'],
      });
      await writeFileAtomic(out, crl.der);
      console.log(`${out}: ${crl.purpose} CA ${crl.generation} CRL #${crl.crlNumber}, ${crl.entries.length} entries, ${crl.thisUpdate} → ${crl.nextUpdate}`);
      for (const [generation, count] of Object.entries(crl.elsewhere)) {
        console.log(`note: ${count} revoked ${crl.purpose} certificate(s) of CA ${generation} are on that generation's CRL (--generation ${generation})`);
      }
      break;
    }
    case 'linkage': {
      const out = required(v, 'out');
      const linkage = await exportLinkage(dir);
      await writeFileAtomic(out, JSON.stringify(linkage, null, 2) + '\n');
      console.log(`${out}: ${linkage.cards.length} cards, ${linkage.renewals.length} renewals`);
      break;
    }
    case 'tsa': {
      const port = Number(v.port ?? '8318');
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw usage('--port must be a port number');
      const tsa = await startTsaServer({ dir, port, host: v.host });
      console.log(`timestamp authority at ${tsa.url} (certificate: ${dir}/services/tsa.pem); Ctrl-C to stop`);
      return;
    }
    case 'ocsp': {
      const port = Number(v.port ?? '8319');
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw usage('--port must be a port number');
      const validity = Number(v['validity-seconds'] ?? '3600');
      if (!Number.isInteger(validity) || validity < 1) throw usage('--validity-seconds must be a positive whole number');
      const ocsp = await startOcspServer({ dir, port, host: v.host, validityMs: validity * 1000 });
      console.log(`OCSP responder at ${ocsp.url} (delegated responder certificates: ${dir}/ocsp/); Ctrl-C to stop`);
      console.log('certificates name it when the center was made with init --ocsp-url; otherwise set OCSP_URL_AUTH / OCSP_URL_SIGN for the platform');
      return;
    }
    default:
      throw usage(`unknown command "${command}"`);
  }
  console.error(`(${((performance.now() - started) / 1000).toFixed(2)} s)`);
}

function report(issued: IssuedCard, out: string): void {
  console.log(`${out}: card ${issued.card.id}`);
  for (const c of [issued.sign, issued.auth]) {
    console.log(`  ${c.purpose} certificate ${c.serial} (CA ${c.generation})  ${c.notBefore} – ${c.notAfter}`);
  }
}

function required(v: Values, name: keyof Values): string {
  const value = v[name];
  if (typeof value !== 'string' || value === '') throw usage(`--${name} is required`);
  return value;
}

function purpose(value: string): Purpose {
  if (value !== 'sign' && value !== 'auth') throw usage(`--which must be sign or auth, got "${value}"`);
  return value;
}

function usage(detail: string): AppError {
  return new AppError('REQ_INVALID', { detail });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof AppError) console.error(`error (${err.code}): ${err.detail ?? err.message}`);
  else if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) console.error(`error: ${err.message}\n\n${USAGE}`);
  else console.error(err);
  process.exitCode = 1;
});
