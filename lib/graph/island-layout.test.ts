import { describe, expect, it } from 'vitest';
import { dealIntoRows, islandFootprint, islandPositions, type Box } from './island-layout';
import { seededRandom } from '../util/seeded-random';

// Issue 13: the islands picture at 5,000 workloads. fcose left islands of ~930 x 750 px on top of
// each other; dealIntoRows moves them apart and keeps where each was relative to the others.

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

describe('dealIntoRows (islands never on top of each other)', () => {
  it('parts every overlapping pair of a dense pile, with the margin between them', () => {
    const boxes = pile(107);
    expect(overlapsIn(boxes, new Map(boxes.map((b) => [b.id, b])), 60).length).toBeGreaterThan(100);
    const at = dealIntoRows(boxes, 60);
    expect([...at.keys()].sort()).toEqual(boxes.map((b) => b.id).sort());
    expect(overlapsIn(boxes, at, 60)).toEqual([]);
  });

  it('keeps the arrangement: what was above stays above, and within a row what was left stays left', () => {
    const boxes = pile(107, 11);
    const at = dealIntoRows(boxes, 60);
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

  it('gives the same answer for the same boxes in any order, and parts boxes on the very same spot', () => {
    const boxes = pile(60, 3);
    expect(dealIntoRows([...boxes].reverse(), 60)).toEqual(dealIntoRows(boxes, 60));
    // Two islands on the very same spot (no axis to part them along) still end apart.
    const same: Named[] = [
      { id: 'ns:x', x: 10, y: 10, width: 930, height: 750 },
      { id: 'ns:y', x: 10, y: 10, width: 930, height: 750 },
    ];
    expect(overlapsIn(same, dealIntoRows(same, 60), 60)).toEqual([]);
    expect(dealIntoRows([], 60).size).toBe(0);
  });
});

/** Namespace islands of various sizes, linked in a ring plus a hub, with the ring's links repeated (one per status). */
function cluster(count: number): { boxes: (Box & { id: string })[]; links: [string, string][] } {
  const boxes = Array.from({ length: count }, (_, i) => ({ id: `ns:n${i}`, x: 0, y: 0, width: 120 + (i % 5) * 60, height: 100 + (i % 3) * 50 }));
  const links: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    links.push([boxes[i].id, boxes[(i + 1) % count].id], [boxes[(i + 1) % count].id, boxes[i].id]);
    if (i > 0) links.push([boxes[0].id, boxes[i].id]);
  }
  return { boxes, links };
}

const distance = (at: Map<string, { x: number; y: number }>, a: string, b: string) => Math.hypot(at.get(a)!.x - at.get(b)!.x, at.get(a)!.y - at.get(b)!.y);

describe('islandPositions (the islands picture)', () => {
  it('places every island, none on top of another, and the same graph always the same way', () => {
    const { boxes, links } = cluster(40);
    const at = islandPositions(boxes, links);
    expect([...at.keys()].sort()).toEqual(boxes.map((b) => b.id).sort());
    expect(overlapsIn(boxes, at, 60)).toEqual([]);
    // Same input, boxes and links in another order: the same picture.
    expect(islandPositions([...boxes].reverse(), [...links].reverse())).toEqual(at);
  });

  it('never piles the islands of a large cluster (~50 workloads each, ~930 x 750 px)', () => {
    const { links } = cluster(107);
    const boxes = Array.from({ length: 107 }, (_, i) => ({ id: `ns:n${i}`, x: 0, y: 0, width: 930 + (i % 3) * 2, height: 750 + (i % 3) * 2 }));
    expect(overlapsIn(boxes, islandPositions(boxes, links), 60)).toEqual([]);
  });

  it('puts linked islands nearer each other than unlinked ones', () => {
    // Two groups of eight, linked inside each group, and one light link between them.
    const boxes = Array.from({ length: 16 }, (_, i) => ({ id: `ns:g${i < 8 ? 'a' : 'b'}${i}`, x: 0, y: 0, width: 150, height: 150 }));
    const links: [string, string, number][] = [];
    for (let i = 0; i < 16; i++) for (let j = i + 1; j < 16; j++) if (i < 8 === j < 8) links.push([boxes[i].id, boxes[j].id, 5]);
    links.push([boxes[0].id, boxes[8].id, 1]);
    const at = islandPositions(boxes, links);
    const inside: number[] = [];
    const across: number[] = [];
    for (let i = 0; i < 16; i++) for (let j = i + 1; j < 16; j++) (i < 8 === j < 8 ? inside : across).push(distance(at, boxes[i].id, boxes[j].id));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(inside)).toBeLessThan(mean(across) * 0.75);
  });

  it('keeps a chain together: each island nearer its neighbours than the far end', () => {
    const boxes = Array.from({ length: 12 }, (_, i) => ({ id: `ns:c${String(i).padStart(2, '0')}`, x: 0, y: 0, width: 200, height: 150 }));
    const links = boxes.slice(1).map((b, i) => [boxes[i].id, b.id] as [string, string]);
    const at = islandPositions(boxes, links);
    expect(distance(at, boxes[0].id, boxes[1].id)).toBeLessThan(distance(at, boxes[0].id, boxes[11].id));
    expect(distance(at, boxes[11].id, boxes[10].id)).toBeLessThan(distance(at, boxes[11].id, boxes[0].id));
    // Neighbours along the chain are on average nearer than any two islands.
    const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
    const all = boxes.flatMap((a, i) => boxes.slice(i + 1).map((b) => distance(at, a.id, b.id)));
    expect(mean(links.map(([a, b]) => distance(at, a, b)))).toBeLessThan(mean(all) * 0.7);
  });

  it('ignores links to ids it does not lay out and loops, and a box with no link still gets a place', () => {
    const boxes = [
      { id: 'ns:a', x: 0, y: 0, width: 100, height: 100 },
      { id: 'ns:b', x: 0, y: 0, width: 100, height: 100 },
      { id: 'world', x: 0, y: 0, width: 30, height: 30 },
    ];
    const at = islandPositions(boxes, [['ns:a', 'ns:b'], ['ns:a', 'ns:gone'], ['ns:b', 'ns:b']]);
    expect([...at.keys()].sort()).toEqual(['ns:a', 'ns:b', 'world']);
    for (const p of at.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    expect(overlapsIn(boxes, at, 60)).toEqual([]);
    expect(islandPositions([], []).size).toBe(0);
    expect(islandPositions([boxes[0]], []).size).toBe(1);
  });
});
