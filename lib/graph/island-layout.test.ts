import { describe, expect, it } from 'vitest';
import { islandFootprint, separateBoxes, type Box } from './island-layout';
import { seededRandom } from '../util/seeded-random';

// Issue 13: the islands picture at 5,000 workloads. fcose left islands of ~930 x 750 px on top of
// each other; separateBoxes moves them apart and keeps where each was relative to the others.

type Named = Box & { id: string };
const overlapping = (a: Box, b: Box, margin: number) => Math.abs(a.x - b.x) * 2 < a.width + b.width + 2 * margin && Math.abs(a.y - b.y) * 2 < a.height + b.height + 2 * margin;

function overlapsIn(boxes: readonly Named[], at: Map<string, { x: number; y: number }>, margin: number): string[] {
  const placed = boxes.map((b) => ({ ...b, ...at.get(b.id)! }));
  const out: string[] = [];
  for (let i = 0; i < placed.length; i++) for (let j = i + 1; j < placed.length; j++) if (overlapping(placed[i], placed[j], margin)) out.push(`${placed[i].id}/${placed[j].id}`);
  return out;
}

/** A pile like fcose's at 5,000 workloads: 100 islands of ~50 workloads and a few small peers, centres within a few box widths. */
function pile(count: number, seed = 7): Named[] {
  const rnd = seededRandom(seed);
  const big = islandFootprint(50);
  return Array.from({ length: count }, (_, i) => {
    const size = i % 25 === 0 ? { width: 26, height: 26 } : i % 7 === 0 ? islandFootprint(12) : big;
    return { id: `ns:n${String(i).padStart(3, '0')}`, x: rnd() * 8000, y: rnd() * 6000, ...size };
  });
}

describe('separateBoxes (islands never on top of each other)', () => {
  it('parts every overlapping pair of a dense pile, with the margin between them', () => {
    const boxes = pile(107);
    expect(overlapsIn(boxes, new Map(boxes.map((b) => [b.id, b])), 60).length).toBeGreaterThan(100);
    const at = separateBoxes(boxes, 60);
    expect([...at.keys()].sort()).toEqual(boxes.map((b) => b.id).sort());
    expect(overlapsIn(boxes, at, 60)).toEqual([]);
  });

  it('keeps the arrangement: what was above stays above, and within a row what was left stays left', () => {
    const boxes = pile(107, 11);
    const at = separateBoxes(boxes, 60);
    let above = 0;
    let left = 0;
    let sameRow = 0;
    for (const a of boxes) {
      for (const b of boxes) {
        if (a.id === b.id) continue;
        const [p, q] = [at.get(a.id)!, at.get(b.id)!];
        // Rows keep the vertical order: a box placed higher was not lower before.
        if (p.y < q.y) {
          above++;
          expect(a.y, `${a.id} above ${b.id}`).toBeLessThanOrEqual(b.y);
        }
        if (p.y === q.y) {
          sameRow++;
          if (p.x < q.x) {
            left++;
            expect(a.x, `${a.id} left of ${b.id}`).toBeLessThanOrEqual(b.x);
          }
        }
      }
    }
    expect(above).toBeGreaterThan(5000);
    expect(left).toBeGreaterThan(200);
    expect(sameRow).toBe(left * 2);
    // About as wide as tall, and compact: the boxes cover over a third of the picture.
    const xs = boxes.map((b) => [at.get(b.id)!.x - b.width / 2, at.get(b.id)!.x + b.width / 2]).flat();
    const ys = boxes.map((b) => [at.get(b.id)!.y - b.height / 2, at.get(b.id)!.y + b.height / 2]).flat();
    const [w, h] = [Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
    expect(w / h).toBeGreaterThan(0.6);
    expect(w / h).toBeLessThan(1.7);
    expect(boxes.reduce((s, b) => s + b.width * b.height, 0) / (w * h)).toBeGreaterThan(0.35);
  });

  it('leaves a picture without overlaps as it is, and gives the same answer for the same boxes in any order', () => {
    const apart: Named[] = [
      { id: 'ns:a', x: 0, y: 0, width: 300, height: 200 },
      { id: 'ns:b', x: 500, y: 0, width: 300, height: 200 },
      { id: 'host', x: 0, y: 400, width: 26, height: 26 },
    ];
    expect(separateBoxes(apart, 60)).toEqual(new Map(apart.map((b) => [b.id, { x: b.x, y: b.y }])));
    const boxes = pile(60, 3);
    expect(separateBoxes([...boxes].reverse(), 60)).toEqual(separateBoxes(boxes, 60));
    // Two islands on the very same spot (no axis to part them along) still end apart.
    const same: Named[] = [
      { id: 'ns:x', x: 10, y: 10, width: 930, height: 750 },
      { id: 'ns:y', x: 10, y: 10, width: 930, height: 750 },
    ];
    expect(overlapsIn(same, separateBoxes(same, 60), 60)).toEqual([]);
    expect(separateBoxes([], 60).size).toBe(0);
  });
});

