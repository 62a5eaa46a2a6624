import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { ApduProcessor } from './apdu-processor.js';
import { VPCD_DEFAULT_PORT, VpcdControl, VpcdFrameDecoder, encodeVpcdFrame, parseVpcdPayload } from './vpcd-protocol.js';

/** pino-compatible subset; the bridge never logs APDU bytes (a VERIFY carries the PIN). */
export interface BridgeLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface VpcdBridgeOptions {
  /** vpcd's address; loopback by default. */
  host?: string;
  /** vpcd's port for the reader slot to present the card in (default 35963, slot 0). */
  port?: number;
  /** Pause before each reconnection attempt while vpcd is unreachable (default 500 ms). */
  reconnectDelayMs?: number;
  logger?: BridgeLogger;
}

export interface VpcdBridgeEvents {
  /** The TCP connection to vpcd is up: pcscd now sees the card in the reader. */
  connected: [];
  /** The connection dropped (vpcd or pcscd restarted, or `close()`): pcscd sees the card removed. */
  disconnected: [];
}

/** Answer to an APDU the card failed to process: 6F00 "no precise diagnosis" (ISO 7816-4). */
const SW_NO_PRECISE_DIAGNOSIS = Uint8Array.of(0x6f, 0x00);

const silent: BridgeLogger = { debug() {}, info() {}, warn() {} };

/**
 * Presents an `ApduProcessor` (the virtual My Number Card) in a vsmartcard `vpcd` reader: connects
 * to vpcd as its virtual card, answers power, reset, ATR and APDU messages, and reconnects
 * whenever the connection drops until `close()`. To pcscd and every PC/SC client the card is then
 * indistinguishable from one in a physical contact reader.
 *
 * @fires connected - the card is in the reader
 * @fires disconnected - the card left the reader
 */
export class VpcdBridge extends EventEmitter<VpcdBridgeEvents> {
  readonly host: string;
  readonly port: number;
  private readonly _card: ApduProcessor;
  private readonly _reconnectDelayMs: number;
  private readonly _log: BridgeLogger;
  private _socket: Socket | null = null;
  private _connected = false;
  private _running = false;
  private _retryTimer: NodeJS.Timeout | null = null;
  /** Messages are answered strictly in order: vpcd waits for each answer before the next. */
  private _queue: Promise<void> = Promise.resolve();

  constructor(card: ApduProcessor, options: VpcdBridgeOptions = {}) {
    super();
    this._card = card;
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? VPCD_DEFAULT_PORT;
    this._reconnectDelayMs = options.reconnectDelayMs ?? 500;
    this._log = options.logger ?? silent;
  }

  /** Whether the card is connected to vpcd right now. */
  get isConnected(): boolean {
    return this._connected;
  }

  /** Starts presenting the card (connecting, and reconnecting, in the background). Idempotent. */
  start(): this {
    if (this._running) return this;
    this._running = true;
    this._dial();
    return this;
  }

  /** Resolves once connected to vpcd; rejects after `timeoutMs`. Starts the bridge if needed. */
  async waitConnected(timeoutMs = 5000): Promise<void> {
    this.start();
    if (this._connected) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connected', onConnected);
        reject(new Error(`vpcd at ${this.host}:${this.port} did not accept the card within ${timeoutMs} ms (is pcscd running with the vpcd driver?)`));
      }, timeoutMs);
      const onConnected = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connected', onConnected);
    });
  }

  /** Takes the card out of the reader: disconnects and stops reconnecting. `start()` puts it back. */
  async close(): Promise<void> {
    this._running = false;
    if (this._retryTimer) clearTimeout(this._retryTimer);
    this._retryTimer = null;
    const socket = this._socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private _dial(): void {
    if (!this._running || this._socket) return;
    const socket = connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    this._socket = socket;
    const decoder = new VpcdFrameDecoder();

    socket.on('connect', () => {
      this._connected = true;
      this._log.info({ host: this.host, port: this.port }, 'virtual card connected to vpcd');
      this.emit('connected');
    });
    socket.on('data', (chunk) => {
      for (const payload of decoder.push(chunk)) {
        // A card that throws must not stall the queue or surface as an unhandled rejection.
        this._queue = this._queue
          .then(() => this._answer(socket, payload))
          .catch((err: unknown) => this._log.warn({ err: errorText(err) }, 'virtual card failed to answer vpcd'));
      }
    });
    // 'close' always follows 'error'; the error itself only says why.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNREFUSED') this._log.warn({ code: err.code, err: err.message }, 'vpcd connection error');
    });
    socket.on('close', () => {
      decoder.reset();
      if (this._socket === socket) this._socket = null;
      if (this._connected) {
        this._connected = false;
        // Losing the connection is losing contact: the card powers down as a real one would.
        try {
          this._card.powerOff();
        } catch (err) {
          this._log.warn({ err: errorText(err) }, 'virtual card failed to power off');
        }
        this._log.info({ host: this.host, port: this.port }, 'virtual card disconnected from vpcd');
        this.emit('disconnected');
      }
      if (this._running) {
        this._retryTimer = setTimeout(() => {
          this._retryTimer = null;
          this._dial();
        }, this._reconnectDelayMs);
      }
    });
  }

  private async _answer(socket: Socket, payload: Uint8Array): Promise<void> {
    const message = parseVpcdPayload(payload);
    let reply: Uint8Array | null = null;
    if (message.kind === 'control') {
      switch (message.control) {
        case VpcdControl.powerOff:
          this._card.powerOff();
          break;
        case VpcdControl.powerOn:
          this._card.powerOn();
          break;
        case VpcdControl.reset:
          this._card.reset();
          break;
        case VpcdControl.getAtr:
          reply = this._card.atr;
          break;
        default:
          this._log.warn({ control: message.control }, 'unknown vpcd control message ignored');
      }
    } else {
      try {
        reply = await this._card.process(message.apdu);
      } catch (err) {
        this._log.warn({ err: errorText(err) }, 'virtual card failed to process an APDU');
        reply = SW_NO_PRECISE_DIAGNOSIS;
      }
    }
    // A slow answer may outlive its connection (card "removed" mid-command): drop it then.
    if (reply && this._socket === socket && !socket.destroyed) socket.write(encodeVpcdFrame(reply));
  }
}

/** Starts presenting `card` in the vpcd reader; see `VpcdBridge`. */
export function startVpcdBridge(card: ApduProcessor, options: VpcdBridgeOptions = {}): VpcdBridge {
  return new VpcdBridge(card, options).start();
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
