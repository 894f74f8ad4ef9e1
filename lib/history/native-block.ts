/**
 * ClickHouse's Native format, written in plain TypeScript for the column types the history uses.
 *
 * Native is columnar and already in the engine's in-memory layout: numbers are little-endian fixed
 * width, strings are a LEB128 length and their UTF-8 bytes, an array is its cumulative offsets then
 * its elements, and a LowCardinality column carries its own dictionary and the index of each row in
 * it. Reading that is nearly a copy for the engine. The text formats cost it ~45 µs per flow row
 * (mostly hashing every LowCardinality value again); this costs it 4-7 µs, roll-up view included.
 * The layout is the one ClickHouse's own `FORMAT Native` output has (client revision 0: no block
 * info, no per-column serialization byte), checked byte for byte in native-block.test.ts; the
 * format is described at https://clickhouse.com/docs/reference/formats/Native. Written here
 * because no JS package writes it: the official codec (@clickhouse/rowbinary) writes RowBinary,
 * which costs the engine 2-3x more per row here (it hashes every LowCardinality value again).
 */

import { runToEnd, type Steps } from '../util/time-slices';

/** The column types a block can hold, by their ClickHouse names (codecs are the table's business). */
const NATIVE_TYPE_NAMES = [
  'String',
  'LowCardinality(String)',
  'UInt8',
  'UInt16',
  'UInt32',
  'UInt64',
  'Int8',
  'Int16',
  'Int32',
  "DateTime64(6, 'UTC')",
  'Array(String)',
  'Array(LowCardinality(String))',
  'Array(Tuple(String, String))',
] as const;

export type NativeType = (typeof NATIVE_TYPE_NAMES)[number];

/** Node's UTF-8 write without the argument checks of `write` (present on every Buffer, untyped). */
type FastBuffer = Buffer & { utf8Write(s: string, offset: number): number };

// Native numbers are little-endian; typed arrays use the platform's order, and every platform
// Node ships for is little-endian. Checked once rather than assumed silently.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('the Native writer needs a little-endian platform');

let scratch = new Uint8Array(1 << 16);

/** A reused buffer of at least `n` bytes (8-byte aligned: typed arrays of any width fit on it). */
function scratchBytes(n: number): Uint8Array {
  if (scratch.length < n) {
    let size = scratch.length * 2;
    while (size < n) size *= 2;
    scratch = new Uint8Array(size);
  }
  return scratch;
}

/** A growable byte buffer with the writes Native needs. */
class ByteWriter {
  private buf: FastBuffer;
  private at = 0;

