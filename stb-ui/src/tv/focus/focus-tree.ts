import type { Direction } from '../input/actions.js';
import { findNext, unionRect, type Candidate, type Rect } from './geometry.js';

/** The implicit top container: screens register under it. */
export const ROOT = '#root';

/** Where focus lands when a container is entered: its last focused child, its default child, or its first. */
export type EnterTo = 'last' | 'default' | 'first';

/** What a focus node can be told at registration (and changed later with `update`). */
export interface FocusNodeOptions {
  /** A container groups items and other containers; only items take focus. */
  container?: boolean;
  /**
   * A modal container (dialog) is a layer of its own: it traps focus, and gives it back to its opener
   * when removed. Each time it opens it is a new question: it enters at its default child (the safe
   * answer), never at the one picked the last time.
   */
  modal?: boolean;
  /**
   * A modal that stays the top layer while it is in the page (the evacuation alert): a dialog that
   * opens meanwhile (an idle-logout countdown, a flow's question) goes beneath it, so no key meant
   * for the alert reaches a dialog the alert hides.
   */
  topmost?: boolean;
  /** Container entry rule; 'last' (the default; 'default' for a modal) falls back to the default child, then the first. */
  enterTo?: EnterTo;
  /** The child key to enter first (a container's preferred child). */
  defaultChild?: string;
  /** Directions in which focus may not leave this container. */
  blockExit?: readonly Direction[];
  /** The number key that picks this item (1 … 12). */
  number?: number;
  disabled?: boolean;
  /** Called on OK (and on this item's number key). */
  onSelect?: () => void;
  /** Called on Back while focus is inside; return false to let an outer container handle it. */
  onBack?: () => boolean | void;
  /**
   * Called on a number key (0–12) while focus is inside, innermost first, before numbered items are
   * looked up; return false to pass it on. PIN entry uses it to take digits as characters.
   */
  onDigit?: (n: number) => boolean | void;
  /**
   * Called on an arrow that moves focus nowhere while focus is inside (innermost first, up to the
   * layer); return false to pass it on. The alert overlay pages its text with it: ▼ past its last
   * row of buttons, ▲ past its first.
   */
  onEdge?: (dir: Direction) => boolean | void;
}

/** A node as registered: a unique key, its parent container's key (null or absent = ROOT), and options. */
export interface FocusNodeSpec extends FocusNodeOptions {
  key: string;
  parent?: string | null;
}

interface FocusNode extends FocusNodeOptions {
  key: string;
  parent: string;
}

/** Told whenever the focused key changes (also when it becomes null, before focus is settled again). */
export type FocusChangeListener = (previous: string | null, next: string | null) => void;

/** Gives a node's box, or null when it has none (not rendered). Containers without a box use their children's union. */
export type RectSource = (key: string) => Rect | null;

const MAX_DEPTH = 64;

/**
 * The focus tree, without any DOM: keyed items inside containers, a stack of layers (the root and
 * any open dialogs), and exactly one focused item once anything is focusable. Directional moves
 * search the focused item's siblings first, then its parent's siblings, and so on up to the layer
 * (Norigin's smartNavigate). Containers remember their last focused child even while unmounted,
 * so leaving a sub-screen and coming back lands where the viewer was.
 */
export class FocusTree {
  /** Told of every focus change; the DOM glue sets the `focused` attribute from it. */
  onChange: FocusChangeListener = () => {};

  private readonly _nodes = new Map<string, FocusNode>();
  private readonly _children = new Map<string, string[]>();
  private readonly _memory = new Map<string, string>();
  private readonly _layers: { key: string; opener: string | null }[] = [{ key: ROOT, opener: null }];
  private _focused: string | null = null;
  // Focus chosen by settle() rather than by the viewer: it may still move to a better target as
  // more of the screen registers (Lit renders nested shadow roots over several microtasks).
  private _provisional = false;
  private _restore: string | null = null;

  /** The focused item's key, or null while nothing focusable is registered. */
  get focused(): string | null {
    return this._focused;
  }

  /** The key of the layer that holds focus: ROOT, or the newest open dialog. */
  get topLayer(): string {
    return this._layers[this._layers.length - 1]!.key;
  }

  has(key: string): boolean {
    return this._nodes.has(key);
  }

  isContainer(key: string): boolean {
    return !!this._nodes.get(key)?.container;
  }

  /** Adds a node (replacing one with the same key). A modal container opens a layer over the current focus. */
  add(spec: FocusNodeSpec): void {
    if (spec.key === ROOT) throw new Error(`${ROOT} is reserved`);
    if (this._nodes.has(spec.key)) this.remove(spec.key);
    const node: FocusNode = { ...spec, parent: spec.parent ?? ROOT };
    this._nodes.set(node.key, node);
    const siblings = this._children.get(node.parent);
    if (siblings) siblings.push(node.key);
    else this._children.set(node.parent, [node.key]);
    if (node.modal) this._openLayer(node);
  }

