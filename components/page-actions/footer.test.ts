import { describe, expect, it } from 'vitest';
import { composeWithFooter, ellipsize, FOOTER_FONT, FOOTER_HEIGHT, footerText, readablePage, type FooterCanvas, type FooterContext, type TextMeasurer } from './footer';

/** Every character is 6 px wide. */
const mono: TextMeasurer = { measureText: (s) => ({ width: Array.from(s).length * 6 }) };

describe('ellipsize', () => {
  it('keeps text that fits', () => {
    expect(ellipsize(mono, 'verdict:dropped', 90)).toBe('verdict:dropped');
  });

  it('cuts the end and appends an ellipsis that fits with it', () => {
    const out = ellipsize(mono, 'verdict:dropped ns:payments', 60);
    expect(out).toBe('verdict:d…');
    expect(mono.measureText(out).width).toBeLessThanOrEqual(60);
  });

  it('leaves only the ellipsis when nothing else fits', () => {
    expect(ellipsize(mono, 'abc', 7)).toBe('…');
    expect(ellipsize(mono, 'abc', 0)).toBe('…');
  });

  it('never splits a character made of two UTF-16 units', () => {
    expect(ellipsize(mono, '😀😀😀😀', 18)).toBe('😀😀…');
  });

  it('works with a measure that is not linear', () => {
    const wide: TextMeasurer = { measureText: (s) => ({ width: Array.from(s).reduce((w, c) => w + (c === 'W' ? 20 : 5), 0) }) };
    expect(ellipsize(wide, 'aaWWaa', 40)).toBe('aaW…');
  });
});

describe('footerText', () => {
  const time = '2025-03-07T14:05:09+01:00';

  it('is Flowsight · page · time', () => {
    expect(footerText(mono, '/flows?q=verdict:dropped', time, 1000)).toBe(`Flowsight · /flows?q=verdict:dropped · ${time}`);
  });

  it('shortens only the page to fit the width', () => {
    const page = `/flows?q=${'x'.repeat(200)}`;
    const text = footerText(mono, page, time, 600);
    expect(text.startsWith('Flowsight · /flows?q=xxx')).toBe(true);
    expect(text.endsWith(`… · ${time}`)).toBe(true);
    expect(mono.measureText(text).width).toBeLessThanOrEqual(600);
  });
});

/** A canvas whose context records what is drawn. */
function fakeCanvas() {
  const calls: unknown[][] = [];
  const ctx = {
    font: '',
    fillStyle: '' as CanvasRenderingContext2D['fillStyle'],
    textBaseline: 'alphabetic' as CanvasTextBaseline,
    measureText: mono.measureText,
    setTransform: (...a: unknown[]) => calls.push(['setTransform', ...a]),
    drawImage: (...a: unknown[]) => calls.push(['drawImage', ...a]),
    fillRect: (...a: unknown[]) => calls.push(['fillRect', ctx.fillStyle, ...a]),
    fillText: (...a: unknown[]) => calls.push(['fillText', ctx.font, ...a]),
  };
  const canvas = { width: 0, height: 0, getContext: () => ctx as unknown as FooterContext } satisfies FooterCanvas;
  return { canvas, calls };
}

describe('composeWithFooter', () => {
  const source = { width: 1200, height: 800 } as unknown as HTMLCanvasElement;

  it('is as wide as the capture and a footer taller, with the capture at the top', () => {
    const { canvas, calls } = fakeCanvas();
    const out = composeWithFooter(source, { page: '/map', time: 'T', scale: 1 }, () => canvas);
    expect(out).toBe(canvas);
    expect([out.width, out.height]).toEqual([1200, 800 + FOOTER_HEIGHT]);
    expect(calls.find((c) => c[0] === 'drawImage')).toEqual(['drawImage', source, 0, 0]);
    const text = calls.find((c) => c[0] === 'fillText')!;
    expect(text[1]).toBe(FOOTER_FONT);
    expect(text[2]).toBe('Flowsight · /map · T');
  });

  it('scales the footer with the capture and ellipsizes to the CSS width', () => {
    const { canvas, calls } = fakeCanvas();
    const out = composeWithFooter(source, { page: `/flows?q=${'y'.repeat(500)}`, time: 'T', scale: 2 }, () => canvas);
    expect(out.height).toBe(800 + 2 * FOOTER_HEIGHT);
    // Footer drawn below the capture, in CSS pixels scaled by 2.
    expect(calls).toContainEqual(['setTransform', 2, 0, 0, 2, 0, 800]);
    expect(calls).toContainEqual(['fillRect', '#f1f5f9', 0, 0, 600, FOOTER_HEIGHT]);
    const text = calls.find((c) => c[0] === 'fillText')![2] as string;
    expect(text).toMatch(/^Flowsight · \/flows\?q=y+… · T$/);
    expect(mono.measureText(text).width).toBeLessThanOrEqual(600 - 20);
  });

  it('says so when there is no 2D context', () => {
    const canvas = { width: 0, height: 0, getContext: () => null };
    expect(() => composeWithFooter(source, { page: '/', time: 'T', scale: 1 }, () => canvas)).toThrow(/2D canvas/);
  });
});

describe('readablePage', () => {
  it('undoes the URL escapes of the query, so the footer reads like the search box', () => {
    expect(readablePage('/flows', '?q=verdict%3Adropped+ns%3Ashop&since=1h')).toBe('/flows?q=verdict:dropped ns:shop&since=1h');
  });
  it('shows a query that is not valid percent-encoding as it is', () => {
    expect(readablePage('/flows', '?q=100%')).toBe('/flows?q=100%');
  });
});
