import { digitOf, isColorKey, isDirection, type ColorKey } from '../input/actions.js';
import type { KeyInput, KeyPress } from '../input/key-input.js';
import type { Rect } from './geometry.js';
import { FocusTree, ROOT, type FocusNodeOptions } from './focus-tree.js';

/** Options for `register`: the node options, plus its key (generated when absent) and parent. */
export interface RegisterOptions extends FocusNodeOptions {
  key?: string;
  /** The parent container's key; absent = the nearest registered container element above it (through shadow roots); null = ROOT. */
  parent?: string | null;
}

/** Detail of the `focus-moved` event the service dispatches on `window` after every focus change. */
export interface FocusMovedDetail {
  key: string | null;
  previous: string | null;
  /** `performance.now()` when the `focused` attribute had been moved. */
  at: number;
  /** The `timeStamp` of the key event that caused the move, or null when no key did. */
  keyTimeStamp: number | null;
}

interface ColorBinding {
  element: Element;
  color: ColorKey;
  label: string;
  onPress: () => void;
}

/** The attribute that marks the one focused element; elements style `:host([focused])`. */
export const FOCUSED_ATTRIBUTE = 'focused';
/** The attribute that names a registered element's focus key (for tests and debugging). */
export const KEY_ATTRIBUTE = 'data-focus-key';

/**
 * The DOM side of focus: registers elements (from any shadow root) into a FocusTree, moves the
 * `focused` attribute, measures boxes with getBoundingClientRect into a cache that a resize, a
 * ResizeObserver report or any (un)registration clears, and turns key actions into moves, OK,
 * Back, number and colour keys.
 *
 * @fires focus-moved - on window, with FocusMovedDetail, after every focus change (key→focus timing)
 */
export class FocusService {
  readonly tree = new FocusTree();
  /** Called when Back or Exit reaches the top screen (the app asks whether to leave). */
  onRootBack: (() => void) | null = null;
  private _choicesHeld: ReturnType<typeof setTimeout> | null = null;

  private readonly _elements = new Map<string, Element>();
  private readonly _keys = new WeakMap<Element, string>();
  private readonly _rects = new Map<string, Rect | null>();
  private _colorBindings: ColorBinding[] = [];
  private _observer: ResizeObserver | null = null;
  private _unsubscribe: (() => void) | null = null;
  private _settleQueued = false;
  private _keyTimeStamp: number | null = null;
  private _serial = 0;

  constructor() {
    this.tree.onChange = (previous, next) => this._onChange(previous, next);
  }

  /** Starts taking key presses from `input`, and watching the layout (call once, in the browser). */
  start(input: KeyInput): void {
    if (this._unsubscribe) return;
    this._unsubscribe = input.subscribe((press) => this.handle(press));
    window.addEventListener('resize', this._onLayoutChange);
    if (typeof ResizeObserver === 'function') this._observer = new ResizeObserver(this._onLayoutChange);
  }

  /** The focused key, or null. */
  get focusedKey(): string | null {
    return this.tree.focused;
  }

  /** The element registered under `key`. */
  elementOf(key: string): Element | undefined {
    return this._elements.get(key);
  }

  /**
   * Registers a focusable item or a container (with `container: true`) and returns its key. An
   * element inside a shadow root finds its parent container by itself; a container without an
   * element (`element` null) measures as the union of its children.
   */
  register(element: Element | null, options: RegisterOptions = {}): string {
    const { key: wanted, parent: given, ...nodeOptions } = options;
    const key = wanted ?? `focus-${++this._serial}`;
    const parent = given !== undefined ? given : element ? this.containerOf(element) : null;
    this.tree.add({ ...nodeOptions, key, parent });
    const previous = this._elements.get(key);
    if (previous && previous !== element) this._forget(key, previous);
    if (element) {
      this._elements.set(key, element);
      this._keys.set(element, key);
      element.setAttribute(KEY_ATTRIBUTE, key);
      this._observer?.observe(element);
    }
    this._changed();
    return key;
  }

  /**
   * Removes a registered node; focus moves on by itself (to a dialog's opener, or into the screen).
   * Given `element`, does nothing when the key has since been taken by another element.
   */
  unregister(key: string, element?: Element): void {
    const current = this._elements.get(key);
    if (element && current !== element) return;
    if (current) this._forget(key, current);
    this.tree.remove(key);
    this._changed();
  }

  private _forget(key: string, element: Element): void {
    element.removeAttribute(FOCUSED_ATTRIBUTE);
    this._observer?.unobserve(element);
    this._keys.delete(element);
    if (this._elements.get(key) === element) this._elements.delete(key);
  }

  /**
   * The element registered under `from` now stands for something else (Lit reuses an element for
   * the next item of a list, e.g. a week grid's cell for another week's day): it takes its new key
   * in place, focus staying on it. Returns the key it is registered under.
   */
  rekey(from: string, element: Element, options: RegisterOptions): string {
    const to = options.key;
    if (to === undefined || to === from) {
      this.update(from, options);
      return from;
    }
    // Another element took `from` meanwhile (it was given this element's old key): register afresh.
    if (this._elements.get(from) !== element) return this.register(element, options);
    const holder = this._elements.get(to);
    if (holder && holder !== element) this._forget(to, holder);
    this._elements.delete(from);
    this._elements.set(to, element);
    this._keys.set(element, to);
    element.setAttribute(KEY_ATTRIBUTE, to);
    this.tree.rename(from, to);
    this.update(to, options);
    this._changed();
    return to;
  }

