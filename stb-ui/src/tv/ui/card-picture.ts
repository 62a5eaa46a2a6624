import { svg } from 'lit';

/**
 * How to put the card on the reader, as a picture (inline SVG, no file to load): the reader seen
 * from the front at an angle, the card above it face up (photo and IC chip showing), and an arrow
 * down onto the reader. Colours come from the theme, so it follows 見やすい色.
 */
export function cardPicture(label: string) {
  return svg`<svg viewBox="0 0 640 360" role="img" aria-label=${label}>
    <g fill="none" stroke="var(--stb-fg)" stroke-width="6" stroke-linejoin="round">
      <!-- the reader -->
      <path d="M120 290 L520 290 L580 340 L60 340 Z" fill="var(--stb-surface)"/>
      <path d="M170 280 L470 280" stroke-dasharray="14 10"/>
      <!-- the card, face up -->
      <rect x="190" y="40" width="260" height="165" rx="16" fill="var(--stb-bg)"/>
      <rect x="212" y="70" width="70" height="90" rx="6"/>
      <circle cx="247" cy="102" r="16"/>
      <path d="M222 152 Q247 122 272 152"/>
      <rect x="312" y="92" width="52" height="40" rx="6" fill="var(--stb-focus)"/>
      <path d="M312 112 H364 M338 92 V132" stroke-width="3"/>
      <path d="M300 170 H420" stroke-width="5"/>
      <!-- down onto the reader -->
      <path d="M530 70 V230" stroke="var(--stb-focus)" stroke-width="12"/>
      <path d="M498 198 L530 240 L562 198" stroke="var(--stb-focus)" stroke-width="12"/>
    </g>
  </svg>`;
}
