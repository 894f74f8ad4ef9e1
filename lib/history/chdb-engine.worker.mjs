/**
 * The embedded history engine's thread: it owns the chdb sessions, so that no engine call, not even
 * chdb's synchronous ones or the parsing of an insert, runs on the event loop that serves requests.
 * SQL is built on the main side (queries.ts); this file only runs it.
 *
 * A chdb session runs one statement at a time, so the thread opens several on the same directory
 * (chdb lets connections to one path coexist): one for inserts, one for maintenance (DDL, retention,
 * KILL QUERY) and a few for reads, so a slow search neither delays ingestion nor the next search.
 * Each read carries `log_comment = <tag>` so that a cancelled request can be killed by that tag.
 *
 * Inserts arrive as Native blocks. chdb's insert call takes text formats only, so a block is written
 * to a file in `<dir>/flowsight-ingest/` and read with the file() table function: the same bytes a
 * ClickHouse server takes in an INSERT ... FORMAT Native body, at a few µs per row instead of the
 * ~45 µs a JSON row costs. A crash can leave a block file behind; opening clears the folder.
 *
 * Messages in: { id, op: 'query' | 'exec' | 'insert' | 'close', ... } and { op: 'kill', tag }.
 * Messages out: { ready: true } | { fatal } once, then { id, ok: true, text? } | { id, ok: false, error }.
 */

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * chdb by its package name, left to Node at run time (the ignore comments): Next bundles this file
 * as a worker entry, and a bundler must never try to pack a native addon. Node resolves it from
 * wherever this file is emitted up to the project's node_modules.
 */
const chdb = await import(/* turbopackIgnore: true */ /* webpackIgnore: true */ 'chdb');

const readers = [];
let writer;
let maintenance;

function errorOf(err) {
  return {
    message: err instanceof Error ? err.message : String(err),
    clickhouseCode: typeof err?.clickhouseCode === 'number' ? err.clickhouseCode : null,
    code: typeof err?.code === 'string' ? err.code : null,
  };
}

/** The nice value of the engine's merge threads (below: why). */
const MERGE_NICE = 10;

/** Where insert blocks wait for the engine to read them (ours alone: cleared at open). */
const ingestDir = path.join(workerData.dir, 'flowsight-ingest');
let nextBlock = 1;

try {
  // max_thread_pool_free_size: ClickHouse keeps up to 1,000 idle threads of its global pool by
  // default. About five minutes in, some job of the engine's starts ~130 of them at once, and they
  // then stayed for the life of the server, idle, each with its stack (issue 13: the server's 39
  // threads became 165 for good). Idle ones beyond 16 now end: 47 threads a minute later.
  // os_threads_nice_value_merge_mutate: background merges rewrite every stored flow several times
  // over, and at 5,000 workloads they took a third of a core at the same priority as the event loop
  // that draws the live map. At nice 10 they yield to it under load (Linux gives a nice-10 thread
  // about a tenth of a nice-0 one's share) and still keep up; nice 19 could starve them on a busy
  // node until parts pile up.
  const args = ['--async_load_databases=0', '--async_load_system_database=0', '--max_thread_pool_free_size=16', `--os_threads_nice_value_merge_mutate=${MERGE_NICE}`];
  writer = new chdb.Session(workerData.dir, { connectionArgs: args });
  maintenance = new chdb.Session(workerData.dir, { connectionArgs: args });
  for (let i = 0; i < workerData.readers; i++) readers.push({ session: new chdb.Session(workerData.dir, { connectionArgs: args }), busy: 0 });
  // Opening is lazy in places: a first statement proves the directory is readable.
  await maintenance.queryAsync('SELECT count() FROM system.tables WHERE database = currentDatabase()');
  mkdirSync(ingestDir, { recursive: true });
  for (const leftover of readdirSync(ingestDir)) rmSync(path.join(ingestDir, leftover), { force: true });
  parentPort.postMessage({ ready: true });
} catch (err) {
  closeAll();
  await chdb.drainPending();
  parentPort.postMessage({ fatal: errorOf(err) });
}

function closeAll() {
  for (const s of [writer, maintenance, ...readers.map((r) => r.session)]) {
    try {
      s?.close();
    } catch {
      // closing is best effort
    }
  }
}

function reply(id, promise) {
  promise.then(
    (value) => parentPort.postMessage({ id, ok: true, ...value }),
    (err) => parentPort.postMessage({ id, ok: false, error: errorOf(err) }),
  );
}

async function read({ sql, params, tag, maxSeconds }) {
  const reader = readers.reduce((a, b) => (b.busy < a.busy ? b : a));
  reader.busy++;
  try {
    const r = await reader.session.queryBindAsync(`${sql}\nSETTINGS log_comment = '${tag}', max_execution_time = ${maxSeconds}`, params, { format: 'JSONEachRow' });
    return { text: r.text() };
  } finally {
    reader.busy--;
  }
}

/** Table and column names are the schema's own (schema.ts), never user input: checked all the same. */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

async function insertBlock({ table, columns, payload }) {
  if (!IDENTIFIER.test(table) || !columns.every((c) => IDENTIFIER.test(c))) throw new Error(`not a column list of ours: ${table} (${columns.join(', ')})`);
  const file = path.join(ingestDir, `${process.pid}-${nextBlock++}.native`);
  writeFileSync(file, payload);
  try {
    const names = columns.join(', ');
    // One engine thread per insert: on a small machine the live path needs the other cores.
    await writer.queryBindAsync(`INSERT INTO ${table} (${names}) SELECT ${names} FROM file({file:String}, 'Native') SETTINGS max_threads = 1, max_insert_threads = 1`, { file });
    return {};
  } finally {
    rmSync(file, { force: true });
  }
}

parentPort.on('message', (msg) => {
  switch (msg.op) {
    case 'query':
      return reply(msg.id, read(msg));
    case 'exec':
      return reply(msg.id, maintenance.queryBindAsync(msg.sql, msg.params ?? {}).then(() => ({})));
    case 'insert':
      return reply(msg.id, insertBlock(msg));
    case 'kill':
      // Tags are ours (`fsq-<n>`), never user text; a kill that finds nothing is fine.
      return void maintenance.queryAsync(`KILL QUERY WHERE Settings['log_comment'] = '${String(msg.tag).replace(/[^a-z0-9-]/g, '')}' ASYNC`).catch(() => undefined);
    case 'close':
      closeAll();
      // Until nothing native is outstanding the engine still holds the directory: a next open of
      // another directory in this process would be refused.
      return void chdb.drainPending().then(() => parentPort.postMessage({ id: msg.id, ok: true }));
  }
});
