/**
 * The comparison behind the choice of chdb as the embedded history engine: the same `flows` columns,
 * the same demo traffic and the same incident questions on DuckDB (@duckdb/node-api, appender).
 * DuckDB is not a dependency: install it beside the project (`npm i --no-save @duckdb/node-api`, or
 * anywhere and point DUCKDB_NODE_API at its folder); without it this prints why and exits 0.
 * Flows: BENCH_STORE_MAX (default 1M). Results are recorded in docs/HISTORY.md.
 */

import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FlowGenerator } from '../lib/demo/flow-generator';
import { demoScenario } from '../lib/demo/scenario';
import { FLOW_COLUMNS, flowToRow } from '../lib/history/schema';

const N = Number(process.env.BENCH_STORE_MAX ?? 1_000_000);
const SPAN_MS = 6 * 3600_000;
const CHUNK = 100_000;

/* eslint-disable @typescript-eslint/no-explicit-any */
async function loadDuckDb(): Promise<any | null> {
  // Beside the project first, then in the folder DUCKDB_NODE_API names (its node_modules).
  const bases = [path.join(process.cwd(), 'package.json'), process.env.DUCKDB_NODE_API ? path.join(process.env.DUCKDB_NODE_API, 'package.json') : ''];
  for (const base of bases) {
    if (!base) continue;
    try {
      return createRequire(base)('@duckdb/node-api');
    } catch {
      // try the next place
    }
  }
  return null;
}

