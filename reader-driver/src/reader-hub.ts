import { EventEmitter } from 'node:events';
import { AppError } from '../../platform/src/shared/errors.js';
import type { CardSession, ReaderBay, ReaderBayEvents, ReaderInfo } from './transport/transport.js';

/**
 * All the bays the driver watches (pcscd and/or the demo bay) as one: readers from every bay,
 * their events forwarded, `connect` routed to the bay that owns the reader.
 */
export class ReaderHub extends EventEmitter<ReaderBayEvents> {
  private readonly _bays: ReaderBay[] = [];

  add(bay: ReaderBay): void {
    this._bays.push(bay);
    for (const event of ['reader.added', 'reader.removed', 'card.inserted', 'card.removed'] as const) {
      bay.on(event, (info: ReaderInfo) => this.emit(event, info));
    }
  }

  /** Which kinds of bay are live, e.g. ['pcsc', 'virtual']. */
  kinds(): ReaderBay['kind'][] {
    return this._bays.map((b) => b.kind);
  }

  readers(): ReaderInfo[] {
    return this._bays.flatMap((b) => b.readers());
  }

  /** The reader named, or the only reader holding a card when no name is given. */
  resolveReader(name: string | undefined): string {
    const readers = this.readers();
    if (name) {
      if (!readers.some((r) => r.name === name)) throw new AppError('READER_NOT_FOUND', { detail: name });
      return name;
    }
    if (!readers.length) throw new AppError('READER_NOT_FOUND');
    const withCard = readers.filter((r) => r.cardPresent);
    if (!withCard.length) throw new AppError('CARD_ABSENT');
    return withCard[0]!.name;
  }

  async connect(readerName: string): Promise<CardSession> {
    const bay = this._bays.find((b) => b.readers().some((r) => r.name === readerName));
    if (!bay) throw new AppError('READER_NOT_FOUND', { detail: readerName });
    return bay.connect(readerName);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this._bays.map((b) => b.close()));
  }
}
