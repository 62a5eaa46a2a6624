/** A line of text as laid out: its top and bottom, in px from the top of the text. */
export interface LineBox {
  top: number;
  bottom: number;
}

/** One part of a paged text: shown from `offset` (px from the text's top), `height` px of it. */
export interface TextPart {
  offset: number;
  height: number;
}

/**
 * Splits laid-out lines into parts of at most `room` px, whole lines only: each part takes as many
 * lines as fit, wherever the blocks (a headline, a line of what to do) begin or end, so a long
 * headline at 特大 fills the first part instead of moving whole to the next and leaving it empty.
 * A part is shown from just below the last line of the one before to the bottom of its own last
 * line, so no line is ever seen in part. A single line taller than `room` (it cannot happen at the
 * sizes the TV has) gets a part of its own rather than stopping the paging.
 */
export function partsOf(lines: readonly LineBox[], room: number): TextPart[] {
  const sorted = [...lines].sort((a, b) => a.top - b.top);
  if (!sorted.length || sorted.at(-1)!.bottom <= room + 0.5) return [{ offset: 0, height: room }];
  const parts: TextPart[] = [];
  let offset = 0;
  let last: LineBox | null = null;
  for (const line of sorted) {
    if (last && line.bottom - offset > room + 0.5) {
      parts.push({ offset, height: last.bottom - offset });
      offset = last.bottom;
    }
    last = line;
  }
  parts.push({ offset, height: Math.min(room, last!.bottom - offset) });
  return parts;
}

/**
 * The lines of the text inside `root`, measured from `root`'s top. Each `data-block` element is
 * laid out in lines of its line height (set in px or as a number: each block has one font), so its
 * lines are its content box cut in line-height steps; the boxes of the text itself would not do, as
 * a line height under the font's own (the headline's 1.15) makes those of next lines overlap. An
 * element marked `data-whole` (a framed label) is one line with its frame, never shown without it.
 */
export function lineBoxes(root: Element): LineBox[] {
  const top = root.getBoundingClientRect().top;
  const lines: LineBox[] = [];
  root.querySelectorAll('[data-block]').forEach((el) => {
    const box = el.getBoundingClientRect();
    if (box.height <= 0) return;
    const style = getComputedStyle(el);
    const lineHeight = parseFloat(style.lineHeight);
    const contentTop = box.top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop);
    const contentBottom = box.bottom - parseFloat(style.borderBottomWidth) - parseFloat(style.paddingBottom);
    if (el.hasAttribute('data-whole') || !(lineHeight > 0)) return void lines.push({ top: box.top - top, bottom: box.bottom - top });
    const count = Math.max(1, Math.round((contentBottom - contentTop) / lineHeight));
    for (let k = 0; k < count; k++) lines.push({ top: contentTop + k * lineHeight - top, bottom: contentTop + (k + 1) * lineHeight - top });
  });
  return lines.sort((a, b) => a.top - b.top);
}