  private _openLayer(node: FocusNode): void {
    let at = this._layers.length;
    while (!node.topmost && at > 1 && this._nodes.get(this._layers[at - 1]!.key)?.topmost) at--;
    if (at === this._layers.length) {
      this._layers.push({ key: node.key, opener: this._focused });
      return;
    }
    // Opened beneath a topmost layer: it takes what that layer would have given focus back to, and
    // that layer, once removed, lets focus enter it instead.
    const above = this._layers[at]!;
    this._layers.splice(at, 0, { key: node.key, opener: above.opener });
    above.opener = null;
  }

  /** Removes a node; its children stay registered but cannot take focus until it is back. */
  remove(key: string): void {
    const node = this._nodes.get(key);
    if (!node) return;
    this._nodes.delete(key);
    const siblings = this._children.get(node.parent);
    if (siblings) siblings.splice(siblings.indexOf(key), 1);
    if (node.modal) {
      const i = this._layers.findIndex((l) => l.key === key);
      if (i === this._layers.length - 1) this._restore = this._layers[i]!.opener;
      // Closed beneath another layer: the one above gives focus back where this one would have.
      else if (i > 0 && this._layers[i + 1]!.opener === null) this._layers[i + 1]!.opener = this._layers[i]!.opener;
      if (i > 0) this._layers.splice(i, 1);
    }
    if (this._focused === key) {
      this._focused = null;
      this.onChange(key, null);
    }
  }

  /**
   * Gives a node another key in place: its place among its siblings, its children, the memory of
   * it and focus on it all follow. A node that held `to` already is removed (its element has been
   * given another key too, and registers again under it).
   */
  rename(from: string, to: string): void {
    const node = this._nodes.get(from);
    if (!node || from === to) return;
    if (to === ROOT) throw new Error(`${ROOT} is reserved`);
    if (this._nodes.has(to)) this.remove(to);
    this._nodes.delete(from);
    node.key = to;
    this._nodes.set(to, node);
    const siblings = this._children.get(node.parent);
    if (siblings) siblings[siblings.indexOf(from)] = to;
    const children = this._children.get(from);
    if (children) {
      this._children.delete(from);
      this._children.set(to, children);
      for (const child of children) this._nodes.get(child)!.parent = to;
    }
    const remembered = this._memory.get(from);
    if (remembered !== undefined) {
      this._memory.delete(from);
      this._memory.set(to, remembered);
    }
    for (const [container, child] of this._memory) if (child === from) this._memory.set(container, to);
    for (const layer of this._layers) {
      if (layer.key === from) layer.key = to;
      if (layer.opener === from) layer.opener = to;
    }
    if (this._restore === from) this._restore = to;
    if (this._focused === from) {
      this._focused = to;
      this.onChange(from, to);
    }
  }

  /** Changes a node's options (number, disabled, handlers …); key and parent stay (`rename` changes the key). */
  update(key: string, options: FocusNodeOptions): void {
    const node = this._nodes.get(key);
    if (node) Object.assign(node, options, { key: node.key, parent: node.parent });
  }

