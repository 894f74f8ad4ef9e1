import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowRecord, L7Record } from '../flows/flow-record';
import { parseSearch } from '../search/parse';
import { searchToSql } from '../search/sql';
import { flow, pod } from '../testing/flow-fixtures';
import { openChdbEngine } from './chdb-engine';
import { openFlowStore } from './open-store';
import { FLOW_COLUMNS, FLOWS_TABLE, schemaStatements } from './schema';

const root = mkdtempSync(path.join(tmpdir(), 'flowsight-migration-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RETENTION = { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null };

/** The thirteen L7 columns `flows` had before `l7_detail` took their place (the first schema). */
const LEGACY_L7_COLUMNS = `l7_latency_ns UInt64, dns_ips Array(String), dns_ttl UInt32, dns_cnames Array(String), dns_rcode UInt16,
  dns_qtypes Array(LowCardinality(String)), dns_rrtypes Array(LowCardinality(String)), http_protocol LowCardinality(String),
  http_headers Array(Tuple(String, String)), kafka_api_version Int16, kafka_topic LowCardinality(String), kafka_error_code Int16,
  kafka_correlation_id Int32`;

/** The first schema's statements: today's, with the legacy columns in place of l7_detail and no migration. */
function legacySchema(): string[] {
  const [flows, ...rest] = schemaStatements({ days: 3650 }).filter((s) => !s.startsWith('ALTER'));
  const detail = FLOW_COLUMNS.find(([n]) => n === 'l7_detail');
  return [flows.replace(`l7_detail ${detail?.[1]}`, LEGACY_L7_COLUMNS), ...rest];
}

const client = pod('legacy', 'client-6d8f9c7b5-abcde');
const server = pod('legacy', 'server-7f9d8c6b4-fghij');
const DNS: L7Record = { type: 'RESPONSE', latencyNs: 1500, dns: { query: 'api.example.com.', ips: ['203.0.113.7'], ttl: 30, cnames: ['edge.example.net.'], rcode: 0, qtypes: ['A'], rrtypes: ['A', 'CNAME'] } };
const HTTP: L7Record = {
  type: 'REQUEST',
  latencyNs: 0,
  http: { method: 'POST', url: 'http://server/api/v1/orders?id=7', code: 0, protocol: 'HTTP/1.1', headers: [{ key: 'x-request-id', value: 'abc' }] },
};

describe('a store created before l7_detail existed', () => {
  it('opens, gains the column, keeps the old rows whole and stores new ones in full', async () => {
    const dir = path.join(root, 'legacy');
    const engine = await openChdbEngine(dir);
    const now = Date.now();
    try {
      for (const statement of legacySchema()) await engine.exec(statement);
      // A row as the first schema stored it: its L7 details in their own columns.
      await engine.exec(`INSERT INTO ${FLOWS_TABLE} (time, uuid, verdict, direction, is_reply, protocol, src_ns, src_pod, dst_ns, dst_pod, l7_type, l7_latency_ns,
        dns_query, dns_ips, dns_ttl, dns_cnames, dns_rcode, dns_qtypes, dns_rrtypes)
        VALUES (fromUnixTimestamp64Micro(${(now - 60_000) * 1000}, 'UTC'), 'old-dns', 'FORWARDED', 'EGRESS', 1, 'UDP', 'legacy', 'client-6d8f9c7b5-abcde', 'legacy', 'server-7f9d8c6b4-fghij',
        'RESPONSE', 1500, 'api.example.com.', ['203.0.113.7'], 30, ['edge.example.net.'], 0, ['A'], ['A', 'CNAME'])`);
    } finally {
      await engine.close();
    }

    const store = await openFlowStore({ kind: 'chdb', dir, retention: RETENTION });
    try {
      const fresh: FlowRecord = flow(client, server, { uuid: 'new-http', time: now - 1000, l7: HTTP, type: 'L7', eventType: 129 });
      store.append([fresh]);
      await store.flush();
      const page = await store.search({ range: {}, limit: 10 });
      const byId = new Map(page.flows.map((f) => [f.uuid, f]));
      expect([...byId.keys()].sort()).toEqual(['new-http', 'old-dns']);
      expect(byId.get('old-dns')?.l7).toEqual(DNS);
      expect(byId.get('new-http')?.l7).toEqual(HTTP);
      expect(byId.get('new-http')).toEqual(fresh);
      // The search language still reaches both kinds of row through the columns it filters on.
      const parsed = parseSearch('dns:api.example.com');
      if (!parsed.ok) throw new Error(parsed.error.message);
      const dns = await store.search({ range: {}, limit: 10, condition: searchToSql(parsed.ast) });
      expect(dns.flows.map((f) => f.uuid)).toEqual(['old-dns']);
    } finally {
      await store.close();
    }
  });
});
