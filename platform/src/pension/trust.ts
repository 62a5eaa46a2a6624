import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDevTrustStore } from '../jpki/index.js';
import { fromPemCertificates } from './pem.js';
import type { EvidenceTrust } from './evidence-bundle.js';

/**
 * The roots an offline verifier trusts, from one folder: the JPKI roots (`DIR/ca/*.pem` or
 * `DIR/*.pem`, as the dev center keeps them) and the TSA and platform roots in `DIR/services/`.
 */
export async function loadEvidenceTrust(dir: string): Promise<EvidenceTrust> {
  const jpki = await loadDevTrustStore(dir);
  const servicesDir = join(dir, 'services');
  const services: Uint8Array[] = [];
  for (const name of (await readdir(servicesDir).catch(() => [] as string[])).filter((n) => /\.pem$/.test(n) && !n.includes('.key.')).sort()) {
    services.push(...fromPemCertificates(await readFile(join(servicesDir, name), 'utf8')));
  }
  return { jpki, services };
}