  /** Changes a node's options (number, disabled, handlers). */
  update(key: string, options: RegisterOptions): void {
    const { key: _key, parent: _parent, ...nodeOptions } = options;
    this.tree.update(key, nodeOptions);
    this._queueSettle();
  }

  /** Focuses an item or enters a container, as if the viewer had moved there. */
  focus(key: string): boolean {
    return this.tree.focus(key);
  }

  /** Forgets every measured box; call after a layout change no ResizeObserver sees (a pure move). */
  invalidate(): void {
    this._rects.clear();
  }

  /** The key of the nearest registered container above `element`, across shadow-root boundaries; null = ROOT. */
  containerOf(element: Element): string | null {
    let node: Node | null = element.parentNode;
    while (node) {
      if (node instanceof ShadowRoot) {
        node = node.host;
        continue;
      }
      const key = node instanceof Element ? this._keys.get(node) : undefined;
      if (key !== undefined && this.tree.isContainer(key)) return key;
      node = node.parentNode;
    }
    return null;
  }

  /**
   * Lets a colour key act while `element` (a legend showing a coloured chip and `label`) is in the
   * top layer. Use `<stb-tv-legend>`, which draws the chip and label and binds them together.
   * Returns the function that unbinds.
   */
  bindColorKey(element: Element, color: ColorKey, label: string, onPress: () => void): () => void {
    if (!label.trim()) throw new Error(`colour key ${color} needs an on-screen label`);
    const binding: ColorBinding = { element, color, label, onPress };
    this._colorBindings.push(binding);
    return () => {
      this._colorBindings = this._colorBindings.filter((b) => b !== binding);
    };
  }

  /**
   * OK and digits do nothing for `ms` (arrows and Back still move): something the resident did not
   * ask for just left the screen (the alert overlay), and a key pressed for it must not pick what
   * is beneath.
   */
  holdChoices(ms: number, onEnd?: () => void): void {
    if (this._choicesHeld) clearTimeout(this._choicesHeld);
    this._choicesHeld = setTimeout(() => {
      this._choicesHeld = null;
      onEnd?.();
    }, ms);
  }

  /** Whether OK and digits are held (`holdChoices`). */
  get choicesHeld(): boolean {
    return this._choicesHeld !== null;
  }

  /** Acts on one key press (KeyInput calls this for every press once `start` ran). */
  handle(press: KeyPress): void {
    const action = press.action;
    if (action === null) return;
    if (this._choicesHeld !== null && (action === 'ok' || digitOf(action) !== null)) return;
    this._keyTimeStamp = press.timeStamp;
    try {
      if (isDirection(action)) {
        if (this.tree.navigate(action, this._rectOf) === null) this.tree.edge(action);
      }
      else if (action === 'ok') this.tree.select();
      else if (action === 'back') {
        if (!this.tree.back()) this.onRootBack?.();
      } else if (action === 'exit') this.onRootBack?.();
      else if (isColorKey(action)) this._onColor(action);
      else {
        const n = digitOf(action);
        if (n !== null && this.tree.digit(n)) return;
        const key = n === null ? null : this.tree.itemByNumber(n);
        if (key !== null && this.tree.focus(key)) this.tree.select();
      }
    } finally {
      this._keyTimeStamp = null;
    }
  }

  private _onColor(color: ColorKey): void {
    const top = this.tree.topLayer;
    for (let i = this._colorBindings.length - 1; i >= 0; i--) {
      const b = this._colorBindings[i]!;
      if (b.color === color && b.element.isConnected && this._layerOfElement(b.element) === top) return b.onPress();
    }
  }

  private _layerOfElement(element: Element): string | null {
    const container = this.containerOf(element);
    return container === null ? ROOT : this.tree.layerOf(container);
  }

  private _rectOf = (key: string): Rect | null => {
    let rect = this._rects.get(key);
    if (rect !== undefined) return rect;
    const element = this._elements.get(key);
    rect = null;
    if (element) {
      const box = element.getBoundingClientRect();
      if (box.width > 0 || box.height > 0) rect = { left: box.left, top: box.top, right: box.right, bottom: box.bottom };
    }
    this._rects.set(key, rect);
    return rect;
  };

  private _onLayoutChange = () => this.invalidate();

  private _changed(): void {
    this.invalidate();
    this._queueSettle();
  }

  private _queueSettle(): void {
    if (this._settleQueued) return;
    this._settleQueued = true;
    queueMicrotask(() => {
      this._settleQueued = false;
      this.tree.settle();
    });
  }

  private _onChange(previous: string | null, next: string | null): void {
    if (previous !== null) this._elements.get(previous)?.removeAttribute(FOCUSED_ATTRIBUTE);
    if (next !== null) this._elements.get(next)?.setAttribute(FOCUSED_ATTRIBUTE, '');
    if (next === null) this._queueSettle();
    const detail: FocusMovedDetail = { key: next, previous, at: performance.now(), keyTimeStamp: this._keyTimeStamp };
    window.dispatchEvent(new CustomEvent('focus-moved', { detail }));
  }
}

/** The TV page's one focus service. */
export const focusService = new FocusService();

declare global {
  interface WindowEventMap { 'focus-moved': CustomEvent<FocusMovedDetail> }
}
