import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { focusService, type FocusService, type RegisterOptions } from './focus-service.js';

/**
 * Registers a Lit element (its host) with the focus service while it is connected, so elements
 * inside shadow roots take part in focus without any document query. Options are read again after
 * every update, so `number`, `disabled` and handlers can follow the element's properties.
 *
 * ```ts
 * private _focus = new FocusController(this, () => ({ key: this.focusKey, number: this.number, onSelect: () => this.activate() }));
 * private _screen = new FocusController(this, () => ({ key: 'settings', container: true, onBack: () => this._leave() }));
 * ```
 */
export class FocusController implements ReactiveController {
  /** The registered key while connected, else null. */
  key: string | null = null;

  constructor(
    private readonly _host: ReactiveControllerHost & HTMLElement,
    private readonly _options: () => RegisterOptions,
    private readonly _service: FocusService = focusService,
  ) {
    _host.addController(this);
  }

  /** Whether the host is the focused element. */
  get focused(): boolean {
    return this.key !== null && this._service.focusedKey === this.key;
  }

  /** Moves focus here (pointer hover, or a screen's explicit choice). */
  focus(): void {
    if (this.key !== null) this._service.focus(this.key);
  }

  hostConnected(): void {
    this.key = this._service.register(this._host, this._options());
  }

  hostUpdated(): void {
    // The key follows the host's too: Lit reuses an element for another item of a list (a week
    // grid's cell for the next week's day), and a stale key would send OK on it to the old item's place.
    if (this.key !== null) this.key = this._service.rekey(this.key, this._host, this._options());
  }

  hostDisconnected(): void {
    if (this.key !== null) this._service.unregister(this.key, this._host);
    this.key = null;
  }
}
