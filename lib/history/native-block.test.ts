import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeBlockBuilder, nativeTypeOf } from './native-block';

type Session = {
  queryAsync(sql: string, opts?: { format?: string }): Promise<{ text(): string; bytes(): Uint8Array }>;
  queryBindAsync(sql: string, params: object, opts?: { format?: string }): Promise<{ text(): string }>;
  close(): void;
};

/**
 * The Native layout is ClickHouse's (Formats/NativeWriter, SerializationLowCardinality,
 * SerializationArray): checked against what the engine itself writes, and by reading our blocks
 * back through it.
 */
const COLUMNS = [
  ['s', 'String'],
  ['lc', 'LowCardinality(String)'],
  ['u8', 'UInt8'],
  ['u16', 'UInt16'],
  ['u32', 'UInt32'],
  ['u64', 'UInt64'],
  ['i8', 'Int8'],
  ['i16', 'Int16'],
  ['i32', 'Int32'],
  ['t', "DateTime64(6, 'UTC')"],
  ['as', 'Array(String)'],
  ['alc', 'Array(LowCardinality(String))'],
  ['ap', 'Array(Tuple(String, String))'],
] as const;

const long = 'x'.repeat(200);
/** Rows as values for the builder, and the same rows as SQL literals. */
const ROWS: { values: unknown[]; sql: string }[] = [
  {
    values: ['a', 'k8s', 1, 65535, 4294967295, 2 ** 53 - 1, -1, -32768, -2147483648, 1_795_000_000_123_456, ['x', ''], ['p', 'q'], [['k', 'v']]],
    sql: `('a', 'k8s', 1, 65535, 4294967295, 9007199254740991, -1, -32768, -2147483648, fromUnixTimestamp64Micro(1795000000123456, 'UTC'), ['x', ''], ['p', 'q'], [('k', 'v')])`,
  },
  {
    values: ['', '', 0, 0, 0, 0, 0, 0, 0, 0, [], [], []],
    sql: `('', '', 0, 0, 0, 0, 0, 0, 0, fromUnixTimestamp64Micro(0, 'UTC'), [], [], [])`,
  },
  {
    values: ['é🚀', long, 255, 7, 70000, 1_000_000_000_000, 127, 32767, 2147483647, 1_000_001, [long], ['q', 'é'], [['', long], ['a', 'b']]],
    sql: `('é🚀', '${long}', 255, 7, 70000, 1000000000000, 127, 32767, 2147483647, fromUnixTimestamp64Micro(1000001, 'UTC'), ['${long}'], ['q', 'é'], [('', '${long}'), ('a', 'b')])`,
  },
];

const ddl = (name: string, engine = 'Memory') => `CREATE TABLE ${name} (${COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')}) ENGINE = ${engine}`;

function block(rows: readonly (readonly unknown[])[], columns: readonly (readonly [string, string])[] = COLUMNS): Buffer {
  const b = new NativeBlockBuilder(columns);
  for (const r of rows) b.addRow(r);
  return b.build();
}

