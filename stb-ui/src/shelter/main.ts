import { LitElement, css, html } from 'lit';
import '../components/health-badge.js';
import { tokens } from '../styles/tokens.js';

/** The shelter check-in tablet page. */
export class StbShelterApp extends LitElement {
  static override styles = [tokens, css`:host { display: block; min-height: 100vh; padding: 24px; box-sizing: border-box; } h1 { font-size: 40px; }`];

  override render() {
    return html`<h1>避難所 受付</h1>
      <p data-screen="start">カードをリーダーにかざしてください</p>
      <stb-health-badge></stb-health-badge>`;
  }
}
customElements.define('stb-shelter-app', StbShelterApp);
declare global {
  interface HTMLElementTagNameMap { 'stb-shelter-app': StbShelterApp }
}
