import { css, html, nothing, type TemplateResult } from 'lit';
import { KEYBOARD_COLUMNS, KEYBOARD_ROWS, PAD_ROWS, keyboardFocusKey, padFocusKey, type KeyboardKey, type PadKey } from '../flow/keyboard-layout.js';
import { masked, pinMessage, triesAdvice } from '../flow/pin-entry.js';
import type { FlowStep } from '../flow/card-flow.js';
import { t } from '../strings.js';
import './tv-button.js';

/**
 * Render helpers of the two PIN screens (they live in the flow screen's shadow root, so their
 * buttons register under its focus container): the masked value with the tries left and any
 * notice, the 4-digit pad, and the A–Z / 0–9 keyboard.
 */

type PinStep = Extract<FlowStep, { name: 'pin' }>;

/** What a pad or keyboard key asks for. */
export type PinKeyPress = { type: 'char'; char: string } | { type: 'delete' } | { type: 'submit' } | { type: 'reveal' };

export const pinStyles = css`
  .pin { display: grid; grid-template-columns: auto 1fr; gap: 0 72px; align-items: start; margin-top: 24px; }
  .pin.sign { grid-template-columns: 1fr; }
  .info h2 { margin: 0 0 12px; font-size: calc(48px * var(--stb-text-scale, 1)); }
  .lead { margin: 0 0 8px; font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.45; }
  /* Tight margins: at 特大 the card line, a named heading and the Back hint must fit beside the pad. */
  .boxes { display: flex; gap: 16px; margin: 4px 0 8px; flex-wrap: wrap; }
  .box {
    display: inline-flex; align-items: center; justify-content: center; box-sizing: border-box;
    width: calc(96px * var(--stb-text-scale, 1)); height: calc(110px * var(--stb-text-scale, 1));
    border: 5px solid var(--stb-fg); border-radius: 14px; background: var(--stb-surface);
    font-size: calc(60px * var(--stb-text-scale, 1)); font-weight: 700;
  }
  .sign .box { width: calc(60px * min(var(--stb-text-scale, 1), 1.08)); height: calc(72px * min(var(--stb-text-scale, 1), 1.08)); font-size: calc(40px * var(--stb-text-scale, 1)); }
  .sign .boxes { gap: 10px; margin: 4px 0 12px; }
  .sign .row { display: flex; flex-wrap: nowrap; align-items: center; justify-content: space-between; gap: 24px; margin: 0 0 8px; }
  .sign .row h2 { margin: 0; flex: 1 1 auto; }
  /* The name wraps at its spaces; the password's rule stays whole beside it. */
  .sign .row h2 .whole { white-space: nowrap; }
  /* The card line and the tries stack beside the heading (room a heading of two lines leaves), so
     the masked value has a line of its own: 16 boxes there never wrap, even at 特大. A long card
     line (つなぎなおしています…) wraps at its spaces, as narrow as the tries. */
  .sign .row .status { flex: 0 1 auto; min-width: min-content; display: flex; flex-direction: column; align-items: flex-end; gap: 8px; }
  .sign .tries { margin: 0; white-space: nowrap; }
  .sign .back-hint { margin: 0 0 12px; max-width: 1700px; }
  .sign .notice, .sign .warn { margin: 4px 0 8px; }
  .box.empty { border-style: dashed; border-color: var(--stb-border); }
  .count { font-size: calc(36px * var(--stb-text-scale, 1)); align-self: center; }
  .tries { margin: 0 0 8px; font-size: calc(40px * var(--stb-text-scale, 1)); font-weight: 700; }
  .tries strong { font-size: 1.3em; }
  .warn {
    margin: 0 0 12px; padding: 16px 24px; border: 5px solid var(--stb-fg); border-radius: 16px;
    font-size: calc(38px * var(--stb-text-scale, 1)); font-weight: 700; line-height: 1.45;
  }
  .warn::before { content: '⚠ '; }
  .notice { margin: 0 0 12px; font-size: calc(40px * var(--stb-text-scale, 1)); font-weight: 700; line-height: 1.45; }
  .notice::before { content: '！ '; }
  /* The 4-digit pad's notice sits under the pad, as wide as it: beside it, at 特大, the column is full. */
  .pad-column { width: calc(570px * var(--stb-text-scale, 1) + 40px); }
  .pad-column .notice { margin: 32px 0 0; }
  .back-hint { margin: 8px 0 0; font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.45; }
  .pad {
    display: grid; grid-template-columns: repeat(3, calc(190px * var(--stb-text-scale, 1))); gap: 20px;
    --stb-button-height: calc(104px * var(--stb-text-scale, 1)); --stb-button-justify: center;
    --stb-button-font: calc(56px * var(--stb-text-scale, 1));
    /* Keys sit close together: the focus ring is drawn inside the key, so it never covers a neighbour. */
    --stb-focus-scale: 1; --stb-focus-offset: -14px;
  }
  .pad .action { --stb-button-font: calc(36px * var(--stb-text-scale, 1)); --stb-button-padding: 0.2em 0.3em; }
  .keyboard {
    display: grid; gap: 10px; margin-top: 8px;
    /* The keyboard grows less than the text at 特大, so all of it stays inside the safe area. */
    --stb-button-height: calc(72px * min(var(--stb-text-scale, 1), 1.08)); --stb-button-justify: center;
    --stb-button-font: calc(44px * var(--stb-text-scale, 1)); --stb-button-padding: 0 0.2em;
    --stb-focus-scale: 1; --stb-focus-offset: -12px;
  }
  .keyboard .action { grid-column: span 4; --stb-button-font: calc(36px * var(--stb-text-scale, 1)); }
`;

