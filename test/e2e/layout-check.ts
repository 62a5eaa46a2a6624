import { expect, type Page, type TestInfo } from '@playwright/test';
import { focusedKeys } from './remote.js';

/**
 * What is wrong with the TV page's layout right now, as sentences (none = fine), measured in the
 * 1920×1080 canvas at a 1920×1080 viewport:
 * - every visible element, and the focus ring, inside the 5 % safe area (96 px left/right, 54 px
 *   top/bottom); dialogs' and the alert overlay's full-screen layers are exempt, their contents are not;
 * - no two siblings' boxes overlap (shadow children and slotted children alike; two inline runs of
 *   one paragraph may, on adjacent lines), and the focus
 *   ring overlaps no sibling of the focused element;
 * - no text wider than its button face or its paragraph;
 * - no text under 36 px;
 * - no text breaks inside a word: a line may only end at a space, after 、。，．・）」』! ? or before 「『（ —
 *   so 「特/大」, 「ログアウ/ト」 or 「太郎 さ/ん」 are caught (each character's line is measured with a Range).
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const SAFE = { left: 96, top: 54, right: 1824, bottom: 1026 };
    const EPS = 0.5;
    const problems: string[] = [];
    type Box = { left: number; top: number; right: number; bottom: number };
    const canvas = document.querySelector('stb-tv-app')!.shadowRoot!.querySelector('.canvas')!;

    const describe = (el: Element) => {
      const key = el.getAttribute('focus-key') ?? el.getAttribute('data-focus-key');
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 24);
      return `<${el.tagName.toLowerCase()}${key ? ` ${key}` : ''}${cls}>${text ? ` "${text}"` : ''}`;
    };
    const shown = (el: Element) => {
      const cs = getComputedStyle(el);
      return cs.display !== 'none' && cs.visibility !== 'hidden' && !el.hasAttribute('hidden');
    };
    /** Full-screen layers meant to cover everything: a dialog host and its backdrop. */
    const isLayer = (el: Element) => el.tagName === 'STB-TV-DIALOG' || el.tagName === 'STB-TV-ALERT-OVERLAY' || el.classList.contains('backdrop');
    const inside = (b: Box) => b.left >= SAFE.left - EPS && b.top >= SAFE.top - EPS && b.right <= SAFE.right + EPS && b.bottom <= SAFE.bottom + EPS;
    const overlap = (a: Box, b: Box) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    const fmt = (b: Box) => `[${Math.round(b.left)},${Math.round(b.top)}–${Math.round(b.right)},${Math.round(b.bottom)}]`;
    /** The outline drawn around an element (the focus ring), or null. */
    const ringOf = (el: Element): Box | null => {
      const cs = getComputedStyle(el);
      const width = parseFloat(cs.outlineWidth);
      if (cs.outlineStyle === 'none' || !width) return null;
      const r = el.getBoundingClientRect();
      const grow = width + (parseFloat(cs.outlineOffset) || 0);
      return { left: r.left - grow, top: r.top - grow, right: r.right + grow, bottom: r.bottom + grow };
    };

    /**
     * What a paging window (`data-part`: the alert overlay's text, whose hidden lines ▲/▼ bring into
     * view) leaves in view. Only those: anything another element's overflow hides is text a resident
     * cannot reach, and stays a problem.
     */
    let clip: Box = { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity };
    const inView = (b: Box): Box => ({
      left: Math.max(b.left, clip.left), top: Math.max(b.top, clip.top), right: Math.min(b.right, clip.right), bottom: Math.min(b.bottom, clip.bottom),
    });

    let focused: { host: Element; siblings: Element[] } | null = null;
    const rings: { el: Element; box: Box }[] = [];

    const checkText = (node: Text) => {
      const text = node.data;
      if (!text.trim()) return;
      const parent = node.parentElement!;
      const whole = document.createRange();
      whole.selectNodeContents(node);
      if (!whole.getClientRects().length) return; // not rendered (a light child no slot shows)
      const size = parseFloat(getComputedStyle(parent).fontSize);
      if (size < 36 - EPS) problems.push(`text under 36 px (${size.toFixed(1)} px): ${describe(parent)}`);
      const range = document.createRange();
      let lastTop: number | null = null;
      let lastHeight = 0;
      for (let i = 0; i < text.length; i++) {
        if (/\s/.test(text[i]!)) continue;
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        if (lastTop !== null && rect.top > lastTop + lastHeight / 2) {
          const before = text.slice(0, i).replace(/\s+$/, '');
          const brokeAtSpace = /\s/.test(text[i - 1] ?? ' ');
          const beforeOpening = /[「『（(]/.test(text[i]!);
          if (!brokeAtSpace && !beforeOpening && !/[、。，．・）」』！？!?:：）)]$/.test(before)) {
            problems.push(`breaks inside a word: "${before.slice(-6)}/${text.slice(i, i + 6)}" in ${describe(parent)}`);
          }
        }
        lastTop = rect.top;
        lastHeight = rect.height;
      }
    };

    const walkGroup = (children: Element[]) => {
      const items = children.filter((el) => !['STYLE', 'SCRIPT', 'TEMPLATE'].includes(el.tagName) && shown(el));
      const boxes = items.map((el) => ({ el, box: inView(el.getBoundingClientRect()), layer: isLayer(el) }));
      for (const { el, box, layer } of boxes) {
        const width = Math.max(0, box.right - box.left);
        const height = Math.max(0, box.bottom - box.top);
        const boxed = el.classList.contains('face') || ['P', 'H1', 'H2', 'H3', 'LI', 'DT', 'DD'].includes(el.tagName);
        if (boxed && width > 0 && el.scrollWidth > el.clientWidth + 1) problems.push(`content wider than its box: ${describe(el)}`);
        if (width > 0 && height > 0 && !layer && !inside(box)) problems.push(`outside the safe area ${fmt(box)}: ${describe(el)}`);
        if (el.hasAttribute('focused')) focused = { host: el, siblings: items.filter((s) => s !== el && !isLayer(s)) };
        const ring = ringOf(el);
        if (ring) rings.push({ el, box: ring });
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!;
          const b = boxes[j]!;
          if (a.layer || b.layer) continue;
          // Inline runs of one paragraph on adjacent lines share the half-leading between them.
          if (getComputedStyle(a.el).display === 'inline' && getComputedStyle(b.el).display === 'inline') continue;
          const ra = a.el.getBoundingClientRect();
          const rb = b.el.getBoundingClientRect();
          if (!ra.width || !ra.height || !rb.width || !rb.height) continue;
          if (overlap(a.box, b.box)) problems.push(`overlap: ${describe(a.el)} ${fmt(a.box)} and ${describe(b.el)} ${fmt(b.box)}`);
        }
      }
      for (const el of items) walk(el);
    };

    const walk = (el: Element) => {
      if (el instanceof SVGElement) return; // a drawing: its shapes overlap on purpose
      const outer = clip;
      if (el.hasAttribute('data-part')) clip = inView(el.getBoundingClientRect());
      for (const node of el.childNodes) if (node.nodeType === Node.TEXT_NODE) checkText(node as Text);
      if (el.shadowRoot) {
        for (const node of el.shadowRoot.childNodes) if (node.nodeType === Node.TEXT_NODE) checkText(node as Text);
        walkGroup([...el.shadowRoot.children]);
      }
      walkGroup([...el.children]);
      clip = outer;
    };

    walk(canvas);
    for (const { el, box } of rings) {
      if (!inside(box)) problems.push(`focus ring outside the safe area ${fmt(box)}: ${describe(el)}`);
    }
    const f = focused as { host: Element; siblings: Element[] } | null;
    if (f) {
      const ring = rings.find(({ el }) => el === f.host || f.host.shadowRoot?.contains(el));
      for (const s of ring ? f.siblings : []) {
        const r = s.getBoundingClientRect();
        if (r.width && r.height && overlap(ring!.box, r)) problems.push(`focus ring of ${describe(f.host)} covers ${describe(s)}`);
      }
    }
    return [...new Set(problems)];
  });
}

/**
 * A checker for one test: `check(name)` checks the screen as it is now (once exactly one element is
 * focused and the fonts are in) and saves it as `<label>-<name>.png`, to be looked at; `problems` collects.
 */
export function screenChecker(page: Page, testInfo: TestInfo, label: string) {
  const problems: string[] = [];
  const check = async (name: string) => {
    await expect.poll(() => focusedKeys(page)).toHaveLength(1);
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: testInfo.outputPath(`${label}-${name}.png`) });
    for (const p of await layoutProblems(page)) problems.push(`${name}: ${p}`);
  };
  return { problems, check };
}
