/**
 * A loopback ClickHouse HTTP endpoint for tests, executing on a real chdb session: enough of
 * ClickHouse's HTTP interface (GET /ping; POST with the query in the body, or in `?query=` with the
 * INSERT data in the body, Native blocks included; `param_<name>` URL parameters bound server-side; `query_id`; errors as
 * status 500 with `Code: N. DB::Exception: ...` and X-ClickHouse-Exception-Code) that the real
 * @clickhouse/client, and ClickHouseFlowStore over it, run end to end against the same engine as the
 * embedded store. Debian's clickhouse-server (18.16) is too old for query parameters, hence this.
 *
 * Not emulated: per-request settings (ignored), sessions, compression, TLS, users (the
 * Authorization header is recorded, not checked).
 */

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SeenRequest {
  method: string;
  /** The SQL text as received (URL or body), without INSERT data. */
  query: string;
  params: Record<string, string>;
  authorization: string | undefined;
}

export interface LoopbackClickHouse {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

type ChdbSession = {
  queryBindAsync(sql: string, params: object, opts?: { format?: string }): Promise<{ text(): string }>;
  queryAsync(sql: string, opts?: { format?: string }): Promise<{ text(): string }>;
  close(): void;
};

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** `INSERT INTO t (a, b) FORMAT Native`, whose body is binary and cannot follow the SQL as text. */
const NATIVE_INSERT = /^INSERT INTO ([a-z_][a-z0-9_]*) \(([a-z0-9_, ]+)\) FORMAT Native$/;

/** Starts the endpoint on 127.0.0.1 (random port) over a chdb session at `dir`. */
export async function startLoopbackClickHouse(dir: string): Promise<LoopbackClickHouse> {
  const chdb = createRequire(import.meta.url)('chdb') as { Session: new (path: string) => ChdbSession; drainPending(): Promise<void> };
  // Two sessions: a slow read does not hold up the next request (as on a server).
  const sessions = [new chdb.Session(dir), new chdb.Session(dir)];
  let turn = 0;
  let nextBlock = 1;
  const seen: SeenRequest[] = [];

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://loopback');
      if (url.pathname === '/ping') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Ok.\n');
        return;
      }
      const raw = await readBody(req);
      const body = raw.toString('utf8');
      const inUrl = url.searchParams.get('query');
      const query = inUrl ?? body;
      const params: Record<string, string> = {};
      for (const [k, v] of url.searchParams) if (k.startsWith('param_')) params[k.slice('param_'.length)] = v;
      seen.push({ method: req.method ?? '', query, params, authorization: req.headers.authorization });
      // INSERT ... FORMAT X with the data in the body: ClickHouse reads inline data after FORMAT.
      // chdb takes inline data as text only, so a Native body is read through a file instead.
      const native = inUrl !== null ? NATIVE_INSERT.exec(inUrl) : null;
      const blockFile = native ? path.join(dir, `http-insert-${nextBlock++}.native`) : null;
      if (blockFile) writeFileSync(blockFile, raw);
      const sql = native ? `INSERT INTO ${native[1]} (${native[2]}) SELECT ${native[2]} FROM file({block_file:String}, 'Native')` : inUrl !== null && body ? `${inUrl}\n${body}` : query;
      if (blockFile) params.block_file = blockFile;
      const session = sessions[turn++ % sessions.length];
      try {
        const r = await session.queryBindAsync(sql, params, { format: 'TabSeparated' });
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Summary': '{"read_rows":"0"}' }).end(r.text());
      } catch (err) {
        const e = err as { message?: string; clickhouseCode?: number };
        const code = e.clickhouseCode ?? 1002;
        const message = String(e.message ?? err);
        res.writeHead(500, { 'Content-Type': 'text/plain', 'X-ClickHouse-Exception-Code': String(code) }).end(/^Code: \d+/.test(message) ? message : `Code: ${code}. DB::Exception: ${message}`);
      } finally {
        if (blockFile) rmSync(blockFile, { force: true });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      for (const s of sessions) s.close();
      await chdb.drainPending();
    },
  };
}
