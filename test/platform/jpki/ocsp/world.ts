import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { centerResponders, type CenterResponders, type OcspSigner } from '../../../../platform/src/jpki/dev-center/index.js';
import { loadState, type CenterState } from '../../../../platform/src/jpki/dev-center/store.js';
import { copyJpkiCenter, jpkiFixtures, type JpkiFixtures } from '../../../helpers/jpki-fixtures.js';

/** A copy of the fixture center with its OCSP responders issued, and the CA keys tests sign with. */
export interface OcspWorld {
  fixtures: JpkiFixtures;
  dir: string;
  state: CenterState;
  responders: CenterResponders;
  /** Auth CA generation 03 (the fixture cards' issuer) and 02 (same DN, other key). */
  auth03: { der: Buffer; key: KeyObject };
  auth02: { der: Buffer; key: KeyObject };
  /** The delegated responder of auth CA 03. */
  signer03: OcspSigner;
  /** A fresh RSA key for certificates tests make up. */
  otherKey: KeyObject;
}

let world: Promise<OcspWorld> | undefined;

/** Built once per test file: copying the center and issuing six responder keys takes a second or two. */
export function ocspWorld(): Promise<OcspWorld> {
  world ??= (async () => {
    const fixtures = await jpkiFixtures();
    const dir = await copyJpkiCenter();
    const responders = await centerResponders(dir);
    const state = await loadState(dir);
    const ca = async (generation: string) => {
      const info = fixtures.center.roots.auth.find((r) => r.generation === generation)!;
      return { der: info.der, key: createPrivateKey(await readFile(join(dir, 'ca', `authca${generation}.key.pem`), 'utf8')) };
    };
    const auth03 = await ca('03');
    const signer03 = [...responders.values()].find((r) => r.purpose === 'auth' && r.generation === '03')!.signer;
    return { fixtures, dir, state, responders, auth03, auth02: await ca('02'), signer03, otherKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey };
  })();
  return world;
}
