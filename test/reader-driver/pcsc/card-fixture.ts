import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { ApduProcessor } from '../../../reader-driver/src/virtual-card/apdu-processor.js';
import { CARD_FILE_FORMAT, type CardFile } from '../../../platform/src/shared/card-file.js';

/** A DER SEQUENCE of exactly `total` bytes (long form 82), random content: enough for a certificate EF. */
export function derBlob(total: number): Buffer {
  const content = total - 4;
  return Buffer.concat([Buffer.from([0x30, 0x82, content >> 8, content & 0xff]), randomBytes(content)]);
}

export interface TestCard {
  file: CardFile;
  authCert: Buffer;
  signCert: Buffer;
  authPublicKey: KeyObject;
  signPublicKey: KeyObject;
  pins: { auth: string; sign: string };
}

/**
 * A minimal valid card file: fresh RSA-2048 keys, certificate EFs holding DER SEQUENCEs of real
 * My Number Card sizes (leaf 1586 B, CA 1301/1319 B, SPEC §1.3). Not X.509: the transport does
 * not care.
 */
export function buildTestCard(): TestCard {
  const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const auth = pair();
  const sign = pair();
  const authCert = derBlob(1586);
  const signCert = derBlob(1650);
  const pins = { auth: '1234', sign: 'ABC123' };
  const file: CardFile = {
    format: CARD_FILE_FORMAT,
    id: 'pcsc-test-card',
    tokenLabel: 'JPKIAPICCTOKEN2',
    atr: '3BE000FF8131FE4514',
    files: {
      '0001': signCert.toString('base64'),
      '0002': derBlob(1319).toString('base64'),
      '000A': authCert.toString('base64'),
      '000B': derBlob(1301).toString('base64'),
    },
    keys: {
      auth: auth.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      sign: sign.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    },
    pins: { auth: { value: pins.auth, triesLeft: 3 }, sign: { value: pins.sign, triesLeft: 5 } },
  };
  return { file, authCert, signCert, authPublicKey: createPublicKey(auth.privateKey), signPublicKey: createPublicKey(sign.privateKey), pins };
}

/** Wraps a card so a test can act just before it processes a command (e.g. pull it mid-signature). */
export class HookedCard implements ApduProcessor {
  beforeProcess: ((command: Uint8Array) => Promise<void> | void) | null = null;
  constructor(readonly inner: ApduProcessor) {}
  get atr() {
    return this.inner.atr;
  }
  powerOn() {
    return this.inner.powerOn();
  }
  powerOff() {
    this.inner.powerOff();
  }
  reset() {
    return this.inner.reset();
  }
  async process(command: Uint8Array) {
    await this.beforeProcess?.(command);
    return this.inner.process(command);
  }
}
