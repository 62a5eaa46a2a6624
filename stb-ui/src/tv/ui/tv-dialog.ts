import { LitElement, css, html } from 'lit';
import { FocusController } from '../focus/focus-controller.js';

/**
 * A modal dialog over the whole canvas. While it is in the page it is the top focus layer: focus
 * enters it (its `default-key` child first), cannot leave it, and goes back to whatever was focused
 * before once the dialog is removed. Its buttons are slotted `<stb-tv-button>`s. It never closes by
 * itself: the app removes it.
 *
 * @fires dialog-cancel - Back was pressed inside the dialog (the app closes it)
 * @slot - the dialog's buttons
 */
export class StbTvDialog extends LitElement {
  static override properties = {
    heading: {},
    message: {},
    focusKey: { attribute: 'focus-key' },
    defaultKey: { attribute: 'default-key' },
  };
  declare heading: string;
  declare message: string;
  declare focusKey: string | undefined;
  declare defaultKey: string | undefined;

  static override styles = css`
    :host { position: absolute; inset: 0; z-index: 10; display: block; }
    .backdrop {
      position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
      background: rgba(0, 0, 0, 0.75);
    }
    .box {
      /* At 特大 as wide as the safe area: two long answers (はい、送ります / いいえ、見なおします) side by side. */
      box-sizing: border-box; min-width: 1100px; max-width: min(1728px, calc(1500px * var(--stb-text-scale, 1))); padding: 64px 80px;
      border: 6px solid var(--stb-fg); border-radius: 28px; background: var(--stb-bg); color: var(--stb-fg);
    }
    h2 { margin: 0 0 24px; font-size: calc(60px * var(--stb-text-scale, 1)); font-weight: 700; }
    p { margin: 0 0 40px; font-size: calc(44px * var(--stb-text-scale, 1)); line-height: 1.5; }
    .actions { display: flex; gap: 64px; }
    ::slotted(*) { flex: 1; }
  `;

  private _focus = new FocusController(this, () => ({
    key: this.focusKey, container: true, modal: true, defaultChild: this.defaultKey,
    onBack: () => {
      this.dispatchEvent(new CustomEvent('dialog-cancel', { bubbles: true, composed: true }));
    },
  }));

  constructor() {
    super();
    this.heading = '';
    this.message = '';
  }

  override render() {
    return html`<div class="backdrop">
      <div class="box" role="alertdialog" aria-modal="true" aria-label=${this.heading}>
        <h2>${this.heading}</h2>
        ${this.message ? html`<p>${this.message}</p>` : ''}
        <div class="actions"><slot></slot></div>
      </div>
    </div>`;
  }
}
customElements.define('stb-tv-dialog', StbTvDialog);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-dialog': StbTvDialog }
  interface HTMLElementEventMap { 'dialog-cancel': CustomEvent<void> }
}
