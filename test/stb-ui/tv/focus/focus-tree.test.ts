import { describe, expect, it, vi } from 'vitest';
import { FocusTree, ROOT, type FocusNodeSpec } from '../../../../stb-ui/src/tv/focus/focus-tree.js';
import type { Rect } from '../../../../stb-ui/src/tv/focus/geometry.js';

const box = (left: number, top: number, width: number, height: number): Rect => ({ left, top, right: left + width, bottom: top + height });

/** A tree plus a rect table; `add` takes specs and optional boxes. */
function setup() {
  const tree = new FocusTree();
  const rects = new Map<string, Rect>();
  const changes: (string | null)[] = [];
  tree.onChange = (_prev, next) => changes.push(next);
  const add = (spec: FocusNodeSpec, rect?: Rect) => {
    tree.add(spec);
    if (rect) rects.set(spec.key, rect);
  };
  const rectOf = (key: string) => rects.get(key) ?? null;
  const move = (dir: 'up' | 'down' | 'left' | 'right') => tree.navigate(dir, rectOf);
  return { tree, rects, add, rectOf, move, changes };
}

/** The start screen: a container with a vertical menu of three buttons. */
function startScreen(s: ReturnType<typeof setup>) {
  s.add({ key: 'start', container: true, defaultChild: 'start/login' });
  s.add({ key: 'start/login', parent: 'start', number: 1 }, box(0, 0, 900, 120));
  s.add({ key: 'start/register', parent: 'start', number: 2 }, box(0, 152, 900, 120));
  s.add({ key: 'start/settings', parent: 'start', number: 3 }, box(0, 304, 900, 120));
}

describe('FocusTree focus and settle', () => {
  it('focuses the default child of the first screen once it registers, and reports the change', () => {
    const s = setup();
    startScreen(s);
    expect(s.tree.focused).toBeNull();
    expect(s.tree.settle()).toBe(true);
    expect(s.tree.focused).toBe('start/login');
    expect(s.changes).toEqual(['start/login']);
  });

  it('moves a provisional focus to the default child when that registers later', () => {
    const s = setup();
    s.add({ key: 'start', container: true, defaultChild: 'start/settings' });
    s.add({ key: 'start/login', parent: 'start' }, box(0, 0, 900, 120));
    s.tree.settle();
    expect(s.tree.focused).toBe('start/login');
    s.add({ key: 'start/settings', parent: 'start' }, box(0, 152, 900, 120));
    s.tree.settle();
    expect(s.tree.focused).toBe('start/settings');
  });

  it('keeps an explicit focus when more items register', () => {
    const s = setup();
    s.add({ key: 'start', container: true, defaultChild: 'start/settings' });
    s.add({ key: 'start/login', parent: 'start' }, box(0, 0, 900, 120));
    s.add({ key: 'start/register', parent: 'start' }, box(0, 152, 900, 120));
    s.tree.settle();
    s.move('down');
    expect(s.tree.focused).toBe('start/register');
    s.add({ key: 'start/settings', parent: 'start' }, box(0, 304, 900, 120));
    expect(s.tree.settle()).toBe(false);
    expect(s.tree.focused).toBe('start/register');
  });

  it('moves on when the focused item is removed', () => {
    const s = setup();
    startScreen(s);
    s.tree.focus('start/register');
    s.tree.remove('start/register');
    expect(s.tree.focused).toBeNull();
    s.tree.settle();
    expect(s.tree.focused).toBe('start/login');
  });

  it('skips disabled items and containers with nothing focusable', () => {
    const s = setup();
    s.add({ key: 'empty', container: true });
    s.add({ key: 'off', disabled: true }, box(0, 0, 10, 10));
    s.add({ key: 'on' }, box(0, 20, 10, 10));
    s.tree.settle();
    expect(s.tree.focused).toBe('on');
    expect(s.tree.focus('off')).toBe(false);
    expect(s.tree.focus('empty')).toBe(false);
  });
});

