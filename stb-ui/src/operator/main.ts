import { LitElement, css, html } from 'lit';
import '../components/health-badge.js';
import { tokens } from '../styles/tokens.js';

/** The operator dashboard page (cable operator, municipality, insurer). */
export class StbOperatorApp extends LitElement {
  static override styles = [tokens, css`:host { display: block; min-height: 100vh; padding: 24px; box-sizing: border-box; } h1 { font-size: 32px; }`];

  override render() {
    return html`<h1>運用ダッシュボード</h1>
      <stb-health-badge></stb-health-badge>`;
  }
}
customElements.define('stb-operator-app', StbOperatorApp);
declare global {
  interface HTMLElementTagNameMap { 'stb-operator-app': StbOperatorApp }
}
