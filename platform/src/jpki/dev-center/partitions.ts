import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { AppError } from '../../shared/errors.js';
import { distributionPointOfExtension } from '../revocation/distribution-point.js';
import { parseCertificate } from './certificates.js';
import { buildCrlDer } from './crl.js';
import { MUNICIPALITIES, PREFECTURES } from './localities.js';
import { crlDistributionPoints, leafCrlDpDn, OID, PURPOSES, serialHex, type Purpose } from './profile.js';
import { fromPem, loadState, readCaCertificate, readCaKey, saveState, withCenterLock, type CaRecord, type CenterState } from './store.js';

/**
 * Partitioned CRLs as J-LIS publishes them: one per (purpose, CA generation, distribution point),
 * each with a critical IssuingDistributionPoint naming exactly the DP its certificates carry and
 * its own CRL number sequence. The whole-CA CRL (`buildCrl`) stays available beside them.
 */

const DAY_MS = 24 * 3600_000;

/** Options of `buildPartitionedCrls`. */
export interface PartitionedCrlOptions {
  which: Purpose;
  /** Issuing generation; default the newest. */
  generation?: string;
  /** Default now. Revocations dated after it are not listed yet. */
  thisUpdate?: Date;
  /** Default thisUpdate + 24 h. */
  nextUpdate?: Date;
}

/** One partition's CRL and what it says. */
export interface PartitionCrl {
  der: Buffer;
  purpose: Purpose;
  generation: string;
  /** The DP as the platform keys it (`C=JP, O=JPKI-TEST, …, CN=Nanto-shi CRLDP`). */
  distributionPoint: string;
  crlNumber: number;
  thisUpdate: string;
  nextUpdate: string;
  /** Serials listed (upper-case hex). */
  serials: string[];
}

/** One CRL per distribution point of the certificates one CA generation issued. */
export async function buildPartitionedCrls(dir: string, opts: PartitionedCrlOptions): Promise<PartitionCrl[]> {
  if (!(PURPOSES as readonly string[]).includes(opts.which)) throw invalid(`which must be sign or auth, got "${opts.which}"`);
  const thisUpdate = opts.thisUpdate ?? new Date();
  const nextUpdate = opts.nextUpdate ?? new Date(thisUpdate.getTime() + DAY_MS);
  if (!(nextUpdate > thisUpdate)) throw invalid('next-update must be after this-update');
  return withCenterLock(dir, async () => {
    const state = await loadState(dir);
    const ca = newestOrNamed(state, opts.which, opts.generation);
    if (thisUpdate < new Date(ca.notBefore) || thisUpdate > new Date(ca.notAfter)) {
      throw invalid(`this-update ${thisUpdate.toISOString()} is outside ${opts.which} CA generation ${ca.generation}`);
    }
    const partitions = await partitionsOf(dir, state, ca);
    const issuer = parseCertificate(await readCaCertificate(dir, ca));
    const issuerKey = await readCaKey(dir, ca);
    const numbers = (ca.partitionCrlNumbers ??= {});
    const built: PartitionCrl[] = [];
    for (const [dp, partition] of [...partitions].sort(([a], [b]) => a.localeCompare(b))) {
      const listed = state.revocations
        .filter((r) => r.purpose === ca.purpose && r.generation === ca.generation && partition.serials.has(r.serial) && new Date(r.revokedAt) <= thisUpdate)
        .sort((a, b) => a.serial - b.serial);
      const crlNumber = (numbers[dp] ?? 0) + 1;
      numbers[dp] = crlNumber;
      built.push({
        der: buildCrlDer({
          issuer, issuerKey, crlNumber, thisUpdate, nextUpdate,
          entries: listed.map((r) => ({ serial: r.serial, revokedAt: new Date(r.revokedAt), reason: r.reason })),
          issuingDistributionPoint: partition.idp,
        }),
        purpose: ca.purpose, generation: ca.generation, distributionPoint: dp, crlNumber,
        thisUpdate: thisUpdate.toISOString(), nextUpdate: nextUpdate.toISOString(), serials: listed.map((r) => serialHex(r.serial)),
      });
    }
    await saveState(dir, state);
    return built;
  });
}

interface Partition {
  /** IssuingDistributionPoint DER naming the DP with the certificates' own DistributionPointName bytes. */
  idp: Uint8Array;
  serials: Set<number>;
}

/**
 * The distribution points of a CA: every municipality of the locality table (J-LIS publishes a CRL
 * for each DP, empty or not, so a card issued later is covered at once) and every DP its
 * certificates name, read back from the certificates themselves.
 */
async function partitionsOf(dir: string, state: CenterState, ca: CaRecord): Promise<Map<string, Partition>> {
  const partitions = new Map<string, Partition>();
  const add = (extnValue: Uint8Array): Partition | null => {
    const dp = distributionPointOfExtension(extnValue);
    if (dp === null) return null;
    let partition = partitions.get(dp);
    if (!partition) {
      partition = { idp: idpNaming(extnValue), serials: new Set() };
      partitions.set(dp, partition);
    }
    return partition;
  };
  for (const m of MUNICIPALITIES) {
    const prefecture = PREFECTURES.find(([kanji]) => kanji === m.prefecture)![1];
    add(new Uint8Array(crlDistributionPoints(leafCrlDpDn(ca.purpose, prefecture, m.romaji)).toSchema().toBER(false)));
  }
  for (const record of state.certificates) {
    if (record.purpose !== ca.purpose || record.generation !== ca.generation) continue;
    const cert = parseCertificate(fromPem(await readFile(join(dir, record.file), 'utf8')));
    const ext = cert.extensions?.find((e) => e.extnID === OID.crlDistributionPoints);
    if (ext) add(ext.extnValue.valueBlock.valueHexView)?.serials.add(record.serial);
  }
  return partitions;
}

/**
 * The IssuingDistributionPoint naming the first DP of a cRLDistributionPoints value:
 * CRLDistributionPoints ::= SEQUENCE { DistributionPoint { [0] DistributionPointName … } }, and
 * the IDP's [0] is the same DistributionPointName, byte for byte.
 */
function idpNaming(extnValue: Uint8Array): Uint8Array {
  const points = asn1js.fromBER(Uint8Array.from(extnValue).buffer).result as asn1js.Sequence;
  const point = points.valueBlock.value[0] as asn1js.Sequence;
  return new Uint8Array(new asn1js.Sequence({ value: [point.valueBlock.value[0]!] }).toBER(false));
}

function newestOrNamed(state: CenterState, purpose: Purpose, generation: string | undefined): CaRecord {
  const all = state.cas.filter((c) => c.purpose === purpose).sort((a, b) => a.generation.localeCompare(b.generation));
  const ca = generation === undefined ? all[all.length - 1] : all.find((c) => c.generation === generation);
  if (!ca) throw invalid(`no ${purpose} CA generation "${generation}"; have ${all.map((c) => c.generation).join(', ')}`);
  return ca;
}

function invalid(detail: string): AppError {
  return new AppError('REQ_INVALID', { detail });
}