function boxes(step: PinStep): TemplateResult {
  const dots = masked(step.value, step.reveal);
  const shown = step.key === 'auth' ? 4 : Math.max(6, dots.length);
  return html`<div class="boxes" data-pin-length=${dots.length} aria-label=${`${dots.length}${t('pin.count')}`}>
    ${Array.from({ length: shown }, (_, i) => html`<span class="box ${i < dots.length ? 'filled' : 'empty'}">${dots[i] ?? ''}</span>`)}
    ${step.key === 'sign' ? html`<span class="count">${dots.length} ${t('pin.count')}</span>` : nothing}
  </div>`;
}

/**
 * The PIN heading, masked value, tries left, warnings and the Back hint. The auth screen stacks
 * them beside the pad (its notice goes under the pad: `renderPadColumn`); the sign screen packs
 * them above the keyboard (the card line and the tries beside the heading, the masked value on a
 * line of its own), so the whole keyboard stays inside the safe area.
 */
export function renderPinInfo(step: PinStep, expectedName: string | null, cardLine: TemplateResult, ownNotice: TemplateResult | null = null, options: { brief?: boolean } = {}): TemplateResult {
  const advice = triesAdvice(step.status);
  // `brief`: the sign keyboard at its fullest (a card line of two lines beside the heading, a notice
  // of two, 16 characters, at 特大): the last-try warning says it in one line and takes the tries'
  // place (it says あと1回 too); the question before sending says the rest.
  if (options.brief && step.key === 'sign' && advice.level === 'last') {
    const warn = html`<p class="warn" role="alert" data-last-try data-tries-left="1">${t('pin.lastTry.sign.brief')}</p>`;
    return html`<div class="info">
      <div class="row">${title(step, expectedName)}<div class="status">${cardLine}</div></div>
      ${boxes(step)}
      ${ownNotice ?? pinNotice(step)}${warn}
    </div>`;
  }
  const heading = title(step, expectedName);
  const tries = advice.level === 'unknown'
    ? html`<p class="tries" data-tries-left="">${t('pin.triesUnknown')}</p>`
    : html`<p class="tries" data-tries-left=${advice.triesLeft}>${t('pin.triesLeft')} <strong>${advice.triesLeft}</strong> ${t('pin.triesUnit')}</p>`;
  const warn = advice.level === 'last' ? html`<p class="warn" role="alert" data-last-try>${pinMessage(step.key, 'lastTry')}</p>` : nothing;
  if (step.key === 'auth') {
    return html`<div class="info">${cardLine}${heading}
      <p class="lead">${t('pin.auth.lead')}</p>
      ${boxes(step)}${warn}${tries}
      <p class="back-hint">${t('pin.backHint')}</p>
    </div>`;
  }
  // A notice (the step's, or the screen's own: `ownNotice`) or the last-try warning takes the lead's
  // place (it says what to do now; the lead comes back with the first character typed): at 特大,
  // under a heading with the card's name, or over 16 characters typed, both would push the
  // keyboard out of the safe area.
  return html`<div class="info">
    <div class="row">${heading}<div class="status">${cardLine}${tries}</div></div>
    ${step.notice || ownNotice || warn !== nothing ? nothing : html`<p class="back-hint">${t('pin.sign.lead')}${t('pin.backHint')}</p>`}
    ${boxes(step)}
    ${ownNotice ?? pinNotice(step)}${warn}
  </div>`;
}

