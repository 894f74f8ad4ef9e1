import { describe, expect, it } from 'vitest';
import { islandPositions, strongestPairs, type IslandBox } from './island-positions';

/** Namespace islands of various sizes, linked in a ring plus a hub, with the ring's links repeated (one per status). */
function cluster(count: number): { boxes: IslandBox[]; links: [string, string][] } {
  const boxes = Array.from({ length: count }, (_, i) => ({ id: `ns:n${i}`, width: 120 + (i % 5) * 60, height: 100 + (i % 3) * 50, position: { x: (i * 37) % 500, y: (i * 91) % 500 } }));
  const links: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    links.push([boxes[i].id, boxes[(i + 1) % count].id], [boxes[(i + 1) % count].id, boxes[i].id]);
    if (i > 0) links.push([boxes[0].id, boxes[i].id]);
  }
  return { boxes, links };
}

const overlap = (a: IslandBox & { at: { x: number; y: number } }, b: IslandBox & { at: { x: number; y: number } }) =>
  Math.abs(a.at.x - b.at.x) * 2 < a.width + b.width && Math.abs(a.at.y - b.at.y) * 2 < a.height + b.height;

describe('islandPositions (the islands layout, headless)', () => {
  it('places every island, none on top of another, and the same graph always the same way', () => {
    const { boxes, links } = cluster(40);
    const a = islandPositions(boxes, links);
    expect([...a.keys()].sort()).toEqual(boxes.map((b) => b.id).sort());
    const placed = boxes.map((b) => ({ ...b, at: a.get(b.id)! }));
    for (let i = 0; i < placed.length; i++) for (let j = i + 1; j < placed.length; j++) expect(overlap(placed[i], placed[j]), `${placed[i].id} / ${placed[j].id}`).toBe(false);
    // Same input, links in another order and repeated: the same picture.
    expect(islandPositions(boxes, [...links].reverse())).toEqual(a);
  });

  it('never piles islands of a large cluster (~50 workloads each, ~930 x 750 px) on top of each other', () => {
    // fcose alone left 400 overlapping pairs among the 107 islands of the 5,000-workload demo.
    const { links } = cluster(80);
    const boxes = Array.from({ length: 80 }, (_, i) => ({ id: `ns:n${i}`, width: 930 + (i % 3) * 2, height: 750 + (i % 3) * 2, position: { x: 0, y: 0 } }));
    const a = islandPositions(boxes, links);
    const placed = boxes.map((b) => ({ ...b, at: a.get(b.id)! }));
    const piled: string[] = [];
    for (let i = 0; i < placed.length; i++) for (let j = i + 1; j < placed.length; j++) if (overlap(placed[i], placed[j])) piled.push(`${placed[i].id}/${placed[j].id}`);
    expect(piled).toEqual([]);
  });

  it('puts linked islands nearer each other than unlinked ones', () => {
    // Two groups of five, linked inside each group only.
    const boxes = Array.from({ length: 10 }, (_, i) => ({ id: `ns:g${i < 5 ? 'a' : 'b'}${i}`, width: 150, height: 150, position: { x: i * 10, y: (i * 7) % 30 } }));
    const links: [string, string][] = [];
    for (let i = 0; i < 10; i++) for (let j = i + 1; j < 10; j++) if (i < 5 === j < 5) links.push([boxes[i].id, boxes[j].id]);
    const at = islandPositions(boxes, links);
    const d = (x: string, y: string) => Math.hypot(at.get(x)!.x - at.get(y)!.x, at.get(x)!.y - at.get(y)!.y);
    const inside: number[] = [];
    const across: number[] = [];
    for (let i = 0; i < 10; i++) for (let j = i + 1; j < 10; j++) (i < 5 === j < 5 ? inside : across).push(d(boxes[i].id, boxes[j].id));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(inside)).toBeLessThan(mean(across));
  });

  it("keeps for the layout each island's heaviest links only: a light link both ends can spare is left out", () => {
    // H: six heavy links and two light ones to l1 and l2; l1 and l2 each have six heavier links of their own.
    const links: [string, string, number][] = [];
    for (let i = 1; i <= 6; i++) links.push(['H', `a${i}`, 6], ['l1', `p${i}`, 5], ['l2', `q${i}`, 5]);
    links.push(['H', 'l1', 1], ['l2', 'H', 1], ['a1', 'H', 2]);
    const ids = new Set(links.flatMap(([a, b]) => [a, b]));
    const kept = strongestPairs(ids, links);
    const keys = [...kept.values()].map((p) => `${p.source}-${p.target}`);
    expect(keys).not.toContain('H-l1');
    expect(keys).not.toContain('H-l2');
    expect(keys).toHaveLength(18);
    // Repeats add up.
    expect(kept.get('H\u0000a1')?.weight).toBe(8);
  });

  it('ignores links to ids it does not lay out, and a box with no link still gets a place', () => {
    const boxes: IslandBox[] = [
      { id: 'ns:a', width: 100, height: 100, position: { x: 0, y: 0 } },
      { id: 'ns:b', width: 100, height: 100, position: { x: 10, y: 0 } },
      { id: 'world', width: 30, height: 30, position: { x: 5, y: 5 } },
    ];
    const at = islandPositions(boxes, [['ns:a', 'ns:b'], ['ns:a', 'ns:gone'], ['ns:b', 'ns:b']]);
    expect([...at.keys()].sort()).toEqual(['ns:a', 'ns:b', 'world']);
    for (const p of at.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  });
});
