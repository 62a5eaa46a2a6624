import { css } from 'lit';

/**
 * The console's look: a desk tool read at arm's length, so light, dense and calm — unlike the TV's
 * big type on dark. One set of tokens for every console element.
 */
export const consoleStyles = css`
  :host {
    --op-bg: #f5f6f8;
    --op-panel: #ffffff;
    --op-fg: #1c2430;
    --op-muted: #5b6574;
    --op-line: #d9dee5;
    --op-accent: #0b5cad;
    --op-danger: #b3261e;
    --op-ok: #1b7f3b;
    --op-warn: #8a5a00;
    font-family: 'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', sans-serif;
    color: var(--op-fg);
    font-size: 15px;
    line-height: 1.5;
  }
  h1, h2, h3 { margin: 0 0 12px; font-weight: 700; }
  h2 { font-size: 20px; }
  h3 { font-size: 16px; }
  .panel { background: var(--op-panel); border: 1px solid var(--op-line); border-radius: 8px; padding: 16px; margin-bottom: 16px; }
  .muted { color: var(--op-muted); }
  .error { color: var(--op-danger); font-weight: 600; }
  .ok { color: var(--op-ok); font-weight: 600; }
  .warn { color: var(--op-warn); font-weight: 600; }
  button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid var(--op-line); background: #fff; color: var(--op-fg); cursor: pointer; }
  button.primary { background: var(--op-accent); border-color: var(--op-accent); color: #fff; }
  button.danger { border-color: var(--op-danger); color: var(--op-danger); }
  button:disabled { opacity: 0.5; cursor: default; }
  button:focus-visible, input:focus-visible, select:focus-visible, a:focus-visible { outline: 3px solid #f2b100; outline-offset: 2px; }
  input, select { font: inherit; padding: 6px 8px; border: 1px solid var(--op-line); border-radius: 6px; background: #fff; color: var(--op-fg); }
  label { display: inline-flex; gap: 6px; align-items: center; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--op-line); vertical-align: top; }
  th { font-weight: 600; color: var(--op-muted); font-size: 13px; }
  code, .mono { font-family: ui-monospace, 'Noto Sans Mono CJK JP', monospace; font-size: 13px; }
  .row { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
  .empty { padding: 24px; text-align: center; color: var(--op-muted); }
`;
