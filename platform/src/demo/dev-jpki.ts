import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildPartitionedCrls, exportLinkage, initCenter, issueCard, loadCenter, writeCardFile, type CenterInfo } from '../jpki/dev-center/index.js';
import { STATE_FILE } from '../jpki/dev-center/store.js';
import { ingestCrl } from '../identity/crl-store.js';
import type { IdentityDeps } from '../identity/deps.js';
import { readFile } from 'node:fs/promises';
import { and, eq, isNull } from 'drizzle-orm';
import type { CardFile } from '../shared/card-file.js';
import { staffMembers } from '../staff/schema.js';
import { organisations } from '../db/schema/index.js';
import { ingestLinkage, type LinkageIngestion } from '../identity/linkage-ingest.js';
import { ensurePrivateDir } from '../shared/private-fs.js';
import { DEMO_PEOPLE, DEMO_STAFF } from './world.js';

/** Everyone the demo issues a card to: the residents, and the console's staff. */
const DEMO_CARD_HOLDERS = [
  ...DEMO_PEOPLE,
  ...DEMO_STAFF.map(({ card, name, birth, gender, address, authPin, signPin }) => ({ id: card, name, birth, gender, address, authPin, signPin })),
];

/** The dev JPKI center of this data folder, created on first use (dev mode stands in for J-LIS). */
export async function ensureDevCenter(dir: string): Promise<CenterInfo> {
  if (existsSync(join(dir, STATE_FILE))) {
    // A center made by an older version may be open to other users: close it (keys live in ca/).
    ensurePrivateDir(dir);
    if (existsSync(join(dir, 'ca'))) ensurePrivateDir(join(dir, 'ca'));
    return loadCenter(dir);
  }
  return initCenter(dir, { seed: 'demo-center' });
}

/**
 * Issues the demo people's virtual cards into `cardsDir` (one CARD.json each) unless they exist,
 * so the demo card bay can hold them. Existing cards keep their PIN counters.
 */
export async function issueDemoCards(centerDir: string, cardsDir: string): Promise<string[]> {
  ensurePrivateDir(cardsDir);
  const issued: string[] = [];
  for (const person of DEMO_CARD_HOLDERS) {
    const path = join(cardsDir, `${person.id}.json`);
    if (existsSync(path)) continue;
    const { card } = await issueCard(centerDir, {
      id: person.id, name: person.name, birth: person.birth, gender: person.gender, address: person.address,
      authPin: person.authPin, signPin: person.signPin,
    });
    await writeCardFile(path, card);
    issued.push(person.id);
  }
  return issued;
}

/**
 * Binds each demo staff member to their demo card (what redeeming an invitation does), so the demo
 * staff log in with the card alone. Idempotent: only members still without a card are bound.
 */
export async function enrolDemoStaff(deps: IdentityDeps, cardsDir: string): Promise<number> {
  let enrolled = 0;
  for (const member of DEMO_STAFF) {
    const card = JSON.parse(await readFile(join(cardsDir, `${member.card}.json`), 'utf8')) as CardFile;
    const chain = await deps.jpki.verify(deps.jpki.parse(card.files['000A']!), 'auth');
    const [org] = await deps.db.select({ id: organisations.id }).from(organisations).where(eq(organisations.code, member.org));
    if (!org) continue;
    const bound = await deps.db.update(staffMembers).set({ certLookupKey: deps.jpki.lookupKeyOf(chain) })
      .where(and(eq(staffMembers.organisationId, org.id), eq(staffMembers.displayName, member.displayName), isNull(staffMembers.certLookupKey), isNull(staffMembers.removedAt)))
      .returning({ id: staffMembers.id });
    enrolled += bound.length;
  }
  return enrolled;
}

/**
 * Stands in for J-LIS's CRL distribution in dev mode: for every root generation valid now, a fresh
 * partitioned CRL per distribution point (as J-LIS publishes them, one per municipality), each
 * filed under its DP, installed and applied like a real one. Returns how many CRLs were fed.
 */
export async function feedDevCrls(deps: IdentityDeps, centerDir: string, now = new Date()): Promise<number> {
  const center = await loadCenter(centerDir);
  let fed = 0;
  for (const purpose of ['sign', 'auth'] as const) {
    for (const root of center.roots[purpose]) {
      if (new Date(root.notBefore) > now || new Date(root.notAfter) < now) continue;
      for (const crl of await buildPartitionedCrls(centerDir, { which: purpose, generation: root.generation, thisUpdate: now })) {
        await ingestCrl(deps, purpose, crl.der, 'system:dev-center', { filedUnder: crl.distributionPoint });
        fed++;
      }
    }
  }
  return fed;
}

/**
 * Stands in for J-LIS's linkage data in dev mode: the dev center's sign↔auth pair of every card
 * it issued (and its renewals), ingested like a real delivery, so demo cards register at once.
 */
export async function feedDevLinkage(deps: IdentityDeps, centerDir: string): Promise<LinkageIngestion> {
  return ingestLinkage(deps, await exportLinkage(centerDir), 'system:dev-center');
}
