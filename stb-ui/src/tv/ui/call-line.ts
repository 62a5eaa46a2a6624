import { css, html } from 'lit';
import type { OperatorContact } from '../operator-contact.js';
import { t } from '../strings.js';

/**
 * Whom to call when it does not come right: the household's cable operator and its number (kept
 * from the platform's last word, so it shows exactly when the platform cannot be reached), or, with
 * no number known, to call their cable company. Every screen that tells a resident something failed
 * ends with it.
 */
export function callLine(operator: OperatorContact | null) {
  return operator?.phone
    ? html`<p class="call">${t('flow.wait.call')} ${operator.name} <span data-operator-phone>${operator.phone}</span></p>`
    : html`<p class="call">${t('flow.wait.callUnknown')}</p>`;
}

export const callLineStyles = css`
  p.call { margin: 0 0 32px; font-size: calc(42px * var(--stb-text-scale, 1)); font-weight: 700; line-height: 1.5; }
  /* A phone number is one word: it never breaks at its hyphens. */
  p.call [data-operator-phone] { white-space: nowrap; }
`;
