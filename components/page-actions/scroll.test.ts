import { describe, expect, it } from 'vitest';
import { addTranslate, atPath, pathFrom, splitTopLevel, visibleRegion } from './scroll';

describe('splitTopLevel', () => {
  it('splits on whitespace outside parentheses', () => {
    expect(splitTopLevel('10px 20px')).toEqual(['10px', '20px']);
    expect(splitTopLevel(' calc(50% + 2px)   -3px 1px ')).toEqual(['calc(50% + 2px)', '-3px', '1px']);
    expect(splitTopLevel('')).toEqual([]);
  });
});

describe('addTranslate', () => {
  it('starts from none', () => {
    expect(addTranslate('none', 0, -120)).toBe('0px -120px');
    expect(addTranslate('', -5, 0)).toBe('-5px 0px');
  });

  it('adds to pixel values and keeps z', () => {
    expect(addTranslate('10px', 0, -30)).toBe('10px -30px');
    expect(addTranslate('10px 4.5px', -2.25, -30)).toBe('7.75px -25.5px');
    expect(addTranslate('1px 2px 3px', 1, 1)).toBe('2px 3px 3px');
    expect(addTranslate('0 0', 0, 8)).toBe('0 8px');
  });

  it('wraps other units in calc()', () => {
    expect(addTranslate('-50% 1em', 0, -12)).toBe('-50% calc(1em - 12px)');
    expect(addTranslate('calc(50% + 1px) 0px', 4, 0)).toBe('calc(calc(50% + 1px) + 4px) 0px');
  });
});

interface Node {
  name: string;
  parentElement: Node | null;
  children: Node[];
}

function tree(): { root: Node; byName: Record<string, Node> } {
  const byName: Record<string, Node> = {};
  const make = (name: string, kids: Node[] = []): Node => {
    const n: Node = { name, parentElement: null, children: kids };
    kids.forEach((k) => (k.parentElement = n));
    byName[name] = n;
    return n;
  };
  const root = make('main', [make('a'), make('b', [make('b0'), make('b1', [make('b10')])])]);
  make('outside');
  return { root, byName };
}

describe('pathFrom / atPath', () => {
  it('finds the same element again by its path', () => {
    const { root, byName } = tree();
    expect(pathFrom(root, byName.b10)).toEqual([1, 1, 0]);
    expect(pathFrom(root, root)).toEqual([]);
    expect(atPath(root, [1, 1, 0])).toBe(byName.b10);
    expect(atPath(root, [])).toBe(root);
  });

  it('counts only the siblings the copy keeps', () => {
    const { root, byName } = tree();
    const dropA = (n: Node) => n.name !== 'a';
    expect(pathFrom(root, byName.b10, dropA)).toEqual([0, 1, 0]);
    expect(pathFrom(root, byName.b1, (n) => n.name !== 'b0')).toEqual([1, 0]);
  });

  it('is null outside the root or off the tree', () => {
    const { root, byName } = tree();
    expect(pathFrom(root, byName.outside)).toBeNull();
    expect(atPath(root, [0, 0])).toBeNull();
    expect(atPath(root, [5])).toBeNull();
  });
});

describe('visibleRegion', () => {
  const viewport = { width: 1440, height: 900 };

  it('is the element box when it fits below the header', () => {
    expect(visibleRegion({ left: 0, top: 57 }, { width: 1440, height: 843 }, viewport)).toEqual({ x: 0, y: 0, width: 1440, height: 843 });
  });

  it('is cut at the window when the content spills out of the element', () => {
    expect(visibleRegion({ left: 0, top: 57 }, { width: 1440, height: 1468 }, viewport)).toEqual({ x: 0, y: 0, width: 1440, height: 843 });
  });

  it('starts inside the element when the window is scrolled past its top', () => {
    expect(visibleRegion({ left: 0, top: -343 }, { width: 1440, height: 1468 }, viewport)).toEqual({ x: 0, y: 343, width: 1440, height: 900 });
    // Scrolled to the end: the rest of the content is shorter than the window.
    expect(visibleRegion({ left: 0, top: -1000 }, { width: 1440, height: 1468 }, viewport)).toEqual({ x: 0, y: 1000, width: 1440, height: 468 });
  });

  it('handles horizontal scroll and fractional positions', () => {
    expect(visibleRegion({ left: -100.4, top: 56.6 }, { width: 2000, height: 843 }, viewport)).toEqual({ x: 100, y: 0, width: 1440, height: 843 });
  });

  it('is null when nothing of it is on screen', () => {
    expect(visibleRegion({ left: 0, top: 950 }, { width: 1440, height: 500 }, viewport)).toBeNull();
    expect(visibleRegion({ left: 0, top: -600 }, { width: 1440, height: 500 }, viewport)).toBeNull();
  });
});
