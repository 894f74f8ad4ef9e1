/**
 * cytoscape draws on three stacked canvases the size of the map: its elements, the elements being
 * dragged, and the selection box. The last two are empty nearly all the time, yet cytoscape clears
 * them as it draws, and a canvas on the page costs the browser a new buffer at each commit it changed
 * in (in a software-composited browser ~20-50 ms each for its first few frames). Measured on the
 * 5,000-workload map's first picture (the map canvas alone in headless chromium): with the two
 * hidden, from the graph handed over to the picture settled took ~225 ms instead of ~295 ms, and the
 * empty map's first frame ~105 ms instead of ~125 ms; bench:ui's first render 2.52 s against 2.77 s
 * (means of 5 interleaved pairs).
 *
 * So the selection box's canvas is hidden for good (the map has no box selection; what else cytoscape
 * draws there is the grey ring of a tap on the background), and the drag canvas is shown only while a
 * node is held. A hidden canvas is drawn on as before; it is just not part of the page's picture.
 * If a cytoscape release renames its layers, nothing is hidden and the map draws as it did.
 */

import type { Core } from 'cytoscape';

/** The `data-id`s cytoscape's canvas renderer gives its layers. */
const SELECT_BOX_LAYER = 'layer0-selectbox';
const DRAG_LAYER = 'layer1-drag';

export function hideIdleLayers(cy: Core): void {
  const layer = (id: string) => cy.container()?.querySelector<HTMLCanvasElement>(`canvas[data-id="${id}"]`) ?? null;
  const selectBox = layer(SELECT_BOX_LAYER);
  if (selectBox) selectBox.style.display = 'none';
  const drag = layer(DRAG_LAYER);
  if (!drag) return;
  drag.style.display = 'none';
  // cytoscape moves a held node (and its edges) onto the drag canvas before it draws the next frame.
  cy.on('grab', 'node', () => {
    drag.style.display = '';
  });
  cy.on('free', 'node', () => {
    drag.style.display = 'none';
  });
}
