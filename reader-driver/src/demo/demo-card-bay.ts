import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../platform/src/shared/errors.js';
import { VirtualBay } from '../transport/virtual-bay.js';
import type { ReaderInfo } from '../transport/transport.js';
import { FileCardStore } from '../virtual-card/card-store.js';
import type { LatencyModel } from '../virtual-card/latency.js';
import { VirtualCard } from '../virtual-card/virtual-card.js';
import type { DemoControl } from '../ws/handlers.js';

/** The reader the demo bay offers; cards go in and out of it with `npm run demo -- insert ID`. */
export const DEMO_READER = 'Demo card bay';

/**
 * Virtual readers holding the demo people's cards, so anyone can try the TV flow without
 * hardware. Each card is a `CARD.json` in `dir`; PIN counters persist there, as on a real card.
 */
export class DemoCardBay implements DemoControl {
  readonly bay = new VirtualBay([DEMO_READER]);
  private readonly _cards = new Map<string, VirtualCard>();
  private readonly _inserted = new Map<string, string>(); // reader → card id

  private constructor() {}

  /** Loads every `*.json` card file in `dir`. */
  static async load(dir: string, latency: LatencyModel | 'contact' | null): Promise<DemoCardBay> {
    const demo = new DemoCardBay();
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    } catch (err) {
      throw new AppError('CONFIG_INVALID', { detail: `demo card folder ${dir} cannot be read`, cause: err });
    }
    for (const file of files) {
      const card = await VirtualCard.open(new FileCardStore(join(dir, file)), { latency });
      demo._cards.set(card.id, card);
    }
    return demo;
  }

  cards(): { id: string; label: string; insertedIn: string | null }[] {
    return [...this._cards.keys()].map((id) => ({
      id,
      label: id,
      insertedIn: [...this._inserted].find(([, cardId]) => cardId === id)?.[0] ?? null,
    }));
  }

  async insert(cardId: string, readerName = DEMO_READER): Promise<ReaderInfo> {
    const card = this._cards.get(cardId);
    if (!card) throw new AppError('REQ_NOT_FOUND', { detail: `no demo card ${cardId}; try: npm run demo -- cards` });
    // One physical card can only be in one reader.
    for (const [reader, id] of this._inserted) if (id === cardId) await this.remove(reader);
    this.bay.insert(readerName, card);
    this._inserted.set(readerName, cardId);
    return this.bay.readers().find((r) => r.name === readerName)!;
  }

  async remove(readerName = DEMO_READER): Promise<ReaderInfo | null> {
    if (!this.bay.remove(readerName)) return null;
    this._inserted.delete(readerName);
    return this.bay.readers().find((r) => r.name === readerName) ?? null;
  }
}
