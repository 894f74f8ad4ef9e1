/**
 * The proof that a search means the same live and in history: thousands of flows (the demo's traffic
 * and hand-made edge cases) go into a real embedded ClickHouse (chdb) through the store's own schema
 * and row mapping; for every query, the uuids selected by searchToSql's WHERE must be exactly the
 * uuids searchPredicate accepts. Table queries cover every field; random ones combine them.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowGenerator } from '../demo/flow-generator';
import { demoScenario } from '../demo/scenario';
import type { FlowRecord } from '../flows/flow-record';
import { FLOW_COLUMN_NAMES, FLOWS_TABLE, flowToRow, schemaStatements } from '../history/schema';
import { seededRandom } from '../util/seeded-random';
import { SEARCH_FIELDS, type SearchNode } from './ast';
import { parseSearch } from './parse';
import { searchPredicate } from './predicate';
import { searchToSql } from './sql';
import { trickyFlows } from './testing/tricky-flows';

let dir: string;
let session: Session;
let flows: FlowRecord[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowsight-search-'));
  session = new Session(dir);
  for (const ddl of schemaStatements({ days: 3650 })) session.query(ddl);
  flows = [...new FlowGenerator(demoScenario(), 23).generate(3000, 1_795_000_000_000, 3), ...trickyFlows()];
  const payload = Buffer.from(flows.map((f) => JSON.stringify(flowToRow(f))).join('\n') + '\n');
  await session.insert({ table: FLOWS_TABLE, format: 'JSONCompactEachRow', columns: FLOW_COLUMN_NAMES, values: payload });
}, 60_000);

afterAll(() => {
  session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function compare(query: string): { live: string[]; stored: string[] } {
  const parsed = parseSearch(query);
  if (!parsed.ok) throw new Error(`${query}: ${parsed.error.message}`);
  const match = searchPredicate(parsed.ast);
  const live = flows.filter(match).map((f) => f.uuid).sort();
  const { where, params } = searchToSql(parsed.ast);
  const out = session.queryBind(`SELECT uuid FROM ${FLOWS_TABLE} WHERE ${where}`, params, 'JSONEachRow');
  const stored = out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { uuid: string }).uuid).sort();
  return { live, stored };
}

/** Every field at least once, with the shapes of value each takes; each selects some flows but not all. */
const TABLE = [
  'ns:shop', 'from-ns:production', 'to-ns:kube-sys*', 'ns:we%ird_ns', 'ns:we?ird?ns', 'namespace:"{p0:String}"',
  'pod:web-', 'from-pod:shop/web-5d8f', 'to-pod:*/api-?', 'pod:"o\'brien"', 'pod:we%ird_ns/', 'to-pod:"x)y"',
  'label:app=web', 'from-label:k8s:app=frontend', 'to-label:reserved:world', 'label:team', 'label:"app=a\'b"', 'label:k8s:team=x_y%z', 'label:plain=label', 'label:cidr:140.82.0.0/16',
  'workload:api-server', 'from-workload:production/front*', 'to-workload:coredns', 'workload:orphan', 'workload:vm-agent', 'workload:"tricky\\\\set"', 'workload:cache',
  'verdict:dropped', 'verdict:audit|error', 'verdict:redirected',
  'reason:policy_denied', 'reason:ct_*', 'drop-reason:POLICY-DENY',
  'port:53', 'to-port:8000-8100', 'from-port:443', 'port:0', 'to-port:65535',
  'proto:udp', 'proto:icmp', 'proto:icmpv6', 'proto:sctp', 'proto:http', 'proto:dns', 'proto:kafka', 'protocol:tcp|udp',
  'fqdn:api.stripe.com', 'to-fqdn:*.github.com', 'fqdn:API.STRIPE.COM.', 'fqdn:*', 'from-fqdn:*',
  'ip:10.244.1.10', 'to-ip:10.0.0.0/8', 'from-ip:fd00::/64', 'ip:10.244.9.0/24', 'ip:::ffff:10.244.9.0/120', 'to-ip:2001:db8::/32', 'ip:0.0.0.0/0', 'ip:::/0',
  'dns:api.github.com', 'dns:*.cluster.local', 'dns:*',
  'http-status:5xx', 'http-status:404', 'http-status:200-299', 'http-method:GET', 'http-method:post|delete',
  'http-path:/api/*', 'http-path:/', 'http-path:/static/a%20b_c.css', 'http-path:/api/v1/orders',
  'policy:db-lockdown', 'policy:shop/*', 'policy:CiliumClusterwideNetworkPolicy//*', 'policy:deny_*', 'policy:*',
  'node:aks-prod-weu/*', 'node:*/aks-nodepool1-?', 'node:other-*/*',
  'identity:world', 'from-identity:host', 'to-identity:16777217', 'identity:4294967295',
  'reply:true', 'reply:false', 'uuid:ffffffff-0000-4000-8000-000000000003', 'uuid:FFFFFFFF-0000-4000-8000-000000000004',
  'web', 'GITHUB', 'api*', '"o\'brien"', '10.244.1', 'fd00', '"x)y"', '"we%ird"',
  'ns:shop verdict:dropped', 'ns:shop OR ns:production verdict:dropped', 'NOT ns:shop', '-reply:true ns:production',
  '(ns:shop OR ns:payments) AND NOT (port:53 OR proto:http)', 'pod:web- -to-port:8080', 'NOT NOT verdict:dropped',
];

