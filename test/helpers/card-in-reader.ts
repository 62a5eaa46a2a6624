import { JpkiClient } from '../../reader-driver/src/card/jpki-client.js';
import { VirtualBay } from '../../reader-driver/src/transport/virtual-bay.js';
import { FileCardStore } from '../../reader-driver/src/virtual-card/card-store.js';
import { VirtualCard } from '../../reader-driver/src/virtual-card/virtual-card.js';
import { copyFixtureCard, type WallClockCardName } from './jpki-fixtures.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * A fixture card in a virtual reader, driven by the reader driver's real JpkiClient: what a TV
 * does with the card, without the WebSocket in between. Each instance has its own copy of the
 * card file, so PIN counters never leak between tests.
 */
export class CardInReader {
  private constructor(private readonly bay: VirtualBay, readonly card: VirtualCard) {}

  static async insert(name: WallClockCardName | { path: string }): Promise<CardInReader> {
    const path = typeof name === 'string' ? await copyFixtureCard(name) : name.path;
    const card = await VirtualCard.open(new FileCardStore(path));
    const bay = new VirtualBay(['Test reader']);
    bay.insert('Test reader', card);
    return new CardInReader(bay, card);
  }

  private async client(): Promise<{ client: JpkiClient; done: () => Promise<void> }> {
    const session = await this.bay.connect('Test reader');
    return { client: new JpkiClient(session), done: () => session.disconnect() };
  }

  /** Signs a platform-supplied DigestInfo (base64) with one key; returns certificate and signature. */
  async sign(key: 'auth' | 'sign', pin: string, digestInfo: string): Promise<{ certificate: string; signature: string }> {
    const { client, done } = await this.client();
    try {
      const certificate = key === 'auth' ? await client.readAuthCertificate() : await client.readSignCertificate(pin);
      const signature = await client.sign(key, pin, Buffer.from(digestInfo, 'base64'));
      return { certificate: b64(certificate), signature: b64(signature) };
    } finally {
      await done();
    }
  }

  /** The auth certificate alone (what a shelter tablet reads, no PIN). */
  async authCertificate(): Promise<string> {
    const { client, done } = await this.client();
    try {
      return b64(await client.readAuthCertificate());
    } finally {
      await done();
    }
  }

  close(): Promise<void> {
    return this.bay.close();
  }
}