  constructor(sizeHint = 1 << 16) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, sizeHint)) as FastBuffer;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = Buffer.allocUnsafe(size) as FastBuffer;
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  varUInt(n: number): void {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.at++] = n;
  }

  /** A string as Native writes it: LEB128 byte length, then UTF-8. */
  string(s: string): void {
    const len = s.length;
    if (len < 43) {
      // Short strings (ids, addresses, names) are nearly always ASCII: copied char by char, which
      // is cheaper than a native UTF-8 write per value; anything else falls back to it. UTF-8 is at
      // most three bytes per UTF-16 unit, so one length byte (≤ 127) always suffices here.
      this.room(1 + len * 3);
      const b = this.buf;
      const at = this.at;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        b[at + 1 + i] = c;
      }
      const n = i === len ? len : b.utf8Write(s, at + 1);
      b[at] = n;
      this.at = at + 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varUInt(n);
    this.room(n);
    this.at += this.buf.utf8Write(s, this.at);
  }

  /** A 64-bit integer from a JS number (exact up to 2^53). */
  int64(n: number): void {
    this.room(8);
    this.buf.writeUInt32LE(n >>> 0, this.at);
    this.buf.writeInt32LE(Math.floor(n / 0x1_0000_0000) | 0, this.at + 4);
    this.at += 8;
  }

  /**
   * Little-endian unsigned integers of `width` bytes (1, 2, 4 or 8; 8 exact up to 2^53). Wider ones
   * go through a typed array of their width (its element conversion is the same wrap-around as
   * masking each byte) and are copied in at once: a store per value, not per byte.
   */
  integers(values: ArrayLike<number>, count: number, width: 1 | 2 | 4 | 8): void {
    this.room(count * width);
    const b = this.buf;
    if (width === 1) {
      let at = this.at;
      for (let r = 0; r < count; r++) b[at++] = values[r] & 0xff;
      this.at = at;
      return;
    }
    const scratch = scratchBytes(count * width);
    if (width === 2) {
      const out = new Uint16Array(scratch.buffer, 0, count);
      for (let r = 0; r < count; r++) out[r] = values[r];
    } else if (width === 4) {
      const out = new Uint32Array(scratch.buffer, 0, count);
      for (let r = 0; r < count; r++) out[r] = values[r];
    } else {
      const out = new Uint32Array(scratch.buffer, 0, count * 2);
      for (let r = 0; r < count; r++) {
        const v = values[r];
        out[2 * r] = v >>> 0;
        out[2 * r + 1] = Math.floor(v / 0x1_0000_0000) >>> 0;
      }
    }
    b.set(scratch.subarray(0, count * width), this.at);
    this.at += count * width;
  }

  /** Another writer's bytes. */
  append(other: ByteWriter): void {
    this.room(other.at);
    other.buf.copy(this.buf, this.at, 0, other.at);
    this.at += other.at;
  }

  /** Empty again, keeping the memory for the next block. */
  reset(): void {
    this.at = 0;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

const toNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(v) || 0);
const toText = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v));
const toList = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** A growable Uint32Array. */
class Uint32List {
  values = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.values.length) {
      const grown = new Uint32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = v;
  }
  /** Room for `n` more values, so that a bulk fill can write `values` directly from `length` on. */
  reserve(n: number): Uint32Array {
    if (this.length + n > this.values.length) {
      let size = this.values.length * 2;
      while (size < this.length + n) size *= 2;
      const grown = new Uint32Array(size);
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    return this.values;
  }
  get used(): Uint32Array {
    return this.values.subarray(0, this.length);
  }
  reset(): void {
    this.length = 0;
  }
}

/**
 * One column, filled row by row and written once. Every kind has its own class so that the loop
 * over a kind's columns in addParts stays monomorphic: one call site per kind, not one for all.
 */
interface ColumnWriter {
  push(v: unknown): void;
  /** Appends one row per id, row r holding `distinct[ids[r]]`: the values are converted once each, not once per row. */
  repeat(distinct: readonly unknown[], ids: Uint32Array): void;
  /** Writes the column's data (after its name and type). */
  write(w: ByteWriter): void;
  /** Empty again for the next block, keeping its memory. */
  reset(): void;
}

/** repeat() for columns whose values gain nothing from converting once: push each row's value. */
function pushEach(column: ColumnWriter, distinct: readonly unknown[], ids: Uint32Array): void {
  for (let r = 0; r < ids.length; r++) column.push(distinct[ids[r]]);
}

/** Fixed-width integers: out-of-range values wrap, as the engine's own casts do. */
class IntegerColumn implements ColumnWriter {
  private values = new Float64Array(1024);
  private length = 0;
  constructor(private readonly bytes: 1 | 2 | 4 | 8) {}
  push(v: unknown): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = Math.trunc(toNumber(v));
  }
  repeat(distinct: readonly unknown[], ids: Uint32Array): void {
    const numbers = distinct.map((v) => Math.trunc(toNumber(v)));
    if (this.length + ids.length > this.values.length) {
      const grown = new Float64Array(this.length + ids.length);
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    for (let r = 0; r < ids.length; r++) this.values[this.length++] = numbers[ids[r]];
  }
  write(w: ByteWriter): void {
    w.integers(this.values, this.length, this.bytes);
  }
  reset(): void {
    this.length = 0;
  }
}

