import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { certificates, persons } from '../../../platform/src/db/schema/index.js';
import { feedDevCrls } from '../../../platform/src/demo/dev-jpki.js';
import { verifyAuditChain } from '../../../platform/src/identity/audit.js';
import { applyRenewals } from '../../../platform/src/identity/certificate-lifecycle.js';
import { exportLinkage, renewCard, revokeCertificate, writeCardFile } from '../../../platform/src/jpki/dev-center/index.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { IdentityFlow } from '../../helpers/identity-flow.js';

// identity/certificate-lifecycle.ts: what revocations (through the CRLs) and renewals (through
// the J-LIS linkage) do to registered people.
const flow = await IdentityFlow.start();
const { database } = flow.t;
/** Issued a day ago, so a revocation a minute ago falls inside its validity. */
const YESTERDAY = () => new Date(Date.now() - 86_400_000);

describe('certificate lifecycle', () => {
  it('a revoked sign certificate marks the person for re-confirmation; a revoked auth certificate ends logins', async () => {
    const [home, card] = [await flow.home(), await flow.card({ issued: YESTERDAY() })];
    const personId = await flow.registered(card, home);
    await revokeCertificate(flow.t.centerDir, { card: card.file, which: 'sign' }, 'affiliationChanged', { now: new Date(Date.now() - 60_000) });
    await revokeCertificate(flow.t.centerDir, { card: card.file, which: 'auth' }, 'keyCompromise', { now: new Date(Date.now() - 60_000) });
    await feedDevCrls(flow.t.identity, flow.t.centerDir);
    const [after] = await database.db.select().from(persons).where(eq(persons.id, personId));
    expect(after!.status).toBe('needs_reconfirmation');
    const certs = await database.db.select().from(certificates).where(eq(certificates.personId, personId));
    expect(certs.every((c) => c.status === 'revoked')).toBe(true);
    const { res } = await flow.login(card, home);
    expect(res.body.error.code).toBe('PKI_REVOKED');
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true });
  });

  it('renewal linkage moves the person to the new card, which can log in', async () => {
    // A person registers on their TV, then their card is renewed at the office.
    const [home, card] = [await flow.home(), await flow.card()];
    const registered = await flow.register(card, home);
    expect(registered.status).toBe(201);
    const confirmed = await flow.post(`/api/v1/registrations/${registered.body.registrationId}/confirm`, home.credential);
    const renewed = await renewCard(flow.t.centerDir, card.file, { keepOld: true });
    const path = join(mkdtempSync(join(tmpdir(), 'card-')), 'renewed.json');
    await writeCardFile(path, renewed.card);
    const linkage = await exportLinkage(flow.t.centerDir);
    const moved = await applyRenewals(flow.t.identity, linkage);
    expect(moved.moved).toBe(2);
    const newCard = await CardInReader.insert({ path });
    try {
      const { res } = await flow.login({ ...card, reader: newCard }, home);
      expect(res.status).toBe(201);
      expect(res.body.person.id).toBe(confirmed.body.personId);
    } finally {
      await newCard.close();
    }
    // The old card is superseded.
    expect((await flow.login(card, home)).res.body.error.code).toBe('PKI_REVOKED');
  });
});