describe('Native blocks', () => {
  let dir: string;
  let session: Session;
  let n = 0;

  /** Inserts `data` into a fresh table like `columns` and returns its rows (JSONCompactEachRow, parsed). */
  async function readBack(data: Buffer, columns: readonly (readonly [string, string])[] = COLUMNS): Promise<unknown[][]> {
    const table = `t${++n}`;
    await session.queryAsync(`CREATE TABLE ${table} (${columns.map(([c, t]) => `${c} ${t}`).join(', ')}) ENGINE = Memory`);
    const file = path.join(dir, `${table}.native`);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, data);
    await session.queryBindAsync(`INSERT INTO ${table} SELECT * FROM file({f:String}, 'Native')`, { f: file });
    return rowsOf(await session.queryAsync(`SELECT * FROM ${table}`, { format: 'JSONCompactEachRow' }));
  }

  const rowsOf = (r: { text(): string }): unknown[][] =>
    r
      .text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as unknown[]);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowsight-native-'));
    const chdb = createRequire(import.meta.url)('chdb') as { Session: new (p: string) => Session };
    session = new chdb.Session(dir);
  });

  afterAll(() => {
    session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes byte for byte what ClickHouse writes for the same rows, every column type', async () => {
    await session.queryAsync(ddl('reference'));
    await session.queryAsync(`INSERT INTO reference VALUES ${ROWS.map((r) => r.sql).join(', ')}`);
    const theirs = Buffer.from((await session.queryAsync('SELECT * FROM reference', { format: 'Native' })).bytes());
    const ours = block(ROWS.map((r) => r.values));
    expect(ours.toString('hex')).toBe(theirs.toString('hex'));
  });

  it('is read back as the same values', async () => {
    const back = await readBack(block(ROWS.map((r) => r.values)));
    const reference = rowsOf(await session.queryAsync('SELECT * FROM reference', { format: 'JSONCompactEachRow' }));
    expect(back).toEqual(reference);
    expect(back[0][9]).toBe('2026-11-18 11:06:40.123456');
    expect(back[2][0]).toBe('é🚀');
  });

  it('widens dictionary indexes past 256 and 65,536 distinct values', async () => {
    const columns = [
      ['lc', 'LowCardinality(String)'],
      ['alc', 'Array(LowCardinality(String))'],
    ] as const;
    for (const distinct of [300, 70_000]) {
      const rows = Array.from({ length: distinct }, (_, i) => [`v${i}`, i % 2 ? [`w${i}`, 'same'] : []]);
      expect(await readBack(block(rows, columns), columns)).toEqual(rows);
    }
  });

  it('writes a block of no rows, and arrays that are all empty', async () => {
    expect(await readBack(block([]))).toEqual([]);
    const back = await readBack(block([['', '', 0, 0, 0, 0, 0, 0, 0, 0, [], [], []]]));
    expect(back).toEqual([['', '', 0, 0, 0, 0, 0, 0, 0, '1970-01-01 00:00:00.000000', [], [], []]]);
  });

  it('writes a value of the wrong kind as the default of its type, keeping the row', async () => {
    const back = await readBack(block([[null, 42, 'x', undefined, '12', NaN, -129, 40000, null, 'later', 'not a list', [null, 7], [['only']]]]));
    // Integers wrap as the engine's casts do (-129 -> 127 in Int8, 40000 -> -25536 in Int16).
    expect(back).toEqual([['', '42', 0, 0, 12, 0, 127, -25536, 0, '1970-01-01 00:00:00.000000', [], ['', '7'], [['only', '']]]]);
  });

  it('writes the same bytes after reset() as a new builder, and leaves the block built before intact', () => {
    const reused = new NativeBlockBuilder(COLUMNS);
    // A bigger block first, so the second one is written over memory the first one filled.
    const big = Array.from({ length: 3000 }, (_, i) => ROWS[i % 3].values.map((v, c) => (c === 1 ? `k${i % 400}` : v)));
    for (const r of big) reused.addRow(r);
    const first = reused.build();
    const firstCopy = Buffer.from(first);
    reused.reset();
    expect(reused.rowCount).toBe(0);
    for (const r of ROWS) reused.addRow(r.values);
    expect(reused.build().equals(block(ROWS.map((r) => r.values)))).toBe(true);
    expect(first.equals(firstCopy)).toBe(true);
    expect(first.equals(block(big))).toBe(true);
    // Repeating parts start afresh too: no dictionary entry or repeated array carries over.
    const parts = new NativeBlockBuilder(COLUMNS, [
      { columns: 1, repeats: true },
      { columns: 12, repeats: false },
    ]);
    const shared = ['shared'];
    parts.addParts([shared, ROWS[0].values.slice(1)]);
    parts.build();
    parts.reset();
    parts.addParts([[ROWS[1].values[0]], ROWS[1].values.slice(1)]);
    expect(parts.build().equals(block([ROWS[1].values]))).toBe(true);
  });

  it('refuses a column type it has no encoding for, before writing anything', () => {
    expect(nativeTypeOf('String CODEC(ZSTD(1))')).toBe('String');
    expect(() => new NativeBlockBuilder([['x', 'Float64']])).toThrow(/no encoding for the column type Float64/);
  });
});
