import { constants, createPrivateKey, privateEncrypt } from 'node:crypto';
import { serviceCredentials, startTsaServer } from '../../../platform/src/jpki/dev-center/index.js';
import { buildSignedAttributes, createJpkiContext, type JpkiContext } from '../../../platform/src/jpki/index.js';
import { encodeDocument, type Declarations } from '../../../platform/src/pension/document.js';
import type { EvidenceTrust } from '../../../platform/src/pension/evidence-bundle.js';
import { httpTimestampClient, type SealContext } from '../../../platform/src/pension/seal.js';
import { pensionRevocation } from '../../../platform/src/pension/seal-services.js';
import { loadEvidenceTrust } from '../../../platform/src/pension/trust.js';
import { digestInfoForMessage } from '../../../platform/src/shared/digest-info.js';
import { copyJpkiCenter, FIXTURE_TIME, jpkiFixtures, type FixtureCardName } from '../../helpers/jpki-fixtures.js';

/** One hour after the fixture CRLs: the clock of every pension test. */
export const NOW = new Date(FIXTURE_TIME.getTime() + 3600_000);
export const DAY = 24 * 3600;
export const DECLARATIONS: Declarations = { aliveAndSigningMyself: true, addressUnchanged: true, nameUnchanged: true, paymentAccountUnchanged: false, changes: 'ゆうちょ銀行に変えました' };
const SECRET = 'test-secret-0123456789abcdef';

/** A private dev center with the fixture sign CRLs loaded, its TSA on an ephemeral port, and a seal context. */
export async function sealWorld() {
  const fx = await jpkiFixtures();
  const dir = await copyJpkiCenter();
  const creds = await serviceCredentials(dir);
  const jpki = await createJpkiContext({ jpkiMode: 'dev', jpkiDevDir: dir, certLookupSecret: SECRET, crlMaxAgeSeconds: 365 * DAY });
  jpki.ingestCrl('sign', fx.crls.sign['03']!);
  jpki.ingestCrl('sign', fx.crls.sign['02']!);
  const tsa = await startTsaServer({ dir, port: 0, now: () => NOW });
  const trust: EvidenceTrust = await loadEvidenceTrust(dir);
  const ctx: SealContext = {
    trustStore: jpki.trustStore,
    revocation: pensionRevocation(jpki),
    tsa: httpTimestampClient(tsa.url, [creds.root]),
    signer: { key: creds.platform.key, certificate: creds.platform.certificate },
    maxCrlAgeSeconds: 2 * DAY,
    now: () => NOW,
  };
  /** A JPKI context of the same center with no CRL yet (revocation unknown). */
  const withoutCrl = () => createJpkiContext({ jpkiMode: 'dev', jpkiDevDir: dir, certLookupSecret: SECRET, crlMaxAgeSeconds: 365 * DAY });
  return { dir, jpki, tsa, trust, ctx, withoutCrl };
}

/** What the TV and the card do: the platform's document and attributes, the card's RSA over DigestInfo. */
export async function cardSigned(card: FixtureCardName = 'yamada-taro', serviceUid = 'uid-abc') {
  const fx = await jpkiFixtures();
  const document = encodeDocument({
    insurer: { id: 'ins-1', name: 'なんと生命' }, policyRef: 'P-0001', serviceUid, campaignId: 'c-1',
    period: '2025-06', declarations: DECLARATIONS, nonce: 'n-1', preparedAt: NOW.toISOString(),
  });
  const signedAttributes = buildSignedAttributes(document, NOW);
  const key = createPrivateKey({ key: Buffer.from(fx.cards[card].card.keys.sign, 'base64'), format: 'der', type: 'pkcs8' });
  const signature = privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfoForMessage(signedAttributes));
  return { document, signedAttributes, signature: new Uint8Array(signature), certificate: new Uint8Array(fx.cards[card].signDer) };
}

export type { JpkiContext };