/** ClickHouse column type -> DuckDB type and how the appender writes it. */
function duckColumn(type: string): { sql: string; append: (a: any, v: unknown, duck: any) => void } {
  if (type.startsWith('DateTime64')) return { sql: 'TIMESTAMP', append: (a, v, d) => a.appendTimestamp(new d.DuckDBTimestampValue(BigInt(Math.round(Number(v) * 1e6)))) };
  if (type.startsWith('Array(Tuple')) return { sql: 'VARCHAR[][]', append: (a, v, d) => a.appendList(d.listValue((v as string[][]).map((t) => d.listValue(t))), d.LIST(d.LIST(d.VARCHAR))) };
  if (type.startsWith('Array')) return { sql: 'VARCHAR[]', append: (a, v, d) => a.appendList(d.listValue(v as string[]), d.LIST(d.VARCHAR)) };
  if (type.startsWith('UInt8')) return { sql: 'UTINYINT', append: (a, v) => a.appendUTinyInt(Number(v)) };
  if (type.startsWith('UInt16')) return { sql: 'USMALLINT', append: (a, v) => a.appendUSmallInt(Number(v)) };
  if (type.startsWith('UInt32')) return { sql: 'UINTEGER', append: (a, v) => a.appendUInteger(Number(v)) };
  if (type.startsWith('UInt64')) return { sql: 'UBIGINT', append: (a, v) => a.appendUBigInt(BigInt(Number(v))) };
  if (type.startsWith('Int8')) return { sql: 'TINYINT', append: (a, v) => a.appendTinyInt(Number(v)) };
  if (type.startsWith('Int16')) return { sql: 'SMALLINT', append: (a, v) => a.appendSmallInt(Number(v)) };
  if (type.startsWith('Int32')) return { sql: 'INTEGER', append: (a, v) => a.appendInteger(Number(v)) };
  return { sql: 'VARCHAR', append: (a, v) => a.appendVarchar(String(v)) };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const duck = await loadDuckDb();
  if (!duck) {
    console.log('@duckdb/node-api is not installed here (npm i --no-save @duckdb/node-api, or DUCKDB_NODE_API=<folder>): skipped');
    console.log(JSON.stringify({ skipped: true }));
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'flowsight-bench-duckdb-'));
  const file = path.join(dir, 'flows.duckdb');
  const instance = await duck.DuckDBInstance.create(file);
  const conn = await instance.connect();
  const columns = FLOW_COLUMNS.map(([name, type]) => ({ name, ...duckColumn(type) }));
  await conn.run(`CREATE TABLE flows (${columns.map((c) => `${c.name} ${c.sql}`).join(', ')})`);

  const end = Date.now();
  const start = end - SPAN_MS;
  const generator = new FlowGenerator(demoScenario(), 7);
  const sample = new FlowGenerator(demoScenario(), 7).generate(10_000, 0, 1);
  const spacing = (SPAN_MS / N) * (sample.length / (sample[sample.length - 1].time - sample[0].time + 1));
  let t0 = start;
  let newest = start;
  let ingestMs = 0;
  for (let done = 0; done < N; ) {
    const n = Math.min(CHUNK, N - done);
    const flows = generator.generate(n, t0, spacing).slice(0, n);
    newest = flows[flows.length - 1].time;
    t0 = newest + spacing;
    const t = performance.now();
    if (process.env.BENCH_DUCKDB_APPENDER) {
      // Row by row through the appender (values converted one at a time in JS: slow for wide rows with lists).
      const appender = await conn.createAppender('flows');
      for (const f of flows) {
        const row = flowToRow(f);
        for (let i = 0; i < columns.length; i++) columns[i].append(appender, row[i], duck);
        appender.endRow();
      }
      appender.closeSync();
    } else {
      // The same path as the chdb store: rows encoded as JSON lines, parsed by the engine (read_json).
      const batch = path.join(dir, 'batch.json');
      writeFileSync(batch, flows.map((f) => JSON.stringify(Object.fromEntries(flowToRow(f).map((v, i) => [columns[i].name, i === 0 ? Number(v) : v])))).join('\n'));
      await conn.run(`INSERT INTO flows SELECT ${columns.map((c, i) => (i === 0 ? `make_timestamp(CAST(${c.name} * 1000000 AS BIGINT))` : c.name)).join(', ')} FROM read_json('${batch}', format = 'newline_delimited', columns = {${columns.map((c, i) => `${c.name}: '${i === 0 ? 'DOUBLE' : c.sql}'`).join(', ')}})`);
    }
    ingestMs += performance.now() - t;
    done += n;
  }
  await conn.run('CHECKPOINT');
  const insertsPerSec = Math.round((N / ingestMs) * 1000);
  const bytesPerFlow = round(statSync(file).size / N);
  console.log(`duckdb ingest: ${N} flows in ${round(ingestMs / 1000, 2)} s = ${insertsPerSec} flows/s (${process.env.BENCH_DUCKDB_APPENDER ? 'appender' : 'JSON lines + read_json'}), ${bytesPerFlow} B/flow on disk`);

  const since = `TIMESTAMP '${new Date(newest - 3600_000).toISOString().replace('T', ' ').replace('Z', '')}'`;
  const since15 = `TIMESTAMP '${new Date(newest - 900_000).toISOString().replace('T', ' ').replace('Z', '')}'`;
  const page = 'ORDER BY time DESC, uuid DESC LIMIT 101';
  const queries: [string, string][] = [
    ['a namespace, last hour', `SELECT * FROM flows WHERE time >= ${since} AND (src_ns = $1 OR dst_ns = $1) ${page}`],
    ['drops in a namespace, last hour', `SELECT * FROM flows WHERE time >= ${since} AND (src_ns = $1 OR dst_ns = $1) AND verdict = 'DROPPED' ${page}`],
    ["a workload's egress to an FQDN, 6 h", `SELECT * FROM flows WHERE src_workload = 'api-server' AND (len(list_filter(dst_names, x -> x LIKE '%.stripe.com')) > 0 OR dns_query LIKE '%.stripe.com.') ${page}`],
    ['port 53 errors, last hour', `SELECT * FROM flows WHERE time >= ${since} AND (src_port = 53 OR dst_port = 53) AND verdict IN ('ERROR', 'DROPPED') ${page}`],
    ['http 5xx, last hour', `SELECT * FROM flows WHERE time >= ${since} AND http_code BETWEEN 500 AND 599 ${page}`],
    ['a pod by name glob, last hour', `SELECT * FROM flows WHERE time >= ${since} AND (src_pod LIKE 'frontend-%' OR dst_pod LIKE 'frontend-%') ${page}`],
    ['an IP prefix, last hour', `SELECT * FROM flows WHERE time >= ${since} AND (src_ip LIKE '10.244.%' OR dst_ip LIKE '10.244.%') AND verdict = 'DROPPED' ${page}`],
    [
      'histogram over 1 h',
      `SELECT epoch_ms(time) // 60000 AS b, count(*) FILTER (WHERE verdict = 'FORWARDED') f, count(*) FILTER (WHERE verdict = 'DROPPED') d, count(*) FILTER (WHERE verdict = 'AUDIT') a, count(*) FILTER (WHERE verdict = 'ERROR') e FROM flows WHERE time >= ${since} GROUP BY b ORDER BY b`,
    ],
    [
      'edges over 15 min (no roll-up table)',
      `SELECT if(is_reply = 1, dst_node, src_node) s, if(is_reply = 1, src_node, dst_node) t, if(is_reply = 1, src_port, dst_port) p, protocol, verdict, drop_reason, count(*) n FROM flows WHERE time >= ${since15} GROUP BY ALL`,
    ],
    ['newest page of everything', `SELECT * FROM flows ${page}`],
  ];
  const all: number[] = [];
  for (const [name, sql] of queries) {
    const params = sql.includes('$1') ? ['production'] : undefined;
    await conn.runAndReadAll(sql, params);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await conn.runAndReadAll(sql, params);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    console.log(`  duckdb ${name.padEnd(40)} median ${round(percentile(times, 50))} ms, max ${round(times[times.length - 1])} ms`);
  }
  all.sort((a, b) => a - b);
  conn.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ engine: 'duckdb', flows: N, insertsPerSec, p50Ms: round(percentile(all, 50)), p95Ms: round(percentile(all, 95)), bytesPerFlow }));
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