  /** The layer (ROOT or a modal key) a node belongs to, or null when it hangs under a missing parent. */
  layerOf(key: string): string | null {
    let k = key;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const node = this._nodes.get(k);
      if (!node) return null;
      if (node.modal) return k;
      if (node.parent === ROOT) return ROOT;
      k = node.parent;
    }
    return null;
  }

  /** Whether an item can take focus now: registered, enabled, attached, in the top layer. */
  isFocusable(key: string): boolean {
    const node = this._nodes.get(key);
    return !!node && !node.container && !node.disabled && this.layerOf(key) === this.topLayer;
  }

  /** The item focus would land on when entering `key` (an item: itself), or null. */
  entry(key: string): string | null {
    const node = key === ROOT ? null : this._nodes.get(key);
    if (key !== ROOT) {
      if (!node || node.disabled) return null;
      if (!node.container) return this.isFocusable(key) ? key : null;
    }
    const enterTo = node?.enterTo ?? (node?.modal ? 'default' : 'last');
    const memory = this._memory.get(key);
    const preferred = enterTo === 'last' ? [memory, node?.defaultChild]
      : enterTo === 'default' ? [node?.defaultChild, memory]
      : [];
    for (const child of [...preferred, ...this._navigableChildren(key)]) {
      if (child === undefined || this._nodes.get(child)?.parent !== key) continue;
      const target = this.entry(child);
      if (target) return target;
    }
    return null;
  }

  /** Focuses an item, or enters a container; the viewer's (or app's) explicit choice. */
  focus(key: string): boolean {
    const target = this.entry(key);
    if (!target) return false;
    this._set(target, false);
    return true;
  }

  /**
   * Makes sure the right item is focused after nodes came or went: keeps a valid explicit focus;
   * else gives focus back to a closed dialog's opener, else enters the top layer. While focus is
   * provisional (chosen here, not by the viewer), a better target that registered since wins.
   * Returns whether focus changed.
   */
  settle(): boolean {
    const current = this._focused;
    if (current !== null && !this._provisional && this.isFocusable(current)) return false;
    let target: string | null = null;
    let provisional = true;
    if (this._restore !== null && this.isFocusable(this._restore)) {
      target = this._restore;
      provisional = false;
    } else {
      target = this.entry(this.topLayer);
    }
    if (target === null) return false; // keep what is focused until something focusable arrives
    if (target === current) {
      if (!provisional) this._set(target, false);
      return false;
    }
    this._set(target, provisional);
    return true;
  }

  /**
   * Moves focus in `dir`: the best of the focused item's siblings, else of its parent's siblings,
   * up to the layer. A dialog's edge and a container's `blockExit` stop the search. Returns the new
   * key, or null when focus stayed.
   */
  navigate(dir: Direction, rectOf: RectSource): string | null {
    const from = this._focused;
    const fromRect = from === null ? null : rectOf(from);
    if (from === null || !fromRect) return null;
    let current = from;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const node = this._nodes.get(current);
      if (!node || node.modal) return null;
      const candidates: Candidate[] = [];
      for (const key of this._navigableChildren(node.parent)) {
        if (key === current || this.entry(key) === null) continue;
        const rect = this._rectOf(key, rectOf, 0);
        if (rect) candidates.push({ key, rect });
      }
      const next = findNext(fromRect, candidates, dir);
      if (next !== null) {
        const target = this.entry(next)!;
        this._set(target, false);
        return target;
      }
      if (node.parent === ROOT) return null;
      const parent = this._nodes.get(node.parent);
      if (!parent || parent.modal || parent.blockExit?.includes(dir)) return null;
      current = node.parent;
    }
    return null;
  }

  /** The focusable item with this number, searching only the top layer. */
  itemByNumber(n: number): string | null {
    for (const node of this._nodes.values()) {
      if (node.number === n && this.isFocusable(node.key)) return node.key;
    }
    return null;
  }

  /** Runs the focused item's `onSelect`; returns whether there was one. */
  select(): boolean {
    const node = this._focused === null ? undefined : this._nodes.get(this._focused);
    if (!node?.onSelect) return false;
    node.onSelect();
    return true;
  }

  /**
   * Offers Back to the focused item and its containers, innermost first. Returns true when one took
   * it, or when the top layer is a dialog (Back never leaks out of a dialog); false means the
   * viewer pressed Back on the top screen.
   */
  back(): boolean {
    const top = this.topLayer;
    let k: string | null = this._focused !== null && this.layerOf(this._focused) === top ? this._focused : top;
    for (let depth = 0; k !== null && k !== ROOT && depth < MAX_DEPTH; depth++) {
      const node = this._nodes.get(k);
      if (!node) break;
      if (node.onBack && node.onBack() !== false) return true;
      if (node.modal) return true;
      k = node.parent;
    }
    return top !== ROOT;
  }

  /**
   * Offers a number key to the focused item and its containers, innermost first, up to the top
   * layer. Returns true when one took it (then no numbered item is picked).
   */
  digit(n: number): boolean {
    return this._offerUp((node) => !!node.onDigit && node.onDigit(n) !== false);
  }

  /** Offers an arrow that moved nothing to the focused item and its containers, up to the top layer. */
  edge(dir: Direction): boolean {
    return this._offerUp((node) => !!node.onEdge && node.onEdge(dir) !== false);
  }

  /** Offers something to the focused item (in the top layer) and its containers, innermost first, up to the layer; true once one takes it. */
  private _offerUp(takes: (node: FocusNode) => boolean): boolean {
    let k: string | null = this._focused !== null && this.layerOf(this._focused) === this.topLayer ? this._focused : null;
    for (let depth = 0; k !== null && k !== ROOT && depth < MAX_DEPTH; depth++) {
      const node = this._nodes.get(k);
      if (!node) break;
      if (takes(node)) return true;
      if (node.modal) return false;
      k = node.parent;
    }
    return false;
  }

  private _set(key: string, provisional: boolean): void {
    const previous = this._focused;
    this._focused = key;
    this._provisional = provisional;
    if (!provisional) {
      this._restore = null;
      this._remember(key);
    }
    if (previous !== key) this.onChange(previous, key);
  }

  private _remember(key: string): void {
    let child = key;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const node = this._nodes.get(child);
      if (!node || node.modal) return;
      this._memory.set(node.parent, child);
      if (node.parent === ROOT) return;
      child = node.parent;
    }
  }

  private _navigableChildren(key: string): string[] {
    return (this._children.get(key) ?? []).filter((k) => !this._nodes.get(k)?.modal);
  }

  private _rectOf(key: string, rectOf: RectSource, depth: number): Rect | null {
    const own = rectOf(key);
    if (own || depth > MAX_DEPTH || !this._nodes.get(key)?.container) return own;
    return unionRect(
      this._navigableChildren(key)
        .filter((k) => this.entry(k) !== null)
        .map((k) => this._rectOf(k, rectOf, depth + 1))
        .filter((r): r is Rect => r !== null),
    );
  }
}