/**
 * Strings are encoded as they come, not kept: a block holds 50,000 rows for up to a second, and
 * strings kept that long survive the young generation (ids, addresses), which then costs the
 * collector more than encoding them does.
 */
class StringColumn implements ColumnWriter {
  private readonly bytes = new ByteWriter(1 << 14);
  push(v: unknown): void {
    this.bytes.string(toText(v));
  }
  repeat(distinct: readonly unknown[], ids: Uint32Array): void {
    pushEach(this, distinct, ids);
  }
  write(w: ByteWriter): void {
    w.append(this.bytes);
  }
  reset(): void {
    this.bytes.reset();
  }
}

/** LowCardinality serialization flags (SerializationLowCardinality): the dictionary travels with the block. */
const HAS_ADDITIONAL_KEYS = 1 << 9;
const NEED_UPDATE_DICTIONARY = 1 << 10;
/** The "shared dictionaries with additional keys" version every LowCardinality stream starts with. */
const KEYS_VERSION = 1;

/**
 * LowCardinality(String) values: a dictionary of the distinct values ('' first, as the engine keeps
 * it) and one index per value. Equal neighbours are common (a batch is time-ordered, replies
 * follow requests), so the previous value is checked before the dictionary.
 */
class Dictionary {
  private readonly index = new Map<string, number>([['', 0]]);
  private readonly keys: string[] = [''];
  private readonly indexes = new Uint32List();
  private last = '';
  private lastIndex = 0;

  add(v: unknown): void {
    const s = toText(v);
    if (s !== this.last) {
      this.lastIndex = this.keyOf(s);
      this.last = s;
    }
    this.indexes.push(this.lastIndex);
  }

  /** The dictionary index of `v`, added when new (no row is appended). */
  keyOf(v: unknown): number {
    const s = toText(v);
    let k = this.index.get(s);
    if (k === undefined) {
      k = this.keys.length;
      this.index.set(s, k);
      this.keys.push(s);
    }
    return k;
  }

  /** Appends a row holding the value of dictionary index `k`. */
  pushKey(k: number): void {
    this.indexes.push(k);
  }

  /** Appends one row per id, row r holding dictionary index `keys[ids[r]]`. */
  pushKeysOf(keys: readonly number[], ids: Uint32Array): void {
    const list = this.indexes;
    const out = list.reserve(ids.length);
    let at = list.length;
    for (let r = 0; r < ids.length; r++) out[at++] = keys[ids[r]];
    list.length = at;
  }

  /** Appends, for each id, the dictionary indexes `lists[ids[r]]` (an array column's elements); `total` is their count. */
  pushListsOf(lists: readonly (readonly number[])[], ids: Uint32Array, total: number): void {
    const list = this.indexes;
    const out = list.reserve(total);
    let at = list.length;
    for (let r = 0; r < ids.length; r++) {
      const keys = lists[ids[r]];
      for (let i = 0; i < keys.length; i++) out[at++] = keys[i];
    }
    list.length = at;
  }

  /** The stream prefix: written once, before the data (and before an enclosing array's offsets). */
  static writePrefix(w: ByteWriter): void {
    w.int64(KEYS_VERSION);
  }

  writeData(w: ByteWriter): void {
    // No values (every array of the block empty): no granule at all.
    if (this.indexes.length === 0) return;
    const count = this.keys.length;
    const width = count <= 0x100 ? 0 : count <= 0x1_0000 ? 1 : 2;
    w.int64(width | HAS_ADDITIONAL_KEYS | NEED_UPDATE_DICTIONARY);
    w.int64(count);
    for (const k of this.keys) w.string(k);
    w.int64(this.indexes.length);
    w.integers(this.indexes.values, this.indexes.length, width === 0 ? 1 : width === 1 ? 2 : 4);
  }

