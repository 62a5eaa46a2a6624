import { html, type TemplateResult } from 'lit';
import { wholeParts } from '../strings.js';

/** A platform text with its times and numbers kept on one line each (see `wholeParts`); the text itself is unchanged. */
export function keepWhole(text: string): TemplateResult {
  return html`${wholeParts(text).map((p) => (p.whole ? html`<span style="white-space: nowrap">${p.text}</span>` : p.text))}`;
}