/** Every field a term can name. */
function fieldsOf(node: SearchNode, into = new Set<string>()): Set<string> {
  if (node.kind === 'term') into.add(node.field);
  else if (node.kind === 'not') fieldsOf(node.child, into);
  else for (const c of node.children) fieldsOf(c, into);
  return into;
}

describe('searchToSql selects exactly the flows searchPredicate accepts', () => {
  it('has table queries for every field', () => {
    const covered = new Set<string>();
    for (const q of TABLE) {
      const p = parseSearch(q);
      if (p.ok && p.ast) fieldsOf(p.ast, covered);
    }
    expect([...SEARCH_FIELDS].filter((f) => !covered.has(f))).toEqual([]);
  });

  it.each(TABLE)('%s', (query) => {
    const { live, stored } = compare(query);
    expect(stored).toEqual(live);
    expect(live.length).toBeGreaterThan(0);
    expect(live.length).toBeLessThan(flows.length);
  });

  it('agrees on random combinations of terms', () => {
    const rand = seededRandom(99);
    const terms = TABLE.filter((q) => !q.includes(' '));
    const pick = () => terms[(rand() * terms.length) | 0];
    const node = (depth: number): string => {
      const r = rand();
      if (depth > 2 || r < 0.4) return (rand() < 0.2 ? '-' : '') + pick();
      const op = r < 0.65 ? ' OR ' : r < 0.9 ? ' ' : ' AND ';
      const inner = `${node(depth + 1)}${op}${node(depth + 1)}`;
      return rand() < 0.3 ? `NOT (${inner})` : `(${inner})`;
    };
    let nonTrivial = 0;
    for (let i = 0; i < 150; i++) {
      const q = node(0);
      const { live, stored } = compare(q);
      expect(stored, q).toEqual(live);
      if (live.length > 0 && live.length < flows.length) nonTrivial++;
    }
    // The combinations must actually split the flows, or agreeing proves little.
    expect(nonTrivial).toBeGreaterThan(100);
  });

  it('runs hostile values as plain values, finding only what they spell', () => {
    const hostile = ["o'brien", "x' OR 1=1 --", 'a\\', "a'); DROP TABLE flows; --", 'x)y', '{p0:String}', 'we%ird_ns', '%', '_', 'semi;colon--', '/* c */', 'a\nb', '\\set'];
    const fields = ['ns', 'pod', 'workload', 'label', 'http-path', 'policy', 'node', 'dns', 'fqdn', 'reason'];
    let found = 0;
    for (const value of hostile) {
      for (const q of [`"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`, ...fields.map((f) => `${f}:"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`)]) {
        if (!parseSearch(q).ok) continue;
        const { live, stored } = compare(q);
        expect(stored, q).toEqual(live);
        found += live.length;
      }
    }
    // Some of them name real flows (the tricky ones): those are found, the rest find nothing.
    expect(found).toBeGreaterThan(0);
    const { live } = compare('"%"');
    expect(live.length).toBe(2);
  });

  it('treats the empty search as every flow', () => {
    const { live, stored } = compare('   ');
    expect(live).toHaveLength(flows.length);
    expect(stored).toEqual(live);
  });
});