  reset(): void {
    this.index.clear();
    this.index.set('', 0);
    this.keys.length = 1;
    this.indexes.reset();
    this.last = '';
    this.lastIndex = 0;
  }
}

class LowCardinalityColumn implements ColumnWriter {
  private readonly values = new Dictionary();
  push(v: unknown): void {
    this.values.add(v);
  }
  repeat(distinct: readonly unknown[], ids: Uint32Array): void {
    this.values.pushKeysOf(
      distinct.map((v) => this.values.keyOf(v)),
      ids,
    );
  }
  write(w: ByteWriter): void {
    Dictionary.writePrefix(w);
    this.values.writeData(w);
  }
  reset(): void {
    this.values.reset();
  }
}

/** Array offsets: the running total of elements after each row, as UInt64. */
class Offsets {
  private readonly ends = new Uint32List();
  private total = 0;
  add(n: number): void {
    this.total += n;
    this.ends.push(this.total);
  }
  /** One row per id, row r holding `counts[ids[r]]` elements; returns the elements added. */
  addEach(counts: readonly number[], ids: Uint32Array): number {
    const ends = this.ends;
    const out = ends.reserve(ids.length);
    let at = ends.length;
    const before = this.total;
    let total = before;
    for (let r = 0; r < ids.length; r++) out[at++] = total += counts[ids[r]];
    ends.length = at;
    this.total = total;
    return total - before;
  }
  write(w: ByteWriter): void {
    w.integers(this.ends.values, this.ends.length, 8);
  }
  reset(): void {
    this.ends.reset();
    this.total = 0;
  }
}

class StringArrayColumn implements ColumnWriter {
  private readonly offsets = new Offsets();
  private readonly items = new StringColumn();
  push(v: unknown): void {
    const list = toList(v);
    for (const x of list) this.items.push(x);
    this.offsets.add(list.length);
  }
  repeat(distinct: readonly unknown[], ids: Uint32Array): void {
    pushEach(this, distinct, ids);
  }
  write(w: ByteWriter): void {
    this.offsets.write(w);
    this.items.write(w);
  }
  reset(): void {
    this.offsets.reset();
    this.items.reset();
  }
}

class LowCardinalityArrayColumn implements ColumnWriter {
  private readonly offsets = new Offsets();
  private readonly items = new Dictionary();
  push(v: unknown): void {
    const list = toList(v);
    for (const x of list) this.items.add(x);
    this.offsets.add(list.length);
  }
  repeat(distinct: readonly unknown[], ids: Uint32Array): void {
    const lists = distinct.map((v) => toList(v).map((x) => this.items.keyOf(x)));
    const added = this.offsets.addEach(
      lists.map((keys) => keys.length),
      ids,
    );
    this.items.pushListsOf(lists, ids, added);
  }
  write(w: ByteWriter): void {
    Dictionary.writePrefix(w);
    this.offsets.write(w);
    this.items.writeData(w);
  }
  reset(): void {
    this.offsets.reset();
    this.items.reset();
  }
}

/** Array(Tuple(String, String)): offsets, then every first element, then every second. */
class PairArrayColumn implements ColumnWriter {
  private readonly offsets = new Offsets();
  private readonly firsts = new StringColumn();
  private readonly seconds = new StringColumn();
  push(v: unknown): void {
    const list = toList(v);
    for (const pair of list) {
      const [a, b] = toList(pair);
      this.firsts.push(a);
      this.seconds.push(b);
    }
    this.offsets.add(list.length);
  }
  repeat(distinct: readonly unknown[], ids: Uint32Array): void {
    pushEach(this, distinct, ids);
  }
  write(w: ByteWriter): void {
    this.offsets.write(w);
    this.firsts.write(w);
    this.seconds.write(w);
  }
  reset(): void {
    this.offsets.reset();
    this.firsts.reset();
    this.seconds.reset();
  }
}