/** The PIN screen's heading: whose card, and which secret. */
function title(step: PinStep, expectedName: string | null): TemplateResult {
  return html`<h2 data-pin-key=${step.key}>${expectedName ? `${expectedName} ${t('pin.forName')}：` : ''}<span class="whole">${t(step.key === 'auth' ? 'pin.auth.title' : 'pin.sign.title')}</span></h2>`;
}

/** What the PIN screen says about the last try (wrong, incomplete, another card, the link lost, the card taken away), if anything. */
function pinNotice(step: PinStep): TemplateResult | typeof nothing {
  const notice = step.notice ? pinMessage(step.key, step.notice) : '';
  return notice ? html`<p class="notice" role="alert" data-notice=${step.notice ?? ''}>${notice}</p>` : nothing;
}

/** The 4-digit pad with the PIN screen's notice under it. */
export function renderPadColumn(step: PinStep, onKey: (press: PinKeyPress) => void): TemplateResult {
  return html`<div class="pad-column">${renderPad(onKey)}${pinNotice(step)}</div>`;
}

/** The phone-style 4-digit pad. */
function renderPad(onKey: (press: PinKeyPress) => void): TemplateResult {
  const press = (key: PadKey): PinKeyPress => key.kind === 'digit' ? { type: 'char', char: String(key.digit) } : { type: key.action };
  const label = (key: PadKey) => key.kind === 'digit' ? String(key.digit) : t(key.action === 'delete' ? 'pin.key.delete' : 'pin.key.submit');
  return html`<div class="pad" role="group">
    ${PAD_ROWS.flat().map((key) => html`<stb-tv-button class=${key.kind === 'action' ? 'action' : ''} focus-key=${padFocusKey(key)}
      label=${label(key)} @tv-activate=${() => onKey(press(key))}></stb-tv-button>`)}
  </div>`;
}

/** The A–Z / 0–9 keyboard with 1文字けす, さいごの文字を見る and 決定. */
export function renderKeyboard(reveal: boolean, onKey: (press: PinKeyPress) => void): TemplateResult {
  const press = (key: KeyboardKey): PinKeyPress => key.kind === 'char' ? { type: 'char', char: key.char } : { type: key.action };
  const label = (key: KeyboardKey) => key.kind === 'char' ? key.char
    : t(key.action === 'delete' ? 'pin.key.delete' : key.action === 'submit' ? 'pin.key.submit' : reveal ? 'pin.key.hide' : 'pin.key.reveal');
  return html`<div class="keyboard" role="group" style="grid-template-columns: repeat(${KEYBOARD_COLUMNS}, 1fr)">
    ${KEYBOARD_ROWS.map((row, r) => row.map((key, c) => html`<stb-tv-button class=${key.kind === 'action' ? 'action' : ''}
      style=${key.kind === 'char' ? `grid-row: ${r + 1}; grid-column: ${c + 1}` : `grid-row: ${r + 1}`}
      focus-key=${keyboardFocusKey(key)} label=${label(key)}
      @tv-activate=${() => onKey(press(key))}></stb-tv-button>`))}
  </div>`;
}
