import { toSvg } from 'html-to-image';
import { addTranslate, atPath, pathFrom, visibleRegion } from './scroll';

/** Declarations to add to one element of the copy, found again by its path. */
interface Patch {
  path: number[];
  css: string;
}

const px = (v: string) => parseFloat(v) || 0;

/**
 * Nodes left out of the copy. An <img> without a source (CodeMirror puts zero-width ones beside
 * its widgets) draws nothing, and html-to-image would fetch the page's own URL for it and then fail
 * to load that HTML as a picture, failing the whole capture.
 */
function kept(node: Node): boolean {
  return !(node instanceof HTMLImageElement && !node.getAttribute('src') && !node.getAttribute('srcset'));
}

/**
 * How far a sticky element is stuck away from where it would sit unstuck. Measured by making it
 * static for a moment: set and restored in the same task, so nothing is painted in between.
 */
function stuckOffset(el: HTMLElement): [number, number] {
  const stuck = el.getBoundingClientRect();
  const style = el.getAttribute('style');
  el.style.setProperty('position', 'static', 'important');
  const loose = el.getBoundingClientRect();
  if (style === null) el.removeAttribute('style');
  else el.setAttribute('style', style);
  return [stuck.left - loose.left, stuck.top - loose.top];
}

/** The nearest ancestor that clips its content (a sticky element sticks within it). */
function scrollContainerOf(el: HTMLElement, stop: HTMLElement): HTMLElement | null {
  for (let node = el.parentElement; node; node = node.parentElement) {
    const s = getComputedStyle(node);
    if (/(auto|scroll|hidden)/.test(`${s.overflowX} ${s.overflowY}`) || node === stop) return node;
  }
  return null;
}

/**
 * What the copy needs to look like the screen (see scroll.ts):
 * - the children of every scrolled element moved back by its scroll offset, and sticky elements in
 *   such a panel (a table header) moved on to where they are stuck. One already stuck at scroll 0
 *   is rare here and is left as the copy draws it;
 * - scrollbars: the copy's would sit at the top whatever the scroll, and the SVG image draws
 *   classic scrollbars even where the screen has overlay (or, headless, no) scrollbars. So a
 *   scrollbar that takes room on screen keeps its room but is drawn blank, and one that takes no
 *   room is not drawn at all, keeping the layout as wide as on screen.
 */
function copyPatches(root: HTMLElement): Patch[] {
  const moves = new Map<HTMLElement, [number, number]>();
  const move = (el: HTMLElement, dx: number, dy: number) => {
    const [x, y] = moves.get(el) ?? [0, 0];
    moves.set(el, [x + dx, y + dy]);
  };
  const extra = new Map<HTMLElement, string>();
  for (const el of [root, ...root.querySelectorAll<HTMLElement>('*')]) {
    const s = getComputedStyle(el);
    if (/(auto|scroll)/.test(`${s.overflowX} ${s.overflowY}`)) {
      const gutter = el.offsetWidth - el.clientWidth - px(s.borderLeftWidth) - px(s.borderRightWidth) > 0 || el.offsetHeight - el.clientHeight - px(s.borderTopWidth) - px(s.borderBottomWidth) > 0;
      extra.set(el, gutter ? 'scrollbar-color: transparent transparent;' : 'scrollbar-width: none;');
    }
    if (el.scrollTop === 0 && el.scrollLeft === 0) continue;
    for (const child of el.children) if (child instanceof HTMLElement) move(child, -el.scrollLeft, -el.scrollTop);
    for (const inner of el.querySelectorAll<HTMLElement>('*')) {
      if (getComputedStyle(inner).position !== 'sticky' || scrollContainerOf(inner, root) !== el) continue;
      const [dx, dy] = stuckOffset(inner);
      if (dx || dy) move(inner, dx, dy);
    }
  }
  for (const [el, [dx, dy]] of moves) extra.set(el, `${extra.get(el) ?? ''}translate: ${addTranslate(getComputedStyle(el).translate, dx, dy)};`);
  const patches: Patch[] = [];
  for (const [el, css] of extra) {
    const path = pathFrom<Element>(root, el, kept);
    if (path) patches.push({ path, css });
  }
  return patches;
}

/** Applies the patches to html-to-image's SVG (a data URL holding the copied DOM in a foreignObject). */
function patchSvg(dataUrl: string, patches: Patch[]): string {
  if (patches.length === 0) return dataUrl;
  const comma = dataUrl.indexOf(',');
  const doc = new DOMParser().parseFromString(decodeURIComponent(dataUrl.slice(comma + 1)), 'image/svg+xml');
  const copy = doc.querySelector('foreignObject')?.firstElementChild;
  // An unexpected SVG is better captured unpatched than not at all.
  if (!copy || doc.querySelector('parsererror')) return dataUrl;
  for (const { path, css } of patches) {
    const el = atPath<Element>(copy, path);
    if (!el) continue;
    // Appended last so they win over the same properties html-to-image copied from computed style.
    const style = (el.getAttribute('style') ?? '').trim();
    el.setAttribute('style', `${style}${style && !style.endsWith(';') ? ';' : ''}${css}`);
  }
  return dataUrl.slice(0, comma + 1) + encodeURIComponent(new XMLSerializer().serializeToString(doc));
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => img.decode().then(() => resolve(img), () => resolve(img));
    img.onerror = () => reject(new Error('the browser could not render the page copy'));
    img.src = url;
  });
}

/**
 * `el` drawn on a canvas as it is on screen now: the part of its content that is in the window
 * (usually its box; a page that spills out of it and scrolls the window is taken where the window
 * is scrolled to), scrolled panels as scrolled, canvases (the cytoscape map) with their current
 * pixels (html-to-image copies each <canvas> through toDataURL). `ratio` canvas pixels per CSS pixel.
 *
 * html-to-image's toCanvas does the same minus the scroll positions; its last step (SVG to canvas)
 * is redone here so the SVG can be adjusted in between.
 */
export async function captureElement(el: HTMLElement, ratio: number): Promise<HTMLCanvasElement> {
  const box = el.getBoundingClientRect();
  const viewport = document.documentElement;
  const region = visibleRegion(
    box,
    { width: Math.max(el.clientWidth, el.scrollWidth), height: Math.max(el.clientHeight, el.scrollHeight) },
    { width: viewport.clientWidth, height: viewport.clientHeight },
  );
  if (!region) throw new Error('the page content is not on screen');
  const patches = copyPatches(el);
  const svg = await toSvg(el, {
    // The SVG is the visible region; the copy keeps the element's own size and is moved so that
    // the region's top-left lands on the SVG's.
    width: region.width,
    height: region.height,
    style: { width: `${el.clientWidth}px`, height: `${el.clientHeight}px`, translate: addTranslate(getComputedStyle(el).translate, -region.x, -region.y) },
    filter: kept,
    // A picture that cannot be embedded is drawn broken rather than failing the whole screenshot.
    onImageErrorHandler: () => undefined,
  });
  const img = await loadImage(patchSvg(svg, patches));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(region.width * ratio);
  canvas.height = Math.round(region.height * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('the browser gave no 2D canvas to draw the screenshot on');
  // The page background is the body's, also where content spills past the element's box; without
  // it everything not painted would be transparent.
  ctx.fillStyle = getComputedStyle(document.body).backgroundColor;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return canvas;
}