describe('FocusTree.navigate', () => {
  it('moves along a vertical menu and stays at its ends', () => {
    const s = setup();
    startScreen(s);
    s.tree.settle();
    expect(s.move('down')).toBe('start/register');
    expect(s.move('down')).toBe('start/settings');
    expect(s.move('down')).toBeNull();
    expect(s.tree.focused).toBe('start/settings');
    expect(s.move('left')).toBeNull();
    expect(s.move('up')).toBe('start/register');
  });

  it('searches siblings first, even when a box outside the container is nearer', () => {
    const s = setup();
    s.add({ key: 'a', container: true });
    s.add({ key: 'a1', parent: 'a' }, box(0, 0, 100, 100));
    s.add({ key: 'a2', parent: 'a' }, box(0, 600, 100, 100));
    s.add({ key: 'b', container: true });
    s.add({ key: 'b1', parent: 'b' }, box(0, 200, 100, 100));
    s.tree.focus('a1');
    expect(s.move('down')).toBe('a2');
  });

  it("bubbles to the parent's siblings when no sibling lies that way, entering at the remembered child", () => {
    const s = setup();
    s.add({ key: 'left', container: true });
    s.add({ key: 'l1', parent: 'left' }, box(0, 0, 200, 100));
    s.add({ key: 'l2', parent: 'left' }, box(0, 200, 200, 100));
    s.add({ key: 'right', container: true });
    s.add({ key: 'r1', parent: 'right' }, box(400, 0, 200, 100));
    s.add({ key: 'r2', parent: 'right' }, box(400, 200, 200, 100));
    s.tree.focus('l2');
    expect(s.move('right')).toBe('r1'); // nothing remembered yet: the first child
    expect(s.move('down')).toBe('r2');
    expect(s.move('left')).toBe('l2'); // left remembers l2
    expect(s.move('right')).toBe('r2'); // right remembers r2
  });

  it('measures a container without a box of its own as the union of its children', () => {
    const s = setup();
    s.add({ key: 'x', container: true });
    s.add({ key: 'x1', parent: 'x' }, box(0, 0, 100, 100));
    s.add({ key: 'y', container: true });
    s.add({ key: 'y1', parent: 'y' }, box(0, 300, 100, 100));
    s.tree.focus('x1');
    expect(s.move('down')).toBe('y1');
  });

  it('does not leave a container in a blocked direction', () => {
    const s = setup();
    s.add({ key: 'row', container: true, blockExit: ['down'] });
    s.add({ key: 'row/1', parent: 'row' }, box(0, 0, 100, 100));
    s.add({ key: 'below' }, box(0, 200, 100, 100));
    s.tree.focus('row/1');
    expect(s.move('down')).toBeNull();
    expect(s.tree.focused).toBe('row/1');
  });

  it('stays put when the focused item has no box', () => {
    const s = setup();
    s.add({ key: 'ghost' });
    s.add({ key: 'real' }, box(0, 200, 10, 10));
    s.tree.focus('ghost');
    expect(s.move('down')).toBeNull();
  });
});

describe('FocusTree memory', () => {
  it('remembers the last focused child of a screen across its removal and return', () => {
    const s = setup();
    startScreen(s);
    s.tree.settle();
    s.tree.focus('start/settings');
    for (const key of ['start/login', 'start/register', 'start/settings', 'start']) s.tree.remove(key);
    s.add({ key: 'settings', container: true });
    s.add({ key: 'settings/a', parent: 'settings' }, box(0, 0, 10, 10));
    s.tree.settle();
    expect(s.tree.focused).toBe('settings/a');
    s.tree.remove('settings/a');
    s.tree.remove('settings');
    // The start screen comes back in pieces, as Lit renders it: the default child first.
    s.add({ key: 'start', container: true, defaultChild: 'start/login' });
    s.add({ key: 'start/login', parent: 'start' }, box(0, 0, 900, 120));
    s.tree.settle();
    expect(s.tree.focused).toBe('start/login');
    s.add({ key: 'start/settings', parent: 'start' }, box(0, 304, 900, 120));
    s.tree.settle();
    expect(s.tree.focused).toBe('start/settings');
  });
});

