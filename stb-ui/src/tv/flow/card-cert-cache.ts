import type { DriverEvent } from '../../api/reader-client.js';
import type { FlowReader } from './flow-state.js';

/**
 * The auth certificate of the card lying in a reader, read once while it lies there (no PIN: the
 * certificate is public, and it stays in this page's memory). Read when a card is put in while no
 * flow runs, and kept from a flow's own card check, so ログイン does not wait ~0.5 s for the card
 * to be read again. Forgotten when the card leaves, the reader goes, or the link to the driver
 * drops (events may have been missed then). A wrong cache costs nothing: the platform checks the
 * signature against the certificate.
 */
export class CardCertCache {
  private readonly _byReader = new Map<string, Promise<string>>();
  private readonly _unsubscribe: () => void;

  /** `busy`: a flow is doing card work (no read may start then; the flow reads for itself). */
  constructor(private readonly _reader: FlowReader, private readonly _busy: () => boolean) {
    const offEvent = _reader.onEvent((e) => this._onEvent(e));
    const offChange = _reader.onChange(() => {
      if (_reader.state !== 'open') this._byReader.clear();
      else this._readPresentCards();
    });
    this._unsubscribe = () => {
      offEvent();
      offChange();
    };
  }

  /** The certificate of the card in `reader` (read or being read), or null. */
  get(reader: string | undefined): Promise<string> | null {
    return reader === undefined ? null : this._byReader.get(reader) ?? null;
  }

  /** A flow read the card in `reader` itself. */
  put(reader: string | undefined, der: string): void {
    if (reader !== undefined) this._byReader.set(reader, Promise.resolve(der));
  }

  dispose(): void {
    this._unsubscribe();
    this._byReader.clear();
  }

  private _onEvent(e: DriverEvent): void {
    if (e.event === 'heartbeat') return;
    if (e.event === 'card.removed' || e.event === 'reader.removed') this._byReader.delete(e.data.name);
    // The reader client says a card is there (onChange, which reads it) just before it passes the
    // event on: a read found here is already this insertion's (a removal forgets the last one).
    // Reading again would be refused while that read runs (the reader is busy), leaving nothing cached.
    else if (e.event === 'card.inserted' && !this._byReader.has(e.data.name)) this._read(e.data.name);
  }

  private _readPresentCards(): void {
    for (const r of this._reader.readers) if (r.cardPresent && !this._byReader.has(r.name)) this._read(r.name);
  }

  private _read(reader: string): void {
    if (this._busy()) return;
    const read = this._reader.send('cert.read', { which: 'auth', reader }).result.then((r) => r.der);
    this._byReader.set(reader, read);
    // A failed read (card pulled mid-read, not a My Number Card) is simply not cached.
    read.catch(() => {
      if (this._byReader.get(reader) === read) this._byReader.delete(reader);
    });
  }
}
