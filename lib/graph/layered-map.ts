/**
 * An immutable map whose next version shares everything a change did not touch.
 *
 * The browser keeps the live graph as immutable versions (React compares them by identity), one per
 * delta. Copying a 20,000-edge Map for each of ten deltas a second cost ~11 ms a copy on an idle core
 * (bench:live-graph) and 20-70 ms on the page's main thread of bench:ui, where the held deltas after
 * a snapshot came in one burst and held the first draw back (issue 13). A LayeredMap is a frozen base
 * and a small layer of changes over it: a new version copies the layer, not the base, and the layer
 * is folded into a new base once it outgrows about the square root of the map's size times a
 * constant (see `foldAt`), which balances the layer copies against the rare full copy.
 *
 * It reads like a Map: same lookups, and iteration in a Map's order (a key keeps its place when its
 * value changes, a new key comes last), except that a key of the base removed and set again between
 * two folds keeps its old place where a Map would move it last.
 */

const GONE: unique symbol = Symbol('removed');
type Slot<V> = V | typeof GONE;

/** Layer size past which it is folded into a new base: ~2,300 changes over 20,000 entries. */
export function foldAt(baseSize: number): number {
  return Math.max(64, Math.ceil(16 * Math.sqrt(baseSize)));
}

export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    /** Never changed once it is a base: every version built on it reads it. */
    private readonly base: ReadonlyMap<K, V>,
    /** Changes over the base, in the order they were made: a value, or GONE for a removed key. */
    private readonly layer: ReadonlyMap<K, Slot<V>>,
    readonly size: number,
  ) {}

  /**
   * A map as the first version. The caller hands `map` over: nothing may change it afterwards (a
   * LayeredMap is returned as it is).
   */
  static over<K, V>(map: ReadonlyMap<K, V>): LayeredMap<K, V> {
    return map instanceof LayeredMap ? map : new LayeredMap(map, new Map(), map.size);
  }

  /** The next version: `remove` taken out, then `set` put in (later entries win). This version is unchanged. */
  with(remove: Iterable<K>, set: Iterable<readonly [K, V]>): LayeredMap<K, V> {
    const layer = new Map(this.layer);
    let size = this.size;
    const present = (key: K): boolean => {
      const slot = layer.get(key);
      if (slot !== undefined || layer.has(key)) return slot !== GONE;
      return this.base.has(key);
    };
    for (const key of remove) {
      if (!present(key)) continue;
      size -= 1;
      // A key the base does not hold needs no mark: dropping it from the layer is enough.
      if (this.base.has(key)) layer.set(key, GONE);
      else layer.delete(key);
    }
    for (const [key, value] of set) {
      if (!present(key)) size += 1;
      layer.set(key, value);
    }
    if (layer.size <= foldAt(this.base.size)) return new LayeredMap(this.base, layer, size);
    // Folded into a new base the way a Map would have changed: changed keys keep their place.
    const base = new Map(this.base);
    for (const [key, slot] of layer) {
      if (slot === GONE) base.delete(key);
      else base.set(key, slot);
    }
    return new LayeredMap(base, new Map(), base.size);
  }

  get(key: K): V | undefined {
    const slot = this.layer.get(key);
    if (slot !== undefined || this.layer.has(key)) return slot === GONE ? undefined : (slot as V);
    return this.base.get(key);
  }

  has(key: K): boolean {
    const slot = this.layer.get(key);
    if (slot !== undefined || this.layer.has(key)) return slot !== GONE;
    return this.base.has(key);
  }

  // Without a layer, the base's own iterators (a pass over 20,000 edges: ~0.3 ms instead of ~1 ms).
  entries(): MapIterator<[K, V]> {
    return this.layer.size ? this.layered((key, value) => [key, value] as [K, V]) : this.base.entries();
  }

  keys(): MapIterator<K> {
    return this.layer.size ? this.layered((key) => key) : this.base.keys();
  }

  values(): MapIterator<V> {
    return this.layer.size ? this.layered((_, value) => value) : this.base.values();
  }

  /** The base in its order with the layer's changes, then the keys the layer added. */
  private *layered<T>(item: (key: K, value: V) => T): MapIterator<T> {
    const layer = this.layer;
    for (const [key, value] of this.base) {
      const slot = layer.get(key);
      if (slot === undefined && !layer.has(key)) yield item(key, value);
      else if (slot !== GONE) yield item(key, slot as V);
    }
    for (const [key, slot] of layer) if (slot !== GONE && !this.base.has(key)) yield item(key, slot as V);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}