describe('FocusTree dialogs', () => {
  function withDialog() {
    const s = setup();
    startScreen(s);
    s.tree.settle();
    s.tree.focus('start/register');
    const onBack = vi.fn();
    s.add({ key: 'exit', container: true, modal: true, defaultChild: 'exit/no', onBack });
    // Until the dialog's buttons register, focus stays where it was (never none).
    s.tree.settle();
    expect(s.tree.focused).toBe('start/register');
    s.add({ key: 'exit/yes', parent: 'exit', number: 1 }, box(300, 500, 500, 120));
    s.add({ key: 'exit/no', parent: 'exit', number: 2 }, box(900, 500, 500, 120));
    s.tree.settle();
    return { ...s, onBack };
  }

  it('takes focus into the dialog at its default child', () => {
    const s = withDialog();
    expect(s.tree.topLayer).toBe('exit');
    expect(s.tree.focused).toBe('exit/no');
  });

  it('traps focus: no move leaves the dialog, and the screen below cannot be focused', () => {
    const s = withDialog();
    expect(s.move('left')).toBe('exit/yes');
    for (const dir of ['left', 'up', 'down'] as const) expect(s.move(dir)).toBeNull();
    expect(s.tree.focused).toBe('exit/yes');
    expect(s.tree.focus('start/login')).toBe(false);
    expect(s.tree.isFocusable('start/login')).toBe(false);
  });

  it('limits number keys to the dialog', () => {
    const s = withDialog();
    expect(s.tree.itemByNumber(3)).toBeNull();
    expect(s.tree.itemByNumber(1)).toBe('exit/yes');
  });

  it('gives Back to the dialog, never past it', () => {
    const s = withDialog();
    expect(s.tree.back()).toBe(true);
    expect(s.onBack).toHaveBeenCalledOnce();
  });

  it('opened again, enters at its default child, not at the answer picked the last time', () => {
    const s = withDialog();
    s.move('left');
    expect(s.tree.focused).toBe('exit/yes');
    for (const key of ['exit', 'exit/yes', 'exit/no']) s.tree.remove(key);
    s.tree.settle();
    s.add({ key: 'exit', container: true, modal: true, defaultChild: 'exit/no' });
    s.add({ key: 'exit/yes', parent: 'exit', number: 1 }, box(300, 500, 500, 120));
    s.add({ key: 'exit/no', parent: 'exit', number: 2 }, box(900, 500, 500, 120));
    s.tree.settle();
    expect(s.tree.focused).toBe('exit/no');
  });

  it('gives focus back to the opener when the dialog is removed', () => {
    const s = withDialog();
    s.move('left');
    s.tree.remove('exit');
    s.tree.remove('exit/yes');
    s.tree.remove('exit/no');
    s.tree.settle();
    expect(s.tree.topLayer).toBe(ROOT);
    expect(s.tree.focused).toBe('start/register');
  });
});

describe('FocusTree.back and select', () => {
  it('offers Back innermost first, and reports false on the top screen', () => {
    const s = setup();
    const screenBack = vi.fn();
    s.add({ key: 'settings', container: true, onBack: screenBack });
    s.add({ key: 'settings/group', parent: 'settings', container: true, onBack: () => false });
    s.add({ key: 'settings/group/a', parent: 'settings/group' }, box(0, 0, 10, 10));
    s.tree.settle();
    expect(s.tree.back()).toBe(true);
    expect(screenBack).toHaveBeenCalledOnce();

    const t = setup();
    startScreen(t);
    t.tree.settle();
    expect(t.tree.back()).toBe(false);
  });

  it('runs the focused item’s onSelect', () => {
    const s = setup();
    const onSelect = vi.fn();
    s.add({ key: 'a', onSelect }, box(0, 0, 10, 10));
    s.tree.settle();
    expect(s.tree.select()).toBe(true);
    expect(onSelect).toHaveBeenCalledOnce();
  });

  it('finds numbered items on the screen', () => {
    const s = setup();
    startScreen(s);
    expect(s.tree.itemByNumber(3)).toBe('start/settings');
    expect(s.tree.itemByNumber(4)).toBeNull();
  });

  it('updates options in place', () => {
    const s = setup();
    startScreen(s);
    s.tree.update('start/settings', { number: 9 });
    expect(s.tree.itemByNumber(9)).toBe('start/settings');
    s.tree.update('start/settings', { disabled: true });
    expect(s.tree.isFocusable('start/settings')).toBe(false);
  });
});

describe('FocusTree.digit', () => {
  it('offers a number key to the focused item’s containers, innermost first, before numbered items', () => {
    const s = setup();
    const typed: number[] = [];
    s.add({ key: 'flow', container: true, onDigit: (n) => (n <= 9 ? void typed.push(n) : false) });
    s.add({ key: 'pad/1', parent: 'flow', number: 7 }, box(0, 0, 100, 100));
    s.tree.settle();
    expect(s.tree.digit(4)).toBe(true);
    expect(s.tree.digit(11)).toBe(false);
    expect(typed).toEqual([4]);
    // Passed on (false): the numbered item is still there for the service to pick.
    expect(s.tree.itemByNumber(7)).toBe('pad/1');
  });

  it('does not reach below an open dialog', () => {
    const s = setup();
    const typed: number[] = [];
    s.add({ key: 'flow', container: true, onDigit: (n) => void typed.push(n) });
    s.add({ key: 'pad/1', parent: 'flow' }, box(0, 0, 100, 100));
    s.tree.settle();
    s.add({ key: 'dialog', container: true, modal: true });
    s.add({ key: 'dialog/yes', parent: 'dialog', number: 1 }, box(0, 200, 100, 100));
    s.tree.settle();
    expect(s.tree.focused).toBe('dialog/yes');
    expect(s.tree.digit(1)).toBe(false);
    expect(typed).toEqual([]);
  });
});