function columnFor(type: NativeType): ColumnWriter {
  switch (type) {
    case 'String':
      return new StringColumn();
    case 'LowCardinality(String)':
      return new LowCardinalityColumn();
    case 'UInt8':
    case 'Int8':
      return new IntegerColumn(1);
    case 'UInt16':
    case 'Int16':
      return new IntegerColumn(2);
    case 'UInt32':
    case 'Int32':
      return new IntegerColumn(4);
    case 'UInt64':
    case "DateTime64(6, 'UTC')":
      return new IntegerColumn(8);
    case 'Array(String)':
      return new StringArrayColumn();
    case 'Array(LowCardinality(String))':
      return new LowCardinalityArrayColumn();
    case 'Array(Tuple(String, String))':
      return new PairArrayColumn();
  }
}

const NATIVE_TYPES: ReadonlySet<string> = new Set(NATIVE_TYPE_NAMES);

/** A table's column type without its codec (`String CODEC(ZSTD(1))` -> `String`), checked against what a block can hold. */
export function nativeTypeOf(columnType: string): NativeType {
  const type = columnType.replace(/\s+CODEC\(.*\)$/, '');
  if (!NATIVE_TYPES.has(type)) throw new Error(`the Native writer has no encoding for the column type ${type}`);
  return type as NativeType;
}

/**
 * How a row is given: as consecutive parts, each a run of columns. A part that `repeats` is passed
 * as the same array object whenever its values are the same (an endpoint's columns, say): the
 * builder keys it by identity and converts its values once per block, not once per row. Such an
 * array must not change until the block is built.
 */
export interface RowPart {
  columns: number;
  repeats: boolean;
}

/** The columns of one kind filled row by row: which part and offset each reads. */
interface Kind<C extends ColumnWriter> {
  columns: C[];
  parts: number[];
  offsets: number[];
}

/** A repeating part: its distinct arrays, and which of them each row had. */
interface Repeating {
  part: number;
  /** First column of the part, in the block. */
  first: number;
  columns: number;
  ids: Map<readonly unknown[], number>;
  distinct: (readonly unknown[])[];
  rows: Uint32List;
  last: readonly unknown[] | null;
  lastId: number;
}

/**
 * Rows in, one Native block out. A value of the wrong kind is written as the type's default (the
 * row is never lost for one odd field).
 */
export class NativeBlockBuilder {
  private readonly writers: ColumnWriter[];
  private readonly types: NativeType[];
  private rows = 0;
  // One list per column class, so that each loop in addParts calls one method of one class.
  private readonly integers: Kind<IntegerColumn> = { columns: [], parts: [], offsets: [] };
  private readonly strings: Kind<StringColumn> = { columns: [], parts: [], offsets: [] };
  private readonly lowCardinality: Kind<LowCardinalityColumn> = { columns: [], parts: [], offsets: [] };
  private readonly others: Kind<ColumnWriter> = { columns: [], parts: [], offsets: [] };
  private readonly repeating: Repeating[] = [];
  private built: Buffer | null = null;
  /** build has started: the rows are final. */
  private building = false;

  /** `parts` splits each row (default: one part of every column, not repeating). */
  constructor(
    private readonly columns: readonly (readonly [name: string, type: string])[],
    parts: readonly RowPart[] = [{ columns: columns.length, repeats: false }],
  ) {
    if (parts.reduce((n, p) => n + p.columns, 0) !== columns.length) throw new Error('the row parts do not add up to the columns');
    this.types = columns.map(([, t]) => nativeTypeOf(t));
    this.writers = this.types.map(columnFor);
    let first = 0;
    parts.forEach((p, part) => {
      if (p.repeats) this.repeating.push({ part, first, columns: p.columns, ids: new Map(), distinct: [], rows: new Uint32List(), last: null, lastId: 0 });
      else
        for (let offset = 0; offset < p.columns; offset++) {
          const c = this.writers[first + offset];
          const kind = c instanceof IntegerColumn ? this.integers : c instanceof StringColumn ? this.strings : c instanceof LowCardinalityColumn ? this.lowCardinality : this.others;
          (kind.columns as ColumnWriter[]).push(c);
          kind.parts.push(part);
          kind.offsets.push(offset);
        }
      first += p.columns;
    });
  }

