import { LitElement, css, html } from 'lit';
import '../components/health-badge.js';
import { tokens } from '../styles/tokens.js';

/** The TV page: a 1920×1080 canvas scaled to the viewport, everything inside the safe area. */
export class StbTvApp extends LitElement {
  static override styles = [
    tokens,
    css`
      :host { position: fixed; inset: 0; overflow: hidden; }
      .canvas {
        position: absolute; left: 0; top: 0; width: 1920px; height: 1080px;
        transform-origin: 0 0; box-sizing: border-box; padding: 54px 96px;
      }
      h1 { font-size: 64px; margin: 0 0 48px; }
      p { font-size: 48px; line-height: 1.5; margin: 0; }
      footer { position: absolute; bottom: 54px; left: 96px; font-size: 32px; }
    `,
  ];

  private _onResize = () => this._fit();

  override connectedCallback() {
    super.connectedCallback();
    window.addEventListener('resize', this._onResize);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('resize', this._onResize);
  }

  override firstUpdated() {
    this._fit();
  }

  /** Scales the fixed 1920×1080 design to whatever the TV browser's viewport is. */
  private _fit() {
    const canvas = this.renderRoot.querySelector<HTMLElement>('.canvas');
    if (!canvas) return;
    const scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    canvas.style.transform = `scale(${scale})`;
  }

  override render() {
    return html`<div class="canvas">
      <h1>テレビで マイナンバーカード</h1>
      <p data-screen="start">カードをリーダーにおいてください</p>
      <footer><stb-health-badge></stb-health-badge></footer>
    </div>`;
  }
}
customElements.define('stb-tv-app', StbTvApp);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-app': StbTvApp }
}
