import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { EdgeAggregate, FlowStore, TimeRange } from '@/lib/history/flow-store';
import type { GraphSnapshot } from '@/lib/graph/types';
import { demoAzureSnapshot } from '@/lib/azure/demo';
import { DemoSource } from '@/lib/k8s/demo-source';

const LIVE: GraphSnapshot = { seq: 7, nodes: [], edges: [] };

const demoCluster = new DemoSource();
await demoCluster.start();
const fake = {
  history: vi.fn<() => Promise<Pick<FlowStore, 'edges'> | null>>(),
  hub: vi.fn(async () => ({ graphSnapshot: () => LIVE })),
  // What the past window's edges are evaluated against: the demo's cluster and Azure network.
  clusterAzure: async () => demoAzureSnapshot(),
  posture: async () => ({ source: demoCluster }),
  edgeFlows: { latest: () => undefined },
  // Who asks and what they may see (FLOWSIGHT_AUTHZ=namespaces narrows it).
  principal: async () => ({ via: 'open' }),
  scopeOf: vi.fn<() => Promise<'all' | Set<string>>>(async () => 'all'),
};
vi.mock('@/lib/server/runtime', () => ({ runtime: () => fake }));

const { GET } = await import('./route');

const ROW: EdgeAggregate = {
  source: 'production/frontend',
  target: 'production/api-server',
  port: 8080,
  protocol: 'TCP',
  verdict: 'FORWARDED',
  dropReason: '',
  sourceNamespace: 'production',
  targetNamespace: 'production',
  sourceKind: 'workload',
  targetKind: 'workload',
  sourceLabel: 'frontend',
  targetLabel: 'api-server',
  sourceWorkloadKind: 'Deployment',
  targetWorkloadKind: 'Deployment',
  sourceApp: 'frontend',
  targetApp: 'api-server',
  sourcePods: ['frontend-7d9f8b6c4-x7k2p'],
  targetPods: ['api-server-5f6d7c8b9-b8w3n'],
  flows: 12,
  replies: 5,
  l7: { http: 0, dns: 0, kafka: 0 },
  allowedBy: [],
  deniedBy: [],
  firstSeen: Date.parse('2026-11-28T09:01:00Z'),
  lastSeen: Date.parse('2026-11-28T09:02:00Z'),
};

const get = (qs: string) => GET(new Request(`http://localhost/api/graph${qs}`));

describe('GET /api/graph', () => {
  beforeEach(() => {
    fake.history.mockReset();
    fake.scopeOf.mockResolvedValue('all');
  });

  it('a past window for a user limited to other namespaces has none of these edges', async () => {
    fake.history.mockResolvedValue({ edges: async () => [ROW] });
    const window = '?since=2026-11-28T09:00:00Z&until=2026-11-28T09:15:00Z';
    expect(((await (await get(window)).json()) as GraphSnapshot).edges).toHaveLength(1);
    fake.scopeOf.mockResolvedValue(new Set(['legacy']));
    expect(await (await get(window)).json()).toMatchObject({ nodes: [], edges: [] });
  });

  it('answers the live graph without a window, and never opens the history for it', async () => {
    const res = await get('');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(LIVE);
    expect(fake.history).not.toHaveBeenCalled();
  });

  it('draws a past window from the store with the window asked for', async () => {
    const ranges: TimeRange[] = [];
    fake.history.mockResolvedValue({
      edges: async (q) => {
        ranges.push(q.range);
        return [ROW, { ...ROW, verdict: 'DROPPED', dropReason: 'POLICY_DENIED', flows: 3, replies: 0 }];
      },
    });
    const res = await get('?since=2026-11-28T09:00:00Z&until=2026-11-28T09:15:00Z');
    expect(res.status).toBe(200);
    expect(ranges).toEqual([{ since: Date.parse('2026-11-28T09:00:00Z'), until: Date.parse('2026-11-28T09:15:00Z') }]);
    const body = (await res.json()) as GraphSnapshot;
    expect(body.edges).toEqual([expect.objectContaining({ id: 'production/frontend|production/api-server|8080|TCP', total: 15, status: 'mixed', dropReasons: { POLICY_DENIED: 3 } })]);
    expect(body.nodes.map((n) => n.id).sort()).toEqual(['production/api-server', 'production/frontend']);
  });

  it('colours a past edge by every layer: what the Azure Firewall denies is denied, though Cilium forwarded it', async () => {
    const pypi: EdgeAggregate = {
      ...ROW,
      source: 'legacy/legacy-app',
      target: 'world:pypi.org',
      port: 443,
      sourceNamespace: 'legacy',
      targetNamespace: '',
      targetKind: 'world',
      sourceLabel: 'legacy-app',
      targetLabel: 'pypi.org',
      targetWorkloadKind: '',
      targetApp: '',
      sourcePods: [],
      targetPods: [],
    };
    fake.history.mockResolvedValue({ edges: async () => [pypi, ROW] });
    const body = (await (await get('?since=1h')).json()) as GraphSnapshot;
    const edge = body.edges.find((e) => e.target === 'world:pypi.org')!;
    expect(edge.status).toBe('allowed'); // what Cilium observed
    expect(edge.path).toMatchObject({ status: 'denied', decidedBy: 'firewall', layers: { policy: 'allowed', firewall: 'denied' } });
    const inCluster = body.edges.find((e) => e.target === 'production/api-server')!;
    expect(inCluster.path?.status).toBe('allowed');
  });

  it('says the history is off instead of drawing the live map for a past window', async () => {
    fake.history.mockResolvedValue(null);
    const res = await get('?since=1h');
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ type: 'urn:flowsight:problem:history-off', detail: expect.stringContaining('FLOWSIGHT_HISTORY=off') });
  });

  it('says when the store cannot answer', async () => {
    fake.history.mockResolvedValue({ edges: async () => Promise.reject(new Error('disk unreadable')) });
    const res = await get('?since=1h');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ type: 'urn:flowsight:problem:history-unavailable', detail: expect.stringContaining('disk unreadable') });
  });

  it('names a bad window parameter', async () => {
    const res = await get('?since=1h&until=2h');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ problems: [{ param: 'until', message: 'must be later than since' }] });
    expect(fake.history).not.toHaveBeenCalled();
  });
});