  get rowCount(): number {
    return this.rows;
  }

  /** A row of the default layout (one part): its values in column order. */
  addRow(values: readonly unknown[]): void {
    this.addParts([values]);
  }

  /** A row as its parts, in the order the constructor was given them. */
  addParts(parts: readonly (readonly unknown[])[]): void {
    if (this.building) throw new Error('the block is already built: no row can be added');
    // Four loops, four call sites: each sees one class (three for `others`) and stays fast.
    const ints = this.integers;
    for (let k = 0; k < ints.columns.length; k++) ints.columns[k].push(parts[ints.parts[k]][ints.offsets[k]]);
    const strs = this.strings;
    for (let k = 0; k < strs.columns.length; k++) strs.columns[k].push(parts[strs.parts[k]][strs.offsets[k]]);
    const lcs = this.lowCardinality;
    for (let k = 0; k < lcs.columns.length; k++) lcs.columns[k].push(parts[lcs.parts[k]][lcs.offsets[k]]);
    const rest = this.others;
    for (let k = 0; k < rest.columns.length; k++) rest.columns[k].push(parts[rest.parts[k]][rest.offsets[k]]);
    for (const r of this.repeating) {
      const values = parts[r.part];
      // The previous row's array is the likeliest (a constant, a burst of one connection).
      if (values !== r.last) {
        let id = r.ids.get(values);
        if (id === undefined) {
          id = r.distinct.length;
          r.ids.set(values, id);
          r.distinct.push(values);
        }
        r.last = values;
        r.lastId = id;
      }
      r.rows.push(r.lastId);
    }
    this.rows++;
  }

  /** The whole block: column and row counts, then each column's name, type and data. */
  build(): Buffer {
    return runToEnd(this.buildSteps());
  }

  /**
   * build() pausing after each column: a block of a second of flows at 20,000 flows/s takes 60-140 ms
   * to build, which the server's event loop must not spend in one task (sql-flow-store.ts builds in
   * slices). No row can be added once it has started.
   */
  *buildSteps(): Steps<Buffer> {
    if (this.built) return this.built;
    if (this.building) throw new Error('the block is being built');
    this.building = true;
    for (const r of this.repeating) {
      const ids = r.rows.used;
      for (let offset = 0; offset < r.columns; offset++) {
        this.writers[r.first + offset].repeat(
          r.distinct.map((values) => values[offset]),
          ids,
        );
        yield;
      }
    }
    // Flow rows take ~300 bytes; starting near the final size saves copying the block as it grows.
    const w = new ByteWriter(this.rows * 320);
    w.varUInt(this.columns.length);
    w.varUInt(this.rows);
    for (let i = 0; i < this.columns.length; i++) {
      w.string(this.columns[i][0]);
      w.string(this.types[i]);
      if (this.rows > 0) this.writers[i].write(w);
      yield;
    }
    this.built = w.bytes();
    return this.built;
  }

  /**
   * Empty again for the next block, keeping every column's memory: a block's columns take tens of
   * megabytes outside the JS heap, and allocating them anew per block makes V8 collect its whole
   * heap for "external memory pressure" about once a block. The last built block stays valid.
   */
  reset(): void {
    for (const c of this.writers) c.reset();
    for (const r of this.repeating) {
      r.ids.clear();
      r.distinct.length = 0;
      r.rows.reset();
      r.last = null;
      r.lastId = 0;
    }
    this.rows = 0;
    this.built = null;
    this.building = false;
  }
}