describe('FocusTree.rename', () => {
  // Lit reuses a week grid's cells for the next week's days: a cell keeps its place, focus and OK.
  it('gives a node a new key in place: focus, OK, its place among siblings and the memory of it follow', () => {
    const s = setup();
    const picked: string[] = [];
    s.add({ key: 'grid', container: true });
    s.add({ key: 'slot/12-01', parent: 'grid', onSelect: () => picked.push('12-01') }, box(0, 0, 100, 100));
    s.add({ key: 'slot/12-02', parent: 'grid' }, box(110, 0, 100, 100));
    s.tree.settle();
    s.tree.focus('slot/12-01');
    s.tree.rename('slot/12-01', 'slot/12-08');
    s.tree.update('slot/12-08', { onSelect: () => picked.push('12-08') });
    s.rects.set('slot/12-08', box(0, 0, 100, 100));
    expect(s.tree.focused).toBe('slot/12-08');
    expect(s.tree.has('slot/12-01')).toBe(false);
    expect(s.changes.at(-1)).toBe('slot/12-08');
    s.tree.select();
    expect(picked).toEqual(['12-08']);
    expect(s.move('right')).toBe('slot/12-02');
    // Leaving the grid and coming back lands on the renamed cell, remembered under its new key.
    s.tree.focus('slot/12-08');
    s.tree.remove('slot/12-02');
    s.add({ key: 'other', container: true });
    s.add({ key: 'other/a', parent: 'other' }, box(0, 200, 100, 100));
    s.tree.focus('other/a');
    s.tree.focus('grid');
    expect(s.tree.focused).toBe('slot/12-08');
  });

  it('moves a container\'s children along, and displaces a node already holding the new key', () => {
    const s = setup();
    s.add({ key: 'list', container: true });
    s.add({ key: 'row/a', parent: 'list', container: true });
    s.add({ key: 'row/a/go', parent: 'row/a' }, box(0, 0, 10, 10));
    s.add({ key: 'row/b', parent: 'list', container: true });
    s.tree.settle();
    expect(s.tree.focused).toBe('row/a/go');
    s.tree.rename('row/a', 'row/b');
    expect(s.tree.focused).toBe('row/a/go');
    expect(s.tree.layerOf('row/a/go')).toBe(ROOT);
    s.tree.remove('row/a/go');
    s.tree.settle();
    expect(s.tree.focused).toBeNull();
  });
});

describe('FocusTree topmost layer (the evacuation alert)', () => {
  function withAlert() {
    const s = setup();
    startScreen(s);
    s.tree.settle();
    s.tree.focus('start/register');
    s.add({ key: 'alert', container: true, modal: true, topmost: true, defaultChild: 'alert/ok' });
    s.add({ key: 'alert/ok', parent: 'alert', number: 1 }, box(300, 900, 500, 120));
    s.tree.settle();
    return s;
  }
  const idleDialog = (s: ReturnType<typeof setup>) => {
    s.add({ key: 'idle', container: true, modal: true, defaultChild: 'idle/stay' });
    s.add({ key: 'idle/stay', parent: 'idle', number: 1 }, box(300, 500, 500, 120));
    s.tree.settle();
  };

  it('stays the top layer when a dialog opens while it shows: keys keep going to the alert', () => {
    const s = withAlert();
    idleDialog(s);
    expect(s.tree.topLayer).toBe('alert');
    expect(s.tree.focused).toBe('alert/ok');
    expect(s.tree.itemByNumber(1)).toBe('alert/ok');
  });

  it('removed, lets focus into the dialog opened beneath it; that dialog closed, focus goes back to the screen', () => {
    const s = withAlert();
    idleDialog(s);
    for (const key of ['alert', 'alert/ok']) s.tree.remove(key);
    s.tree.settle();
    expect(s.tree.focused).toBe('idle/stay');
    for (const key of ['idle', 'idle/stay']) s.tree.remove(key);
    s.tree.settle();
    expect(s.tree.focused).toBe('start/register');
  });

  it('a dialog closed beneath it hands its opener up: the alert removed, focus is back on the screen', () => {
    const s = withAlert();
    idleDialog(s);
    for (const key of ['idle', 'idle/stay']) s.tree.remove(key);
    s.tree.settle();
    expect(s.tree.focused).toBe('alert/ok');
    for (const key of ['alert', 'alert/ok']) s.tree.remove(key);
    s.tree.settle();
    expect(s.tree.focused).toBe('start/register');
  });
});

describe('FocusTree.edge', () => {
  it('offers an arrow that moved nothing to the containers up to the layer, innermost first', () => {
    const s = setup();
    const onEdge = vi.fn(() => true);
    s.add({ key: 'alert', container: true, modal: true, topmost: true, defaultChild: 'alert/ok', onEdge });
    s.add({ key: 'alert/ok', parent: 'alert' }, box(0, 900, 500, 120));
    s.tree.settle();
    expect(s.move('down')).toBeNull();
    expect(s.tree.edge('down')).toBe(true);
    expect(onEdge).toHaveBeenCalledWith('down');
  });
});
