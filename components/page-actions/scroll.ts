/**
 * Scroll positions in the capture, the DOM-free parts.
 *
 * html-to-image renders a copy of the DOM, and a copy has no scroll positions: every scrolled
 * panel (the virtualised flow table, a long policy list) would come out scrolled to the top, or
 * blank where the virtual rows sit further down. The capture therefore moves the children of each
 * scrolled element by the scroll offset with the CSS `translate` property, which composes with any
 * `transform` the element already has. Likewise a page taller than the window (the overview) is
 * captured where the window is scrolled to.
 */

/** Splits a CSS value on top-level whitespace (`calc(50% + 2px) 3px` is two parts). */
export function splitTopLevel(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value.trim()) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && /\s/.test(ch)) {
      if (current) parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current) parts.push(current);
  return parts;
}

function plus(length: string, px: number): string {
  if (px === 0) return length;
  const plain = /^(-?\d*\.?\d+(?:e[+-]?\d+)?)px$/i.exec(length);
  if (plain) return `${round(Number(plain[1]) + px)}px`;
  if (length === '0') return `${round(px)}px`;
  return `calc(${length} ${px < 0 ? '-' : '+'} ${round(Math.abs(px))}px)`;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * A computed `translate` value (`none`, `x`, `x y` or `x y z`) moved by (dx, dy) CSS pixels.
 * Tailwind 4 uses `translate` for its translate utilities, so an existing value must be kept.
 */
export function addTranslate(current: string, dx: number, dy: number): string {
  const parts = current.trim() === 'none' || current.trim() === '' ? [] : splitTopLevel(current);
  const [x = '0px', y = '0px', z] = parts;
  return [plus(x, dx), plus(y, dy), ...(z ? [z] : [])].join(' ');
}

interface TreeNode<T> {
  parentElement: T | null;
  children: ArrayLike<T>;
}

/**
 * Child indices from `root` down to `el` (null when `el` is not inside `root`), counting only the
 * children `kept` says the copy keeps. Element children only: the copy keeps the kept elements in
 * order, and only appends its own extras (pseudo-element styles) after them.
 */
export function pathFrom<T extends TreeNode<T>>(root: T, el: T, kept: (el: T) => boolean = () => true): number[] | null {
  const path: number[] = [];
  let node = el;
  while (node !== root) {
    const parent = node.parentElement;
    if (!parent) return null;
    let index = 0;
    for (let i = 0; i < parent.children.length && parent.children[i] !== node; i++) if (kept(parent.children[i])) index++;
    path.unshift(index);
    node = parent;
  }
  return path;
}

/** The element at `path` below `root`, or null when the copy's tree differs. */
export function atPath<T extends { children: ArrayLike<T> }>(root: T, path: readonly number[]): T | null {
  let node: T | undefined = root;
  for (const i of path) {
    node = node.children[i];
    if (!node) return null;
  }
  return node;
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The part of an element's content that is on screen, relative to the element's top-left, in whole
 * CSS pixels; null when none is. `box` is where the element is in the viewport, `content` how far
 * its content reaches (its scroll size: a page taller than the window spills out of <main> and
 * the window scrolls, so the visible part can start below <main>'s top and end past its bottom).
 */
export function visibleRegion(box: { left: number; top: number }, content: { width: number; height: number }, viewport: { width: number; height: number }): Region | null {
  const x0 = Math.round(Math.max(0, -box.left));
  const y0 = Math.round(Math.max(0, -box.top));
  const x1 = Math.round(Math.min(content.width, viewport.width - box.left));
  const y1 = Math.round(Math.min(content.height, viewport.height - box.top));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}
