import { css } from 'lit';

/** Shared design tokens: light text on dark, big type, no thin fonts (TV viewing distance). */
export const tokens = css`
  :host {
    --stb-bg: #10151c;
    --stb-fg: #f4f6f8;
    --stb-accent: #ffd54a;
    --stb-font: 'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', sans-serif;
    font-family: var(--stb-font);
    font-weight: 500;
    color: var(--stb-fg);
    background: var(--stb-bg);
  }
`;
