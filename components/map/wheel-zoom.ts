/**
 * Zoom per wheel event: a mouse notch (deltaY 100 px) zooms by about 15%, a trackpad's small deltas
 * zoom smoothly, and one large event (a fast flick, 300+ px) is capped at about 1.5x so the map never jumps.
 */

const LINE_PX = 16;
const PAGE_PX = 800;
/** Pixels of wheel travel that double (or halve) the zoom. */
const PX_PER_DOUBLING = 500;
const MAX_PX = 300;

/** The factor to multiply the zoom by for one wheel event (deltaMode as in the DOM WheelEvent). */
export function wheelZoomFactor(deltaY: number, deltaMode: number): number {
  const px = deltaMode === 1 ? deltaY * LINE_PX : deltaMode === 2 ? deltaY * PAGE_PX : deltaY;
  const clamped = Math.max(-MAX_PX, Math.min(MAX_PX, px));
  return Math.pow(2, -clamped / PX_PER_DOUBLING);
}
