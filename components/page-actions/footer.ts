/**
 * The strip drawn under a screenshot: `Flowsight · <page path + query> · <timestamp>`, so a
 * picture pasted into a ticket still says where and when it was taken. Plain canvas drawing with
 * the context passed in, so it is testable without a browser.
 */

/** Footer height in CSS pixels; the image's pixel ratio scales it. */
export const FOOTER_HEIGHT = 28;
const FONT_SIZE = 12;
const PADDING_X = 10;
const SEPARATOR = ' · ';
const ELLIPSIS = '…';
/** System fonts only: a web font might not be loaded (or allowed) when the canvas draws. */
export const FOOTER_FONT = `${FONT_SIZE}px ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif`;
const BACKGROUND = '#f1f5f9'; // slate-100
const RULE = '#cbd5e1'; // slate-300
const TEXT = '#0f172a'; // slate-900

export interface TextMeasurer {
  measureText(text: string): { width: number };
}

/**
 * The longest start of `text` that fits `maxWidth` with an ellipsis appended (the whole text if it
 * fits). Splits by code point so an emoji or astral character is never cut in half.
 */
export function ellipsize(ctx: TextMeasurer, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  const chars = Array.from(text);
  // Binary search: queries can be long, and measureText is not free.
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ctx.measureText(chars.slice(0, mid).join('') + ELLIPSIS).width <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('') + ELLIPSIS;
}

/**
 * The footer line for `maxWidth`. Only the page part is shortened: the product name and the
 * timestamp are short and always needed to read the picture.
 */
export function footerText(ctx: TextMeasurer, page: string, time: string, maxWidth: number): string {
  const prefix = `Flowsight${SEPARATOR}`;
  const suffix = `${SEPARATOR}${time}`;
  const room = maxWidth - ctx.measureText(prefix).width - ctx.measureText(suffix).width;
  return prefix + ellipsize(ctx, page, room) + suffix;
}

/** The parts of a 2D context the footer uses (a real CanvasRenderingContext2D has them all). */
export type FooterContext = TextMeasurer &
  Pick<CanvasRenderingContext2D, 'font' | 'fillStyle' | 'textBaseline' | 'fillRect' | 'fillText' | 'setTransform'> & {
    drawImage(image: CanvasImageSource, dx: number, dy: number): void;
  };

export interface FooterCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): FooterContext | null;
}

export interface FooterOptions {
  /** Page path with its query string. */
  page: string;
  time: string;
  /** Image pixels per CSS pixel of the capture. */
  scale: number;
}

/**
 * A new canvas, FOOTER_HEIGHT (scaled) taller than `source`, with the source on top and the footer
 * under it. `createCanvas` makes the output canvas (document.createElement in the browser).
 */
export function composeWithFooter<C extends FooterCanvas>(
  source: CanvasImageSource & { width: number; height: number },
  { page, time, scale }: FooterOptions,
  createCanvas: () => C,
): C {
  const footerPx = Math.round(FOOTER_HEIGHT * scale);
  const out = createCanvas();
  out.width = source.width;
  out.height = source.height + footerPx;
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('the browser gave no 2D canvas to draw the screenshot on');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(source, 0, 0);
  // The footer is laid out in CSS pixels, like the page it describes, and scaled like the capture.
  ctx.setTransform(scale, 0, 0, scale, 0, source.height);
  const width = source.width / scale;
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, width, FOOTER_HEIGHT);
  ctx.fillStyle = RULE;
  ctx.fillRect(0, 0, width, 1);
  ctx.font = FOOTER_FONT;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = TEXT;
  ctx.fillText(footerText(ctx, page, time, width - 2 * PADDING_X), PADDING_X, FOOTER_HEIGHT / 2 + 0.5);
  return out;
}

/**
 * The page as people read it in the footer: the path and its query with the URL escapes undone
 * (`q=verdict:dropped ns:shop`, not `q=verdict%3Adropped+ns%3Ashop`). A query that is not valid
 * percent-encoding is shown as it is.
 */
export function readablePage(pathname: string, search: string): string {
  try {
    return pathname + decodeURIComponent(search.replace(/\+/g, ' '));
  } catch {
    return pathname + search;
  }
}
